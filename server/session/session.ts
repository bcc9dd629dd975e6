/**
 * A client session: parses, plans and executes statements against the Engine. Thin handlers per
 * statement kind; all SQL semantics live in the planner and runtime.
 */
import type { Statement, Query, Expr, ColumnDef } from '../../parser/ast.js';
import { parseStatement, splitStatements } from '../../parser/parse.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { formatText } from '../../runtime/sql/text-io.js';
import type { Engine, EpochTx } from '../../runtime/engine.js';
import { kindName, type CatalogObject, type ColumnSchema, type ObjectKind } from '../../runtime/catalog/catalog.js';
import { newEvalContext, currentMicros, type EvalContext } from '../../runtime/expr/eval-context.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { prepareBatch, type BatchRunner } from '../../runtime/batch/executor.js';
import { childrenOf, type RelPlan } from '../../runtime/plan/plan.js';
import { forEachChild } from '../../runtime/expr/ir.js';
import { resolveAsyncValues, CancelledWhileWaiting } from '../../runtime/expr/async-value.js';
import type { BinderEnvironment } from '../../planner/bind/bind-select.js';
import { QueryBinder } from '../../planner/bind/bind-select.js';
import { ParamTypes, coerceForAssignment, requireBoolean } from '../../planner/bind/coerce.js';
import { bindExpr, type ExprEnv } from '../../planner/bind/bind-expr.js';
import { Scope } from '../../planner/bind/scope.js';
import { resolveTypeName } from '../../planner/bind/type-names.js';
import { planBatch, liveKeyOf, lowerToDataflow, bindQuery } from '../../planner/planner.js';
import { explainDataflow } from '../../planner/physical/lower-to-dataflow.js';
import { explainPlan } from '../../planner/logical/explain.js';
import type { CancelSignal, ColumnDesc, Notice, Prepared, PreparedInfo, Session, StatementResult, TxStatus } from './session-api.js';
import { SessionSettings } from './settings.js';

export interface SessionDeps {
  engine: Engine;
  binderEnv: BinderEnvironment;
  serverVersion: string;
}

/** A prepared statement plus what was planned for it (re-planned when the catalog changed). */
class PreparedStatement implements Prepared {
  plan?: Planned;
  constructor(readonly sql: string, readonly stmt: Statement, public info: PreparedInfo, readonly paramTypes: (SqlType | null)[], readonly offset: number) {}
}

/** A cell of an INSERT ... VALUES row that must be evaluated per execution (it reads parameters). */
class Compiled {
  constructor(readonly fn: (row: Row) => Value) {}
}

/** An executable statement: run(params) produces the result. */
interface Planned {
  catalogVersion: number;
  run(params: Value[], cancel: CancelSignal): Promise<StatementResult> | StatementResult;
  columns: ColumnDesc[] | null;
  paramTypes: SqlType[];
}

const TX_OK = new Set(['Rollback', 'Commit']);

export class SqlSession implements Session {
  private tx: TxStatus = 'I';
  private settings: SessionSettings;
  private paramChanges: Record<string, string> = {};

  constructor(private deps: SessionDeps, readonly startupParams: Record<string, string>) {
    this.settings = new SessionSettings(deps.serverVersion, startupParams);
  }

  parameterStatus(): Record<string, string> {
    return this.settings.reported();
  }

  txStatus(): TxStatus {
    return this.tx;
  }

  takeParameterChanges(): Record<string, string> {
    const c = this.paramChanges;
    this.paramChanges = {};
    return c;
  }

  close(): void {
    /* nothing held */
  }

