/**
 * Binds queries (SELECT, VALUES, set operations) into relational plans.
 */
import { WINDOW_FUNCTIONS, bindWindowTableFunction } from './bind-window-tvf.js';
import { SET_RETURNING_FUNCTIONS, bindTableFunction, setReturningFunction } from './bind-table-function.js';
import { columnsUsed } from '../rules/columns.js';
import type { Expr, Query, Select, FromItem, SelectItem, OrderItem, FuncCallExpr } from './ast-types.js';
import type { Cte, SetOperation, Values } from '../../parser/ast.js';
import { SqlError, undefinedTable } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, recordOf, type SqlType } from '../../runtime/sql/types.js';
import { commonSupertype, resolveBinaryOperator } from '../../runtime/sql/operators.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { ORDER_SENSITIVE_AGGREGATES, ORDERED_SET_AGGREGATES, resolveAggregate } from '../../runtime/expr/aggregates/registry.js';
import type { ResolvedAggregate } from '../../runtime/expr/aggregates/accumulator.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { mapChildren, mapColumns } from '../../runtime/expr/ir.js';
import type { RelPlan, Field, AggCall, SortKey, ScanSource } from '../../runtime/plan/plan.js';
import type { CatalogReader, CatalogObject } from '../../runtime/catalog/catalog.js';
import { CorrelatedScope, Scope, type ScopeColumn } from './scope.js';
import { ParamTypes, coerce, compareFn, requireBoolean } from './coerce.js';
import { bindExpr, isAggregateCall, type AggregateSink, type BinderServices, type BoundSubquery, type ExprEnv } from './bind-expr.js';
import { irEquals } from './ir-equals.js';
import { WindowCollector, isWindowPlaceholder } from './bind-window.js';
import { pushDownFilter, splitEquiKey } from '../rules/push-down-filter.js';
import { conjuncts } from '../rules/columns.js';
import { checkLookupJoin, lookupTable, misplacedSystemTime } from './bind-lookup-join.js';

export interface SystemTable {
  objectId: number;
  name: string;
  fields: Field[];
}

export interface BinderEnvironment {
  catalog: CatalogReader;
  systemTables: ReadonlyMap<string, SystemTable>;
  /** Parses a stored view definition. */
  parseQuery(text: string): Query;
}

const sourceKind = { stream: 'stream', table: 'table', mv: 'mv' } as const;

export class QueryBinder implements BinderServices {
  /** Catalog objects the bound query reads (an MV's dependencies). */
  readonly dependencies = new Set<number>();
  private cteStack: Map<string, Cte>[] = [];
  private viewDepth = 0;

  constructor(readonly env: BinderEnvironment, readonly params: ParamTypes = new ParamTypes()) {}

  bindSubquery(q: Query, outer: Scope): BoundSubquery {
    const corr = new CorrelatedScope(outer);
    const plan = this.bindQuery(q, corr);
    if (corr.outerColumns.length === 0) return { plan };
    // A value from two levels out is the enclosing query's own outer value (OuterRef).
    return { plan, outer: corr.outerColumns.map((c): ScalarExpr => (c.outerSlot !== undefined ? { kind: 'OuterRef', slot: c.outerSlot, type: c.type } : { kind: 'Column', index: c.index, type: c.type, name: c.name })) };
  }

  bindQuery(q: Query, outer?: Scope): RelPlan {
    const ctes = q.kind === 'Values' ? undefined : q.with;
    if (ctes && ctes.length > 0) {
      const m = new Map<string, Cte>();
      for (const c of ctes) {
        if (c.recursive) throw new SqlError(SqlState.FeatureNotSupported, 'WITH RECURSIVE is not supported yet');
        if (m.has(c.name)) throw new SqlError(SqlState.DuplicateAlias, `WITH query name "${c.name}" specified more than once`);
        m.set(c.name, c);
      }
      this.cteStack.push(m);
      try {
        return this.bindQueryBody(q, outer);
      } finally {
        this.cteStack.pop();
      }
    }
    return this.bindQueryBody(q, outer);
  }

  private bindQueryBody(q: Query, outer?: Scope): RelPlan {
    switch (q.kind) {
      case 'Select': return this.bindSelect(q, outer);
      case 'SetOp': return this.bindSetOp(q, outer);
      case 'Values': return this.bindValues(q, outer);
    }
  }

  // ------------------------------------------------------------ VALUES

  private bindValues(q: Values, outer?: Scope): RelPlan {
    const scope = new Scope([], outer);
    const env: ExprEnv = { services: this, scope, clause: 'VALUES' };
    const width = q.rows[0]?.length ?? 0;
    const bound = q.rows.map((r, i) => {
      if (r.length !== width) throw new SqlError(SqlState.SyntaxError, 'VALUES lists must all be the same length', { position: r[0]?.pos ?? q.pos });
      void i;
      return r.map((e) => bindExpr(e, env));
    });
    const types: SqlType[] = [];
    for (let c = 0; c < width; c++) {
      let t = commonSupertype(bound.map((r) => r[c].type), 'VALUES');
      if (t.id === TypeId.Unknown) t = T.text;
      types.push(t);
    }
    const rows = bound.map((r) => r.map((e, c) => coerce(e, types[c], 'implicit', this.params, q.rows[0][c]?.pos)));
    const fields = types.map((type, i) => ({ name: `column${i + 1}`, type }));
    const plan: RelPlan = { kind: 'Values', rows, fields };
    return this.applyOrderLimit(plan, q.orderBy, q.limit, q.offset, outer, q.limitWithTies);
  }

  // ------------------------------------------------------------ set operations

  private bindSetOp(q: SetOperation, outer?: Scope): RelPlan {
    let left = this.bindQuery(q.left, outer);
    let right = this.bindQuery(q.right, outer);
    const opName = q.op.toUpperCase();
    if (q.corresponding) [left, right] = correspondingColumns(left, right, q.corresponding.by, opName, q.pos);
    if (left.fields.length !== right.fields.length) {
      throw new SqlError(SqlState.SyntaxError, `each ${opName} query must have the same number of columns`, { position: q.right.pos });
    }
    const types = left.fields.map((f, i) => {
      const t = commonSupertype([f.type, right.fields[i].type], opName);
      return t.id === TypeId.Unknown ? T.text : t;
    });
    left = this.castOutputs(left, types);
    right = this.castOutputs(right, types);
    const fields = left.fields.map((f, i) => ({ name: f.name, type: types[i] }));
    let plan: RelPlan;
    if (q.op === 'union') {
      plan = { kind: 'UnionAll', inputs: [left, right], fields };
      if (!q.all) plan = { kind: 'Distinct', input: plan, fields };
    } else {
      plan = { kind: 'SetOp', op: q.op, all: q.all, left, right, fields };
    }
    // PostgreSQL: a set operation's ORDER BY names output columns (or ordinals), nothing else.
    for (const o of q.orderBy) {
      if (o.expr.kind !== 'ColumnRef' && ordinal(o.expr) === undefined) {
        throw new SqlError(SqlState.FeatureNotSupported, 'invalid UNION/INTERSECT/EXCEPT ORDER BY clause', {
          position: o.expr.pos, detail: 'Only result column names can be used, not expressions or functions.',
          hint: 'Add the expression/function to every SELECT, or move the UNION into a FROM clause.',
        });
      }
    }
    return this.applyOrderLimit(plan, q.orderBy, q.limit, q.offset, outer, q.limitWithTies);
  }

