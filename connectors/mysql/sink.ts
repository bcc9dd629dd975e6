/**
 * The MySQL / MariaDB sink (mysql2): `CREATE SINK s FROM v WITH (connector = 'mysql',
 * url = 'mysql://user:pw@host:3306/db', table = 't')`. Exactly once through one InnoDB
 * transaction per batch that also advances the sink's row in eddy_sink_progress (see
 * ../sql-sink/sink.ts).
 *
 * Type mapping of a table the sink creates (ENGINE=InnoDB, utf8mb4 with a binary no-pad
 * collation so that keys compare exactly as in Eddy: 'a' <> 'A' <> 'a '):
 *
 *   bool -> BOOLEAN          int2/int4/int8 -> SMALLINT/INT/BIGINT     float4/float8 -> FLOAT/DOUBLE
 *   numeric(p,s) -> DECIMAL(p,s), numeric -> DECIMAL(65,30)
 *   text -> LONGTEXT (VARCHAR(255) in the key: TEXT cannot be a primary key)
 *   varchar(n) -> VARCHAR(n)   bpchar(n) -> CHAR(n)
 *   date -> DATE   timestamp -> DATETIME(6)   timestamptz -> DATETIME(6) holding UTC
 *   interval -> VARCHAR(100) (PostgreSQL text: '1 day 02:00:00')   jsonb -> JSON (VARCHAR(255) in the key)
 *
 * Values are sent exactly: int8 and numeric as SQL number literals (never via double), timestamps
 * as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (the session's time_zone is +00:00), jsonb as JSON text.
 * The session runs with sql_mode STRICT_ALL_TABLES, so a value the column cannot hold is an error,
 * never silently truncated.
 */
import { formatTime } from '../../runtime/sql/time.js';
import mysql from 'mysql2/promise';
import type { ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkConnector } from '../../runtime/connector/sink.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { TypeId } from '../../runtime/sql/types.js';
import type { Jsonb, Value } from '../../runtime/sql/values.js';
import type { Decimal } from '../../runtime/sql/decimal.js';
import { numericTypmodPrecision, numericTypmodScale } from '../../runtime/sql/decimal.js';
import type { Interval } from '../../runtime/sql/interval.js';
import { formatDate, formatTimestamp } from '../../runtime/sql/datetime.js';
import { formatJsonb } from '../../runtime/sql/text-io.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import type { SqlConn, SqlDialect, TargetColumn, TargetTable } from '../sql-sink/dialect.js';
import { bad, type Endpoint } from '../sql-sink/options.js';
import { sqlSinkConnector } from '../sql-sink/sink.js';

const TEXT_TYPES = ['varchar', 'char', 'text', 'tinytext', 'mediumtext', 'longtext'];
const COMPATIBLE: Record<string, readonly string[]> = {
  [TypeId.Bool]: ['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'bit', 'boolean'],
  [TypeId.Int2]: ['smallint', 'mediumint', 'int', 'bigint', 'decimal'],
  [TypeId.Int4]: ['int', 'bigint', 'decimal'],
  [TypeId.Int8]: ['bigint', 'decimal'],
  [TypeId.Float4]: ['float', 'double'],
  [TypeId.Float8]: ['double'],
  [TypeId.Numeric]: ['decimal'],
  [TypeId.Text]: TEXT_TYPES,
  [TypeId.Varchar]: TEXT_TYPES,
  [TypeId.Bpchar]: TEXT_TYPES,
  [TypeId.Unknown]: TEXT_TYPES,
  [TypeId.Interval]: TEXT_TYPES,
  [TypeId.Date]: ['date', 'datetime', 'timestamp'],
  [TypeId.Time]: ['time'],
  [TypeId.Timestamp]: ['datetime', 'timestamp'],
  [TypeId.Timestamptz]: ['datetime', 'timestamp'],
  // MariaDB's JSON is LONGTEXT with a json_valid check.
  [TypeId.Jsonb]: ['json', ...TEXT_TYPES],
};
/** A statement (or a lock wait) taking longer fails the batch; the runner reconnects and retries. */
const QUERY_TIMEOUT_MS = 60_000;
const TRANSACTIONAL_ENGINES = new Set(['innodb', 'rocksdb', 'tokudb', 'ndbcluster', 'ndb']);
/** Binary collations without trailing-space padding first (MySQL 8, MariaDB 10.2+), then utf8mb4_bin. */
const BINARY_COLLATIONS = ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin', 'utf8mb4_bin'];

class MySqlConn implements SqlConn {
  failure: Error | undefined;
  /** The table collation for CREATE TABLE (looked up once per connection). */
  private collation: string | undefined;

  constructor(private readonly c: mysql.Connection) {
    c.on('error', (e: Error) => {
      this.failure = e;
    });
  }

  async query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.c.query({ sql, values: params === undefined ? undefined : (params as unknown[]), timeout: QUERY_TIMEOUT_MS });
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  }

  async binaryCollation(): Promise<string> {
    if (this.collation === undefined) {
      const rows = await this.query(`SELECT COLLATION_NAME AS c FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${BINARY_COLLATIONS.map(() => '?').join(', ')})`, BINARY_COLLATIONS);
      const have = new Set(rows.map((r) => String(r.c)));
      this.collation = BINARY_COLLATIONS.find((c) => have.has(c)) ?? 'utf8mb4_bin';
    }
    return this.collation;
  }

  async end(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.c.end(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2000)))]);
    } catch {
      this.c.destroy();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A value as an SQL literal mysql2 inserts verbatim (exact numbers that must not go through a double or a string). */
function literal(sql: string): { toSqlString(): string } {
  return { toSqlString: () => sql };
}

function cannot(col: ColumnSchema, what: string): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, `column "${col.name}": ${what} cannot be written to MySQL`);
}

