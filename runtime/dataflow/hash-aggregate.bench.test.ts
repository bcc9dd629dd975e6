/**
 * Micro-benchmark (no timing assertion): HashAggregate GROUP BY k, count(*), sum(v) over 10 k
 * integer keys, rows pre-built, 10 k-row batches (PERFORMANCE.md T2c: >= 2 M rows/s). Logs the
 * operator's rate and, as a same-run anchor, a hand-written loop doing only the essential work
 * (including emitting the same retraction/insertion rows). Run it alone for a meaningful figure:
 * node --test dist/runtime/dataflow/hash-aggregate.bench.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveAggregate } from '../expr/aggregates/registry.js';
import { T } from '../sql/types.js';
import type { Row } from '../sql/values.js';
import type { ChangeBatch } from './change-batch.js';
import { testCtx } from '../../tests/support/dbsp-harness.js';
import { HashAggregate } from './operators/hash-aggregate.js';

/** CPU time of this process (user + system), in ms: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const KEYS = 10_000;
const BATCH = 10_000;
const BATCHES = 40;

function makeBatches(): ChangeBatch[] {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const out: ChangeBatch[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const rows: Row[] = [];
    const weights: number[] = [];
    for (let i = 0; i < BATCH; i++) {
      rows.push([Math.floor(rnd() * KEYS), Math.floor(rnd() * 1000)]);
      weights.push(1);
    }
    out.push({ rows, weights });
  }
  return out;
}

function runOperator(batches: ChangeBatch[]): { ms: number; outRows: number } {
  const op = new HashAggregate({
    groupKeys: [(r) => r[0]],
    keyTypes: [T.int4],
    aggregates: [
      { agg: resolveAggregate('count', [])!, args: [], distinct: false },
      { agg: resolveAggregate('sum', [T.int4])!, args: [(r) => r[1]], distinct: false },
    ],
  });
  const ctx = testCtx();
  let outRows = 0;
  const t0 = cpuMs();
  for (const b of batches) outRows += op.push(0, b, ctx).rows.length;
  return { ms: cpuMs() - t0, outRows };
}

/**
 * The essential work by hand: Map lookup, count and sum, and per touched group per batch the
 * retraction of the old output row and the insertion of a new one (bigint results, as int8 is).
 */
function runBaseline(batches: ChangeBatch[]): number {
  const groups = new Map<number, { n: number; s: number; stamp: number; out: Row | null }>();
  const touched: { n: number; s: number; stamp: number; out: Row | null }[] = [];
  let stamp = 0;
  let emitted = 0;
  const t0 = cpuMs();
  for (const { rows, weights } of batches) {
    stamp++;
    for (let i = 0; i < rows.length; i++) {
      const k = rows[i][0] as number;
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = { n: 0, s: 0, stamp: 0, out: null }));
      if (g.stamp !== stamp) {
        g.stamp = stamp;
        touched.push(g);
      }
      g.n += weights[i];
      g.s += (rows[i][1] as number) * weights[i];
    }
    const outRows: Row[] = [];
    const outWeights: number[] = [];
    for (const g of touched) {
      if (g.out !== null) {
        outRows.push(g.out);
        outWeights.push(-1);
      }
      g.out = [g.out === null ? 0 : g.out[0], BigInt(g.n), BigInt(g.s)];
      outRows.push(g.out);
      outWeights.push(1);
    }
    touched.length = 0;
    emitted += outRows.length;
  }
  assert.ok(emitted > 0);
  return cpuMs() - t0;
}

test('bench: HashAggregate count+sum over 10k int keys', (t) => {
  const batches = makeBatches();
  runOperator(batches); // warm-up
  runBaseline(batches);
  const rates: number[] = [];
  const baseRates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { ms, outRows } = runOperator(batches);
    assert.ok(outRows > 0);
    rates.push((BATCH * BATCHES) / (ms / 1000));
    baseRates.push((BATCH * BATCHES) / (runBaseline(batches) / 1000));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const op = median(rates);
  const base = median(baseRates);
  const line = `HashAggregate count+sum, 10k int keys: ${(op / 1e6).toFixed(2)} M rows per CPU-second (median of 3); hand-written loop (same output): ${(base / 1e6).toFixed(2)} M; ratio ${(op / base).toFixed(2)}`;
  t.diagnostic(line);
  console.log(line);
});
