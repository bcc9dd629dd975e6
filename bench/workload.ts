/**
 * The ingest workload shared by every ingest benchmark, so all of them see identical input:
 * `rows` events (k INT, v BIGINT) with k uniform over 1..keys and v uniform over 0..999, from a
 * seeded PRNG, cut into batches of `batchRows`. Also computes the expected per-key aggregate
 * (count, sum) so each benchmark can verify its result instead of trusting its timing.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Rng } from '../tests/support/rng.js';

export const STREAM_DDL = 'CREATE STREAM ev (k INT, v BIGINT)';
export const MV_QUERY = 'SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k';
export const MV_DDL = `CREATE MATERIALIZED VIEW agg AS ${MV_QUERY}`;

export interface WorkloadConfig {
  rows: number;
  keys: number;
  batchRows: number;
  seed: number;
}

export interface Workload {
  cfg: WorkloadConfig;
  /** Column k of every row (1..keys). */
  k: Int32Array;
  /** Column v of every row (0..999). */
  v: Int32Array;
  /** [start, end) row ranges of the batches. */
  batches: [number, number][];
  /** Expected aggregate per key (index = k). */
  expectedCount: Float64Array;
  expectedSum: Float64Array;
  expectedTotalSum: bigint;
  distinctKeys: number;
}


export function makeWorkload(cfg: WorkloadConfig): Workload {
  const rng = new Rng(cfg.seed);
  const rnd = () => rng.next();
  const k = new Int32Array(cfg.rows);
  const v = new Int32Array(cfg.rows);
  const expectedCount = new Float64Array(cfg.keys + 1);
  const expectedSum = new Float64Array(cfg.keys + 1);
  let total = 0;
  for (let i = 0; i < cfg.rows; i++) {
    const key = 1 + Math.floor(rnd() * cfg.keys);
    const val = Math.floor(rnd() * 1000);
    k[i] = key;
    v[i] = val;
    expectedCount[key]++;
    expectedSum[key] += val;
    total += val;
  }
  const batches: [number, number][] = [];
  for (let s = 0; s < cfg.rows; s += cfg.batchRows) batches.push([s, Math.min(cfg.rows, s + cfg.batchRows)]);
  let distinctKeys = 0;
  for (let key = 1; key <= cfg.keys; key++) if (expectedCount[key] > 0) distinctKeys++;
  return { cfg, k, v, batches, expectedCount, expectedSum, expectedTotalSum: BigInt(total), distinctKeys };
}

/** `INSERT INTO ev VALUES (k,v),...` for one batch. */
export function insertSql(w: Workload, [start, end]: [number, number]): string {
  const parts: string[] = new Array(end - start);
  for (let i = start; i < end; i++) parts[i - start] = `(${w.k[i]},${w.v[i]})`;
  return `INSERT INTO ev VALUES ${parts.join(',')}`;
}

/**
 * Compares an MV's rows (k, n, s as anything whose String() is the integer) with the expected
 * aggregate. Returns a list of problems (empty = correct); stops after a few.
 */
export function verifyAggregate(w: Workload, rows: Iterable<[unknown, unknown, unknown]>): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  let totalN = 0n;
  let totalS = 0n;
  for (const [kv, nv, sv] of rows) {
    const key = Number(kv);
    const n = BigInt(String(nv));
    const s = BigInt(String(sv));
    totalN += n;
    totalS += s;
    seen.add(key);
    if (problems.length < 5 && (n !== BigInt(w.expectedCount[key] ?? -1) || s !== BigInt(w.expectedSum[key] ?? -1))) {
      problems.push(`key ${key}: got n=${n} s=${s}, expected n=${w.expectedCount[key]} s=${w.expectedSum[key]}`);
    }
  }
  if (seen.size !== w.distinctKeys) problems.push(`got ${seen.size} groups, expected ${w.distinctKeys}`);
  if (totalN !== BigInt(w.cfg.rows)) problems.push(`sum of n = ${totalN}, expected ${w.cfg.rows}`);
  if (totalS !== w.expectedTotalSum) problems.push(`sum of s = ${totalS}, expected ${w.expectedTotalSum}`);
  return problems;
}

/** Reads user+system CPU seconds of a process from /proc (Linux); undefined elsewhere. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const stat = readFileSyncSafe(`/proc/${pid}/stat`);
    if (!stat) return undefined;
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}


function readFileSyncSafe(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
