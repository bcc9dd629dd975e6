/**
 * User management statements (PostgreSQL syntax):
 *   CREATE ROLE | USER name [WITH] option ...
 *   ALTER ROLE | USER name [WITH] option ... | ALTER ROLE | USER name RENAME TO new
 *   DROP ROLE | USER [IF EXISTS] name [, ...]
 *   GRANT privilege [, ...] | ALL [PRIVILEGES] ON target TO role [, ...] [WITH GRANT OPTION]
 *   REVOKE [GRANT OPTION FOR] privilege [, ...] ON target FROM role [, ...] [CASCADE | RESTRICT]
 *
 * option: SUPERUSER | NOSUPERUSER | LOGIN | NOLOGIN | [ENCRYPTED] PASSWORD 'pw' | PASSWORD NULL,
 * plus PostgreSQL options with no meaning in Eddy, accepted and ignored (CREATEDB, CREATEROLE,
 * INHERIT, REPLICATION, BYPASSRLS and their NO forms, CONNECTION LIMIT n). Options that would
 * change who may log in or act as whom (VALID UNTIL, IN ROLE, ROLE, ADMIN) are refused (0A000)
 * rather than silently ignored.
 *
 *   "create user alice with password 'pw'" -> CreateRole { name: 'alice', user: true, options: { password: 'pw' } }
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { GrantTarget, RoleOptions, Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';

const IGNORED_OPTIONS = new Set([
  'createdb', 'nocreatedb', 'createrole', 'nocreaterole', 'inherit', 'noinherit', 'replication', 'noreplication',
  'bypassrls', 'nobypassrls',
]);

const PRIVILEGES = new Set([
  'select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'create', 'connect', 'temporary', 'temp',
  'usage', 'execute', 'maintain',
]);

/** A role name (RoleSpec); CURRENT_USER / SESSION_USER / CURRENT_ROLE are kept as those words. */
function roleName(c: Cursor): string {
  if (c.tok.kind === 'ident' && (c.isKw('current_user') || c.isKw('session_user') || c.isKw('current_role'))) return c.next().value;
  return c.colId();
}

function parseRoleOptions(c: Cursor): RoleOptions {
  const o: RoleOptions = {};
  c.acceptKw('with');
  while (!c.atStatementEnd()) {
    const t = c.tok;
    if (t.kind !== 'ident') c.fail();
    const pos = c.pos();
    switch (t.value) {
      case 'superuser': c.next(); o.superuser = true; break;
      case 'nosuperuser': c.next(); o.superuser = false; break;
      case 'login': c.next(); o.login = true; break;
      case 'nologin': c.next(); o.login = false; break;
      case 'encrypted':
      case 'unencrypted':
      case 'password': {
        c.next();
        if (t.value !== 'password') {
          if (t.value === 'unencrypted') throw featureNotSupported('UNENCRYPTED PASSWORD', pos);
          c.expectKw('password');
        }
        if (c.acceptKw('null')) o.password = null;
        else if (c.tok.kind === 'string') o.password = c.next().value;
        else c.fail();
        break;
      }
      case 'connection':
        c.next();
        c.expectKw('limit');
        c.acceptOp('-');
        if (c.tok.kind !== 'integer') c.fail();
        c.next();
        break;
      case 'valid':
        throw featureNotSupported('VALID UNTIL', pos);
      case 'in':
      case 'role':
      case 'admin':
      case 'user':
      case 'sysid':
        throw featureNotSupported(`role option ${t.value.toUpperCase()}`, pos);
      default:
        if (!IGNORED_OPTIONS.has(t.value)) c.fail();
        c.next();
    }
  }
  return o;
}

/** After CREATE, at ROLE | USER. */
export function parseCreateRole(c: Cursor, pos: number): Statement {
  const user = c.next().value === 'user';
  const name = c.colId();
  return { kind: 'CreateRole', name, user, options: parseRoleOptions(c), pos };
}

