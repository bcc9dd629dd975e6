import type { Row } from '../../sql/values.js';
import type { ChangeBatch } from '../change-batch.js';
import type { CompiledExpr, Operator, OperatorContext } from '../operator.js';

/**
 * Project: maps every row through the expressions; weights pass through. Stateless. A row whose
 * evaluation throws is reported and dropped (for both its insertion and its retraction, as the
 * expressions are deterministic).
 *
 *   exprs [a + 1, b]:  [((1, 'x'), +1), ((2, 'y'), -1)]  ->  [((2, 'x'), +1), ((3, 'y'), -1)]
 */
export class Project implements Operator {
  readonly arity = 1;
  constructor(private readonly exprs: readonly CompiledExpr[]) {}

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    const exprs = this.exprs;
    const width = exprs.length;
    const outRows: Row[] = [];
    const outWeights: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const out: Row = new Array(width);
      try {
        for (let j = 0; j < width; j++) out[j] = exprs[j](row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      outRows.push(out);
      outWeights.push(weights[i]);
    }
    return { rows: outRows, weights: outWeights };
  }
}
