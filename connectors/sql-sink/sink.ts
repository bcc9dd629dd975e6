/**
 * The SQL database sink shared by MySQL and PostgreSQL: each batch of committed epochs is written
 * in ONE database transaction that also sets the sink's row in `eddy_sink_progress` to the
 * batch's last epoch. Both commit together, so after a crash `open()` reads that row and the
 * runner resumes after the last epoch the database holds: no epoch is written twice or lost.
 *
 * The transaction starts by locking the progress row (SELECT ... FOR UPDATE) and checking it
 * still holds the epoch this writer last saw. A transaction of a crashed Eddy that the database
 * has not yet rolled back, or a second writer, is thereby waited for and detected, never
 * overwritten.
 *
 * upsert (default for keyed objects): the net change per key becomes an upsert
 *   (MySQL INSERT ... ON DUPLICATE KEY UPDATE, PostgreSQL INSERT ... ON CONFLICT DO UPDATE) or
 *   a DELETE by key, in multi-row statements.
 * append (streams, EMIT ON WINDOW CLOSE and other append-only views): every inserted row.
 *
 * The target table is created when missing (the key as its PRIMARY KEY in upsert mode); an
 * existing one must have every column with a compatible type (42703 / 42804 naming the column
 * and both types) and, in upsert mode, a primary key or unique index on exactly the key columns.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogObject, ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkBatch, SinkConnector, SinkContext, SinkWriter } from '../../runtime/connector/sink.js';
import type { Row } from '../../runtime/sql/values.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { crashPoint } from '../../runtime/crash-point.js';
import type { SqlConn, SqlDialect, TargetTable } from './dialect.js';
import { appendedRows, netByKey } from '../sink-changes.js';
import { bad, checkKnown, parseBool, parseTable, parseUrl, required, scrub, tableText, type Endpoint, type TableName } from './options.js';

/** Rows per multi-row statement (fewer when the columns would exceed the dialect's parameter limit). */
const ROWS_PER_STATEMENT = 500;
/** A statement is cut once its text and JSON values reach about this many characters. */
const MAX_STATEMENT_CHARS = 4_000_000;
const PROGRESS_TABLE = 'eddy_sink_progress';

/** A MySQL or PostgreSQL sink connector over the dialect. */
export function sqlSinkConnector(d: SqlDialect): SinkConnector {
  return {
    name: d.connector,
    async validate(sink: CatalogObject, columns: readonly ColumnSchema[], keyColumns: readonly number[] | null, appendOnly: boolean): Promise<Record<string, string>> {
      const o = { ...sink.options };
      checkKnown(d.connector, o);
      const endpoint = parseUrl(d.connector, required(d.connector, o, 'url', d.exampleUrl), d.schemes, d.defaultPort, d.exampleUrl);
      const table = parseTable(required(d.connector, o, 'table', 'target_table'));
      const mode = (o.mode ?? (keyColumns !== null ? 'upsert' : 'append')).trim().toLowerCase();
      if (mode !== 'upsert' && mode !== 'append') throw bad(`option "mode" must be upsert or append, not "${o.mode}"`);
      if (mode === 'upsert' && keyColumns === null) throw bad('mode = upsert needs a key: the object has none', "Add primary_key = 'col1,col2', or use mode = 'append' for an append-only object.");
      if (mode === 'append' && !appendOnly) {
        throw bad(`mode = append needs an append-only object, and "${sink.dependsOn.length > 0 ? 'its object' : sink.name}" updates or deletes rows`, "Use mode = 'upsert', or EMIT ON WINDOW CLOSE in the view so each window is written once.");
      }
      o.mode = mode;
      d.checkDefinition(endpoint, table.schema, columns);
      // Unique per creation: a sink re-created under the same name never inherits the old one's progress.
      o.progress_key ??= `${sink.name.slice(0, 200)}-${randomUUID()}`;
      if (parseBool(o, 'validate', false)) {
        const spec = new TargetSpec(d, sink.name, endpoint, table, columns, mode === 'upsert' ? keyColumns : null);
        const conn = await connect(d, o.url, endpoint, sink.name);
        try {
          await spec.check(conn, false);
        } catch (e) {
          throw wrapError(d, endpoint, e, SqlState.ConnectionException);
        } finally {
          await conn.end().catch(() => undefined);
        }
      }
      return o;
    },
    writer(ctx: SinkContext): SinkWriter {
      return new SqlSinkWriter(d, ctx);
    },
  };
}

