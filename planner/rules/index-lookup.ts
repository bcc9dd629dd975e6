/**
 * Turns `Filter(Scan(mv or table), key_col = const AND ...)` into an index lookup when the
 * equalities cover the relation's key: a point query by an MV's key never scans.
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { T } from '../../runtime/sql/types.js';
import { conjuncts } from './columns.js';

export type KeyOf = (source: Extract<RelPlan, { kind: 'Scan' }>['source']) => number[] | null;

export function useIndexLookups(plan: RelPlan, keyOf: KeyOf): RelPlan {
  const rec = (p: RelPlan): RelPlan => {
    switch (p.kind) {
      case 'Filter': {
        const input = rec(p.input);
        if (input.kind === 'Scan' && (input.source.kind === 'mv' || input.source.kind === 'table')) {
          const key = keyOf(input.source);
          if (key && key.length > 0) {
            const found = new Map<number, ScalarExpr>();
            const rest: ScalarExpr[] = [];
            for (const c of conjuncts(p.predicate)) {
              const m = matchKeyEquality(c);
              if (m && key.includes(m.column) && !found.has(m.column) && m.value.type.id === input.fields[m.column].type.id) found.set(m.column, m.value);
              else rest.push(c);
            }
            if (key.every((k) => found.has(k))) {
              const lookup: RelPlan = { kind: 'IndexLookup', source: input.source, keyColumns: key, keyValues: key.map((k) => found.get(k)!), fields: input.fields };
              if (rest.length === 0) return lookup;
              return { kind: 'Filter', input: lookup, predicate: rest.length === 1 ? rest[0] : { kind: 'And', args: rest, type: T.bool }, fields: p.fields };
            }
          }
        }
        return { ...p, input };
      }
      case 'Project': case 'Aggregate': case 'Distinct': case 'Sort': case 'Limit': case 'Window': case 'TimeWindow': case 'SessionWindow':
        return { ...p, input: rec(p.input) } as RelPlan;
      case 'Join': return { ...p, left: rec(p.left), right: rec(p.right) };
      case 'SetOp': return { ...p, left: rec(p.left), right: rec(p.right) };
      case 'Apply': return { ...p, left: rec(p.left), right: rec(p.right) };
      case 'UnionAll': return { ...p, inputs: p.inputs.map(rec) };
      default: return p;
    }
  };
  return rec(plan);
}

function matchKeyEquality(c: ScalarExpr): { column: number; value: ScalarExpr } | undefined {
  if (c.kind !== 'BinaryOp' || c.op !== '=') return undefined;
  if (c.left.kind === 'Column' && isConstant(c.right)) return { column: c.left.index, value: c.right };
  if (c.right.kind === 'Column' && isConstant(c.left)) return { column: c.right.index, value: c.left };
  return undefined;
}
