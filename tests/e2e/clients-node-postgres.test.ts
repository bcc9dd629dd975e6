/** node-postgres (pg), pg-cursor and pg-query-stream against a live server: what an application does every day. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import QueryStream from 'pg-query-stream';
import { EddyProcess } from '../support/server-process.js';
import { createNumbers } from '../clients/tools.js';

let server: EddyProcess;
let c: pg.Client;

before(async () => {
  server = await EddyProcess.start();
  c = await server.client();
  await createNumbers(c, 'numbers', 10_000);
});

after(async () => {
  await c?.end();
  await server?.cleanup();
});

test('parameters of many types round-trip', async () => {
  await c.query('CREATE TABLE typed (id BIGINT PRIMARY KEY, i INT, n NUMERIC, ts TIMESTAMPTZ, b BOOLEAN, j JSONB, s TEXT)');
  const ts = new Date('2024-02-29T23:59:58.123Z');
  const ins = await c.query('INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    '9007199254740993', // past 2^53: a bigint travels as a string
    -42,
    '12345678901234567890.0123456789',
    ts,
    true,
    { a: [1, 'x', null], b: { c: true } },
    'héllo wörld ✓ 🌍',
  ]);
  assert.equal(ins.rowCount, 1);
  await c.query('INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7)', ['2', null, null, null, null, null, null]);

  const r = await c.query('SELECT * FROM typed WHERE id = $1', ['9007199254740993']);
  assert.deepEqual(r.rows, [
    {
      id: '9007199254740993',
      i: -42,
      n: '12345678901234567890.0123456789',
      ts,
      b: true,
      j: { a: [1, 'x', null], b: { c: true } },
      s: 'héllo wörld ✓ 🌍',
    },
  ]);
  assert.deepEqual(r.fields.map((f) => f.dataTypeID), [20, 23, 1700, 1184, 16, 3802, 25]);

  const nulls = await c.query('SELECT i, n, ts, b, j, s FROM typed WHERE id = $1', [2]);
  assert.deepEqual(nulls.rows, [{ i: null, n: null, ts: null, b: null, j: null, s: null }]);

  // Parameters typed by the statement, not by the client.
  const expr = await c.query('SELECT $1::int + 1 AS i, $2::numeric * 2 AS n, $3::bool AS b, $4::text || $5 AS s, $6::jsonb -> \'k\' AS j', [
    41,
    '0.5',
    false,
    'a',
    'ß',
    JSON.stringify({ k: [1] }),
  ]);
  assert.deepEqual(expr.rows, [{ i: 42, n: '1.0', b: false, s: 'aß', j: [1] }]);
});

test('a named prepared statement is parsed once and reused', async () => {
  const seen: string[] = [];
  for (const id of [1, 17, 9999, 10_000, 5, 123_456]) {
    const r = await c.query({ name: 'label_by_id', text: 'SELECT label FROM numbers WHERE id = $1', values: [id] });
    seen.push(r.rows[0]?.label ?? '(none)');
  }
  assert.deepEqual(seen, ['row 1', 'row 17', 'row 9999', 'row 10000', 'row 5', '(none)']);
  // Two statements with different names coexist on one connection.
  const a = await c.query({ name: 'count_below', text: 'SELECT count(*)::int AS n FROM numbers WHERE id < $1', values: [101] });
  const b = await c.query({ name: 'label_by_id', text: 'SELECT label FROM numbers WHERE id = $1', values: [2] });
  assert.deepEqual([a.rows[0].n, b.rows[0].label], [100, 'row 2']);
  // An error inside a prepared statement leaves the connection usable.
  await assert.rejects(c.query({ name: 'div', text: 'SELECT 1 / $1::int AS q', values: [0] }), (e: { code?: string }) => e.code === '22012');
  assert.deepEqual((await c.query({ name: 'div', text: 'SELECT 1 / $1::int AS q', values: [1] })).rows, [{ q: 1 }]);
});

test('pg-cursor reads a 10k-row table 100 rows at a time', async () => {
  const cursor = c.query(new Cursor<{ id: number; label: string }>('SELECT id, label FROM numbers WHERE id > $1 ORDER BY id', [0]));
  let total = 0;
  let batches = 0;
  let expected = 1;
  for (;;) {
    const rows = await cursor.read(100);
    if (rows.length === 0) break;
    assert.ok(rows.length <= 100, `a read returns at most 100 rows (got ${rows.length})`);
    for (const row of rows) {
      assert.deepEqual(row, { id: expected, label: `row ${expected}` });
      expected++;
    }
    total += rows.length;
    batches++;
  }
  await cursor.close();
  assert.equal(total, 10_000);
  assert.equal(batches, 100);
  // The connection is usable after the cursor.
  assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM numbers')).rows, [{ n: 10_000 }]);
});

test('pg-cursor closed early leaves the connection usable', async () => {
  const cursor = c.query(new Cursor('SELECT id FROM numbers ORDER BY id'));
  const first = await cursor.read(10);
  assert.deepEqual(first.map((r: { id: number }) => r.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await cursor.close();
  assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
});

test('pg-query-stream streams a large result in order', async () => {
  const stream = c.query(new QueryStream('SELECT id, label FROM numbers ORDER BY id', [], { batchSize: 250 }));
  let n = 0;
  let sum = 0;
  for await (const row of stream as AsyncIterable<{ id: number; label: string }>) {
    n++;
    assert.equal(row.id, n);
    assert.equal(row.label, `row ${n}`);
    sum += row.id;
  }
  assert.equal(n, 10_000);
  assert.equal(sum, (10_000 * 10_001) / 2);
  assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
});
