import type { Row } from '../sql/values.js';

/**
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
