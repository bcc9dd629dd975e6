/**
 * Joins over time, end to end over the wire: interval joins free their state as watermarks pass
 * (eddy_operator_state), window joins close only when both sides' watermarks passed, lookup joins
 * FOR SYSTEM_TIME AS OF PROCTIME() against a table, plain stream-table and stream-MV joins kept up
 * to date. Every MV is compared with its query run as a batch SELECT.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { arrayRows, errorCode, sortedJson } from '../support/sql.js';
import { EddyProcess } from '../support/server-process.js';
import { Rng } from '../support/rng.js';

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

const rows = (sql: string, client: pg.Client = c) => arrayRows(client, sql);

const sqlstate = (sql: string) => errorCode(c, sql);

const sorted = sortedJson;

/** The MV's rows equal its defining query run as a batch (as multisets). */
async function assertMvEqualsBatch(mv: string, query: string, client: pg.Client = c): Promise<number> {
  const live = await rows(`SELECT * FROM ${mv}`, client);
  const batch = await rows(query, client);
  assert.deepEqual(sorted(live), sorted(batch), `${mv} equals its query`);
  return live.length;
}

async function joinState(mv: string, client: pg.Client = c): Promise<number> {
  const r = await rows(`SELECT state_rows FROM eddy_operator_state WHERE materialized_view = '${mv}' AND (operator LIKE 'IntervalJoin%' OR operator LIKE 'SymmetricHashJoin%' OR operator LIKE 'LookupJoin%')`, client);
  assert.equal(r.length, 1, `one join in ${mv}`);
  return Number(r[0][0]);
}

async function explain(sql: string): Promise<string> {
  return (await rows(`EXPLAIN CREATE MATERIALIZED VIEW x AS ${sql}`)).map((r) => r[0]).join('\n');
}

const ts = (sec: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + sec * 1000).toISOString();

