import { SqlRecord } from '../../sql/record.js';
import type { Row, Value } from '../../sql/values.js';
import type { ChangeBatch } from '../change-batch.js';
import type { CompiledExpr, Operator, OperatorContext } from '../operator.js';

/** One set-returning function of a select list: its compiled arguments and its rows for given argument values. */
export interface SetFunction {
  args: readonly CompiledExpr[];
  rows: (args: Value[]) => Row[];
  /** A multi-column function: each output is one record value. */
  record: boolean;
}

/**
 * PostgreSQL's ProjectSet for one input row: the functions' rows zipped (the longest decides,
 * shorter ones pad with NULL), each output the input row plus one column per function. Shared by
 * the batch executor and the incremental operator, so both give the same rows.
 */
export function projectSetRows(row: Row, fns: readonly SetFunction[]): Row[] {
  const sets = fns.map((f) => f.rows(f.args.map((a) => a(row))));
  let n = 0;
  for (const s of sets) if (s.length > n) n = s.length;
  const out: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = row.slice();
    for (let k = 0; k < sets.length; k++) {
      const s = sets[k];
      r.push(i < s.length ? (fns[k].record ? new SqlRecord(s[i]) : s[i][0]) : null);
    }
    out.push(r);
  }
  return out;
}

/**
 * ProjectSet (set-returning functions in a select list, e.g. `SELECT x, generate_series(1, x)`):
 * every input change becomes the change of each row the functions produce for it, with its
 * weight. Stateless: the functions are deterministic, so a retraction retracts the same rows.
 * A row whose evaluation throws is reported and dropped.
 */
export class ProjectSet implements Operator {
  readonly arity = 1;
  constructor(private readonly fns: readonly SetFunction[]) {}

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const outRows: Row[] = [];
    const outWeights: number[] = [];
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i];
      let expanded: Row[];
      try {
        expanded = projectSetRows(row, this.fns);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      for (const r of expanded) {
        outRows.push(r);
        outWeights.push(batch.weights[i]);
      }
    }
    return { rows: outRows, weights: outWeights };
  }
}
