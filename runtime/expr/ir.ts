/**
 * The typed scalar IR the planner emits and compile.ts turns into closures once per plan.
 * Every node carries its result type; functions and operators are already resolved to their
 * implementations (no name lookup at run time).
 */
import type { SqlType } from '../sql/types.js';
import type { Value } from '../sql/values.js';
import type { EvalContext } from './eval-context.js';
import type { RelPlan } from '../plan/plan.js';

export type Volatility = 'immutable' | 'stable' | 'volatile';
export type ScalarImpl = (args: Value[], ctx: EvalContext) => Value;
export type BinaryImpl = (a: Value, b: Value) => Value;
export type UnaryImpl = (a: Value) => Value;
export type EqualsFn = (a: Value, b: Value) => boolean;
export type CompareFn = (a: Value, b: Value) => number;

export type ScalarExpr =
  | { kind: 'Column'; index: number; type: SqlType; name?: string; pos?: number }
  | { kind: 'Literal'; value: Value; type: SqlType }
  | { kind: 'Param'; index: number; type: SqlType }
  /** A resolved function call; strict = NULL in any argument gives NULL without calling impl. */
  /** volatility as PostgreSQL: immutable calls fold at plan time; stable ones are fixed within a statement; volatile ones change per call. */
  | { kind: 'Call'; name: string; impl: ScalarImpl; strict: boolean; volatility: Volatility; args: ScalarExpr[]; type: SqlType }
  /** A resolved binary operator (strict). */
  | { kind: 'BinaryOp'; op: string; impl: BinaryImpl; left: ScalarExpr; right: ScalarExpr; type: SqlType }
  /** A resolved unary operator or cast (strict). */
  | { kind: 'UnaryOp'; op: string; impl: UnaryImpl; arg: ScalarExpr; type: SqlType }
  | { kind: 'And'; args: ScalarExpr[]; type: SqlType }
  | { kind: 'Or'; args: ScalarExpr[]; type: SqlType }
  | { kind: 'Not'; arg: ScalarExpr; type: SqlType }
  | { kind: 'IsNull'; arg: ScalarExpr; negated: boolean; type: SqlType }
  | { kind: 'IsBool'; arg: ScalarExpr; value: boolean | null; negated: boolean; type: SqlType }
  | { kind: 'IsDistinct'; left: ScalarExpr; right: ScalarExpr; eq: EqualsFn; negated: boolean; type: SqlType }
  | { kind: 'Case'; whens: { cond: ScalarExpr; result: ScalarExpr }[]; else: ScalarExpr; type: SqlType }
  | { kind: 'Coalesce'; args: ScalarExpr[]; type: SqlType }
  | { kind: 'NullIf'; left: ScalarExpr; right: ScalarExpr; eq: EqualsFn; type: SqlType }
  | { kind: 'GreatestLeast'; greatest: boolean; args: ScalarExpr[]; cmp: CompareFn; type: SqlType }
  /** x IN (a, b, c): SQL three-valued semantics. */
  | { kind: 'InList'; arg: ScalarExpr; list: ScalarExpr[]; eq: EqualsFn; negated: boolean; type: SqlType }
  /**
   * A subquery (batch only). Uncorrelated (no `outer`): evaluated once per statement execution.
   * Correlated: `outer` are expressions over the enclosing row whose values the subplan reads as
   * OuterRef slots; it runs once per enclosing row. mode 'array' is ARRAY(subquery).
   */
  | { kind: 'Subquery'; mode: 'scalar' | 'exists' | 'array'; plan: RelPlan; negated: boolean; outer?: ScalarExpr[]; type: SqlType }
  | { kind: 'InSubquery'; arg: ScalarExpr; plan: RelPlan; eq: EqualsFn; negated: boolean; outer?: ScalarExpr[]; type: SqlType }
  /** Inside a correlated subquery's plan: the value of the enclosing row's `outer[slot]`. */
  | { kind: 'OuterRef'; slot: number; type: SqlType };

