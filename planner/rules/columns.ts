import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { forEachChild } from '../../runtime/expr/ir.js';

/** The input column indexes an expression reads. */
export function columnsUsed(e: ScalarExpr, out: Set<number> = new Set()): Set<number> {
  if (e.kind === 'Column') out.add(e.index);
  else forEachChild(e, (c) => columnsUsed(c, out));
  return out;
}

/** Splits an AND tree into its conjuncts. */
export function conjuncts(e: ScalarExpr): ScalarExpr[] {
  return e.kind === 'And' ? e.args.flatMap(conjuncts) : [e];
}