  private castOutputs(p: RelPlan, types: SqlType[]): RelPlan {
    if (p.fields.every((f, i) => f.type.id === types[i].id && f.type.typmod === types[i].typmod)) return p;
    if (p.kind === 'Values') {
      return { ...p, rows: p.rows.map((r) => r.map((e, i) => coerce(e, types[i], 'implicit', this.params))), fields: p.fields.map((f, i) => ({ ...f, type: types[i] })) };
    }
    const exprs = p.fields.map((f, i) => coerce({ kind: 'Column', index: i, type: f.type }, types[i], 'implicit', this.params));
    return { kind: 'Project', input: p, exprs, fields: p.fields.map((f, i) => ({ name: f.name, type: types[i] })) };
  }

  /** ORDER BY / LIMIT over a set operation or VALUES: only output columns may be referenced. */
  private applyOrderLimit(plan: RelPlan, orderBy: OrderItem[], limit: Expr | undefined, offset: Expr | undefined, outer?: Scope, withTies?: boolean): RelPlan {
    if (orderBy.length > 0) {
      const scope = new Scope(plan.fields.map((f, i) => ({ name: f.name, type: f.type, index: i })), outer);
      const env: ExprEnv = { services: this, scope, clause: 'ORDER BY' };
      const keys: SortKey[] = orderBy.map((o) => {
        const ord = ordinal(o.expr);
        const expr: ScalarExpr = ord !== undefined ? columnOf(plan.fields, ord, o.expr.pos) : bindExpr(o.expr, env);
        return sortKey(expr, o);
      });
      plan = { kind: 'Sort', input: plan, keys, fields: plan.fields };
    }
    return this.applyLimit(plan, limit, offset, outer, withTies);
  }

  private applyLimit(plan: RelPlan, limit: Expr | undefined, offset: Expr | undefined, outer?: Scope, withTies?: boolean): RelPlan {
    if (!limit && !offset) return plan;
    const env: ExprEnv = { services: this, scope: new Scope([], outer), clause: 'LIMIT' };
    const bindCount = (e: Expr | undefined, clause: string) => {
      if (!e) return undefined;
      if (e.kind === 'Literal' && e.literal === 'null') return undefined;
      const b = bindExpr(e, { ...env, clause });
      return coerce(b, T.int8, 'implicit', this.params, e.pos);
    };
    const l: RelPlan = { kind: 'Limit', input: plan, limit: bindCount(limit, 'LIMIT'), offset: bindCount(offset, 'OFFSET'), fields: plan.fields };
    if (withTies) l.withTies = true;
    return l;
  }

  // ------------------------------------------------------------ SELECT

