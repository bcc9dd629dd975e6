/** Malformed protocol bytes and abrupt disconnects never bring the server down. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EddyProcess } from '../support/server-process.js';

let server: EddyProcess;

before(async () => {
  server = await EddyProcess.start({ args: ['--max-connections', '400'] });
});

after(async () => {
  await server?.cleanup();
});

function send(bytes: Buffer, closeAfter = 200): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = net.connect(server.pgPort, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => resolve(Buffer.concat(chunks)));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('connect', () => {
      s.write(bytes);
      setTimeout(() => s.destroy(), closeAfter);
    });
  });
}

function startup(): Buffer {
  const params = Buffer.from('user\0eddy\0database\0eddy\0\0');
  const b = Buffer.alloc(8 + params.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(196608, 4);
  params.copy(b, 8);
  return b;
}

test('garbage, truncated and oversized messages only affect their own connection', async () => {
  const c = await server.client();
  await c.query('CREATE TABLE alive (x INT)');
  const garbage = [
    Buffer.from('GET / HTTP/1.1\r\n\r\n'),
    Buffer.from([0, 0, 0, 3]),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]),
    Buffer.concat([startup(), Buffer.from([0x51, 0, 0, 0, 2])]),
    Buffer.concat([startup(), Buffer.from([0x7a, 0, 0, 0, 8, 1, 2, 3, 4])]),
    Buffer.concat([startup(), Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff])]),
    Buffer.concat([startup(), Buffer.from('Q\0\0\0\x0dSELECT 1')]),
    Buffer.concat([startup(), Buffer.from([0x50, 0, 0, 0, 6, 0, 0])]),
  ];
  for (const g of garbage) await send(g);
  // abrupt disconnect in the middle of a running statement
  for (let i = 0; i < 5; i++) {
    const body = Buffer.from('INSERT INTO alive VALUES (1)\0');
    const q = Buffer.alloc(5 + body.length);
    q.write('Q', 0);
    q.writeInt32BE(4 + body.length, 1);
    body.copy(q, 5);
    await send(Buffer.concat([startup(), q]), 1);
  }
  const r = await c.query('SELECT 1 AS ok');
  assert.deepEqual(r.rows, [{ ok: 1 }]);
  const c2 = await server.client();
  assert.deepEqual((await c2.query('SELECT 2 AS ok')).rows, [{ ok: 2 }]);
  await c2.end();
  await c.end();
  assert.ok(server.running);
});

test('hundreds of concurrent connections', async () => {
  const clients = await Promise.all(Array.from({ length: 200 }, () => server.client()));
  const results = await Promise.all(clients.map((c, i) => c.query('SELECT $1::int + 1 AS v', [i])));
  results.forEach((r, i) => assert.equal(r.rows[0].v, i + 1));
  await Promise.all(clients.map((c) => c.end()));
});

function msg(type: string, body: Buffer): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b.write(type, 0);
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

test('binary result format over the extended protocol', async () => {
  const c = await server.client();
  await c.query('CREATE TABLE bin_t (i INT, b BIGINT, ok BOOLEAN, f FLOAT8)');
  await c.query('INSERT INTO bin_t VALUES (7, -2, true, 1.5)');
  await c.end();
  const sql = Buffer.from('SELECT i, b, ok, f FROM bin_t\0');
  const parse = msg('P', Buffer.concat([Buffer.from('\0'), sql, Buffer.from([0, 0])]));
  // Bind: portal '', statement '', 0 param formats, 0 params, 1 result format code = 1 (binary)
  const bind = msg('B', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0, 1]));
  const exec = msg('E', Buffer.from([0, 0, 0, 0, 0]));
  const sync = msg('S', Buffer.alloc(0));
  const reply = await send(Buffer.concat([startup(), parse, bind, exec, sync]), 500);
  // find the DataRow ('D') message
  let off = 0;
  let row: Buffer | undefined;
  while (off < reply.length) {
    if (reply[off] === 0x4e || (off === 0 && reply[0] !== 0x52)) { off += 1; continue; }
    const type = String.fromCharCode(reply[off]);
    const len = reply.readInt32BE(off + 1);
    if (type === 'D') row = reply.subarray(off + 5, off + 1 + len);
    off += 1 + len;
  }
  assert.ok(row, 'a DataRow arrived');
  const fields: Buffer[] = [];
  let p = 2;
  for (let i = 0; i < row!.readInt16BE(0); i++) {
    const n = row!.readInt32BE(p);
    fields.push(row!.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  assert.equal(fields[0].readInt32BE(0), 7);
  assert.equal(fields[1].readBigInt64BE(0), -2n);
  assert.equal(fields[2][0], 1);
  assert.equal(fields[3].readDoubleBE(0), 1.5);
});