test('interval join bounds are recognised in BETWEEN, comparison pairs and either orientation', async () => {
  await c.query(`CREATE STREAM ea (k INT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await c.query(`CREATE STREAM eb (k INT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await c.query(`CREATE STREAM en (k INT, ts TIMESTAMPTZ)`);
  const cases: [string, string][] = [
    [`ea.k = eb.k AND eb.ts BETWEEN ea.ts AND ea.ts + INTERVAL '10 minutes'`, '[0s, 600s]'],
    [`ea.k = eb.k AND ea.ts BETWEEN eb.ts - INTERVAL '1 hour' AND eb.ts`, '[0s, 3600s]'],
    [`ea.k = eb.k AND ea.ts > eb.ts - INTERVAL '1 hour' AND eb.ts >= ea.ts`, '[0s, 3600s]'],
    [`ea.k = eb.k AND eb.ts >= ea.ts - INTERVAL '30 seconds' AND eb.ts < ea.ts + INTERVAL '1 day'`, '[-30s, 86400s]'],
    [`eb.ts <= ea.ts + INTERVAL '2 minutes' AND ea.ts <= eb.ts`, '[0s, 120s]'],
    [`ea.k = eb.k AND eb.ts >= ea.ts`, '[0s, +inf]'],
    [`ea.k = eb.k AND eb.ts - ea.ts < INTERVAL '1 minute' AND INTERVAL '-1 minute' <= eb.ts - ea.ts`, '[-60s, 60s]'],
    [`ea.k = eb.k AND ea.ts - eb.ts BETWEEN INTERVAL '1 second' AND INTERVAL '1 mon'`, '[-2678400s, -1s]'],
  ];
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [on, bound] of cases) {
    const plan = await explain(`SELECT ea.k FROM ea JOIN eb ON ${on}`);
    assert.match(plan, new RegExp(`IntervalJoin \\(inner, keys: \\d, right\\.ts - left\\.ts in ${escape(bound)}\\)`), `${on}\n${plan}`);
  }
  // No usable bound: an ordinary join.
  assert.match(await explain(`SELECT ea.k FROM ea JOIN eb ON ea.k = eb.k AND eb.ts <> ea.ts`), /SymmetricHashJoin \(inner, keys: 1\)/);
  assert.match(await explain(`SELECT ea.k FROM ea JOIN eb ON ea.k = eb.k AND eb.ts > ea.ts + (ea.ts - eb.ts)`), /SymmetricHashJoin \(inner, keys: 1\)/);
  // A bound frees one side's rows only if the other side's time column has a watermark (en has none).
  assert.match(await explain(`SELECT ea.k FROM ea JOIN en ON ea.k = en.k AND en.ts <= ea.ts + INTERVAL '1 minute'`), /SymmetricHashJoin \(inner, keys: 1\)/);
  assert.match(await explain(`SELECT ea.k FROM en JOIN ea ON ea.k = en.k AND ea.ts >= en.ts - INTERVAL '1 minute'`), /SymmetricHashJoin \(inner, keys: 1\)/);
  assert.match(await explain(`SELECT ea.k FROM ea JOIN en ON ea.k = en.k AND en.ts BETWEEN ea.ts AND ea.ts + INTERVAL '1 minute'`), /IntervalJoin \(inner, keys: 1, right\.ts - left\.ts in \[0s, 60s\]\)/);
  assert.match(await explain(`SELECT ea.k FROM en JOIN ea ON ea.k = en.k AND ea.ts <= en.ts + INTERVAL '1 minute'`), /IntervalJoin \(inner, keys: 1, right\.ts - left\.ts in \[-inf, 60s\]\)/);
});

test('interval join over random out-of-order streams: MVs equal the batch query, state is freed', async () => {
  await c.query(`CREATE STREAM imps (ad INT, ts TIMESTAMPTZ, v INT, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await c.query(`CREATE STREAM clicks (ad INT, ts TIMESTAMPTZ, v INT, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  const inner = `SELECT i.ad, i.ts AS its, i.v AS iv, c.ts AS cts, c.v AS cv FROM imps i JOIN clicks c ON i.ad = c.ad AND c.ts BETWEEN i.ts AND i.ts + INTERVAL '30 seconds'`;
  const left = `SELECT i.ad, i.ts AS its, i.v AS iv, c.ts AS cts, c.v AS cv FROM imps i LEFT JOIN clicks c ON i.ad = c.ad AND c.ts >= i.ts - INTERVAL '10 seconds' AND c.ts < i.ts + INTERVAL '20 seconds'`;
  const full = `SELECT i.ad, i.v AS iv, c.v AS cv FROM imps i FULL JOIN clicks c ON i.ad = c.ad AND i.ts BETWEEN c.ts - INTERVAL '15 seconds' AND c.ts`;
  const perMinute = `SELECT date_trunc('minute', i.ts) AS m, i.ad, count(*) AS n FROM imps i JOIN clicks c ON i.ad = c.ad AND c.ts BETWEEN i.ts AND i.ts + INTERVAL '30 seconds' GROUP BY date_trunc('minute', i.ts), i.ad`;
  await c.query(`CREATE MATERIALIZED VIEW ij_inner AS ${inner}`);
  await c.query(`CREATE MATERIALIZED VIEW ij_left AS ${left}`);
  await c.query(`CREATE MATERIALIZED VIEW ij_full AS ${full}`);
  await c.query(`CREATE MATERIALIZED VIEW ij_min AS ${perMinute}`);
  await c.query(`CREATE MATERIALIZED VIEW ij_min_final AS ${perMinute} EMIT ON WINDOW CLOSE`);
  const rng = new Rng(7);
  let total = 0;
  let maxState = 0;
  for (let batch = 0; batch < 30; batch++) {
    const base = batch * 20;
    const gen = () => Array.from({ length: rng.int(3, 12) }, () => `(${rng.int(0, 4)}, '${ts(base + rng.int(-12, 20))}', ${rng.int(0, 99)})`);
    const ri = await c.query(`INSERT INTO imps VALUES ${gen().join(', ')}`);
    const rc = await c.query(`INSERT INTO clicks VALUES ${gen().join(', ')}`);
    total += (ri.rowCount ?? 0) + (rc.rowCount ?? 0);
    if (batch % 5 === 4) {
      await c.query('FLUSH');
      await assertMvEqualsBatch('ij_inner', inner);
      await assertMvEqualsBatch('ij_left', left);
      await assertMvEqualsBatch('ij_full', full);
      await assertMvEqualsBatch('ij_min', perMinute);
      maxState = Math.max(maxState, await joinState('ij_inner'));
    }
  }
  assert.ok(Number((await rows(`SELECT sum(late_rows) FROM eddy_streams WHERE name IN ('imps', 'clicks')`))[0][0]) > 0, 'some rows were late');
  assert.ok(total > 300, `accepted ${total}`);
  assert.ok(maxState < total / 4, `the join keeps only rows near the watermarks: ${maxState} of ${total}`);
  // Both streams move far ahead (keys that match nothing): every stored row can be freed.
  await c.query(`INSERT INTO imps VALUES (-1, '${ts(10_000)}', 0)`);
  await c.query(`INSERT INTO clicks VALUES (-2, '${ts(10_000)}', 0)`);
  await c.query('FLUSH');
  for (const mv of ['ij_inner', 'ij_left', 'ij_full', 'ij_min']) assert.ok((await joinState(mv)) <= 2, `${mv} freed its join state`);
  assert.ok((await assertMvEqualsBatch('ij_inner', inner)) > 50);
  await assertMvEqualsBatch('ij_left', left);
  await assertMvEqualsBatch('ij_full', full);
  await assertMvEqualsBatch('ij_min', perMinute);
  await assertMvEqualsBatch('ij_min_final', perMinute);
  // Created over the retained streams (rows below the watermarks included): the same result.
  await c.query(`CREATE MATERIALIZED VIEW ij_backfilled AS ${left}`);
  await assertMvEqualsBatch('ij_backfilled', left);
  assert.ok((await joinState('ij_backfilled')) <= 2);
  const aggState = await rows(`SELECT state_rows FROM eddy_operator_state WHERE materialized_view = 'ij_min' AND operator LIKE 'HashAggregate%'`);
  assert.equal(Number(aggState[0][0]), 0, 'the windowed aggregate over the join closed its groups: the join output carries a watermark');
});

test('window join: TUMBLE on both sides closes a window only when the slower stream passed it', async () => {
  await c.query(`CREATE STREAM wa (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await c.query(`CREATE STREAM wb (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  const q = `SELECT x.window_start, x.k, count(*) AS n FROM TUMBLE(wa, ts, INTERVAL '1 minute') x JOIN TUMBLE(wb, ts, INTERVAL '1 minute') y ON x.window_start = y.window_start AND x.k = y.k GROUP BY x.window_start, x.k`;
  await c.query(`CREATE MATERIALIZED VIEW wj AS ${q}`);
  await c.query(`CREATE MATERIALIZED VIEW wj_final AS ${q} EMIT ON WINDOW CLOSE`);
  const read = (mv: string) => rows(`SELECT window_start::text, k, n FROM ${mv} ORDER BY 1, 2`);
  await c.query(`INSERT INTO wa VALUES (1, '2026-01-01 12:00:10'), (1, '2026-01-01 12:00:20'), (2, '2026-01-01 12:00:30')`);
  await c.query(`INSERT INTO wb VALUES (1, '2026-01-01 12:00:30')`);
  await c.query('FLUSH');
  assert.deepEqual(await read('wj'), [['2026-01-01 12:00:00', 1, '2']]);
  assert.deepEqual(await read('wj_final'), []);
  // wa's events move on; wb's do not: the 12:00 window must stay open (wb may still send 12:00 rows).
  await c.query(`INSERT INTO wa VALUES (1, '2026-01-01 12:03:00')`);
  await c.query('FLUSH');
  assert.deepEqual(await read('wj_final'), [], 'held back by the slower stream');
  assert.equal(await joinState('wj'), 4, 'wb rows of windows before W(wa) are freed; wa rows wait for W(wb)');
  await c.query(`INSERT INTO wb VALUES (1, '2026-01-01 12:00:40'), (2, '2026-01-01 12:00:50')`);
  await c.query('FLUSH');
  assert.deepEqual(await read('wj'), [['2026-01-01 12:00:00', 1, '4'], ['2026-01-01 12:00:00', 2, '1']]);
  assert.deepEqual(await read('wj_final'), [], 'still open: W(wb) is 12:00:45');
  await c.query(`INSERT INTO wb VALUES (1, '2026-01-01 12:02:10')`);
  await c.query('FLUSH');
  assert.deepEqual(await read('wj_final'), [['2026-01-01 12:00:00', 1, '4'], ['2026-01-01 12:00:00', 2, '1']], 'both watermarks passed 12:01');
  assert.equal(await joinState('wj'), 2, 'only the rows of windows at or after 12:02 are kept');
  await assertMvEqualsBatch('wj', q);
  await assertMvEqualsBatch('wj_final', q);
  const plan = await explain(q);
  assert.match(plan, /IntervalJoin \(inner, keys: 2, right\.window_start - left\.window_start in \[0s, 0s\]\)/);
});

test('lookup join FOR SYSTEM_TIME AS OF PROCTIME(): rows keep the table version they saw', async () => {
  await c.query(`CREATE TABLE users (id INT PRIMARY KEY, country TEXT)`);
  await c.query(`CREATE STREAM orders (user_id INT, amount INT)`);
  await c.query(`INSERT INTO users VALUES (1, 'DE'), (2, 'FR')`);
  await c.query(`INSERT INTO orders VALUES (1, 10), (2, 20), (3, 30)`);
  const lookup = `SELECT o.user_id, o.amount, u.country FROM orders o JOIN users FOR SYSTEM_TIME AS OF PROCTIME() AS u ON o.user_id = u.id`;
  const lookupLeft = `SELECT o.user_id, o.amount, u.country FROM orders o LEFT JOIN users u FOR SYSTEM_TIME AS OF PROCTIME() ON o.user_id = u.id`;
  const plain = `SELECT o.user_id, o.amount, u.country FROM orders o JOIN users u ON o.user_id = u.id`;
  await c.query(`CREATE MATERIALIZED VIEW enriched AS ${lookup}`);
  await c.query(`CREATE MATERIALIZED VIEW enriched_left AS ${lookupLeft}`);
  await c.query(`CREATE MATERIALIZED VIEW enriched_plain AS ${plain}`);
  // Created over existing data: the retained stream joined with the table's current contents.
  await assertMvEqualsBatch('enriched', lookup);
  await assertMvEqualsBatch('enriched_left', lookupLeft);
  assert.match((await rows(`EXPLAIN CREATE MATERIALIZED VIEW x AS ${lookup}`)).map((r) => r[0]).join('\n'), /LookupJoin \(inner, keys: 1, processing time\)/);
  await c.query(`UPDATE users SET country = 'NL' WHERE id = 1`);
  await c.query(`INSERT INTO users VALUES (3, 'IT')`);
  await c.query(`INSERT INTO orders VALUES (1, 11), (3, 31), (4, 40)`);
  await c.query('FLUSH');
  const read = (mv: string) => rows(`SELECT user_id, amount, country FROM ${mv} ORDER BY 1, 2`);
  assert.deepEqual(await read('enriched'), [[1, 10, 'DE'], [1, 11, 'NL'], [2, 20, 'FR'], [3, 31, 'IT']], 'earlier rows keep the old country');
  assert.deepEqual(await read('enriched_left'), [[1, 10, 'DE'], [1, 11, 'NL'], [2, 20, 'FR'], [3, 30, null], [3, 31, 'IT'], [4, 40, null]]);
  // The plain join is an ordinary incremental join: table changes rewrite earlier results.
  assert.deepEqual(await read('enriched_plain'), [[1, 10, 'NL'], [1, 11, 'NL'], [2, 20, 'FR'], [3, 30, 'IT'], [3, 31, 'IT']]);
  await assertMvEqualsBatch('enriched_plain', plain);
  await c.query(`DELETE FROM users WHERE id = 2`);
  await c.query('FLUSH');
  assert.deepEqual(await read('enriched'), [[1, 10, 'DE'], [1, 11, 'NL'], [2, 20, 'FR'], [3, 31, 'IT']], 'a deleted table row does not retract');
  await assertMvEqualsBatch('enriched_plain', plain);
  // The batch query is an ordinary join with the table's current contents.
  assert.deepEqual(sorted(await rows(lookup)), sorted(await rows(plain)));
  // Only the table is stored; the plain join also stores every order.
  assert.equal(await joinState('enriched'), 2);
  assert.equal(await joinState('enriched_plain'), 8);
  assert.equal(await sqlstate(`CREATE MATERIALIZED VIEW bad AS SELECT s.user_id FROM (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) s JOIN users FOR SYSTEM_TIME AS OF PROCTIME() u ON s.user_id = u.id`), '0A000');
  assert.equal(await sqlstate(`SELECT 1 FROM orders o RIGHT JOIN users FOR SYSTEM_TIME AS OF PROCTIME() u ON o.user_id = u.id`), '0A000');
  assert.equal(await sqlstate(`SELECT 1 FROM users FOR SYSTEM_TIME AS OF PROCTIME()`), '0A000');
  assert.equal(await sqlstate(`SELECT 1 FROM users u JOIN orders FOR SYSTEM_TIME AS OF PROCTIME() o ON o.user_id = u.id`), '0A000');
});

test('a windowed aggregate over a lookup join closes on the stream side\'s watermark', async () => {
  await c.query(`CREATE TABLE products (id INT PRIMARY KEY, category TEXT)`);
  await c.query(`CREATE STREAM sales (product INT, qty INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  await c.query(`INSERT INTO products VALUES (1, 'tools'), (2, 'toys')`);
  const q = `SELECT s.window_start, p.category, sum(s.qty) AS qty FROM TUMBLE(sales, ts, INTERVAL '1 minute') s JOIN products FOR SYSTEM_TIME AS OF PROCTIME() p ON s.product = p.id GROUP BY s.window_start, p.category`;
  await c.query(`CREATE MATERIALIZED VIEW sales_final AS ${q} EMIT ON WINDOW CLOSE`);
  const read = () => rows(`SELECT window_start::text, category, qty FROM sales_final ORDER BY 1, 2`);
  await c.query(`INSERT INTO sales VALUES (1, 2, '2026-01-01 00:00:10'), (2, 1, '2026-01-01 00:00:20'), (1, 5, '2026-01-01 00:00:50')`);
  await c.query('FLUSH');
  assert.deepEqual(await read(), []);
  await c.query(`UPDATE products SET category = 'garden' WHERE id = 1`);
  await c.query(`INSERT INTO sales VALUES (1, 1, '2026-01-01 00:01:05')`);
  await c.query('FLUSH');
  assert.deepEqual(await read(), [['2026-01-01 00:00:00', 'tools', '7'], ['2026-01-01 00:00:00', 'toys', '1']]);
});

test('stream joined with per-user statistics maintained by another MV stays equal to the batch query', async () => {
  await c.query(`CREATE STREAM txns (user_id INT, amount INT, ts TIMESTAMPTZ)`);
  await c.query(`CREATE MATERIALIZED VIEW user_stats AS SELECT user_id, count(*) AS n, avg(amount) AS avg_amount FROM txns GROUP BY user_id`);
  const q = `SELECT t.user_id, t.amount, t.ts, s.n, s.avg_amount FROM txns t JOIN user_stats s ON t.user_id = s.user_id WHERE t.amount > 3 * s.avg_amount`;
  await c.query(`CREATE MATERIALIZED VIEW suspicious AS ${q}`);
  const rng = new Rng(3);
  let flagged = 0;
  for (let b = 0; b < 12; b++) {
    const vals = Array.from({ length: rng.int(1, 15) }, () => `(${rng.int(1, 5)}, ${rng.chance(0.1) ? rng.int(200, 900) : rng.int(1, 60)}, '${ts(b * 10 + rng.int(0, 9))}')`);
    await c.query(`INSERT INTO txns VALUES ${vals.join(', ')}`);
    await c.query('FLUSH');
    flagged = Math.max(flagged, await assertMvEqualsBatch('suspicious', q));
  }
  assert.ok(flagged > 0, 'some transactions were flagged');
});

test('an outer interval join keeps its freed state and match counts across a restart', async () => {
  const s = await EddyProcess.start();
  try {
    let k = await s.client();
    await k.query(`CREATE STREAM ra (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
    await k.query(`CREATE STREAM rb (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
    const q = `SELECT ra.k, ra.ts AS ats, rb.ts AS bts FROM ra LEFT JOIN rb ON ra.k = rb.k AND rb.ts BETWEEN ra.ts AND ra.ts + INTERVAL '10 seconds'`;
    await k.query(`CREATE MATERIALIZED VIEW rj AS ${q}`);
    await k.query(`INSERT INTO ra VALUES (1, '2026-01-01 00:00:00'), (2, '2026-01-01 00:00:01')`);
    await k.query(`INSERT INTO rb VALUES (1, '2026-01-01 00:00:00')`);
    // ra moves on: the rb row at 00:00:00 is freed (no ra row at or after W(ra) can match it) while
    // ra's row 1 stays stored (W(rb) - 10 s is before it), still counting that match.
    await k.query(`INSERT INTO ra VALUES (9, '2026-01-01 00:00:05')`);
    await k.query('FLUSH');
    await assertMvEqualsBatch('rj', q, k);
    await k.end();
    await s.kill();
    const s2 = await EddyProcess.start({ dataDir: s.dataDir });
    try {
      k = await s2.client();
      await k.query(`INSERT INTO rb VALUES (1, '2026-01-01 00:00:03'), (2, '2026-01-01 00:00:06')`);
      await k.query('FLUSH');
      assert.deepEqual(sorted(await rows('SELECT k, ats::text, bts::text FROM rj', k)), sorted([
        [1, '2026-01-01 00:00:00', '2026-01-01 00:00:00'],
        [1, '2026-01-01 00:00:00', '2026-01-01 00:00:03'],
        [2, '2026-01-01 00:00:01', '2026-01-01 00:00:06'],
        [9, '2026-01-01 00:00:05', null],
      ]));
      await assertMvEqualsBatch('rj', q, k);
      await k.end();
    } finally {
      await s2.cleanup();
    }
  } finally {
    await s.cleanup();
  }
});
