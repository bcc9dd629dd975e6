/** Malformed protocol bytes and abrupt disconnects never bring the server down. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { EddyProcess } from '../support/server-process.js';

let server: EddyProcess;

before(async () => {
  server = await EddyProcess.start();
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
