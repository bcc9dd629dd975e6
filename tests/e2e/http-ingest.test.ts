/**
 * HTTP ingest over a real server: POST /v1/streams/:name with a JSON array, one object or NDJSON;
 * 200 only after the rows committed (they survive a kill -9 right after it), 400 naming the bad
 * rows with nothing written, 401/404/413, and GET /health.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows } from '../support/sql.js';

let server: EddyProcess;
let client: pg.Client;

before(async () => {
  server = await EddyProcess.start({ env: { EDDY_HTTP_TOKEN: 'sesame', EDDY_HTTP_MAX_BODY: '100000' } });
  client = await server.client();
  client.on('error', () => undefined);
  await client.query(`CREATE STREAM clicks (url TEXT, n INT, big BIGINT, ts TIMESTAMPTZ NOT NULL)`);
  await client.query('CREATE MATERIALIZED VIEW per_url AS SELECT url, count(*) AS c, sum(n) AS s FROM clicks GROUP BY url');
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
});

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${server.httpPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sesame', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

test('a JSON array, one object and NDJSON are accepted once durable; big integers keep every digit', async () => {
  let r = await post('/v1/streams/clicks', JSON.stringify([{ url: '/a', n: 1, ts: '2024-05-01T10:00:00Z' }, { url: '/b', n: 2, ts: 1714557600000 }]).replace('"n":1', '"n":1,"big":9007199254740993'));
  assert.deepEqual([r.status, r.json], [200, { accepted: 2, late: 0 }]);
  r = await post('/v1/streams/clicks', '{"url": "/a", "n": 3, "ts": "2024-05-01T10:01:00Z"}');
  assert.deepEqual([r.status, r.json], [200, { accepted: 1, late: 0 }]);
  r = await post('/v1/streams/clicks', '{"url": "/c", "n": 4, "ts": "2024-05-01T10:02:00Z"}\n\n{"url": "/c", "n": 5, "ts": "2024-05-01T10:03:00Z"}\n', { 'content-type': 'application/x-ndjson' });
  assert.deepEqual([r.status, r.json], [200, { accepted: 2, late: 0 }]);
  // The response came after the commit: a kill -9 now loses nothing.
  await server.kill();
  server = await EddyProcess.start({ dataDir: server.dataDir, env: { EDDY_HTTP_TOKEN: 'sesame', EDDY_HTTP_MAX_BODY: '100000' } });
  client = await server.client();
  client.on('error', () => undefined);
  assert.deepEqual(await arrayRows(client, 'SELECT url, c, s FROM per_url ORDER BY url'), [['/a', '2', '4'], ['/b', '1', '2'], ['/c', '2', '9']]);
  assert.deepEqual(await arrayRows(client, `SELECT big FROM clicks WHERE big IS NOT NULL`), [['9007199254740993']]);
});

test('400 names every row that does not fit, and nothing of the request is written', async () => {
  const before = await arrayRows(client, 'SELECT count(*) FROM clicks');
  const r = await post('/v1/streams/clicks', JSON.stringify([
    { url: '/ok', n: 1, ts: '2024-05-01T10:00:00Z' },
    { url: '/bad', n: 'many', ts: '2024-05-01T10:00:00Z' },
    { url: '/no-ts', n: 1 },
    'not an object',
  ]));
  assert.equal(r.status, 400);
  const rows = r.json.rows as { row: number; error: string }[];
  assert.deepEqual(rows.map((x) => x.row), [1, 2, 3]);
  assert.match(rows[0].error, /"n"/);
  assert.match(rows[1].error, /not-null/);
  assert.deepEqual(await arrayRows(client, 'SELECT count(*) FROM clicks'), before);
  const broken = await post('/v1/streams/clicks', '[{"url": "/x"},');
  assert.equal(broken.status, 400);
  assert.match(String(broken.json.error), /not closed/);
});

test('401 without the token, 404 for an unknown stream or a view, 413 over the body limit; GET /health', async () => {
  assert.equal((await post('/v1/streams/clicks', '[]', { authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await post('/v1/streams/clicks', '[]', { authorization: '' })).status, 401);
  assert.equal((await post('/v1/streams/nosuch', '[]')).status, 404);
  const view = await post('/v1/streams/per_url', '[]');
  assert.equal(view.status, 404);
  assert.match(String(view.json.error), /materialized view/);
  const big = JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ url: `/p${i}`, n: i, ts: '2024-05-01T10:00:00Z' })));
  assert.ok(big.length > 100_000);
  const tooBig = await post('/v1/streams/clicks', big);
  assert.equal(tooBig.status, 413);
  assert.match(String(tooBig.json.error), /larger than the limit of 100000 bytes/);
  const health = await fetch(`http://127.0.0.1:${server.httpPort}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
});