export const mysqlDialect: SqlDialect = {
  connector: 'mysql',
  product: 'MySQL',
  schemes: ['mysql', 'mariadb'],
  defaultPort: 3306,
  exampleUrl: 'mysql://user:password@localhost:3306/mydb',
  caseInsensitiveNames: true,
  maxParams: 60_000,
  beginSql: 'START TRANSACTION',
  rowValueIn: false,

  checkDefinition(endpoint: Endpoint, schema: string | undefined, columns: readonly ColumnSchema[]): void {
    if (endpoint.database === '' && schema === undefined) {
      throw bad('the mysql sink needs a database: name it in the url or the table option', "e.g. url = 'mysql://user@localhost:3306/mydb', or table = 'mydb.target_table'");
    }
    for (const c of columns) {
      if (c.type.id === TypeId.Numeric && c.type.typmod >= 0) {
        const p = numericTypmodPrecision(c.type.typmod);
        const s = numericTypmodScale(c.type.typmod);
        if (p > 65 || s > 30 || s < 0) throw bad(`column "${c.name}" is ${typeDisplayName(c.type)}, which does not fit MySQL's DECIMAL (precision up to 65, scale 0 to 30)`, 'Cast the column to a smaller numeric in the view.');
      }
    }
  },

  async connect(url: string, _endpoint: Endpoint, _sinkName: string): Promise<SqlConn> {
    const c = await mysql.createConnection({
      uri: url,
      connectTimeout: 5000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
      enableKeepAlive: true,
    });
    const conn = new MySqlConn(c);
    try {
      // Strict: a value that does not fit is an error, not a silent truncation. Also fixes
      // NO_BACKSLASH_ESCAPES off, which mysql2's client-side escaping relies on.
      await conn.query(`SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'`);
    } catch (e) {
      await conn.end();
      throw e;
    }
    return conn;
  },

  ident(name: string): string {
    return '`' + name.replaceAll('`', '``') + '`';
  },

  param(): string {
    return '?';
  },

  columnType(col: ColumnSchema, isKey: boolean): string {
    const m = col.type.typmod;
    switch (col.type.id) {
      case TypeId.Bool: return 'BOOLEAN';
      case TypeId.Int2: return 'SMALLINT';
      case TypeId.Int4: return 'INT';
      case TypeId.Int8: return 'BIGINT';
      case TypeId.Float4: return 'FLOAT';
      case TypeId.Float8: return 'DOUBLE';
      case TypeId.Numeric: return m >= 0 ? `DECIMAL(${numericTypmodPrecision(m)},${numericTypmodScale(m)})` : 'DECIMAL(65,30)';
      case TypeId.Varchar: return m >= 0 && (isKey || m <= 4096) ? `VARCHAR(${m})` : isKey ? 'VARCHAR(255)' : 'LONGTEXT';
      case TypeId.Bpchar: return m >= 0 && m <= 255 ? `CHAR(${m})` : m >= 0 && (isKey || m <= 4096) ? `VARCHAR(${m})` : isKey ? 'VARCHAR(255)' : 'LONGTEXT';
      case TypeId.Text: case TypeId.Unknown: return isKey ? 'VARCHAR(255)' : 'LONGTEXT';
      case TypeId.Date: return 'DATE';
      case TypeId.Time: return 'TIME(6)';
      case TypeId.Timestamp: case TypeId.Timestamptz: return 'DATETIME(6)';
      case TypeId.Interval: return 'VARCHAR(100)';
      case TypeId.Jsonb: return isKey ? 'VARCHAR(255)' : 'JSON';
      case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
        return 'BIGINT';
      case TypeId.Array: case TypeId.Record: return isKey ? 'VARCHAR(255)' : 'LONGTEXT';
    }
  },

  async createTable(conn: SqlConn, table: string, columnDefs: string[], key: string[] | null): Promise<void> {
    const collation = await (conn as MySqlConn).binaryCollation();
    const pk = key !== null ? `, PRIMARY KEY (${key.join(', ')})` : '';
    await conn.query(`CREATE TABLE IF NOT EXISTS ${table} (${columnDefs.join(', ')}${pk}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`);
  },

  async ensureProgressTable(conn: SqlConn, table: string): Promise<void> {
    const collation = await (conn as MySqlConn).binaryCollation();
    await conn.query(`CREATE TABLE IF NOT EXISTS ${table} (sink_name VARCHAR(255) NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`);
  },

  async describe(conn: SqlConn, schema: string | undefined, name: string): Promise<TargetTable | undefined> {
    const where = 'TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?';
    const args = [schema ?? null, name];
    const [t] = await conn.query(`SELECT TABLE_TYPE AS tt, ENGINE AS engine FROM information_schema.TABLES WHERE ${where}`, args);
    if (t === undefined) return undefined;
    const cols = await conn.query(`SELECT COLUMN_NAME AS name, DATA_TYPE AS dt, COLUMN_TYPE AS ct FROM information_schema.COLUMNS WHERE ${where} ORDER BY ORDINAL_POSITION`, args);
    const idx = await conn.query(`SELECT INDEX_NAME AS idx, COLUMN_NAME AS col FROM information_schema.STATISTICS WHERE ${where} AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`, args);
    const keys = new Map<string, string[]>();
    for (const r of idx) {
      const k = String(r.idx);
      if (!keys.has(k)) keys.set(k, []);
      keys.get(k)!.push(String(r.col));
    }
    const engine = String(t.engine ?? '').toLowerCase();
    const problem = String(t.tt) !== 'BASE TABLE' ? `it is a ${String(t.tt).toLowerCase()}, not a table`
      : !TRANSACTIONAL_ENGINES.has(engine) ? `its engine ${String(t.engine)} has no transactions, so a batch and its progress cannot commit together (use ENGINE=InnoDB)`
      : undefined;
    return {
      columns: cols.map((c): TargetColumn => ({ name: String(c.name), typeName: String(c.dt).toLowerCase(), display: String(c.ct) })),
      uniqueKeys: [...keys.values()],
      problem,
    };
  },

  compatible(col: ColumnSchema, target: TargetColumn): boolean {
    return (COMPATIBLE[col.type.id] ?? TEXT_TYPES).includes(target.typeName);
  },

  toDriver(col: ColumnSchema, v: Exclude<Value, null>): unknown {
    switch (col.type.id) {
      case TypeId.Bool: return v as boolean;
      case TypeId.Int2: case TypeId.Int4: return v as number;
      case TypeId.Int8: return literal((v as bigint).toString());
      case TypeId.Float4: case TypeId.Float8: {
        const n = v as number;
        if (!Number.isFinite(n)) throw cannot(col, `the value ${n}`);
        return n;
      }
      case TypeId.Numeric: {
        const s = (v as Decimal).toString();
        if (!/^-?\d+(\.\d+)?$/.test(s)) throw cannot(col, `the value ${s}`);
        return literal(s);
      }
      case TypeId.Text: case TypeId.Varchar: case TypeId.Bpchar: case TypeId.Unknown: return v as string;
      case TypeId.Time: return formatTime(v as number);
      case TypeId.Date: {
        if (!Number.isFinite(v as number)) throw cannot(col, 'an infinite date');
        return formatDate(v as number);
      }
      case TypeId.Timestamp: case TypeId.Timestamptz: {
        if (!Number.isFinite(v as number)) throw cannot(col, 'an infinite timestamp');
        return formatTimestamp(v as number);
      }
      case TypeId.Interval: return (v as Interval).toString();
      case TypeId.Jsonb: return formatJsonb(v as Jsonb);
    }
  },

  upsertClause(columns: string[], key: string[]): string {
    const rest = columns.filter((c) => !key.includes(c));
    return rest.length > 0 ? `ON DUPLICATE KEY UPDATE ${rest.map((c) => `${c} = VALUES(${c})`).join(', ')}` : `ON DUPLICATE KEY UPDATE ${key[0]} = ${key[0]}`;
  },

  progressInitSql(table: string): string {
    return `INSERT IGNORE INTO ${table} (sink_name, epoch) VALUES (?, 0)`;
  },

  progressUpdateSql(table: string): string {
    return `UPDATE ${table} SET epoch = ?, updated_at = CURRENT_TIMESTAMP(6) WHERE sink_name = ?`;
  },
};

export const mysqlSink: SinkConnector = sqlSinkConnector(mysqlDialect);