  async *simpleQuery(sql: string, cancel: CancelSignal): AsyncIterable<StatementResult> {
    const parts = splitStatements(sql);
    if (parts.length === 0) {
      yield { kind: 'empty' };
      return;
    }
    const stmts: Statement[] = [];
    for (const part of parts) {
      try {
        stmts.push(parseStatement(part.text));
      } catch (e) {
        throw shiftPosition(e, part.offset);
      }
    }
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const stmt = stmts[i];
      try {
        const p = new PreparedStatement(part.text, stmt, { paramTypes: [], columns: null }, [], part.offset);
        yield await this.executePrepared(p, [], cancel, true);
      } catch (e) {
        if (this.tx === 'T') this.tx = 'E';
        throw shiftPosition(e, part.offset);
      }
    }
  }

  async prepare(sql: string, paramTypes: (SqlType | null)[]): Promise<Prepared> {
    const parts = splitStatements(sql);
    if (parts.length > 1) throw new SqlError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
    if (parts.length === 0) return new PreparedStatement(sql, { kind: 'NoOp', tag: '' }, { paramTypes: [], columns: null }, paramTypes, 0);
    const part = parts[0];
    let stmt: Statement;
    try {
      stmt = parseStatement(part.text);
    } catch (e) {
      throw shiftPosition(e, part.offset);
    }
    const p = new PreparedStatement(sql, stmt, { paramTypes: [], columns: null }, paramTypes, part.offset);
    try {
      const planned = this.plan(p);
      p.plan = planned;
      p.info = { paramTypes: planned.paramTypes, columns: planned.columns };
    } catch (e) {
      throw shiftPosition(e, part.offset);
    }
    return p;
  }

  async execute(stmt: Prepared, params: Value[], cancel: CancelSignal): Promise<StatementResult> {
    const p = stmt as PreparedStatement;
    if (p.stmt.kind === 'NoOp' && p.stmt.tag === '') return { kind: 'empty' };
    try {
      return await this.executePrepared(p, params, cancel);
    } catch (e) {
      if (this.tx === 'T') this.tx = 'E';
      throw shiftPosition(e, p.offset);
    }
  }

  private async executePrepared(p: PreparedStatement, params: Value[], cancel: CancelSignal, simple = false): Promise<StatementResult> {
    if (this.tx === 'E' && !TX_OK.has(p.stmt.kind)) {
      throw new SqlError(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (cancel.cancelled) throw canceled();
    if (!p.plan || p.plan.catalogVersion !== this.deps.engine.catalogVersion) p.plan = this.plan(p);
    if (simple && p.plan.paramTypes.length > 0) throw new SqlError(SqlState.UndefinedParameter, 'there is no parameter $1');
    return p.plan.run(params, cancel);
  }

  // ------------------------------------------------------------------ planning

  /**
   * Plans are cached per session by statement text and parameter types (PERFORMANCE.md lesson 7):
   * a repeated statement, or a Parse of the same text, is not bound and compiled again. A cached
   * plan from an older catalog version is re-planned.
   */
  private planCache = new Map<string, Planned>();

  private plan(p: PreparedStatement): Planned {
    const cacheable = p.stmt.kind === 'Query' || p.stmt.kind === 'Insert' || p.stmt.kind === 'Update' || p.stmt.kind === 'Delete';
    if (!cacheable || p.sql.length > 4096) return this.planUncached(p);
    const key = `${p.paramTypes.map((t) => (t ? `${t.id}:${t.typmod}` : '?')).join(',')}\0${p.sql}`;
    const hit = this.planCache.get(key);
    if (hit && hit.catalogVersion === this.deps.engine.catalogVersion) return hit;
    const planned = this.planUncached(p);
    if (this.planCache.size >= 256) this.planCache.delete(this.planCache.keys().next().value as string);
    this.planCache.set(key, planned);
    return planned;
  }

  private planUncached(p: PreparedStatement): Planned {
    const s = p.stmt;
    const version = this.deps.engine.catalogVersion;
    const simple = (columns: ColumnDesc[] | null, run: Planned['run']): Planned => ({ catalogVersion: version, run, columns, paramTypes: [] });
    switch (s.kind) {
      case 'Query': return this.planSelect(s.query, p.paramTypes, version);
      case 'Insert': return this.planInsert(s, p.paramTypes, version);
      case 'Update': return this.planUpdate(s, p.paramTypes, version);
      case 'Delete': return this.planDelete(s, p.paramTypes, version);
      case 'CreateStream': case 'CreateTable':
        return simple(null, () => this.createRelation(s));
      case 'CreateMaterializedView': case 'CreateView':
        return simple(null, () => this.createView(s));
      case 'CreateSink':
        return simple(null, () => { throw new SqlError(SqlState.FeatureNotSupported, 'CREATE SINK is not supported yet', { position: s.pos }); });
      case 'Drop':
        return simple(null, () => this.drop(s));
      case 'Show':
        return this.planShow(s, version);
      case 'Explain':
        return simple([{ name: 'QUERY PLAN', type: T.text }], () => this.explain(s.statement, p.paramTypes));
      case 'Flush':
        return simple(null, async () => {
          await this.deps.engine.flush();
          return { kind: 'command', tag: 'FLUSH' };
        });
      case 'Set':
        return simple(null, () => {
          // Clients set many PostgreSQL settings on connect; unknown ones are kept and have no effect.
          const notices: Notice[] = this.settings.known(s.name) ? [] : [{ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `setting "${s.name}" has no effect in Eddy` }];
          this.applySet(s.name, s.values);
          return { kind: 'command', tag: 'SET', notices };
        });
      case 'Reset':
        return simple(null, () => {
          if (s.name === 'all') this.settings.resetAll((k, v) => (this.paramChanges[k] = v));
          else this.applySet(s.name, 'default');
          return { kind: 'command', tag: 'RESET' };
        });
      case 'Begin':
        return simple(null, () => {
          const notices: Notice[] = [];
          if (this.tx !== 'I') notices.push({ severity: 'WARNING', code: SqlState.ActiveSqlTransaction, message: 'there is already a transaction in progress' });
          else this.tx = 'T';
          return { kind: 'command', tag: 'BEGIN', notices };
        });
      case 'Commit':
        return simple(null, () => {
          const wasFailed = this.tx === 'E';
          const notices: Notice[] = this.tx === 'I' ? [{ severity: 'WARNING', code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' }] : [];
          this.tx = 'I';
          return { kind: 'command', tag: wasFailed ? 'ROLLBACK' : 'COMMIT', notices };
        });
      case 'Rollback':
        return simple(null, () => {
          const notices: Notice[] = this.tx === 'I' ? [{ severity: 'WARNING', code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' }] : [];
          this.tx = 'I';
          return { kind: 'command', tag: 'ROLLBACK', notices };
        });
      case 'Discard':
        return simple(null, () => {
          if (s.what.toLowerCase() === 'all') this.settings.resetAll((k, v) => (this.paramChanges[k] = v));
          return { kind: 'command', tag: `DISCARD ${s.what.toUpperCase()}` };
        });
      case 'Deallocate':
        return simple(null, () => ({ kind: 'command', tag: s.name === 'all' ? 'DEALLOCATE ALL' : 'DEALLOCATE' }));
      case 'NoOp':
        return simple(null, () => ({ kind: 'command', tag: s.tag }));
    }
  }

  private evalContext(params: Value[] = []): EvalContext {
    return newEvalContext({ params, statementTimestamp: currentMicros(), user: this.settings.user, database: this.settings.database });
  }

  private planSelect(q: Query, paramTypes: (SqlType | null)[], version: number): Planned {
    const env = this.deps.binderEnv;
    const bound = planBatch(q, env, paramTypes);
    const types = bound.params.resolved(paramTypes.length);
    const columns: ColumnDesc[] = bound.plan.fields.map((f) => ({ name: f.name, type: f.type.id === TypeId.Unknown ? T.text : f.type, tableOid: f.tableOid, columnAttr: f.columnAttr }));
    const ctx = this.evalContext();
    const hasAsync = planUses(bound.plan, 'pg_sleep');
    let runner: BatchRunner | undefined;
    const cancelRef = { cancelled: false, signal: undefined as CancelSignal | undefined };
    const cancelView = { get cancelled() { return cancelRef.signal?.cancelled ?? false; } };
    const engine = this.deps.engine;
    return {
      catalogVersion: version,
      columns,
      paramTypes: types,
      run: (params, cancel) => {
        ctx.params = params;
        ctx.statementTimestamp = currentMicros();
        cancelRef.signal = cancel;
        runner ??= prepareBatch(bound.plan, engine, ctx, cancelView);
        const rows = runner();
        if (hasAsync) return resolveRows(rows, cancel).then(() => ({ kind: 'rows', columns, rows, tagPrefix: 'SELECT' }));
        return { kind: 'rows', columns, rows, tagPrefix: 'SELECT' };
      },
    };
  }

  // ------------------------------------------------------------------ DDL

  private relationColumns(cols: ColumnDef[]): ColumnSchema[] {
    const seen = new Set<string>();
    return cols.map((c) => {
      if (seen.has(c.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`, { position: c.pos });
      seen.add(c.name);
      const type = resolveTypeName(c.typeName);
      const col: ColumnSchema = { name: c.name, type, notNull: c.notNull || c.primaryKey };
      if (c.default) col.defaultSql = c.defaultSql ?? exprSql(c.default);
      return col;
    });
  }

  private checkName(name: string, ifNotExists: boolean, kind: ObjectKind, pos?: number): StatementResult | undefined {
    const existing = this.deps.engine.catalog.get(name);
    if (!existing) return undefined;
    if (ifNotExists) {
      return { kind: 'command', tag: createTag(kind), notices: [{ severity: 'NOTICE', code: SqlState.DuplicateTable, message: `relation "${name}" already exists, skipping` }] };
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`, { position: pos });
  }

  private async createRelation(s: Extract<Statement, { kind: 'CreateStream' | 'CreateTable' }>): Promise<StatementResult> {
    const kind: ObjectKind = s.kind === 'CreateStream' ? 'stream' : 'table';
    const skip = this.checkName(s.name, s.ifNotExists, kind, s.pos);
    if (skip) return skip;
    if (s.as) throw new SqlError(SqlState.FeatureNotSupported, `CREATE ${kind.toUpperCase()} ... AS is not supported yet`, { position: s.pos });
    if (s.kind === 'CreateStream' && s.watermark) throw new SqlError(SqlState.FeatureNotSupported, 'WATERMARK is not supported yet', { position: s.watermark.pos });
    const columns = this.relationColumns(s.columns);
    if (columns.length === 0) throw new SqlError(SqlState.InvalidTableDefinition, `a ${kind} needs at least one column`, { position: s.pos });
    let primaryKey: number[] = [];
    if (s.kind === 'CreateTable' && s.primaryKey) {
      primaryKey = s.primaryKey.map((n) => {
        const i = columns.findIndex((c) => c.name === n);
        if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${n}" named in key does not exist`, { position: s.pos });
        columns[i].notNull = true;
        return i;
      });
    }
    if (s.kind === 'CreateStream' && s.columns.some((c) => c.primaryKey)) {
      throw new SqlError(SqlState.InvalidTableDefinition, 'a stream cannot have a primary key (streams are append-only; use a table)', { position: s.pos });
    }
    for (const [k] of Object.entries(s.options)) {
      throw new SqlError(SqlState.InvalidParameterValue, `unrecognized ${kind} option "${k}"`, { position: s.pos });
    }
    // Validate DEFAULT expressions now, so a bad default fails the CREATE rather than later INSERTs.
    for (const c of columns) if (c.defaultSql) this.bindDefault(c, new ParamTypes());
    const engine = this.deps.engine;
    await engine.submit((tx) => {
      if (engine.catalog.get(s.name)) throw new SqlError(SqlState.DuplicateTable, `relation "${s.name}" already exists`);
      engine.createObject(tx, {
        id: engine.catalog.allocateId(), name: s.name, kind, columns, primaryKey, liveKey: null,
        createSql: '', dependsOn: [], options: s.options, createdEpoch: tx.epoch,
      });
    }, { exclusive: true });
    return { kind: 'command', tag: createTag(kind) };
  }

  private async createView(s: Extract<Statement, { kind: 'CreateMaterializedView' | 'CreateView' }>): Promise<StatementResult> {
    const kind: ObjectKind = s.kind === 'CreateMaterializedView' ? 'mv' : 'view';
    const engine = this.deps.engine;
    const existing = engine.catalog.get(s.name);
    if (existing && s.orReplace) {
      throw new SqlError(SqlState.FeatureNotSupported, 'CREATE OR REPLACE is not supported yet; DROP and CREATE instead', { position: s.pos });
    }
    const skip = this.checkName(s.name, s.ifNotExists, kind, s.pos);
    if (skip) return skip;
    const bound = bindQuery(s.query, this.deps.binderEnv);
    if (bound.params.types.length > 0) throw new SqlError(SqlState.UndefinedParameter, 'there is no parameter $1', { position: s.pos });
    const fields = bound.plan.fields;
    if (s.columns && s.columns.length > fields.length) throw new SqlError(SqlState.SyntaxError, `${kind === 'mv' ? 'CREATE MATERIALIZED VIEW' : 'CREATE VIEW'} specifies too many column names`, { position: s.pos });
    const columns: ColumnSchema[] = fields.map((f, i) => ({ name: s.columns?.[i] ?? f.name, type: f.type.id === TypeId.Unknown ? T.text : f.type, notNull: false }));
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`, { position: s.pos });
      seen.add(c.name);
    }
    if (kind === 'mv') lowerToDataflow(bound.plan); // fails early (0A000) for what cannot run incrementally
    await engine.submit((tx) => {
      if (engine.catalog.get(s.name)) throw new SqlError(SqlState.DuplicateTable, `relation "${s.name}" already exists`);
      for (const d of bound.dependencies) if (!engine.catalog.getById(d)) throw new SqlError(SqlState.UndefinedTable, 'a relation used by the query was dropped concurrently');
      engine.createObject(tx, {
        id: engine.catalog.allocateId(), name: s.name, kind, columns, primaryKey: [],
        liveKey: kind === 'mv' ? liveKeyOf(bound.plan) : null,
        queryText: s.queryText, createSql: '', dependsOn: [...bound.dependencies], options: s.kind === 'CreateMaterializedView' ? s.options : {}, createdEpoch: tx.epoch,
      });
    }, { exclusive: true });
    return { kind: 'command', tag: createTag(kind) };
  }

  private async drop(s: Extract<Statement, { kind: 'Drop' }>): Promise<StatementResult> {
    const want: Record<string, ObjectKind | undefined> = { stream: 'stream', table: 'table', 'materialized view': 'mv', view: 'view' };
    const kind = want[s.objectKind];
    const label = s.objectKind.toUpperCase();
    if (!kind) throw new SqlError(SqlState.FeatureNotSupported, `DROP ${label} is not supported yet`, { position: s.pos });
    const engine = this.deps.engine;
    const notices: Notice[] = [];
    const targets: CatalogObject[] = [];
    for (const name of s.names) {
      const obj = engine.catalog.get(name);
      if (!obj) {
        if (s.ifExists) {
          notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `${s.objectKind} "${name}" does not exist, skipping` });
          continue;
        }
        throw new SqlError(SqlState.UndefinedTable, `${s.objectKind} "${name}" does not exist`, { position: s.pos });
      }
      if (obj.kind !== kind) {
        throw new SqlError(SqlState.WrongObjectType, `"${name}" is not a ${s.objectKind}`, { position: s.pos, hint: `Use DROP ${kindName(obj.kind).toUpperCase()} to remove a ${kindName(obj.kind)}.` });
      }
      targets.push(obj);
    }
    await engine.submit((tx) => {
      for (const t of targets) {
        const order = engine.catalog.dropOrder(t.id);
        const dependents = order.filter((o) => o.id !== t.id);
        if (dependents.length > 0 && !s.cascade) {
          throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop ${kindName(t.kind)} ${t.name} because other objects depend on it`, {
            detail: dependents.map((d) => `${kindName(d.kind)} ${d.name} depends on ${kindName(t.kind)} ${t.name}`).join('\n'),
            hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
          });
        }
      }
      for (const t of targets) {
        const order = engine.catalog.dropOrder(t.id);
        if (order.length > 1) {
          const deps = order.filter((o) => o.id !== t.id);
          notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: deps.length === 1 ? `drop cascades to ${kindName(deps[0].kind)} ${deps[0].name}` : `drop cascades to ${deps.length} other objects`, detail: deps.length > 1 ? deps.map((d) => `drop cascades to ${kindName(d.kind)} ${d.name}`).join('\n') : undefined });
        }
        for (const o of order) if (engine.catalog.getById(o.id)) engine.dropObject(tx, o.id);
      }
    }, { exclusive: true });
    return { kind: 'command', tag: `DROP ${label}`, notices };
  }

  // ------------------------------------------------------------------ DML

  private targetRelation(name: string, verb: 'insert into' | 'update' | 'delete from', pos?: number): CatalogObject {
    const obj = this.deps.engine.catalog.get(name);
    if (!obj) throw new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`, { position: pos });
    if (obj.kind === 'mv' || obj.kind === 'view') {
      throw new SqlError(SqlState.WrongObjectType, `cannot change ${kindName(obj.kind)} "${name}"`, { position: pos });
    }
    if (obj.kind === 'stream' && verb !== 'insert into') {
      throw new SqlError(SqlState.WrongObjectType, `cannot ${verb} stream "${name}"`, { position: pos, hint: 'Streams are append-only; use a table for rows that change.' });
    }
    return obj;
  }

  private bindDefault(c: ColumnSchema, params: ParamTypes): ScalarExpr {
    const stmt = parseStatement(`SELECT ${c.defaultSql}`);
    if (stmt.kind !== 'Query' || stmt.query.kind !== 'Select' || stmt.query.items[0]?.kind !== 'Expr') throw new SqlError(SqlState.InvalidObjectDefinition, `bad default for column "${c.name}"`);
    const env: ExprEnv = { services: { params, bindSubquery: () => { throw new SqlError(SqlState.FeatureNotSupported, 'cannot use subquery in DEFAULT expression'); } }, scope: Scope.empty(), clause: 'DEFAULT expressions' };
    const e = bindExpr(stmt.query.items[0].expr, env);
    return coerceForAssignment(e, c.type, c.name, params);
  }

  private planInsert(s: Extract<Statement, { kind: 'Insert' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'insert into', s.pos);
    if (s.returning) throw new SqlError(SqlState.FeatureNotSupported, 'RETURNING is not supported yet', { position: s.pos });
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
    const types = params.resolved(paramTypes.length);
    return {
      catalogVersion: version,
      columns: null,
      paramTypes: types,
      run: async (p) => {
        ctx.params = p;
        ctx.statementTimestamp = currentMicros();
        const n = await engine.submit((tx) => {
          const live = engine.catalog.getById(obj.id);
          if (!live) throw new SqlError(SqlState.UndefinedTable, `relation "${obj.name}" does not exist`);
          const rows = produce(tx);
          if (obj.kind === 'stream') {
            engine.appendToStream(tx, obj, rows);
            return rows.length;
          }
          return engine.table(obj.id).insert(rows, { mode: conflictMode, update: updateFn }, tx.delta(obj.id)).length;
        });
        return { kind: 'command', tag: `INSERT 0 ${n}` };
      },
    };
  }

  private tableScope(obj: CatalogObject, alias?: string): Scope {
    return new Scope(obj.columns.map((c, i) => ({ name: c.name, type: c.type, index: i, tableAlias: alias ?? obj.name, tableOid: obj.id, columnAttr: i + 1 })));
  }

  private dmlEnv(params: ParamTypes, scope: Scope, clause: string): ExprEnv {
    return { services: { params, bindSubquery: (q, outer) => new QueryBinder(this.deps.binderEnv, params).bindSubquery(q, outer) }, scope, clause };
  }

  private planUpdate(s: Extract<Statement, { kind: 'Update' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'update', s.pos);
    if (s.returning) throw new SqlError(SqlState.FeatureNotSupported, 'RETURNING is not supported yet', { position: s.pos });
    if (s.from.length > 0) throw new SqlError(SqlState.FeatureNotSupported, 'UPDATE ... FROM is not supported yet', { position: s.pos });
    const params = new ParamTypes([...paramTypes]);
    const ctx = this.evalContext();
    const runSubplan = (p: RelPlan) => prepareBatch(p, engine, ctx)();
    const compile = (e: ScalarExpr) => compileExpr(e, { ctx, runSubplan });
    const scope = this.tableScope(obj, s.alias);
    const env = this.dmlEnv(params, scope, 'UPDATE');
    const cols = obj.columns;
    const seen = new Set<number>();
    const sets = s.set.map((a) => {
      const i = cols.findIndex((c) => c.name === a.column);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${a.column}" of relation "${obj.name}" does not exist`, { position: a.pos });
      if (seen.has(i)) throw new SqlError(SqlState.SyntaxError, `multiple assignments to same column "${a.column}"`, { position: a.pos });
      seen.add(i);
      const isDefault = a.expr.kind === 'Default';
      const bound = isDefault ? (cols[i].defaultSql ? this.bindDefault(cols[i], params) : { kind: 'Literal' as const, value: null, type: cols[i].type }) : coerceForAssignment(bindExpr(a.expr, env), cols[i].type, cols[i].name, params, a.expr.pos);
      return { i, f: compile(bound) };
    });
    const where = s.where ? compile(requireBoolean(bindExpr(s.where, { ...env, clause: 'WHERE' }), 'WHERE', params, s.where.pos)) : undefined;
    const types = params.resolved(paramTypes.length);
    return {
      catalogVersion: version,
      columns: null,
      paramTypes: types,
      run: async (p) => {
        ctx.params = p;
        ctx.statementTimestamp = currentMicros();
        const n = await engine.submit((tx) => {
          if (!engine.catalog.getById(obj.id)) throw new SqlError(SqlState.UndefinedTable, `relation "${obj.name}" does not exist`);
          return engine.table(obj.id).update(
            (r) => !where || where(r) === true,
            (r) => {
              const out = r.slice();
              for (const st of sets) out[st.i] = st.f(r);
              return out;
            },
            tx.delta(obj.id),
          ).length;
        });
        return { kind: 'command', tag: `UPDATE ${n}` };
      },
    };
  }

  private planDelete(s: Extract<Statement, { kind: 'Delete' }>, paramTypes: (SqlType | null)[], version: number): Planned {
    const engine = this.deps.engine;
    const obj = this.targetRelation(s.table, 'delete from', s.pos);
    if (s.returning) throw new SqlError(SqlState.FeatureNotSupported, 'RETURNING is not supported yet', { position: s.pos });
    const params = new ParamTypes([...paramTypes]);
    const ctx = this.evalContext();
    const runSubplan = (p: RelPlan) => prepareBatch(p, engine, ctx)();
    const env = this.dmlEnv(params, this.tableScope(obj, s.alias), 'WHERE');
    const where = s.where ? compileExpr(requireBoolean(bindExpr(s.where, env), 'WHERE', params, s.where.pos), { ctx, runSubplan }) : undefined;
    return {
      catalogVersion: version,
      columns: null,
      paramTypes: params.resolved(paramTypes.length),
      run: async (p) => {
        ctx.params = p;
        ctx.statementTimestamp = currentMicros();
        const n = await engine.submit((tx) => {
          if (!engine.catalog.getById(obj.id)) throw new SqlError(SqlState.UndefinedTable, `relation "${obj.name}" does not exist`);
          return engine.table(obj.id).delete((r) => !where || where(r) === true, tx.delta(obj.id)).length;
        });
        return { kind: 'command', tag: `DELETE ${n}` };
      },
    };
  }

  // ------------------------------------------------------------------ SHOW / SET / EXPLAIN

  private planShow(s: Extract<Statement, { kind: 'Show' }>, version: number): Planned {
    const engine = this.deps.engine;
    if (s.variable !== undefined) {
      const name = s.variable.toLowerCase();
      if (name === 'all') {
        const columns: ColumnDesc[] = [{ name: 'name', type: T.text }, { name: 'setting', type: T.text }, { name: 'description', type: T.text }];
        return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: this.settings.all().map(([k, v]) => [k, v, '']), tagPrefix: 'SHOW' }) };
      }
      const value = this.settings.get(name);
      const columns: ColumnDesc[] = [{ name, type: T.text }];
      return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: [[value]], tagPrefix: 'SHOW' }) };
    }
    const what = s.what!;
    const kinds: Record<string, ObjectKind | undefined> = { streams: 'stream', tables: 'table', 'materialized views': 'mv', views: 'view' };
    const kind = kinds[what];
    if (!kind) {
      const columns: ColumnDesc[] = [{ name: 'name', type: T.text }];
      return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: [], tagPrefix: 'SHOW' }) };
    }
    const columns: ColumnDesc[] =
      kind === 'stream' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }]
      : kind === 'table' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }, { name: 'primary_key', type: T.text }]
      : kind === 'mv' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }, { name: 'definition', type: T.text }]
      : [{ name: 'name', type: T.text }, { name: 'definition', type: T.text }];
    return {
      catalogVersion: version,
      columns,
      paramTypes: [],
      run: () => {
        const rows: Row[] = engine.catalog.all().filter((o) => o.kind === kind).sort((a, b) => (a.name < b.name ? -1 : 1)).map((o) => {
          switch (kind) {
            case 'stream': return [o.name, BigInt(engine.streamRowCount(o.id))];
            case 'table': return [o.name, BigInt(engine.table(o.id).rows.size), o.primaryKey.map((i) => o.columns[i].name).join(', ')];
            case 'mv': return [o.name, BigInt(engine.mvs.get(o.id)?.live.size() ?? 0), o.queryText ?? ''];
            default: return [o.name, o.queryText ?? ''];
          }
        });
        return { kind: 'rows', columns, rows, tagPrefix: 'SHOW' };
      },
    };
  }

  private applySet(name: string, values: string[] | 'default'): void {
    this.settings.set(name.toLowerCase(), values, (k, v) => (this.paramChanges[k] = v));
  }

  private explain(stmt: Statement, paramTypes: (SqlType | null)[]): StatementResult {
    const columns: ColumnDesc[] = [{ name: 'QUERY PLAN', type: T.text }];
    let lines: string[];
    switch (stmt.kind) {
      case 'Query':
        lines = explainPlan(planBatch(stmt.query, this.deps.binderEnv, paramTypes).plan);
        break;
      case 'CreateMaterializedView': {
        const bound = bindQuery(stmt.query, this.deps.binderEnv);
        lines = ['Incremental dataflow:', ...explainDataflow(lowerToDataflow(bound.plan), (id) => { const o = this.deps.engine.catalog.getById(Number(id)); return o ? `${kindName(o.kind)} ${o.name}` : id; }).map((l) => '  ' + l)];
        const key = liveKeyOf(bound.plan);
        lines.push(`Live table key: ${key === null ? 'row identity' : key.length === 0 ? 'single row' : key.map((k) => bound.plan.fields[k].name).join(', ')}`);
        break;
      }
      case 'CreateView':
        lines = explainPlan(bindQuery(stmt.query, this.deps.binderEnv).plan);
        break;
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `EXPLAIN of ${stmt.kind} is not supported`);
    }
    return { kind: 'rows', columns, rows: lines.map((l) => [l]), tagPrefix: 'EXPLAIN' };
  }
}

