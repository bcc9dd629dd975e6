/**
 * Roles and privileges for one session: runs CREATE/ALTER/DROP ROLE|USER and GRANT/REVOKE, and
 * checks every statement against the session user's privileges before it is planned.
 *
 * The privilege model:
 *   superuser     everything, including user management and GRANT/REVOKE
 *   every role    reads: SELECT, SUBSCRIBE, SHOW, EXPLAIN, COPY TO, FLUSH, SET
 *   writes        INSERT / UPDATE / DELETE (COPY FROM needs INSERT) on a relation, granted
 *                 ON TABLE t (per relation) or ON ALL TABLES IN SCHEMA public (every relation)
 *   create        CREATE and DROP of streams, tables, views, sinks: GRANT CREATE ON DATABASE|SCHEMA;
 *                 GRANT ALL ON ALL TABLES IN SCHEMA also gives it (Eddy has no object owners)
 * A user name that is no role (possible only where the connection is trusted) acts as a superuser,
 * so a fresh server, which has no roles yet, can be set up.
 */
import type { GrantTarget, RoleOptions, RoleStatement, Statement } from '../../parser/ast.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { undefinedRole, type Role, type UsersStore } from '../../runtime/catalog/users-store.js';
import type { Catalog } from '../../runtime/catalog/catalog.js';
import { encryptPassword, isMd5Secret } from '../pgwire/auth.js';
import type { Notice, StatementResult } from './session-api.js';

/** The privileges on relations that Eddy checks; SELECT and the others are always allowed or meaningless. */
const TABLE_WRITES = ['insert', 'update', 'delete', 'truncate'];

const RESERVED_NAME = '42939' as SqlState;
const CANT_CHANGE_RUNTIME_PARAM = '55P02' as SqlState;

function denied(message: string, detail?: string): SqlError {
  return new SqlError(SqlState.InsufficientPrivilege, message, { detail });
}

export class SessionRoles {
  /** Whether the session user was a role when the session began (else a trusted name: superuser). */
  private readonly startedAsRole: boolean;

  constructor(
    private readonly users: UsersStore | undefined,
    private readonly catalog: Catalog,
    readonly sessionUser: string,
  ) {
    this.startedAsRole = users?.get(sessionUser) !== undefined;
  }

  private role(): Role | undefined {
    return this.users?.get(this.sessionUser);
  }

  /** Looked up at every check, so ALTER/DROP of the role applies to its sessions at once. */
  isSuperuser(): boolean {
    const r = this.role();
    if (r !== undefined) return r.superuser;
    return !this.startedAsRole;
  }

  /** May the session user `privilege` ('insert', 'update', 'delete') the relation named `table`? */
  private mayWrite(table: string, privilege: string): boolean {
    const r = this.role();
    if (r === undefined) return !this.startedAsRole;
    if (r.superuser || r.writeAll.includes(privilege)) return true;
    const obj = this.catalog.get(table);
    // An unknown relation: let the planner report 42P01, as PostgreSQL does before privileges.
    if (obj === undefined) return true;
    return r.writeOn[String(obj.id)]?.includes(privilege) ?? false;
  }

  /**
   * has_table_privilege: may `roleName` exercise `privilege` on relation `objectId`? Reading is
   * open to every role; writes follow GRANT/REVOKE. An unknown name is a trusted superuser name.
   */
  roleMay(roleName: string, objectId: number, privilege: string): boolean {
    if (!['insert', 'update', 'delete', 'truncate'].includes(privilege)) return true;
    const r = this.users?.get(roleName);
    if (r === undefined) return true;
    return r.superuser || r.writeAll.includes(privilege) || (r.writeOn[String(objectId)]?.includes(privilege) ?? false);
  }

  private mayCreate(): boolean {
    const r = this.role();
    if (r !== undefined) return r.superuser || r.canCreate;
    return !this.startedAsRole;
  }

