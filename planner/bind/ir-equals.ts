import type { ScalarExpr } from '../../runtime/expr/ir.js';
import type { Value } from '../../runtime/sql/values.js';

function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' && typeof b === 'object') return String(a) === String(b) && a.constructor === b.constructor;
  return false;
}

/** Structural equality of bound expressions (used to match select items against GROUP BY keys). */
export function irEquals(a: ScalarExpr, b: ScalarExpr): boolean {
  if (a.kind !== b.kind || a.type.id !== b.type.id || a.type.typmod !== b.type.typmod) return false;
  const all = (xs: ScalarExpr[], ys: ScalarExpr[]) => xs.length === ys.length && xs.every((x, i) => irEquals(x, ys[i]));
  switch (a.kind) {
    case 'Column': return a.index === (b as typeof a).index;
    case 'Literal': return valueEquals(a.value, (b as typeof a).value);
    case 'Param': return a.index === (b as typeof a).index;
    case 'OuterRef': return a.slot === (b as typeof a).slot;
    case 'Call': { const o = b as typeof a; return a.name === o.name && a.volatility !== 'volatile' && all(a.args, o.args); }
    case 'BinaryOp': { const o = b as typeof a; return a.op === o.op && irEquals(a.left, o.left) && irEquals(a.right, o.right); }
    case 'UnaryOp': { const o = b as typeof a; return a.op === o.op && irEquals(a.arg, o.arg); }
    case 'And': case 'Or': case 'Coalesce': return all(a.args, (b as typeof a).args);
    case 'GreatestLeast': { const o = b as typeof a; return a.greatest === o.greatest && all(a.args, o.args); }
    case 'Not': return irEquals(a.arg, (b as typeof a).arg);
    case 'IsNull': { const o = b as typeof a; return a.negated === o.negated && irEquals(a.arg, o.arg); }
    case 'IsBool': { const o = b as typeof a; return a.negated === o.negated && a.value === o.value && irEquals(a.arg, o.arg); }
    case 'IsDistinct': { const o = b as typeof a; return a.negated === o.negated && irEquals(a.left, o.left) && irEquals(a.right, o.right); }
    case 'NullIf': { const o = b as typeof a; return irEquals(a.left, o.left) && irEquals(a.right, o.right); }
    case 'Case': {
      const o = b as typeof a;
      return a.whens.length === o.whens.length && a.whens.every((w, i) => irEquals(w.cond, o.whens[i].cond) && irEquals(w.result, o.whens[i].result)) && irEquals(a.else, o.else);
    }
    case 'InList': { const o = b as typeof a; return a.negated === o.negated && irEquals(a.arg, o.arg) && all(a.list, o.list); }
    case 'Subquery': case 'InSubquery': return a === b;
  }
}
