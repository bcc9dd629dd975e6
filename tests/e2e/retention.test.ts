/** Stream retention: rows beyond a row count or older than an interval are trimmed in the background. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { arrayRows, errorCode } from '../support/sql.js';
import { EddyProcess } from '../support/server-process.js';

let server: EddyProcess;
let c: pg.Client;

before(async () => {
  server = await EddyProcess.start({ env: { EDDY_RETENTION_CHECK_MS: '100' } });
  c = await server.client();
});

after(async () => {
  await c?.end().catch(() => undefined);
  await server?.cleanup();
});

async function eventually(sql: string, expected: unknown[][], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got: unknown[][] = [];
  while (Date.now() < deadline) {
    got = await arrayRows(c, sql);
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(got, expected);
}

test('retention by row count keeps the newest rows; views keep counting everything', async () => {
  await c.query(`CREATE STREAM kept (v INT) WITH (retention = '100 rows')`);
  await c.query(`CREATE MATERIALIZED VIEW kept_total AS SELECT count(*) AS n, sum(v) AS s FROM kept`);
  for (let b = 0; b < 5; b++) {
    await c.query(`INSERT INTO kept VALUES ${Array.from({ length: 100 }, (_, i) => `(${b * 100 + i + 1})`).join(', ')}`);
  }
  await eventually('SELECT count(*), min(v), max(v) FROM kept', [['100', 401, 500]]);
  assert.deepEqual(await arrayRows(c, 'SELECT n, s FROM kept_total'), [['500', '125250']], 'the view saw every row');
  assert.equal((await arrayRows(c, 'SHOW STREAMS')).find((r) => r[0] === 'kept')?.[1], '100', 'SHOW STREAMS counts retained rows');
  // A view created now backfills the retained rows only.
  await c.query(`CREATE MATERIALIZED VIEW kept_late AS SELECT count(*) AS n FROM kept`);
  assert.deepEqual(await arrayRows(c, 'SELECT n FROM kept_late'), [['100']]);
  // Sequence numbers continue after a restart even when rows were trimmed.
  await c.end();
  await server.stop();
  server = await EddyProcess.start({ dataDir: server.dataDir, env: { EDDY_RETENTION_CHECK_MS: '100' } });
  c = await server.client();
  await c.query(`INSERT INTO kept VALUES (1000)`);
  await eventually('SELECT count(*), max(v) FROM kept', [['100', 1000]]);
});

test('retention by time trims rows older than the interval', async () => {
  await c.query(`CREATE STREAM recent (v INT) WITH (retention = '300 milliseconds')`);
  await c.query(`INSERT INTO recent VALUES (1), (2)`);
  await new Promise((r) => setTimeout(r, 400));
  await c.query(`INSERT INTO recent VALUES (3)`);
  await eventually('SELECT v FROM recent ORDER BY v', [[3]]);
  await eventually('SELECT v FROM recent ORDER BY v', [], 3000);
});

test('retention options are checked', async () => {
  assert.equal(await errorCode(c, `CREATE STREAM r1 (v INT) WITH (retention = 'forever')`), '22023');
  assert.equal(await errorCode(c, `CREATE STREAM r2 (v INT) WITH (retention = '0 rows')`), '22023');
  assert.equal(await errorCode(c, `CREATE STREAM r3 (v INT) WITH (retention = '1 month')`), '22023');
  await c.query(`CREATE STREAM r4 (v INT) WITH (retention = 'unlimited')`);
  assert.equal(await errorCode(c, `CREATE TABLE r5 (v INT) WITH (retention = '1 day')`), '22023');
});
