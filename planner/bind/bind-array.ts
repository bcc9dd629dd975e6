/**
 * Binding of arrays and the reg* casts: ARRAY[...], a[i], `x op ANY|ALL (array)`, and casts
 * between text and regclass/regtype/... (names need the catalog, looked up at run time through
 * EvalContext.catalog).
 */
import type { Expr } from './ast-types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { SqlArray } from '../../runtime/sql/array.js';
import { T, TypeId, arrayOf, isOidLike, type SqlType } from '../../runtime/sql/types.js';
import { commonSupertype, resolveBinaryOperator } from '../../runtime/sql/operators.js';
import { resolveCast, typeDisplayName } from '../../runtime/sql/cast.js';
import { parseOid } from '../../runtime/sql/text-io.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { RegKind } from '../../runtime/expr/eval-context.js';
import { coerce, type ParamTypes } from './coerce.js';

type BindFn = (e: Expr) => ScalarExpr;

/** ARRAY[a, b, c]: elements coerced to their common type. `target` is the type of an enclosing cast, if any. */
export function bindArrayConstructor(e: Extract<Expr, { kind: 'Array' }>, bind: BindFn, params: ParamTypes, target?: SqlType): ScalarExpr {
  if (e.elements.some((x) => x.kind === 'Array')) {
    throw new SqlError(SqlState.FeatureNotSupported, 'multidimensional arrays are not supported', { position: e.pos });
  }
  const items = e.elements.map(bind);
  let et: SqlType;
  if (target?.elem) et = target.elem;
  else if (items.length === 0) {
    throw new SqlError(SqlState.IndeterminateDatatype, 'cannot determine type of empty array', {
      position: e.pos,
      hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
    });
  } else {
    et = commonSupertype(items.map((i) => i.type), 'ARRAY');
    if (et.id === TypeId.Unknown) et = T.text;
  }
  const args = items.map((i, k) => coerce(i, et, target ? 'explicit' : 'implicit', params, e.elements[k].pos ?? e.pos));
  return { kind: 'Call', name: 'array', impl: (vals) => new SqlArray(vals.slice()), strict: false, volatility: 'immutable', args, type: arrayOf(et) };
}

/** a[i]: NULL outside the bounds, as PostgreSQL. */
export function bindSubscript(e: Extract<Expr, { kind: 'Subscript' }>, bind: BindFn, params: ParamTypes): ScalarExpr {
  const arr = bind(e.arg);
  if (arr.type.id !== TypeId.Array) {
    throw new SqlError(SqlState.DatatypeMismatch, `cannot subscript type ${typeDisplayName(arr.type)} because it does not support subscripting`, { position: e.pos });
  }
  const index = coerce(bind(e.index), T.int4, 'implicit', params, e.index.pos ?? e.pos);
  return { kind: 'Call', name: 'array_subscript', impl: ([a, i]) => (a as SqlArray).at(i as number), strict: true, volatility: 'immutable', args: [arr, index], type: arr.type.elem! };
}

/**
 * `left op ANY|ALL (array)`: true if op holds for any (all) element; NULL when no element
 * decides it and some comparison was NULL (SQL's three-valued logic, as PostgreSQL).
 */
