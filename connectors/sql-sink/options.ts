/**
 * The WITH (...) options of the MySQL and PostgreSQL sinks, checked at CREATE time (22023 naming
 * the option, with the valid ones in a hint).
 *
 *   url = 'mysql://user:pw@host:3306/db' | 'postgresql://user:pw@host:5432/db'   required
 *   table = 'name' | 'schema.name'        required; used as written (case-sensitive, quoted)
 *   primary_key = 'a,b'                   the upsert key (default: the object's key)
 *   mode = upsert | append                default upsert with a key, append without
 *   validate = true | false               connect and check the target table at CREATE
 *   snapshot = true | false               write the object's current content first (default true)
 *   progress_key                          set by Eddy: this sink's row in eddy_sink_progress
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export const SQL_SINK_OPTIONS: readonly string[] = ['connector', 'url', 'table', 'primary_key', 'mode', 'validate', 'snapshot', 'progress_key'];

export function bad(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

export function checkKnown(connector: string, options: Readonly<Record<string, string>>): void {
  for (const k of Object.keys(options)) {
    if (!SQL_SINK_OPTIONS.includes(k)) throw bad(`unrecognized option "${k}" for the ${connector} sink`, `Valid options: ${SQL_SINK_OPTIONS.filter((o) => o !== 'connector' && o !== 'progress_key').join(', ')}.`);
  }
}

export function required(connector: string, options: Readonly<Record<string, string>>, key: string, example: string): string {
  const v = options[key];
  if (v === undefined || v.trim() === '') throw bad(`the ${connector} sink needs option "${key}"`, `e.g. ${key} = '${example}'`);
  return v.trim();
}

export { parseBool } from '../option-values.js';

/** A target table: `name` or `schema.name` (MySQL: `database.name`). */
export interface TableName {
  schema?: string;
  name: string;
}

export function parseTable(text: string): TableName {
  const parts = text.split('.');
  if (parts.length > 2 || parts.some((p) => p === '' || /[\u0000`"]/.test(p))) {
    throw bad(`option "table" must be a table name or schema.table, not "${text}"`);
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
}

export function tableText(t: TableName): string {
  return t.schema !== undefined ? `${t.schema}.${t.name}` : t.name;
}

/** The parts of a connection URL needed for messages, never the password. */
export interface Endpoint {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** 'host:port/database' for error messages and the sink status. */
  where: string;
}

export function parseUrl(connector: string, text: string, schemes: readonly string[], defaultPort: number, example: string): Endpoint {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw bad(`option "url" is not a URL`, `e.g. url = '${example}'`);
  }
  const scheme = u.protocol.replace(/:$/, '').toLowerCase();
  if (!schemes.includes(scheme)) throw bad(`option "url" of the ${connector} sink must start with ${schemes.map((s) => `${s}://`).join(' or ')}, not ${scheme}://`, `e.g. url = '${example}'`);
  if (u.hostname === '') throw bad('option "url" names no host', `e.g. url = '${example}'`);
  const port = u.port === '' ? defaultPort : Number(u.port);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database.includes('/')) throw bad(`option "url": "${database}" is not a database name`, `e.g. url = '${example}'`);
  const host = u.hostname;
  return {
    host,
    port,
    database,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    where: `${host}:${port}${database !== '' ? `/${database}` : ''}`,
  };
}

/** Removes a password from a driver's message, should it ever contain one. */
export function scrub(message: string, e: Endpoint): string {
  return e.password.length >= 3 ? message.split(e.password).join('***') : message;
}
