/**
 * The invariant that matters most: for seeded random sequences of inserts, updates and deletes
 * into streams and tables, every MV equals its defining query run ad hoc over the same input,
 * and the ad-hoc answer equals PostgreSQL's over the same rows.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { Rng } from '../support/rng.js';
import { connectPostgres } from '../support/postgres.js';

const SEEDS = Number(process.env.EDDY_EQUIV_SEEDS ?? 20);
let server: EddyProcess;
let eddy: pg.Client;
let postgres: pg.Client | undefined;

before(async () => {
  server = await EddyProcess.start();
  eddy = await server.client();
  postgres = await connectPostgres();
});

after(async () => {
  await eddy?.end().catch(() => undefined);
  await postgres?.end().catch(() => undefined);
  await server?.cleanup();
});

function views(s: string): Record<string, string> {
  return {
    [`agg_${s}`]: `SELECT g, count(*) AS n, sum(v) AS sv, min(v) AS mn, max(v) AS mx, avg(amt) AS av, count(amt) AS ca FROM ev_${s} GROUP BY g`,
    [`joinagg_${s}`]: `SELECT d.cat, count(*) AS n, sum(e.v) AS sv FROM ev_${s} e JOIN dim_${s} d ON e.k = d.id GROUP BY d.cat HAVING count(*) > 1`,
    [`leftj_${s}`]: `SELECT e.k, e.v, d.cat, d.w FROM ev_${s} e LEFT JOIN dim_${s} d ON e.k = d.id WHERE e.v > 50`,
    [`dist_${s}`]: `SELECT DISTINCT b FROM bag_${s}`,
    [`mvmv_${s}`]: `SELECT count(*) AS groups, sum(n) AS total, max(mx) AS mx FROM agg_${s}`,
    [`glob_${s}`]: `SELECT count(*) AS n, sum(w) AS sw, min(w) AS mn, max(w) AS mx, bool_or(w > 5) AS any5, bool_and(w > 0) AS allpos FROM dim_${s}`,
    [`union_${s}`]: `SELECT a AS x FROM bag_${s} UNION ALL SELECT k FROM ev_${s} WHERE k < 3`,
    [`cdist_${s}`]: `SELECT b, count(DISTINCT a) AS da, count(*) AS n FROM bag_${s} GROUP BY b`,
    [`case_${s}`]: `SELECT CASE WHEN v % 2 = 0 THEN 'even' ELSE 'odd' END AS parity, coalesce(g, 'none') AS g, count(*) AS n FROM ev_${s} GROUP BY 1, 2`,
    [`dimjoin_${s}`]: `SELECT d.id, d.cat, b.b FROM dim_${s} d JOIN bag_${s} b ON d.w = b.a`,
  };
}

function norm(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

async function all(c: pg.Client, sql: string): Promise<unknown[][]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
}

async function both(sql: string): Promise<void> {
  await eddy.query(sql);
  if (postgres) await postgres.query(sql);
}

for (let seed = 1; seed <= SEEDS; seed++) {
  test(`seed ${seed}: every MV equals its query run as a batch`, async () => {
    const rng = new Rng(seed * 7919);
    const s = `s${seed}`;
    if (postgres) {
      for (const t of [`ev_${s}`, `dim_${s}`, `bag_${s}`]) await postgres.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
    await eddy.query(`CREATE STREAM ev_${s} (k INT, g TEXT, v BIGINT, amt NUMERIC(10,2))`);
    if (postgres) await postgres.query(`CREATE TABLE ev_${s} (k INT, g TEXT, v BIGINT, amt NUMERIC(10,2))`);
    await both(`CREATE TABLE dim_${s} (id INT PRIMARY KEY, cat TEXT, w INT)`);
    await both(`CREATE TABLE bag_${s} (a INT, b TEXT)`);
    const defs = views(s);
    // Create half the MVs before any data (pure incremental) and half after some data (backfill).
    const names = Object.keys(defs);
    const early = names.filter((_, i) => i % 2 === 0 || names[i].startsWith('agg_'));
    const late = names.filter((n) => !early.includes(n));
    for (const n of early) await eddy.query(`CREATE MATERIALIZED VIEW ${n} AS ${defs[n]}`);
    const groups = ['a', 'b', 'c', 'd', null];
    const cats = ['x', 'y', 'z'];
    const steps = rng.int(15, 30);
    for (let step = 0; step < steps; step++) {
      if (step === Math.floor(steps / 2)) for (const n of late) await eddy.query(`CREATE MATERIALIZED VIEW ${n} AS ${defs[n]}`);
      const op = rng.int(0, 9);
      if (op <= 3) {
        const vals: string[] = [];
        const n = rng.int(1, 40);
        for (let i = 0; i < n; i++) {
          const g = rng.pick(groups);
          const amt = rng.chance(0.2) ? 'NULL' : (rng.int(-10000, 10000) / 100).toFixed(2);
          vals.push(`(${rng.int(0, 12)}, ${g === null ? 'NULL' : `'${g}'`}, ${rng.int(-100, 200)}, ${amt})`);
        }
        await both(`INSERT INTO ev_${s} VALUES ${vals.join(', ')}`);
      } else if (op <= 5) {
        const id = rng.int(0, 12);
        await both(`INSERT INTO dim_${s} VALUES (${id}, '${rng.pick(cats)}', ${rng.int(-3, 9)}) ON CONFLICT (id) DO UPDATE SET cat = excluded.cat, w = excluded.w`);
      } else if (op === 6) {
        await both(`UPDATE dim_${s} SET w = w + ${rng.int(-2, 2)} WHERE id % ${rng.int(2, 4)} = 0`);
      } else if (op === 7) {
        await both(`DELETE FROM dim_${s} WHERE id = ${rng.int(0, 12)} OR w < ${rng.int(-3, 1)}`);
      } else if (op === 8) {
        const vals: string[] = [];
        for (let i = rng.int(1, 8); i > 0; i--) vals.push(`(${rng.int(-3, 9)}, '${rng.pick(['p', 'q', 'r'])}')`);
        await both(`INSERT INTO bag_${s} VALUES ${vals.join(', ')}`);
      } else {
        await both(`DELETE FROM bag_${s} WHERE a = ${rng.int(-3, 9)}`);
      }
      if (rng.chance(0.3)) {
        const n = rng.pick(names.filter((x) => early.includes(x) || step >= Math.floor(steps / 2)));
        assert.deepEqual(norm(await all(eddy, `SELECT * FROM ${n}`)), norm(await all(eddy, defs[n])), `${n} after step ${step}`);
      }
    }
    await eddy.query('FLUSH');
    for (const n of names) {
      const mv = norm(await all(eddy, `SELECT * FROM ${n}`));
      const adhoc = norm(await all(eddy, defs[n]));
      assert.deepEqual(mv, adhoc, `MV ${n} differs from its query (seed ${seed})`);
      if (postgres && !n.startsWith('mvmv_')) {
        const ref = norm(await all(postgres, defs[n]));
        assert.deepEqual(adhoc, ref, `ad-hoc ${n} differs from PostgreSQL (seed ${seed})`);
      }
    }
  });
}