  private bindSelect(s: Select, outer?: Scope): RelPlan {

    // FROM
    let plan: RelPlan;
    let scope: Scope;
    if (s.from.length === 0) {
      plan = { kind: 'Values', rows: [[]], fields: [] };
      scope = new Scope([], outer);
    } else {
      let acc: { plan: RelPlan; cols: ScopeColumn[] } | undefined;
      for (const item of s.from) {
        if (acc && isLateralCandidate(item)) {
          acc = this.lateralJoin(acc, item, 'inner', undefined, outer);
          continue;
        }
        const b = this.bindFromItem(item, outer);
        acc = acc ? this.crossJoin(acc, b) : b;
      }
      plan = acc!.plan;
      scope = new Scope(acc!.cols, outer);
    }
    // WHERE
    if (s.where) {
      const env: ExprEnv = { services: this, scope, clause: 'WHERE' };
      const pred = requireBoolean(bindExpr(s.where, env), 'WHERE', this.params, s.where.pos);
      plan = pushDownFilter({ kind: 'Filter', input: plan, predicate: pred, fields: plan.fields });
    }
    // Select list expansion
    const items = this.expandItems(s.items, scope);
    if (s.distinctOn) plan = this.bindDistinctOn(s, items, scope, plan);
    const grouped = s.groupBy.length > 0 || s.having !== undefined || items.some((i) => i.ast && containsAggregate(i.ast)) || s.orderBy.some((o) => containsAggregate(o.expr));

    let outputExprs: ScalarExpr[];
    let env: ExprEnv;
    let post: ((e: ScalarExpr, pos?: number) => ScalarExpr) | undefined;
    // Window functions in the select list / ORDER BY: bound to placeholders, evaluated after HAVING.
    let windows: WindowCollector;
    if (grouped) {
      const g = this.bindGrouping(s, items, scope, plan);
      plan = g.plan;
      post = g.post;
      windows = new WindowCollector(this, scope, g.env.aggregates, post);
      env = { ...g.env, windows };
      outputExprs = items.map((it) => (it.ast ? post!(bindExpr(it.ast, env), it.ast.pos) : post!(it.expr!)));
      if (s.having) {
        const h = post(requireBoolean(bindExpr(s.having, { ...g.env, clause: 'HAVING' }), 'HAVING', this.params, s.having.pos), s.having.pos);
        plan = { kind: 'Filter', input: plan, predicate: h, fields: plan.fields };
      }
    } else {
      windows = new WindowCollector(this, scope);
      const srf = this.bindSelectListSrfs(items, scope, plan);
      plan = srf.plan;
      env = { services: this, scope, clause: 'SELECT', windows, srfs: srf.columns };
      outputExprs = items.map((it) => (it.ast ? bindExpr(it.ast, env) : it.expr!));
    }
    const outFields: Field[] = items.map((it, i) => ({ name: it.name, type: outputExprs[i].type, tableOid: it.tableOid, columnAttr: it.columnAttr }));

    // ORDER BY: output ordinals/names, or expressions (added as hidden columns)
    const sortRefs: { index: number; item: OrderItem }[] = [];
    const hidden: ScalarExpr[] = [];
    for (const o of s.orderBy) {
      const ord = ordinal(o.expr);
      if (ord !== undefined) {
        if (ord < 1 || ord > items.length) throw new SqlError(SqlState.InvalidColumnReference, `ORDER BY position ${ord} is not in select list`, { position: o.expr.pos });
        sortRefs.push({ index: ord - 1, item: o });
        continue;
      }
      if (o.expr.kind === 'ColumnRef' && o.expr.table === undefined) {
        const matches = items.map((it, i) => (it.name === (o.expr as { column: string }).column ? i : -1)).filter((i) => i >= 0);
        if (matches.length > 1 && !matches.every((m) => irEquals(outputExprs[m], outputExprs[matches[0]]))) {
          throw new SqlError(SqlState.AmbiguousColumn, `ORDER BY "${o.expr.column}" is ambiguous`, { position: o.expr.pos });
        }
        if (matches.length >= 1) {
          sortRefs.push({ index: matches[0], item: o });
          continue;
        }
      }
      let e = bindExpr(o.expr, { ...env, clause: 'ORDER BY' });
      if (post) e = post(e, o.expr.pos);
      const same = outputExprs.findIndex((x) => irEquals(x, e));
      if (same >= 0) {
        sortRefs.push({ index: same, item: o });
        continue;
      }
      if (s.distinct && !s.distinctOn) {
        throw new SqlError(SqlState.InvalidColumnReference, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', { position: o.expr.pos });
      }
      sortRefs.push({ index: outputExprs.length + hidden.length, item: o });
      hidden.push(e);
    }
    let allExprs = hidden.length > 0 ? [...outputExprs, ...hidden] : outputExprs;
    if (windows.size > 0) {
      const w = windows.build(plan);
      plan = w.plan;
      allExprs = allExprs.map(w.rewrite);
    }
    const allFields = hidden.length > 0 ? [...outFields, ...hidden.map((h, i) => ({ name: `?sort${i}?`, type: h.type }))] : outFields;
    plan = identityProject(plan, allExprs) ? { ...plan, fields: allFields } as RelPlan : { kind: 'Project', input: plan, exprs: allExprs, fields: allFields };
    if (s.distinct && !s.distinctOn) plan = { kind: 'Distinct', input: plan, fields: plan.fields };
    if (sortRefs.length > 0) {
      const keys = sortRefs.map((r) => sortKey({ kind: 'Column', index: r.index, type: allFields[r.index].type }, r.item));
      plan = { kind: 'Sort', input: plan, keys, fields: plan.fields };
    }
    plan = this.applyLimit(plan, s.limit, s.offset, outer, s.limitWithTies);
    if (hidden.length > 0) {
      plan = { kind: 'Project', input: plan, exprs: outFields.map((f, i) => ({ kind: 'Column', index: i, type: f.type })), fields: outFields };
    }
    return plan;
  }

  /**
   * SELECT DISTINCT ON (e, ...) ... ORDER BY ...: the first row of each e-group in ORDER BY order,
   * planned as row_number() OVER (PARTITION BY e ORDER BY ...) = 1 below the projection — the
   * shape a materialized view maintains with the incremental TopN operator. DISTINCT ON items
   * and ORDER BY items may name output columns or be ordinals, as in PostgreSQL.
   */
  private bindDistinctOn(s: Select, items: { name: string; ast?: Expr; expr?: ScalarExpr }[], scope: Scope, input: RelPlan): RelPlan {
    if (s.groupBy.length > 0 || s.having !== undefined || items.some((i) => i.ast && containsAggregate(i.ast))) {
      throw new SqlError(SqlState.FeatureNotSupported, 'DISTINCT ON with GROUP BY or aggregates is not supported yet', { position: s.pos });
    }
    const env: ExprEnv = { services: this, scope, clause: 'DISTINCT ON' };
    const bindItem = (e: Expr): ScalarExpr => {
      const ord = ordinal(e);
      if (ord !== undefined) {
        const it = items[ord - 1];
        if (!it) throw new SqlError(SqlState.InvalidColumnReference, `SELECT DISTINCT ON position ${ord} is not in select list`, { position: e.pos });
        return it.ast ? bindExpr(it.ast, env) : it.expr!;
      }
      if (e.kind === 'ColumnRef' && e.table === undefined && !scope.lookup(undefined, e.column, e.pos)) {
        const it = items.find((i) => i.name === e.column);
        if (it) return it.ast ? bindExpr(it.ast, env) : it.expr!;
      }
      return bindExpr(e, env);
    };
    const partitionBy = s.distinctOn!.map(bindItem);
    const orderBy = s.orderBy.map((o) => sortKey(bindItem(o.expr), o));
    for (let i = 0; i < Math.min(partitionBy.length, orderBy.length); i++) {
      if (!partitionBy.some((p) => irEquals(p, orderBy[i].expr))) {
        throw new SqlError(SqlState.InvalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', { position: s.orderBy[i].expr.pos });
      }
    }
    const rn = input.fields.length;
    const window: RelPlan = {
      kind: 'Window',
      input,
      partitionBy,
      orderBy,
      functions: [{ kind: 'row_number', name: 'row_number', args: [], frame: 'rows', type: T.int8 }],
      fields: [...input.fields, { name: '?distinct_on_rn?', type: T.int8 }],
    };
    const one: ScalarExpr = { kind: 'Literal', value: 1n, type: T.int8 };
    const isFirst = makeBinaryEq({ kind: 'Column', index: rn, type: T.int8 }, one);
    return { kind: 'Filter', input: window, predicate: isFirst, fields: window.fields };
  }

  /**
   * Set-returning functions in the select list (generate_series(...), unnest(...),
   * _pg_expandarray(...)): planned as a ProjectSet below the projection; each call becomes a
   * column that the select list reads (a record for multi-column functions).
   */
  private bindSelectListSrfs(items: { ast?: Expr }[], scope: Scope, input: RelPlan): { plan: RelPlan; columns?: Map<Expr, ScalarExpr> } {
    const calls: FuncCallExpr[] = [];
    const find = (e: Expr) => {
      if (e.kind === 'FuncCall' && !e.over && SET_RETURNING_FUNCTIONS.has(e.name.toLowerCase()) || (e.kind === 'FuncCall' && e.schema !== undefined && SET_RETURNING_FUNCTIONS.has(`${e.schema}.${e.name}`.toLowerCase()))) {
        calls.push(e as FuncCallExpr);
        return;
      }
      visitExprChildren(e, find);
    };
    for (const it of items) if (it.ast) find(it.ast);
    if (calls.length === 0) return { plan: input };
    const env: ExprEnv = { services: this, scope, clause: 'SELECT' };
    const columns = new Map<Expr, ScalarExpr>();
    const functions: Extract<RelPlan, { kind: 'ProjectSet' }>['functions'] = [];
    const fields = [...input.fields];
    for (const call of calls) {
      const shape = setReturningFunction(call.name, call.args.map((a) => bindExpr(a, env)), this.params, call.pos);
      const record = shape.columns.length > 1;
      const type = record ? recordOf(shape.columns.map(([name, t]) => ({ name, type: t }))) : shape.columns[0][1];
      columns.set(call, { kind: 'Column', index: fields.length, type, name: call.name });
      fields.push({ name: call.name, type });
      functions.push({ name: call.name, args: shape.args, rows: shape.rows, record });
    }
    return { plan: { kind: 'ProjectSet', input, functions, fields }, columns };
  }

  private expandItems(items: SelectItem[], scope: Scope): { name: string; ast?: Expr; expr?: ScalarExpr; tableOid?: number; columnAttr?: number }[] {
    const out: { name: string; ast?: Expr; expr?: ScalarExpr; tableOid?: number; columnAttr?: number }[] = [];
    for (const it of items) {
      if (it.kind === 'Star' || (it.kind === 'Expr' && it.expr.kind === 'Star')) {
        const table = it.kind === 'Star' ? it.table : (it.expr as { table?: string }).table;
        const cols = scope.star(table, it.pos);
        if (cols.length === 0 && table === undefined && scope.columns.length === 0) {
          throw new SqlError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid', { position: it.pos });
        }
        for (const c of cols) {
          out.push({ name: c.name, expr: { kind: 'Column', index: c.index, type: c.type, name: c.tableAlias ? `${c.tableAlias}.${c.name}` : c.name }, tableOid: c.tableOid, columnAttr: c.columnAttr });
        }
        continue;
      }
      const e = it.expr;
      let tableOid: number | undefined;
      let columnAttr: number | undefined;
      if (e.kind === 'ColumnRef') {
        const c = scope.lookup(e.table, e.column, e.pos);
        tableOid = c?.tableOid;
        columnAttr = c?.columnAttr;
      }
      out.push({ name: it.alias ?? deriveName(e), ast: e, tableOid, columnAttr });
    }
    return out;
  }

  /** GROUP BY / aggregates: builds the Aggregate node and the rewrite from input expressions to its outputs. */
  private bindGrouping(s: Select, items: { name: string; ast?: Expr; expr?: ScalarExpr }[], scope: Scope, input: RelPlan) {
    const baseEnv: ExprEnv = { services: this, scope, clause: 'GROUP BY' };
    const groupKeys: ScalarExpr[] = [];
    const bindKey = (g: Expr): ScalarExpr => {
      const ord = ordinal(g);
      let e: ScalarExpr;
      if (ord !== undefined) {
        if (ord < 1 || ord > items.length) throw new SqlError(SqlState.InvalidColumnReference, `GROUP BY position ${ord} is not in select list`, { position: g.pos });
        const it = items[ord - 1];
        if (it.ast && containsAggregate(it.ast)) throw new SqlError(SqlState.GroupingError, 'aggregate functions are not allowed in GROUP BY', { position: g.pos });
        e = it.ast ? bindExpr(it.ast, baseEnv) : it.expr!;
      } else if (g.kind === 'ColumnRef' && g.table === undefined && !scope.lookup(undefined, g.column, g.pos)) {
        const it = items.find((i) => i.name === g.column && i.ast);
        if (!it) e = bindExpr(g, baseEnv);
        else e = bindExpr(it.ast!, baseEnv);
      } else {
        e = bindExpr(g, baseEnv);
      }
      return e;
    };
    for (const g of s.groupBy) {
      const e = bindKey(g);
      if (!groupKeys.some((k) => irEquals(k, e))) groupKeys.push(e);
    }
    // ROLLUP / CUBE / GROUPING SETS: each set as positions in groupKeys.
    let groupingSets = s.groupingSets?.map((set) => [...new Set(set.map((g) => { const e = bindKey(g); return groupKeys.findIndex((k) => irEquals(k, e)); }))].sort((a, b) => a - b));
    if (groupingSets && s.groupByDistinct) groupingSets = groupingSets.filter((set, i) => groupingSets!.findIndex((o) => o.join() === set.join()) === i);
    const aggCalls: AggCall[] = [];
    const aggAsts: FuncCallExpr[] = [];
    const sink: AggregateSink = {
      add: (call) => {
        const existing = aggAsts.findIndex((a) => a === call);
        const k = existing >= 0 ? existing : call.name === 'grouping' ? this.bindGroupingCall(call, bindKey, groupKeys, aggCalls, aggAsts) : this.bindAggregate(call, scope, aggCalls, aggAsts);
        return { kind: 'Column', index: -(k + 1), type: aggCalls[k].agg.returnType };
      },
    };
    const nKeys = groupKeys.length;
    const fields: Field[] = [
      ...groupKeys.map((k, i) => ({ name: k.kind === 'Column' && k.name ? k.name : `?group${i}?`, type: k.type })),
    ];
    const env: ExprEnv = { services: this, scope, aggregates: sink, clause: 'SELECT' };
    // Aggregate fields are appended lazily: the node is built after all expressions were bound.
    const agg: RelPlan & { kind: 'Aggregate' } = { kind: 'Aggregate', input, groupKeys, aggregates: aggCalls, fields, ...(groupingSets ? { groupingSets } : {}) };
    partitionSessions(input, groupKeys);
    const post = (e: ScalarExpr, pos?: number): ScalarExpr => {
      const rewrite = (x: ScalarExpr): ScalarExpr => {
        const gi = groupKeys.findIndex((k) => irEquals(k, x));
        if (gi >= 0) return { kind: 'Column', index: gi, type: groupKeys[gi].type };
        if (x.kind === 'Column') {
          if (isWindowPlaceholder(x)) return x;
          if (x.index < 0) return { kind: 'Column', index: nKeys + (-x.index - 1), type: x.type };
          throw new SqlError(SqlState.GroupingError, `column "${x.name ?? '?'}" must appear in the GROUP BY clause or be used in an aggregate function`, { position: x.pos ?? pos });
        }
        if (x.kind === 'Subquery' || x.kind === 'InSubquery') return mapChildren(x, rewrite);
        return mapChildren(x, rewrite);
      };
      const r = rewrite(e);
      syncAggFields();
      return r;
    };
    const syncAggFields = () => {
      while (fields.length < nKeys + aggCalls.length) {
        const k = fields.length - nKeys;
        fields.push({ name: aggCalls[k].agg.name, type: aggCalls[k].agg.returnType });
      }
    };
    syncAggFields();
    return { plan: agg as RelPlan, env, post };
  }

  /**
   * GROUPING(a, b, ...): per output row, a bit per argument (the first the most significant) set
   * when the row's grouping set does not group by it. An aggregate slot whose value the grouping-set
   * expansion fills in per set (expandGroupingSets); 0 for a plain GROUP BY.
   */
  private bindGroupingCall(call: FuncCallExpr, bindKey: (g: Expr) => ScalarExpr, groupKeys: ScalarExpr[], aggCalls: AggCall[], aggAsts: FuncCallExpr[]): number {
    if (call.args.length === 0 || call.args.length > 31) throw new SqlError(SqlState.SyntaxError, 'GROUPING must have between 1 and 31 arguments', { position: call.pos });
    const groupingArgs = call.args.map((a) => {
      const at = groupKeys.findIndex((k) => irEquals(k, bindKey(a)));
      if (at < 0) throw new SqlError(SqlState.GroupingError, 'arguments to GROUPING must be grouping expressions of the associated query level', { position: a.pos ?? call.pos });
      return at;
    });
    aggCalls.push({ agg: GROUPING_AGGREGATE, args: [], distinct: false, groupingArgs });
    aggAsts.push(call);
    return aggCalls.length - 1;
  }

  private bindAggregate(call: FuncCallExpr, scope: Scope, aggCalls: AggCall[], aggAsts: FuncCallExpr[]): number {
    const env: ExprEnv = { services: this, scope, clause: 'aggregate function calls', aggregates: undefined };
    const nestedEnv: ExprEnv = { ...env, clause: 'aggregate function calls' };
    for (const a of call.args) {
      if (containsAggregate(a)) throw new SqlError(SqlState.GroupingError, 'aggregate function calls cannot be nested', { position: a.pos ?? call.pos });
    }
    if (ORDERED_SET_AGGREGATES.has(call.name) !== (call.withinGroup === true)) {
      const msg = call.withinGroup ? `${call.name} is not an ordered-set aggregate, so it cannot have WITHIN GROUP` : `WITHIN GROUP is required for ordered-set aggregate ${call.name}`;
      throw new SqlError(SqlState.WrongObjectType, msg, { position: call.pos });
    }
    let args: ScalarExpr[];
    if (call.star) {
      if (call.name !== 'count') throw new SqlError(SqlState.SyntaxError, `${call.name}(*) is not allowed`, { position: call.pos });
      args = [];
    } else {
      args = call.args.map((a) => bindExpr(a, nestedEnv));
    }
    // An order-sensitive DISTINCT aggregate without ORDER BY lists its values sorted, as PostgreSQL
    // (which sorts the input to remove duplicates): array_agg(DISTINCT x) = array_agg(DISTINCT x ORDER BY x).
    const orderItems = call.orderBy ?? (call.distinct && ORDER_SENSITIVE_AGGREGATES.has(call.name) ? call.args.map((a): OrderItem => ({ expr: a, desc: false })) : []);
    const orderBy = orderItems.map((o) => ({ expr: bindExpr(o.expr, nestedEnv), item: o }));
    const argTypes = args.map((a) => (a.type.id === TypeId.Unknown ? T.text : a.type));
    const resolved = resolveAggregate(call.name, argTypes, orderBy.length > 0 ? { orderBy: orderBy.map((o) => ({ type: o.expr.type, desc: o.item.desc, nullsFirst: o.item.nullsFirst ?? o.item.desc })) } : undefined);
    if (!resolved) {
      // An ordered-set aggregate's signature lists the direct arguments, then the sort keys.
      const shown = call.withinGroup ? [...argTypes, ...orderBy.map((o) => o.expr.type)] : argTypes;
      throw new SqlError(SqlState.UndefinedFunction, `function ${call.name}(${shown.map(typeDisplayName).join(', ')}) does not exist`, {
        position: call.pos,
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    const castArgs = args.map((a, i) => coerce(a, resolved.argTypes[i] ?? a.type, 'implicit', this.params, call.args[i]?.pos ?? call.pos));
    const filter = call.filter ? requireBoolean(bindExpr(call.filter, { ...nestedEnv, clause: 'FILTER' }), 'FILTER', this.params, call.filter.pos) : undefined;
    aggCalls.push({ agg: resolved, args: [...castArgs, ...orderBy.map((o) => o.expr)], distinct: call.distinct, filter });
    aggAsts.push(call);
    return aggCalls.length - 1;
  }

  // ------------------------------------------------------------ FROM

  private bindFromItem(item: FromItem, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[] } {
    switch (item.kind) {
      case 'Table':
        if (item.systemTime !== undefined) throw misplacedSystemTime(item);
        return this.bindTable(item, outer);
      case 'Subquery': {
        const plan = this.bindQuery(item.query, outer);
        const alias = item.alias ?? 'unnamed_subquery';
        return { plan, cols: fieldsToScope(plan.fields, alias, item.columnAliases) };
      }
      case 'TableFunction': {
        if (WINDOW_FUNCTIONS.has(item.name.toLowerCase())) return bindWindowTableFunction(item, (t) => this.bindTable(t, outer));
        const env: ExprEnv = { services: this, scope: new Scope([], outer), clause: 'functions in FROM' };
        const lower = item.name.toLowerCase();
        const bare = lower.replace(/^(pg_catalog|information_schema)\./, '');
        const scalar = SET_RETURNING_FUNCTIONS.has(lower) || SET_RETURNING_FUNCTIONS.has(bare)
          ? undefined
          : () => bindExpr({ kind: 'FuncCall', name: bare, args: item.args, star: false, distinct: false, pos: item.pos }, env);
        const tf = bindTableFunction(item, () => (scalar ? [] : item.args.map((a) => bindExpr(a, env))), scalar, this.params);
        return { plan: tf.plan, cols: fieldsToScope(tf.plan.fields, tf.alias) };
      }
      case 'Join': return this.bindJoin(item, outer);
    }
  }

  private bindTable(item: Extract<FromItem, { kind: 'Table' }>, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[] } {
    const alias = item.alias ?? item.name;
    if (item.schema === undefined) {
      for (let i = this.cteStack.length - 1; i >= 0; i--) {
        const cte = this.cteStack[i].get(item.name);
        if (cte) {
          const saved = this.cteStack;
          this.cteStack = this.cteStack.slice(0, i + 1);
          try {
            const plan = this.bindQuery(cte.query, outer);
            return { plan, cols: fieldsToScope(plan.fields, alias, item.columnAliases ?? cte.columnAliases) };
          } finally {
            this.cteStack = saved;
          }
        }
      }
    }
    const schema = item.schema;
    if (schema === undefined || schema === 'public' || schema === 'eddy') {
      const obj = this.env.catalog.get(item.name);
      if (obj) return this.bindCatalogObject(obj, alias, item.columnAliases, item.pos, outer);
    }
    if (schema === undefined || schema === 'eddy' || schema === 'pg_catalog' || schema === 'information_schema') {
      const sys = this.env.systemTables.get(schema && schema !== 'eddy' ? `${schema}.${item.name}` : item.name);
      if (sys) {
        const source: ScanSource = { kind: 'system', objectId: sys.objectId, name: sys.name };
        const plan: RelPlan = { kind: 'Scan', source, fields: sys.fields };
        return { plan, cols: fieldsToScope(sys.fields, alias, item.columnAliases) };
      }
    }
    throw undefinedTable(schema ? `${schema}.${item.name}` : item.name, item.pos);
  }

  private bindCatalogObject(obj: CatalogObject, alias: string, columnAliases: string[] | undefined, pos: number | undefined, outer?: Scope) {
    if (obj.kind === 'sink') throw new SqlError(SqlState.WrongObjectType, `"${obj.name}" is a sink, not a relation`, { position: pos });
    this.dependencies.add(obj.id);
    if (obj.kind === 'view') {
      if (this.viewDepth > 32) throw new SqlError(SqlState.InvalidObjectDefinition, `infinite recursion detected in rules for relation "${obj.name}"`, { position: pos });
      this.viewDepth++;
      const savedStack = this.cteStack;
      this.cteStack = [];
      try {
        const plan = this.bindQuery(this.env.parseQuery(obj.queryText ?? ''), undefined);
        const fields = plan.fields.map((f, i) => ({ ...f, name: obj.columns[i]?.name ?? f.name }));
        void outer;
        return { plan: { ...plan, fields } as RelPlan, cols: fieldsToScope(fields, alias, columnAliases) };
      } finally {
        this.cteStack = savedStack;
        this.viewDepth--;
      }
    }
    const fields: Field[] = obj.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: obj.id, columnAttr: i + 1 }));
    const source: ScanSource = { kind: sourceKind[obj.kind], objectId: obj.id, name: obj.name };
    const plan: RelPlan = { kind: 'Scan', source, fields };
    return { plan, cols: fieldsToScope(fields, alias, columnAliases) };
  }

  private crossJoin(l: { plan: RelPlan; cols: ScopeColumn[] }, r: { plan: RelPlan; cols: ScopeColumn[] }) {
    const leftNames = new Set(l.cols.map((c) => c.tableAlias));
    const clash = r.cols.find((c) => c.tableAlias !== undefined && leftNames.has(c.tableAlias));
    if (clash) throw new SqlError(SqlState.DuplicateAlias, `table name "${clash.tableAlias}" specified more than once`);
    const width = l.plan.fields.length;
    const plan: RelPlan = { kind: 'Join', joinType: 'inner', left: l.plan, right: r.plan, leftKeys: [], rightKeys: [], fields: [...l.plan.fields, ...r.plan.fields] };
    return { plan, cols: [...l.cols, ...r.cols.map((c) => ({ ...c, index: c.index + width }))] };
  }

  /**
   * A LATERAL subquery, or a function in FROM (lateral in PostgreSQL without the keyword), bound
   * where it may read the columns of the items to its left. It becomes an Apply (per left row)
   * only when it does read them; otherwise it is an ordinary join item.
   */
  private bindLateral(l: { cols: ScopeColumn[] }, item: FromItem, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[]; outer?: ScalarExpr[] } {
    if (item.kind === 'TableFunction') {
      try {
        return this.bindFromItem(item, outer);
      } catch (e) {
        if (!(e instanceof SqlError) || (e.code !== SqlState.UndefinedColumn && e.code !== SqlState.UndefinedTable)) throw e;
      }
    }
    let query: Query;
    if (item.kind === 'Subquery') query = item.query;
    else {
      // SELECT * FROM f(args) alias: the function's arguments read the left row as outer references.
      query = this.env.parseQuery('SELECT * FROM lateral_function');
      if (query.kind !== 'Select') throw new SqlError(SqlState.InternalError, 'lateral wrapper is not a SELECT');
      query.from = [item];
    }
    const bound = this.bindSubquery(query, new Scope(l.cols, outer));
    const alias = item.kind === 'Subquery' ? item.alias ?? 'unnamed_subquery' : (item.kind === 'TableFunction' ? item.alias ?? item.name.replace(/^.*\./, '') : 'lateral');
    const columnAliases = item.kind === 'Subquery' || item.kind === 'TableFunction' ? item.columnAliases : undefined;
    return { plan: bound.plan, cols: fieldsToScope(bound.plan.fields, alias, columnAliases), ...(bound.outer ? { outer: bound.outer } : {}) };
  }

  /** `l` joined with a lateral item; an ON condition (bindJoin) is bound over both. */
  private lateralJoin(l: { plan: RelPlan; cols: ScopeColumn[] }, item: FromItem, joinType: 'inner' | 'left' | 'right' | 'full', on: Expr | undefined, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[] } {
    const r = this.bindLateral(l, item, outer);
    const joined = this.crossJoin(l, r);
    if (!r.outer) {
      if (!on && joinType === 'inner') return joined;
      return this.finishJoin(joined, l.plan.fields.length, joinType, on, outer);
    }
    if (joinType !== 'inner' && joinType !== 'left') {
      throw new SqlError(SqlState.InvalidColumnReference, 'invalid reference to FROM-clause entry in a LATERAL item', { detail: 'The combining JOIN type must be INNER or LEFT for a LATERAL reference.' });
    }
    let residual: ScalarExpr | undefined;
    if (on) {
      const env: ExprEnv = { services: this, scope: new Scope(joined.cols, outer), clause: 'JOIN conditions' };
      residual = requireBoolean(bindExpr(on, env), 'JOIN/ON', this.params, on.pos);
    }
    const plan: RelPlan = { kind: 'Apply', joinType, left: l.plan, right: r.plan, outer: r.outer, ...(residual ? { residual } : {}), fields: joined.plan.fields };
    return { plan, cols: joined.cols };
  }

  /** An uncorrelated lateral item joined with an ON condition: an ordinary join. */
  private finishJoin(joined: { plan: RelPlan; cols: ScopeColumn[] }, width: number, joinType: 'inner' | 'left' | 'right' | 'full', on: Expr | undefined, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[] } {
    const leftKeys: ScalarExpr[] = [];
    const rightKeys: ScalarExpr[] = [];
    const residual: ScalarExpr[] = [];
    if (on) {
      const env: ExprEnv = { services: this, scope: new Scope(joined.cols, outer), clause: 'JOIN conditions' };
      for (const c of conjuncts(requireBoolean(bindExpr(on, env), 'JOIN/ON', this.params, on.pos))) {
        const k = splitEquiKey(c, width);
        if (k) {
          leftKeys.push(k[0]);
          rightKeys.push(k[1]);
        } else residual.push(c);
      }
    }
    const plan = joined.plan as Extract<RelPlan, { kind: 'Join' }>;
    return {
      plan: { ...plan, joinType, leftKeys, rightKeys, residual: residual.length === 0 ? undefined : residual.length === 1 ? residual[0] : { kind: 'And', args: residual, type: T.bool } },
      cols: joined.cols,
    };
  }

  private bindJoin(item: Extract<FromItem, { kind: 'Join' }>, outer?: Scope): { plan: RelPlan; cols: ScopeColumn[] } {
    const l = this.bindFromItem(item.left, outer);
    if (isLateralCandidate(item.right) && !item.using && !item.natural) {
      return this.lateralJoin(l, item.right, item.joinType === 'cross' ? 'inner' : item.joinType, item.on, outer);
    }
    const lookup = lookupTable(item);
    const r = lookup ? this.bindTable(lookup, outer) : this.bindFromItem(item.right, outer);
    if (lookup) checkLookupJoin(item, lookup, r.plan);
    const joined = this.crossJoin(l, r);
    const width = l.plan.fields.length;
    const joinType = item.joinType === 'cross' ? 'inner' : item.joinType;
    const cols = joined.cols;
    let usingCols = item.using;
    if (item.natural) {
      const rightNames = new Set(r.cols.filter((c) => !c.hidden).map((c) => c.name));
      usingCols = l.cols.filter((c) => !c.hidden && rightNames.has(c.name)).map((c) => c.name);
    }
    const leftKeys: ScalarExpr[] = [];
    const rightKeys: ScalarExpr[] = [];
    const residual: ScalarExpr[] = [];
    const fullMerged: { name: string; type: SqlType; l: ScalarExpr; r: ScalarExpr }[] = [];
    let outCols = cols;
    const plan = joined.plan as Extract<RelPlan, { kind: 'Join' }>;
    if (usingCols && usingCols.length > 0) {
      const lScope = new Scope(l.cols);
      const rScope = new Scope(r.cols);
      const hiddenRight = new Set<number>();
      const hiddenLeft = new Set<number>();
      const merged: ScopeColumn[] = [];
      const joinedWidth = plan.fields.length;
      for (const name of usingCols) {
        const lc = lScope.lookup(undefined, name);
        const rc = rScope.lookup(undefined, name);
        if (!lc) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" specified in USING clause does not exist in left table`, { position: item.pos });
        if (!rc) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" specified in USING clause does not exist in right table`, { position: item.pos });
        const t = commonSupertype([lc.type, rc.type], 'JOIN/USING');
        leftKeys.push(coerce({ kind: 'Column', index: lc.index, type: lc.type }, t, 'implicit', this.params));
        rightKeys.push(coerce({ kind: 'Column', index: rc.index, type: rc.type }, t, 'implicit', this.params));
        if (joinType === 'right') hiddenLeft.add(lc.index);
        else hiddenRight.add(rc.index + width);
        // FULL JOIN: the merged column is COALESCE(left, right), appended after the join's columns below.
        if (joinType === 'full') fullMerged.push({ name, type: t, l: leftKeys[leftKeys.length - 1], r: mapColumns(rightKeys[rightKeys.length - 1], (c) => ({ ...c, index: c.index + width })) });
        else merged.push(joinType === 'right' ? { ...rc, index: rc.index + width, tableAlias: undefined } : { ...lc, tableAlias: undefined });
      }
      // USING columns come first and answer unqualified names; the originals stay reachable qualified.
      void hiddenLeft; void hiddenRight;
      fullMerged.forEach((m, i) => merged.push({ name: m.name, type: m.type, index: joinedWidth + i }));
      outCols = [...merged, ...cols.map((c) => (usingCols!.includes(c.name) ? { ...c, hidden: true } : c))];
    }
    if (item.on) {
      const scope = new Scope(cols, outer);
      const env: ExprEnv = { services: this, scope, clause: 'JOIN conditions' };
      const on = requireBoolean(bindExpr(item.on, env), 'JOIN/ON', this.params, item.on.pos);
      for (const c of conjuncts(on)) {
        const k = splitEquiKey(c, width);
        if (k) {
          leftKeys.push(k[0]);
          rightKeys.push(k[1]);
        } else residual.push(c);
      }
    }
    const out: RelPlan = {
      ...plan,
      joinType,
      leftKeys,
      rightKeys,
      residual: residual.length === 0 ? undefined : residual.length === 1 ? residual[0] : { kind: 'And', args: residual, type: T.bool },
      ...(lookup ? { lookup: 'right' as const } : {}),
    };
    if (fullMerged.length === 0) return { plan: out, cols: outCols };
    const exprs: ScalarExpr[] = [
      ...out.fields.map((f, i): ScalarExpr => ({ kind: 'Column', index: i, type: f.type })),
      ...fullMerged.map((m): ScalarExpr => ({ kind: 'Coalesce', args: [m.l, m.r], type: m.type })),
    ];
    const fields = [...out.fields, ...fullMerged.map((m) => ({ name: m.name, type: m.type }))];
    return { plan: { kind: 'Project', input: out, exprs, fields }, cols: outCols };
  }
}

// ------------------------------------------------------------ helpers

/**
 * SESSION windows are per GROUP BY key: a SessionWindow directly under the aggregate (through
 * WHERE filters) partitions by the group keys that are not its own window columns.
 */
function partitionSessions(input: RelPlan, groupKeys: ScalarExpr[]): void {
  let n = input;
  while (n.kind === 'Filter') n = n.input;
  if (n.kind !== 'SessionWindow') return;
  const width = n.input.fields.length;
  n.partitionBy = groupKeys.filter((k) => [...columnsUsed(k)].every((c) => c < width));
}

function fieldsToScope(fields: Field[], alias: string, columnAliases?: string[]): ScopeColumn[] {
  return fields.map((f, i) => ({
    name: columnAliases?.[i] ?? f.name,
    type: f.type,
    index: i,
    tableAlias: alias,
    tableOid: f.tableOid,
    columnAttr: f.columnAttr,
  }));
}

function ordinal(e: Expr): number | undefined {
  return e.kind === 'Literal' && e.literal === 'integer' ? Number(e.value) : undefined;
}

function columnOf(fields: Field[], ord: number, pos?: number): ScalarExpr {
  if (ord < 1 || ord > fields.length) throw new SqlError(SqlState.InvalidColumnReference, `ORDER BY position ${ord} is not in select list`, { position: pos });
  return { kind: 'Column', index: ord - 1, type: fields[ord - 1].type };
}

/**
 * CORRESPONDING [BY (cols)] (SQL standard): both sides projected onto the columns they share by
 * name, in the left side's order (or the BY list's order); 42703 when a BY column or every
 * column is missing on a side.
 */
function correspondingColumns(left: RelPlan, right: RelPlan, by: string[] | undefined, opName: string, pos?: number): [RelPlan, RelPlan] {
  const index = (p: RelPlan, name: string) => p.fields.findIndex((f) => f.name === name);
  const names = by ?? left.fields.map((f) => f.name).filter((n) => index(right, n) >= 0);
  if (names.length === 0) {
    throw new SqlError(SqlState.UndefinedColumn, `${opName} CORRESPONDING: the two sides have no column name in common`, { position: pos });
  }
  const pick = (p: RelPlan): RelPlan => {
    const exprs = names.map((n): ScalarExpr => {
      const i = index(p, n);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" in CORRESPONDING BY is not found in both sides of the ${opName}`, { position: pos });
      return { kind: 'Column', index: i, type: p.fields[i].type };
    });
    return { kind: 'Project', input: p, exprs, fields: names.map((n, k) => ({ name: n, type: exprs[k].type })) };
  };
  return [pick(left), pick(right)];
}

function makeBinaryEq(l: ScalarExpr, r: ScalarExpr): ScalarExpr {
  const resolved = resolveBinaryOperator('=', l.type, r.type)!;
  return { kind: 'BinaryOp', op: '=', impl: resolved.impl, left: l, right: r, type: T.bool };
}

function sortKey(expr: ScalarExpr, o: OrderItem): SortKey {
  return { expr, desc: o.desc, nullsFirst: o.nullsFirst ?? o.desc, cmp: compareFn(expr.type) };
}

function identityProject(input: RelPlan, exprs: ScalarExpr[]): boolean {
  return exprs.length === input.fields.length && exprs.every((e, i) => e.kind === 'Column' && e.index === i && e.type.id === input.fields[i].type.id);
}

/** PostgreSQL's output column naming for an unaliased select item. */
export function deriveName(e: Expr): string {
  switch (e.kind) {
    case 'ColumnRef': return e.column;
    case 'FuncCall': return e.name;
    case 'Cast': {
      const inner = deriveName(e.arg);
      return inner !== '?column?' ? inner : e.typeName.name.split(' ')[0] === 'character' ? 'bpchar' : canonicalTypeLabel(e.typeName.name);
    }
    case 'TypedLiteral': return canonicalTypeLabel(e.typeName.name);
    case 'Case': return 'case';
    case 'Exists': return 'exists';
    case 'FieldSelect': return e.field;
    case 'ArraySubquery': return 'array';
    case 'ScalarSubquery': {
      const q = e.query;
      if (q.kind === 'Select' && q.items.length === 1 && q.items[0].kind === 'Expr') return deriveName(q.items[0].expr);
      return '?column?';
    }
    default: return '?column?';
  }
}

function canonicalTypeLabel(name: string): string {
  const map: Record<string, string> = {
    integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', 'double precision': 'float8', float: 'float8',
    boolean: 'bool', 'character varying': 'varchar', decimal: 'numeric', 'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp',
  };
  return map[name] ?? name;
}

/** True if the expression contains an aggregate call outside of subqueries. */
export function containsAggregate(e: Expr): boolean {
  if (isAggregateCall(e)) return true;
  let found = false;
  visitExprChildren(e, (c) => { if (!found && containsAggregate(c)) found = true; });
  return found;
}

function visitExprChildren(e: Expr, fn: (c: Expr) => void): void {
  switch (e.kind) {
    case 'ColumnRef': case 'Star': case 'Literal': case 'TypedLiteral': case 'Param':
    case 'InSubquery': case 'Exists': case 'ScalarSubquery': case 'ArraySubquery':
      if (e.kind === 'InSubquery') fn(e.arg);
      return;
    case 'FieldSelect': fn(e.arg); return;
    case 'Unary': fn(e.arg); return;
    case 'Binary': fn(e.left); fn(e.right); return;
    case 'IsNull': case 'IsBool': fn(e.arg); return;
    case 'IsDistinct': fn(e.left); fn(e.right); return;
    case 'Between': fn(e.arg); fn(e.low); fn(e.high); return;
    case 'InList': fn(e.arg); e.list.forEach(fn); return;
    case 'Quantified': fn(e.left); if ('kind' in e.right && !['Select', 'SetOp', 'Values'].includes(e.right.kind)) fn(e.right as Expr); return;
    case 'Like': fn(e.arg); fn(e.pattern); if (e.escape) fn(e.escape); return;
    case 'Case': if (e.operand) fn(e.operand); e.whens.forEach((w) => { fn(w.when); fn(w.then); }); if (e.else) fn(e.else); return;
    case 'Cast': fn(e.arg); return;
    case 'FuncCall':
      e.args.forEach(fn);
      if (e.filter) fn(e.filter);
      if (e.over) { e.over.partitionBy.forEach(fn); e.over.orderBy.forEach((o) => fn(o.expr)); }
      return;
    case 'Array': case 'Row': e.elements.forEach(fn); return;
    case 'Subscript': fn(e.arg); fn(e.index); return;
  }
}

export { mapColumns };

/** A FROM item that may read the items to its left: LATERAL subqueries and functions (not TUMBLE/HOP/SESSION). */
function isLateralCandidate(item: FromItem): boolean {
  if (item.kind === 'Subquery') return item.lateral === true;
  return item.kind === 'TableFunction' && !WINDOW_FUNCTIONS.has(item.name.toLowerCase());
}

/** GROUPING()'s slot: 0 unless the grouping-set expansion replaces it with the set's bits. */
const GROUPING_AGGREGATE: ResolvedAggregate = {
  name: 'grouping',
  returnType: T.int4,
  argTypes: [],
  create: () => ({ add: () => undefined, result: () => 0, save: () => null, load: () => undefined }),
};
