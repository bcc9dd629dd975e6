import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.js';

describe('security options', () => {
  it('defaults: auto auth, no TLS, 100 connections', () => {
    const c = parseConfig([], {});
    assert.equal(c.auth, 'auto');
    assert.equal(c.tlsCert, undefined);
    assert.equal(c.requireTls, false);
    assert.equal(c.maxConnections, 100);
    assert.equal(c.superuserName, 'eddy');
  });

  it('flags win over the environment', () => {
    const c = parseConfig(['--auth', 'scram-sha-256', '--tls-cert=a.crt', '--tls-key', 'a.key', '--require-tls', '--max-connections', '7'], {
      EDDY_AUTH: 'trust',
      EDDY_MAX_CONNECTIONS: '50',
      EDDY_PASSWORD: 'pw',
      EDDY_USER: 'root',
    });
    assert.deepEqual(
      { auth: c.auth, cert: c.tlsCert, key: c.tlsKey, require: c.requireTls, max: c.maxConnections, pw: c.superuserPassword, user: c.superuserName },
      { auth: 'scram-sha-256', cert: 'a.crt', key: 'a.key', require: true, max: 7, pw: 'pw', user: 'root' },
    );
    assert.equal(parseConfig([], { EDDY_AUTH: 'MD5' }).auth, 'md5');
  });

  it('refuses bad values with a clear message', () => {
    assert.throws(() => parseConfig(['--auth', 'password'], {}), (e: Error) => e instanceof ConfigError && /invalid --auth: "password"/.test(e.message));
    assert.throws(() => parseConfig(['--max-connections', '0'], {}), ConfigError);
    assert.throws(() => parseConfig(['--tls-cert', 'a.crt'], {}), /must be given together/);
    assert.throws(() => parseConfig(['--require-tls'], {}), /needs --tls-cert/);
  });
});
