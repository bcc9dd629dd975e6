import type { Row } from '../sql/values.js';
import { encodeRow } from '../storage/value-codec.js';

/**
 * Operators never mutate the batches or rows they receive (a batch may feed several operators);
 * they build new output batches and may pass an input batch through unchanged.
 *
 * A batch of changes: row i is inserted weights[i] times (weight > 0) or retracted
 * -weights[i] times (weight < 0). Batches are the unit every operator consumes and produces.
 */
export interface ChangeBatch {
  rows: Row[];
  weights: number[];
}

export const emptyBatch = (): ChangeBatch => ({ rows: [], weights: [] });

export function pushChange(batch: ChangeBatch, row: Row, weight: number): void {
  batch.rows.push(row);
  batch.weights.push(weight);
}

export function concatBatches(a: ChangeBatch, b: ChangeBatch): ChangeBatch {
  if (a.rows.length === 0) return b;
  if (b.rows.length === 0) return a;
  return { rows: a.rows.concat(b.rows), weights: a.weights.concat(b.weights) };
}

/**
 * Sums the weights of identical rows (row-identity.ts) and drops rows whose weights cancel:
 * [(a,+1), (b,+1), (a,-1)] -> [(b,+1)]. Order: first occurrence. Costs one encodeRow per row, so
 * operators use it only where cancellation is likely; tests use it to compare outputs.
 */
export function consolidate(batch: ChangeBatch): ChangeBatch {
  const n = batch.rows.length;
  if (n === 0) return batch;
  const at = new Map<string, number>();
  const rows: Row[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const w = batch.weights[i];
    if (w === 0) continue;
    const k = encodeRow(batch.rows[i]);
    const j = at.get(k);
    if (j === undefined) {
      at.set(k, rows.length);
      rows.push(batch.rows[i]);
      weights.push(w);
    } else weights[j] += w;
  }
  let m = 0;
  for (let i = 0; i < rows.length; i++) {
    if (weights[i] !== 0) {
      rows[m] = rows[i];
      weights[m] = weights[i];
      m++;
    }
  }
  rows.length = m;
  weights.length = m;
  return { rows, weights };
}

/** Appends `src` to `dst` in place (dst must be a batch this operator owns). */
export function appendBatch(dst: ChangeBatch, src: ChangeBatch): void {
  const n = src.rows.length;
  for (let i = 0; i < n; i++) {
    dst.rows.push(src.rows[i]);
    dst.weights.push(src.weights[i]);
  }
}
