/**
 * COPY over a real server: FROM STDIN in text and CSV (psql's \copy and a raw protocol client that
 * splits rows across CopyData messages), defaults for omitted columns, all-or-nothing on any bad
 * row with PostgreSQL's SQLSTATEs, CopyFail -> 57014, COPY ... TO STDOUT for queries, tables,
 * views and streams, and the refusals (server files 42501, binary 0A000).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { EddyProcess, psqlAvailable } from '../support/server-process.js';
import { arrayRows, errorCode } from '../support/sql.js';
import { waitFor } from '../support/wait.js';

let server: EddyProcess;
let client: pg.Client;
let tmp: string;
const noPsql = !psqlAvailable() && 'psql not installed';

before(async () => {
  server = await EddyProcess.start();
  client = await server.client();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-copy-'));
  await client.query("CREATE TABLE people (id INT PRIMARY KEY, name TEXT NOT NULL, score NUMERIC(6,2), joined DATE, note TEXT DEFAULT 'none')");
  await client.query('CREATE STREAM events (kind TEXT, n BIGINT, at TIMESTAMPTZ)');
  await client.query('CREATE MATERIALIZED VIEW kinds AS SELECT kind, sum(n) AS total FROM events GROUP BY kind');
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function psql(args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('psql', ['-X', '-q', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy', ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test("psql \\copy FROM a CSV file with a header; omitted columns take their DEFAULT", { skip: noPsql }, async () => {
  const file = path.join(tmp, 'people.csv');
  fs.writeFileSync(file, 'id,name,score,joined\n1,"Smith, Ann",12.5,2024-01-02\n2,"Bob ""B"" Jones",,2024-02-03\n3,Émile,7,\n');
  const r = psql(['-v', 'ON_ERROR_STOP=1', '-c', `\\copy people (id, name, score, joined) from '${file}' csv header`]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await arrayRows(client, 'SELECT id, name, score, joined::text, note FROM people ORDER BY id'), [
    [1, 'Smith, Ann', '12.50', '2024-01-02', 'none'],
    [2, 'Bob "B" Jones', null, '2024-02-03', 'none'],
    [3, 'Émile', '7.00', null, 'none'],
  ]);
});

test('COPY FROM STDIN in text format: escapes, \\N, the end marker; rows reach streams and their views', { skip: noPsql }, async () => {
  const input = 'click\t1\t2024-05-01 10:00:00+00\nview\t\\N\t\\N\nback\\\\slash\\ttab\t5\t2024-05-01 10:00:01+00\n\\.\n';
  const r = psql(['-v', 'ON_ERROR_STOP=1', '-c', 'COPY events FROM STDIN'], input);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await arrayRows(client, 'SELECT kind, n, at::text FROM events ORDER BY kind'), [
    ['back\\slash\ttab', '5', '2024-05-01 10:00:01+00'],
    ['click', '1', '2024-05-01 10:00:00+00'],
    ['view', null, null],
  ]);
  assert.deepEqual(await arrayRows(client, "SELECT total FROM kinds WHERE kind = 'click'"), [['1']]);
});

test('a bad row fails the whole COPY with its SQLSTATE and line, and writes nothing', { skip: noPsql }, async () => {
  const before = await arrayRows(client, 'SELECT count(*) FROM people');
  const cases: [string, string, RegExp][] = [
    ['COPY people (id, name) FROM STDIN', '10\tok\nxx\tbad\n', /22P02.*invalid input syntax for type integer: "xx"[\s\S]*COPY people, line 2, column id: "xx"/],
    ['COPY people (id, name) FROM STDIN', '10\tok\n11\n', /22P04.*missing data for column "name"/],
    ['COPY people (id, name) FROM STDIN', '10\tok\t1\n', /22P04.*extra data after last expected column/],
    ['COPY people (id, name) FROM STDIN (FORMAT csv)', '10,ok\n11,"open\n', /22P04.*unterminated CSV quoted field/],
    ['COPY people (id, name) FROM STDIN', '10\tok\n1\tdup\n', /23505/],
    ['COPY people (id, name) FROM STDIN', '10\tok\n11\t\\N\n', /23502/],
    ['COPY people (id, score) FROM STDIN', '10\t12345.678\n', /22003/],
  ];
  for (const [sql, input, want] of cases) {
    const r = psql(['-v', 'VERBOSITY=verbose', '-c', sql], input);
    assert.notEqual(r.status, 0, sql);
    assert.match(r.stderr, want, `${sql} with ${JSON.stringify(input)}`);
  }
  assert.deepEqual(await arrayRows(client, 'SELECT count(*) FROM people'), before);
});

test('COPY TO STDOUT: queries, tables, views and streams, text and CSV with a header', { skip: noPsql }, () => {
  let r = psql(['-c', 'COPY (SELECT id, name, score FROM people ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)']);
  assert.equal(r.stdout, 'id,name,score\n1,"Smith, Ann",12.50\n2,"Bob ""B"" Jones",\n3,Émile,7.00\n');
  r = psql(['-c', "COPY (SELECT kind, n FROM events WHERE kind <> 'click' ORDER BY kind) TO STDOUT"]);
  assert.equal(r.stdout, 'back\\\\slash\\ttab\t5\nview\t\\N\n');
  r = psql(['-c', 'COPY kinds TO STDOUT (FORMAT csv, DELIMITER \'|\')']);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['back\\slash\ttab|5', 'click|1', 'view|']);
  r = psql(['-c', 'COPY people (name) TO STDOUT']);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['Bob "B" Jones', 'Smith, Ann', 'Émile']);
  r = psql(['-c', '\\copy (select 1 as a, null::text as b) to stdout csv header']);
  assert.equal(r.stdout, 'a,b\n1,\n');
  r = psql(['-c', 'COPY events TO STDOUT']);
  assert.equal(r.stdout.split('\n').length, 4);
});

test('refusals: server files 42501, programs 42501, binary 0A000, unknown option 42601, views 42809, extended protocol 0A000', async () => {
  assert.equal(await errorCode(client, "COPY people FROM '/etc/passwd'"), '42501');
  assert.equal(await errorCode(client, "COPY people TO '/tmp/x.csv'"), '42501');
  assert.equal(await errorCode(client, "COPY people FROM PROGRAM 'ls'"), '42501');
  assert.equal(await errorCode(client, 'COPY people TO STDOUT (FORMAT binary)'), '0A000');
  assert.equal(await errorCode(client, 'COPY people FROM STDIN WITH BINARY'), '0A000');
  assert.equal(await errorCode(client, 'COPY people FROM STDIN (speed 3)'), '42601');
  assert.equal(await errorCode(client, 'COPY kinds FROM STDIN'), '42809');
  assert.equal(await errorCode(client, 'COPY nowhere FROM STDIN'), '42P01');
  assert.equal(await errorCode(client, 'COPY people (nope) FROM STDIN'), '42703');
  // The extended protocol (a named statement) has no COPY sub-protocol here.
  await assert.rejects(client.query({ name: 'copy_ext', text: 'COPY people TO STDOUT' }), (e: { code?: string }) => e.code === '0A000');
  assert.deepEqual(await arrayRows(client, 'SELECT 1'), [[1]]);
});

/** A raw protocol client: sends COPY data in arbitrary pieces, and CopyFail. */
async function rawSession(): Promise<{ send: (type: string, body: Buffer) => void; messages: { type: string; body: Buffer }[]; socket: net.Socket }> {
  const socket = net.connect(server.pgPort, '127.0.0.1');
  const messages: { type: string; body: Buffer }[] = [];
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5 && buf.length >= buf.readInt32BE(1) + 1) {
      const len = buf.readInt32BE(1);
      messages.push({ type: String.fromCharCode(buf[0]), body: buf.subarray(5, len + 1) });
      buf = buf.subarray(len + 1);
    }
  });
  const params = Buffer.from('user\0eddy\0database\0eddy\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([head, params]));
  await waitFor('ReadyForQuery', () => messages.some((m) => m.type === 'Z'));
  const send = (type: string, body: Buffer): void => {
    const h = Buffer.alloc(5);
    h.write(type, 0);
    h.writeInt32BE(4 + body.length, 1);
    socket.write(Buffer.concat([h, body]));
  };
  return { send, messages, socket };
}

