import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatement } from '../parse.js';
import { SqlError } from '../../runtime/sql/errors.js';

function code(sql: string): string {
  try {
    parseStatement(sql);
  } catch (e) {
    assert.ok(e instanceof SqlError);
    return e.code;
  }
  assert.fail(`expected ${sql} to fail`);
}

describe('user management statements', () => {
  it('CREATE USER / ROLE with options', () => {
    assert.deepEqual(parseStatement("CREATE USER alice WITH PASSWORD 'pw' SUPERUSER"), {
      kind: 'CreateRole', name: 'alice', user: true, options: { password: 'pw', superuser: true }, pos: 1,
    });
    assert.deepEqual(parseStatement('create role "Ops" nologin password null createdb connection limit 5'), {
      kind: 'CreateRole', name: 'Ops', user: false, options: { login: false, password: null }, pos: 1,
    });
    assert.deepEqual(parseStatement("CREATE ROLE r ENCRYPTED PASSWORD 'x' NOSUPERUSER LOGIN"), {
      kind: 'CreateRole', name: 'r', user: false, options: { password: 'x', superuser: false, login: true }, pos: 1,
    });
  });

  it('ALTER and DROP', () => {
    assert.deepEqual(parseStatement("ALTER USER current_user WITH PASSWORD 'n'"), { kind: 'AlterRole', name: 'current_user', options: { password: 'n' }, pos: 1 });
    assert.deepEqual(parseStatement('ALTER ROLE a RENAME TO b'), { kind: 'AlterRole', name: 'a', options: {}, renameTo: 'b', pos: 1 });
    assert.deepEqual(parseStatement('DROP USER IF EXISTS a, b'), { kind: 'DropRole', names: ['a', 'b'], ifExists: true, pos: 1 });
    assert.deepEqual(parseStatement('drop role a;'), { kind: 'DropRole', names: ['a'], ifExists: false, pos: 1 });
  });

  it('GRANT and REVOKE', () => {
    assert.deepEqual(parseStatement('GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO u, v'), {
      kind: 'Grant', revoke: false, privileges: ['all'], target: { kind: 'all tables in schema', schemas: ['public'] }, roles: ['u', 'v'], pos: 1,
    });
    assert.deepEqual(parseStatement('GRANT INSERT, UPDATE, DELETE ON TABLE public.t, s TO u WITH GRANT OPTION'), {
      kind: 'Grant', revoke: false, privileges: ['insert', 'update', 'delete'], target: { kind: 'tables', names: ['t', 's'] }, roles: ['u'], pos: 1,
    });
    assert.deepEqual(parseStatement('REVOKE CREATE ON DATABASE eddy FROM u CASCADE'), {
      kind: 'Grant', revoke: true, privileges: ['create'], target: { kind: 'database', names: ['eddy'] }, roles: ['u'], pos: 1,
    });
    assert.deepEqual(parseStatement('GRANT select ON t TO PUBLIC'), {
      kind: 'Grant', revoke: false, privileges: ['select'], target: { kind: 'tables', names: ['t'] }, roles: ['public'], pos: 1,
    });
  });

  it('refuses what it does not model, and syntax errors', () => {
    assert.equal(code("CREATE ROLE r VALID UNTIL 'infinity'"), '0A000');
    assert.equal(code('CREATE ROLE r IN ROLE admin'), '0A000');
    assert.equal(code('GRANT admin TO bob'), '0A000');
    assert.equal(code('GRANT UPDATE (a) ON t TO bob'), '0A000');
    assert.equal(code('GRANT EXECUTE ON FUNCTION f() TO bob'), '0A000');
    assert.equal(code('ALTER ROLE r SET search_path = x'), '0A000');
    assert.equal(code('ALTER TABLE t ADD COLUMN c int'), '0A000');
    assert.equal(code('CREATE USER'), '42601');
    assert.equal(code("CREATE USER u PASSWORD"), '42601');
    assert.equal(code('CREATE USER u FLY'), '42601');
    assert.equal(code('GRANT INSERT ON t'), '42601');
    assert.equal(code('DROP ROLE'), '42601');
  });
});
