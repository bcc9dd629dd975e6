/**
 * The PostgreSQL sink (pg): `CREATE SINK s FROM v WITH (connector = 'postgres',
 * url = 'postgresql://user:pw@host:5432/db', table = 't')`. Exactly once through one transaction
 * per batch that also advances the sink's row in eddy_sink_progress (see ../sql-sink/sink.ts).
 *
 * A table the sink creates has Eddy's own column types (Eddy's types are PostgreSQL's): int8 ->
 * bigint, numeric(p,s) -> numeric(p,s), text -> text, timestamptz -> timestamp with time zone,
 * interval -> interval, jsonb -> jsonb, ... Values are sent as PostgreSQL text (Eddy's output
 * functions are PostgreSQL's), which the server reads back exactly: timestamptz with its +00
 * offset, numeric digits as they are, float8 in shortest round-trip form.
 */
import pg from 'pg';
import type { ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkConnector } from '../../runtime/connector/sink.js';
import { TypeId } from '../../runtime/sql/types.js';
import type { Value } from '../../runtime/sql/values.js';
import { formatText } from '../../runtime/sql/text-io.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import type { SqlConn, SqlDialect, TargetColumn, TargetTable } from '../sql-sink/dialect.js';
import type { Endpoint } from '../sql-sink/options.js';
import { sqlSinkConnector } from '../sql-sink/sink.js';

const TEXT_TYPES = ['text', 'varchar', 'bpchar'];
const COMPATIBLE: Record<string, readonly string[]> = {
  [TypeId.Bool]: ['bool'],
  [TypeId.Int2]: ['int2', 'int4', 'int8', 'numeric'],
  [TypeId.Int4]: ['int4', 'int8', 'numeric'],
  [TypeId.Int8]: ['int8', 'numeric'],
  [TypeId.Float4]: ['float4', 'float8'],
  [TypeId.Float8]: ['float8'],
  [TypeId.Numeric]: ['numeric'],
  [TypeId.Text]: TEXT_TYPES,
  [TypeId.Varchar]: TEXT_TYPES,
  [TypeId.Bpchar]: TEXT_TYPES,
  [TypeId.Unknown]: TEXT_TYPES,
  [TypeId.Date]: ['date'],
  [TypeId.Time]: ['time'],
  [TypeId.Timestamp]: ['timestamp'],
  [TypeId.Timestamptz]: ['timestamptz'],
  [TypeId.Interval]: ['interval'],
  [TypeId.Jsonb]: ['jsonb', 'json'],
};
/** A statement (or a lock wait) taking longer fails the batch; the runner reconnects and retries. */
const QUERY_TIMEOUT_MS = 60_000;
const RELKINDS: Record<string, string> = { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index', c: 'a composite type' };

class PgConn implements SqlConn {
  failure: Error | undefined;

  constructor(private readonly c: pg.Client) {
    c.on('error', (e: Error) => {
      this.failure = e;
    });
  }

  async query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const r = await this.c.query({ text: sql, values: params as unknown[] | undefined });
    return r.rows as Record<string, unknown>[];
  }

  async end(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.c.end(), new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs DDL that may race with another sink creating the same table (IF NOT EXISTS is not atomic). */
async function createIfMissing(conn: SqlConn, sql: string): Promise<void> {
  try {
    await conn.query(sql);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw e;
  }
}

export const postgresDialect: SqlDialect = {
  connector: 'postgres',
  product: 'PostgreSQL',
  schemes: ['postgres', 'postgresql'],
  defaultPort: 5432,
  exampleUrl: 'postgresql://user:password@localhost:5432/mydb',
  caseInsensitiveNames: false,
  maxParams: 60_000,
  beginSql: 'BEGIN',
  rowValueIn: true,

  checkDefinition(): void {},

  async connect(url: string, _endpoint: Endpoint, sinkName: string): Promise<SqlConn> {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, keepAlive: true, statement_timeout: QUERY_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS + 10_000, application_name: `eddy-sink-${sinkName}`.slice(0, 63) });
    const conn = new PgConn(c);
    try {
      await c.connect();
      // Interval text is read as PostgreSQL style whatever the server's default.
      await conn.query(`SET intervalstyle = 'postgres'`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    return conn;
  },

  ident(name: string): string {
    return '"' + name.replaceAll('"', '""') + '"';
  },

  param(i: number): string {
    return `$${i + 1}`;
  },

  columnType(col: ColumnSchema): string {
    return col.type.id === TypeId.Unknown ? 'text' : typeDisplayName(col.type);
  },

  async createTable(conn: SqlConn, table: string, columnDefs: string[], key: string[] | null): Promise<void> {
    const pk = key !== null ? `, PRIMARY KEY (${key.join(', ')})` : '';
    await createIfMissing(conn, `CREATE TABLE IF NOT EXISTS ${table} (${columnDefs.join(', ')}${pk})`);
  },

  async ensureProgressTable(conn: SqlConn, table: string): Promise<void> {
    await createIfMissing(conn, `CREATE TABLE IF NOT EXISTS ${table} (sink_name VARCHAR(255) PRIMARY KEY, epoch BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  },

  async describe(conn: SqlConn, schema: string | undefined, name: string): Promise<TargetTable | undefined> {
    const ref = schema !== undefined ? `${this.ident(schema)}.${this.ident(name)}` : this.ident(name);
    const [t] = await conn.query(`SELECT c.oid::int8::text AS oid, c.relkind::text AS kind FROM pg_class c WHERE c.oid = to_regclass($1)`, [ref]);
    if (t === undefined) return undefined;
    const oid = String(t.oid);
    const cols = await conn.query(
      `SELECT a.attname::text AS name, (CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END)::text AS type_name, format_type(a.atttypid, a.atttypmod) AS display
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
        WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    );
    // Unique indexes usable as ON CONFLICT arbiters: not partial, no expressions, not deferrable.
    const keys = await conn.query(
      `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::oid AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
        GROUP BY i.indexrelid`,
      [oid],
    );
    const kind = String(t.kind);
    return {
      columns: cols.map((c): TargetColumn => ({ name: String(c.name), typeName: String(c.type_name), display: String(c.display) })),
      uniqueKeys: keys.map((k) => k.cols as string[]),
      problem: kind === 'r' || kind === 'p' ? undefined : `it is ${RELKINDS[kind] ?? `a relation of kind ${kind}`}, not a table`,
    };
  },

  compatible(col: ColumnSchema, target: TargetColumn): boolean {
    return (COMPATIBLE[col.type.id] ?? TEXT_TYPES).includes(target.typeName);
  },

  toDriver(col: ColumnSchema, v: Exclude<Value, null>): unknown {
    return formatText(col.type, v);
  },

  upsertClause(columns: string[], key: string[]): string {
    const rest = columns.filter((c) => !key.includes(c));
    return rest.length > 0 ? `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : `ON CONFLICT (${key.join(', ')}) DO NOTHING`;
  },

  progressInitSql(table: string): string {
    return `INSERT INTO ${table} (sink_name, epoch) VALUES ($1, 0) ON CONFLICT (sink_name) DO NOTHING`;
  },

  progressUpdateSql(table: string): string {
    return `UPDATE ${table} SET epoch = $1, updated_at = now() WHERE sink_name = $2`;
  },
};

export const postgresSink: SinkConnector = sqlSinkConnector(postgresDialect);
