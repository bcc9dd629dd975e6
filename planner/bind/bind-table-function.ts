/**
 * Set-returning functions in FROM: generate_series, unnest, generate_subscripts,
 * regexp_split_to_table, pg_get_keywords, information_schema._pg_expandarray, and any scalar
 * function used as a one-row table (`FROM string_to_array(...) s`), as PostgreSQL allows.
 * Arguments are bound in the enclosing query's scope (outer references work); a function reading
 * other FROM items of its level is bound as a lateral subquery (QueryBinder.bindLateral).
 */
import type { FromItem } from './ast-types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { SqlArray } from '../../runtime/sql/array.js';
import { T, TypeId, arrayOf, type SqlType } from '../../runtime/sql/types.js';
import { regexpMatches, regexpSplit } from '../../runtime/expr/functions/string.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { resolveBinaryOperator } from '../../runtime/sql/operators.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import type { Field, RelPlan } from '../../runtime/plan/plan.js';
import { COL_NAME, NON_BARE_LABEL, RESERVED, TYPE_FUNC_NAME } from '../../parser/keywords.js';
import { coerce, type ParamTypes } from './coerce.js';

type TableFunctionItem = Extract<FromItem, { kind: 'TableFunction' }>;

interface Shape {
  /** Output columns (name, type). A single-column function takes the table alias as its column name. */
  columns: [string, SqlType][];
  args: ScalarExpr[];
  rows: (args: Value[]) => Row[];
}

const MAX_SERIES_ROWS = 50_000_000;

function tooMany(): SqlError {
  return new SqlError(SqlState.ProgramLimitExceeded, `generate_series would return more than ${MAX_SERIES_ROWS} rows`);
}

function seriesShape(args: ScalarExpr[], params: ParamTypes, pos?: number): Shape {
  const types = args.map((a) => a.type.id);
  const isTime = types[0] === TypeId.Timestamp || types[0] === TypeId.Timestamptz || (types[0] === TypeId.Unknown && types[2] === TypeId.Interval);
  if (isTime) {
    if (args.length !== 3) throw new SqlError(SqlState.UndefinedFunction, 'function generate_series(timestamp, timestamp) does not exist', { position: pos });
    const t = types[0] === TypeId.Timestamp ? T.timestamp : T.timestamptz;
    const a = [coerce(args[0], t, 'implicit', params, pos), coerce(args[1], t, 'implicit', params, pos), coerce(args[2], T.interval, 'implicit', params, pos)];
    const add = resolveBinaryOperator('+', t, T.interval)!.impl;
    return {
      columns: [['generate_series', t]],
      args: a,
      rows: ([start, stop, step]) => {
        if (start === null || stop === null || step === null) return [];
        const out: Row[] = [];
        const probe = add(start, step) as number;
        if (probe === start) throw new SqlError(SqlState.InvalidParameterValue, 'step size cannot equal zero');
        const up = probe > (start as number);
        for (let v = start as number; up ? v <= (stop as number) : v >= (stop as number); v = add(v, step) as number) {
          out.push([v]);
          if (out.length > MAX_SERIES_ROWS) throw tooMany();
        }
        return out;
      },
    };
  }
  const big = types.some((t) => t === TypeId.Int8 || t === TypeId.Numeric);
  const t = big ? T.int8 : T.int4;
  const a = args.map((x) => coerce(x, t, 'implicit', params, pos));
  return {
    columns: [['generate_series', t]],
    args: a,
    rows: (vals) => {
      if (vals.some((v) => v === null)) return [];
      const [s, e, st] = vals.map((v) => BigInt(v as number | bigint));
      const step = st ?? 1n;
      if (step === 0n) throw new SqlError(SqlState.InvalidParameterValue, 'step size cannot equal zero');
      const n = step > 0n ? (e - s) / step + 1n : (s - e) / -step + 1n;
      if (n > BigInt(MAX_SERIES_ROWS)) throw tooMany();
      const out: Row[] = [];
      for (let v = s; step > 0n ? v <= e : v >= e; v += step) out.push([big ? v : Number(v)]);
      return out;
    },
  };
}

function requireArray(a: ScalarExpr, fn: string, params: ParamTypes, pos?: number): ScalarExpr {
  if (a.type.id === TypeId.Unknown) return coerce(a, { id: TypeId.Array, typmod: -1, elem: T.text }, 'implicit', params, pos);
  if (a.type.id !== TypeId.Array) throw new SqlError(SqlState.UndefinedFunction, `function ${fn}(${a.type.id}) does not exist`, { position: pos });
  return a;
}

const KEYWORD_ROWS: Row[] = (() => {
  const cats: [ReadonlySet<string>, string, string][] = [
    [RESERVED, 'R', 'reserved'], [TYPE_FUNC_NAME, 'T', 'reserved (can be function or type name)'], [COL_NAME, 'C', 'unreserved (cannot be function or type name)'],
  ];
  const rows: Row[] = [];
  for (const [set, code, desc] of cats) for (const w of set) rows.push([w, code, !NON_BARE_LABEL.has(w), desc, NON_BARE_LABEL.has(w) ? 'requires AS' : 'can be bare label']);
  return rows.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
})();

