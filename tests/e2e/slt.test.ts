/**
 * Runs Eddy's own sqllogictest files (tests/slt/eddy/*.slt) through the slt runner against a
 * spawned server, and checks that the runner really reports mismatches, wrong errors and skips.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runFile, tally, type Outcome, type RunnerOptions } from '../slt/runner.js';
import { SkipList } from '../slt/skip-list.js';
import { EddyProcess } from '../support/server-process.js';
import { SERVER_ARGS, SERVER_ENV, startServices, type SltServices } from '../slt/support/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const eddyDir = path.join(root, 'tests/slt/eddy');

let server: EddyProcess;
/** The Kafka test broker and the sink databases the connector files use (CI=true: all required). */
let services: SltServices;

before(async () => {
  services = await startServices();
  for (const w of services.warnings) console.warn(`# ${w}`);
  server = await EddyProcess.start({ args: SERVER_ARGS, env: SERVER_ENV });
});
after(async () => {
  await server?.cleanup();
  await services?.stop();
});

function options(overrides: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    connect: async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'eddy' });
      await c.connect();
      return c;
    },
    labels: ['eddy', ...services.labels],
    implicitFlush: false,
    lenientErrors: false,
    skipList: new SkipList(),
    timeoutMs: 20_000,
    database: 'eddy',
    vars: () => services.vars(server),
    ...overrides,
  };
}

function describeFailures(outcomes: Outcome[]): string {
  return outcomes
    .filter((o): o is Extract<Outcome, { status: 'fail' }> => o.status === 'fail')
    .map((o) => `${o.file}:${o.line} [${o.kind}] ${o.message}`)
    .join('\n');
}

test("Eddy's own slt files pass", async () => {
  const files = fs.readdirSync(eddyDir).filter((f) => f.endsWith('.slt')).sort();
  assert.ok(files.length >= 2, 'expected tests/slt/eddy/*.slt files');
  const problems: string[] = [];
  for (const f of files) {
    const result = await runFile(path.join(eddyDir, f), options());
    const t = tally(result.outcomes);
    if (t.failed > 0) problems.push(`${f}:\n${describeFailures(result.outcomes)}`);
    // A file that needs a missing service halts at its top (outside CI only; see services.ts).
    else if (t.passed === 0 && services.labels.length > 0) console.warn(`# ${f} halted: ${services.labels.join(', ')}`);
    else if (t.passed < 5) problems.push(`${f} ran only ${t.passed} records`);
  }
  assert.deepEqual(problems, []);
});

test('the runner reports wrong results, wrong errors, skips and implicit flushes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-slt-e2e-'));
  try {
    const file = path.join(dir, 'batch', 'check.slt');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(
      file,
      [
        'statement ok',
        'CREATE TABLE slt_check (v INT)',
        '',
        'statement ok',
        'CREATE MATERIALIZED VIEW slt_check_sum AS SELECT sum(v) AS s FROM slt_check',
        '',
        'statement ok',
        'INSERT INTO slt_check VALUES (1), (2)',
        '',
        '# visible without an explicit FLUSH because the runner flushes after DML',
        'query I',
        'SELECT s FROM slt_check_sum',
        '----',
        '3',
        '',
        'query I',
        'SELECT v FROM slt_check ORDER BY v',
        '----',
        '1',
        '5',
        '',
        'statement error (22003)',
        'SELECT 1 / 0',
        '',
        'statement error',
        'SELECT 1',
        '',
        'skipif eddy',
        'statement ok',
        'THIS IS NOT SQL',
        '',
        'statement ok',
        'SELECT 1 FROM skipped_by_list',
        '',
        'control substitution on',
        '',
        'let answer',
        'SELECT 41 + 1',
        '',
        'query I',
        'SELECT $answer',
        '----',
        '42',
        '',
        'system ok',
        'echo "$answer"',
        '----',
        '42',
        '',
        '',
      ].join('\n'),
    );
    const outcomes = (await runFile(file, options({ implicitFlush: true, skipList: new SkipList({ 'batch/check.slt:32': 'listed' }) }))).outcomes;
    const at = (line: number): Outcome => outcomes.find((o) => o.line === line) ?? assert.fail(`no outcome for line ${line}`);
    assert.equal(at(11).status, 'pass', describeFailures(outcomes));
    const mismatch = at(16);
    assert.ok(mismatch.status === 'fail' && mismatch.kind === 'result-mismatch' && /5/.test(mismatch.message));
    const wrongCode = at(22);
    assert.ok(wrongCode.status === 'fail' && wrongCode.kind === 'error-mismatch' && wrongCode.error?.code === '22012');
    const noError = at(25);
    assert.ok(noError.status === 'fail' && noError.kind === 'missing-error');
    assert.deepEqual(at(29), { status: 'skip', file, line: 29, reason: 'condition skipif eddy' });
    assert.deepEqual(at(32), { status: 'skip', file, line: 32, reason: 'listed' });
    for (const line of [37, 40, 45]) assert.equal(at(line).status, 'pass', describeFailures(outcomes));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a server crash fails the record in flight and the rest of the file, without hanging', async () => {
  const doomed = await EddyProcess.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-slt-crash-'));
  try {
    const file = path.join(dir, 'crash.slt');
    const pid = doomed.child.pid!;
    fs.writeFileSync(file, ['statement ok', 'SELECT 1', '', 'system ok', `kill -9 ${pid}`, '', 'statement ok', 'SELECT 2', '', 'query I', 'SELECT 3', '----', '3', ''].join('\n'));
    const opts = options({
      connect: async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: doomed.pgPort, user: 'eddy', database: 'eddy' });
        await c.connect();
        return c;
      },
    });
    const outcomes = (await runFile(file, opts)).outcomes;
    assert.deepEqual(outcomes.map((o) => o.status), ['pass', 'pass', 'fail', 'fail']);
    const [, , inFlight, after] = outcomes as [Outcome, Outcome, Outcome, Outcome];
    assert.ok(inFlight.status === 'fail' && inFlight.kind === 'connection-lost', JSON.stringify(inFlight));
    assert.ok(after.status === 'fail' && after.kind === 'connection-lost' && /not run/.test(after.message), JSON.stringify(after));
  } finally {
    await doomed.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
