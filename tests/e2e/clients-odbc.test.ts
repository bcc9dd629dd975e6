/**
 * psqlODBC through unixODBC's isql against a live server, with a DSN in a temporary odbc.ini.
 * psqlODBC reads pg_type while connecting and pg_class/pg_attribute for `help`: the pg_catalog emulation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EddyProcess } from '../support/server-process.js';
import { createNumbers, executable, readable, requireTool, run, type RunResult } from '../clients/tools.js';
import { SqlRecorder } from '../clients/sql-recorder.js';

const ISQL = '/usr/bin/isql';
const ODBCINST = '/etc/odbcinst.ini';

let server: EddyProcess | undefined;
let recorder: SqlRecorder | undefined;
let dir: string | undefined;
let out: RunResult = { code: null, stdout: '', stderr: '' };
const available = executable(ISQL) && readable(ODBCINST) && fs.readFileSync(ODBCINST, 'utf8').includes('[PostgreSQL Unicode]');

before(async () => {
  if (!available) return;
  server = await EddyProcess.start();
  const c = await server.client();
  await createNumbers(c, 'numbers', 3);
  await c.query("INSERT INTO numbers VALUES (4, 'röw ✓')");
  await c.query('CREATE STREAM odbc_events (k TEXT, v INT)');
  await c.end();
  recorder = await SqlRecorder.start(server.pgPort);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-odbc-'));
  // ODBCSYSINI points unixODBC at a directory holding odbcinst.ini (the drivers), ODBCINI at the DSNs.
  fs.copyFileSync(ODBCINST, path.join(dir, 'odbcinst.ini'));
  fs.writeFileSync(
    path.join(dir, 'odbc.ini'),
    ['[eddy]', 'Driver = PostgreSQL Unicode', 'Servername = 127.0.0.1', `Port = ${recorder.port}`, 'Database = eddy', 'Username = eddy', 'Password =', 'SSLmode = disable', ''].join('\n'),
  );
  // Several statements in a row: psqlODBC drops each with SQL DEALLOCATE and reuses the names.
  const input = ['SELECT id, label FROM numbers ORDER BY id', 'SELECT 1/0', 'SELECT 40 + 2 AS answer', 'SELECT 7 AS seven', 'SELECT 8 AS eight', 'SELECT 9 AS nine', 'SELECT 10 AS ten', 'help', 'help numbers', ''].join('\n');
  // -b batch mode (no prompts), -v verbose errors, -d'|' delimited rows, -c column names first.
  out = await run(ISQL, ['-v', '-b', '-d|', '-c', 'eddy'], {
    input,
    env: { ...process.env, ODBCSYSINI: dir, ODBCINI: path.join(dir, 'odbc.ini') },
    timeoutMs: 60_000,
  });
  const log = process.env.EDDY_CLIENT_SQL_LOG;
  if (log !== undefined && recorder.errors.length > 0) fs.writeFileSync(path.join(log, 'odbc.sql'), recorder.errorsAsSql());
});

after(async () => {
  await recorder?.close();
  await server?.cleanup();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

function skipWithoutOdbc(t: { skip(message?: string): void }): boolean {
  return !requireTool(t, 'unixODBC isql and psqlODBC (odbc-postgresql)', available);
}

function outputLines(): string[] {
  return out.stdout.split('\n').map((l) => l.trimEnd());
}

function rejected(): string {
  return (recorder?.errors ?? []).map((e) => `${e.sqlstate} ${e.message}: ${e.sql}`).join('\n');
}

test('isql connects through psqlODBC', (t) => {
  if (skipWithoutOdbc(t)) return;
  assert.doesNotMatch(out.stdout + out.stderr, /Could not SQLConnect/, `${out.stdout}${out.stderr}\nrejected:\n${rejected()}`);
});

test('isql runs a SELECT and prints its rows', (t) => {
  if (skipWithoutOdbc(t)) return;
  const lines = outputLines();
  const at = lines.indexOf('id|label');
  assert.ok(at >= 0, out.stdout + out.stderr);
  assert.deepEqual(lines.slice(at + 1, at + 5), ['1|row 1', '2|row 2', '3|row 3', '4|röw ✓']);
});

test('isql reports an error with its SQLSTATE and carries on', (t) => {
  if (skipWithoutOdbc(t)) return;
  assert.match(out.stdout + out.stderr, /\[22012\].*division by zero/);
  const lines = outputLines();
  const at = lines.indexOf('answer');
  assert.ok(at >= 0 && lines[at + 1] === '42', out.stdout);
});

test('isql runs many statements in a row (statement names are reused after DEALLOCATE)', (t) => {
  if (skipWithoutOdbc(t)) return;
  assert.doesNotMatch(out.stdout + out.stderr, /42P05|already exists/, out.stdout + out.stderr);
  const lines = outputLines();
  for (const [name, v] of [['seven', '7'], ['eight', '8'], ['nine', '9'], ['ten', '10']]) {
    const at = lines.indexOf(name);
    assert.ok(at >= 0 && lines[at + 1] === v, `${name} answered:\n${out.stdout}${out.stderr}`);
  }
});

test('isql help lists tables and streams (SQLTables) and columns (SQLColumns)', (t) => {
  if (skipWithoutOdbc(t)) return;
  const lines = outputLines();
  assert.ok(lines.some((l) => /^eddy\|public\|numbers\|TABLE\|/.test(l)), `numbers listed:\n${out.stdout}`);
  assert.ok(lines.some((l) => /^eddy\|public\|odbc_events\|/.test(l)), `the stream is listed:\n${out.stdout}`);
  assert.ok(lines.some((l) => /^eddy\|public\|numbers\|id\|4\|int4\|/.test(l)), `column id listed:\n${out.stdout}`);
  assert.ok(lines.some((l) => /^eddy\|public\|numbers\|label\|-?\d+\|text\|/.test(l)), `column label listed:\n${out.stdout}`);
});
