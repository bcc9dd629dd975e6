/**
 * Window functions: `f(args) OVER (PARTITION BY ... ORDER BY ... [frame])` in a SELECT list or
 * ORDER BY. While the select items are bound, each call is registered here and replaced by a
 * placeholder column; afterwards `build` stacks one Window node per distinct PARTITION BY /
 * ORDER BY over the (grouped, HAVING-filtered) input and rewrites the placeholders to the Window
 * output columns. So window functions run after WHERE / GROUP BY / HAVING and before DISTINCT,
 * ORDER BY and LIMIT, as in PostgreSQL:
 *
 *   SELECT k, rank() OVER (ORDER BY sum(v) DESC) FROM t GROUP BY k
 *   -> Project(k, #2) <- Window(order: #1 DESC; rank) <- Aggregate(k; sum(v)) <- Scan t
 */
import type { Expr, FuncCallExpr } from './ast-types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import { commonSupertype } from '../../runtime/sql/operators.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { resolveAggregate } from '../../runtime/expr/aggregates/registry.js';
import { isKnownFunctionName } from '../../runtime/expr/functions/registry.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { mapColumns } from '../../runtime/expr/ir.js';
import type { RelPlan, SortKey, WindowFrame, WindowFunc, WindowFuncKind } from '../../runtime/plan/plan.js';
import type { Scope } from './scope.js';
import { coerce, compareFn, requireBoolean } from './coerce.js';
import { AGGREGATE_NAMES, bindExpr, type AggregateSink, type BinderServices, type ExprEnv, type WindowSink } from './bind-expr.js';
import { irEquals } from './ir-equals.js';

/** Placeholder columns for window results have indexes at or below this (see isWindowPlaceholder). */
const PLACEHOLDER_BASE = -1_000_000;

export function isWindowPlaceholder(e: ScalarExpr): boolean {
  return e.kind === 'Column' && e.index <= PLACEHOLDER_BASE;
}

interface BoundCall {
  func: WindowFunc;
  partitionBy: ScalarExpr[];
  orderBy: SortKey[];
}

const RANKING: Partial<Record<WindowFuncKind, SqlType>> = {
  row_number: T.int8, rank: T.int8, dense_rank: T.int8, percent_rank: T.float8, cume_dist: T.float8,
};

export class WindowCollector implements WindowSink {
  private readonly calls: BoundCall[] = [];

  /**
   * `aggregates` and `post` are the grouped query's aggregate sink and its rewrite onto the
   * Aggregate's output (window arguments may contain aggregates: `rank() OVER (ORDER BY sum(v))`).
   */
  constructor(
    private readonly services: BinderServices,
    private readonly scope: Scope,
    private readonly aggregates?: AggregateSink,
    private readonly post?: (e: ScalarExpr, pos?: number) => ScalarExpr,
  ) {}

  get size(): number {
    return this.calls.length;
  }

  add(call: FuncCallExpr): ScalarExpr {
    const bound = this.bindCall(call);
    let k = this.calls.findIndex((c) => sameCall(c, bound));
    if (k < 0) {
      this.calls.push(bound);
      k = this.calls.length - 1;
    }
    return { kind: 'Column', index: PLACEHOLDER_BASE - k, type: bound.func.type, name: call.name, pos: call.pos };
  }

  /** Stacks the Window nodes over `plan`; `rewrite` maps placeholders to their output columns. */
  build(plan: RelPlan): { plan: RelPlan; rewrite: (e: ScalarExpr) => ScalarExpr } {
    const groups: { partitionBy: ScalarExpr[]; orderBy: SortKey[]; members: number[] }[] = [];
    this.calls.forEach((c, k) => {
      const g = groups.find((x) => allEqual(x.partitionBy, c.partitionBy) && sameKeys(x.orderBy, c.orderBy));
      if (g) g.members.push(k);
      else groups.push({ partitionBy: c.partitionBy, orderBy: c.orderBy, members: [k] });
    });
    const columnOf = new Array<number>(this.calls.length);
    let cur = plan;
    for (const g of groups) {
      const base = cur.fields.length;
      const functions = g.members.map((k, i) => {
        columnOf[k] = base + i;
        return this.calls[k].func;
      });
      cur = {
        kind: 'Window',
        input: cur,
        partitionBy: g.partitionBy,
        orderBy: g.orderBy,
        functions,
        fields: [...cur.fields, ...functions.map((f) => ({ name: f.name, type: f.type }))],
      };
    }
    const rewrite = (e: ScalarExpr) =>
      mapColumns(e, (c) => (isWindowPlaceholder(c) ? { kind: 'Column', index: columnOf[PLACEHOLDER_BASE - c.index], type: c.type, name: c.name } : c));
    return { plan: cur, rewrite };
  }