/** After ALTER, at ROLE | USER. */
export function parseAlterRole(c: Cursor, pos: number): Statement {
  c.next();
  if (c.isKw('all')) throw featureNotSupported('ALTER ROLE ALL', c.pos());
  const name = roleName(c);
  if (c.acceptKw('rename')) {
    c.expectKw('to');
    return { kind: 'AlterRole', name, options: {}, renameTo: c.colId(), pos };
  }
  if (c.isKw('set') || c.isKw('reset') || c.isKw('in')) throw featureNotSupported(`ALTER ROLE ... ${c.tok.value.toUpperCase()}`, c.pos());
  return { kind: 'AlterRole', name, options: parseRoleOptions(c), pos };
}

/** After DROP, at ROLE | USER. */
export function parseDropRole(c: Cursor, pos: number): Statement {
  c.next();
  const ifExists = c.acceptKws('if', 'exists');
  const names: string[] = [];
  do names.push(c.colId());
  while (c.acceptPunct(','));
  return { kind: 'DropRole', names, ifExists, pos };
}

function parsePrivileges(c: Cursor): string[] {
  if (c.acceptKw('all')) {
    c.acceptKw('privileges');
    noColumnList(c);
    return ['all'];
  }
  const privs: string[] = [];
  do {
    const t = c.tok;
    if (t.kind !== 'ident' || !PRIVILEGES.has(t.value)) {
      // GRANT role TO role: membership, which Eddy's per-role privileges do not model.
      if (c.isColId()) throw featureNotSupported('granting role membership', c.pos());
      c.fail();
    }
    c.next();
    privs.push(t.value === 'temp' ? 'temporary' : t.value);
    noColumnList(c);
  } while (c.acceptPunct(','));
  return privs;
}

/** Column privileges would silently widen to the whole relation: refused instead. */
function noColumnList(c: Cursor): void {
  if (c.isPunct('(')) throw featureNotSupported('column privileges', c.pos());
}

function nameList(c: Cursor): string[] {
  const names: string[] = [];
  do {
    let n = c.colId();
    // schema.name: Eddy has one schema (public); the object's own name is what counts.
    while (c.isPunct('.') && c.isColLabel(1)) {
      c.next();
      n = c.colLabel();
    }
    names.push(n);
  } while (c.acceptPunct(','));
  return names;
}

function parseGrantTarget(c: Cursor): GrantTarget {
  if (c.acceptKw('all')) {
    if (!c.acceptKw('tables')) throw featureNotSupported(`GRANT ON ALL ${c.tok.value.toUpperCase()}`, c.pos());
    c.expectKw('in');
    c.expectKw('schema');
    return { kind: 'all tables in schema', schemas: nameList(c) };
  }
  if (c.acceptKw('database')) return { kind: 'database', names: nameList(c) };
  if (c.acceptKw('schema')) return { kind: 'schema', names: nameList(c) };
  for (const other of ['sequence', 'function', 'procedure', 'routine', 'language', 'tablespace', 'type', 'domain', 'foreign', 'large', 'parameter']) {
    if (c.isKw(other)) throw featureNotSupported(`GRANT ON ${other.toUpperCase()}`, c.pos());
  }
  c.acceptKw('table');
  return { kind: 'tables', names: nameList(c) };
}

function roleList(c: Cursor): string[] {
  const roles: string[] = [];
  do {
    c.acceptKw('group');
    roles.push(c.isKw('public') ? c.next().value : roleName(c));
  } while (c.acceptPunct(','));
  return roles;
}

/** After GRANT or REVOKE. */
export function parseGrant(c: Cursor, pos: number, revoke: boolean): Statement {
  if (revoke && c.acceptKws('grant', 'option', 'for')) {
    /* revoking the grant option alone: nothing to do in Eddy's model, still a valid statement */
  }
  const privileges = parsePrivileges(c);
  if (!c.acceptKw('on')) {
    if (c.isKw(revoke ? 'from' : 'to')) throw featureNotSupported('granting role membership', c.pos());
    c.fail();
  }
  const target = parseGrantTarget(c);
  c.expectKw(revoke ? 'from' : 'to');
  const roles = roleList(c);
  if (!revoke && c.acceptKw('with')) {
    c.expectKw('grant');
    c.expectKw('option');
  }
  if (c.acceptKws('granted', 'by')) roleName(c);
  if (revoke && !c.acceptKw('cascade')) c.acceptKw('restrict');
  return { kind: 'Grant', revoke, privileges, target, roles, pos };
}
