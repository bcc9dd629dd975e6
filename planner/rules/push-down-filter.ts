/**
 * Moves WHERE conjuncts into joins: equalities between the two sides become hash-join keys,
 * single-side conjuncts move below the join. Turns `FROM a, b WHERE a.x = b.y` from a cross
 * join into a hash join, which matters most for incremental plans.
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { hasSubquery, mapColumns } from '../../runtime/expr/ir.js';
import { T } from '../../runtime/sql/types.js';
import { columnsUsed, conjuncts } from './columns.js';

function and(xs: ScalarExpr[]): ScalarExpr | undefined {
  if (xs.length === 0) return undefined;
  if (xs.length === 1) return xs[0];
  return { kind: 'And', args: xs, type: T.bool };
}

function withFilter(p: RelPlan, preds: ScalarExpr[]): RelPlan {
  const pred = and(preds);
  if (!pred) return p;
  if (p.kind === 'Join') return pushDownFilter({ kind: 'Filter', input: p, predicate: pred, fields: p.fields });
  return { kind: 'Filter', input: p, predicate: pred, fields: p.fields };
}

/** Applies to a Filter directly above a Join; returns the plan unchanged otherwise. */
export function pushDownFilter(plan: RelPlan): RelPlan {
  if (plan.kind !== 'Filter' || plan.input.kind !== 'Join') return plan;
  const join = plan.input;
  const leftWidth = join.left.fields.length;
  const preds = conjuncts(plan.predicate);
  const toLeft: ScalarExpr[] = [];
  const toRight: ScalarExpr[] = [];
  const intoJoin: ScalarExpr[] = [];
  const stay: ScalarExpr[] = [];
  const inner = join.joinType === 'inner';
  for (const p of preds) {
    const cols = columnsUsed(p);
    const usesLeft = [...cols].some((c) => c < leftWidth);
    const usesRight = [...cols].some((c) => c >= leftWidth);
    if (hasSubquery(p) || cols.size === 0) stay.push(p);
    else if (!usesRight && (inner || join.joinType === 'left')) toLeft.push(p);
    else if (!usesLeft && (inner || join.joinType === 'right')) toRight.push(rebase(p, leftWidth));
    else if (inner) intoJoin.push(p);
    else stay.push(p);
  }
  if (toLeft.length + toRight.length + intoJoin.length === 0) return plan;
  const leftKeys = [...join.leftKeys];
  const rightKeys = [...join.rightKeys];
  const residual: ScalarExpr[] = join.residual ? [join.residual] : [];
  for (const p of intoJoin) {
    const k = splitEquiKey(p, leftWidth);
    if (k) {
      leftKeys.push(k[0]);
      rightKeys.push(k[1]);
    } else residual.push(p);
  }
  const newJoin: RelPlan = {
    ...join,
    left: withFilter(join.left, toLeft),
    right: withFilter(join.right, toRight),
    leftKeys,
    rightKeys,
    residual: and(residual),
  };
  const rest = and(stay);
  return rest ? { kind: 'Filter', input: newJoin, predicate: rest, fields: plan.fields } : newJoin;
}

/**
 * If `p` is `l = r` with l over the left side only and r over the right side only (or reversed),
 * returns [leftKey, rightKey] with the right key re-based onto the right input.
 */
export function splitEquiKey(p: ScalarExpr, leftWidth: number): [ScalarExpr, ScalarExpr] | undefined {
  if (p.kind !== 'BinaryOp' || p.op !== '=') return undefined;
  if (p.left.type.id !== p.right.type.id) return undefined;
  const lc = [...columnsUsed(p.left)];
  const rc = [...columnsUsed(p.right)];
  if (lc.length === 0 || rc.length === 0) return undefined;
  if (lc.every((c) => c < leftWidth) && rc.every((c) => c >= leftWidth)) return [p.left, rebase(p.right, leftWidth)];
  if (rc.every((c) => c < leftWidth) && lc.every((c) => c >= leftWidth)) return [p.right, rebase(p.left, leftWidth)];
  return undefined;
}

export function rebase(e: ScalarExpr, by: number): ScalarExpr {
  return mapColumns(e, (c) => ({ ...c, index: c.index - by }));
}