export function exprType(e: ScalarExpr): SqlType {
  return e.type;
}

/** Calls `fn` on every direct child expression. */
export function forEachChild(e: ScalarExpr, fn: (child: ScalarExpr) => void): void {
  switch (e.kind) {
    case 'Column': case 'Literal': case 'Param': case 'OuterRef': return;
    case 'Subquery': e.outer?.forEach(fn); return;
    case 'Call': case 'And': case 'Or': case 'Coalesce': case 'GreatestLeast': e.args.forEach(fn); return;
    case 'BinaryOp': case 'IsDistinct': case 'NullIf': fn(e.left); fn(e.right); return;
    case 'UnaryOp': case 'Not': case 'IsNull': case 'IsBool': fn(e.arg); return;
    case 'Case': for (const w of e.whens) { fn(w.cond); fn(w.result); } fn(e.else); return;
    case 'InList': fn(e.arg); e.list.forEach(fn); return;
    case 'InSubquery': fn(e.arg); e.outer?.forEach(fn); return;
  }
}

/** True if the expression contains a subquery (at any depth, not counting inside subquery plans). */
export function hasSubquery(e: ScalarExpr): boolean {
  if (e.kind === 'Subquery' || e.kind === 'InSubquery') return true;
  let found = false;
  forEachChild(e, (c) => { if (!found && hasSubquery(c)) found = true; });
  return found;
}

/** True if the expression reads no input column (it may still read params). */
export function isConstant(e: ScalarExpr): boolean {
  if (e.kind === 'Column') return false;
  if (e.kind === 'Subquery' || e.kind === 'InSubquery' || e.kind === 'OuterRef') return false;
  if (e.kind === 'Call' && e.volatility !== 'immutable') return false;
  let c = true;
  forEachChild(e, (ch) => { if (c && !isConstant(ch)) c = false; });
  return c;
}

/** Rewrites column indexes (e.g. when an expression moves above/below a projection). */
export type ColumnExpr = Extract<ScalarExpr, { kind: 'Column' }>;

export function mapColumns(e: ScalarExpr, fn: (col: ColumnExpr) => ScalarExpr): ScalarExpr {
  return e.kind === 'Column' ? fn(e) : mapChildren(e, (x) => mapColumns(x, fn));
}

/** The expression with each direct child replaced by fn(child) (leaves are returned as they are). */
export function mapChildren(e: ScalarExpr, fn: (x: ScalarExpr) => ScalarExpr): ScalarExpr {
  switch (e.kind) {
    case 'Column': case 'Literal': case 'Param': case 'OuterRef': return e;
    case 'Subquery': return e.outer ? { ...e, outer: e.outer.map(fn) } : e;
    case 'Call': return { ...e, args: e.args.map(fn) };
    case 'And': case 'Or': return { ...e, args: e.args.map(fn) };
    case 'Coalesce': return { ...e, args: e.args.map(fn) };
    case 'GreatestLeast': return { ...e, args: e.args.map(fn) };
    case 'BinaryOp': return { ...e, left: fn(e.left), right: fn(e.right) };
    case 'IsDistinct': return { ...e, left: fn(e.left), right: fn(e.right) };
    case 'NullIf': return { ...e, left: fn(e.left), right: fn(e.right) };
    case 'UnaryOp': return { ...e, arg: fn(e.arg) };
    case 'Not': return { ...e, arg: fn(e.arg) };
    case 'IsNull': return { ...e, arg: fn(e.arg) };
    case 'IsBool': return { ...e, arg: fn(e.arg) };
    case 'Case': return { ...e, whens: e.whens.map((w) => ({ cond: fn(w.cond), result: fn(w.result) })), else: fn(e.else) };
    case 'InList': return { ...e, arg: fn(e.arg), list: e.list.map(fn) };
    case 'InSubquery': return { ...e, arg: fn(e.arg), outer: e.outer?.map(fn) };
  }
}
