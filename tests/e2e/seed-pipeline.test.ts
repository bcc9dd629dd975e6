/**
 * The seed pipeline end to end, as issue 6 will check it: JSON page views from Kafka (the test
 * broker), per-page per-minute counts, sinks updated in place on (page, minute) in the machine's
 * MariaDB and PostgreSQL, with Eddy killed with -9 between two rounds of events. Both tables must
 * equal the counts computed here from what was produced.
 *
 * Without the databases the test is skipped (with a message), except under CI=true, where it fails.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Message } from 'kafkajs';
import { EddyProcess } from '../support/server-process.js';
import { KafkaTestBroker } from '../support/kafka-broker/broker.js';
import { createTopic, produce, waitFor } from '../support/kafka.js';
import { arrayRows } from '../support/sql.js';
import { Rng } from '../support/rng.js';

const TABLE = `page_minute_p${process.pid}`;

async function targets(): Promise<{ my: mysql.Connection; pgc: pg.Client } | undefined> {
  try {
    const my = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', dateStrings: true, timezone: 'Z' });
    const pgc = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
    await pgc.connect();
    return { my, pgc };
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`MariaDB on 127.0.0.1:3306 and PostgreSQL on 127.0.0.1:5432 are required under CI=true: ${(e as Error).message}`);
    console.warn(`# MariaDB or PostgreSQL not reachable (${(e as Error).message}): the seed pipeline test is skipped`);
    return undefined;
  }
}

const dbs = await targets();
let cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  cleanup = [];
});

function round(seed: number, n: number, startMs: number): { messages: Message[]; counts: Map<string, number> } {
  const rng = new Rng(seed);
  const messages: Message[] = [];
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const ts = startMs + i * 200 - rng.int(0, 3000); // out of order by up to 3 s, under the 5 s delay
    const page = `/page/${rng.int(0, 6)}`;
    messages.push({ partition: i % 3, value: JSON.stringify({ page, user_id: rng.int(1, 50), ts: new Date(ts).toISOString() }) });
    const minute = new Date(Math.floor(ts / 60_000) * 60_000).toISOString().replace('T', ' ').replace('.000Z', '');
    counts.set(`${page}|${minute}`, (counts.get(`${page}|${minute}`) ?? 0) + 1);
  }
  if (seed === 1) messages.splice(100, 0, { partition: 1, value: '{"page": 42, "ts": "not a time"}' }, { partition: 2, value: 'garbage' });
  return { messages, counts };
}

test('Kafka page views -> per-minute counts -> MySQL and PostgreSQL, kill -9 between rounds: both tables exact', { skip: dbs === undefined ? 'databases not reachable' : false }, async () => {
  const { my, pgc } = dbs!;
  cleanup.push(async () => { await my.query(`DROP TABLE IF EXISTS \`${TABLE}\``); await my.end(); });
  cleanup.push(async () => { await pgc.query(`DROP TABLE IF EXISTS "${TABLE}"`); await pgc.end(); });
  const broker = await KafkaTestBroker.start({ port: 0, removeDataDirOnStop: true });
  cleanup.push(() => broker.stop());
  let server = await EddyProcess.start();
  const dataDir = server.dataDir;
  cleanup.push(() => server.cleanup());
  let c = await server.client();
  c.on('error', () => undefined);
  await createTopic(broker.brokers, 'page_views', 3);
  await c.query(`CREATE STREAM page_views (page TEXT, user_id BIGINT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')
    WITH (connector = 'kafka', topic = 'page_views', brokers = '${broker.brokers}', format = 'json')`);
  await c.query(`CREATE MATERIALIZED VIEW page_minute AS SELECT page, window_start AS minute, count(*) AS views
    FROM TUMBLE(page_views, ts, INTERVAL '1 minute') GROUP BY page, window_start`);
  await c.query(`CREATE SINK pm_mysql FROM page_minute WITH (connector = 'mysql', url = 'mysql://root@127.0.0.1:3306/test', table = '${TABLE}')`);
  await c.query(`CREATE SINK pm_pg FROM page_minute WITH (connector = 'postgres', url = 'postgresql://postgres@127.0.0.1:5432/test', table = '${TABLE}')`);

  const t0 = Date.parse('2024-05-01T10:00:00Z');
  const r1 = round(1, 1500, t0);
  const r2 = round(2, 1500, t0 + 310_000); // after round 1 (which ends at +300 s): nothing late
  await produce(broker.brokers, 'page_views', r1.messages);
  await waitFor('round 1', async () => Number((await arrayRows(c, `SELECT rows_accepted FROM eddy_streams WHERE name = 'page_views'`))[0][0]) === 1500);
  await server.kill();
  // Round 2 arrives while Eddy is down.
  await produce(broker.brokers, 'page_views', r2.messages);
  const own = server;
  server = await EddyProcess.start({ dataDir });
  cleanup.push(() => own.cleanup());
  c = await server.client();
  c.on('error', () => undefined);
  await waitFor('round 2', async () => Number((await arrayRows(c, `SELECT rows_accepted FROM eddy_streams WHERE name = 'page_views'`))[0][0]) === 3000, 60_000);
  await c.query('FLUSH');
  await waitFor('both sinks to catch up', async () => {
    const rows = await arrayRows(c, `SELECT name, pending_epochs, status FROM eddy_sinks ORDER BY name`);
    return rows.length === 2 && rows.every((r) => Number(r[1]) === 0 && r[2] === 'running');
  }, 60_000);

  const expected = new Map(r1.counts);
  for (const [k, n] of r2.counts) expected.set(k, (expected.get(k) ?? 0) + n);
  const want = [...expected].map(([k, n]) => `${k}|${n}`).sort();
  const [myRows] = await my.query(`SELECT page, DATE_FORMAT(minute, '%Y-%m-%d %H:%i:%s') AS minute, views FROM \`${TABLE}\``);
  assert.deepEqual((myRows as { page: string; minute: string; views: number }[]).map((r) => `${r.page}|${r.minute}|${r.views}`).sort(), want);
  const pgRows = await pgc.query(`SELECT page, to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS minute, views FROM "${TABLE}"`);
  assert.deepEqual(pgRows.rows.map((r: { page: string; minute: string; views: string }) => `${r.page}|${r.minute}|${r.views}`).sort(), want);
  const [[bad]] = await arrayRows(c, `SELECT malformed_rows FROM eddy_streams WHERE name = 'page_views'`);
  assert.equal(Number(bad), 2);
  await c.end();
});
