import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkMd5Response,
  encryptPassword,
  isMd5Secret,
  md5Secret,
  parseScramSecret,
  ScramExchange,
  scramClientFinal,
  ScramProtocolError,
  scramSecret,
} from './auth.js';
import { createHash } from 'node:crypto';

// RFC 7677 section 3: user "user", password "pencil".
const RFC = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};
const RFC_SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

describe('SCRAM-SHA-256 (RFC 7677 test vector)', () => {
  it('derives the verifier PostgreSQL would store', () => {
    const secret = scramSecret('pencil', RFC_SALT, 4096);
    const parsed = parseScramSecret(secret);
    assert.ok(parsed);
    assert.equal(parsed.iterations, 4096);
    assert.deepEqual(parsed.salt, RFC_SALT);
    assert.match(secret, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  });

  it('server side: accepts the RFC client proof and answers the RFC server signature', () => {
    const ex = new ScramExchange(parseScramSecret(scramSecret('pencil', RFC_SALT))!, true, RFC.serverNonce);
    assert.equal(ex.clientFirst(RFC.clientFirst), RFC.serverFirst);
    assert.equal(ex.clientFinal(RFC.clientFinal), RFC.serverFinal);
  });

  it('client side: computes the RFC proof', () => {
    const r = scramClientFinal('pencil', 'n=user,r=rOprNGfwEbeRWgbNEkqO', RFC.serverFirst);
    assert.equal(r.message, RFC.clientFinal);
    assert.equal(`v=${r.serverSignature}`, RFC.serverFinal);
  });

  it('rejects a wrong password', () => {
    const ex = new ScramExchange(parseScramSecret(scramSecret('pencil', RFC_SALT))!, true, RFC.serverNonce);
    const sf = ex.clientFirst(RFC.clientFirst);
    const bad = scramClientFinal('pencil2', 'n=user,r=rOprNGfwEbeRWgbNEkqO', sf);
    assert.equal(ex.clientFinal(bad.message), null);
  });

  it('a mock exchange looks the same, uses a stable salt per user, and always fails', () => {
    const seed = Buffer.from('seed');
    const a = ScramExchange.mock(seed, 'ghost').clientFirst('n,,n=,r=abc');
    const b = ScramExchange.mock(seed, 'ghost').clientFirst('n,,n=,r=abc');
    const salt = (s: string) => /,s=([^,]+),/.exec(s)![1];
    assert.equal(salt(a), salt(b));
    assert.notEqual(salt(a), salt(ScramExchange.mock(seed, 'other').clientFirst('n,,n=,r=abc')));
    const ex = ScramExchange.mock(seed, 'ghost');
    const sf = ex.clientFirst('n,,n=,r=abc');
    assert.equal(ex.clientFinal(scramClientFinal('anything', 'n=,r=abc', sf).message), null);
  });

  it('refuses malformed messages and channel binding', () => {
    const make = () => new ScramExchange(parseScramSecret(scramSecret('x'))!, true);
    assert.throws(() => make().clientFirst('garbage'), ScramProtocolError);
    assert.throws(() => make().clientFirst('p=tls-server-end-point,,n=,r=abc'), ScramProtocolError);
    assert.throws(() => make().clientFirst('n,a=admin,n=,r=abc'), ScramProtocolError);
    const ex = make();
    ex.clientFirst('n,,n=,r=abc');
    assert.throws(() => ex.clientFinal('c=biws,r=WRONGNONCE,p=AAAA'), ScramProtocolError);
  });
});

describe('md5 passwords', () => {
  it('stores md5(password || user) like PostgreSQL', () => {
    // PostgreSQL: SELECT 'md5' || md5('secret' || 'alice')
    assert.equal(md5Secret('secret', 'alice'), 'md5' + createHash('md5').update('secretalice').digest('hex'));
    assert.ok(isMd5Secret(md5Secret('secret', 'alice')));
  });

  it('checks the salted challenge response', () => {
    const secret = md5Secret('secret', 'alice');
    const salt = Buffer.from([1, 2, 3, 4]);
    const response = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(secret.slice(3)), salt])).digest('hex');
    assert.equal(checkMd5Response(secret, salt, response), true);
    assert.equal(checkMd5Response(secret, Buffer.from([4, 3, 2, 1]), response), false);
    assert.equal(checkMd5Response(null, salt, response), false);
    assert.equal(checkMd5Response(scramSecret('secret'), salt, response), false);
  });

  it('keeps a password given as a verifier or md5 secret as is', () => {
    const v = scramSecret('pw');
    assert.equal(encryptPassword(v, 'u', 'md5'), v);
    assert.equal(encryptPassword(md5Secret('pw', 'u'), 'u', 'scram-sha-256'), md5Secret('pw', 'u'));
    assert.ok(isMd5Secret(encryptPassword('pw', 'u', 'md5')));
    assert.ok(parseScramSecret(encryptPassword('pw', 'u', 'scram-sha-256')));
  });
});
