/**
 * Security over the wire with real clients (node-postgres, psql) against a real server process:
 * SCRAM-SHA-256 and md5 logins, failed logins that do not reveal which roles exist, TLS,
 * --require-tls, read-only roles and GRANT/REVOKE, roles that survive kill -9, max_connections,
 * statement_timeout and the idle timeouts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EddyProcess, psqlAvailable } from '../support/server-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CERT = path.join(root, 'tests/support/fixtures/test-tls.crt');
const KEY = path.join(root, 'tests/support/fixtures/test-tls.key');
const ADMIN_PASSWORD = 'admin-secret';
const noPsql = !psqlAvailable() && 'psql not installed';

let server: EddyProcess;
const baseArgs = ['--tls-cert', CERT, '--tls-key', KEY, '--max-connections', '6'];

before(async () => {
  server = await EddyProcess.start({ args: [...baseArgs, '--auth', 'md5'], env: { EDDY_PASSWORD: ADMIN_PASSWORD } });
});

after(async () => {
  await server?.cleanup();
});

async function connect(user: string, password: string | undefined, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user, password, database: 'eddy', ...extra });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function loginError(user: string, password: string | undefined, extra: Partial<pg.ClientConfig> = {}): Promise<{ code: string; message: string }> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user, password, database: 'eddy', ...extra });
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    return { code: (e as { code?: string }).code ?? '', message: (e as Error).message };
  } finally {
    await c.end().catch(() => undefined);
  }
  assert.fail(`login as ${user} should have failed`);
}

async function sqlError(c: pg.Client, sql: string): Promise<{ code: string; message: string }> {
  try {
    await c.query(sql);
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  assert.fail(`expected an error from: ${sql}`);
}

/** The first authentication request the server sends for `user`: 5 = md5, 10 = SASL (with its mechanisms). */
function firstAuthRequest(user: string): Promise<{ code: number; mechanisms: string[] }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(server.pgPort, '127.0.0.1');
    const params = Buffer.from(`user\0${user}\0database\0eddy\0\0`);
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    let buf = Buffer.alloc(0);
    s.on('connect', () => s.write(Buffer.concat([head, params])));
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < 1 + len) return;
      assert.equal(String.fromCharCode(buf[0]), 'R');
      const code = buf.readInt32BE(5);
      const mechanisms = code === 10 ? buf.subarray(9, 1 + len).toString().split('\0').filter(Boolean) : [];
      s.destroy();
      resolve({ code, mechanisms });
    });
    s.on('error', reject);
  });
}

function psql(conninfo: string, password: string, sql: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', conninfo, '-c', sql], { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('SCRAM-SHA-256 login; a wrong password and an unknown user fail identically', async () => {
  const admin = await connect('eddy', ADMIN_PASSWORD);
  assert.deepEqual((await admin.query('SELECT current_user AS u')).rows, [{ u: 'eddy' }]);
  assert.equal((await admin.query('SHOW is_superuser')).rows[0].is_superuser, 'on');
  await admin.query("CREATE USER alice WITH PASSWORD 'alice-pw'");
  assert.equal((await sqlError(admin, "CREATE USER alice PASSWORD 'x'")).code, '42710');
  await admin.end();

  const alice = await connect('alice', 'alice-pw');
  assert.deepEqual((await alice.query('SELECT current_user AS u')).rows, [{ u: 'alice' }]);
  assert.equal((await alice.query('SHOW is_superuser')).rows[0].is_superuser, 'off');
  await alice.end();

  const wrong = await loginError('alice', 'nope');
  const unknown = await loginError('mallory', 'nope');
  assert.equal(wrong.code, '28P01');
  assert.equal(wrong.message, 'password authentication failed for user "alice"');
  assert.equal(unknown.code, '28P01');
  assert.equal(unknown.message, 'password authentication failed for user "mallory"');
  // Both are asked for SCRAM the same way: the exchange does not reveal whether the role exists.
  assert.deepEqual(await firstAuthRequest('alice'), { code: 10, mechanisms: ['SCRAM-SHA-256'] });
  assert.deepEqual(await firstAuthRequest('mallory'), { code: 10, mechanisms: ['SCRAM-SHA-256'] });
});