function fieldsOf(body: Buffer): Record<string, string> {
  const f: Record<string, string> = {};
  for (const part of body.toString('utf8').split('\0')) if (part.length > 0) f[part[0]] = part.slice(1);
  return f;
}

test('rows split anywhere across CopyData messages (even inside a UTF-8 character) are reassembled', async () => {
  const r = await rawSession();
  r.send('Q', Buffer.from('COPY people (id, name, note) FROM STDIN WITH CSV\0'));
  await waitFor('CopyInResponse', () => r.messages.some((m) => m.type === 'G'));
  const g = r.messages.find((m) => m.type === 'G')!.body;
  assert.deepEqual([g[0], g.readInt16BE(1)], [0, 3]);
  const data = Buffer.from('20,Zoë,"multi\nline"\n21,"€uro",\n');
  for (let i = 0; i < data.length; i += 3) r.send('d', data.subarray(i, i + 3));
  r.send('c', Buffer.alloc(0));
  await waitFor('CommandComplete', () => r.messages.some((m) => m.type === 'C'));
  assert.equal(r.messages.find((m) => m.type === 'C')!.body.toString('utf8'), 'COPY 2\0');
  assert.deepEqual(await arrayRows(client, 'SELECT id, name, note FROM people WHERE id >= 20 ORDER BY id'), [[20, 'Zoë', 'multi\nline'], [21, '€uro', null]]);
  r.socket.destroy();
});