  /** Throws 42501 when the session user may not run the statement. */
  authorize(stmt: Statement): void {
    switch (stmt.kind) {
      case 'Set':
        if (stmt.name === 'is_superuser') throw new SqlError(CANT_CHANGE_RUNTIME_PARAM, 'parameter "is_superuser" cannot be changed');
        if (stmt.name === 'session_authorization' && !this.isSuperuser()) {
          const to = stmt.values === 'default' ? this.sessionUser : stmt.values.join(', ');
          if (to !== this.sessionUser) throw denied(`permission denied to set session authorization "${to}"`);
        }
        // SET ROLE changes nothing in Eddy (no role membership); to another role it is refused like a non-member's.
        if (stmt.name === 'role' && stmt.values !== 'default' && !this.isSuperuser()) {
          const to = stmt.values.join(', ');
          if (to !== 'none' && to !== this.sessionUser) throw denied(`permission denied to set role "${to}"`);
        }
        return;
      case 'Query':
      case 'Show':
      case 'Explain':
      case 'Flush':
      case 'Reset':
      case 'Begin':
      case 'Commit':
      case 'Rollback':
      case 'Discard':
      case 'Deallocate':
      case 'NoOp':
      case 'Subscribe':
        return;
      case 'Copy': {
        if (stmt.direction === 'to') return;
        const table = stmt.source.kind === 'relation' ? stmt.source.name : '';
        if (this.mayWrite(table, 'insert')) return;
        throw denied(`permission denied for table ${table}`);
      }
      case 'Insert':
        // ON CONFLICT DO UPDATE also updates, so it needs both (as in PostgreSQL).
        if (this.mayWrite(stmt.table, 'insert') && (stmt.onConflict?.action.kind !== 'update' || this.mayWrite(stmt.table, 'update'))) return;
        throw denied(`permission denied for table ${stmt.table}`);
      case 'Update':
      case 'Delete':
        if (this.mayWrite(stmt.table, stmt.kind === 'Update' ? 'update' : 'delete')) return;
        throw denied(`permission denied for table ${stmt.table}`);
      case 'CreateStream':
      case 'CreateTable':
      case 'CreateMaterializedView':
      case 'CreateView':
      case 'CreateSink':
      case 'CreateIndex':
        if (this.mayCreate()) return;
        throw denied('permission denied for schema public');
      case 'Drop': {
        if (this.mayCreate()) return;
        // DROP ... IF EXISTS of objects that do not exist is a notice for anyone, as in PostgreSQL.
        const existing = stmt.names.filter((n) => this.catalog.get(n) !== undefined);
        if (stmt.ifExists && existing.length === 0) return;
        throw denied(`must be owner of ${stmt.objectKind} ${existing[0] ?? stmt.names[0]}`);
      }
      case 'CreateRole':
        if (this.isSuperuser()) return;
        throw denied('permission denied to create role', 'Only roles with the SUPERUSER attribute may create roles.');
      case 'DropRole':
        if (this.isSuperuser()) return;
        throw denied('permission denied to drop role', 'Only roles with the SUPERUSER attribute may drop roles.');
      case 'AlterRole': {
        if (this.isSuperuser()) return;
        // A role may change its own password, as in PostgreSQL.
        const self = this.resolveName(stmt.name) === this.sessionUser;
        const o = stmt.options;
        if (self && stmt.renameTo === undefined && o.superuser === undefined && o.login === undefined) return;
        const target = this.users?.get(this.resolveName(stmt.name));
        if (o.superuser !== undefined || target?.superuser) throw denied('must be superuser to alter superuser roles or change superuser attribute');
        throw denied('permission denied to alter role', 'Only roles with the SUPERUSER attribute may alter roles; others may change their own password.');
      }
      case 'Grant':
        if (this.isSuperuser()) return;
        throw denied(`permission denied to ${stmt.revoke ? 'revoke' : 'grant'} privileges`, 'Only roles with the SUPERUSER attribute may grant and revoke privileges in Eddy.');
      default:
        // A statement kind added later: needs CREATE until someone decides otherwise.
        if (this.mayCreate()) return;
        throw denied('permission denied');
    }
  }

  /** CURRENT_USER / SESSION_USER / CURRENT_ROLE name the session user. */
  private resolveName(name: string): string {
    return name === 'current_user' || name === 'session_user' || name === 'current_role' ? this.sessionUser : name;
  }

  private store(): UsersStore {
    if (this.users === undefined) throw new SqlError(SqlState.FeatureNotSupported, 'user management is not available on this server');
    return this.users;
  }

  execute(stmt: RoleStatement, passwordEncryption: 'scram-sha-256' | 'md5'): StatementResult {
    switch (stmt.kind) {
      case 'CreateRole':
        return this.createRole(stmt.name, stmt.user, stmt.options, passwordEncryption);
      case 'AlterRole':
        return this.alterRole(stmt.name, stmt.options, stmt.renameTo, passwordEncryption);
      case 'DropRole':
        return this.dropRoles(stmt.names, stmt.ifExists);
      case 'Grant':
        return this.grant(stmt.revoke, stmt.privileges, stmt.target, stmt.roles);
    }
  }

  private createRole(name: string, user: boolean, o: RoleOptions, encryption: 'scram-sha-256' | 'md5'): StatementResult {
    checkRoleName(name);
    const notices: Notice[] = [];
    this.store().create({
      name,
      superuser: o.superuser ?? false,
      canLogin: o.login ?? user,
      writeAll: [],
      writeOn: {},
      canCreate: false,
      secret: this.secret(o.password, name, encryption, notices) ?? null,
    });
    return { kind: 'command', tag: 'CREATE ROLE', notices };
  }