test('md5: a role stored with md5 logs in with the md5 challenge; NOLOGIN roles are refused', async () => {
  const admin = await connect('eddy', ADMIN_PASSWORD);
  await admin.query("SET password_encryption = 'md5'");
  await admin.query("CREATE USER carol PASSWORD 'carol-pw'");
  await admin.query("RESET password_encryption");
  await admin.query("CREATE ROLE nologin_role PASSWORD 'x'");
  assert.equal((await sqlError(admin, "SET password_encryption = 'rot13'")).code, '22023');
  await admin.end();

  assert.equal((await firstAuthRequest('carol')).code, 5);
  const carol = await connect('carol', 'carol-pw');
  assert.deepEqual((await carol.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  await carol.end();
  assert.equal((await loginError('carol', 'wrong')).code, '28P01');

  const refused = await loginError('nologin_role', 'x');
  assert.equal(refused.code, '28000');
  assert.equal(refused.message, 'role "nologin_role" is not permitted to log in');
});

test('a role without grants reads but cannot write; GRANT and REVOKE change that, per relation or for all', async () => {
  const admin = await connect('eddy', ADMIN_PASSWORD);
  await admin.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT)');
  await admin.query("INSERT INTO accounts VALUES (1, 'ann')");
  await admin.query('CREATE STREAM clicks (url TEXT)');
  await admin.query("CREATE USER reader PASSWORD 'reader-pw'");

  const reader = await connect('reader', 'reader-pw');
  assert.deepEqual((await reader.query('SELECT owner FROM accounts')).rows, [{ owner: 'ann' }]);
  assert.equal((await reader.query('SHOW TABLES')).rows.length, 1);
  const denied = await sqlError(reader, "INSERT INTO accounts VALUES (2, 'bob')");
  assert.deepEqual(denied, { code: '42501', message: 'permission denied for table accounts' });
  assert.equal((await sqlError(reader, "UPDATE accounts SET owner = 'x'")).code, '42501');
  assert.equal((await sqlError(reader, 'DELETE FROM accounts')).code, '42501');
  assert.equal((await sqlError(reader, "INSERT INTO clicks VALUES ('/')")).code, '42501');
  assert.deepEqual(await sqlError(reader, 'CREATE TABLE mine (id INT PRIMARY KEY)'), { code: '42501', message: 'permission denied for schema public' });
  assert.equal((await sqlError(reader, 'CREATE MATERIALIZED VIEW n AS SELECT count(*) FROM clicks')).code, '42501');
  assert.equal((await sqlError(reader, 'DROP TABLE accounts')).code, '42501');
  assert.equal((await sqlError(reader, 'DROP TABLE IF EXISTS accounts')).code, '42501');
  assert.equal((await reader.query('DROP TABLE IF EXISTS no_such_table')).command, 'DROP', 'IF EXISTS of nothing is a notice for anyone');
  assert.deepEqual(await sqlError(reader, "CREATE USER sneaky PASSWORD 'x'"), { code: '42501', message: 'permission denied to create role' });
  assert.equal((await sqlError(reader, 'ALTER USER reader SUPERUSER')).code, '42501');
  assert.equal((await sqlError(reader, 'GRANT ALL ON ALL TABLES IN SCHEMA public TO reader')).code, '42501');
  // Prepared statements are checked too.
  await assert.rejects(reader.query({ text: 'INSERT INTO accounts VALUES ($1, $2)', values: [3, 'c'] }), (e: { code?: string }) => e.code === '42501');
  // A role may change its own password.
  await reader.query("ALTER USER reader PASSWORD 'reader-pw2'");

  // Per relation and per privilege.
  await admin.query('GRANT INSERT ON TABLE accounts TO reader');
  await reader.query("INSERT INTO accounts VALUES (2, 'bob')");
  assert.equal((await sqlError(reader, 'DELETE FROM accounts WHERE id = 2')).code, '42501');
  assert.equal((await sqlError(reader, "INSERT INTO clicks VALUES ('/')")).code, '42501');
  assert.equal((await sqlError(reader, 'CREATE TABLE mine (id INT PRIMARY KEY)')).code, '42501');
  await admin.query('REVOKE INSERT ON accounts FROM reader');
  assert.equal((await sqlError(reader, "INSERT INTO accounts VALUES (3, 'cy')")).code, '42501');
  // Every relation; CREATE is separate.
  await admin.query('GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO reader');
  await reader.query("INSERT INTO clicks VALUES ('/home')");
  await reader.query("UPDATE accounts SET owner = 'bobby' WHERE id = 2");
  assert.equal((await sqlError(reader, 'CREATE TABLE mine (id INT PRIMARY KEY)')).code, '42501');
  await admin.query('GRANT CREATE ON SCHEMA public TO reader');
  await reader.query('CREATE TABLE mine (id INT PRIMARY KEY)');
  await reader.query('DROP TABLE mine');
  await admin.query('REVOKE CREATE ON DATABASE eddy FROM reader');
  assert.equal((await sqlError(reader, 'CREATE TABLE mine (id INT PRIMARY KEY)')).code, '42501');
  await admin.query('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM reader');
  assert.equal((await sqlError(reader, "INSERT INTO accounts VALUES (3, 'cy')")).code, '42501');
  // A relation dropped and created again starts without the old grants.
  await admin.query('CREATE TABLE scratch (id INT PRIMARY KEY)');
  await admin.query('GRANT ALL ON scratch TO reader');
  await reader.query('INSERT INTO scratch VALUES (1)');
  await admin.query('DROP TABLE scratch');
  await admin.query('CREATE TABLE scratch (id INT PRIMARY KEY)');
  assert.equal((await sqlError(reader, 'INSERT INTO scratch VALUES (1)')).code, '42501');
  assert.equal((await sqlError(admin, 'GRANT UPDATE (id) ON scratch TO reader')).code, '0A000');
  assert.equal((await sqlError(admin, 'GRANT SELECT ON nosuch TO reader')).code, '42P01');
  assert.equal((await sqlError(admin, 'GRANT SELECT ON accounts TO nobody')).code, '42704');
  await reader.end();
  await admin.end();
  assert.equal((await loginError('reader', 'reader-pw')).code, '28P01');
  await (await connect('reader', 'reader-pw2')).end();
});

test('CREATE/ALTER/DROP ROLE follow PostgreSQL', async () => {
  const admin = await connect('eddy', ADMIN_PASSWORD);
  await admin.query("CREATE ROLE temp1 LOGIN PASSWORD 't1'");
  await admin.query('ALTER ROLE temp1 RENAME TO temp2');
  await (await connect('temp2', 't1')).end();
  await admin.query('ALTER ROLE temp2 NOLOGIN');
  assert.equal((await loginError('temp2', 't1')).code, '28000');
  await admin.query('DROP ROLE temp2');
  assert.deepEqual(await sqlError(admin, 'DROP ROLE temp2'), { code: '42704', message: 'role "temp2" does not exist' });
  await admin.query('DROP USER IF EXISTS temp2');
  assert.equal((await sqlError(admin, 'ALTER USER ghost PASSWORD NULL')).code, '42704');
  assert.equal((await sqlError(admin, 'CREATE ROLE pg_special')).code, '42939');
  assert.equal((await sqlError(admin, 'DROP ROLE eddy')).code, '55006');
  assert.equal((await sqlError(admin, "CREATE ROLE r VALID UNTIL '2030-01-01'")).code, '0A000');
  await admin.end();
});

test('TLS: psql with sslmode=require and node-postgres with ssl', { skip: noPsql }, async () => {
  const r = await psql(`host=127.0.0.1 port=${server.pgPort} user=eddy dbname=eddy sslmode=require`, ADMIN_PASSWORD, 'SELECT 40 + 2');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '42');
  const info = await psql(`host=127.0.0.1 port=${server.pgPort} user=eddy dbname=eddy sslmode=require`, ADMIN_PASSWORD, '\\conninfo');
  assert.match(info.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
  const c = await connect('alice', 'alice-pw', { ssl: { rejectUnauthorized: false } });
  assert.deepEqual((await c.query("SELECT 'over tls' AS s")).rows, [{ s: 'over tls' }]);
  await c.end();
});

test('max connections: one more client gets 53300 and the others keep working', async () => {
  const held: pg.Client[] = [];
  try {
    for (let i = 0; i < 6; i++) held.push(await connect('eddy', ADMIN_PASSWORD));
    const refused = await loginError('eddy', ADMIN_PASSWORD);
    assert.deepEqual(refused, { code: '53300', message: 'sorry, too many clients already' });
    for (const c of held) assert.equal((await c.query('SELECT 1 AS x')).rows[0].x, 1);
    await held.pop()!.end();
    const again = await connect('eddy', ADMIN_PASSWORD);
    held.push(again);
    assert.equal((await again.query('SELECT 2 AS x')).rows[0].x, 2);
  } finally {
    await Promise.all(held.map((c) => c.end().catch(() => undefined)));
  }
});

test('statement_timeout cancels a slow statement with 57014; the session carries on', async () => {
  const c = await connect('alice', 'alice-pw');
  await c.query('SET statement_timeout = 200');
  assert.equal((await c.query('SHOW statement_timeout')).rows[0].statement_timeout, '200ms');
  const started = Date.now();
  const e = await sqlError(c, 'SELECT pg_sleep(5)');
  assert.deepEqual(e, { code: '57014', message: 'canceling statement due to statement timeout' });
  assert.ok(Date.now() - started < 2000, 'canceled promptly');
  // Extended protocol too.
  await assert.rejects(c.query({ text: 'SELECT pg_sleep($1)', values: [5] }), (err: { code?: string }) => err.code === '57014');
  assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
  assert.equal((await sqlError(c, "SET statement_timeout = 'soon'")).code, '22023');
  await c.end();

  // Set in the startup packet (PGOPTIONS / options=-c ...).
  const viaOptions = await connect('alice', 'alice-pw', { options: '-c statement_timeout=150ms' } as Partial<pg.ClientConfig>);
  assert.equal((await viaOptions.query('SHOW statement_timeout')).rows[0].statement_timeout, '150ms');
  assert.equal((await sqlError(viaOptions, 'SELECT pg_sleep(3)')).code, '57014');
  await viaOptions.end();
});

function fatalOf(c: pg.Client): Promise<{ code?: string; message: string }> {
  return new Promise((resolve) => c.once('error', (e: Error & { code?: string }) => resolve({ code: e.code, message: e.message })));
}

test('idle_session_timeout and idle_in_transaction_session_timeout close the connection', async () => {
  const idle = await connect('alice', 'alice-pw');
  await idle.query("SET idle_session_timeout = '300ms'");
  const f1 = await fatalOf(idle);
  assert.deepEqual(f1, { code: '57P05', message: 'terminating connection due to idle-session timeout' });

  const inTx = await connect('alice', 'alice-pw');
  await inTx.query("SET idle_in_transaction_session_timeout = '300ms'");
  await inTx.query('BEGIN');
  const f2 = await fatalOf(inTx);
  assert.deepEqual(f2, { code: '25P03', message: 'terminating connection due to idle-in-transaction timeout' });

  // Busy sessions are not idle: statements keep resetting the clock.
  const busy = await connect('alice', 'alice-pw');
  await busy.query("SET idle_session_timeout = '400ms'");
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 150));
    await busy.query('SELECT 1');
  }
  await busy.end();
});