/** Connects, turning any failure into 08001 naming host:port (never the password). */
async function connect(d: SqlDialect, url: string, endpoint: Endpoint, sinkName: string): Promise<SqlConn> {
  try {
    return await d.connect(url, endpoint, sinkName);
  } catch (e) {
    throw new SqlError(SqlState.SqlclientUnableToEstablishSqlconnection, `cannot connect to ${d.product} at ${endpoint.where}: ${scrub(describe(e), endpoint)}`);
  }
}

function describe(e: unknown): string {
  const err = e as { message?: string; code?: string; errors?: unknown[] };
  let m = err?.message ?? String(e);
  // Node's AggregateError (several addresses tried) has an empty message.
  if (m === '' && Array.isArray(err.errors) && err.errors.length > 0) m = (err.errors as Error[]).map((x) => x.message).join('; ');
  if (m === '' && err.code !== undefined) m = err.code;
  return m;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** A driver error as a SqlError naming the database (host:port/db) and keeping its SQLSTATE. */
function wrapError(d: SqlDialect, endpoint: Endpoint, e: unknown, dflt: SqlState): SqlError {
  if (e instanceof SqlError) return e;
  const err = e as { code?: string; sqlState?: string };
  const state = typeof err?.sqlState === 'string' && /^[0-9A-Z]{5}$/.test(err.sqlState) && err.sqlState !== 'HY000' ? err.sqlState
    : typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code
    : NETWORK_CODES.has(err?.code ?? '') ? SqlState.ConnectionFailure
    : dflt;
  return new SqlError(state as SqlState, `${d.product} at ${endpoint.where}: ${scrub(describe(e), endpoint)}`);
}

/** The sink's target table: its columns, key, and the checks of an existing table. */
class TargetSpec {
  readonly ref: string;
  readonly names: string[];
  readonly keyNames: string[] | null;

  constructor(
    private readonly d: SqlDialect,
    private readonly sinkName: string,
    private readonly endpoint: Endpoint,
    readonly table: TableName,
    readonly columns: readonly ColumnSchema[],
    readonly key: readonly number[] | null,
  ) {
    this.ref = qualified(d, table.schema, table.name);
    this.names = columns.map((c) => c.name);
    this.keyNames = key === null ? null : key.map((i) => columns[i].name);
  }

  /** Checks the table if it exists; creates it when missing and `create`. */
  async check(conn: SqlConn, create: boolean): Promise<void> {
    let t = await this.d.describe(conn, this.table.schema, this.table.name);
    if (t === undefined) {
      if (!create) return;
      const defs = this.columns.map((c, i) => `${this.d.ident(c.name)} ${this.d.columnType(c, this.key?.includes(i) ?? false)}${this.key?.includes(i) ? ' NOT NULL' : ''}`);
      await this.d.createTable(conn, this.ref, defs, this.keyNames?.map((n) => this.d.ident(n)) ?? null);
      t = await this.d.describe(conn, this.table.schema, this.table.name);
      if (t === undefined) throw new SqlError(SqlState.UndefinedTable, `table "${tableText(this.table)}" was not created in ${this.d.product} at ${this.endpoint.where}`);
    }
    this.checkExisting(t);
  }

  private checkExisting(t: TargetTable): void {
    const where = `table "${tableText(this.table)}" in ${this.d.product} at ${this.endpoint.where}`;
    if (t.problem !== undefined) throw new SqlError(SqlState.WrongObjectType, `sink "${this.sinkName}" cannot write ${where}: ${t.problem}`);
    const norm = (n: string) => (this.d.caseInsensitiveNames ? n.toLowerCase() : n);
    const byName = new Map(t.columns.map((c) => [norm(c.name), c]));
    for (const col of this.columns) {
      const tc = byName.get(norm(col.name));
      if (tc === undefined) {
        throw new SqlError(SqlState.UndefinedColumn, `${where} has no column "${col.name}" (the sink writes ${typeDisplayName(col.type)})`, {
          hint: `Add the column, drop the table so the sink creates it, or sink to another table. The table needs the columns: ${this.columns.map((c) => c.name).join(', ')}.`,
        });
      }
      if (!this.d.compatible(col, tc)) {
        throw new SqlError(SqlState.DatatypeMismatch, `column "${col.name}" of ${where} has type ${tc.display}, but the sink writes ${typeDisplayName(col.type)}`, {
          hint: `Change the column's type (e.g. to ${this.d.columnType(col, false)}), drop the table so the sink creates it, or sink to another table.`,
        });
      }
    }
    if (this.keyNames !== null) {
      const want = [...this.keyNames].map(norm).sort().join(',');
      if (!t.uniqueKeys.some((k) => [...k].map(norm).sort().join(',') === want)) {
        throw new SqlError(SqlState.InvalidColumnReference, `${where} has no primary key or unique index on exactly (${this.keyNames.join(', ')}), which upserts need`, {
          hint: `Add PRIMARY KEY (${this.keyNames.join(', ')}), set primary_key to the table's key, or use mode = 'append' for an append-only object.`,
        });
      }
    }
  }
}

function qualified(d: SqlDialect, schema: string | undefined, name: string): string {
  return schema !== undefined ? `${d.ident(schema)}.${d.ident(name)}` : d.ident(name);
}

class SqlSinkWriter implements SinkWriter {
  private conn: SqlConn | undefined;
  /** The epoch the progress row holds, as this writer last saw it. */
  private epoch = 0;
  private readonly endpoint: Endpoint;
  private readonly spec: TargetSpec;
  private readonly mode: 'upsert' | 'append';
  private readonly progressRef: string;
  private readonly progressKey: string;

  constructor(private readonly d: SqlDialect, private readonly ctx: SinkContext) {
    const o = ctx.sink.options;
    this.endpoint = parseUrl(d.connector, o.url ?? '', d.schemes, d.defaultPort, d.exampleUrl);
    this.mode = o.mode === 'append' ? 'append' : 'upsert';
    const table = parseTable(o.table ?? '');
    this.spec = new TargetSpec(d, ctx.sink.name, this.endpoint, table, ctx.columns, this.mode === 'upsert' ? ctx.keyColumns : null);
    this.progressRef = qualified(d, table.schema, PROGRESS_TABLE);
    this.progressKey = o.progress_key ?? ctx.sink.name;
  }

  async open(): Promise<number> {
    if (this.mode === 'upsert' && this.ctx.keyColumns === null) throw new SqlError(SqlState.InvalidParameterValue, `sink "${this.ctx.sink.name}" is in upsert mode but its object has no key`);
    const conn = await connect(this.d, this.ctx.sink.options.url, this.endpoint, this.ctx.sink.name);
    this.conn = conn;
    try {
      await this.d.ensureProgressTable(conn, this.progressRef);
      await this.spec.check(conn, true);
      await conn.query(this.d.progressInitSql(this.progressRef), [this.progressKey]);
      this.epoch = await this.readProgress(conn, false);
      return this.epoch;
    } catch (e) {
      throw this.wrap(e);
    }
  }

  private async readProgress(conn: SqlConn, lock: boolean): Promise<number> {
    const rows = await conn.query(`SELECT epoch FROM ${this.progressRef} WHERE sink_name = ${this.d.param(0)}${lock ? ' FOR UPDATE' : ''}`, [this.progressKey]);
    if (rows.length === 0) throw new SqlError(SqlState.UndefinedObject, `the progress row of sink "${this.ctx.sink.name}" is missing from ${PROGRESS_TABLE}`);
    return Number(rows[0].epoch);
  }

  async write(batch: SinkBatch): Promise<void> {
    const conn = this.conn;
    if (conn === undefined) throw new SqlError(SqlState.ConnectionFailure, `${this.d.connector} sink is not connected`);
    if (conn.failure !== undefined) throw this.wrap(conn.failure);
    // Everything is converted before the transaction starts: a value the target cannot hold fails here.
    const statements = this.statements(batch);
    try {
      await conn.query(this.d.beginSql);
      const held = await this.readProgress(conn, true);
      if (held !== this.epoch) {
        throw new SqlError(SqlState.ObjectNotInPrerequisiteState, `the progress of sink "${this.ctx.sink.name}" in ${this.d.product} at ${this.endpoint.where} moved from epoch ${this.epoch} to ${held} (another writer?); reopening`);
      }
      for (const s of statements) await conn.query(s.sql, s.params);
      await conn.query(this.d.progressUpdateSql(this.progressRef), [batch.lastEpoch, this.progressKey]);
      crashPoint('sql-sink-before-commit');
      await conn.query('COMMIT');
      crashPoint('sql-sink-after-commit');
      this.epoch = batch.lastEpoch;
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw this.wrap(e);
    }
  }

  /** The batch's statements: deletes then upserts (each key once), or inserts. */
  private statements(batch: SinkBatch): { sql: string; params: unknown[] }[] {
    const cols = this.spec.columns;
    const quoted = cols.map((c) => this.d.ident(c.name));
    const out: { sql: string; params: unknown[] }[] = [];
    const insert = (rows: Row[], suffix: string) => {
      const per = Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(this.d.maxParams / cols.length)));
      let params: unknown[] = [];
      let tuples: string[] = [];
      let bytes = 0;
      const flush = () => {
        out.push({ sql: `INSERT INTO ${this.spec.ref} (${quoted.join(', ')}) VALUES ${tuples.join(', ')}${suffix}`, params });
        params = [];
        tuples = [];
        bytes = 0;
      };
      for (const r of rows) {
        tuples.push(`(${cols.map((c, j) => {
          const v = this.value(c, r[j], false);
          if (typeof v === 'string') bytes += v.length;
          return this.d.param(params.push(v) - 1);
        }).join(', ')})`);
        // Big text or JSON values: fewer rows per statement (MySQL's max_allowed_packet).
        if (tuples.length >= per || bytes >= MAX_STATEMENT_CHARS) flush();
      }
      if (tuples.length > 0) flush();
    };
    if (this.mode === 'append') {
      insert(appendedRows(batch), '');
      return out;
    }
    const key = this.ctx.keyColumns!;
    const { upserts, deletes } = netByKey(batch, key);
    if (deletes.length > 0) {
      const keyCols = key.map((i) => cols[i]);
      const keyQuoted = key.map((i) => quoted[i]);
      const per = Math.max(1, Math.min(ROWS_PER_STATEMENT, Math.floor(this.d.maxParams / key.length)));
      for (let i = 0; i < deletes.length; i += per) {
        const chunk = deletes.slice(i, i + per);
        const params: unknown[] = [];
        const p = (c: ColumnSchema, v: Row[number]) => this.d.param(params.push(this.value(c, v, true)) - 1);
        let where: string;
        if (key.length === 1) where = `${keyQuoted[0]} IN (${chunk.map((k) => p(keyCols[0], k[0])).join(', ')})`;
        else if (this.d.rowValueIn) where = `(${keyQuoted.join(', ')}) IN (${chunk.map((k) => `(${keyCols.map((c, j) => p(c, k[j])).join(', ')})`).join(', ')})`;
        else where = chunk.map((k) => `(${keyCols.map((c, j) => `${keyQuoted[j]} = ${p(c, k[j])}`).join(' AND ')})`).join(' OR ');
        out.push({ sql: `DELETE FROM ${this.spec.ref} WHERE ${where}`, params });
      }
    }
    if (upserts.length > 0) {
      for (const r of upserts) this.checkKey(r, key);
      insert(upserts, ` ${this.d.upsertClause(quoted, key.map((i) => quoted[i]))}`);
    }
    return out;
  }

  private checkKey(r: Row, key: readonly number[]): void {
    for (const i of key) {
      if (r[i] === null) {
        throw new SqlError(SqlState.NotNullViolation, `sink "${this.ctx.sink.name}": key column "${this.spec.columns[i].name}" is NULL in a row, and the key of table "${tableText(this.spec.table)}" cannot hold NULL`, {
          hint: 'Filter out rows with a NULL key in the view (WHERE col IS NOT NULL), or coalesce the key column.',
        });
      }
    }
  }

  private value(c: ColumnSchema, v: Row[number], isKey: boolean): unknown {
    if (v === null) {
      if (isKey) throw new SqlError(SqlState.NotNullViolation, `sink "${this.ctx.sink.name}": key column "${c.name}" is NULL`);
      return null;
    }
    return this.d.toDriver(c, v);
  }

  private wrap(e: unknown): SqlError {
    return wrapError(this.d, this.endpoint, e, SqlState.ConnectionException);
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    await c?.end().catch(() => undefined);
  }
}