  private bindIn(e: Expr): ScalarExpr {
    const env: ExprEnv = { services: this.services, scope: this.scope, aggregates: this.aggregates, clause: 'window function calls' };
    const b = bindExpr(e, env);
    return this.post ? this.post(b, e.pos) : b;
  }

  private bindCall(call: FuncCallExpr): BoundCall {
    const over = call.over!;
    const params = this.services.params;
    const pos = call.pos;
    if (call.distinct) throw new SqlError(SqlState.FeatureNotSupported, 'DISTINCT is not implemented for window functions', { position: pos });
    if (call.orderBy && call.orderBy.length > 0) {
      throw new SqlError(SqlState.FeatureNotSupported, 'aggregate ORDER BY is not implemented for window functions', { position: pos });
    }
    const partitionBy = over.partitionBy.map((e) => this.bindIn(e));
    const orderBy: SortKey[] = over.orderBy.map((o) => {
      const expr = this.bindIn(o.expr);
      return { expr, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc, cmp: compareFn(expr.type) };
    });
    const name = call.name;
    const isAggregate = AGGREGATE_NAMES.has(name) && call.schema === undefined;
    if (call.star && !(isAggregate && name === 'count')) throw new SqlError(SqlState.SyntaxError, `${name}(*) is not allowed`, { position: pos });
    if (call.filter && !isAggregate) {
      throw new SqlError(SqlState.FeatureNotSupported, 'FILTER is not implemented for non-aggregate window functions', { position: pos });
    }
    const args = call.args.map((a) => this.bindIn(a));
    const signature = () => `${name}(${args.map((a) => typeDisplayName(a.type)).join(', ')})`;
    const noSuchFunction = () =>
      new SqlError(SqlState.UndefinedFunction, `function ${signature()} does not exist`, {
        position: pos,
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    const frame = () => parseFrame(over.frame, pos);
    const func = (kind: WindowFuncKind, fargs: ScalarExpr[], type: SqlType, fr: WindowFrame = 'range'): BoundCall => ({
      func: { kind, name, args: fargs, frame: fr, type },
      partitionBy,
      orderBy,
    });
    const toInt4 = (e: ScalarExpr, i: number) => coerce(e, T.int4, 'implicit', params, call.args[i]?.pos ?? pos);
    const valueType = (t: SqlType) => (t.id === TypeId.Unknown ? T.text : t);

    if (isAggregate) {
      const argTypes = args.map((a) => valueType(a.type));
      const resolved = resolveAggregate(name, call.star ? [] : argTypes);
      if (!resolved) throw noSuchFunction();
      const castArgs = call.star ? [] : args.map((a, i) => coerce(a, resolved.argTypes[i] ?? a.type, 'implicit', params, call.args[i]?.pos ?? pos));
      const bound = func('aggregate', castArgs, resolved.returnType, frame());
      bound.func.agg = resolved;
      if (call.filter) {
        bound.func.filter = requireBoolean(this.bindIn(call.filter), 'FILTER', params, call.filter.pos);
      }
      return bound;
    }
    const ranking = RANKING[name as WindowFuncKind];
    if (ranking) {
      if (args.length !== 0) throw noSuchFunction();
      return func(name as WindowFuncKind, [], ranking);
    }
    switch (name) {
      case 'ntile':
        if (args.length !== 1) throw noSuchFunction();
        return func('ntile', [toInt4(args[0], 0)], T.int4);
      case 'lag':
      case 'lead': {
        if (args.length < 1 || args.length > 3) throw noSuchFunction();
        const t = valueType(args.length === 3 ? commonSupertype([args[0].type, args[2].type], name) : args[0].type);
        const fargs = [coerce(args[0], t, 'implicit', params, pos)];
        if (args.length > 1) fargs.push(toInt4(args[1], 1));
        if (args.length > 2) fargs.push(coerce(args[2], t, 'implicit', params, call.args[2]?.pos ?? pos));
        return func(name, fargs, t);
      }
      case 'first_value':
      case 'last_value': {
        if (args.length !== 1) throw noSuchFunction();
        const t = valueType(args[0].type);
        return func(name, [coerce(args[0], t, 'implicit', params, pos)], t, frame());
      }
      case 'nth_value': {
        if (args.length !== 2) throw noSuchFunction();
        const t = valueType(args[0].type);
        return func('nth_value', [coerce(args[0], t, 'implicit', params, pos), toInt4(args[1], 1)], t, frame());
      }
    }
    if (isKnownFunctionName(name)) {
      throw new SqlError(SqlState.WrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`, { position: pos });
    }
    throw noSuchFunction();
  }
}

/** A ROWS frame bound as an offset from the current row: `n preceding` -> -n, `n following` -> n. */
function rowsBound(b: string): number | undefined {
  if (b === 'current row') return 0;
  if (b === 'unbounded preceding') return -Infinity;
  if (b === 'unbounded following') return Infinity;
  const m = /^(\d+) (preceding|following)$/.exec(b);
  if (!m) return undefined;
  return m[2] === 'preceding' ? -Number(m[1]) : Number(m[1]);
}

/**
 * Frames: from UNBOUNDED PRECEDING to CURRENT ROW or UNBOUNDED FOLLOWING (RANGE, ROWS, GROUPS), and
 * ROWS BETWEEN with constant offsets (n PRECEDING / CURRENT ROW / n FOLLOWING / UNBOUNDED).
 *   RANGE|ROWS|GROUPS UNBOUNDED PRECEDING, ... BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW | UNBOUNDED FOLLOWING
 */
function parseFrame(text: string | undefined, pos?: number): WindowFrame {
  if (text === undefined) return 'range';
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const m = /^(rows|range|groups) (?:between (.+) and (.+)|(.+))$/.exec(t);
  if (m) {
    const mode = m[1];
    const start = m[2] ?? m[4];
    const end = m[3] ?? 'current row';
    if (start === 'unbounded preceding') {
      if (end === 'unbounded following') return 'partition';
      if (end === 'current row') return mode === 'rows' ? 'rows' : 'range';
    }
    if (mode === 'rows') {
      const s = rowsBound(start);
      const e = rowsBound(end);
      if (s !== undefined && e !== undefined && s !== Infinity && e !== -Infinity) {
        if (s > e && Number.isFinite(s) && Number.isFinite(e) && (start === 'current row' || start.endsWith('following')) && end.endsWith('preceding')) {
          throw new SqlError(SqlState.WindowingError, 'frame starting from following row cannot have preceding rows', { position: pos });
        }
        return { start: s, end: e };
      }
    }
  }
  throw new SqlError(SqlState.FeatureNotSupported, `window frame "${text}" is not supported yet`, {
    position: pos,
    hint: 'Supported frames start at UNBOUNDED PRECEDING and end at CURRENT ROW or UNBOUNDED FOLLOWING.',
  });
}

function allEqual(a: ScalarExpr[], b: ScalarExpr[]): boolean {
  return a.length === b.length && a.every((x, i) => irEquals(x, b[i]));
}

function sameKeys(a: SortKey[], b: SortKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k.desc === b[i].desc && k.nullsFirst === b[i].nullsFirst && irEquals(k.expr, b[i].expr));
}

function sameCall(a: BoundCall, b: BoundCall): boolean {
  const f = a.func;
  const g = b.func;
  if (f.kind !== g.kind || f.name !== g.name || f.frame !== g.frame || f.type.id !== g.type.id) return false;
  if (!allEqual(f.args, g.args) || !allEqual(a.partitionBy, b.partitionBy) || !sameKeys(a.orderBy, b.orderBy)) return false;
  if ((f.filter === undefined) !== (g.filter === undefined)) return false;
  return f.filter === undefined || irEquals(f.filter, g.filter!);
}