test('a broken TLS handshake or garbage during authentication never hurts the server', async () => {
  const exchange = (first: Buffer, then: (s: net.Socket, reply: Buffer) => void): Promise<Buffer> =>
    new Promise((resolve) => {
      const s = net.connect(server.pgPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      let sent = false;
      s.on('connect', () => s.write(first));
      s.on('data', (d) => {
        chunks.push(d);
        if (!sent) {
          sent = true;
          then(s, d);
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => s.destroy(), 2000);
    });
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  // 'S', then plain-text garbage instead of a ClientHello.
  const r1 = await exchange(sslRequest, (s, reply) => {
    assert.equal(reply.toString(), 'S');
    s.write(Buffer.from('this is not TLS at all, just bytes\n'.repeat(10)));
  });
  assert.equal(r1[0], 0x53);
  // A startup, then a Query where the SCRAM response belongs.
  const params = Buffer.from('user\0eddy\0database\0eddy\0\0');
  const startup = Buffer.alloc(8 + params.length);
  startup.writeInt32BE(startup.length, 0);
  startup.writeInt32BE(196608, 4);
  params.copy(startup, 8);
  const r2 = await exchange(startup, (s) => s.write(Buffer.from([0x51, 0, 0, 0, 13, ...Buffer.from('SELECT 1\0')])));
  assert.match(r2.toString('latin1'), /08P01/);
  // SASLInitialResponse with a bogus mechanism and a truncated body.
  const r3 = await exchange(startup, (s) => s.write(Buffer.from([0x70, 0, 0, 0, 10, ...Buffer.from('BOGUS\0')])));
  assert.match(r3.toString('latin1'), /08P01/);
  const c = await connect('eddy', ADMIN_PASSWORD);
  assert.deepEqual((await c.query('SELECT 1 AS alive')).rows, [{ alive: 1 }]);
  await c.end();
});

test('roles survive kill -9; --require-tls; under auto, loopback is trusted but roles keep their privileges', async () => {
  const admin = await connect('eddy', ADMIN_PASSWORD);
  await admin.query("CREATE USER durable PASSWORD 'durable-pw'");
  await admin.query('GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO durable');
  await admin.end();
  await server.kill();
  // Restarted with the default --auth auto: loopback clients are trusted (no password asked).
  server = await EddyProcess.start({ dataDir: server.dataDir, args: [...baseArgs, '--require-tls'] });

  const plain = await loginError('durable', 'durable-pw');
  assert.equal(plain.code, '28000');
  assert.match(plain.message, /requires TLS/);
  const tls = { ssl: { rejectUnauthorized: false } };
  const durable = await connect('durable', undefined, tls);
  await durable.query("INSERT INTO accounts VALUES (10, 'durable')");
  await durable.end();
  const reader = await connect('reader', undefined, tls);
  assert.equal((await reader.query('SHOW is_superuser')).rows[0].is_superuser, 'off');
  assert.equal((await sqlError(reader, "INSERT INTO accounts VALUES (11, 'r')")).code, '42501');
  assert.equal((await sqlError(reader, 'SET is_superuser = on')).code, '55P02');
  assert.deepEqual(await sqlError(reader, 'SET ROLE eddy'), { code: '42501', message: 'permission denied to set role "eddy"' });
  assert.equal((await sqlError(reader, "SET SESSION AUTHORIZATION 'eddy'")).code, '42501');
  assert.deepEqual((await reader.query('SELECT count(*)::int AS n FROM accounts')).rows, [{ n: 3 }]);
  await reader.end();
  // A name that is no role is a trusted superuser (how a fresh server is set up) ...
  const stranger = await connect('not_a_role', undefined, tls);
  assert.equal((await stranger.query('SHOW is_superuser')).rows[0].is_superuser, 'on');
  await stranger.query("CREATE USER made_by_stranger PASSWORD 'x'");
  await stranger.end();
  // ... but a NOLOGIN role is still refused.
  assert.equal((await loginError('nologin_role', undefined, tls)).code, '28000');
  if (!noPsql) {
    const r = await psql(`host=127.0.0.1 port=${server.pgPort} user=eddy dbname=eddy sslmode=disable`, ADMIN_PASSWORD, 'SELECT 1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /connection requires TLS/);
  }
});
