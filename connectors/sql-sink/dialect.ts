/**
 * What the shared SQL sink (sink.ts) needs of a database: a connection, identifier quoting, the
 * column type mapping, how to read an existing table's columns and keys, the upsert syntax and
 * the driver's value representation. connectors/mysql and connectors/postgres implement it.
 */
import type { ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { Value } from '../../runtime/sql/values.js';
import type { Endpoint } from './options.js';

/** One connection to the target database (the sink uses exactly one, so a batch is one transaction). */
export interface SqlConn {
  /** Runs one statement with bind parameters; returns the rows (column name -> driver value). */
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Set when the connection failed while idle (the server went away). */
  readonly failure: Error | undefined;
  end(): Promise<void>;
}

/** A column of an existing target table. */
export interface TargetColumn {
  name: string;
  /** The dialect's type name used for compatibility checks (MySQL DATA_TYPE, PostgreSQL typname). */
  typeName: string;
  /** The full type as the database shows it, for messages ('varchar(10)', 'character varying(10)'). */
  display: string;
}

export interface TargetTable {
  columns: TargetColumn[];
  /** Column sets of the primary key and the unique indexes. */
  uniqueKeys: string[][];
  /** Why the sink cannot write this table exactly once (a view, a non-transactional engine), if so. */
  problem?: string;
}

export interface SqlDialect {
  /** The connector name in WITH (connector = ...). */
  readonly connector: string;
  /** 'MySQL', 'PostgreSQL': for messages. */
  readonly product: string;
  readonly schemes: readonly string[];
  readonly defaultPort: number;
  readonly exampleUrl: string;
  /** MySQL matches column names case-insensitively. */
  readonly caseInsensitiveNames: boolean;
  /** Bind parameters per statement (statements are cut to fit). */
  readonly maxParams: number;
  readonly beginSql: string;
  /** Multi-column key deletes as `(a, b) IN ((?, ?), ...)`; else `(a = ? AND b = ?) OR ...`. */
  readonly rowValueIn: boolean;

  /** Checks at CREATE time that the url and columns can be served (22023). */
  checkDefinition(endpoint: Endpoint, schema: string | undefined, columns: readonly ColumnSchema[]): void;
  connect(url: string, endpoint: Endpoint, sinkName: string): Promise<SqlConn>;
  ident(name: string): string;
  /** The placeholder of the i-th (0-based) parameter of a statement. */
  param(i: number): string;
  /** The target column type for a new table. */
  columnType(col: ColumnSchema, isKey: boolean): string;
  /** CREATE TABLE for a missing target (IF NOT EXISTS); `key` quoted names, null in append mode. */
  createTable(conn: SqlConn, table: string, columnDefs: string[], key: string[] | null): Promise<void>;
  /** The progress table eddy_sink_progress (sink_name, epoch, updated_at), created when missing. */
  ensureProgressTable(conn: SqlConn, table: string): Promise<void>;
  /** The existing table's columns and unique keys; undefined when it does not exist. */
  describe(conn: SqlConn, schema: string | undefined, name: string): Promise<TargetTable | undefined>;
  /** May the sink write values of `col` into the existing column `target`? */
  compatible(col: ColumnSchema, target: TargetColumn): boolean;
  /** The bind value for a non-null value of `col` (throws a SqlError when the target cannot hold it). */
  toDriver(col: ColumnSchema, v: Exclude<Value, null>): unknown;
  /** The clause after INSERT ... VALUES that turns it into an upsert on `key`. */
  upsertClause(columns: string[], key: string[]): string;
  /** Inserts the progress row with epoch 0 if it is missing (parameter: the progress key). */
  progressInitSql(table: string): string;
  /** Sets the progress row's epoch (parameters: epoch, progress key). */
  progressUpdateSql(table: string): string;
}
