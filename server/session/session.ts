/**
 * A client session: parses, plans and executes statements against the Engine. Thin handlers per
 * statement kind; all SQL semantics live in the planner and runtime.
 */
import type { Statement, Query } from '../../parser/ast.js';
import { parseStatement, splitStatements } from '../../parser/parse.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, typeCategory, sqlType, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import type { Engine } from '../../runtime/engine.js';
import { kindName, viewDefinition, type ObjectKind } from '../../runtime/catalog/catalog.js';
import { newEvalContext, currentMicros, type EvalContext } from '../../runtime/expr/eval-context.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { prepareBatch, type BatchRunner } from '../../runtime/batch/executor.js';
import { childrenOf, type RelPlan } from '../../runtime/plan/plan.js';
import { forEachChild } from '../../runtime/expr/ir.js';
import { resolveAsyncValues, CancelledWhileWaiting } from '../../runtime/expr/async-value.js';
import type { BinderEnvironment } from '../../planner/bind/bind-select.js';
import { planBatch, liveKeyOf, lowerToDataflow, bindQuery } from '../../planner/planner.js';
import { explainDataflow } from '../../planner/physical/lower-to-dataflow.js';
import { explainPlan } from '../../planner/logical/explain.js';
import type { CancelSignal, ColumnDesc, Notice, Prepared, PreparedInfo, PreparedStatementRegistry, Session, StatementResult, TxStatus } from './session-api.js';
import { SessionSettings } from './settings.js';
import { parameterizeLiterals } from '../../planner/rules/parameterize-literals.js';
import { parseText } from '../../runtime/sql/text-io.js';
import { DmlPlanner } from './dml.js';
import { DdlHandler } from './ddl.js';
import { createSink } from './ddl-connectors.js';
import { EDDY_SINKS } from './system-tables.js';
import type { Planned } from './planned.js';
import type { UsersStore } from '../../runtime/catalog/users-store.js';
import { SessionRoles } from './users.js';
import { SessionCatalog } from '../catalog/session-catalog.js';
import { SqlCursors } from './sql-cursors.js';
import { catalogSourceOf } from '../catalog/catalog-source.js';
import { awaitCancellable, parseDurationMs } from './timeouts.js';
import type { SessionTimeouts } from './session-api.js';
import { planSubscription, subscribeResult, subscribeTarget, subscriptionColumns } from './subscribe.js';
import { planCopy } from './copy.js';

export interface SessionDeps {
  engine: Engine;
  binderEnv: BinderEnvironment;
  serverVersion: string;
  /** The server's roles; absent = no user management, every session a superuser. */
  users?: UsersStore;
}

/** A prepared statement plus what was planned for it (re-planned when the catalog changed). */
class PreparedStatement implements Prepared {
  plan?: Planned;
  constructor(readonly sql: string, readonly stmt: Statement, public info: PreparedInfo, readonly paramTypes: (SqlType | null)[], readonly offset: number) {}
}

const TX_OK = new Set(['Rollback', 'Commit']);

export class SqlSession implements Session {
  private tx: TxStatus = 'I';
  private settings: SessionSettings;
  private paramChanges: Record<string, string> = {};
  private readonly dml: DmlPlanner;
  private readonly ddl: DdlHandler;

  constructor(private deps: SessionDeps, readonly startupParams: Record<string, string>) {
    this.settings = new SessionSettings(deps.serverVersion, startupParams);
    this.dml = new DmlPlanner(deps, (params) => this.evalContext(params));
    this.ddl = new DdlHandler(deps, this.dml);
    this.roles = new SessionRoles(deps.users, deps.engine.catalog, this.settings.user);
    if (!this.roles.isSuperuser()) this.settings.set('is_superuser', ['off'], () => undefined);
  }

  private readonly roles: SessionRoles;
  private readonly sqlCursors = new SqlCursors();
  private preparedStatements?: PreparedStatementRegistry;

  attachPreparedStatements(registry: PreparedStatementRegistry): void {
    this.preparedStatements = registry;
  }
  private timeoutCache: { raw: [string, string, string]; value: SessionTimeouts } | null = null;

