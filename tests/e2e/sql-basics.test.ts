/** End to end over the wire: streams, tables, MVs, ad-hoc SELECT, SQLSTATEs, errors in MVs. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';

let server: EddyProcess;
let c: pg.Client;

before(async () => {
  server = await EddyProcess.start();
  c = await server.client();
});

after(async () => {
  await c?.end().catch(() => undefined);
  await server?.cleanup();
});

async function rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
  const r = await c.query({ text: sql, values: params, rowMode: 'array' });
  return r.rows as unknown[][];
}

async function sqlstate(sql: string, params: unknown[] = []): Promise<{ code: string; position?: string; message: string }> {
  try {
    await c.query(sql, params);
  } catch (e) {
    const err = e as { code: string; position?: string; message: string };
    return { code: err.code, position: err.position, message: err.message };
  }
  assert.fail(`expected an error from: ${sql}`);
}

test('SELECT without FROM', async () => {
  assert.deepEqual(await rows('SELECT 1 + 1 AS two, \'a\' || \'b\', NULL::int IS NULL'), [[2, 'ab', true]]);
  const r = await c.query('SELECT 1 + 1 AS two');
  assert.equal(r.fields[0].name, 'two');
  assert.equal(r.fields[0].dataTypeID, 23);
  assert.equal(r.command, 'SELECT');
});

test('stream, MV with GROUP BY/HAVING, FLUSH, MV equals its query', async () => {
  await c.query('CREATE STREAM pageviews (page TEXT, user_id BIGINT, ms INT)');
  await c.query(`CREATE MATERIALIZED VIEW page_counts AS
      SELECT page, count(*) AS visits, sum(ms) AS total_ms, count(DISTINCT user_id) AS users
      FROM pageviews GROUP BY page`);
  await c.query(`CREATE MATERIALIZED VIEW busy_pages AS
      SELECT page, count(*) AS visits FROM pageviews WHERE ms > 10 GROUP BY page HAVING count(*) >= 2`);
  const values: string[] = [];
  for (let i = 0; i < 2000; i++) values.push(`('p${i % 17}', ${i % 101}, ${i % 50})`);
  const ins = await c.query(`INSERT INTO pageviews VALUES ${values.join(',')}`);
  assert.equal(ins.command, 'INSERT');
  assert.equal(ins.rowCount, 2000);
  await c.query('FLUSH');
  const mv = await rows('SELECT page, visits, total_ms, users FROM page_counts ORDER BY page');
  const adhoc = await rows('SELECT page, count(*), sum(ms), count(DISTINCT user_id) FROM pageviews GROUP BY page ORDER BY page');
  assert.equal(mv.length, 17);
  assert.deepEqual(mv, adhoc);
  const busy = await rows('SELECT * FROM busy_pages ORDER BY page');
  const busyAdhoc = await rows('SELECT page, count(*) FROM pageviews WHERE ms > 10 GROUP BY page HAVING count(*) >= 2 ORDER BY page');
  assert.deepEqual(busy, busyAdhoc);
  assert.deepEqual(await rows('SELECT count(*) FROM pageviews'), [['2000']]);
  // point lookup by the MV key
  assert.deepEqual(await rows("SELECT visits FROM page_counts WHERE page = 'p3'"), [[adhoc.find((r) => r[0] === 'p3')![1]]]);
  const plan = await rows("EXPLAIN SELECT visits FROM page_counts WHERE page = 'p3'");
  assert.match(plan.map((r) => r[0]).join('\n'), /Index Lookup/);
});

test('table UPDATE/DELETE are retracted from MVs; joins between streams and tables', async () => {
  await c.query('CREATE TABLE users (id BIGINT PRIMARY KEY, country TEXT NOT NULL, vip BOOLEAN DEFAULT false)');
  await c.query('CREATE STREAM clicks (user_id BIGINT, url TEXT)');
  await c.query(`CREATE MATERIALIZED VIEW clicks_by_country AS
      SELECT u.country, count(*) AS n FROM clicks c JOIN users u ON c.user_id = u.id GROUP BY u.country`);
  await c.query(`CREATE MATERIALIZED VIEW users_per_country AS SELECT country, count(*) AS n FROM users GROUP BY country`);
  await c.query(`CREATE MATERIALIZED VIEW all_clicks AS
      SELECT c.url, u.country FROM clicks c LEFT JOIN users u ON c.user_id = u.id`);
  await c.query(`INSERT INTO users (id, country) VALUES (1, 'nl'), (2, 'de'), (3, 'nl')`);
  await c.query(`INSERT INTO clicks VALUES (1, '/a'), (2, '/b'), (3, '/c'), (4, '/d'), (1, '/e')`);
  assert.deepEqual(await rows('SELECT * FROM clicks_by_country ORDER BY country'), [['de', '1'], ['nl', '3']]);
  const upd = await c.query(`UPDATE users SET country = 'fr' WHERE id = 3`);
  assert.equal(upd.command, 'UPDATE');
  assert.equal(upd.rowCount, 1);
  assert.deepEqual(await rows('SELECT * FROM clicks_by_country ORDER BY country'), [['de', '1'], ['fr', '1'], ['nl', '2']]);
  const del = await c.query(`DELETE FROM users WHERE country = 'de'`);
  assert.equal(del.rowCount, 1);
  assert.deepEqual(await rows('SELECT * FROM clicks_by_country ORDER BY country'), [['fr', '1'], ['nl', '2']]);
  assert.deepEqual(await rows('SELECT * FROM users_per_country ORDER BY country'), [['fr', '1'], ['nl', '1']]);
  assert.deepEqual(
    await rows('SELECT url, country FROM all_clicks ORDER BY url'),
    [['/a', 'nl'], ['/b', null], ['/c', 'fr'], ['/d', null], ['/e', 'nl']],
  );
  assert.deepEqual(await rows('SELECT vip FROM users WHERE id = 1'), [[false]]);
  // ON CONFLICT
  await c.query(`INSERT INTO users VALUES (1, 'be', true) ON CONFLICT (id) DO UPDATE SET country = excluded.country`);
  await c.query(`INSERT INTO users VALUES (1, 'xx', true) ON CONFLICT (id) DO NOTHING`);
  assert.deepEqual(await rows('SELECT id, country, vip FROM users WHERE id = 1'), [['1', 'be', false]]);
  assert.deepEqual(await rows('SELECT * FROM clicks_by_country ORDER BY country'), [['be', '2'], ['fr', '1']]);
});

test('SQLSTATEs of PostgreSQL', async () => {
  await c.query('CREATE TABLE kv (k INT PRIMARY KEY, v TEXT NOT NULL)');
  await c.query("INSERT INTO kv VALUES (1, 'one')");
  const cases: [string, string][] = [
    ['SELEC 1', '42601'],
    ['SELECT * FROM nope', '42P01'],
    ['SELECT nope FROM kv', '42703'],
    ['SELECT k FROM kv a, kv b', '42702'],
    ['SELECT k, count(*) FROM kv', '42803'],
    ['SELECT * FROM kv WHERE k', '42804'],
    ['SELECT nosuchfn(1)', '42883'],
    ["INSERT INTO kv VALUES (1, 'dup')", '23505'],
    ['INSERT INTO kv VALUES (2, NULL)', '23502'],
    ['SELECT 2147483647::int + 1', '22003'],
    ["SELECT 'abc'::int", '22P02'],
    ["SELECT '2024-13-45'::date", '22008'],
    ["SELECT 'not a date'::date", '22007'],
    ['SELECT 1/0', '22012'],
  ];
  for (const [sql, code] of cases) {
    const e = await sqlstate(sql);
    assert.equal(e.code, code, `${sql} -> ${e.code} ${e.message}`);
  }
  const pos = await sqlstate('SELECT k, nope FROM kv');
  assert.equal(pos.position, '11');
  const t = await sqlstate('SELECT * FROM missing_table');
  assert.equal(t.position, '15');
  // the connection is still usable after errors
  assert.deepEqual(await rows('SELECT v FROM kv WHERE k = 1'), [['one']]);
});

test('DROP with dependents needs CASCADE', async () => {
  await c.query('CREATE STREAM s_drop (a INT)');
  await c.query('CREATE MATERIALIZED VIEW m_drop AS SELECT a, count(*) FROM s_drop GROUP BY a');
  await c.query('CREATE MATERIALIZED VIEW m_drop2 AS SELECT count(*) FROM m_drop');
  assert.equal((await sqlstate('DROP STREAM s_drop')).code, '2BP01');
  assert.equal((await sqlstate('DROP TABLE s_drop')).code, '42809');
  await c.query('DROP STREAM s_drop CASCADE');
  assert.equal((await sqlstate('SELECT * FROM m_drop2')).code, '42P01');
  await c.query('DROP STREAM IF EXISTS s_drop');
  assert.equal((await sqlstate('CREATE STREAM pageviews (a INT)')).code, '42P07');
  await c.query('CREATE STREAM IF NOT EXISTS pageviews (a INT)');
});

test('errors inside an MV skip the row and land in eddy_errors', async () => {
  await c.query('CREATE STREAM divs (a INT, b INT)');
  await c.query('CREATE MATERIALIZED VIEW ratios AS SELECT a / b AS r FROM divs');
  await c.query('INSERT INTO divs VALUES (10, 2), (1, 0), (9, 3)');
  assert.deepEqual(await rows('SELECT r FROM ratios ORDER BY r'), [[3], [5]]);
  const errs = await rows("SELECT object, sqlstate, message, row FROM eddy_errors WHERE object = 'ratios'");
  assert.deepEqual(errs, [['ratios', '22012', 'division by zero', '[1,0]']]);
  // the same expression ad hoc raises the error
  assert.equal((await sqlstate('SELECT a / b FROM divs')).code, '22012');
});

test('extended protocol: parameters, prepared statements, binary results', async () => {
  await c.query('CREATE TABLE typed (id INT PRIMARY KEY, big BIGINT, n NUMERIC(10,2), f DOUBLE PRECISION, t TEXT, d DATE, ts TIMESTAMP, tz TIMESTAMPTZ, b BOOLEAN)');
  await c.query({
    text: 'INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    values: [1, '9223372036854775807', '12.345', 1.5, 'héllo', '2024-02-29', '2024-01-02 03:04:05.5', '2024-01-02T03:04:05Z', true],
  });
  const r = await c.query({ name: 'get_typed', text: 'SELECT id, big, n, f, t, d::text, ts::text, tz::text, b FROM typed WHERE id = $1', values: [1], rowMode: 'array' });
  assert.deepEqual(r.rows[0], [1, '9223372036854775807', '12.35', 1.5, 'héllo', '2024-02-29', '2024-01-02 03:04:05.5', '2024-01-02 03:04:05+00', true]);
  for (let i = 0; i < 3; i++) {
    const again = await c.query({ name: 'get_typed', text: 'SELECT id, big, n, f, t, d::text, ts::text, tz::text, b FROM typed WHERE id = $1', values: [1], rowMode: 'array' });
    assert.equal(again.rows.length, 1);
  }
  // inferred parameter types: $1 compared with a bigint column is a bigint
  const inferred = await c.query({ text: 'SELECT count(*) FROM typed WHERE big = $1 AND t = $2', values: ['9223372036854775807', 'héllo'], rowMode: 'array' });
  assert.deepEqual(inferred.rows, [['1']]);
});

test('restart keeps catalog, table rows and MV rows', async () => {
  await c.query('CREATE STREAM rs (k TEXT, v INT)');
  await c.query('CREATE MATERIALIZED VIEW rs_sum AS SELECT k, sum(v) AS total FROM rs GROUP BY k');
  await c.query("INSERT INTO rs VALUES ('a', 1), ('b', 2), ('a', 3)");
  const before = await rows('SELECT * FROM rs_sum ORDER BY k');
  await c.end();
  assert.equal(await server.stop(), 0);
  server = await EddyProcess.start({ dataDir: server.dataDir });
  c = await server.client();
  assert.deepEqual(await rows('SELECT * FROM rs_sum ORDER BY k'), before);
  await c.query("INSERT INTO rs VALUES ('a', 10)");
  assert.deepEqual(await rows('SELECT * FROM rs_sum ORDER BY k'), [['a', '14'], ['b', '2']]);
  assert.deepEqual(await rows('SELECT count(*) FROM rs'), [['4']]);
});

test('SQL-equal values shown differently (1.5 / 1.50) appear the same in an MV and ad hoc', async () => {
  await c.query('CREATE STREAM reps (x NUMERIC, y INT)');
  await c.query('CREATE MATERIALIZED VIEW reps_g AS SELECT x, count(*) AS n FROM reps GROUP BY x');
  await c.query('CREATE MATERIALIZED VIEW reps_d AS SELECT DISTINCT x FROM reps');
  await c.query('INSERT INTO reps VALUES (1.50, 1), (1.5, 2), (2.0, 3), (2.00, 4)');
  assert.deepEqual(await rows('SELECT * FROM reps_g ORDER BY x'), await rows('SELECT x, count(*) FROM reps GROUP BY x ORDER BY x'));
  assert.deepEqual(await rows('SELECT * FROM reps_d ORDER BY x'), await rows('SELECT DISTINCT x FROM reps ORDER BY x'));
});

test('regressions from the acceptance run', async () => {
  // GROUP BY a stable function of a column (date_trunc on timestamptz) in an MV and ad hoc
  await c.query('CREATE STREAM visits (ts TIMESTAMPTZ, page TEXT)');
  await c.query("CREATE MATERIALIZED VIEW per_day AS SELECT date_trunc('day', ts) AS day, count(*) AS n FROM visits GROUP BY 1");
  await c.query("INSERT INTO visits VALUES ('2024-01-01 10:00+00', 'a'), ('2024-01-01 23:00+00', 'b'), ('2024-01-02 01:00+00', 'a')");
  assert.deepEqual(await rows('SELECT day::text, n FROM per_day ORDER BY day'), [['2024-01-01 00:00:00+00', '2'], ['2024-01-02 00:00:00+00', '1']]);
  assert.deepEqual(await rows("SELECT date_trunc('day', ts)::text, count(*) FROM visits GROUP BY date_trunc('day', ts) ORDER BY 1"), [['2024-01-01 00:00:00+00', '2'], ['2024-01-02 00:00:00+00', '1']]);
  // INSERT without a column list may give fewer values: the rest take their defaults
  await c.query('CREATE TABLE pages (page TEXT PRIMARY KEY, owner TEXT NOT NULL, premium BOOLEAN DEFAULT false)');
  await c.query("INSERT INTO pages VALUES ('/home', 'ann'), ('/docs', 'bob')");
  assert.deepEqual(await rows('SELECT * FROM pages ORDER BY page'), [['/docs', 'bob', false], ['/home', 'ann', false]]);
  // explicit casts to a shorter varchar/char truncate
  assert.deepEqual(await rows("SELECT 'abcdef'::varchar(3), CAST('abcdef' AS char(2))"), [['abc', 'ab']]);
  // an untyped parameter is text
  assert.deepEqual((await c.query({ text: 'SELECT $1 AS v', values: ['hello'], rowMode: 'array' })).rows, [['hello']]);
  assert.equal((await sqlstate('SELECT $1')).code, '42P02');
  // time-dependent functions cannot define a live table
  assert.equal((await sqlstate('CREATE MATERIALIZED VIEW bad_now AS SELECT now(), page FROM visits')).code, '0A000');
  // the error cursor points at the literal that does not fit
  assert.equal((await sqlstate("SELECT page FROM visits WHERE length(page) = 'abc'")).position, '46');
});

test('simple-protocol statements that differ only in literals share a plan, with the same answers', async () => {
  await c.query('CREATE TABLE lit (k INT PRIMARY KEY, n NUMERIC(10,2), t VARCHAR(3), big BIGINT)');
  await c.query("INSERT INTO lit VALUES (1, 1.01, 'abc', 5), (2, 2.50, 'xyz', 3000000000)");
  const q = async (sql: string) => rows(sql);
  assert.deepEqual(await q('SELECT k FROM lit WHERE k = 1'), [[1]]);
  assert.deepEqual(await q('SELECT k FROM lit WHERE k = 2'), [[2]]);
  assert.deepEqual(await q('SELECT k FROM lit WHERE k = 3'), []);
  assert.deepEqual(await q('SELECT k FROM lit WHERE k = 3000000000'), []);
  assert.deepEqual(await q('SELECT k FROM lit WHERE k = 1.5'), []);
  assert.deepEqual(await q('SELECT k FROM lit WHERE n = 1.005'), []);
  assert.deepEqual(await q('SELECT k FROM lit WHERE n = 1.01'), [[1]]);
  assert.deepEqual(await q("SELECT k FROM lit WHERE t = 'abcdef'"), []);
  assert.deepEqual(await q("SELECT k FROM lit WHERE t = 'xyz' AND big = 3000000000"), [[2]]);
  assert.equal((await sqlstate("SELECT k FROM lit WHERE t = 5")).code, '42883');
  assert.equal((await sqlstate("SELECT k FROM lit WHERE k = 'x'")).code, '22P02');
});

test('EXPLAIN shows the incremental dataflow of an MV and the batch plan of a query', async () => {
  await c.query('CREATE STREAM ex_s (k INT, v INT)');
  await c.query('CREATE TABLE ex_t (k INT PRIMARY KEY, name TEXT)');
  const mv = (await rows('EXPLAIN CREATE MATERIALIZED VIEW ex_mv AS SELECT t.name, sum(s.v) FROM ex_s s JOIN ex_t t ON s.k = t.k WHERE s.v > 0 GROUP BY t.name')).map((r) => r[0]);
  assert.deepEqual(mv, [
    'Incremental dataflow:',
    '  HashAggregate (keys: 1, aggregates: sum)',
    '    -> SymmetricHashJoin (inner, keys: 1)',
    '      -> Filter',
    '        -> Source stream ex_s',
    '      -> Source table ex_t',
    'Live table key: name',
  ]);
  const batch = (await rows('EXPLAIN SELECT name FROM ex_t WHERE k = 3')).map((r) => r[0]);
  assert.deepEqual(batch, ['Project (name)', '  -> Index Lookup on table ex_t (key: k)']);
});
