/**
 * CREATE STREAM / TABLE / MATERIALIZED VIEW / VIEW and DROP: validated here, applied by the engine
 * in an epoch of their own.
 */
import type { Statement, ColumnDef } from '../../parser/ast.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId } from '../../runtime/sql/types.js';
import { kindName, type CatalogObject, type ColumnSchema, type EventTimeDef, type IndexDef, type ObjectKind } from '../../runtime/catalog/catalog.js';
import { bindEventTime, parseRetention } from '../../planner/bind/stream-options.js';
import { ParamTypes } from '../../planner/bind/coerce.js';
import { resolveTypeName } from '../../planner/bind/type-names.js';
import { liveKeyOf, lowerToDataflow, bindQuery } from '../../planner/planner.js';
import type { Notice, StatementResult } from './session-api.js';
import type { SessionDeps } from './session.js';
import type { DmlPlanner } from './dml.js';
import { validateStreamConnector } from './ddl-connectors.js';

export class DdlHandler {
  constructor(private readonly deps: SessionDeps, private readonly dml: DmlPlanner) {}

  relationColumns(cols: ColumnDef[]): ColumnSchema[] {
    const seen = new Set<string>();
    return cols.map((c) => {
      if (seen.has(c.name)) throw new SqlError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`, { position: c.pos });
      seen.add(c.name);
      const type = resolveTypeName(c.typeName);
      if (type.id === TypeId.Array && type.elem?.id === TypeId.Array) throw new SqlError(SqlState.FeatureNotSupported, "multidimensional array columns are not supported", { position: c.typeName.pos ?? c.pos });
      const col: ColumnSchema = { name: c.name, type, notNull: c.notNull || c.primaryKey };
      if (c.default) {
        if (c.defaultSql === undefined) throw new SqlError(SqlState.InternalError, `parser gave no text for the DEFAULT of column "${c.name}"`);
        col.defaultSql = c.defaultSql;
      }
      return col;
    });
  }

  checkName(name: string, ifNotExists: boolean, kind: ObjectKind, pos?: number): StatementResult | undefined {
    // An index's name is a relation name too (PostgreSQL's pg_class holds both).
    const existing = this.deps.engine.catalog.get(name) ?? this.deps.engine.catalog.all().find((o) => o.indexes?.some((i) => i.name === name));
    if (!existing) return undefined;
    if (ifNotExists) {
      return { kind: 'command', tag: createTag(kind), notices: [{ severity: 'NOTICE', code: SqlState.DuplicateTable, message: `relation "${name}" already exists, skipping` }] };
    }
    throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`, { position: pos });
  }

  async createRelation(s: Extract<Statement, { kind: 'CreateStream' | 'CreateTable' }>): Promise<StatementResult> {
    // An APPEND ONLY table without a key is exactly a stream (a table that only grows): it becomes
    // one, WATERMARK and all, and still answers to TABLE. With a key it stays a table.
    const tableAsStream = s.kind === 'CreateTable' && s.appendOnly && !s.primaryKey;
    const kind: ObjectKind = s.kind === 'CreateStream' || tableAsStream ? 'stream' : 'table';
    const skip = this.checkName(s.name, s.ifNotExists, kind, s.pos);
    if (skip) return skip;
    if (s.as) throw new SqlError(SqlState.FeatureNotSupported, `CREATE ${kind.toUpperCase()} ... AS is not supported yet`, { position: s.pos });
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
    let onConflict: CatalogObject['onConflict'];
    if (s.kind === 'CreateTable') {
      if (s.watermark && !tableAsStream) {
        throw new SqlError(SqlState.FeatureNotSupported, 'a WATERMARK needs an append-only table without a primary key', {
          position: s.watermark.pos, hint: 'Declare the table APPEND ONLY without a primary key, or use CREATE STREAM.',
        });
      }
      if (s.onConflict !== undefined && !s.primaryKey) {
        throw new SqlError(SqlState.InvalidTableDefinition, 'ON CONFLICT needs a primary key on the table', { position: s.pos });
      }
      if (s.appendOnly && s.onConflict !== undefined && s.onConflict !== 'nothing') {
        throw new SqlError(SqlState.InvalidTableDefinition, 'an APPEND ONLY table can only have ON CONFLICT DO NOTHING', {
          position: s.pos, detail: 'Overwriting a key would update a row of a table declared append-only.',
        });
      }
      onConflict = s.appendOnly && s.primaryKey ? 'nothing' : s.onConflict;
    }
    let eventTime: EventTimeDef | undefined;
    if (s.watermark && kind === 'stream') {
      eventTime = bindEventTime(s.name, columns, s.watermark, s.options);
      // Rows without an event time could never be placed in a window or judged late.
      columns[eventTime.column].notNull = true;
    }
    const connector = kind === 'stream' ? s.options.connector : undefined;
    for (const [k] of Object.entries(s.options)) {
      if (kind === 'stream' && (k === 'retention' || k === 'connector')) continue;
      if (kind === 'stream' && (k === 'idle_timeout' || k === 'partition_idle_timeout')) {
        if (!eventTime) throw new SqlError(SqlState.InvalidParameterValue, `option "${k}" needs a WATERMARK on the stream`, { position: s.pos });
        continue;
      }
      // A connector stream's other options are the connector's, checked by it below.
      if (connector !== undefined) continue;
      throw new SqlError(SqlState.InvalidParameterValue, `unrecognized ${kind} option "${k}"`, { position: s.pos, hint: kind === 'stream' ? 'Options other than retention and idle_timeout need a connector option.' : undefined });
    }
    const retention = kind === 'stream' && s.options.retention !== undefined ? parseRetention(s.options.retention) : undefined;
    // Validate DEFAULT expressions now, so a bad default fails the CREATE rather than later INSERTs.
    for (const c of columns) if (c.defaultSql) this.dml.bindDefault(c, new ParamTypes());
    const engine = this.deps.engine;
    const draft: CatalogObject = {
      id: 0, name: s.name, kind, columns, primaryKey, liveKey: null,
      createSql: '', dependsOn: [], options: s.options, createdEpoch: 0, eventTime, retention,
      ...(s.kind === 'CreateTable' && s.appendOnly ? { appendOnlyTable: true } : {}),
      ...(onConflict !== undefined ? { onConflict } : {}),
    };
    await validateStreamConnector(engine, draft, s.pos);
    await engine.submit((tx) => {
      if (engine.catalog.get(s.name)) throw new SqlError(SqlState.DuplicateTable, `relation "${s.name}" already exists`);
      engine.createObject(tx, { ...draft, id: engine.catalog.allocateId(), createdEpoch: tx.epoch });
    }, { exclusive: true });
    return { kind: 'command', tag: createTag(kind) };
  }

  async createView(s: Extract<Statement, { kind: 'CreateMaterializedView' | 'CreateView' }>): Promise<StatementResult> {
    const kind: ObjectKind = s.kind === 'CreateMaterializedView' ? 'mv' : 'view';
    const engine = this.deps.engine;
    const existing = engine.catalog.get(s.name);
    const replacing = existing !== undefined && s.orReplace ? existing : undefined;
    if (replacing !== undefined) {
      if (replacing.kind !== kind) {
        throw new SqlError(SqlState.WrongObjectType, `"${s.name}" is not a ${kindName(kind)}`, { position: s.pos, hint: `it is a ${kindName(replacing.kind)}` });
      }
      if (kind === 'view') throw new SqlError(SqlState.FeatureNotSupported, 'CREATE OR REPLACE VIEW is not supported yet; DROP and CREATE instead', { position: s.pos });
      refuseDependents(engine.catalog.dependents(replacing.id), replacing, s.pos);
    } else {
      const skip = this.checkName(s.name, s.ifNotExists, kind, s.pos);
      if (skip) return skip;
    }
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
    const emit = s.query.kind === 'Select' ? s.query.emit : undefined;
    if (emit !== undefined && kind !== 'mv') throw new SqlError(SqlState.SyntaxError, 'EMIT is only allowed in CREATE MATERIALIZED VIEW', { position: s.pos });
    // Fails early (0A000) for what cannot run incrementally, and finds the window columns.
    const watermarkColumns: number[] = [];
    if (kind === 'mv') {
      const df = lowerToDataflow(bound.plan, { catalog: engine.catalog, emitOnWindowClose: emit === 'window_close' });
      df.outputWatermarks.forEach((f, i) => { if (f !== null) watermarkColumns.push(i); });
    }
    if (replacing !== undefined && bound.dependencies.has(replacing.id)) {
      throw new SqlError(SqlState.InvalidObjectDefinition, `materialized view "${s.name}" cannot read itself`, { position: s.pos });
    }
    // A replacement is built under a temporary name while the old view keeps serving reads; the
    // engine gives it the old name in the epoch where it has caught up.
    const buildName = replacing !== undefined ? `${s.name}$replacing` : s.name;
    const id = await engine.submit((tx) => {
      if (engine.catalog.get(buildName)) throw new SqlError(SqlState.DuplicateTable, replacing ? `materialized view "${s.name}" is already being replaced` : `relation "${s.name}" already exists`);
      if (replacing !== undefined && engine.catalog.getById(replacing.id) === undefined) throw new SqlError(SqlState.UndefinedTable, `materialized view "${s.name}" was dropped concurrently`);
      for (const d of bound.dependencies) if (!engine.catalog.getById(d)) throw new SqlError(SqlState.UndefinedTable, 'a relation used by the query was dropped concurrently');
      const id = engine.catalog.allocateId();
      engine.createObject(tx, {
        id, name: buildName, kind, columns, primaryKey: [],
        liveKey: kind === 'mv' ? liveKeyOf(bound.plan) : null,
        queryText: s.queryText, createSql: '', dependsOn: [...bound.dependencies], options: s.kind === 'CreateMaterializedView' ? s.options : {}, createdEpoch: tx.epoch,
        ...(kind === 'mv' ? { emit: emit ?? 'changes', watermarkColumns } : {}),
        ...(replacing !== undefined ? { replaces: replacing.id } : {}),
      });
      return id;
    }, { exclusive: true });
    // Like PostgreSQL's CREATE MATERIALIZED VIEW, return once the view holds its query's result:
    // a long history is read in chunks by later epochs, while other statements keep running.
    await engine.backfillDone(id);
    if (replacing !== undefined && engine.catalog.get(s.name)?.id !== id) {
      const now = engine.catalog.get(s.name);
      refuseDependents(now ? engine.catalog.dependents(now.id) : [], now ?? replacing, s.pos);
      throw new SqlError(SqlState.ObjectNotInPrerequisiteState, `materialized view "${s.name}" was changed or dropped while its replacement was built; nothing was replaced`, { position: s.pos });
    }
    return { kind: 'command', tag: createTag(kind) };
  }

  /**
   * CREATE INDEX: checked (relation, columns, name) and recorded on the relation. Eddy keeps no
   * secondary indexes, so the index changes no plan; a UNIQUE index is accepted only on the
   * relation's own key, which is unique already.
   */
  async createIndex(s: Extract<Statement, { kind: 'CreateIndex' }>): Promise<StatementResult> {
    const engine = this.deps.engine;
    const obj = engine.catalog.get(s.table);
    if (!obj) throw new SqlError(SqlState.UndefinedTable, `relation "${s.table}" does not exist`, { position: s.pos });
    if (obj.kind === 'view' || obj.kind === 'sink') {
      throw new SqlError(SqlState.WrongObjectType, `cannot create index on relation "${s.table}"`, { position: s.pos, detail: `This operation is not supported for ${kindName(obj.kind)}s.` });
    }
    const column = (name: string): number => {
      const i = obj.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`, { position: s.pos });
      return i;
    };
    // A plain column key must name a column; an expression key is kept as written.
    const keyColumns = s.keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(k) ? column(k.toLowerCase()) : /^"([^"]|"")+"$/.test(k) ? column(k.slice(1, -1).replace(/""/g, '"')) : -1));
    s.include.forEach(column);
    if (s.unique) {
      const key = obj.kind === 'table' ? obj.primaryKey : obj.kind === 'mv' ? obj.liveKey ?? [] : [];
      const same = key.length > 0 && keyColumns.length === key.length && keyColumns.every((c) => key.includes(c));
      if (!same) throw new SqlError(SqlState.FeatureNotSupported, 'UNIQUE indexes are supported only on the relation\'s own key', { position: s.pos, hint: 'Declare the key with PRIMARY KEY instead.' });
    }
    const taken = (n: string) => engine.catalog.get(n) !== undefined || engine.catalog.all().some((o) => o.indexes?.some((i) => i.name === n));
    let name = s.name;
    if (name === undefined) {
      // PostgreSQL's default: table_col1_col2_idx, numbered when taken.
      const base = `${s.table}_${keyColumns.map((c, i) => (c >= 0 ? obj.columns[c].name : `expr${i === 0 ? '' : i}`)).join('_')}_idx`;
      name = base;
      for (let n = 1; taken(name); n++) name = `${base}${n}`;
    } else if (taken(name)) {
      if (s.ifNotExists) return { kind: 'command', tag: 'CREATE INDEX', notices: [{ severity: 'NOTICE', code: SqlState.DuplicateTable, message: `relation "${name}" already exists, skipping` }] };
      throw new SqlError(SqlState.DuplicateTable, `relation "${name}" already exists`, { position: s.pos });
    }
    const def: IndexDef = { name, keys: s.keys, include: s.include, unique: s.unique, ...(s.where !== undefined ? { where: s.where } : {}) };
    await engine.submit((tx) => {
      const live = engine.catalog.getById(obj.id);
      if (!live) throw new SqlError(SqlState.UndefinedTable, `relation "${s.table}" does not exist`);
      engine.updateObject(tx, live, (o) => { o.indexes = [...(o.indexes ?? []), def]; });
    }, { exclusive: true });
    return { kind: 'command', tag: 'CREATE INDEX' };
  }

  /** DROP INDEX: removes recorded indexes (see createIndex). */
  private async dropIndexes(s: Extract<Statement, { kind: 'Drop' }>): Promise<StatementResult> {
    const engine = this.deps.engine;
    const notices: Notice[] = [];
    const found: { obj: CatalogObject; name: string }[] = [];
    for (const name of s.names) {
      const obj = engine.catalog.all().find((o) => o.indexes?.some((i) => i.name === name));
      if (obj) found.push({ obj, name });
      else if (engine.catalog.get(name)) throw new SqlError(SqlState.WrongObjectType, `"${name}" is not an index`, { position: s.pos });
      else if (s.ifExists) notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `index "${name}" does not exist, skipping` });
      else throw new SqlError(SqlState.UndefinedObject, `index "${name}" does not exist`, { position: s.pos });
    }
    if (found.length > 0) {
      await engine.submit((tx) => {
        for (const f of found) {
          const live = engine.catalog.getById(f.obj.id);
          if (live) engine.updateObject(tx, live, (o) => { o.indexes = (o.indexes ?? []).filter((i) => i.name !== f.name); });
        }
      }, { exclusive: true });
    }
    return { kind: 'command', tag: 'DROP INDEX', notices };
  }

  async drop(s: Extract<Statement, { kind: 'Drop' }>): Promise<StatementResult> {
    if (s.objectKind === 'index') return this.dropIndexes(s);
    const want: Record<string, ObjectKind | undefined> = { stream: 'stream', table: 'table', 'materialized view': 'mv', view: 'view', sink: 'sink' };
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
        // A sink is not a relation: PostgreSQL reports such objects with 42704.
        throw new SqlError(kind === 'sink' ? SqlState.UndefinedObject : SqlState.UndefinedTable, `${s.objectKind} "${name}" does not exist`, { position: s.pos });
      }
      if (obj.kind !== kind && !(kind === 'table' && obj.appendOnlyTable === true)) {
        throw new SqlError(SqlState.WrongObjectType, `"${name}" is not a ${s.objectKind}`, { position: s.pos, hint: `Use DROP ${kindName(obj.kind).toUpperCase()} to remove a ${kindName(obj.kind)}.` });
      }
      targets.push(obj);
    }
    await engine.submit((tx) => {
      // Objects named in the same DROP are not "other objects" (DROP VIEW a, b where b reads a).
      const named = new Set(targets.map((t) => t.id));
      for (const t of targets) {
        const order = engine.catalog.dropOrder(t.id);
        const dependents = order.filter((o) => !named.has(o.id));
        if (dependents.length > 0 && !s.cascade) {
          throw new SqlError(SqlState.DependentObjectsStillExist, `cannot drop ${kindName(t.kind)} ${t.name} because other objects depend on it`, {
            // Each dependent names what it reads directly, as PostgreSQL's detail does.
            detail: dependents
              .map((d) => {
                const direct = order.find((o) => d.dependsOn.includes(o.id) && o.id !== d.id) ?? t;
                return `${kindName(d.kind)} ${d.name} depends on ${kindName(direct.kind)} ${direct.name}`;
              })
              .reverse()
              .join('\n'),
            hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
          });
        }
      }
      for (const t of targets) {
        if (!engine.catalog.getById(t.id)) continue;
        const order = engine.catalog.dropOrder(t.id);
        const deps = order.filter((o) => !named.has(o.id));
        if (deps.length > 0) {
          notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: deps.length === 1 ? `drop cascades to ${kindName(deps[0].kind)} ${deps[0].name}` : `drop cascades to ${deps.length} other objects`, detail: deps.length > 1 ? deps.map((d) => `drop cascades to ${kindName(d.kind)} ${d.name}`).join('\n') : undefined });
        }
        for (const o of order) if (engine.catalog.getById(o.id)) engine.dropObject(tx, o.id);
      }
    }, { exclusive: true });
    return { kind: 'command', tag: `DROP ${label}`, notices };
  }

  // ------------------------------------------------------------------ DML
}

/** CREATE OR REPLACE of a view others read is refused (2BP01): they were planned against it. */
function refuseDependents(dependents: CatalogObject[], obj: CatalogObject, pos?: number): void {
  if (dependents.length === 0) return;
  throw new SqlError(SqlState.DependentObjectsStillExist, `cannot replace ${kindName(obj.kind)} ${obj.name} because other objects depend on it`, {
    position: pos,
    detail: dependents.map((d) => `${kindName(d.kind)} ${d.name} depends on ${kindName(obj.kind)} ${obj.name}`).join('\n'),
    hint: 'Drop the dependent objects first (or DROP ... CASCADE and create them again).',
  });
}

export function createTag(kind: ObjectKind): string {
  return kind === 'mv' ? 'CREATE MATERIALIZED VIEW' : `CREATE ${kind.toUpperCase()}`;
}