  private alterRole(rawName: string, o: RoleOptions, renameTo: string | undefined, encryption: 'scram-sha-256' | 'md5'): StatementResult {
    const users = this.store();
    const name = this.resolveName(rawName);
    const role = users.get(name);
    if (role === undefined) throw undefinedRole(name);
    const notices: Notice[] = [];
    if (renameTo !== undefined) {
      if (name === this.sessionUser) throw new SqlError(SqlState.FeatureNotSupported, 'session user cannot be renamed');
      checkRoleName(renameTo);
      // An md5 secret is salted with the role name: it no longer matches (PostgreSQL clears it too).
      const clear = role.secret !== null && isMd5Secret(role.secret);
      if (clear) notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: 'MD5 password cleared because of role rename' });
      users.rename(name, renameTo, clear ? { secret: null } : {});
      return { kind: 'command', tag: 'ALTER ROLE', notices };
    }
    const change: Partial<Role> = {};
    if (o.superuser !== undefined) change.superuser = o.superuser;
    if (o.login !== undefined) change.canLogin = o.login;
    const secret = this.secret(o.password, name, encryption, notices);
    if (secret !== undefined) change.secret = secret;
    users.update(name, change);
    return { kind: 'command', tag: 'ALTER ROLE', notices };
  }

  /** The secret to store: undefined = not given, null = PASSWORD NULL (or ''). */
  private secret(password: string | null | undefined, name: string, encryption: 'scram-sha-256' | 'md5', notices: Notice[]): string | null | undefined {
    if (password === undefined || password === null) return password;
    if (password === '') {
      notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: 'empty string is not a valid password, clearing password' });
      return null;
    }
    return encryptPassword(password, name, encryption);
  }

  private dropRoles(names: string[], ifExists: boolean): StatementResult {
    const users = this.store();
    const notices: Notice[] = [];
    for (const n of names) {
      if (n === this.sessionUser) throw new SqlError(SqlState.ObjectInUse, 'current user cannot be dropped');
      if (users.get(n) === undefined && ifExists) {
        notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message: `role "${n}" does not exist, skipping` });
      }
    }
    users.drop(names, ifExists);
    return { kind: 'command', tag: 'DROP ROLE', notices };
  }

  private grant(revoke: boolean, privileges: string[], target: GrantTarget, roles: string[]): StatementResult {
    const users = this.store();
    const all = privileges.includes('all');
    const relationIds: string[] = [];
    if (target.kind === 'tables') {
      for (const t of target.names) {
        const obj = this.catalog.get(t);
        if (obj === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${t}" does not exist`);
        relationIds.push(String(obj.id));
      }
    }
    const onRelations = target.kind === 'tables' || target.kind === 'all tables in schema';
    const writes = onRelations ? (all ? TABLE_WRITES : privileges.filter((p) => TABLE_WRITES.includes(p))) : [];
    // CREATE ON DATABASE|SCHEMA; ALL ON ALL TABLES too, since Eddy has no owners to create for.
    const create = (!onRelations && (all || privileges.includes('create'))) || (target.kind === 'all tables in schema' && all);
    const names = roles.map((r) => this.resolveName(r));
    for (const r of names) {
      if (r === 'public') {
        if (writes.length > 0 || create) throw new SqlError(SqlState.FeatureNotSupported, `${revoke ? 'revoking' : 'granting'} write privileges ${revoke ? 'from' : 'to'} PUBLIC is not supported`);
        continue;
      }
      if (users.get(r) === undefined) throw undefinedRole(r);
    }
    const notices: Notice[] = [];
    const notice = (message: string): void => void notices.push({ severity: 'NOTICE', code: SqlState.SuccessfulCompletion, message });
    for (const name of names) {
      if (name === 'public') continue;
      const role = users.get(name)!;
      let writeAll = role.writeAll;
      const writeOn = { ...role.writeOn };
      if (target.kind === 'all tables in schema') {
        if (revoke) {
          // As in PostgreSQL, ON ALL TABLES reaches every relation, including single grants.
          writeAll = writeAll.filter((p) => !writes.includes(p));
          for (const id of Object.keys(writeOn)) writeOn[id] = writeOn[id].filter((p) => !writes.includes(p));
        } else {
          writeAll = union(writeAll, writes);
        }
      } else if (target.kind === 'tables') {
        for (const id of relationIds) writeOn[id] = revoke ? (writeOn[id] ?? []).filter((p) => !writes.includes(p)) : union(writeOn[id] ?? [], writes);
        if (revoke && writes.some((p) => writeAll.includes(p))) {
          notice(`privileges of "${name}" granted ON ALL TABLES IN SCHEMA still apply; revoke them there`);
        }
      }
      for (const id of Object.keys(writeOn)) if (writeOn[id].length === 0) delete writeOn[id];
      const canCreate = create ? !revoke : role.canCreate;
      users.update(name, { writeAll, writeOn, canCreate });
    }
    if (revoke && writes.length === 0 && !create) notice('every role can read in Eddy: revoking privileges other than INSERT, UPDATE, DELETE, TRUNCATE and CREATE has no effect');
    return { kind: 'command', tag: revoke ? 'REVOKE' : 'GRANT', notices };
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

function checkRoleName(name: string): void {
  if (name === 'public' || name === 'none') throw new SqlError(RESERVED_NAME, `role name "${name}" is reserved`);
  if (name.startsWith('pg_')) {
    throw new SqlError(RESERVED_NAME, `role name "${name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  }
}