export function bindQuantifiedArray(op: string, quantifier: 'any' | 'all', leftAst: Expr, rightAst: Expr, bind: BindFn, params: ParamTypes, pos?: number): ScalarExpr {
  let left = bind(leftAst);
  let right = bind(rightAst);
  if (right.type.id === TypeId.Unknown) right = coerce(right, arrayOf(left.type.id === TypeId.Unknown ? T.text : left.type), 'implicit', params, rightAst.pos ?? pos);
  if (right.type.id !== TypeId.Array) {
    throw new SqlError(SqlState.WrongObjectType, `op ANY/ALL (array) requires array on right side`, { position: pos });
  }
  const elem = right.type.elem!;
  const resolved = resolveBinaryOperator(op, left.type, elem);
  if (!resolved || resolved.resultType.id !== TypeId.Bool) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${typeDisplayName(left.type)} ${op} ${typeDisplayName(elem)}`, {
      position: pos,
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  left = coerce(left, resolved.leftType, 'implicit', params, leftAst.pos ?? pos);
  const toRight = resolved.rightType.id === elem.id ? null : resolveCast(elem, resolved.rightType, 'implicit');
  const impl = resolved.impl;
  const any = quantifier === 'any';
  return {
    kind: 'Call',
    name: any ? 'any' : 'all',
    strict: false,
    volatility: 'immutable',
    args: [left, right],
    type: T.bool,
    impl: ([l, a]) => {
      if (a === null) return null;
      const items = (a as SqlArray).items;
      if (items.length === 0) return !any;
      if (l === null) return null;
      let sawNull = false;
      for (const x of items) {
        const r = x === null ? null : impl(l, toRight ? toRight(x) : x);
        if (r === null) sawNull = true;
        else if (r === any) return any;
      }
      return sawNull ? null : !any;
    },
  };
}

/** `x = ANY (subquery)` is IN, `x <> ALL (subquery)` is NOT IN; other forms are not supported. */
export function quantifiedSubqueryAsIn(op: string, quantifier: 'any' | 'all'): { negated: boolean } | null {
  if (op === '=' && quantifier === 'any') return { negated: false };
  if ((op === '<>' || op === '!=') && quantifier === 'all') return { negated: true };
  return null;
}

const REG_LABEL: Record<RegKind, { what: string; code: SqlState }> = {
  regclass: { what: 'relation', code: SqlState.UndefinedTable },
  regtype: { what: 'type', code: SqlState.UndefinedObject },
  regproc: { what: 'function', code: SqlState.UndefinedFunction },
  regnamespace: { what: 'schema', code: SqlState.InvalidSchemaName },
  regrole: { what: 'role', code: SqlState.UndefinedObject },
};

/**
 * Casts that need catalog names: text -> reg* (name lookup; a number is taken as the oid) and
 * reg* -> text (the object's name, or the number for an unknown oid, as PostgreSQL). Null when
 * the cast is an ordinary one.
 */
export function bindRegCast(arg: ScalarExpr, target: SqlType): ScalarExpr | null {
  const from = arg.type.id;
  const isText = (id: TypeId) => id === TypeId.Text || id === TypeId.Varchar || id === TypeId.Bpchar || id === TypeId.Unknown;
  if (isOidLike(target.id) && target.id !== TypeId.Oid && isText(from)) {
    const kind = target.id as RegKind;
    const input: ScalarExpr = from === TypeId.Unknown ? { ...arg, type: T.text } : arg;
    return {
      kind: 'Call', name: kind, strict: true, volatility: 'stable', args: [input], type: target,
      impl: ([v], ctx) => {
        const text = (v as string).trim();
        if (/^\d+$/.test(text)) return parseOid(text, kind);
        const oid = ctx.catalog?.oidOf(kind, text);
        if (oid === undefined) {
          const l = REG_LABEL[kind];
          throw new SqlError(l.code, `${l.what} "${text}" does not exist`);
        }
        return oid;
      },
    };
  }
  if (isOidLike(from) && from !== TypeId.Oid && isText(target.id) && target.id !== TypeId.Unknown) {
    const kind = from as RegKind;
    return {
      kind: 'Call', name: `${kind}out`, strict: true, volatility: 'stable', args: [arg], type: target,
      impl: ([v], ctx) => ctx.catalog?.nameOf(kind, v as number) ?? String(v),
    };
  }
  return null;
}

/**
 * A query's reg* output columns shown as names ('orders', not 16384), as PostgreSQL's output
 * functions do: a projection on top converts them (the column keeps its reg* type on the wire).
 */
export function regColumnsAsNames(plan: RelPlan): RelPlan {
  const reg = plan.fields.map((f) => isOidLike(f.type.id) && f.type.id !== TypeId.Oid);
  if (!reg.some(Boolean)) return plan;
  const exprs: ScalarExpr[] = plan.fields.map((f, i) => {
    const col: ScalarExpr = { kind: 'Column', index: i, type: f.type };
    if (!reg[i]) return col;
    const named = bindRegCast(col, T.text)!;
    return { ...named, type: f.type };
  });
  return { kind: 'Project', input: plan, exprs, fields: plan.fields };
}
