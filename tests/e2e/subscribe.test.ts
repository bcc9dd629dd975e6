/**
 * SUBSCRIBE over a real server: rows (eddy_epoch, eddy_diff, ...) arrive per committed epoch over
 * the simple protocol (node-postgres 'row' events and a raw socket), the extended protocol
 * (pg-cursor reads with a row limit), COPY (SUBSCRIBE ...) TO STDOUT and Server-Sent Events;
 * CancelRequest ends it with 57014 and the session goes on; a subscriber that stops reading is
 * dropped with 53400 while the engine keeps committing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, errorCode } from '../support/sql.js';
import { waitFor } from '../support/wait.js';

let server: EddyProcess;
let client: pg.Client;

before(async () => {
  server = await EddyProcess.start({ env: { EDDY_SUBSCRIBE_BUFFER_ROWS: '50', EDDY_HTTP_TOKEN: 'sesame', EDDY_SSE_KEEPALIVE_MS: '200' } });
  client = await server.client();
  await client.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, balance NUMERIC)');
  await client.query('CREATE STREAM clicks (url TEXT, n INT)');
  await client.query('CREATE MATERIALIZED VIEW per_url AS SELECT url, count(*) AS c FROM clicks GROUP BY url');
  await client.query("INSERT INTO accounts VALUES (1, 'ann', 10.5), (2, 'bob', 20)");
  await client.query("INSERT INTO clicks VALUES ('/a', 1), ('/b', 2), ('/a', 3)");
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
});

/** Sends CancelRequest for `c`'s running statement, as psql does on Ctrl-C. */
async function cancel(c: pg.Client): Promise<void> {
  const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
  const b = Buffer.alloc(16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(80877102, 4);
  b.writeInt32BE(processID, 8);
  b.writeInt32BE(secretKey, 12);
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(server.pgPort, '127.0.0.1', () => s.end(b));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

/** Starts a simple-protocol SUBSCRIBE on a fresh client; rows are collected as they arrive. */
async function follow(sql: string): Promise<{ c: pg.Client; rows: unknown[][]; done: Promise<unknown> }> {
  const c = await server.client();
  c.on('error', () => undefined);
  const rows: unknown[][] = [];
  const config = { text: sql, rowMode: 'array' } as pg.QueryConfig;
  const q = c.query(new pg.Query(config) as never) as unknown as pg.Query;
  q.on('row', (r: unknown[]) => rows.push(r));
  const done = new Promise((resolve) => {
    q.on('error', resolve);
    q.on('end', () => resolve(new Error('subscription ended')));
  });
  return { c, rows, done };
}

test('SUBSCRIBE TO a table: snapshot first, then every change per epoch; cancel gives 57014 and the session goes on', async () => {
  const { c, rows, done } = await follow('SUBSCRIBE TO accounts WITH (snapshot = true)');
  await waitFor('the snapshot', () => rows.length >= 2);
  const snapEpoch = rows[0][0];
  assert.deepEqual(rows.map((r) => r.slice(1)).sort(), [[1, 1, 'ann', '10.5'], [1, 2, 'bob', '20']]);
  assert.ok(rows.every((r) => r[0] === snapEpoch), 'the snapshot rows share one epoch');
  await client.query("INSERT INTO accounts VALUES (3, 'cy', 1)");
  await client.query("UPDATE accounts SET balance = 11 WHERE id = 1");
  await client.query('DELETE FROM accounts WHERE id = 2');
  await waitFor('three epochs of changes', () => rows.length >= 6);
  const changes = rows.slice(2);
  assert.deepEqual(changes.map((r) => r.slice(1)), [
    [1, 3, 'cy', '1'],
    [-1, 1, 'ann', '10.5'],
    [1, 1, 'ann', '11'],
    [-1, 2, 'bob', '20'],
  ]);
  const epochs = changes.map((r) => BigInt(r[0] as string));
  assert.ok(epochs[0] > BigInt(snapEpoch as string) && epochs[1] > epochs[0] && epochs[1] === epochs[2] && epochs[3] > epochs[2], `epochs ${epochs.join(',')}`);
  await cancel(c);
  const err = (await done) as { code?: string; message: string };
  assert.equal(err.code, '57014');
  assert.equal(err.message, 'canceling statement due to user request');
  assert.deepEqual(await arrayRows(c, 'SELECT 1'), [[1]]);
  await c.end();
});

test('without a snapshot only later changes arrive; a stream gives +1 rows and an MV its updates', async () => {
  const s = await follow('SUBSCRIBE clicks');
  const m = await follow('SUBSCRIBE per_url');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(s.rows.length + m.rows.length, 0, 'nothing before the first change');
  await client.query("INSERT INTO clicks VALUES ('/a', 9), ('/c', 1)");
  await waitFor('stream rows', () => s.rows.length >= 2);
  assert.deepEqual(s.rows.map((r) => r.slice(1)), [[1, '/a', 9], [1, '/c', 1]]);
  await waitFor('view changes', () => m.rows.length >= 3);
  assert.deepEqual(m.rows.map((r) => r.slice(1)).sort(), [[-1, '/a', '2'], [1, '/a', '3'], [1, '/c', '1']]);
  assert.deepEqual(m.rows.map((r) => r[1]), [-1, 1, 1], 'retractions come first within an epoch');
  for (const x of [s, m]) {
    await cancel(x.c);
    assert.equal(((await x.done) as { code?: string }).code, '57014');
    await x.c.end();
  }
});

test('SUBSCRIBE (SELECT ...) runs an ephemeral incremental query', async () => {
  const f = await follow("SUBSCRIBE (SELECT url, sum(n) AS total FROM clicks WHERE url <> '/b' GROUP BY url) WITH (snapshot = true)");
  await waitFor('the snapshot', () => f.rows.length >= 2);
  assert.deepEqual(f.rows.map((r) => r.slice(1)).sort(), [[1, '/a', '13'], [1, '/c', '1']]);
  await client.query("INSERT INTO clicks VALUES ('/c', 5), ('/b', 100)");
  await waitFor('the update', () => f.rows.length >= 4);
  assert.deepEqual(f.rows.slice(2).map((r) => r.slice(1)), [[-1, '/c', '1'], [1, '/c', '6']]);
  // A client that disconnects without cancelling tears its query down; the server carries on.
  f.c.end().catch(() => undefined);
  await client.query("INSERT INTO clicks VALUES ('/c', 1)");
  assert.deepEqual(await arrayRows(client, "SELECT c FROM per_url WHERE url = '/c'"), [['3']]);
  assert.deepEqual(await arrayRows(client, 'SELECT count(*) FROM clicks'), [['8']]);
});

test('errors: unknown object 42P01, bad or unknown option 22023, unknown column 42703, non-incremental queries as for an MV', async () => {
  assert.equal(await errorCode(client, 'SUBSCRIBE nothing_here'), '42P01');
  assert.equal(await errorCode(client, 'SUBSCRIBE accounts WITH (snapshot = maybe)'), '22023');
  assert.equal(await errorCode(client, 'SUBSCRIBE accounts WITH (speed = 1)'), '22023');
  assert.equal(await errorCode(client, 'SUBSCRIBE (SELECT nope FROM accounts)'), '42703');
  const mvCode = await errorCode(client, 'CREATE MATERIALIZED VIEW bad AS SELECT url, now() FROM clicks').catch(() => 'none');
  if (mvCode !== 'none') assert.equal(await errorCode(client, 'SUBSCRIBE (SELECT url, now() FROM clicks)'), mvCode);
  assert.deepEqual(await arrayRows(client, 'SELECT 1'), [[1]]);
});

test('dropping what a subscription reads ends it with 42P01', async () => {
  await client.query('CREATE TABLE short_lived (a INT)');
  const f = await follow('SUBSCRIBE short_lived');
  const q = await follow('SUBSCRIBE (SELECT count(*) FROM short_lived)');
  await client.query('INSERT INTO short_lived VALUES (1)');
  await waitFor('the first change', () => f.rows.length === 1 && q.rows.length === 2);
  assert.deepEqual(q.rows.map((r) => r.slice(1)), [[-1, '0'], [1, '1']]);
  await client.query('DROP TABLE short_lived');
  for (const x of [f, q]) {
    const err = (await x.done) as { code?: string; message: string };
    assert.equal(err.code, '42P01');
    assert.match(err.message, /relation "short_lived" was dropped while subscribed to/);
    assert.deepEqual(await arrayRows(x.c, 'SELECT 2'), [[2]]);
    await x.c.end();
  }
});

test('extended protocol: pg-cursor reads with a row limit, waiting for new changes', async () => {
  const c = await server.client();
  const cur = c.query(new Cursor('SUBSCRIBE accounts WITH (snapshot = true)', [], { rowMode: 'array' }));
  const read = (n: number) => new Promise<unknown[][]>((resolve, reject) => cur.read(n, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][]))));
  const first = await read(2);
  assert.equal(first.length, 2);
  assert.deepEqual(first.map((r) => r[2]).sort(), [1, 3]);
  const pending = read(2);
  await new Promise((r) => setTimeout(r, 100));
  await client.query("INSERT INTO accounts VALUES (4, 'di', 4), (5, 'ed', 5)");
  const next = await pending;
  assert.deepEqual(next.map((r) => [r[1], r[2]]).sort(), [[1, 4], [1, 5]]);
  // A limit larger than what has arrived does not wait for more: the client gets what is there
  // (PortalSuspended) instead of a low-traffic subscription looking dead.
  const big = read(100);
  await new Promise((r) => setTimeout(r, 100));
  await client.query("INSERT INTO accounts VALUES (60, 'fy', 6)");
  const one = await big;
  assert.deepEqual(one.map((r) => [r[1], r[2]]), [[1, 60]]);
  await new Promise<void>((resolve) => cur.close(() => resolve()));
  await client.query('DELETE FROM accounts WHERE id = 60');
  assert.deepEqual(await arrayRows(c, 'SELECT count(*) FROM accounts'), [['4']]);
  await c.end();
});

