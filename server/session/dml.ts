/**
 * INSERT, UPDATE and DELETE: bound and compiled once per statement text, executed as work items
 * inside an epoch, so each statement is validated fully before it changes anything.
 */
import type { SelectItem, Statement } from '../../parser/ast.js';
import { parseStatement } from '../../parser/parse.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import type { EpochTx } from '../../runtime/engine.js';
import { kindName, type CatalogObject, type ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import { currentMicros } from '../../runtime/expr/eval-context.js';
import { compileRowSubquery, compileExpr } from '../../runtime/expr/compile.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { prepareBatch, type BatchRunner } from '../../runtime/batch/executor.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import { QueryBinder, deriveName } from '../../planner/bind/bind-select.js';
import type { ColumnDesc } from './session-api.js';

/** A DML statement's RETURNING list: output columns and the projection of an affected row. */
interface Returning {
  columns: ColumnDesc[];
  project: (row: Row) => Row;
}
import { ParamTypes, coerceForAssignment, requireBoolean } from '../../planner/bind/coerce.js';
import { bindExpr, type ExprEnv } from '../../planner/bind/bind-expr.js';
import { Scope } from '../../planner/bind/scope.js';
import type { SessionDeps } from './session.js';
import { Compiled, type Planned } from './planned.js';

export class DmlPlanner {
  constructor(private readonly deps: SessionDeps, private readonly evalContext: (params?: Value[]) => EvalContext) {}

  targetRelation(name: string, verb: 'insert into' | 'update' | 'delete from', pos?: number): CatalogObject {
    const obj = this.deps.engine.catalog.get(name);
    if (!obj) throw new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`, { position: pos });
    if (obj.kind === 'mv' || obj.kind === 'view') {
      throw new SqlError(SqlState.WrongObjectType, `cannot change ${kindName(obj.kind)} "${name}"`, { position: pos });
    }
    if (obj.appendOnlyTable === true && verb !== 'insert into') {
      throw new SqlError(SqlState.WrongObjectType, `cannot ${verb} append-only table "${name}"`, { position: pos, hint: 'The table was created APPEND ONLY; create it without APPEND ONLY for rows that change.' });
    }
    if (obj.kind === 'stream' && verb !== 'insert into') {
      throw new SqlError(SqlState.WrongObjectType, `cannot ${verb} stream "${name}"`, { position: pos, hint: 'Streams are append-only; use a table for rows that change.' });
    }
    return obj;
  }

  bindDefault(c: ColumnSchema, params: ParamTypes): ScalarExpr {
    const stmt = parseStatement(`SELECT ${c.defaultSql}`);
    if (stmt.kind !== 'Query' || stmt.query.kind !== 'Select' || stmt.query.items[0]?.kind !== 'Expr') throw new SqlError(SqlState.InvalidObjectDefinition, `bad default for column "${c.name}"`);
    const env: ExprEnv = { services: { params, bindSubquery: () => { throw new SqlError(SqlState.FeatureNotSupported, 'cannot use subquery in DEFAULT expression'); } }, scope: Scope.empty(), clause: 'DEFAULT expressions' };
    const e = bindExpr(stmt.query.items[0].expr, env);
    return coerceForAssignment(e, c.type, c.name, params);
  }

  planInsert(s: Extract<Statement, { kind: 'Insert' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'insert into', s.pos);
    const params = new ParamTypes([...paramTypes]);
    const cols = obj.columns;
    const targetIdx: number[] = [];
    if (s.columns) {
      for (const n of s.columns) {
        const i = cols.findIndex((c) => c.name === n);
        if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" of relation "${obj.name}" does not exist`, { position: s.pos });
        if (targetIdx.includes(i)) throw new SqlError(SqlState.DuplicateColumn, `column "${n}" specified more than once`, { position: s.pos });
        targetIdx.push(i);
      }
    } else {
      // Without a column list the values fill the leading columns; the rest take their defaults (PostgreSQL).
      const source = s.source;
      let width = cols.length;
      if (source?.kind === 'Values') width = Math.max(...source.rows.map((r) => r.length));
      else if (source) width = new QueryBinder(this.deps.binderEnv, new ParamTypes([...paramTypes])).bindQuery(source).fields.length;
      if (width > cols.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns', { position: s.pos });
      for (let i = 0; i < width; i++) targetIdx.push(i);
    }
    const ctx = this.evalContext();
    const compile = (e: ScalarExpr) => compileExpr(e, { ctx });
    // Defaults for the columns the statement does not name.
    const fillers: ((row: Row) => Value)[] = cols.map((c) => {
      if (!c.defaultSql) return () => null;
      const f = compile(this.bindDefault(c, params));
      return () => f([]);
    });
    let produce: (tx: EpochTx) => Row[];
    const source = s.source;
    if (!source) {
      produce = () => [cols.map((_, i) => fillers[i]([]))];
    } else if (source.kind === 'Values' && source.orderBy.length === 0 && !source.limit && !source.offset) {
      const env: ExprEnv = { services: { params, bindSubquery: (q, outer) => new QueryBinder(this.deps.binderEnv, params).bindSubquery(q, outer) }, scope: Scope.empty(), clause: 'VALUES' };
      const rows = source.rows.map((r) => {
        if (r.length > targetIdx.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns', { position: r[targetIdx.length]?.pos });
        if (r.length < targetIdx.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more target columns than expressions', { position: r[r.length - 1]?.pos ?? s.pos });
        return r.map((e, j): Value | Compiled | undefined => {
          const c = cols[targetIdx[j]];
          if (e.kind === 'Default') return undefined;
          const bound = coerceForAssignment(bindExpr(e, env), c.type, c.name, params, e.pos);
          // Literals (the common case) are converted once here; only expressions keep a closure.
          return bound.kind === 'Literal' ? bound.value : new Compiled(compile(bound));
        });
      });
      const omitted = cols.map((_, i) => !targetIdx.includes(i));
      const anyOmitted = omitted.some((o) => o);
      produce = () => rows.map((r) => {
        const out: Row = anyOmitted ? cols.map((_, i) => (omitted[i] ? fillers[i]([]) : null)) : new Array<Value>(cols.length);
        for (let j = 0; j < r.length; j++) {
          const cell = r[j];
          out[targetIdx[j]] = cell === undefined ? fillers[targetIdx[j]]([]) : cell instanceof Compiled ? cell.fn([]) : cell;
        }
        return out;
      });
    } else {
      const binder = new QueryBinder(this.deps.binderEnv, params);
      const plan: RelPlan = binder.bindQuery(source);
      if (plan.fields.length > targetIdx.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more expressions than target columns', { position: s.pos });
      if (plan.fields.length < targetIdx.length) throw new SqlError(SqlState.SyntaxError, 'INSERT has more target columns than expressions', { position: s.pos });
      const casts = plan.fields.map((f, j) => compile(coerceForAssignment({ kind: 'Column', index: j, type: f.type }, cols[targetIdx[j]].type, cols[targetIdx[j]].name, params)));
      let runner: BatchRunner | undefined;
      produce = () => {
        runner ??= prepareBatch(plan, engine, ctx);
        return runner().map((r) => {
          const out = cols.map((_, i) => (targetIdx.includes(i) ? null : fillers[i]([])));
          for (let j = 0; j < casts.length; j++) out[targetIdx[j]] = casts[j](r);
          return out;
        });
      };
    }
    // ON CONFLICT
    let conflictMode: 'error' | 'nothing' | 'update' = 'error';
    let updateFn: ((existing: Row, excluded: Row) => Row | null) | undefined;
    if (s.onConflict) {
      if (obj.kind !== 'table' || obj.primaryKey.length === 0) {
        throw new SqlError(SqlState.InvalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification', { position: s.pos });
      }
      const target = s.onConflict.target;
      if (target.length > 0) {
        const pkNames = obj.primaryKey.map((i) => cols[i].name);
        if (target.length !== pkNames.length || !target.every((t) => pkNames.includes(t))) {
          throw new SqlError(SqlState.InvalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification', { position: s.pos });
        }
      }
      const action = s.onConflict.action;
      if (action.kind === 'nothing') conflictMode = 'nothing';
      else {
        if (target.length === 0) throw new SqlError(SqlState.SyntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', { position: s.pos, hint: 'For example, ON CONFLICT (column_name).' });
        conflictMode = 'update';
        const n = cols.length;
        const scope = new Scope([
          ...cols.map((c, i) => ({ name: c.name, type: c.type, index: i, tableAlias: obj.name })),
          ...cols.map((c, i) => ({ name: c.name, type: c.type, index: n + i, tableAlias: 'excluded', hidden: true })),
        ]);
        const env: ExprEnv = { services: { params, bindSubquery: () => { throw new SqlError(SqlState.FeatureNotSupported, 'subqueries in ON CONFLICT are not supported yet'); } }, scope, clause: 'ON CONFLICT' };
        const sets = action.set.map((a) => {
          if (a.fromQuery) throw new SqlError(SqlState.FeatureNotSupported, 'SET (...) = (subquery) in ON CONFLICT DO UPDATE is not supported', { position: a.pos });
          const i = cols.findIndex((c) => c.name === a.column);
          if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${a.column}" of relation "${obj.name}" does not exist`, { position: a.pos });
          return { i, f: compile(coerceForAssignment(bindExpr(a.expr, env), cols[i].type, cols[i].name, params, a.expr.pos)) };
        });
        const where = action.where ? compile(requireBoolean(bindExpr(action.where, env), 'WHERE', params, action.where.pos)) : undefined;
        updateFn = (existing, excluded) => {
          const both = existing.concat(excluded);
          if (where && where(both) !== true) return null;
          const out = existing.slice();
          for (const st of sets) out[st.i] = st.f(both);
          return out;
        };
      }
    }
    let repeatable = false;
    if (!s.onConflict && obj.onConflict !== undefined) {
      // The table's own policy (CREATE TABLE ... ON CONFLICT): rows apply in order, so a key given
      // twice in one INSERT keeps the first row (DO NOTHING) or ends as the last (DO UPDATE).
      repeatable = true;
      if (obj.onConflict === 'nothing') conflictMode = 'nothing';
      else {
        conflictMode = 'update';
        updateFn = obj.onConflict === 'update_full'
          ? (_existing, excluded) => excluded
          : (existing, excluded) => excluded.map((v, i) => (v === null ? existing[i] : v));
      }
    }
    const returning = s.returning ? this.bindReturning(s.returning, obj, params, ctx) : undefined;
    return this.planned(obj, ctx, params.resolved(paramTypes.length), version, 'INSERT 0', (tx) => {
      const rows = produce(tx);
      if (obj.kind === 'stream') {
        // RETURNING lists the rows written: a late row is diverted, not inserted.
        const accepted: Row[] = [];
        const n = engine.appendToStream(tx, obj, rows, undefined, accepted);
        return returning ? accepted : n;
      }
      const inserted = engine.table(obj.id).insert(rows, { mode: conflictMode, update: updateFn, repeatable }, tx.delta(obj.id));
      return returning ? inserted : inserted.length;
    }, returning);
  }

  /** A DML statement's executable form: bind this execution's parameters, run `work` in an epoch, tag the row count. */
  private planned(obj: CatalogObject, ctx: EvalContext, paramTypes: SqlType[], version: number, tag: string, work: (tx: EpochTx) => number | Row[], returning?: Returning): Planned {
    const engine = this.deps.engine;
    return {
      catalogVersion: version,
      columns: returning?.columns ?? null,
      paramTypes,
      run: async (params) => {
        ctx.params = params;
        ctx.statementTimestamp = currentMicros();
        ctx.execution++;
        const out = await engine.submit((tx) => {
          if (!engine.catalog.getById(obj.id)) throw new SqlError(SqlState.UndefinedTable, `relation "${obj.name}" does not exist`);
          return work(tx);
        });
        if (typeof out === 'number') return { kind: 'command', tag: `${tag} ${out}` };
        // RETURNING: the affected rows (new rows for INSERT/UPDATE, old ones for DELETE) projected.
        return { kind: 'rows', columns: returning!.columns, rows: out.map(returning!.project), tagPrefix: `${tag} ${out.length}` };
      },
    };
  }

  /** RETURNING items over the target's row: `*`, `t.*` and expressions, named as a select list would be. */
  private bindReturning(items: SelectItem[], obj: CatalogObject, params: ParamTypes, ctx: EvalContext): Returning {
    const scope = this.tableScope(obj);
    const env = this.dmlEnv(params, scope, 'RETURNING');
    const exprs: ScalarExpr[] = [];
    const columns: ColumnDesc[] = [];
    for (const it of items) {
      if (it.kind === 'Star') {
        for (const c of scope.star(it.table, it.pos)) {
          exprs.push({ kind: 'Column', index: c.index, type: c.type });
          columns.push({ name: c.name, type: c.type, tableOid: obj.id, columnAttr: c.index + 1 });
        }
        continue;
      }
      const e = bindExpr(it.expr, env);
      exprs.push(e);
      columns.push({ name: it.alias ?? deriveName(it.expr), type: e.type.id === TypeId.Unknown ? T.text : e.type });
    }
    const runSubplan = (p: RelPlan) => prepareBatch(p, this.deps.engine, ctx)();
    const fns = exprs.map((e) => compileExpr(e, { ctx, runSubplan }));
    return { columns, project: (row) => fns.map((f) => f(row)) };
  }

  tableScope(obj: CatalogObject, alias?: string): Scope {
    return new Scope(obj.columns.map((c, i) => ({ name: c.name, type: c.type, index: i, tableAlias: alias ?? obj.name, tableOid: obj.id, columnAttr: i + 1 })));
  }

  dmlEnv(params: ParamTypes, scope: Scope, clause: string): ExprEnv {
    return { services: { params, bindSubquery: (q, outer) => new QueryBinder(this.deps.binderEnv, params).bindSubquery(q, outer) }, scope, clause };
  }

  planUpdate(s: Extract<Statement, { kind: 'Update' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'update', s.pos);
    if (s.from.length > 0) throw new SqlError(SqlState.FeatureNotSupported, 'UPDATE ... FROM is not supported yet', { position: s.pos });
    const params = new ParamTypes([...paramTypes]);
    const ctx = this.evalContext();
    const runSubplan = (p: RelPlan) => prepareBatch(p, engine, ctx)();
    const compile = (e: ScalarExpr) => compileExpr(e, { ctx, runSubplan });
    const scope = this.tableScope(obj, s.alias);
    const env = this.dmlEnv(params, scope, 'UPDATE');
    const cols = obj.columns;
    const seen = new Set<number>();
    // SET (a, b) = (SELECT ...): one row getter per subquery, shared by its targets (and by one row's evaluation).
    const rowGetters = new Map<object, { get: (r: Row) => Row; fields: RelPlan['fields']; last: Row | null; value: Row | null }>();
    const sets = s.set.map((a) => {
      const i = cols.findIndex((c) => c.name === a.column);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${a.column}" of relation "${obj.name}" does not exist`, { position: a.pos });
      if (seen.has(i)) throw new SqlError(SqlState.SyntaxError, `multiple assignments to same column "${a.column}"`, { position: a.pos });
      seen.add(i);
      if (a.fromQuery) {
        const q = a.fromQuery;
        let g = rowGetters.get(q.query);
        if (!g) {
          const { plan, outer } = new QueryBinder(this.deps.binderEnv, params).bindSubquery(q.query, scope);
          if (plan.fields.length !== q.count) throw new SqlError(SqlState.SyntaxError, 'number of columns does not match number of values', { position: q.pos });
          const get = compileRowSubquery(plan, outer, { ctx, runSubplan });
          g = { get, fields: plan.fields, last: null, value: null };
          rowGetters.set(q.query, g);
        }
        const getter = g;
        const cast = compile(coerceForAssignment({ kind: 'Column', index: q.index, type: getter.fields[q.index].type }, cols[i].type, cols[i].name, params, a.pos));
        // The subquery runs once per updated row, whatever number of its columns are assigned.
        return { i, f: (r: Row) => {
          if (getter.last !== r) { getter.value = getter.get(r); getter.last = r; }
          return cast(getter.value!);
        } };
      }
      const isDefault = a.expr.kind === 'Default';
      const bound = isDefault ? (cols[i].defaultSql ? this.bindDefault(cols[i], params) : { kind: 'Literal' as const, value: null, type: cols[i].type }) : coerceForAssignment(bindExpr(a.expr, env), cols[i].type, cols[i].name, params, a.expr.pos);
      return { i, f: compile(bound) };
    });
    const where = s.where ? compile(requireBoolean(bindExpr(s.where, { ...env, clause: 'WHERE' }), 'WHERE', params, s.where.pos)) : undefined;
    const returning = s.returning ? this.bindReturning(s.returning, obj, params, ctx) : undefined;
    return this.planned(obj, ctx, params.resolved(paramTypes.length), version, 'UPDATE', (tx) => {
      const updated = engine.table(obj.id).update(
        (r) => !where || where(r) === true,
        (r) => {
          const out = r.slice();
          for (const st of sets) out[st.i] = st.f(r);
          return out;
        },
        tx.delta(obj.id),
      );
      return returning ? updated : updated.length;
    }, returning);
  }

  planDelete(s: Extract<Statement, { kind: 'Delete' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'delete from', s.pos);
    const params = new ParamTypes([...paramTypes]);
    const ctx = this.evalContext();
    const runSubplan = (p: RelPlan) => prepareBatch(p, engine, ctx)();
    const env = this.dmlEnv(params, this.tableScope(obj, s.alias), 'WHERE');
    const where = s.where ? compileExpr(requireBoolean(bindExpr(s.where, env), 'WHERE', params, s.where.pos), { ctx, runSubplan }) : undefined;
    const returning = s.returning ? this.bindReturning(s.returning, obj, params, ctx) : undefined;
    return this.planned(obj, ctx, params.resolved(paramTypes.length), version, 'DELETE', (tx) => {
      const deleted = engine.table(obj.id).delete((r) => !where || where(r) === true, tx.delta(obj.id));
      return returning ? deleted : deleted.length;
    }, returning);
  }

  // ------------------------------------------------------------------ SHOW / SET / EXPLAIN
}
