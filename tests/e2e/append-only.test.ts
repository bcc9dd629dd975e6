/**
 * min()/max() over append-only input keep only the current extreme (planner/physical/append-only.ts,
 * HashAggregate appendOnly): MVs over streams, stream-stream inner joins and TUMBLE windows still
 * equal their batch queries, across many epochs and a restart (state restored from op_state);
 * min/max over a table with updates and deletes keep their retractable form.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { Rng } from '../support/rng.js';

let server: EddyProcess;
/** The first server owns the data dir (removed by its cleanup); the restarted one reuses it. */
let first: EddyProcess | undefined;
let c: pg.Client;

before(async () => {
  server = await EddyProcess.start();
  c = await server.client();
});

after(async () => {
  await c?.end().catch(() => undefined);
  await server?.cleanup();
  await first?.cleanup();
});

async function rows(sql: string): Promise<unknown[][]> {
  const r = await c.query({ text: sql, rowMode: 'array' });
  return r.rows as unknown[][];
}

const MVS: Record<string, string> = {
  ao_keyed: 'SELECT k, count(*) AS n, min(v) AS min_v, max(v) AS max_v, min(d) AS min_d, max(d) AS max_d, min(s) AS min_s, max(s) AS max_s, max(DISTINCT v) AS dmax FROM ao_ev GROUP BY k',
  ao_global: 'SELECT min(v) AS lo, max(v) AS hi, max(ts) AS last_ts FROM ao_ev WHERE v % 3 <> 0',
  ao_join: 'SELECT a.k, max(a.v + b.w) AS best, min(b.w) AS least FROM ao_ev a JOIN ao_ev2 b ON a.k = b.k GROUP BY a.k',
  ao_tumble: "SELECT window_start, max(v) AS max_v, min(s) AS min_s FROM TUMBLE(ao_ev, ts, INTERVAL '1 minute') GROUP BY window_start",
  ao_table: 'SELECT k, max(v) AS max_v, min(v) AS min_v FROM ao_t GROUP BY k',
};

async function assertMvsEqualQueries(when: string): Promise<void> {
  await c.query('FLUSH');
  for (const [name, q] of Object.entries(MVS)) {
    const mv = await rows(`SELECT * FROM ${name} ORDER BY 1`);
    const batch = await rows(`SELECT * FROM (${q}) x ORDER BY 1`);
    assert.ok(mv.length > 0, `${name} is not empty (${when})`);
    assert.deepEqual(mv, batch, `${name} equals its query (${when})`);
  }
}

let rng = new Rng(11);
const nums = ['1.5', '1.50', '-2', '-2.0', '7.25', '7.250'];
async function insertEpoch(n: number): Promise<void> {
  const ev: string[] = [];
  const ev2: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.next() * 5);
    const v = Math.floor(rng.next() * 1e6) - 5e5;
    const d = nums[Math.floor(rng.next() * nums.length)];
    const s = `s${Math.floor(rng.next() * 1000)}`;
    const ts = `TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '${Math.floor(rng.next() * 600)} seconds'`;
    ev.push(`(${k}, ${v}, ${d}, '${s}', ${ts})`);
    if (i % 10 === 0) ev2.push(`(${k}, ${Math.floor(rng.next() * 100)})`);
  }
  await c.query(`INSERT INTO ao_ev VALUES ${ev.join(',')}`);
  await c.query(`INSERT INTO ao_ev2 VALUES ${ev2.join(',')}`);
}

test('min/max MVs over append-only input equal their batch queries across epochs and a restart', async () => {
  await c.query('CREATE STREAM ao_ev (k INT, v BIGINT, d NUMERIC, s TEXT, ts TIMESTAMP)');
  await c.query('CREATE STREAM ao_ev2 (k INT, w INT)');
  await c.query('CREATE TABLE ao_t (id INT PRIMARY KEY, k INT, v INT)');
  for (const [name, q] of Object.entries(MVS)) await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${q}`);

  // The stream MVs' aggregates keep insert-only state; the table's keeps the value multiset.
  const explain = async (q: string) => (await rows(`EXPLAIN CREATE MATERIALIZED VIEW ao_x AS ${q}`)).map((r) => r[0] as string).join('\n');
  for (const name of ['ao_keyed', 'ao_global', 'ao_join', 'ao_tumble']) assert.match(await explain(MVS[name]), /HashAggregate \(.*append-only input\)/, name);
  assert.doesNotMatch(await explain(MVS.ao_table), /append-only/);

  for (let e = 0; e < 6; e++) await insertEpoch(300);
  await c.query('INSERT INTO ao_t VALUES ' + Array.from({ length: 40 }, (_, i) => `(${i}, ${i % 4}, ${(i * 37) % 101})`).join(','));
  await assertMvsEqualQueries('after 6 epochs');

  // Retractions on the table side: the maximum and minimum of a group go away.
  await c.query('DELETE FROM ao_t WHERE v > 90');
  await c.query('UPDATE ao_t SET v = v - 200 WHERE id % 7 = 0');
  await assertMvsEqualQueries('after table updates and deletes');

  // Restart: insert-only state is restored from the persisted operator state.
  first = server;
  await c.end();
  assert.equal(await server.stop(), 0);
  server = await EddyProcess.start({ dataDir: server.dataDir });
  c = await server.client();
  await assertMvsEqualQueries('after a restart');
  rng = new Rng(12);
  for (let e = 0; e < 4; e++) await insertEpoch(200);
  await c.query('DELETE FROM ao_t WHERE id % 5 = 1');
  await assertMvsEqualQueries('after more epochs since the restart');
});
