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
  /** Caps the database file at this many pages (SQLite max_page_count): a disk that fills up. */
  maxPages?: number;
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
CREATE TABLE IF NOT EXISTS stream_segments (stream_id INTEGER NOT NULL, first_seq INTEGER NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (stream_id, first_seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mv_backfill (mv_id INTEGER PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stream_state (stream_id INTEGER PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS late_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT NOT NULL, epoch INTEGER NOT NULL, event_time REAL NOT NULL, watermark REAL NOT NULL, row TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS source_positions (stream_id INTEGER PRIMARY KEY, position TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sink_outbox (sink_id INTEGER NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL, weight INTEGER NOT NULL, PRIMARY KEY (sink_id, epoch, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sink_progress (sink_id INTEGER PRIMARY KEY, written_epoch INTEGER NOT NULL, at INTEGER NOT NULL);
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
  const release = lockDataDir(opts.dataDir);
  let db: SqliteDb;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('cache_size = -65536');
    if (opts.maxPages !== undefined) db.pragma(`max_page_count = ${Math.floor(opts.maxPages)}`);
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
      release();
      throw new DataDirError(`data directory "${opts.dataDir}" is not an Eddy data directory: "${file}" is not a database`, 3);
    }
    release();
    throw new DataDirError(`cannot open data directory "${opts.dataDir}": ${(e as Error).message}`, 2);
  }
  const close = db.close.bind(db);
  db.close = () => {
    const r = close();
    release();
    return r;
  };
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

const LOCK_FILE = 'eddy.lock';

/**
 * One server per data dir: `eddy.lock` holds the owner's pid, created exclusively. A lock whose
 * process is gone (kill -9, power loss) is stale and taken over; one whose process is alive
 * refuses the start (exit code 4). Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw new DataDirError(`cannot lock data directory "${dataDir}": ${(e as Error).message}`, 2);
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(file, 'utf8').trim());
    } catch {
      /* vanished meanwhile: retry */
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
      throw new DataDirError(`data directory "${dataDir}" is in use by another Eddy server (pid ${owner}); stop it or use another --data-dir`, 4);
    }
    // Stale: its process is gone. Move it aside (atomic: of two servers taking over at once only
    // one moves it); if what was moved is not the stale lock, another server has just taken over:
    // put its lock back and give way.
    const aside = `${file}.stale.${process.pid}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue;
    }
    let moved = '';
    try {
      moved = fs.readFileSync(aside, 'utf8').trim();
    } catch {
      /* unreadable: treat as stale */
    }
    if (moved !== '' && moved !== String(owner)) {
      try {
        fs.linkSync(aside, file);
      } catch {
        /* a third server holds it now */
      }
      fs.rmSync(aside, { force: true });
      throw new DataDirError(`data directory "${dataDir}" is in use by another Eddy server (pid ${moved}); stop it or use another --data-dir`, 4);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new DataDirError(`cannot lock data directory "${dataDir}": another process keeps taking the lock`, 4);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
  // A killed server not yet reaped by its parent is a zombie: signal 0 reaches it, but it holds nothing.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Maps SQLite failures inside a commit to SQLSTATEs (disk full -> 53100). */
export function storageError(e: unknown): SqlError {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL') return new SqlError(SqlState.DiskFull, 'could not write to the data directory: disk full');
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return new SqlError(SqlState.ObjectInUse, 'the data directory is busy; try again');
  return new SqlError(SqlState.IoError, `storage error: ${(e as Error).message}`);
}
