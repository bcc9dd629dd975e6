import type { Row } from '../../sql/values.js';
import type { ChangeBatch } from '../change-batch.js';
import type { CompiledExpr, Operator, OperatorContext } from '../operator.js';

/**
 * Filter: keeps the changes whose row satisfies the predicate (=== true; NULL and false drop it).
 * Stateless; weights pass through. A predicate that throws reports the row and drops it.
 *
 *   predicate x > 1:  [(1, +1), (2, +1), (3, -1)]  ->  [(2, +1), (3, -1)]
 */
export class Filter implements Operator {
  readonly arity = 1;
  constructor(private readonly predicate: CompiledExpr) {}

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    const pred = this.predicate;
    const outRows: Row[] = [];
    const outWeights: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      let keep: unknown;
      try {
        keep = pred(row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      if (keep === true) {
        outRows.push(row);
        outWeights.push(weights[i]);
      }
    }
    if (outRows.length === rows.length) return batch;
    return { rows: outRows, weights: outWeights };
  }
}
