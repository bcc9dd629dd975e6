/**
 * DDL that involves connectors: CREATE STREAM ... WITH (connector = ...) option checks, and
 * CREATE SINK. Options are validated by the connector itself at CREATE time (22023 for a bad
 * option, 08001 for an unreachable system with validate = true).
 */
import type { Statement } from '../../parser/ast.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { kindName, type CatalogObject, type ColumnSchema } from '../../runtime/catalog/catalog.js';
import { TypeId } from '../../runtime/sql/types.js';
import type { ConnectorRegistry } from '../../runtime/connector/sink.js';
import type { Engine } from '../../runtime/engine.js';
import { bindQuery } from '../../planner/planner.js';
import { isAppendOnly } from '../../planner/physical/append-only.js';
import type { BinderEnvironment } from '../../planner/bind/bind-select.js';
import type { StatementResult } from './session-api.js';

/** Stream options the engine itself reads; every other option of a connector stream is the connector's. */
export const ENGINE_STREAM_OPTIONS: ReadonlySet<string> = new Set(['retention', 'idle_timeout', 'partition_idle_timeout', 'connector']);

function registryOf(engine: Engine): ConnectorRegistry {
  const r = engine.opts.connectors;
  if (r === undefined) throw new SqlError(SqlState.FeatureNotSupported, 'this server runs without connectors');
  return r;
}

/** Checks a new stream's connector and its options (the stream object is not yet in the catalog). */
export async function validateStreamConnector(engine: Engine, stream: CatalogObject, pos?: number): Promise<void> {
  const name = stream.options.connector;
  if (name === undefined) return;
  const registry = registryOf(engine);
  const connector = registry.source(name);
  if (connector === undefined) {
    throw new SqlError(SqlState.InvalidParameterValue, `unknown source connector "${name}"`, { position: pos, hint: `Valid connectors: ${registry.sourceNames().join(', ')}.` });
  }
  // JSON records carry arrays as JSON arrays; the other formats and generators have no array form.
  if ((stream.options.format ?? 'json').toLowerCase() !== 'json' || name === 'datagen' || name === 'nexmark') refuseArrayColumns(stream.columns, `a ${name} source${stream.options.format ? ` in format ${stream.options.format}` : ''}`, pos);
  await connector.validate(stream);
}

/** CREATE SINK name FROM object WITH (connector = ..., ...). */
export async function createSink(engine: Engine, binderEnv: BinderEnvironment, s: Extract<Statement, { kind: 'CreateSink' }>): Promise<StatementResult> {
  const existing = engine.catalog.get(s.name);
  if (existing !== undefined) {
    if (s.ifNotExists && existing.kind === 'sink') return { kind: 'command', tag: 'CREATE SINK', notices: [{ severity: 'NOTICE', code: SqlState.DuplicateObject, message: `sink "${s.name}" already exists, skipping` }] };
    throw new SqlError(SqlState.DuplicateObject, `${kindName(existing.kind)} "${s.name}" already exists`, { position: s.pos });
  }
  if (s.query !== undefined) {
    throw new SqlError(SqlState.FeatureNotSupported, 'CREATE SINK ... AS query is not supported', { position: s.pos, hint: 'Create a materialized view for the query and CREATE SINK ... FROM it.' });
  }
  const from = engine.catalog.get(s.from);
  if (from === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${s.from}" does not exist`, { position: s.pos });
  if (from.kind !== 'stream' && from.kind !== 'table' && from.kind !== 'mv') {
    throw new SqlError(SqlState.WrongObjectType, `cannot sink from ${kindName(from.kind)} "${from.name}"`, { position: s.pos, hint: 'A sink reads a stream, a table or a materialized view.' });
  }
  const options = { ...s.options };
  const name = options.connector;
  const registry = registryOf(engine);
  if (name === undefined) throw new SqlError(SqlState.InvalidParameterValue, 'CREATE SINK needs a connector option', { position: s.pos, hint: `e.g. WITH (connector = 'kafka', ...); valid connectors: ${registry.sinkNames().join(', ')}.` });
  const connector = registry.sink(name);
  if (connector === undefined) throw new SqlError(SqlState.InvalidParameterValue, `unknown sink connector "${name}"`, { position: s.pos, hint: `Valid connectors: ${registry.sinkNames().join(', ')}.` });
  if (options.snapshot !== undefined && options.snapshot !== 'true' && options.snapshot !== 'false') {
    throw new SqlError(SqlState.InvalidParameterValue, `option "snapshot" must be true or false, not "${options.snapshot}"`, { position: s.pos });
  }

  // The upsert key: the table's primary key, the view's unique key, or primary_key = 'a,b'.
  let keyColumns: number[] | null = from.kind === 'table' && from.primaryKey.length > 0 ? from.primaryKey : from.kind === 'mv' ? from.liveKey : null;
  if (options.primary_key !== undefined) {
    keyColumns = options.primary_key.split(',').map((n) => {
      const c = n.trim().toLowerCase();
      const i = from.columns.findIndex((col) => col.name === c);
      if (i < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${c}" named in primary_key does not exist in "${from.name}"`, { position: s.pos });
      return i;
    });
  }
  if (keyColumns !== null && keyColumns.length === 0) keyColumns = null;
  const appendOnly = from.kind === 'stream' || (from.kind === 'mv' && (from.emit === 'window_close' || isAppendOnly(bindQuery(binderEnv.parseQuery(from.queryText ?? ''), binderEnv).plan, engine.catalog)));

  const draft: CatalogObject = {
    id: 0, name: s.name, kind: 'sink', columns: from.columns.map((c) => ({ ...c })), primaryKey: keyColumns ?? [], liveKey: null,
    createSql: '', dependsOn: [from.id], options, createdEpoch: 0,
  };
  // Array values reach JSON records as JSON arrays; other encodings and SQL targets do not take them yet.
  if (s.options.connector === 'mysql' || s.options.connector === 'postgres' || (s.options.format ?? 'json').toLowerCase() !== 'json') {
    refuseArrayColumns(draft.columns, `a ${s.options.connector} sink${s.options.format ? ` in format ${s.options.format}` : ''}`, s.pos);
  }
  draft.options = await connector.validate(draft, draft.columns, keyColumns, appendOnly);
  await engine.submit((tx) => {
    if (engine.catalog.get(s.name)) throw new SqlError(SqlState.DuplicateObject, `relation "${s.name}" already exists`);
    if (engine.catalog.getById(from.id) === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${from.name}" was dropped concurrently`);
    engine.createObject(tx, { ...draft, id: engine.catalog.allocateId(), createdEpoch: tx.epoch });
  }, { exclusive: true });
  return { kind: 'command', tag: 'CREATE SINK' };
}

function refuseArrayColumns(columns: readonly ColumnSchema[], what: string, pos?: number): void {
  const c = columns.find((x) => x.type.id === TypeId.Array);
  if (c) throw new SqlError(SqlState.FeatureNotSupported, `array column "${c.name}" is not supported by ${what}`, { position: pos });
}
