/** The README's psql walkthrough runs as written (ON_ERROR_STOP), so the README stays true. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EddyProcess, psqlAvailable } from '../support/server-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let server: EddyProcess;

before(async () => {
  server = await EddyProcess.start();
});

after(async () => {
  await server?.cleanup();
});

test('the README walkthrough runs in psql and shows what it says', { skip: !psqlAvailable() && 'psql not installed' }, () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const walkthrough = readme.split('## A psql walkthrough')[1].split('```sql')[1].split('```')[0];
  const out = execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-A', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy'], {
    encoding: 'utf8',
    input: walkthrough,
  });
  // busy_owners before and after the UPDATE moves /home from ann to cy
  assert.match(out, /owner\|visits\nann\|2\n\(1 row\)/);
  assert.match(out, /owner\|visits\ncy\|2\n\(1 row\)/);
  assert.match(out, /page\|visits\|users\|avg_ms\n\/docs\|1\|1\|80\.0000000000000000\n\/home\|2\|2\|210\.0000000000000000/);
  assert.match(out, /count\n3\n/);
});

test('the README event-time example runs in psql and shows what it says', { skip: !psqlAvailable() && 'psql not installed' }, () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = readme.split('## Event time')[1].split('```sql')[1].split('```')[0];
  const out = execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-A', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'eddy'], {
    encoding: 'utf8',
    input: example,
  });
  assert.match(out, /page\|minute\|visits\nhome\|2026-01-01 12:00:00\+00\|1\n\(1 row\)/, 'the closed window, final');
  assert.match(out, /INSERT 0 0/, 'the late row is not accepted');
  assert.match(out, /pageviews\|2026-01-01 12:00:30\+00\|2026-01-01 12:01:02\+00\|\{"page":"home","user_id":"3","ts":"2026-01-01 12:00:30\+00"\}/);
  assert.match(out, /pageviews\|2\|1\|2\|unlimited\|ts\|00:00:05\|2026-01-01 12:01:07\+00\|2026-01-01 12:01:02\+00\|00:00:30\|/);
});

test('the README generator examples run and produce rows', async () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = readme.split('## Generators')[1].split('```sql')[1].split('```')[0];
  const c = await server.client();
  try {
    for (const stmt of example.split(';').map((x) => x.trim()).filter(Boolean)) await c.query(stmt);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await c.query(`SELECT name, rows_accepted::int AS n, source_status FROM eddy_streams WHERE name IN ('bid', 's') ORDER BY name`);
      if (r.rows.length === 2 && r.rows.every((x: { n: number }) => x.n > 0)) {
        assert.deepEqual(r.rows.map((x: { source_status: string }) => x.source_status), ['running', 'running']);
        break;
      }
      assert.ok(Date.now() < deadline, `the generators produced no rows: ${JSON.stringify(r.rows)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    const [{ ok }] = (await c.query(`SELECT count(*) = count(DISTINCT id) AND min(id) = 1 AS ok FROM s`)).rows as { ok: boolean }[];
    assert.equal(ok, true);
  } finally {
    await c.end();
  }
});
