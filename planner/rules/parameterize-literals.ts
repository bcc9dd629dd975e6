/**
 * Simple-protocol clients inline values into the SQL text (`... WHERE k = 42`), so every
 * statement text differs and a plan cache keyed by text never hits (PERFORMANCE.md lesson 7).
 * This rewrites `column = literal` conjuncts of a single SELECT's WHERE into parameters and
 * returns a key for the statement's shape: statements differing only in those literals share
 * one plan. The caller checks that each parameter's inferred type accepts its literal and
 * falls back to planning the original statement otherwise.
 */
import type { Expr, Query } from '../../parser/ast.js';

export interface ParameterizedQuery {
  query: Query;
  /** The replaced literals in parameter order ($1 = literals[0]). */
  literals: { text: string; kind: 'integer' | 'decimal' | 'string' }[];
  /** Identifies the statement's shape: equal keys, same plan. */
  shapeKey: string;
}

export function parameterizeLiterals(q: Query): ParameterizedQuery | undefined {
  if (q.kind !== 'Select' || !q.where || q.with) return undefined;
  const literals: ParameterizedQuery['literals'] = [];
  const rewrite = (e: Expr): Expr => {
    if (e.kind !== 'Binary') return e;
    if (e.op === 'AND') return { ...e, left: rewrite(e.left), right: rewrite(e.right) };
    if (e.op !== '=') return e;
    const lit = (x: Expr) => x.kind === 'Literal' && (x.literal === 'integer' || x.literal === 'decimal' || x.literal === 'string');
    const param = (x: Expr): Expr => {
      const l = x as Extract<Expr, { kind: 'Literal' }>;
      literals.push({ text: String(l.value), kind: l.literal as 'integer' | 'decimal' | 'string' });
      return { kind: 'Param', index: literals.length, pos: l.pos };
    };
    if (e.left.kind === 'ColumnRef' && lit(e.right)) return { ...e, right: param(e.right) };
    if (e.right.kind === 'ColumnRef' && lit(e.left)) return { ...e, left: param(e.left) };
    return e;
  };
  const where = rewrite(q.where);
  if (literals.length === 0) return undefined;
  const query: Query = { ...q, where };
  // The literals' kinds are part of the shape: `t = 'x'` and `t = 5` type-check differently.
  const shapeKey = literals.map((l) => l.kind[0]).join('') + JSON.stringify(query, (k, v) => (k === 'pos' ? undefined : v));
  return { query, literals, shapeKey };
}