async function resolveRows(rows: Row[], cancel: CancelSignal): Promise<void> {
  try {
    await resolveAsyncValues(rows, () => cancel.cancelled);
  } catch (e) {
    if (e instanceof CancelledWhileWaiting) throw canceled();
    throw e;
  }
}

/** True if any expression in the plan calls the named function. */
function planUses(plan: RelPlan, fn: string): boolean {
  const inExpr = (e: ScalarExpr): boolean => {
    if (e.kind === 'Call' && e.name === fn) return true;
    let found = false;
    forEachChild(e, (c) => { if (!found && inExpr(c)) found = true; });
    if (!found && (e.kind === 'Subquery' || e.kind === 'InSubquery')) found = planUses(e.plan, fn);
    return found;
  };
  const exprs: ScalarExpr[] = [];
  switch (plan.kind) {
    case 'Project': exprs.push(...plan.exprs); break;
    case 'Filter': exprs.push(plan.predicate); break;
    case 'Values': plan.rows.forEach((r) => exprs.push(...r)); break;
    default: break;
  }
  return exprs.some(inExpr) || childrenOf(plan).some((c) => planUses(c, fn));
}

function createTag(kind: ObjectKind): string {
  return kind === 'mv' ? 'CREATE MATERIALIZED VIEW' : `CREATE ${kind.toUpperCase()}`;
}

