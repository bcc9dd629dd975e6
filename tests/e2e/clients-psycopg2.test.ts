/** psycopg2 (Python) against a live server; the checks live in tests/clients/psycopg2_check.py. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyProcess } from '../support/server-process.js';
import { createNumbers, readable, requireTool, run, executable } from '../clients/tools.js';

/** The system Python: the one on PATH may be a pyenv without psycopg2. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/clients/psycopg2_check.py');

interface CheckResult {
  check: string;
  ok: boolean;
  detail: unknown;
  sqlstate: string | null;
}

let server: EddyProcess | undefined;
let results: Map<string, CheckResult> | undefined;
let available = false;

before(async () => {
  available = executable(PYTHON) && (await run(PYTHON, ['-c', 'import psycopg2'])).code === 0;
  if (!available) return;
  server = await EddyProcess.start();
  const c = await server.client();
  await createNumbers(c, 'numbers', 1000);
  await c.end();
  const r = await run(PYTHON, [SCRIPT, `host=127.0.0.1 port=${server.pgPort} user=eddy dbname=eddy connect_timeout=10`], { timeoutMs: 60_000 });
  results = new Map();
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const res = JSON.parse(line) as CheckResult;
    results.set(res.check, res);
  }
  if (results.size === 0) throw new Error(`psycopg2_check.py printed nothing (exit ${r.code}): ${r.stderr}`);
});

after(async () => {
  await server?.cleanup();
});

function expectOk(name: string): void {
  const r = results?.get(name);
  assert.ok(r, `check ${name} ran`);
  assert.ok(r.ok, `${name}: ${String(r.detail)}`);
}

for (const [name, what] of [
  ['connect', 'connects and reads server_version and server_encoding'],
  ['params_round_trip', '%s parameters: int, Decimal, datetime with tz, bool, str, None, Json'],
  ['fetchall_fetchmany', 'fetchmany and fetchall'],
  ['transaction_block_and_error_recovery', 'implicit BEGIN, an aborted transaction, rollback'],
  ['executemany_execute_values_and_dict_cursor', 'executemany, execute_values and RealDictCursor'],
  ['named_server_side_cursor', 'a named (server-side) cursor: DECLARE, FETCH FORWARD 100, CLOSE'],
  ['copy_expert', 'copy_expert: COPY FROM STDIN and COPY TO STDOUT'],
] as const) {
  test(`psycopg2: ${what}`, (t) => {
    if (!requireTool(t, 'python3 with psycopg2 (/usr/bin/python3)', available && readable(SCRIPT))) return;
    expectOk(name);
  });
}
