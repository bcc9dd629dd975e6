import type { Row } from '../sql/values.js';
import type { CompiledExpr, OperatorContext } from './operator.js';

/**
 * Whether a joined row passes the join's residual condition (non-equi part of ON). An error
 * evaluating it is reported for that row (eddy_errors) and counts as no match, as in a Filter.
 */
export function passesResidual(residual: CompiledExpr, joined: Row, ctx: OperatorContext): boolean {
  try {
    return residual(joined) === true;
  } catch (e) {
    ctx.reportRowError(e, joined);
    return false;
  }
}
