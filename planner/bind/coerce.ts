/**
 * Type coercion for the binder: inserting casts, typing unknown literals and parameters,
 * equality/ordering functions per type. All type rules come from runtime/sql.
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, sameType, sqlType, type SqlType } from '../../runtime/sql/types.js';
import type { Value } from '../../runtime/sql/values.js';
import { resolveCast, typeDisplayName } from '../../runtime/sql/cast.js';
import { resolveBinaryOperator } from '../../runtime/sql/operators.js';
import { compareValues } from '../../runtime/sql/compare.js';
import { parseText } from '../../runtime/sql/text-io.js';
import type { ScalarExpr, EqualsFn, CompareFn } from '../../runtime/expr/ir.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';

/** Parameter types of the statement being bound; unknown entries are inferred from context. */
export class ParamTypes {
  constructor(readonly types: (SqlType | null)[] = []) {}
  get(index: number): SqlType {
    while (this.types.length <= index) this.types.push(null);
    return this.types[index] ?? T.unknown;
  }
  infer(index: number, type: SqlType): void {
    const cur = this.types[index];
    if (!cur || cur.id === TypeId.Unknown) this.types[index] = type;
  }
  /** Final parameter types: anything still unknown is text, as PostgreSQL does for untyped parameters. */
  resolved(count: number): SqlType[] {
    const out: SqlType[] = [];
    const n = Math.max(count, this.types.length);
    for (let i = 0; i < n; i++) {
      const t = this.types[i];
      out.push(!t || t.id === TypeId.Unknown ? T.text : t);
    }
    return out;
  }
}

/**
 * Casts `e` to `target`. Unknown-typed literals are converted at bind time (errors point at the
 * literal); unknown parameters adopt the target type. Throws 42846/42804 when no cast exists.
 */
export function coerce(e: ScalarExpr, target: SqlType, context: CastContext, params: ParamTypes, pos?: number): ScalarExpr {
  if (target.id === TypeId.Unknown) return e;
  const from = e.type;
  if (from.id === TypeId.Unknown) {
    if (e.kind === 'Literal') {
      if (e.value === null) return { kind: 'Literal', value: null, type: target };
      try {
        // Input function of the base type, then the typmod coercion of this context
        // ('abcdef'::varchar(3) truncates; an assignment of a too-long value is 22001).
        let v = parseText(target.typmod === -1 ? target : sqlType(target.id), String(e.value));
        if (target.typmod !== -1 && v !== null) {
          const fn = resolveCast(sqlType(target.id), target, context);
          if (fn) v = fn(v);
        }
        return { kind: 'Literal', value: v, type: target };
      } catch (err) {
        if (err instanceof SqlError) err.at(pos);
        throw err;
      }
    }
    if (e.kind === 'Param') {
      params.infer(e.index, target);
      return { kind: 'Param', index: e.index, type: target };
    }
  }
  if (sameType(from, target)) return e;
  if (from.id === target.id && (context === 'implicit' || target.typmod === -1)) return e;
  const fn = resolveCast(from, target, context);
  if (!fn) {
    if (context === 'explicit') {
      throw new SqlError(SqlState.CannotCoerce, `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(target)}`, { position: pos });
    }
    throw new SqlError(SqlState.DatatypeMismatch, `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(target)}`, { position: pos });
  }
  if (e.kind === 'Literal') {
    if (e.value === null) return { kind: 'Literal', value: null, type: target };
    try {
      return { kind: 'Literal', value: fn(e.value), type: target };
    } catch (err) {
      if (err instanceof SqlError) err.at(pos);
      throw err;
    }
  }
  return { kind: 'UnaryOp', op: `::${target.id}`, impl: fn, arg: e, type: target };
}

/** Coerces for storing into a column (INSERT/UPDATE): assignment casts, with PostgreSQL's message. */
export function coerceForAssignment(e: ScalarExpr, target: SqlType, column: string, params: ParamTypes, pos?: number): ScalarExpr {
  try {
    return coerce(e, target, 'assignment', params, pos);
  } catch (err) {
    if (err instanceof SqlError && (err.code === SqlState.DatatypeMismatch || err.code === SqlState.CannotCoerce)) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `column "${column}" is of type ${typeDisplayName(target)} but expression is of type ${typeDisplayName(e.type)}`,
        { position: pos, hint: 'You will need to rewrite or cast the expression.' },
      );
    }
    throw err;
  }
}

const eqCache = new Map<string, EqualsFn>();

/** SQL equality for two non-null values of one type. */
export function equalsFn(type: SqlType): EqualsFn {
  const key = type.id;
  let f = eqCache.get(key);
  if (!f) {
    const t = type.id === TypeId.Unknown ? T.text : type;
    const op = resolveBinaryOperator('=', t, t);
    if (!op) {
      throw new SqlError(SqlState.UndefinedFunction, `could not identify an equality operator for type ${typeDisplayName(type)}`);
    }
    const impl = op.impl;
    f = (a: Value, b: Value) => impl(a, b) === true;
    eqCache.set(key, f);
  }
  return f;
}

/** Ordering of two non-null values of one type. */
export function compareFn(type: SqlType): CompareFn {
  const id = type.id === TypeId.Unknown ? TypeId.Text : type.id;
  return (a, b) => compareValues(id, a, b);
}

export function requireBoolean(e: ScalarExpr, clause: string, params: ParamTypes, pos?: number): ScalarExpr {
  if (e.type.id === TypeId.Bool) return e;
  if (e.type.id === TypeId.Unknown) return coerce(e, T.bool, 'implicit', params, pos);
  throw new SqlError(SqlState.DatatypeMismatch, `argument of ${clause} must be type boolean, not type ${typeDisplayName(e.type)}`, { position: pos });
}
