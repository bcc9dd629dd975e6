/**
 * UsersStore: the roles (users) of the server, durable in the engine's SQLite database. Every
 * change is its own SQLite transaction, outside the epoch commit: roles are not part of the
 * dataflow, and a CREATE USER must be durable when it returns (it survives kill -9 like a commit).
 * Reads are served from memory.
 *
 * Secrets are opaque strings here (a SCRAM-SHA-256 verifier or an md5 secret, computed by the
 * server); the store never sees a clear-text password.
 */
import { randomBytes } from 'node:crypto';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import type { SqliteDb } from '../storage/database.js';

export interface Role {
  name: string;
  superuser: boolean;
  /** LOGIN: may open a session. */
  canLogin: boolean;
  /** Write privileges ('insert', 'update', 'delete', 'truncate') on every relation (ON ALL TABLES). */
  writeAll: string[];
  /** Write privileges per relation, keyed by catalog id (a dropped and re-created relation starts without grants). */
  writeOn: Record<string, string[]>;
  /** May CREATE and DROP streams, tables, views and sinks (CREATE ON DATABASE / SCHEMA). */
  canCreate: boolean;
  /** SCRAM verifier or md5 secret; null = no password (cannot log in with password auth). */
  secret: string | null;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS roles (name TEXT PRIMARY KEY, def TEXT NOT NULL)`;
const MOCK_SEED_KEY = 'auth_mock_seed';

export function duplicateRole(name: string): SqlError {
  return new SqlError(SqlState.DuplicateObject, `role "${name}" already exists`);
}

export function undefinedRole(name: string): SqlError {
  return new SqlError(SqlState.UndefinedObject, `role "${name}" does not exist`);
}

export class UsersStore {
  private readonly roles = new Map<string, Role>();
  private readonly put: { run(name: string, def: string): unknown };
  private readonly del: { run(name: string): unknown };
  /** Seeds the fake SCRAM salt of unknown users, stable across restarts (PostgreSQL's mock nonce). */
  readonly mockSeed: Buffer;

  constructor(private readonly db: SqliteDb) {
    db.exec(SCHEMA);
    this.put = db.prepare('INSERT OR REPLACE INTO roles (name, def) VALUES (?, ?)');
    this.del = db.prepare('DELETE FROM roles WHERE name = ?');
    for (const def of db.prepare('SELECT def FROM roles').pluck().all() as string[]) {
      const r = JSON.parse(def) as Role;
      this.roles.set(r.name, r);
    }
    let seed = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(MOCK_SEED_KEY) as string | undefined;
    if (seed === undefined) {
      seed = randomBytes(32).toString('hex');
      db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(MOCK_SEED_KEY, seed);
    }
    this.mockSeed = Buffer.from(seed, 'hex');
  }

  get(name: string): Role | undefined {
    return this.roles.get(name);
  }

  all(): Role[] {
    return [...this.roles.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get size(): number {
    return this.roles.size;
  }

  create(role: Role): void {
    if (this.roles.has(role.name)) throw duplicateRole(role.name);
    this.put.run(role.name, JSON.stringify(role));
    this.roles.set(role.name, { ...role });
  }

  /** Applies `change` to the named role and persists it. */
  update(name: string, change: Partial<Omit<Role, 'name'>>): Role {
    const r = this.roles.get(name);
    if (r === undefined) throw undefinedRole(name);
    const next: Role = { ...r, ...change, name };
    this.put.run(name, JSON.stringify(next));
    this.roles.set(name, next);
    return next;
  }

  rename(from: string, to: string, change: Partial<Omit<Role, 'name'>> = {}): void {
    const r = this.roles.get(from);
    if (r === undefined) throw undefinedRole(from);
    if (this.roles.has(to)) throw duplicateRole(to);
    const next: Role = { ...r, ...change, name: to };
    this.db.transaction(() => {
      this.del.run(from);
      this.put.run(to, JSON.stringify(next));
    })();
    this.roles.delete(from);
    this.roles.set(to, next);
  }

  /** Drops the roles (all or none); a missing one throws 42704 unless `ifExists`. Returns those dropped. */
  drop(names: readonly string[], ifExists: boolean): string[] {
    const dropped: string[] = [];
    for (const n of names) {
      if (this.roles.has(n)) dropped.push(n);
      else if (!ifExists) throw undefinedRole(n);
    }
    this.db.transaction(() => {
      for (const n of dropped) this.del.run(n);
    })();
    for (const n of dropped) this.roles.delete(n);
    return dropped;
  }
}