function canceled(): SqlError {
  return new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
}

/** Positions are reported relative to the whole query string the client sent. */
function shiftPosition(e: unknown, offset: number): unknown {
  if (e instanceof SqlError && e.position !== undefined && offset > 0 && !(e as { shifted?: boolean }).shifted) {
    e.position += offset;
    (e as { shifted?: boolean }).shifted = true;
  }
  return e;
}

/** Renders a DEFAULT expression back to SQL text for the catalog. */
function exprSql(e: Expr): string {
  if ((e as { sql?: string }).sql) return (e as { sql?: string }).sql!;
  return renderExpr(e);
}

function renderExpr(e: Expr): string {
  switch (e.kind) {
    case 'Literal':
      if (e.literal === 'null') return 'NULL';
      if (e.literal === 'boolean') return e.value ? 'TRUE' : 'FALSE';
      if (e.literal === 'string') return `'${String(e.value).replace(/'/g, "''")}'`;
      return String(e.value);
    case 'TypedLiteral': return `${e.typeName.name} '${e.value.replace(/'/g, "''")}'`;
    case 'Cast': return `CAST(${renderExpr(e.arg)} AS ${e.typeName.name}${e.typeName.modifiers.length ? `(${e.typeName.modifiers.join(',')})` : ''})`;
    case 'Unary': return `${e.op} (${renderExpr(e.arg)})`;
    case 'Binary': return `(${renderExpr(e.left)}) ${e.op} (${renderExpr(e.right)})`;
    case 'FuncCall': return `${e.name}(${e.args.map(renderExpr).join(', ')})`;
    case 'ColumnRef': return e.table ? `${e.table}.${e.column}` : e.column;
    default:
      throw new SqlError(SqlState.FeatureNotSupported, 'this DEFAULT expression is not supported yet');
  }
}

export { formatText };
