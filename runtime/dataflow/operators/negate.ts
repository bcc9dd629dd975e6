import type { ChangeBatch } from '../change-batch.js';
import type { Operator } from '../operator.js';

/**
 * Negate: flips every weight (for EXCEPT ALL as UnionAll(left, Negate(right)) + clamping).
 *
 *   [(a, +1), (b, -2)]  ->  [(a, -1), (b, +2)]
 */
export class Negate implements Operator {
  readonly arity = 1;

  push(_port: number, batch: ChangeBatch): ChangeBatch {
    const n = batch.weights.length;
    const weights = new Array<number>(n);
    for (let i = 0; i < n; i++) weights[i] = -batch.weights[i];
    return { rows: batch.rows, weights };
  }
}
