import type { ChangeBatch } from '../change-batch.js';
import type { Operator } from '../operator.js';

/**
 * UnionAll: the bag union of its `arity` inputs; every port's changes pass through unchanged.
 *
 *   port 0: [(a, +1)], port 1: [(a, +1), (b, -1)]  ->  [(a, +1)] then [(a, +1), (b, -1)]
 */
export class UnionAll implements Operator {
  constructor(readonly arity: number) {}

  push(_port: number, batch: ChangeBatch): ChangeBatch {
    return batch;
  }
}
