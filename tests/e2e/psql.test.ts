/** psql against a live server: the client people use first must work, with PostgreSQL's output. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { EddyProcess, psqlAvailable } from '../support/server-process.js';

let server: EddyProcess;

before(async () => {
  if (!psqlAvailable() && process.env.CI === 'true') throw new Error('psql is required under CI=true');
  server = await EddyProcess.start();
});

after(async () => {
  await server?.cleanup();
});

function psql(sql: string, extra: string[] = []): string {
  return execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy', ...extra, '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
}

test('psql runs a script of DDL, DML and queries', { skip: !psqlAvailable() && 'psql not installed' }, () => {
  const out = execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy', '-A', '-t'], {
    encoding: 'utf8',
    input: `
      CREATE STREAM orders (id BIGINT, customer TEXT, amount NUMERIC(10,2), at TIMESTAMPTZ);
      CREATE MATERIALIZED VIEW revenue AS SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer;
      INSERT INTO orders VALUES (1, 'ann', 10.50, '2024-01-01 10:00:00+00'), (2, 'bob', 5, '2024-01-01 11:00:00+00'), (3, 'ann', 0.25, '2024-01-02 09:30:00+00');
      FLUSH;
      SELECT customer || '|' || n || '|' || total FROM revenue ORDER BY customer;
      SELECT min(at), max(at) FROM orders;
      SELECT 1.5::float8, 2::numeric / 3, interval '1 day 2 hours', date '2024-02-29' + 1, true, null::int IS NULL;
    `,
  });
  const lines = out.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  assert.deepEqual(lines, [
    'ann|2|10.75',
    'bob|1|5.00',
    '2024-01-01 10:00:00+00|2024-01-02 09:30:00+00',
    '1.5|0.66666666666666666667|1 day 02:00:00|2024-03-01|t|t',
  ]);
});

test('psql shows errors with SQLSTATE and keeps the session', { skip: !psqlAvailable() && 'psql not installed' }, () => {
  let stderr = '';
  try {
    psql('SELECT * FROM no_such_relation', ['-v', 'VERBOSITY=verbose']);
  } catch (e) {
    stderr = String((e as { stderr?: string }).stderr);
  }
  assert.match(stderr, /42P01/);
  assert.match(stderr, /relation "no_such_relation" does not exist/);
  assert.equal(psql('SELECT 40 + 2', ['-A', '-t']).trim(), '42');
});

test('psql expanded output and table formatting', { skip: !psqlAvailable() && 'psql not installed' }, () => {
  const out = psql("SELECT 1 AS a, 'x'::text AS b");
  assert.match(out, /^ a \| b \n---\+---\n 1 \| x\n\(1 row\)/);
});

test('Ctrl-C in psql cancels a running query with 57014', { skip: !psqlAvailable() && 'psql not installed' }, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn('psql', ['-X', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy', '-v', 'VERBOSITY=verbose', '-c', 'SELECT pg_sleep(30)'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const started = Date.now();
  setTimeout(() => child.kill('SIGINT'), 1500);
  await new Promise((resolve) => child.on('exit', resolve));
  assert.match(stderr, /57014/);
  assert.match(stderr, /canceling statement due to user request/);
  assert.ok(Date.now() - started < 20_000, 'the query stopped long before pg_sleep(30) would have');
});
