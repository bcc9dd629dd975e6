/**
 * pgjdbc (Java) against a live server: tests/clients/jdbc/JdbcCheck.java runs the driver and
 * prints what it saw; this file asserts on those lines. The metadata calls read the pg_catalog emulation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyProcess } from '../support/server-process.js';
import { executable, readable, requireTool, run } from '../clients/tools.js';
import { SqlRecorder } from '../clients/sql-recorder.js';

const JAVA = '/usr/bin/java';
const JAR = '/usr/share/java/postgresql.jar';
const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/clients/jdbc/JdbcCheck.java');

let server: EddyProcess | undefined;
let recorder: SqlRecorder | undefined;
let lines: string[] = [];
const available = executable(JAVA) && readable(JAR);

before(async () => {
  if (!available) return;
  server = await EddyProcess.start();
  const c = await server.client();
  await c.query('CREATE TABLE jt (id BIGINT PRIMARY KEY, amount NUMERIC, at TIMESTAMPTZ, ok BOOLEAN, doc JSONB, note TEXT)');
  await c.query('CREATE TABLE jbatch (id INT PRIMARY KEY, label TEXT)');
  await c.query('CREATE STREAM js (k TEXT, v INT, ts TIMESTAMPTZ)');
  await c.query('CREATE MATERIALIZED VIEW jmv AS SELECT k, count(*) AS n, sum(v) AS total FROM js GROUP BY k');
  await c.end();
  recorder = await SqlRecorder.start(server.pgPort);
  const url = `jdbc:postgresql://127.0.0.1:${recorder.port}/eddy?user=eddy&sslmode=disable&connectTimeout=10&socketTimeout=60`;
  const r = await run(JAVA, ['-cp', JAR, SOURCE, url], { timeoutMs: 120_000 });
  lines = r.stdout.split('\n').filter((l) => l !== '');
  if (!lines.includes('DONE')) throw new Error(`JdbcCheck did not finish (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  const dir = process.env.EDDY_CLIENT_SQL_LOG;
  if (dir !== undefined && recorder.errors.length > 0) fs.writeFileSync(path.join(dir, 'jdbc.sql'), recorder.errorsAsSql());
});

after(async () => {
  await recorder?.close();
  await server?.cleanup();
});

function skipWithoutJava(t: { skip(message?: string): void }): boolean {
  return !requireTool(t, `java and pgjdbc (${JAVA}, ${JAR})`, available);
}

/** The check passed; if not, the message names the statement the server rejected. */
function passed(check: string): void {
  const fail = lines.find((l) => l.startsWith(`FAIL ${check} `));
  const rejected = recorder?.errors.map((e) => `${e.sqlstate} ${e.message}: ${e.sql.replace(/\s+/g, ' ').slice(0, 300)}`) ?? [];
  assert.equal(fail, undefined, `${fail}\nstatements the server rejected:\n${rejected.join('\n')}`);
  assert.ok(lines.some((l) => l === `OK ${check}` || l.startsWith(`OK ${check} `)), `${check} ran`);
}

function linesOf(kind: string): string[] {
  return lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
}

test('pgjdbc connects', (t) => {
  if (skipWithoutJava(t)) return;
  assert.ok(lines.some((l) => /^OK connect 15\./.test(l)), lines.join('\n'));
});

test('pgjdbc: a PreparedStatement run 20 times inserts numeric, timestamptz, bigint, bool, jsonb, text', (t) => {
  if (skipWithoutJava(t)) return;
  passed('prepared_insert');
});

test('pgjdbc: a server-prepared SELECT reads every type back in binary', (t) => {
  if (skipWithoutJava(t)) return;
  passed('prepared_select_binary');
  assert.deepEqual(linesOf('ROW'), ['{"i": 20, "tags": ["a", "b"]}']);
  assert.ok(recorder!.binaryResultBinds >= 10, `pgjdbc asked for binary results (${recorder!.binaryResultBinds} binds)`);
});

test('pgjdbc: executeBatch inserts 1000 rows in one pipeline', (t) => {
  if (skipWithoutJava(t)) return;
  passed('batch_insert');
});

test('pgjdbc: setFetchSize reads a result through a portal, 100 rows at a time', (t) => {
  if (skipWithoutJava(t)) return;
  passed('fetch_size_cursor');
  assert.ok(recorder!.suspendedPortals >= 9, `the server suspended the portal between fetches (${recorder!.suspendedPortals} PortalSuspended)`);
});

test('pgjdbc: aggregates, NULLs and an error with its SQLSTATE', (t) => {
  if (skipWithoutJava(t)) return;
  passed('aggregate_and_nulls');
  passed('error_sqlstate');
});

test('pgjdbc: ResultSetMetaData.getColumnTypeName', (t) => {
  if (skipWithoutJava(t)) return;
  passed('resultset_metadata');
  assert.deepEqual(linesOf('RSMD'), ['id:int8 amount:numeric at:timestamptz doc:jsonb note:text']);
});

test('pgjdbc: a jsonb PGobject parameter', (t) => {
  if (skipWithoutJava(t)) return;
  passed('pgobject_jsonb');
});

test('pgjdbc: DatabaseMetaData.getCatalogs', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getCatalogs');
  assert.deepEqual(linesOf('CATALOG'), ['eddy']);
});

test('pgjdbc: DatabaseMetaData.getTables lists tables, streams and materialized views', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getTables');
  const tables = new Map(linesOf('TABLE').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
  assert.equal(tables.get('public.jt'), 'TABLE');
  assert.ok(tables.has('public.js'), 'the stream is listed');
  assert.match(tables.get('public.jmv') ?? '', /VIEW|TABLE/, 'the materialized view is listed');
});

test('pgjdbc: DatabaseMetaData.getColumns gives names, types and positions', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getColumns');
  const cols = linesOf('COLUMN');
  for (const c of [
    'jt.id int8 -5 1',
    'jt.amount numeric 2 2',
    'jt.at timestamptz 93 3',
    'jt.ok bool -7 4',
    'jt.doc jsonb 1111 5',
    'jt.note text 12 6',
    'js.k text 12 1',
    'js.v int4 4 2',
    'js.ts timestamptz 93 3',
    'jmv.k text 12 1',
    'jmv.n int8 -5 2',
    'jmv.total int8 -5 3',
  ]) {
    assert.ok(cols.includes(c), `getColumns has ${c}; got:\n${cols.join('\n')}`);
  }
});

test('pgjdbc: DatabaseMetaData.getPrimaryKeys', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getPrimaryKeys');
  assert.deepEqual(linesOf('PK'), ['jt.id 1']);
});

test('pgjdbc: DatabaseMetaData.getSchemas', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getSchemas');
  const schemas = linesOf('SCHEMA');
  assert.ok(schemas.includes('public') && schemas.includes('pg_catalog'), schemas.join(', '));
});

test('pgjdbc: DatabaseMetaData.getTypeInfo', (t) => {
  if (skipWithoutJava(t)) return;
  passed('getTypeInfo');
  const types = new Set(linesOf('TYPE').map((l) => l.split(' ')[0]));
  for (const ty of ['bool', 'int4', 'int8', 'numeric', 'text', 'timestamptz', 'jsonb']) assert.ok(types.has(ty), `getTypeInfo lists ${ty}`);
});