function shapeOf(name: string, args: ScalarExpr[], params: ParamTypes, pos?: number, scalar?: (args: ScalarExpr[]) => ScalarExpr): Shape {
  switch (name) {
    case 'generate_series':
      if (args.length < 2 || args.length > 3) break;
      return seriesShape(args, params, pos);
    case 'unnest': {
      if (args.length !== 1) break;
      const a = requireArray(args[0], name, params, pos);
      return { columns: [['unnest', a.type.elem!]], args: [a], rows: ([arr]) => (arr === null ? [] : (arr as SqlArray).items.map((v) => [v])) };
    }
    case 'generate_subscripts': {
      if (args.length < 2) break;
      const a = requireArray(args[0], name, params, pos);
      const d = coerce(args[1], T.int4, 'implicit', params, pos);
      return {
        columns: [['generate_subscripts', T.int4]],
        args: [a, d],
        rows: ([arr, dim]) => (arr === null || dim !== 1 ? [] : (arr as SqlArray).items.map((_v, i) => [(arr as SqlArray).lower + i])),
      };
    }
    case '_pg_expandarray':
    case 'information_schema._pg_expandarray': {
      if (args.length !== 1) break;
      const a = requireArray(args[0], name, params, pos);
      return {
        columns: [['x', a.type.elem!], ['n', T.int4]],
        args: [a],
        rows: ([arr]) => (arr === null ? [] : (arr as SqlArray).items.map((v, i) => [v, i + 1])),
      };
    }
    case 'regexp_split_to_table': {
      if (args.length !== 2 && args.length !== 3) break;
      const a = args.map((x) => coerce(x, T.text, 'implicit', params, pos));
      return {
        columns: [['regexp_split_to_table', T.text]], args: a,
        rows: ([s, re, flags]) => (s === null || re === null || (a.length === 3 && flags === null) ? [] : regexpSplit(s as string, re as string, (flags as string | undefined) ?? '', 'regexp_split_to_table').map((x) => [x])),
      };
    }
    case 'regexp_matches': {
      if (args.length !== 2 && args.length !== 3) break;
      const a = args.map((x) => coerce(x, T.text, 'implicit', params, pos));
      return {
        columns: [['regexp_matches', arrayOf(T.text)]], args: a,
        rows: ([s, re, flags]) => (s === null || re === null || (a.length === 3 && flags === null) ? [] : regexpMatches(s as string, re as string, (flags as string | undefined) ?? '').map((g) => [new SqlArray(g)])),
      };
    }
    case 'pg_get_keywords':
      if (args.length !== 0) break;
      return { columns: [['word', T.text], ['catcode', T.text], ['barelabel', T.bool], ['catdesc', T.text], ['baredesc', T.text]], args: [], rows: () => KEYWORD_ROWS };
  }
  if (scalar) {
    const call = scalar(args);
    return { columns: [[name.replace(/^.*\./, ''), call.type]], args: [call], rows: ([v]) => [[v]] };
  }
  throw new SqlError(SqlState.UndefinedFunction, `function ${name} does not exist`, { position: pos });
}

/** A set-returning function's output columns and row generator (for a select list: ProjectSet). */
export function setReturningFunction(name: string, args: ScalarExpr[], params: ParamTypes, pos?: number): { columns: [string, SqlType][]; args: ScalarExpr[]; rows: (args: Value[]) => Row[] } {
  return shapeOf(name.toLowerCase().replace(/^pg_catalog\./, ''), args, params, pos);
}

/** Names a table function may be called by in FROM (other function names become one-row tables). */
export const SET_RETURNING_FUNCTIONS = new Set(['generate_series', 'unnest', 'generate_subscripts', '_pg_expandarray', 'information_schema._pg_expandarray', 'regexp_split_to_table', 'regexp_matches', 'pg_get_keywords']);

/**
 * Binds `FROM fn(args) [AS alias [(cols)]]`. `bindArgs` binds the arguments in the enclosing
 * scope; `bindScalar` binds the call as an ordinary function (for scalar functions used as tables).
 */
export function bindTableFunction(
  item: TableFunctionItem,
  bindArgs: () => ScalarExpr[],
  bindScalar: (() => ScalarExpr) | undefined,
  params: ParamTypes,
): { plan: RelPlan; alias: string; columnNames: string[] } {
  const name = item.name.toLowerCase().replace(/^pg_catalog\./, '');
  const args = bindArgs();
  const shape = shapeOf(name, args, params, item.pos, bindScalar ? () => bindScalar() : undefined);
  const alias = item.alias ?? shape.columns[0][0];
  const single = shape.columns.length === 1;
  const names = shape.columns.map(([n], i) => item.columnAliases?.[i] ?? (single && item.alias ? item.alias : n));
  if (item.columnAliases && item.columnAliases.length > shape.columns.length) {
    throw new SqlError(SqlState.SyntaxError, `table "${alias}" has ${shape.columns.length} columns available but ${item.columnAliases.length} columns specified`, { position: item.pos });
  }
  const fields: Field[] = shape.columns.map(([, type], i) => ({ name: names[i], type }));
  return { plan: { kind: 'TableFunction', name, args: shape.args, rows: shape.rows, fields }, alias, columnNames: names };
}