/** A minimal protocol client that can stop reading (node-postgres always reads). */
class RawClient {
  readonly socket: net.Socket;
  /** Received bytes not yet cut into messages (concatenated only once a whole message is in). */
  private chunks: Buffer[] = [];
  private have = 0;
  readonly messages: { type: string; body: Buffer }[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.have += d.length;
      this.cut();
    });
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
  }

  private cut(): void {
    while (this.have >= 5) {
      if (this.chunks[0].length < 5) this.chunks = [Buffer.concat(this.chunks)];
      const total = this.chunks[0].readInt32BE(1) + 1;
      if (this.have < total) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const type = String.fromCharCode(all[0]);
      // Big DataRows are counted, not kept.
      this.messages.push({ type, body: type === 'D' && total > 4096 ? Buffer.alloc(0) : Buffer.from(all.subarray(5, total)) });
      const rest = all.subarray(total);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.have = rest.length;
    }
  }

  async start(): Promise<void> {
    const params = Buffer.from('user\0eddy\0database\0eddy\0\0');
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    this.socket.write(Buffer.concat([head, params]));
    await waitFor('ReadyForQuery', () => this.messages.some((m) => m.type === 'Z'));
  }

  query(sql: string): void {
    const body = Buffer.from(sql + '\0');
    const head = Buffer.alloc(5);
    head.write('Q', 0);
    head.writeInt32BE(4 + body.length, 1);
    this.socket.write(Buffer.concat([head, body]));
  }

  /** The SQLSTATE and severity of the first ErrorResponse. */
  error(): { code: string; severity: string } | undefined {
    const e = this.messages.find((m) => m.type === 'E');
    if (e === undefined) return undefined;
    const fields: Record<string, string> = {};
    for (const part of e.body.toString('utf8').split('\0')) if (part.length > 0) fields[part[0]] = part.slice(1);
    return { code: fields['C'], severity: fields['S'] };
  }
}

