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
