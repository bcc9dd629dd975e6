/**
 * Event time end to end over the wire: watermarks, late rows, TUMBLE/HOP/SESSION, date_trunc
 * grouping, EMIT CHANGES vs EMIT ON WINDOW CLOSE, idle_timeout, state freed when windows close,
 * restart, and the MV == batch invariant over random out-of-order data (checked against
 * PostgreSQL too).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { arrayRows, errorCode, sortedJson } from '../support/sql.js';
import { EddyProcess } from '../support/server-process.js';
import { Rng } from '../support/rng.js';
import { connectPostgres } from '../support/postgres.js';

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

test('page views per minute: out-of-order and late events under EMIT CHANGES, EMIT ON WINDOW CLOSE and date_trunc', async () => {
  await c.query(`CREATE STREAM pageviews (page TEXT, user_id BIGINT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  const q = `SELECT page, window_start AS minute, count(*) AS visits FROM TUMBLE(pageviews, ts, INTERVAL '1 minute') GROUP BY page, window_start`;
  await c.query(`CREATE MATERIALIZED VIEW pv_changes AS ${q}`);
  await c.query(`CREATE MATERIALIZED VIEW pv_final AS ${q} EMIT ON WINDOW CLOSE`);
  await c.query(`CREATE MATERIALIZED VIEW pv_trunc AS SELECT page, date_trunc('minute', ts) AS minute, count(*) AS visits FROM pageviews GROUP BY page, date_trunc('minute', ts)`);
  const read = (mv: string) => rows(`SELECT page, minute::text, visits FROM ${mv} ORDER BY page, minute`);
  const watermark = async () => (await rows(`SELECT watermark::text FROM eddy_streams WHERE name = 'pageviews'`))[0][0];

  let r = await c.query(`INSERT INTO pageviews VALUES ('home', 1, '2026-01-01 12:00:10+00'), ('home', 2, '2026-01-01 12:00:50+00'), ('about', 1, '2026-01-01 12:00:30+00')`);
  assert.equal(r.rowCount, 3);
  await c.query('FLUSH');
  assert.equal(await watermark(), '2026-01-01 12:00:45+00');
  assert.deepEqual(await read('pv_changes'), [['about', '2026-01-01 12:00:00+00', '1'], ['home', '2026-01-01 12:00:00+00', '2']]);
  assert.deepEqual(await read('pv_final'), [], 'no window has closed yet');

  // Out of order but not late (12:00:47 >= watermark 12:00:45): counted.
  await c.query(`INSERT INTO pageviews VALUES ('about', 3, '2026-01-01 12:01:02+00'), ('home', 4, '2026-01-01 12:00:47+00')`);
  await c.query('FLUSH');
  assert.equal(await watermark(), '2026-01-01 12:00:57+00');
  assert.deepEqual(await read('pv_changes'), [['about', '2026-01-01 12:00:00+00', '1'], ['about', '2026-01-01 12:01:00+00', '1'], ['home', '2026-01-01 12:00:00+00', '3']]);
  assert.deepEqual(await read('pv_final'), []);

  // 12:00:58 is still in time; 12:01:07 moves the watermark to 12:01:02, closing the 12:00 window.
  await c.query(`INSERT INTO pageviews VALUES ('home', 5, '2026-01-01 12:00:58+00'), ('home', 6, '2026-01-01 12:01:07+00')`);
  await c.query('FLUSH');
  assert.equal(await watermark(), '2026-01-01 12:01:02+00');
  const changes = [['about', '2026-01-01 12:00:00+00', '1'], ['about', '2026-01-01 12:01:00+00', '1'], ['home', '2026-01-01 12:00:00+00', '4'], ['home', '2026-01-01 12:01:00+00', '1']];
  assert.deepEqual(await read('pv_changes'), changes);
  assert.deepEqual(await read('pv_trunc'), changes, 'date_trunc grouping equals TUMBLE');
  const final = [['about', '2026-01-01 12:00:00+00', '1'], ['home', '2026-01-01 12:00:00+00', '4']];
  assert.deepEqual(await read('pv_final'), final, 'the closed window is emitted once, final');

  // Late: below the watermark in force. Dropped, counted, kept in eddy_late_rows, changes nothing.
  r = await c.query(`INSERT INTO pageviews VALUES ('home', 7, '2026-01-01 12:00:59+00')`);
  assert.equal(r.rowCount, 0, 'the tag counts accepted rows');
  await c.query('FLUSH');
  assert.deepEqual(await read('pv_changes'), changes);
  assert.deepEqual(await read('pv_trunc'), changes);
  assert.deepEqual(await read('pv_final'), final);
  const late = await rows(`SELECT stream, event_time::text, watermark::text, row FROM eddy_late_rows WHERE stream = 'pageviews'`);
  assert.equal(late.length, 1);
  assert.deepEqual(late[0].slice(0, 3), ['pageviews', '2026-01-01 12:00:59+00', '2026-01-01 12:01:02+00']);
  assert.deepEqual(JSON.parse(late[0][3] as string), { page: 'home', user_id: '7', ts: '2026-01-01 12:00:59+00' });
  assert.deepEqual(await rows(`SELECT name, rows_accepted, late_rows, event_time_column, watermark_delay::text FROM eddy_streams WHERE name = 'pageviews'`), [['pageviews', '7', '1', 'ts', '00:00:05']]);
  const show = await c.query({ text: 'SHOW STREAMS', rowMode: 'array' });
  assert.deepEqual(show.fields.map((f) => f.name), ['name', 'rows', 'late_rows', 'watermark', 'connector', 'status', 'malformed_rows']);
  assert.deepEqual((show.rows as unknown[][]).find((x) => x[0] === 'pageviews')?.slice(0, 3), ['pageviews', '7', '1']);
  // The ad-hoc query over the stream sees exactly the accepted events.
  assert.deepEqual(sorted(await rows(`SELECT page, minute::text, visits FROM (${q}) t`)), sorted(changes));
});

test('watermark declarations are checked', async () => {
  assert.equal(await sqlstate(`CREATE STREAM w1 (n INT, WATERMARK FOR n AS n - 1)`), '42804');
  assert.equal(await sqlstate(`CREATE STREAM w2 (ts TIMESTAMP, WATERMARK FOR nope AS nope)`), '42703');
  assert.equal(await sqlstate(`CREATE STREAM w3 (ts TIMESTAMP, WATERMARK FOR ts AS ts + INTERVAL '1 second')`), '0A000');
  assert.equal(await sqlstate(`CREATE STREAM w4 (ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1 month')`), '22023');
  assert.equal(await sqlstate(`CREATE STREAM w5 (ts TIMESTAMP) WITH (idle_timeout = '1 second')`), '22023');
  assert.equal(await sqlstate(`CREATE STREAM w6 (ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH (idle_timeout = 'soon')`), '22023');
  await c.query(`CREATE STREAM w7 (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  assert.equal(await sqlstate(`INSERT INTO w7 VALUES (1, NULL)`), '23502', 'the event-time column is NOT NULL');
  assert.equal(await sqlstate(`INSERT INTO w7 VALUES (1, 'infinity')`), '22008', 'an infinite event time would block the stream');
  assert.equal(await sqlstate(`INSERT INTO w7 VALUES (1, '2026-01-01'), (2, '-infinity')`), '22008');
  assert.equal(Number((await rows('SELECT count(*) FROM w7'))[0][0]), 0, 'nothing of a refused INSERT is written');
  await assert.rejects(c.query({ text: `SELECT count(*) FROM TUMBLE(w7, ts, $1::interval)`, values: ['10 seconds'] }), (e: { code?: string }) => e.code === '0A000');
  assert.deepEqual(await rows(`SELECT count(*) FROM TUMBLE(w7, w7.ts, INTERVAL '1 minute') x`), [['0']], 'a qualified time column is accepted');
  await c.query(`CREATE STREAM w8 (ts TIMESTAMP)`);
  await c.query(`INSERT INTO w8 VALUES ('infinity'), ('-infinity'), (NULL), ('2026-01-01 00:00:30')`);
  for (const tvf of [`TUMBLE(w8, ts, INTERVAL '1 minute')`, `HOP(w8, ts, INTERVAL '1 minute', INTERVAL '1 minute')`, `SESSION(w8, ts, INTERVAL '1 minute')`]) {
    const session = tvf.startsWith('SESSION');
    const inf = [[null, null, '3'], [`2026-01-01 00:0${session ? '0:30' : '0:00'}`, `2026-01-01 00:01:${session ? '30' : '00'}`, '1']];
    const q = `SELECT window_start::text, window_end::text, count(*) FROM ${tvf} GROUP BY 1, 2`;
    await c.query(`CREATE MATERIALIZED VIEW w8_${tvf.slice(0, 3)} AS ${q}`);
    assert.deepEqual(sorted(await rows(q)), sorted(inf), `${tvf}: NULL and infinite times have NULL windows`);
    assert.deepEqual(sorted(await rows(`SELECT * FROM w8_${tvf.slice(0, 3)}`)), sorted(inf), `${tvf} MV agrees`);
  }
  assert.equal(await sqlstate(`CREATE MATERIALIZED VIEW w7_eowc AS SELECT v, count(*) FROM w7 GROUP BY v EMIT ON WINDOW CLOSE`), '0A000');
  assert.equal(
    await sqlstate(`CREATE MATERIALIZED VIEW w7_eowc2 AS SELECT window_start, count(*) FROM TUMBLE(w7, ts, INTERVAL '1 minute') GROUP BY window_start HAVING max(ts) > now() - INTERVAL '1 hour' EMIT ON WINDOW CLOSE`),
    '0A000',
    'a temporal filter above the window would retract rows emitted as final',
  );
  assert.equal(await sqlstate(`SELECT * FROM TUMBLE(w7, v, INTERVAL '1 minute')`), '42804');
  assert.equal(await sqlstate(`SELECT * FROM TUMBLE(w7, ts, INTERVAL '0 minutes')`), '22023');
  assert.equal(await sqlstate(`SELECT * FROM TUMBLE(w7, ts)`), '42883');
  assert.equal(await sqlstate(`SELECT * FROM TUMBLE(nope, ts, INTERVAL '1 minute')`), '42P01');
  assert.equal(await sqlstate(`SELECT * FROM HOP(w7, ts, INTERVAL '1 millisecond', INTERVAL '1 day')`), '54000');
});

test('HOP windows against hand-computed counts, in batch and incrementally', async () => {
  await c.query(`CREATE STREAM hops (k TEXT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1 minute')`);
  const q = `SELECT window_start::text AS ws, window_end::text AS we, count(*) AS n FROM HOP(hops, ts, INTERVAL '30 seconds', INTERVAL '1 minute') GROUP BY window_start, window_end`;
  await c.query(`CREATE MATERIALIZED VIEW hop_counts AS ${q}`);
  await c.query(`INSERT INTO hops VALUES ('a', '2026-01-01 12:00:10'), ('b', '2026-01-01 12:00:40'), ('c', '2026-01-01 12:01:05')`);
  await c.query('FLUSH');
  const expected = [
    ['2026-01-01 11:59:30', '2026-01-01 12:00:30', '1'],
    ['2026-01-01 12:00:00', '2026-01-01 12:01:00', '2'],
    ['2026-01-01 12:00:30', '2026-01-01 12:01:30', '2'],
    ['2026-01-01 12:01:00', '2026-01-01 12:02:00', '1'],
  ];
  assert.deepEqual(await rows('SELECT * FROM hop_counts ORDER BY ws'), expected);
  assert.deepEqual(await rows(`${q} ORDER BY ws`), expected);
});

test('SESSION windows per key merge when an out-of-order event bridges two sessions', async () => {
  await c.query(`CREATE STREAM clicks (user_id INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1 hour')`);
  const q = `SELECT user_id, window_start::text AS ws, window_end::text AS we, count(*) AS n FROM SESSION(clicks, ts, INTERVAL '10 seconds') GROUP BY user_id, window_start, window_end`;
  await c.query(`CREATE MATERIALIZED VIEW sessions_mv AS ${q}`);
  await c.query(`INSERT INTO clicks VALUES (1, '2026-01-01 12:00:00'), (1, '2026-01-01 12:00:05'), (1, '2026-01-01 12:00:20'), (2, '2026-01-01 12:00:07')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM sessions_mv ORDER BY user_id, ws'), [
    [1, '2026-01-01 12:00:00', '2026-01-01 12:00:15', '2'],
    [1, '2026-01-01 12:00:20', '2026-01-01 12:00:30', '1'],
    [2, '2026-01-01 12:00:07', '2026-01-01 12:00:17', '1'],
  ]);
  // 12:00:12 is within 10 s of 12:00:05 and of 12:00:20: the two sessions of user 1 become one.
  await c.query(`INSERT INTO clicks VALUES (1, '2026-01-01 12:00:12')`);
  await c.query('FLUSH');
  const merged = [
    [1, '2026-01-01 12:00:00', '2026-01-01 12:00:30', '4'],
    [2, '2026-01-01 12:00:07', '2026-01-01 12:00:17', '1'],
  ];
  assert.deepEqual(await rows('SELECT * FROM sessions_mv ORDER BY user_id, ws'), merged);
  assert.deepEqual(await rows(`${q} ORDER BY user_id, ws`), merged, 'batch SESSION agrees');
});

test('SESSION aggregates run fused (SessionAggregate) and equal their batch query under inserts, updates and deletes', async () => {
  await c.query(`CREATE TABLE sess_t (id INT PRIMARY KEY, k INT, v INT, ts TIMESTAMP)`);
  const from = `SESSION(sess_t, ts, INTERVAL '10 seconds')`;
  const fused: Record<string, string> = {
    sess_fused: `SELECT k, window_start, window_end, count(*) AS n, sum(v) FILTER (WHERE v > 3) AS sv, count(DISTINCT v) AS dv, max(v) AS mx FROM ${from} WHERE v <> 5 GROUP BY k, window_start, window_end`,
    sess_end_only: `SELECT window_end, k, avg(v) AS av FROM ${from} GROUP BY window_end, k`,
  };
  const fallback: Record<string, string> = {
    sess_text_keys: `SELECT window_start::text AS ws, window_end::text AS we, count(*) AS n FROM ${from} GROUP BY 1, 2`,
    sess_window_arg: `SELECT k, window_start, max(window_end) AS we, count(*) AS n FROM ${from} GROUP BY k, window_start`,
  };
  const explain = async (q: string) => (await rows(`EXPLAIN CREATE MATERIALIZED VIEW x AS ${q}`)).map((r) => String(r[0])).join('\n');
  for (const q of Object.values(fused)) assert.match(await explain(q), /SessionAggregate \(ts, gap 00:00:10, keys: \d, aggregates: /);
  for (const q of Object.values(fallback)) assert.doesNotMatch(await explain(q), /SessionAggregate/);
  const all = { ...fused, ...fallback };
  for (const [name, q] of Object.entries(all)) await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${q}`);
  const rng = new Rng(7);
  let nextId = 0;
  const ids: number[] = [];
  for (let step = 0; step < 12; step++) {
    const vals: string[] = [];
    for (let i = 0; i < 15; i++) {
      ids.push(nextId);
      vals.push(`(${nextId++}, ${rng.int(0, 2)}, ${rng.int(0, 8)}, to_timestamp(${1767225600 + rng.int(0, 120)})::timestamp)`);
    }
    await c.query(`INSERT INTO sess_t VALUES ${vals.join(', ')}`);
    // Deletes split sessions; updates move rows between sessions.
    for (let i = 0; i < 4 && ids.length > 0; i++) await c.query(`DELETE FROM sess_t WHERE id = ${ids.splice(rng.int(0, ids.length - 1), 1)[0]}`);
    await c.query(`UPDATE sess_t SET ts = ts + INTERVAL '7 seconds', v = v + 1 WHERE id = ${rng.pick(ids)}`);
    await c.query('FLUSH');
    for (const [name, q] of Object.entries(all)) assert.deepEqual(sorted(await rows(`SELECT * FROM ${name}`)), sorted(await rows(q)), `${name} equals its query (step ${step})`);
  }
});

test('EMIT ON WINDOW CLOSE over SESSION and HOP emits each window once, when the watermark passes its end', async () => {
  await c.query(`CREATE STREAM taps (user_id INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  await c.query(`CREATE MATERIALIZED VIEW tap_sessions AS SELECT user_id, window_end::text AS we, count(*) AS n FROM SESSION(taps, ts, INTERVAL '10 seconds') GROUP BY user_id, window_start, window_end EMIT ON WINDOW CLOSE`);
  await c.query(`CREATE MATERIALIZED VIEW tap_hops AS SELECT window_end::text AS we, count(*) AS n FROM HOP(taps, ts, INTERVAL '5 seconds', INTERVAL '10 seconds') GROUP BY window_end EMIT ON WINDOW CLOSE`);
  await c.query(`INSERT INTO taps VALUES (1, '2026-01-01 00:00:01'), (1, '2026-01-01 00:00:04')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM tap_sessions'), []);
  assert.deepEqual(await rows('SELECT * FROM tap_hops ORDER BY we'), [], 'a row at the watermark (00:00:04) could still fall in [23:59:55, 00:00:05)');
  await c.query(`INSERT INTO taps VALUES (2, '2026-01-01 00:00:20')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM tap_sessions'), [[1, '2026-01-01 00:00:14', '2']]);
  assert.deepEqual(await rows('SELECT * FROM tap_hops ORDER BY we'), [['2026-01-01 00:00:05', '2'], ['2026-01-01 00:00:10', '2']]);
});

test('idle_timeout closes the last window of a quiet stream without new input', async () => {
  await c.query(`CREATE STREAM quiet (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds') WITH (idle_timeout = '300 milliseconds')`);
  await c.query(`CREATE STREAM loud (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await c.query(`CREATE MATERIALIZED VIEW quiet_final AS SELECT window_start::text AS ws, sum(v) AS total FROM TUMBLE(quiet, ts, INTERVAL '1 second') GROUP BY window_start EMIT ON WINDOW CLOSE`);
  await c.query(`CREATE MATERIALIZED VIEW loud_final AS SELECT window_start::text AS ws, sum(v) AS total FROM TUMBLE(loud, ts, INTERVAL '1 second') GROUP BY window_start EMIT ON WINDOW CLOSE`);
  await c.query(`INSERT INTO quiet VALUES (1, '2026-01-01 00:00:00.2'), (2, '2026-01-01 00:00:00.7')`);
  await c.query(`INSERT INTO loud VALUES (1, '2026-01-01 00:00:00.2'), (2, '2026-01-01 00:00:00.7')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM quiet_final'), [], 'the 5 s delay holds the window open at first');
  // Idle for 300 ms: the watermark jumps to the last event time (12:00:00.7) and then runs with
  // the wall clock, so the window ending at 00:00:01 closes about 300 ms + 300 ms later.
  const deadline = Date.now() + 5000;
  let got: unknown[][] = [];
  while (Date.now() < deadline) {
    got = await rows('SELECT * FROM quiet_final');
    if (got.length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(got, [['2026-01-01 00:00:00', '3']]);
  assert.deepEqual(await rows('SELECT * FROM loud_final'), [], 'without idle_timeout the window stays open');
  const wm = await rows(`SELECT name, watermark > max_event_time FROM eddy_streams WHERE name IN ('quiet', 'loud') ORDER BY name`);
  assert.deepEqual(wm, [['loud', false], ['quiet', true]]);
});

test('closed windows free their operator state (EMIT CHANGES keeps the rows)', async () => {
  await c.query(`CREATE STREAM ticks (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  await c.query(`CREATE MATERIALIZED VIEW tick_counts AS SELECT k, window_start, count(*) AS n FROM TUMBLE(ticks, ts, INTERVAL '1 second') GROUP BY k, window_start`);
  const stateRows = async () => Number((await rows(`SELECT sum(state_rows) FROM eddy_operator_state WHERE materialized_view = 'tick_counts'`))[0][0]);
  const values: string[] = [];
  for (let s = 0; s < 20; s++) for (let k = 0; k < 5; k++) values.push(`(${k}, '2026-01-01 00:00:${String(s).padStart(2, '0')}.5')`);
  await c.query(`INSERT INTO ticks VALUES ${values.join(', ')}`);
  await c.query('FLUSH');
  assert.equal(Number((await rows('SELECT count(*) FROM tick_counts'))[0][0]), 100, 'every window keeps its result row');
  assert.equal(await stateRows(), 5, 'only the open window (00:00:19) keeps state');
  await c.query(`INSERT INTO ticks VALUES (0, '2026-01-01 00:01:00')`);
  await c.query('FLUSH');
  assert.equal(await stateRows(), 1);
  assert.equal(Number((await rows('SELECT count(*) FROM tick_counts'))[0][0]), 101);
});

test('watermarks, late rows and open windows survive a restart', async () => {
  const s = await EddyProcess.start();
  try {
    let k = await s.client();
    await k.query(`CREATE STREAM ev (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '10 seconds')`);
    await k.query(`CREATE MATERIALIZED VIEW ev_final AS SELECT window_start::text AS ws, count(*) AS n, sum(v) AS sv FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE`);
    await k.query(`INSERT INTO ev VALUES (1, '2026-01-01 00:00:30'), (2, '2026-01-01 00:00:55')`);
    await k.query(`INSERT INTO ev VALUES (4, '2026-01-01 00:01:05')`);
    await k.query('FLUSH');
    await k.end();
    await s.kill();
    const s2 = await EddyProcess.start({ dataDir: s.dataDir });
    try {
      k = await s2.client();
      assert.deepEqual(await rows(`SELECT watermark::text, late_rows FROM eddy_streams`, k), [['2026-01-01 00:00:55+00', '0']]);
      const r = await k.query(`INSERT INTO ev VALUES (8, '2026-01-01 00:00:40'), (16, '2026-01-01 00:00:58')`);
      assert.equal(r.rowCount, 1, 'the restored watermark still judges lateness');
      await k.query(`INSERT INTO ev VALUES (32, '2026-01-01 00:01:20')`);
      await k.query('FLUSH');
      assert.deepEqual(await rows('SELECT * FROM ev_final', k), [['2026-01-01 00:00:00', '3', '19']], 'the window open at the crash closes after it, with all its rows');
      assert.equal(Number((await rows('SELECT count(*) FROM eddy_late_rows', k))[0][0]), 1);
      await k.end();
    } finally {
      await s2.cleanup();
    }
  } finally {
    await s.cleanup();
  }
});

test('random out-of-order events: windowed MVs equal their queries as a batch (and PostgreSQL)', async () => {
  const postgres = await connectPostgres();
  try {
    for (const seed of [11, 12, 13]) {
      const rng = new Rng(seed);
      const s = `rnd${seed}`;
      await c.query(`CREATE STREAM ${s} (g TEXT, v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '20 seconds')`);
      const queries: Record<string, string> = {
        [`${s}_tumble`]: `SELECT g, window_start, window_end, count(*) AS n, sum(v) AS sv, max(v) AS mx FROM TUMBLE(${s}, ts, INTERVAL '10 seconds') GROUP BY g, window_start, window_end`,
        [`${s}_hop`]: `SELECT window_start, window_end, count(*) AS n, min(v) AS mn FROM HOP(${s}, ts, INTERVAL '5 seconds', INTERVAL '15 seconds') GROUP BY window_start, window_end`,
        [`${s}_session`]: `SELECT g, window_start, window_end, count(*) AS n, sum(v) AS sv FROM SESSION(${s}, ts, INTERVAL '3 seconds') GROUP BY g, window_start, window_end`,
        [`${s}_trunc`]: `SELECT g, date_trunc('minute', ts) AS m, count(*) AS n, avg(v) AS av FROM ${s} GROUP BY g, date_trunc('minute', ts)`,
        [`${s}_bin`]: `SELECT date_bin(INTERVAL '7 seconds', ts, TIMESTAMP '2026-01-01') AS b, count(*) AS n FROM ${s} WHERE v % 3 <> 0 GROUP BY 1`,
      };
      for (const [name, q] of Object.entries(queries)) await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${q}`);
      await c.query(`CREATE MATERIALIZED VIEW ${s}_final AS ${queries[`${s}_tumble`]} EMIT ON WINDOW CLOSE`);
      let t = Date.UTC(2026, 0, 1) / 1000;
      let inserted = 0;
      for (let batch = 0; batch < 25; batch++) {
        const vals: string[] = [];
        const n = 1 + rng.int(0, 30 - 1);
        for (let i = 0; i < n; i++) {
          t += rng.int(0, 3 - 1);
          // Mostly near the front; sometimes far behind (late).
          const et = t - (rng.int(0, 10 - 1) === 0 ? 15 + rng.int(0, 40 - 1) : rng.int(0, 12 - 1));
          vals.push(`('g${rng.int(0, 4 - 1)}', ${rng.int(0, 100 - 1)}, to_timestamp(${et})::timestamp)`);
        }
        inserted += n;
        await c.query(`INSERT INTO ${s} VALUES ${vals.join(', ')}`);
        if (rng.int(0, 4 - 1) === 0) await c.query('FLUSH');
      }
      await c.query('FLUSH');
      const [[accepted, late, wm]] = await rows(`SELECT rows_accepted, late_rows, extract(epoch from watermark) FROM eddy_streams WHERE name = '${s}'`);
      assert.equal(Number(accepted) + Number(late), inserted, 'every row is accepted or late');
      assert.ok(Number(late) > 0, 'the data has late rows');
      assert.equal(Number((await rows(`SELECT count(*) FROM eddy_late_rows WHERE stream = '${s}'`))[0][0]), Number(late));
      for (const [name, q] of Object.entries(queries)) {
        assert.deepEqual(sorted(await rows(`SELECT * FROM ${name}`)), sorted(await rows(q)), `${name} equals its query`);
      }
      // EMIT ON WINDOW CLOSE: exactly the windows the watermark has closed, each with its final row.
      const closed = (await rows(queries[`${s}_tumble`])).filter((r) => (r[2] as Date).getTime() / 1000 <= Number(wm));
      assert.ok(closed.length > 0);
      assert.deepEqual(sorted(await rows(`SELECT * FROM ${s}_final`)), sorted(closed));
      if (postgres) {
        await postgres.query(`DROP TABLE IF EXISTS ${s}; CREATE TABLE ${s} (g TEXT, v INT, ts TIMESTAMP)`);
        const acceptedRows = await rows(`SELECT g, v, ts::text FROM ${s}`);
        await postgres.query({ text: `INSERT INTO ${s} SELECT * FROM unnest($1::text[], $2::int[], $3::timestamp[])`, values: [acceptedRows.map((r) => r[0]), acceptedRows.map((r) => r[1]), acceptedRows.map((r) => r[2])] });
        const pgTumble = `SELECT g, date_bin('10 seconds', ts, '1970-01-01') AS ws, date_bin('10 seconds', ts, '1970-01-01') + interval '10 seconds' AS we, count(*) AS n, sum(v) AS sv, max(v) AS mx FROM ${s} GROUP BY 1, 2, 3`;
        assert.deepEqual(sorted(await rows(`SELECT * FROM ${s}_tumble`)), sorted(await rows(pgTumble, postgres)), 'TUMBLE equals date_bin grouping in PostgreSQL');
        assert.deepEqual(sorted(await rows(`SELECT * FROM ${s}_trunc`)), sorted(await rows(queries[`${s}_trunc`], postgres)), 'date_trunc MV equals PostgreSQL');
        assert.deepEqual(sorted(await rows(`SELECT * FROM ${s}_bin`)), sorted(await rows(queries[`${s}_bin`], postgres)), 'date_bin MV equals PostgreSQL');
        await postgres.query(`DROP TABLE ${s}`);
      }
    }
  } finally {
    await postgres?.end();
  }
});

test('top-N per window: incremental, final under EMIT ON WINDOW CLOSE, state freed when the window closes', async () => {
  await c.query(`CREATE STREAM bids (auction INT, price INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2 seconds')`);
  await c.query(`CREATE MATERIALIZED VIEW bid_counts AS SELECT auction, window_start, count(*) AS n FROM TUMBLE(bids, ts, INTERVAL '10 seconds') GROUP BY auction, window_start`);
  const top = `SELECT window_start, auction, n, rn FROM (SELECT window_start, auction, n, row_number() OVER (PARTITION BY window_start ORDER BY n DESC, auction) AS rn FROM bid_counts) t WHERE rn <= 2`;
  await c.query(`CREATE MATERIALIZED VIEW hot_auctions AS ${top}`);
  await c.query(`CREATE MATERIALIZED VIEW hot_auctions_final AS ${top} EMIT ON WINDOW CLOSE`);
  const rng = new Rng(5);
  let t = Date.UTC(2026, 0, 1) / 1000;
  for (let b = 0; b < 12; b++) {
    const vals: string[] = [];
    for (let i = 0; i < 20; i++) {
      t += rng.int(0, 1) * 0.5;
      vals.push(`(${rng.int(1, 6)}, ${rng.int(1, 100)}, to_timestamp(${t - rng.int(0, 1)})::timestamp)`);
    }
    await c.query(`INSERT INTO bids VALUES ${vals.join(', ')}`);
    await c.query('FLUSH');
    assert.deepEqual(sorted(await rows('SELECT * FROM hot_auctions')), sorted(await rows(top)), `batch ${b}: top-2 per window equals its query`);
  }
  const [[wm]] = await rows(`SELECT extract(epoch from watermark) FROM eddy_streams WHERE name = 'bids'`);
  const closed = (await rows(top)).filter((r) => (r[0] as Date).getTime() / 1000 + 10 <= Number(wm));
  assert.ok(closed.length >= 4);
  assert.deepEqual(sorted(await rows('SELECT * FROM hot_auctions_final')), sorted(closed), 'closed windows, final');
  const state = await rows(`SELECT operator, state_rows FROM eddy_operator_state WHERE materialized_view = 'hot_auctions' AND operator LIKE 'TopN%'`);
  const open = new Set((await rows('SELECT window_start FROM bid_counts')).filter((r) => (r[0] as Date).getTime() / 1000 + 10 > Number(wm)).map((r) => String(r[0])));
  assert.equal(state.length, 1);
  assert.ok(Number(state[0][1]) <= open.size * 6, `TopN keeps only open windows' rows (${state[0][1]} rows, ${open.size} open windows)`);
});

test('a query over two streams closes windows only when both watermarks have passed (UNION ALL through a view)', async () => {
  await c.query(`CREATE STREAM left_ev (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  await c.query(`CREATE STREAM right_ev (v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts)`);
  await c.query(`CREATE VIEW both_ev AS SELECT v, ts FROM left_ev UNION ALL SELECT v, ts FROM right_ev`);
  await c.query(`CREATE MATERIALIZED VIEW both_final AS SELECT window_start::text AS ws, sum(v) AS total FROM TUMBLE(both_ev, ts, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE`);
  await c.query(`INSERT INTO left_ev VALUES (1, '2026-01-01 00:00:10'), (2, '2026-01-01 00:05:00')`);
  await c.query(`INSERT INTO right_ev VALUES (10, '2026-01-01 00:00:20')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM both_final'), [], 'right_ev (the slower) holds the window open');
  await c.query(`INSERT INTO right_ev VALUES (20, '2026-01-01 00:01:30')`);
  await c.query('FLUSH');
  assert.deepEqual(await rows('SELECT * FROM both_final'), [['2026-01-01 00:00:00', '11']]);
});
