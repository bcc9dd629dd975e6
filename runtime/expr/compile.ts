/**
 * Compiles scalar IR into closures, once per plan. Batch and streaming evaluation both call
 * the closures built here; nothing interprets the IR per row.
 */
import type { Row, Value } from '../sql/values.js';
import { SqlArray } from '../sql/array.js';
import type { RelPlan } from '../plan/plan.js';
import type { EvalContext } from './eval-context.js';
import type { ScalarExpr } from './ir.js';

export type Compiled = (row: Row) => Value;

/** Runs an uncorrelated subquery plan and returns its rows (provided by the batch executor). */
export type SubplanRunner = (plan: RelPlan) => Row[];

export interface CompileOptions {
  ctx: EvalContext;
  /** Needed only when the expression contains subqueries. */
  runSubplan?: SubplanRunner;
}

export function compileExpr(e: ScalarExpr, opts: CompileOptions): Compiled {
  const c = (x: ScalarExpr) => compileExpr(x, opts);
  const ctx = opts.ctx;
  switch (e.kind) {
    case 'Column': {
      const i = e.index;
      return (row) => row[i];
    }
    case 'Literal': {
      const v = e.value;
      return () => v;
    }
    case 'Param': {
      const i = e.index;
      return () => ctx.params[i] ?? null;
    }
    case 'Call': {
      const impl = e.impl;
      const args = e.args.map(c);
      const n = args.length;
      if (n === 0) return () => impl([], ctx);
      if (e.strict) {
        if (n === 1) {
          const a0 = args[0];
          return (row) => {
            const v = a0(row);
            return v === null ? null : impl([v], ctx);
          };
        }
        return (row) => {
          const vals = new Array<Value>(n);
          for (let i = 0; i < n; i++) {
            const v = args[i](row);
            if (v === null) return null;
            vals[i] = v;
          }
          return impl(vals, ctx);
        };
      }
      return (row) => {
        const vals = new Array<Value>(n);
        for (let i = 0; i < n; i++) vals[i] = args[i](row);
        return impl(vals, ctx);
      };
    }
    case 'BinaryOp': {
      const impl = e.impl;
      const l = c(e.left);
      const r = c(e.right);
      return (row) => {
        const a = l(row);
        if (a === null) return null;
        const b = r(row);
        if (b === null) return null;
        return impl(a, b);
      };
    }
    case 'UnaryOp': {
      const impl = e.impl;
      const a = c(e.arg);
      return (row) => {
        const v = a(row);
        return v === null ? null : impl(v);
      };
    }
    case 'And': {
      const args = e.args.map(c);
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case 'Or': {
      const args = e.args.map(c);
      return (row) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case 'Not': {
      const a = c(e.arg);
      return (row) => {
        const v = a(row);
        return v === null ? null : !v;
      };
    }
    case 'IsNull': {
      const a = c(e.arg);
      return e.negated ? (row) => a(row) !== null : (row) => a(row) === null;
    }
    case 'IsBool': {
      const a = c(e.arg);
      const want = e.value;
      const neg = e.negated;
      return (row) => {
        const v = a(row);
        const r = want === null ? v === null : v === want;
        return neg ? !r : r;
      };
    }
    case 'IsDistinct': {
      const l = c(e.left);
      const r = c(e.right);
      const eq = e.eq;
      const neg = e.negated;
      return (row) => {
        const a = l(row);
        const b = r(row);
        let distinct: boolean;
        if (a === null || b === null) distinct = !(a === null && b === null);
        else distinct = !eq(a, b);
        return neg ? !distinct : distinct;
      };
    }
    case 'Case': {
      const conds = e.whens.map((w) => c(w.cond));
      const results = e.whens.map((w) => c(w.result));
      const els = c(e.else);
      const n = conds.length;
      return (row) => {
        for (let i = 0; i < n; i++) if (conds[i](row) === true) return results[i](row);
        return els(row);
      };
    }
    case 'Coalesce': {
      const args = e.args.map(c);
      return (row) => {
        for (const a of args) {
          const v = a(row);
          if (v !== null) return v;
        }
        return null;
      };
    }
    case 'NullIf': {
      const l = c(e.left);
      const r = c(e.right);
      const eq = e.eq;
      return (row) => {
        const a = l(row);
        if (a === null) return null;
        const b = r(row);
        return b !== null && eq(a, b) ? null : a;
      };
    }
    case 'GreatestLeast': {
      const args = e.args.map(c);
      const cmp = e.cmp;
      const sign = e.greatest ? 1 : -1;
      return (row) => {
        let best: Value = null;
        for (const a of args) {
          const v = a(row);
          if (v === null) continue;
          if (best === null || sign * cmp(v, best) > 0) best = v;
        }
        return best;
      };
    }
    case 'InList': {
      const a = c(e.arg);
      const list = e.list.map(c);
      const eq = e.eq;
      const neg = e.negated;
      return (row) => {
        const v = a(row);
        if (v === null) return null;
        let sawNull = false;
        for (const item of list) {
          const w = item(row);
          if (w === null) sawNull = true;
          else if (eq(v, w)) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
    case 'OuterRef': {
      const slot = e.slot;
      return () => {
        const frame = ctx.outer[ctx.outer.length - 1];
        return frame === undefined ? null : frame[slot];
      };
    }
    case 'Subquery': {
      const rows = subplanRows(e.plan, e.outer, opts, c);
      if (e.mode === 'exists') {
        const neg = e.negated;
        return (row) => (rows(row).length > 0) !== neg;
      }
      if (e.mode === 'array') return (row) => new SqlArray(rows(row).map((r) => r[0]));
      return (row) => {
        const rs = rows(row);
        if (rs.length === 0) return null;
        if (rs.length > 1) throw cardinalityError();
        return rs[0][0];
      };
    }
    case 'InSubquery': {
      const rows = subplanRows(e.plan, e.outer, opts, c);
      const a = c(e.arg);
      const eq = e.eq;
      const neg = e.negated;
      return (row) => {
        const v = a(row);
        const rs = rows(row);
        // Over no rows IN is false whatever x is, even NULL (and NOT IN true).
        if (v === null) return rs.length === 0 ? neg : null;
        let sawNull = false;
        for (const r of rs) {
          const w = r[0];
          if (w === null) sawNull = true;
          else if (eq(v, w)) return !neg;
        }
        return sawNull ? null : neg;
      };
    }
  }
}

/**
 * A subquery's single row for an enclosing row (UPDATE ... SET (a, b) = (SELECT ...)): its
 * values, NULLs when it has no row, 21000 when it has more than one.
 */
export function compileRowSubquery(plan: RelPlan, outer: ScalarExpr[] | undefined, opts: CompileOptions): (row: Row) => Row {
  const rows = subplanRows(plan, outer, opts, (x) => compileExpr(x, opts));
  const nulls: Row = plan.fields.map(() => null);
  return (row) => {
    const rs = rows(row);
    if (rs.length > 1) throw cardinalityError();
    return rs[0] ?? nulls;
  };
}

/**
 * The rows of a subquery for an enclosing row. Uncorrelated: computed once per statement
 * execution. Correlated: run per enclosing row with its `outer` values pushed for OuterRef.
 */
function subplanRows(plan: RelPlan, outer: ScalarExpr[] | undefined, opts: CompileOptions, c: (x: ScalarExpr) => Compiled): (row: Row) => Row[] {
  const run = requireRunner(opts);
  const ctx = opts.ctx;
  if (!outer || outer.length === 0) {
    let cached: Row[] | undefined;
    let cachedFor = -1;
    return () => {
      if (cached === undefined || cachedFor !== ctx.execution) {
        cachedFor = ctx.execution;
        cached = run(plan);
      }
      return cached;
    };
  }
  const args = outer.map(c);
  return (row) => {
    const frame = args.map((f) => f(row));
    ctx.outer.push(frame);
    try {
      return run(plan);
    } finally {
      ctx.outer.pop();
    }
  };
}

import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import { InternalError } from '../sql/errors.js';

function cardinalityError(): SqlError {
  return new SqlError(SqlState.CardinalityViolation, 'more than one row returned by a subquery used as an expression');
}

function requireRunner(opts: CompileOptions): SubplanRunner {
  if (!opts.runSubplan) throw new InternalError('subquery compiled without a subplan runner');
  return opts.runSubplan;
}

/** Compiles a predicate: the closure answers true only when the expression is SQL TRUE. */
export function compilePredicate(e: ScalarExpr, opts: CompileOptions): (row: Row) => boolean {
  const f = compileExpr(e, opts);
  return (row) => f(row) === true;
}