test('simple protocol rows are flushed per epoch, and a subscriber that stops reading is dropped with 53400', async () => {
  await client.query('CREATE TABLE blobs (id INT PRIMARY KEY, b TEXT)');
  const raw = new RawClient(server.pgPort);
  await raw.start();
  raw.query('SUBSCRIBE blobs');
  await waitFor('RowDescription before any change', () => raw.messages.some((m) => m.type === 'T'));
  await client.query("INSERT INTO blobs VALUES (0, 'small')");
  await waitFor('the first DataRow without any buffering', () => raw.messages.some((m) => m.type === 'D'));
  raw.socket.pause();
  // 20 MB per epoch (20 updates of 500 kB rows): the socket and the kernel's buffers fill up,
  // then the unread backlog passes 50 changes.
  const values = Array.from({ length: 20 }, (_, i) => `(${i + 1}, repeat('x', 500000))`).join(', ');
  await client.query(`INSERT INTO blobs VALUES ${values}`);
  for (let i = 0; i < 6; i++) await client.query("UPDATE blobs SET b = b || 'y' WHERE id > 0");
  raw.socket.resume();
  await waitFor('the subscriber to be dropped', () => raw.closed, 20_000);
  assert.deepEqual(raw.error(), { code: '53400', severity: 'FATAL' });
  // The engine never waited for it.
  assert.deepEqual(await arrayRows(client, "SELECT count(*) FROM blobs WHERE b LIKE '%yyyyyy'"), [['20']]);
  await client.query('DROP TABLE blobs');
});

