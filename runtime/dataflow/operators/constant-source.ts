import type { Row } from '../../sql/values.js';
import type { ChangeBatch } from '../change-batch.js';
import type { Operator } from '../operator.js';

/**
 * A constant relation (VALUES, or SELECT without FROM) inside a dataflow: its rows appear once,
 * at creation, and never change.
 *   init() -> [(1, 'a'), +1], [(2, 'b'), +1];  push: never called (no inputs)
 */
export class ConstantSource implements Operator {
  readonly arity = 0;
  constructor(private readonly rows: Row[]) {}

  init(): ChangeBatch {
    return { rows: this.rows.slice(), weights: this.rows.map(() => 1) };
  }

  push(): ChangeBatch {
    return { rows: [], weights: [] };
  }
}
