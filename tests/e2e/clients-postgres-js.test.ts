/** postgres.js (the `postgres` package) against a live server. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { EddyProcess } from '../support/server-process.js';
import { createNumbers, run } from '../clients/tools.js';

let server: EddyProcess;
let sql: postgres.Sql;

function connect(options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  return postgres({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'eddy', max: 2, onnotice: () => {}, ...options });
}

before(async () => {
  server = await EddyProcess.start();
  // postgres.js reads pg_catalog.pg_type at connect unless fetch_types is off; that is tested
  // separately below, so everything else works whatever the catalog emulation can do.
  sql = connect({ fetch_types: false });
  const c = await server.client();
  await createNumbers(c, 'numbers', 1000);
  await c.end();
});

after(async () => {
  await sql?.end();
  await server?.cleanup();
});

test('tagged-template queries with parameters', async () => {
  await sql`CREATE TABLE events (id BIGINT PRIMARY KEY, amount NUMERIC, at TIMESTAMPTZ, ok BOOLEAN, doc JSONB, note TEXT)`;
  const at = new Date('2024-06-01T12:00:00.250Z');
  await sql`INSERT INTO events VALUES (${'9007199254740993'}, ${'10.25'}, ${at}, ${true}, ${sql.json({ tags: ['a', 'b'] })}, ${'naïve ☕'})`;
  await sql`INSERT INTO events VALUES (${2}, ${null}, ${null}, ${null}, ${null}, ${null})`;
  const rows = await sql`SELECT * FROM events WHERE id = ${'9007199254740993'}`;
  assert.deepEqual([...rows], [{ id: '9007199254740993', amount: '10.25', at, ok: true, doc: { tags: ['a', 'b'] }, note: 'naïve ☕' }]);
  assert.deepEqual([...(await sql`SELECT amount, note FROM events WHERE id = ${2}`)], [{ amount: null, note: null }]);
  // Helpers that expand into parameter lists.
  const some = await sql`SELECT id FROM numbers WHERE id IN ${sql([3, 1, 2])} ORDER BY id`;
  assert.deepEqual(some.map((r) => r.id), [1, 2, 3]);
  const inserted = await sql`INSERT INTO events ${sql([{ id: 10, note: 'x' }, { id: 11, note: 'y' }], 'id', 'note')}`;
  assert.equal(inserted.count, 2);
  assert.deepEqual([...(await sql`SELECT count(*)::int AS n FROM events`)], [{ n: 4 }]);
  // Errors carry the SQLSTATE and leave the connection usable.
  await assert.rejects(sql`SELECT 1 / ${0}::int`, (e: { code?: string }) => e.code === '22012');
  assert.deepEqual([...(await sql`SELECT ${41}::int + 1 AS v`)], [{ v: 42 }]);
});

test('sql.unsafe runs raw text, with and without parameters', async () => {
  const multi = await sql.unsafe('SELECT 1 AS a; SELECT 2 AS b');
  assert.deepEqual(multi.map((r) => [...r]), [[{ a: 1 }], [{ b: 2 }]]);
  const withParams = await sql.unsafe('SELECT label FROM numbers WHERE id = $1', [7]);
  assert.deepEqual([...withParams], [{ label: 'row 7' }]);
});

test('sql.begin runs its statements; Eddy commits each statement on its own', async () => {
  await sql`CREATE TABLE ledger (id INT PRIMARY KEY, what TEXT)`;
  const inTx = await sql.begin(async (tx) => {
    await tx`INSERT INTO ledger VALUES (1, 'first')`;
    return tx`SELECT count(*)::int AS n FROM ledger`;
  });
  assert.deepEqual([...inTx], [{ n: 1 }]);
  // postgres.js sends ROLLBACK when the callback throws. Eddy accepts it, but (as documented)
  // statements are not grouped atomically: the insert before the failure stays.
  await assert.rejects(
    sql.begin(async (tx) => {
      await tx`INSERT INTO ledger VALUES (2, 'second')`;
      throw new Error('application failure');
    }),
    /application failure/,
  );
  assert.deepEqual([...(await sql`SELECT id FROM ledger ORDER BY id`)].map((r) => r.id), [1, 2]);
  // A failing statement inside the block rejects the block; the connection stays usable.
  await assert.rejects(sql.begin((tx) => tx`SELECT 1 / 0`), (e: { code?: string }) => e.code === '22012');
  assert.deepEqual([...(await sql`SELECT 'ok' AS s`)], [{ s: 'ok' }]);
});

test('a cursor reads 100 rows at a time', async () => {
  let expected = 1;
  let batches = 0;
  for await (const rows of sql`SELECT id, label FROM numbers WHERE id > ${0} ORDER BY id`.cursor(100)) {
    assert.ok(rows.length <= 100 && rows.length > 0);
    for (const row of rows) {
      assert.deepEqual({ ...row }, { id: expected, label: `row ${expected}` });
      expected++;
    }
    batches++;
  }
  assert.equal(expected - 1, 1000);
  assert.equal(batches, 10);
  // Breaking out of a cursor early closes it.
  for await (const rows of sql`SELECT id FROM numbers ORDER BY id`.cursor(10)) {
    assert.equal(rows[0].id, 1);
    break;
  }
  assert.deepEqual([...(await sql`SELECT count(*)::int AS n FROM numbers`)], [{ n: 1000 }]);
});

test('default options: postgres.js reads pg_catalog.pg_type at connect', async () => {
  // In a child process: on failure postgres.js also leaves an unhandled rejection behind.
  const script = `
    import postgres from 'postgres';
    process.on('unhandledRejection', () => {});
    const sql = postgres({ host: '127.0.0.1', port: ${server.pgPort}, user: 'eddy', database: 'eddy', onnotice: () => {} });
    try {
      const rows = await sql\`SELECT \${1}::int AS v\`;
      console.log(JSON.stringify({ rows: [...rows] }));
    } catch (e) {
      console.log(JSON.stringify({ error: e.message, code: e.code, query: e.query }));
    }
    await sql.end({ timeout: 1 });`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 20_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { rows?: unknown[]; error?: string; query?: string };
  assert.deepEqual(out, { rows: [{ v: 1 }] }, `postgres.js with default options failed; it sent: ${out.query ?? r.stderr}`);
});
