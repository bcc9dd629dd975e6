/**
 * The HTTP API follows the wire's authentication: without --http-token only loopback clients may
 * post or subscribe unless --auth trust, so a server that asks remote psql users for a password
 * does not take anonymous remote writes over HTTP.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { EddyProcess } from '../support/server-process.js';

const servers: EddyProcess[] = [];
after(async () => {
  for (const s of servers) await s.cleanup();
});

/** A non-loopback IPv4 address of this machine (the tests reach the server through it), if any. */
function externalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const ip = externalAddress();

test('without a token, remote HTTP clients are refused unless --auth trust; loopback and token holders pass', { skip: ip === undefined && 'no non-loopback address on this machine' }, async () => {
  const strict = await EddyProcess.start({ args: ['--host', '0.0.0.0'] });
  servers.push(strict);
  const c = await strict.client();
  await c.query('CREATE STREAM hs (a int)');
  await c.end();
  const post = (host: string, port: number, headers: Record<string, string> = {}) =>
    fetch(`http://${host}:${port}/v1/streams/hs`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"a": 1}' });
  const remote = await post(ip!, strict.httpPort);
  assert.equal(remote.status, 401);
  assert.match(((await remote.json()) as { error: string }).error, /--http-token/);
  assert.equal((await fetch(`http://${ip}:${strict.httpPort}/v1/subscribe/hs`)).status, 401);
  assert.equal((await post('127.0.0.1', strict.httpPort)).status, 200);

  const trusting = await EddyProcess.start({ args: ['--host', '0.0.0.0', '--auth', 'trust'] });
  servers.push(trusting);
  const t = await trusting.client();
  await t.query('CREATE STREAM hs (a int)');
  await t.end();
  assert.equal((await post(ip!, trusting.httpPort)).status, 200);

  const tokened = await EddyProcess.start({ args: ['--host', '0.0.0.0', '--http-token', 'sesame'] });
  servers.push(tokened);
  const k = await tokened.client();
  await k.query('CREATE STREAM hs (a int)');
  await k.end();
  assert.equal((await post(ip!, tokened.httpPort)).status, 401);
  assert.equal((await post(ip!, tokened.httpPort, { authorization: 'Bearer sesame' })).status, 200);
});