test('CopyFail aborts with 57014 and writes nothing; after an error the rest of the COPY is ignored and the session goes on', async () => {
  const r = await rawSession();
  r.messages.length = 0;
  r.send('Q', Buffer.from('COPY people (id, name) FROM STDIN\0'));
  await waitFor('CopyInResponse', () => r.messages.some((m) => m.type === 'G'));
  r.send('d', Buffer.from('30\tthirty\n'));
  r.send('f', Buffer.from('client gave up\0'));
  await waitFor('ReadyForQuery', () => r.messages.some((m) => m.type === 'Z'));
  const e = fieldsOf(r.messages.find((m) => m.type === 'E')!.body);
  assert.deepEqual([e['C'], e['M']], ['57014', 'COPY from stdin failed: client gave up']);
  // A bad row fails at once; the client's remaining CopyData and CopyDone are ignored.
  r.messages.length = 0;
  r.send('Q', Buffer.from('COPY people (id, name) FROM STDIN\0'));
  await waitFor('CopyInResponse', () => r.messages.some((m) => m.type === 'G'));
  r.send('d', Buffer.from('x\ty\n'));
  await waitFor('the error', () => r.messages.some((m) => m.type === 'Z'));
  assert.equal(fieldsOf(r.messages.find((m) => m.type === 'E')!.body)['C'], '22P02');
  r.send('d', Buffer.from('31\tmore\n'));
  r.send('c', Buffer.alloc(0));
  r.messages.length = 0;
  r.send('Q', Buffer.from('SELECT count(*) FROM people WHERE id >= 30\0'));
  await waitFor('the next query', () => r.messages.some((m) => m.type === 'Z'));
  assert.deepEqual(r.messages.map((m) => m.type), ['T', 'D', 'C', 'Z']);
  assert.equal(r.messages[1].body.subarray(6).toString('utf8'), '0');
  r.socket.destroy();
});

test('50k rows in one COPY land in one epoch (and the rate is compared with multi-row INSERT)', { skip: noPsql }, async () => {
  await client.query('CREATE STREAM bulk (id BIGINT, name TEXT, v DOUBLE PRECISION)');
  const n = Number(process.env['EDDY_COPY_BENCH_ROWS'] ?? 50_000);
  let csv = '';
  for (let i = 0; i < n; i++) csv += `${i},name-${i},${i / 7}\n`;
  const file = path.join(tmp, 'bulk.csv');
  fs.writeFileSync(file, csv);
  const t0 = performance.now();
  const out = execFileSync('psql', ['-X', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy', '-c', `\\copy bulk from '${file}' csv`], { encoding: 'utf8' });
  const copyMs = performance.now() - t0;
  assert.equal(out.trim(), `COPY ${n}`);
  assert.deepEqual(await arrayRows(client, 'SELECT count(*), sum(id) FROM bulk'), [[String(n), String((n * (n - 1)) / 2)]]);
  // The same rows through INSERT ... VALUES in batches of 1000.
  await client.query('CREATE STREAM bulk2 (id BIGINT, name TEXT, v DOUBLE PRECISION)');
  const t1 = performance.now();
  for (let start = 0; start < n; start += 1000) {
    const values: string[] = [];
    for (let i = start; i < start + 1000; i++) values.push(`(${i}, 'name-${i}', ${i / 7})`);
    await client.query(`INSERT INTO bulk2 VALUES ${values.join(',')}`);
  }
  const insertMs = performance.now() - t1;
  const ratio = insertMs / copyMs;
  console.log(`COPY ${Math.round(n / (copyMs / 1000))} rows/s, INSERT ${Math.round(n / (insertMs / 1000))} rows/s, ratio ${ratio.toFixed(2)}`);
  assert.deepEqual(await arrayRows(client, 'SELECT count(*) FROM bulk2'), [[String(n)]]);
});
