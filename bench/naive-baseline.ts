/**
 * The naive baseline for ingest + GROUP BY: no incremental maintenance at all. better-sqlite3 on
 * a temp file (WAL, synchronous=NORMAL like Eddy's default), each batch inserted in one
 * transaction, then the whole `SELECT k, count(*), sum(v) FROM ev GROUP BY k` re-run so the
 * "view" is current after every batch, as an MV is.
 *
 * Recomputing over the whole history gets slower as history grows, so the run is capped by
 * time. When the cap stops it early, the full-run rate is extrapolated: the time of the batches
 * it did is kept as measured, and the remaining batches are predicted from a least-squares fit
 * of per-batch time = a + b * (rows already inserted) over the later half of the measured
 * batches (the early ones sit below the linear regime while everything is in cache). Both the
 * measured and the extrapolated figures are reported, and the notes say which the ratio uses.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Workload } from './workload.js';

export interface NaiveOptions {
  /** Stop after this many seconds of work and extrapolate. */
  capSeconds: number;
}

export interface NaiveResult {
  /** Rows actually inserted (and aggregated after each batch) before the cap. */
  rowsDone: number;
  batchesDone: number;
  secondsDone: number;
  /** Process CPU (user+system) seconds over the rows it did. */
  cpuSecondsDone: number;
  /** rowsDone / secondsDone: optimistic for the full run, since later batches cost more. */
  measuredRowsPerSec: number;
  /** Whether the cap stopped the run before all rows were inserted. */
  capped: boolean;
  /** The full run's rate: measured when not capped, else from the linear fit. */
  fullRunRowsPerSec: number;
  /** The linear fit of per-batch ms against rows already inserted, over the later half of the measured batches (when capped). */
  fit?: { msAtZero: number; msPerMillionRows: number };
  /** Per-batch ms (insert + recompute) of the first and the last measured batch. */
  firstBatchMs: number;
  lastBatchMs: number;
}

export function runNaiveBaseline(w: Workload, opts: NaiveOptions): NaiveResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-naive-'));
  const db = new Database(path.join(dir, 'naive.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE ev (k INTEGER, v INTEGER)');
    const insert = db.prepare('INSERT INTO ev (k, v) VALUES (?, ?)');
    const query = db.prepare('SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k').raw();
    const insertBatch = db.transaction((start: number, end: number) => {
      for (let i = start; i < end; i++) insert.run(w.k[i], w.v[i]);
    });

    const batchMs: number[] = [];
    const historyAt: number[] = [];
    let rowsDone = 0;
    let lastResult: unknown[][] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const [start, end] of w.batches) {
      const s = performance.now();
      insertBatch(start, end);
      lastResult = query.all() as unknown[][];
      batchMs.push(performance.now() - s);
      historyAt.push(rowsDone);
      rowsDone += end - start;
      if ((performance.now() - t0) / 1000 >= opts.capSeconds) break;
    }
    const secondsDone = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);

    // the recompute's last answer must account for every row inserted so far
    let n = 0;
    for (const r of lastResult) n += Number(r[1]);
    if (n !== rowsDone) throw new Error(`naive baseline: GROUP BY counted ${n} rows, expected ${rowsDone}`);

    const capped = rowsDone < w.cfg.rows;
    const measuredRowsPerSec = rowsDone / secondsDone;
    let fullRunRowsPerSec = measuredRowsPerSec;
    let fit: NaiveResult['fit'];
    if (capped) {
      const half = Math.floor(batchMs.length / 2);
      const { a, b } = linearFit(historyAt.slice(half), batchMs.slice(half));
      fit = { msAtZero: a, msPerMillionRows: b * 1e6 };
      let totalMs = batchMs.reduce((x, y) => x + y, 0);
      let history = rowsDone;
      const lastMs = batchMs[batchMs.length - 1];
      for (const [start, end] of w.batches.slice(batchMs.length)) {
        // never predict a batch cheaper than the last measured one: history only grows
        totalMs += Math.max(lastMs, a + b * history);
        history += end - start;
      }
      fullRunRowsPerSec = w.cfg.rows / (totalMs / 1000);
    }
    return {
      rowsDone,
      batchesDone: batchMs.length,
      secondsDone,
      cpuSecondsDone: (cpu.user + cpu.system) / 1e6,
      measuredRowsPerSec,
      capped,
      fullRunRowsPerSec,
      fit,
      firstBatchMs: batchMs[0],
      lastBatchMs: batchMs[batchMs.length - 1],
    };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Least-squares y = a + b x. */
function linearFit(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  if (n < 2) return { a: ys[0] ?? 0, b: 0 };
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
    sxx += xs[i] * xs[i];
    sxy += xs[i] * ys[i];
  }
  const d = n * sxx - sx * sx;
  if (d === 0) return { a: sy / n, b: 0 };
  const b = (n * sxy - sx * sy) / d;
  return { a: (sy - b * sx) / n, b };
}
