/**
 * The datagen and nexmark source connectors over the wire: bounded streams reach exactly their
 * row count, MVs over them match the batch query, the three Nexmark tables agree with each other,
 * and a kill -9 mid-stream resumes at the committed position (no gap, no duplicate).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, errorCode, sortedJson } from '../support/sql.js';
import { waitFor } from '../support/wait.js';

let dataDir: string;
let server: EddyProcess;
let client: pg.Client;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-datagen-'));
  server = await EddyProcess.start({ dataDir });
  client = await server.client();
  client.on('error', () => undefined); // the server is killed on purpose
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
});


async function count(sql: string): Promise<number> {
  return Number((await arrayRows(client, sql))[0][0]);
}

const GEN_OPTS = `connector = 'datagen', rows_per_second = '20000', max_rows = '5000', seed = '7',
  fields.id.kind = 'sequence', fields.grp.start = '0', fields.grp.end = '9', fields.name.choices = 'a,b,c',
  fields.note.length = '5', fields.note.null_rate = '0.2', fields.ts.kind = 'event_time', fields.ts.start = '2024-05-01 00:00:00+00', fields.ts.step = '10 ms'`;

test('datagen: max_rows reached exactly, deterministic for a seed, MV equals the batch query', async () => {
  await client.query(`CREATE STREAM g1 (id BIGINT, grp INT, name TEXT, note TEXT, amount FLOAT8, ts TIMESTAMPTZ) WITH (${GEN_OPTS})`);
  await client.query('CREATE MATERIALIZED VIEW g1_by_grp AS SELECT grp, name, count(*) AS n, sum(id) AS s, count(note) AS notes FROM g1 GROUP BY grp, name');
  await client.query(`CREATE STREAM g2 (id BIGINT, grp INT, name TEXT, note TEXT, amount FLOAT8, ts TIMESTAMPTZ) WITH (${GEN_OPTS})`);
  await waitFor('g1 and g2 to reach 5000 rows', async () => (await count('SELECT count(*) FROM g1')) === 5000 && (await count('SELECT count(*) FROM g2')) === 5000);
  await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive
  assert.equal(await count('SELECT count(*) FROM g1'), 5000);
  const [mn, mx, distinct, g, names] = (await arrayRows(client, 'SELECT min(id), max(id), count(DISTINCT id), count(DISTINCT grp), count(DISTINCT name) FROM g1'))[0].map(Number);
  assert.deepEqual([mn, mx, distinct, g, names], [1, 5000, 5000, 10, 3]);
  const nulls = await count('SELECT count(*) FROM g1 WHERE note IS NULL');
  assert.ok(nulls > 800 && nulls < 1200, `null share ${nulls}/5000`);
  assert.equal(await count("SELECT count(*) FROM g1 WHERE ts <> TIMESTAMPTZ '2024-05-01 00:00:00+00' + (id - 1) * INTERVAL '10 milliseconds'"), 0);
  // Same options, same seed: the same rows.
  assert.deepEqual(sortedJson(await arrayRows(client, 'SELECT * FROM g2')), sortedJson(await arrayRows(client, 'SELECT * FROM g1')));
  await waitFor('the MV to catch up', async () => (await count('SELECT sum(n) FROM g1_by_grp')) === 5000);
  assert.deepEqual(
    sortedJson(await arrayRows(client, 'SELECT grp, name, n, s, notes FROM g1_by_grp')),
    sortedJson(await arrayRows(client, 'SELECT grp, name, count(*) AS n, sum(id) AS s, count(note) AS notes FROM g1 GROUP BY grp, name')),
  );
  const status = String((await arrayRows(client, "SELECT source_status FROM eddy_streams WHERE name = 'g1'"))[0][0]);
  assert.match(status, /finished/);
});

test('datagen with defaults: 1000 rows/s, the WATERMARK column takes the wall clock', async () => {
  await client.query("CREATE STREAM live (id BIGINT, label VARCHAR(6), ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (connector = 'datagen')");
  const t0 = Date.now();
  await waitFor('live rows', async () => (await count('SELECT count(*) FROM live')) >= 500);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed > 300, `500 rows at 1000/s after ${elapsed} ms`);
  const [oldest, newest, shortest, longest] = (await arrayRows(client, 'SELECT extract(epoch FROM min(ts)), extract(epoch FROM max(ts)), min(length(label)), max(length(label)) FROM live'))[0].map(Number);
  assert.ok(oldest * 1000 >= t0 - 2000 && newest * 1000 <= Date.now() + 1000, `${oldest} ${newest} vs ${t0}`);
  assert.deepEqual([shortest, longest], [6, 6]);
  await client.query('DROP STREAM live');
});

test('datagen and nexmark: options are validated (22023)', async () => {
  const bad = [
    "CREATE STREAM e1 (id BIGINT) WITH (connector = 'datagen', rows_per_second = 'fast')",
    "CREATE STREAM e2 (id BIGINT) WITH (connector = 'datagen', fields.nope.kind = 'sequence')",
    "CREATE STREAM e3 (id BIGINT) WITH (connector = 'datagen', fields.id.kind = 'zigzag')",
    "CREATE STREAM e4 (id BIGINT) WITH (connector = 'datagen', fields.id.start = '10', fields.id.end = '1')",
    "CREATE STREAM e5 (id BIGINT) WITH (connector = 'datagen', bogus = '1')",
    "CREATE STREAM e6 (auction BIGINT, price BIGINT) WITH (connector = 'nexmark', table = 'bid')",
    "CREATE STREAM e7 (id BIGINT) WITH (connector = 'nexmark', table = 'bids')",
  ];
  for (const sql of bad) assert.equal(await errorCode(client, sql), '22023', sql);
  try {
    await client.query("CREATE STREAM e8 (auction BIGINT, price TEXT) WITH (connector = 'nexmark', table = 'bid')");
    assert.fail('expected an error');
  } catch (e) {
    assert.match(String((e as Error).message), /price/);
  }
});

const PERSON_COLS = 'id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR';
const AUCTION_COLS = 'id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR';
const BID_COLS = 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR';

test('nexmark: max_events gives the 1:3:46 counts and consistent tables', async () => {
  const opts = "connector = 'nexmark', events_per_second = '100000', max_events = '20000', seed = '3'";
  await client.query(`CREATE STREAM person (${PERSON_COLS}) WITH (${opts}, table = 'person')`);
  await client.query(`CREATE STREAM auction (${AUCTION_COLS}) WITH (${opts}, table = 'auction')`);
  await client.query(`CREATE STREAM bid (${BID_COLS}, WATERMARK FOR date_time AS date_time - INTERVAL '4 seconds') WITH (${opts}, table = 'bid')`);
  await waitFor('the three tables to fill', async () =>
    (await count('SELECT count(*) FROM bid')) === 18400 && (await count('SELECT count(*) FROM auction')) === 1200 && (await count('SELECT count(*) FROM person')) === 400);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await count('SELECT count(*) FROM bid'), 18400);
  assert.deepEqual((await arrayRows(client, 'SELECT min(id), max(id), count(DISTINCT id) FROM person'))[0].map(Number), [1000, 1399, 400]);
  assert.deepEqual((await arrayRows(client, 'SELECT min(id), max(id), count(DISTINCT id) FROM auction'))[0].map(Number), [1000, 2199, 1200]);
  // Bids name auctions and people that exist (the spec lets a random pick lead by up to 10 ids).
  assert.equal(await count('SELECT count(*) FROM bid WHERE auction < 1000 OR auction > 2199 + 10 OR bidder < 1000 OR bidder > 1399 + 10'), 0);
  const matched = await count('SELECT count(*) FROM bid b JOIN auction a ON b.auction = a.id');
  assert.ok(matched > 18400 * 0.95, `bids with a known auction: ${matched}`);
  assert.equal(await count('SELECT count(*) FROM auction a LEFT JOIN person p ON a.seller = p.id WHERE p.id IS NULL AND a.seller <= 1399'), 0);
  // Event time: 10 000 events/s of event time from 2015-07-15, so 20 000 events span 2 s.
  const [lo, hi] = (await arrayRows(client, "SELECT to_char(min(date_time), 'YYYY-MM-DD HH24:MI:SS.MS'), to_char(max(date_time), 'YYYY-MM-DD HH24:MI:SS.MS') FROM bid"))[0];
  assert.equal(lo, '2015-07-15 00:00:00.000');
  assert.equal(hi, '2015-07-15 00:00:01.999');
});

test('kill -9 mid-stream: datagen and nexmark resume exactly at the committed position', async () => {
  await client.query("CREATE STREAM seq (id BIGINT, v INT) WITH (connector = 'datagen', rows_per_second = '4000', max_rows = '20000', seed = '1', fields.id.kind = 'sequence')");
  await client.query("CREATE STREAM nbid (" + BID_COLS + ") WITH (connector = 'nexmark', table = 'bid', events_per_second = '4000', max_events = '20000', seed = '5')");
  await waitFor('some rows', async () => (await count('SELECT count(*) FROM seq')) > 3000, 20_000);
  await server.kill();
  await client.end().catch(() => undefined);
  server = await EddyProcess.start({ dataDir });
  client = await server.client();
  client.on('error', () => undefined);
  await waitFor('both streams to finish', async () => (await count('SELECT count(*) FROM seq')) >= 20000 && (await count('SELECT count(*) FROM nbid')) >= 18400, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual((await arrayRows(client, 'SELECT count(*), count(DISTINCT id), min(id), max(id) FROM seq'))[0].map(Number), [20000, 20000, 1, 20000]);
  // Nexmark bids carry no unique id; event time with 10 000 events/s is distinct per ms pair, so
  // compare against a fresh, uninterrupted stream with the same options.
  await client.query("CREATE STREAM nbid2 (" + BID_COLS + ") WITH (connector = 'nexmark', table = 'bid', events_per_second = '200000', max_events = '20000', seed = '5')");
  await waitFor('the reference stream', async () => (await count('SELECT count(*) FROM nbid2')) === 18400);
  assert.equal(await count('SELECT count(*) FROM nbid'), 18400);
  assert.deepEqual(sortedJson(await arrayRows(client, 'SELECT * FROM nbid')), sortedJson(await arrayRows(client, 'SELECT * FROM nbid2')));
});