  /** Read at every statement: parsed again only when one of the three settings changed. */
  timeouts(): SessionTimeouts {
    const s = this.settings;
    const st = s.get('statement_timeout');
    const idle = s.get('idle_session_timeout');
    const idleTx = s.get('idle_in_transaction_session_timeout');
    const c = this.timeoutCache;
    if (c !== null && c.raw[0] === st && c.raw[1] === idle && c.raw[2] === idleTx) return c.value;
    const value: SessionTimeouts = {
      statementMs: parseDurationMs('statement_timeout', st),
      idleSessionMs: parseDurationMs('idle_session_timeout', idle),
      idleInTransactionMs: parseDurationMs('idle_in_transaction_session_timeout', idleTx),
    };
    this.timeoutCache = { raw: [st, idle, idleTx], value };
    return value;
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
    this.roles.authorize(p.stmt);
    if (simple && p.stmt.kind === 'Query') {
      const shared = this.runByShape(p.stmt.query, cancel);
      if (shared) return shared;
    }
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

  /** Plans shared by simple-protocol SELECTs that differ only in `column = literal` values; null = not shareable. */
  private shapeCache = new Map<string, Planned | null>();

  private runByShape(q: Query, cancel: CancelSignal): Promise<StatementResult> | StatementResult | undefined {
    const norm = parameterizeLiterals(q);
    if (!norm) return undefined;
    let planned = this.shapeCache.get(norm.shapeKey);
    if (planned === null) return undefined;
    if (!planned || planned.catalogVersion !== this.deps.engine.catalogVersion) {
      try {
        planned = this.planSelect(norm.query, [], this.deps.engine.catalogVersion);
      } catch {
        planned = null; // the original statement reports its own error, with its own positions
      }
      // A number compared with a non-numeric column is an error in PostgreSQL: do not share that.
      if (planned && norm.literals.some((l, i) => l.kind !== 'string' && typeCategory(planned!.paramTypes[i].id) !== 'numeric')) planned = null;
      if (this.shapeCache.size >= 256) this.shapeCache.delete(this.shapeCache.keys().next().value as string);
      this.shapeCache.set(norm.shapeKey, planned);
      if (!planned) return undefined;
    }
    let values: Value[];
    try {
      // The literal keeps its own precision: numeric(10,2) = 1.005 compares 1.005, not 1.01.
      values = norm.literals.map((l, i) => parseText(sqlType(planned!.paramTypes[i].id), l.text));
    } catch {
      return undefined; // e.g. 3000000000 against an int column: PostgreSQL compares, it does not fail
    }
    return planned.run(values, cancel);
  }

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
      case 'Insert': return this.dml.planInsert(s, p.paramTypes, version);
      case 'Update': return this.dml.planUpdate(s, p.paramTypes, version);
      case 'Delete': return this.dml.planDelete(s, p.paramTypes, version);
      case 'CreateStream': case 'CreateTable':
        return simple(null, () => this.ddl.createRelation(s));
      case 'CreateMaterializedView': case 'CreateView':
        return simple(null, () => this.ddl.createView(s));
      case 'CreateSink':
        return simple(null, () => createSink(this.deps.engine, this.deps.binderEnv, s));
      case 'CreateIndex':
        return simple(null, () => this.ddl.createIndex(s));
      case 'Drop':
        return simple(null, () => this.ddl.drop(s));
      case 'Show':
        return this.planShow(s, version);
      case 'Explain':
        return simple([{ name: 'QUERY PLAN', type: T.text }], (params, cancel) => this.explain(s.statement, p.paramTypes, s.analyze, cancel));
      case 'Flush':
        return simple(null, async (params, cancel) => {
          await awaitCancellable(this.deps.engine.flush(), cancel);
          return { kind: 'command', tag: 'FLUSH' };
        });
      case 'Set':
        return simple(null, () => {
          // Clients set many PostgreSQL settings on connect; unknown ones are kept and have no effect.
          const notices: Notice[] = this.settings.known(s.name) ? [] : [{ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `setting "${s.name}" has no effect in Eddy` }];
          this.settings.ignoredTimeZone = undefined;
          this.applySet(s.name, s.values);
          const tz = this.settings.ignoredTimeZone;
          if (tz !== undefined) notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `time zone "${tz}" is accepted but not applied: Eddy sessions use UTC (timestamptz values carry their offset)` });
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
      case 'DeclareCursor': {
        if (this.tx === 'I' && !s.hold) throw new SqlError(SqlState.NoActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
        const q = this.planSelect(s.query, p.paramTypes, version);
        return {
          ...simple(null, async (params, cancel) => {
            const r = await q.run(params, cancel);
            if (r.kind !== 'rows') throw new SqlError(SqlState.InternalError, 'DECLARE: the query gave no rows');
            const rows: Row[] = [];
            if (Array.isArray(r.rows)) rows.push(...r.rows);
            else for await (const batch of r.rows) rows.push(...batch);
            return this.sqlCursors.declare(s.name, r.columns, rows, s.hold);
          }),
          paramTypes: q.paramTypes,
        };
      }
      case 'Fetch':
        return simple(s.move ? null : this.sqlCursors.columns(s.name), () => this.sqlCursors.fetch(s.name, s.count, s.move));
      case 'CloseCursor':
        return simple(null, () => this.sqlCursors.close(s.name));
      case 'Commit':
        return simple(null, () => {
          this.sqlCursors.endTransaction();
          const wasFailed = this.tx === 'E';
          const notices: Notice[] = this.tx === 'I' ? [{ severity: 'WARNING', code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' }] : [];
          this.tx = 'I';
          return { kind: 'command', tag: wasFailed ? 'ROLLBACK' : 'COMMIT', notices };
        });
      case 'Rollback':
        return simple(null, () => {
          this.sqlCursors.endTransaction();
          const notices: Notice[] = this.tx === 'I' ? [{ severity: 'WARNING', code: SqlState.NoActiveSqlTransaction, message: 'there is no transaction in progress' }] : [];
          this.tx = 'I';
          return { kind: 'command', tag: 'ROLLBACK', notices };
        });
      case 'Discard':
        return simple(null, () => {
          if (s.what.toLowerCase() === 'all') {
            this.settings.resetAll((k, v) => (this.paramChanges[k] = v));
            this.preparedStatements?.deallocateAll();
            this.sqlCursors.close('all');
          }
          return { kind: 'command', tag: `DISCARD ${s.what.toUpperCase()}` };
        });
      case 'Deallocate':
        return simple(null, () => {
          if (s.name === 'all') this.preparedStatements?.deallocateAll();
          else if (this.preparedStatements && !this.preparedStatements.deallocate(s.name)) {
            throw new SqlError(SqlState.InvalidSqlStatementName, `prepared statement "${s.name}" does not exist`);
          }
          return { kind: 'command', tag: s.name === 'all' ? 'DEALLOCATE ALL' : 'DEALLOCATE' };
        });
      case 'NoOp':
        return simple(null, () => ({ kind: 'command', tag: s.tag }));
      case 'CreateRole': case 'AlterRole': case 'DropRole': case 'Grant':
        return simple(null, () => this.roles.execute(s, this.settings.get('password_encryption') === 'md5' ? 'md5' : 'scram-sha-256'));
      case 'Subscribe': {
        const sub = planSubscription(this.deps.engine, this.deps.binderEnv, subscribeTarget(s), s.pos);
        return { catalogVersion: version, columns: subscriptionColumns(sub), paramTypes: [], run: (params, cancel) => subscribeResult(sub, cancel) };
      }
      case 'Copy':
        return planCopy(s, this.deps, this.dml, () => this.evalContext(), version);
    }
  }

  private evalContext(params: Value[] = []): EvalContext {
    return newEvalContext({ params, statementTimestamp: currentMicros(), user: this.settings.user, database: this.settings.database, catalog: this.catalogAccess() });
  }

  private catalog?: SessionCatalog;

  /** What catalog functions and reg* casts read (pg_catalog emulation, server/catalog/). */
  private catalogAccess(): SessionCatalog | undefined {
    if (this.catalog) return this.catalog;
    const src = catalogSourceOf(this.deps.engine);
    if (!src) return undefined;
    this.catalog = new SessionCatalog(src, {
      settings: this.settings,
      user: this.settings.user,
      pid: () => this.backendPid,
      setSetting: (name, value) => this.applySet(name, [value]),
      roleMay: (role, objectId, privilege) => this.roles.roleMay(role, objectId, privilege),
    });
    return this.catalog;
  }

  /** Set by the connection after startup (pg_backend_pid()). */
  backendPid = 0;

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

  private planShow(s: Extract<Statement, { kind: 'Show' }>, version: number): Planned {
    const engine = this.deps.engine;
    if (s.variable !== undefined) {
      const name = s.variable.toLowerCase();
      if (name === 'all') {
        const columns: ColumnDesc[] = [{ name: 'name', type: T.text }, { name: 'setting', type: T.text }, { name: 'description', type: T.text }];
        return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: this.settings.all().map(([k, v]) => [k, v, '']), tagPrefix: 'SHOW' }) };
      }
      const value = this.settings.get(name);
      const columns: ColumnDesc[] = [{ name: this.settings.canonicalName(name), type: T.text }];
      return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: [[value]], tagPrefix: 'SHOW' }) };
    }
    const what = s.what!;
    const kinds: Record<string, ObjectKind | undefined> = { streams: 'stream', tables: 'table', 'materialized views': 'mv', views: 'view' };
    const kind = kinds[what];
    if (what === 'sinks') {
      const columns: ColumnDesc[] = EDDY_SINKS.fields.map((f) => ({ name: f.name, type: f.type }));
      return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: engine.sinkStats(), tagPrefix: 'SHOW' }) };
    }
    if (!kind) {
      const columns: ColumnDesc[] = [{ name: 'name', type: T.text }];
      return { catalogVersion: version, columns, paramTypes: [], run: () => ({ kind: 'rows', columns, rows: [], tagPrefix: 'SHOW' }) };
    }
    const columns: ColumnDesc[] =
      kind === 'stream' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }, { name: 'late_rows', type: T.int8 }, { name: 'watermark', type: T.timestamptz }, { name: 'connector', type: T.text }, { name: 'status', type: T.text }, { name: 'malformed_rows', type: T.int8 }]
      : kind === 'table' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }, { name: 'primary_key', type: T.text }]
      : kind === 'mv' ? [{ name: 'name', type: T.text }, { name: 'rows', type: T.int8 }, { name: 'backfill', type: T.text }, { name: 'definition', type: T.text }]
      : [{ name: 'name', type: T.text }, { name: 'definition', type: T.text }];
    return {
      catalogVersion: version,
      columns,
      paramTypes: [],
      run: () => {
        const rows: Row[] = engine.catalog.all().filter((o) => o.kind === kind).sort((a, b) => (a.name < b.name ? -1 : 1)).map((o) => {
          switch (kind) {
            case 'stream': {
              const c = engine.clocks.get(o.id);
              return [o.name, BigInt(engine.streamRowCount(o.id)), BigInt(c?.late ?? 0), c && Number.isFinite(c.watermark) ? c.watermark : null, o.options.connector ?? null, engine.sourceStatusText(o.id), BigInt(c?.malformed ?? 0)];
            }
            case 'table': return [o.name, BigInt(engine.table(o.id).rows.size), o.primaryKey.map((i) => o.columns[i].name).join(', ')];
            case 'mv': return [o.name, BigInt(engine.mvs.get(o.id)?.live.size() ?? 0), backfillText(engine.backfillProgress(o.id)), viewDefinition(o) ?? ''];
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

  private explain(stmt: Statement, paramTypes: (SqlType | null)[], analyze = false, cancel?: CancelSignal): StatementResult {
    const columns: ColumnDesc[] = [{ name: 'QUERY PLAN', type: T.text }];
    let lines: string[];
    switch (stmt.kind) {
      case 'Query': {
        const bound = planBatch(stmt.query, this.deps.binderEnv, paramTypes);
        lines = explainPlan(bound.plan);
        if (analyze) {
          // EXPLAIN ANALYZE runs the query (without sending its rows) and reports what it did.
          const started = performance.now();
          const out = prepareBatch(bound.plan, this.deps.engine, this.evalContext(), cancel)();
          lines.push(`Execution: ${out.length} rows in ${(performance.now() - started).toFixed(3)} ms`);
        }
        break;
      }
      case 'CreateMaterializedView': {
        const bound = bindQuery(stmt.query, this.deps.binderEnv);
        lines = ['Incremental dataflow:', ...explainDataflow(lowerToDataflow(bound.plan, { catalog: this.deps.engine.catalog, emitOnWindowClose: stmt.query.kind === 'Select' && stmt.query.emit === 'window_close' }), (id) => { const o = this.deps.engine.catalog.getById(Number(id)); return o ? `${kindName(o.kind)} ${o.name}` : id; }).map((l) => '  ' + l)];
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


/** SHOW MATERIALIZED VIEWS' backfill column: 'done', or rows read of the stream history so far. */
function backfillText(p: { done: number; remaining: number } | undefined): string {
  if (p === undefined) return 'done';
  const total = p.done + p.remaining;
  return `${p.done} / ${total} rows (${total === 0 ? 100 : Math.floor((p.done / total) * 100)}%)`;
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