test('COPY (SUBSCRIBE ...) TO STDOUT streams CopyData rows per epoch until cancelled with 57014', async () => {
  const raw = new RawClient(server.pgPort);
  await raw.start();
  raw.query('COPY (SUBSCRIBE accounts WITH (snapshot = true)) TO STDOUT WITH (FORMAT csv)');
  await waitFor('CopyOutResponse and the snapshot', () => raw.messages.filter((m) => m.type === 'd').length >= 4);
  assert.equal(raw.messages.filter((m) => m.type === 'H').length, 1);
  await client.query("UPDATE accounts SET owner = 'a\tb,c' WHERE id = 1");
  await waitFor('the update', () => raw.messages.filter((m) => m.type === 'd').length >= 6);
  const lines = raw.messages.filter((m) => m.type === 'd').map((m) => m.body.toString('utf8'));
  assert.match(lines[4], /^\d+,-1,1,ann,11\n$/);
  assert.match(lines[5], /^\d+,1,1,"a\tb,c",11\n$/);
  // Ctrl-C in psql: CancelRequest with the BackendKeyData ends the COPY with 57014.
  const key = raw.messages.find((m) => m.type === 'K')!.body;
  await cancel({ processID: key.readInt32BE(0), secretKey: key.readInt32BE(4) } as unknown as pg.Client);
  await waitFor('the error and ReadyForQuery', () => raw.messages.some((m) => m.type === 'Z' && raw.messages.some((e) => e.type === 'E')));
  assert.deepEqual(raw.error(), { code: '57014', severity: 'ERROR' });
  raw.messages.length = 0;
  raw.query('SELECT 1');
  await waitFor('the next query', () => raw.messages.some((m) => m.type === 'Z'));
  assert.deepEqual(raw.messages.map((m) => m.type), ['T', 'D', 'C', 'Z']);
  raw.socket.destroy();
});

test('HTTP: GET /v1/subscribe/:name streams Server-Sent Events with keepalives; 401 and 404', async () => {
  const base = `http://127.0.0.1:${server.httpPort}/v1/subscribe`;
  assert.equal((await fetch(`${base}/accounts`)).status, 401);
  assert.equal((await fetch(`${base}/nothing`, { headers: { authorization: 'Bearer sesame' } })).status, 404);
  const ac = new AbortController();
  const res = await fetch(`${base}/accounts?snapshot=true`, { headers: { authorization: 'Bearer sesame' }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const readUntil = async (pred: () => boolean): Promise<void> => {
    while (!pred()) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended: ${text}`);
      text += Buffer.from(value).toString('utf8');
    }
  };
  await readUntil(() => (text.match(/^data: /gm) ?? []).length >= 4);
  await client.query("INSERT INTO accounts VALUES (6, 'fay', 6.25)");
  await readUntil(() => text.includes('"id":6'));
  await readUntil(() => text.includes(': keepalive'));
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { epoch: number; diff: number; row: Record<string, unknown> });
  const six = events.find((e) => e.row['id'] === 6)!;
  assert.deepEqual(six.row, { id: 6, owner: 'fay', balance: 6.25 });
  assert.equal(six.diff, 1);
  assert.ok(six.epoch > events[0].epoch);
  ac.abort();
  await reader.cancel().catch(() => undefined);
});
