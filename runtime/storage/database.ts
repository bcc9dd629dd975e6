/**
 * The one SQLite database under the data dir (better-sqlite3, WAL). Holds the catalog, stream
 * logs, table rows, live tables, operator state, eddy_errors and the epoch counter; every epoch
 * commits all of them in one transaction.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';

export const FORMAT_VERSION = 1;
export type SqliteDb = Database.Database;

export interface OpenOptions {
  dataDir: string;
  /** 'full' fsyncs every commit (power-loss safe); 'normal' survives process crashes (kill -9). */
  synchronous: 'normal' | 'full';
}

export class DataDirError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'DataDirError';
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS catalog (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, def TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stream_rows (stream_id INTEGER NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (stream_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS table_rows (table_id INTEGER NOT NULL, row_key TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (table_id, row_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mv_rows (mv_id INTEGER NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (mv_id, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS op_state (mv_id INTEGER NOT NULL, node INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (mv_id, node, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_state (stream_id INTEGER PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS late_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, epoch INTEGER NOT NULL, event_time REAL NOT NULL, watermark REAL NOT NULL, row TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS errors (id INTEGER PRIMARY KEY AUTOINCREMENT, object TEXT NOT NULL, epoch INTEGER NOT NULL, sqlstate TEXT NOT NULL, message TEXT NOT NULL, row TEXT, at INTEGER NOT NULL);
`;

/** Opens (or creates) the data dir's database; refuses foreign or newer formats with a clear message. */
export function openDatabase(opts: OpenOptions): SqliteDb {
  try {
    fs.mkdirSync(opts.dataDir, { recursive: true });
  } catch (e) {
    throw new DataDirError(`cannot create data directory "${opts.dataDir}": ${(e as Error).message}`, 2);
  }
  const file = path.join(opts.dataDir, 'eddy.db');
  let db: SqliteDb;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('cache_size = -65536');
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new DataDirError(`data directory "${opts.dataDir}" is not an Eddy data directory: "${file}" is not a database`, 3);
    }
    throw new DataDirError(`cannot open data directory "${opts.dataDir}": ${(e as Error).message}`, 2);
  }
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length > 0 && !tables.includes('meta')) {
      throw new DataDirError(`"${file}" is not an Eddy data directory (unknown SQLite schema)`, 3);
    }
    db.exec(SCHEMA);
    const v = db.prepare("SELECT value FROM meta WHERE key = 'format_version'").pluck().get() as string | undefined;
    if (v === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('format_version', ?), ('epoch', '0')").run(String(FORMAT_VERSION));
    } else if (Number(v) !== FORMAT_VERSION) {
      throw new DataDirError(`data directory "${opts.dataDir}" has format version ${v}; this Eddy reads version ${FORMAT_VERSION}`, 3);
    }
  } catch (e) {
    db.close();
    if (e instanceof DataDirError) throw e;
    throw new DataDirError(`cannot read data directory "${opts.dataDir}": ${(e as Error).message}`, 3);
  }
  return db;
}

/** Maps SQLite failures inside a commit to SQLSTATEs (disk full -> 53100). */
export function storageError(e: unknown): SqlError {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL') return new SqlError(SqlState.DiskFull, 'could not write to the data directory: disk full');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new SqlError(SqlState.ObjectInUse, 'the data directory is busy; try again');
  return new SqlError(SqlState.IoError, `storage error: ${(e as Error).message}`);
}
