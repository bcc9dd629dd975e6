/**
 * Kafka in and out over the wire: the test broker (tests/support/kafka-broker) runs in this
 * process, Eddy as a real server process that is killed with -9 mid-stream. Every count must be
 * exactly right afterwards: offsets commit with the epoch (nothing lost, nothing twice), and the
 * sink's transactions carry their epoch (nothing written twice).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import avsc from 'avsc';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { EddyProcess } from '../support/server-process.js';
import { KafkaTestBroker } from '../support/kafka-broker/broker.js';
import { createTopic, kafka, produce, readTopic, waitFor } from '../support/kafka.js';
import { arrayRows, errorCode, sortedJson } from '../support/sql.js';
import { Rng } from '../support/rng.js';

let broker: KafkaTestBroker;
let server: EddyProcess;
let client: pg.Client;

before(async () => {
  broker = await KafkaTestBroker.start({ port: 0 });
  server = await EddyProcess.start();
  client = await server.client();
  client.on('error', () => undefined); // the server is killed on purpose
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
  await broker?.stop();
});

async function restart(): Promise<void> {
  await client.end().catch(() => undefined);
  server = await EddyProcess.start({ dataDir: server.dataDir });
  client = await server.client();
  client.on('error', () => undefined);
}

const MINUTE = 60_000;
const T0 = Date.parse('2024-05-01T10:00:00Z');

/** Page views spread over 3 partitions, out of order by up to 5 s within each partition. */
function pageViews(seed: number, n: number, startMs: number): { messages: Message[]; rows: { page: string; ts: number }[] } {
  const rnd = new Rng(seed);
  const r = () => rnd.next();
  const rows: { page: string; ts: number }[] = [];
  const messages: Message[] = [];
  for (let i = 0; i < n; i++) {
    const ts = startMs + i * 500 - Math.floor(r() * 5000);
    const page = `/p${Math.floor(r() * 5)}`;
    rows.push({ page, ts });
    messages.push({ partition: i % 3, key: page, value: JSON.stringify({ page, ts: new Date(ts).toISOString() }) });
  }
  return { messages, rows };
}

function minuteCounts(rows: { page: string; ts: number }[]): string[] {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.page}|${new Date(Math.floor(r.ts / MINUTE) * MINUTE).toISOString()}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => `${k}|${n}`).sort();
}

async function mvCounts(mv: string): Promise<string[]> {
  const rows = await arrayRows(client, `SELECT page, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), n FROM ${mv}`);
  return rows.map((r) => `${r[0]}|${r[1]}|${r[2]}`).sort();
}

async function accepted(stream: string): Promise<number> {
  const rows = await arrayRows(client, 'SELECT rows_accepted FROM eddy_streams WHERE name = $1', [stream]);
  return Number(rows[0]?.[0] ?? -1);
}

async function waitAccepted(stream: string, n: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${stream} to accept ${n} rows`, async () => (await accepted(stream)) === n, timeoutMs);
  await client.query('FLUSH');
}

function brokerOptions(topic: string, extra = ''): string {
  return `connector = 'kafka', topic = '${topic}', brokers = '${broker.brokers}', metadata_refresh = '1 second'${extra}`;
}

test('Kafka -> tumbling count over 3 partitions, out of order, malformed records skipped and sampled', async () => {
  await createTopic(broker.brokers, 'views1', 3);
  const { messages, rows } = pageViews(1, 600, T0);
  const bad: Message[] = [
    { partition: 0, value: '{"page": "/x", "ts": ' },
    { partition: 1, value: 'not json at all' },
    { partition: 2, value: JSON.stringify({ page: '/y', ts: 'yesterday-ish' }) },
    { partition: 0, value: JSON.stringify({ page: '/z' }) }, // no event time
  ];
  await produce(broker.brokers, 'views1', [...messages.slice(0, 300), ...bad, ...messages.slice(300)]);
  await client.query(`CREATE STREAM views1 (page TEXT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '10 seconds') WITH (${brokerOptions('views1')})`);
  await client.query(`CREATE MATERIALIZED VIEW per_minute1 AS SELECT page, window_start, count(*) AS n FROM TUMBLE(views1, ts, INTERVAL '1 minute') GROUP BY page, window_start`);
  await waitAccepted('views1', 600);
  assert.deepEqual(await mvCounts('per_minute1'), minuteCounts(rows));
  // The MV equals its query run as a batch over the same input.
  const batch = await arrayRows(client, `SELECT page, window_start, count(*) FROM TUMBLE(views1, ts, INTERVAL '1 minute') GROUP BY page, window_start`);
  assert.deepEqual(sortedJson(await arrayRows(client, 'SELECT page, window_start, n FROM per_minute1')), sortedJson(batch));
  const [stat] = await arrayRows(client, `SELECT malformed_rows, late_rows, connector, source_status FROM eddy_streams WHERE name = 'views1'`);
  assert.equal(Number(stat[0]), 4);
  assert.equal(Number(stat[1]), 0);
  assert.equal(stat[2], 'kafka');
  assert.equal(stat[3], 'running');
  const errors = await arrayRows(client, `SELECT sqlstate, message, row FROM eddy_errors WHERE object = 'views1' ORDER BY id`);
  assert.equal(errors.length, 4);
  assert.ok(errors.some((e) => String(e[2]).includes('not json at all') && String(e[0]).startsWith('22')), JSON.stringify(errors));
  assert.ok(errors.some((e) => String(e[1]).includes('"ts"') && String(e[1]).includes('not-null')), JSON.stringify(errors));
  const [show] = await arrayRows(client, 'SHOW STREAMS');
  assert.ok(show.includes('kafka'));
  // The committed position is copied to the group eddy-<stream> for Kafka's lag tools.
  const admin = kafka(broker.brokers).admin();
  await admin.connect();
  try {
    await waitFor('the informational group offsets', async () => {
      const [t] = await admin.fetchOffsets({ groupId: 'eddy-views1', topics: ['views1'] });
      return t.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === 604;
    }, 20_000, 250);
  } finally {
    await admin.disconnect();
  }
});

test('kill -9 between and during batches: every count exactly right afterwards', async () => {
  await createTopic(broker.brokers, 'views2', 3);
  const rounds = [pageViews(21, 900, T0), pageViews(22, 900, T0 + 450_000), pageViews(23, 30_000, T0 + 900_000)];
  await client.query(`CREATE STREAM views2 (page TEXT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '10 seconds') WITH (${brokerOptions('views2')})`);
  await client.query(`CREATE MATERIALIZED VIEW per_minute2 AS SELECT page, window_start, count(*) AS n FROM TUMBLE(views2, ts, INTERVAL '1 minute') GROUP BY page, window_start`);
  await produce(broker.brokers, 'views2', rounds[0].messages);
  await waitAccepted('views2', 900);
  // Between batches: everything of round 1 is committed; round 2 is produced while Eddy is down.
  await server.kill();
  await produce(broker.brokers, 'views2', rounds[1].messages);
  await restart();
  await waitAccepted('views2', 1800);
  assert.deepEqual(await mvCounts('per_minute2'), minuteCounts([...rounds[0].rows, ...rounds[1].rows]));
  // During a batch: round 3 is read in several batches (one per partition and fetch); Eddy kills
  // itself right after the second one committed, with the rest of the round unread or in flight.
  await client.end();
  await server.stop();
  server = await EddyProcess.start({ dataDir: server.dataDir, env: { EDDY_CRASH_POINT: 'source-batch-committed:2' } });
  await produce(broker.brokers, 'views2', rounds[2].messages);
  await waitFor('the crash point', async () => !server.running, 30_000);
  await restart();
  await waitAccepted('views2', 31_800, 60_000);
  const all = [...rounds[0].rows, ...rounds[1].rows, ...rounds[2].rows];
  assert.deepEqual(await mvCounts('per_minute2'), minuteCounts(all));
  const [[n]] = await arrayRows(client, 'SELECT count(*) FROM views2');
  assert.equal(Number(n), 31_800);
});

test('a broker restart mid-stream: status shows the outage, the server keeps working, no loss', async () => {
  await createTopic(broker.brokers, 'views3', 3);
  const a = pageViews(31, 300, T0);
  const b = pageViews(32, 300, T0 + 200_000);
  await client.query(`CREATE STREAM views3 (page TEXT, ts TIMESTAMPTZ) WITH (${brokerOptions('views3')})`);
  await client.query('CREATE MATERIALIZED VIEW per_page3 AS SELECT page, count(*) AS n FROM views3 GROUP BY page');
  await produce(broker.brokers, 'views3', a.messages);
  await waitAccepted('views3', 300);
  const port = broker.port;
  const dataDir = broker.dataDir;
  await broker.stop();
  await waitFor('the stream to report the outage', async () => {
    const [[st]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'views3'`);
    return String(st).startsWith('retrying');
  }, 60_000, 200);
  // The rest of the server is unaffected.
  await client.query('CREATE STREAM side3 (x INT)');
  await client.query('INSERT INTO side3 VALUES (1), (2)');
  assert.deepEqual(await arrayRows(client, 'SELECT sum(x) FROM side3'), [['3']]);
  broker = await KafkaTestBroker.start({ port, dataDir });
  await produce(broker.brokers, 'views3', b.messages);
  await waitAccepted('views3', 600, 60_000);
  const expected = new Map<string, number>();
  for (const r of [...a.rows, ...b.rows]) expected.set(r.page, (expected.get(r.page) ?? 0) + 1);
  assert.deepEqual(sortedJson(await arrayRows(client, 'SELECT page, n FROM per_page3')), sortedJson([...expected].map(([p, n]) => [p, String(n)])));
  const [[st]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'views3'`);
  assert.equal(st, 'running');
});

test('metadata columns, the record timestamp as event time, partitions added later, startup = latest', async () => {
  await createTopic(broker.brokers, 'meta4', 2);
  await produce(broker.brokers, 'meta4', [
    { partition: 0, key: 'k0', value: '{"v": 1}', timestamp: String(T0), headers: { h: 'x' } },
    { partition: 1, key: null, value: '{"v": 2}', timestamp: String(T0 + 1000) },
  ]);
  await client.query(`CREATE STREAM meta4 (v INT, _key TEXT, _partition INT, _offset BIGINT, _timestamp TIMESTAMPTZ, _headers JSONB,
    WATERMARK FOR _timestamp AS _timestamp - INTERVAL '1 second') WITH (${brokerOptions('meta4')})`);
  await waitAccepted('meta4', 2);
  assert.deepEqual(
    await arrayRows(client, `SELECT v, _key, _partition, _offset, _timestamp = '2024-05-01 10:00:00+00'::timestamptz + (v - 1) * INTERVAL '1 second', _headers FROM meta4 ORDER BY v`),
    [[1, 'k0', 0, '0', true, { h: 'x' }], [2, null, 1, '0', true, {}]],
  );
  const admin = kafka(broker.brokers).admin();
  await admin.connect();
  await admin.createPartitions({ topicPartitions: [{ topic: 'meta4', count: 3 }] });
  await admin.disconnect();
  await produce(broker.brokers, 'meta4', [{ partition: 2, value: '{"v": 3}', timestamp: String(T0 + 2000) }]);
  await waitAccepted('meta4', 3, 60_000);
  assert.deepEqual(await arrayRows(client, 'SELECT v, _partition FROM meta4 WHERE v = 3'), [[3, 2]]);
  // startup = latest: what the topic held before the stream existed is not read.
  await client.query(`CREATE STREAM latest4 (v INT) WITH (${brokerOptions('meta4', ", startup = 'latest'")})`);
  await waitFor('latest4 to start', async () => {
    const [[st]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'latest4'`);
    return st === 'running';
  });
  await produce(broker.brokers, 'meta4', [{ partition: 0, value: '{"v": 4}' }]);
  await waitAccepted('latest4', 1);
  assert.deepEqual(await arrayRows(client, 'SELECT v FROM latest4'), [[4]]);
  // Where 'latest' resolved to is committed at once: records produced while Eddy is down are read after the restart.
  await client.query(`CREATE STREAM latest4b (v INT) WITH (${brokerOptions('meta4', ", startup = 'latest'")})`);
  await waitFor('latest4b to start', async () => {
    const [[st]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'latest4b'`);
    return st === 'running';
  });
  await client.query('FLUSH');
  await server.kill();
  await produce(broker.brokers, 'meta4', [{ partition: 1, value: '{"v": 5}' }]);
  await restart();
  await waitAccepted('latest4b', 1);
  assert.deepEqual(await arrayRows(client, 'SELECT v FROM latest4b'), [[5]]);
});

test('SIGTERM does not hang on a broker that accepts connections but never answers', async () => {
  const silent = net.createServer(() => undefined); // accepts, never replies
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  const s = await EddyProcess.start();
  try {
    const c = await s.client();
    c.on('error', () => undefined);
    await c.query(`CREATE STREAM frozen12 (x INT) WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:${port}')`);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    assert.equal(await s.stop(), 0);
    assert.ok(Date.now() - t0 < 10_000, `shutdown took ${Date.now() - t0} ms`);
  } finally {
    await s.cleanup();
    silent.close();
  }
});

test('per-partition watermarks: a lagging partition holds the watermark; its rows are not late', async () => {
  await createTopic(broker.brokers, 'wm5', 2);
  await client.query(`CREATE STREAM wm5 (id INT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (${brokerOptions('wm5', ", partition_idle_timeout = '1 hour'")})`);
  await produce(broker.brokers, 'wm5', [{ partition: 0, value: JSON.stringify({ id: 1, ts: new Date(T0).toISOString() }) }]);
  await waitAccepted('wm5', 1);
  await produce(broker.brokers, 'wm5', [{ partition: 1, value: JSON.stringify({ id: 2, ts: new Date(T0 + 3_600_000).toISOString() }) }]);
  await waitAccepted('wm5', 2);
  // Partition 0 is an hour behind partition 1: the watermark follows partition 0.
  const [[wm]] = await arrayRows(client, `SELECT watermark = '2024-05-01 09:59:59+00'::timestamptz FROM eddy_streams WHERE name = 'wm5'`);
  assert.equal(wm, true);
  await produce(broker.brokers, 'wm5', [{ partition: 0, value: JSON.stringify({ id: 3, ts: new Date(T0 + 60_000).toISOString() }) }]);
  await waitAccepted('wm5', 3);
  const [[late]] = await arrayRows(client, `SELECT late_rows FROM eddy_streams WHERE name = 'wm5'`);
  assert.equal(Number(late), 0);

  // With partition_idle_timeout = 1 second, the silent slow partition stops holding the watermark.
  await createTopic(broker.brokers, 'wm5b', 2);
  await client.query(`CREATE STREAM wm5b (id INT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (${brokerOptions('wm5b', ", partition_idle_timeout = '1 second'")})`);
  await produce(broker.brokers, 'wm5b', [
    { partition: 0, value: JSON.stringify({ id: 1, ts: new Date(T0).toISOString() }) },
    { partition: 1, value: JSON.stringify({ id: 2, ts: new Date(T0 + 3_600_000).toISOString() }) },
  ]);
  await waitAccepted('wm5b', 2);
  await waitFor('the idle partition to stop holding the watermark', async () => {
    const [[moved]] = await arrayRows(client, `SELECT watermark = '2024-05-01 10:59:59+00'::timestamptz FROM eddy_streams WHERE name = 'wm5b'`);
    return moved === true;
  }, 10_000, 100);
});

test('Kafka sink: upsert with tombstones, exactly once across kill -9 (read back with kafkajs)', async () => {
  await client.query(`CREATE TABLE prices6 (sym TEXT PRIMARY KEY, px INT)`);
  await client.query(`CREATE MATERIALIZED VIEW totals6 AS SELECT sym, sum(px) AS total FROM prices6 GROUP BY sym`);
  await client.query(`INSERT INTO prices6 VALUES ('a', 1), ('b', 2), ('c', 3)`);
  await client.query(`CREATE SINK totals6_out FROM totals6 WITH (${brokerOptions('totals6_out')})`);
  // The snapshot is written first, so the DELETE below reaches Kafka as a tombstone (a key added
  // and deleted within one batch nets out to no record at all).
  await waitFor('the snapshot to be written', async () => {
    const [[pending, written]] = await arrayRows(client, `SELECT pending_epochs, written_epoch FROM eddy_sinks WHERE name = 'totals6_out'`);
    return Number(pending) === 0 && written !== null;
  });
  await client.query(`UPDATE prices6 SET px = 10 WHERE sym = 'a'`);
  await client.query(`DELETE FROM prices6 WHERE sym = 'b'`);
  await waitFor('the sink to catch up', async () => {
    const [[pending, status]] = await arrayRows(client, `SELECT pending_epochs, status FROM eddy_sinks WHERE name = 'totals6_out'`);
    return Number(pending) === 0 && status === 'running';
  });
  let records = await readTopic(broker.brokers, 'totals6_out');
  const latest = (rs: typeof records) => {
    const m = new Map<string, string | null>();
    for (const r of rs) m.set(r.key!, r.value);
    return m;
  };
  let m = latest(records);
  assert.equal(m.get('{"sym":"a"}'), '{"sym":"a","total":10}');
  assert.equal(m.get('{"sym":"b"}'), null, 'deleted key gets a tombstone');
  assert.equal(m.get('{"sym":"c"}'), '{"sym":"c","total":3}');
  // Many epochs, then kill -9 while the sink is busy; after the restart nothing is written twice.
  for (let i = 0; i < 60; i++) await client.query(`INSERT INTO prices6 VALUES ('k${i}', ${i})`);
  await server.kill();
  await restart();
  for (let i = 60; i < 80; i++) await client.query(`INSERT INTO prices6 VALUES ('k${i}', ${i})`);
  await waitFor('the sink to catch up after the restart', async () => {
    const [[pending]] = await arrayRows(client, `SELECT pending_epochs FROM eddy_sinks WHERE name = 'totals6_out'`);
    return Number(pending) === 0;
  });
  records = await readTopic(broker.brokers, 'totals6_out');
  const perEpochKey = new Map<string, number>();
  for (const r of records) {
    const k = `${r.headers['eddy-epoch']}|${r.key}`;
    perEpochKey.set(k, (perEpochKey.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...perEpochKey].filter(([, n]) => n > 1), [], 'no epoch written twice');
  m = latest(records);
  const mv = await arrayRows(client, 'SELECT sym, total FROM totals6');
  const live = new Map([...m].filter(([, v]) => v !== null));
  assert.equal(live.size, mv.length);
  for (const [sym, total] of mv) assert.equal(live.get(JSON.stringify({ sym })), JSON.stringify({ sym, total: Number(total) }));
});

test('Kafka sink in append mode from a stream: every row exactly once; options are validated', async () => {
  await client.query('CREATE STREAM events7 (id INT, body TEXT)');
  const values = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => `(${lo + i}, 'x${lo + i}')`).join(', ');
  // More rows than one chunked insert (64) before the sink exists: its snapshot reads the stream.
  await client.query(`INSERT INTO events7 VALUES ${values(1, 100)}`);
  await client.query(`CREATE SINK events7_out FROM events7 WITH (${brokerOptions('events7_out')})`);
  for (let i = 0; i < 10; i++) await client.query(`INSERT INTO events7 VALUES ${values(101 + i * 10, 110 + i * 10)}`);
  await waitFor('the append sink to catch up', async () => {
    const [[pending]] = await arrayRows(client, `SELECT pending_epochs FROM eddy_sinks WHERE name = 'events7_out'`);
    return Number(pending) === 0;
  });
  const ids = (await readTopic(broker.brokers, 'events7_out')).map((r) => (JSON.parse(r.value!) as { id: number }).id).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: 200 }, (_, i) => i + 1));
  assert.deepEqual((await arrayRows(client, 'SHOW SINKS')).map((r) => r[0]).filter((n) => String(n).startsWith('events7')), ['events7_out']);

  // Bad options: 22023 naming the option; an unreachable broker with validate = true: 08001.
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'kafka', topic = 't')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'kafka', topic = 't', brokers = 'nohostport')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'kafka', topic = 't', brokers = 'localhost:9092', startup = 'sometime')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'kafka', topic = 't', brokers = 'localhost:9092', colour = 'red')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT, _offset TEXT) WITH (connector = 'kafka', topic = 't', brokers = 'localhost:9092')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'nosuch')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM bad7 (x INT) WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1', validate = 'true')`), '08001');
  assert.equal(await errorCode(client, `CREATE SINK bad7 FROM totals6 WITH (${brokerOptions('x', ", mode = 'append'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK bad7 FROM events7 WITH (${brokerOptions('x', ", mode = 'upsert'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK bad7 FROM nosuch WITH (${brokerOptions('x')})`), '42P01');
  assert.equal(await errorCode(client, 'SELECT * FROM events7_out'), '42809');
  await client.query('DROP SINK events7_out');
  assert.deepEqual(await arrayRows(client, `SELECT name FROM eddy_sinks WHERE name = 'events7_out'`), []);
});

test('the README Kafka example and docker/init.sql run against the test broker', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = readme.split('## Kafka in and out')[1].split('```sql')[1].split('```')[0];
  await createTopic(broker.brokers, 'page_views', 3);
  for (const stmt of example.split(';').map((x) => x.replace(/--.*$/gm, '').trim()).filter(Boolean)) {
    await client.query(stmt.replaceAll('localhost:9092', broker.brokers));
  }
  const init = fs.readFileSync(path.join(root, 'docker/init.sql'), 'utf8').replaceAll('kafka:9092', broker.brokers);
  await client.query(init); // IF NOT EXISTS throughout: a second run is harmless
  await produce(broker.brokers, 'page_views', [
    { partition: 0, value: '{"page": "/home", "user_id": 1, "ts": "2024-05-01T10:00:03Z"}' },
    { partition: 1, value: '{"page": "/home", "user_id": 2, "ts": "2024-05-01T10:00:09Z"}' },
    { partition: 2, value: '{"page": "/cart", "user_id": 1, "ts": "2024-05-01T10:01:30Z"}' },
  ]);
  await waitAccepted('page_views', 3);
  assert.deepEqual(sortedJson(await arrayRows(client, `SELECT page, minute::text, views FROM page_minute`)), sortedJson([
    ['/home', '2024-05-01 10:00:00+00', '2'],
    ['/cart', '2024-05-01 10:01:00+00', '1'],
  ]));
  await waitFor('the sink to write', async () => (await readTopic(broker.brokers, 'page_minute')).length >= 2);
});

test('CSV and Avro payloads: decoded by the stream format, bad records counted', async () => {
  await createTopic(broker.brokers, 'csv8', 1);
  await produce(broker.brokers, 'csv8', [
    { value: 'id,name,amount' },
    { value: '1,"Smith, Jo",10.50' },
    { value: '2,plain,x' }, // amount is not numeric
    { value: '3,"say ""hi""",7' },
  ]);
  await client.query(`CREATE STREAM csv8 (id INT, name TEXT, amount NUMERIC) WITH (${brokerOptions('csv8', ", format = 'csv', csv.header = 'true'")})`);
  await waitFor('csv8 to read its topic', async () => {
    const [[ok, bad]] = await arrayRows(client, `SELECT rows_accepted, malformed_rows FROM eddy_streams WHERE name = 'csv8'`);
    return Number(ok) === 2 && Number(bad) === 1;
  });
  assert.deepEqual(await arrayRows(client, 'SELECT id, name, amount FROM csv8 ORDER BY id'), [[1, 'Smith, Jo', '10.50'], [3, 'say "hi"', '7']]);

  const schema = { type: 'record', name: 'Click', fields: [{ name: 'url', type: 'string' }, { name: 'n', type: 'long' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }] };
  const avro = avsc.Type.forSchema(schema as avsc.Schema);
  await createTopic(broker.brokers, 'avro8', 2);
  await produce(broker.brokers, 'avro8', [
    { partition: 0, value: avro.toBuffer({ url: '/a', n: 5, at: T0 }) },
    { partition: 1, value: avro.toBuffer({ url: '/b', n: 7, at: T0 + 1500 }) },
    { partition: 1, value: Buffer.from([1, 2, 3]) },
  ]);
  await client.query(`CREATE STREAM avro8 (url TEXT, n BIGINT, at TIMESTAMPTZ) WITH (${brokerOptions('avro8', `, format = 'avro', avro.schema = '${JSON.stringify(schema)}'`)})`);
  await waitFor('avro8 to read its topic', async () => {
    const [[ok, bad]] = await arrayRows(client, `SELECT rows_accepted, malformed_rows FROM eddy_streams WHERE name = 'avro8'`);
    return Number(ok) === 2 && Number(bad) === 1;
  });
  assert.deepEqual(await arrayRows(client, `SELECT url, n, at = '2024-05-01 10:00:00+00'::timestamptz + (n - 5) * INTERVAL '750 milliseconds' FROM avro8 ORDER BY url`), [['/a', '5', true], ['/b', '7', true]]);
});

test('DROP STREAM stops its source; a stream re-created under the same name starts afresh', async () => {
  await createTopic(broker.brokers, 'drop9', 1);
  await produce(broker.brokers, 'drop9', [{ value: '{"x": 1}' }, { value: '{"x": 2}' }]);
  await client.query(`CREATE STREAM drop9 (x INT) WITH (${brokerOptions('drop9')})`);
  await waitAccepted('drop9', 2);
  await client.query('DROP STREAM drop9');
  await produce(broker.brokers, 'drop9', [{ value: '{"x": 3}' }]);
  await client.query(`CREATE STREAM drop9 (x INT) WITH (${brokerOptions('drop9')})`);
  await waitAccepted('drop9', 3);
  assert.deepEqual(await arrayRows(client, 'SELECT x FROM drop9 ORDER BY x'), [[1], [2], [3]]);
  const [[status]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'drop9'`);
  assert.equal(status, 'running');
});

for (const point of ['kafka-sink-before-commit', 'kafka-sink-after-commit']) {
  test(`Kafka sink crash at ${point}: after the restart every epoch is in the topic exactly once`, async () => {
    const topic = `crash_${point.replaceAll('-', '_')}`;
    const crashing = await EddyProcess.start({ env: { EDDY_CRASH_POINT: point } });
    try {
      const c = await crashing.client();
      c.on('error', () => undefined);
      await c.query('CREATE TABLE t10 (k INT PRIMARY KEY, v TEXT)');
      await c.query(`INSERT INTO t10 VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
      // The snapshot is the sink's first write: the process kills itself in the middle of it.
      await c.query(`CREATE SINK t10_out FROM t10 WITH (${brokerOptions(topic)})`).catch(() => undefined);
      await waitFor('the crash point to be reached', async () => !crashing.running, 20_000);
      const again = await EddyProcess.start({ dataDir: crashing.dataDir });
      try {
        const c2 = await again.client();
        c2.on('error', () => undefined); // cleanup kills the server if an assertion fails first
        await c2.query(`UPDATE t10 SET v = 'z' WHERE k = 2`);
        await waitFor('the sink to catch up', async () => {
          const [[pending, st]] = await arrayRows(c2, `SELECT pending_epochs, status FROM eddy_sinks WHERE name = 't10_out'`);
          return Number(pending) === 0 && st === 'running';
        });
        const records = await readTopic(broker.brokers, topic);
        const perEpochKey = new Map<string, number>();
        for (const r of records) perEpochKey.set(`${r.headers['eddy-epoch']}|${r.key}`, (perEpochKey.get(`${r.headers['eddy-epoch']}|${r.key}`) ?? 0) + 1);
        assert.deepEqual([...perEpochKey].filter(([, n]) => n > 1), []);
        // 3 snapshot rows + 1 update, or 3 when the retried snapshot and the update share a batch (netted per key).
        assert.ok(records.length === 3 || records.length === 4, JSON.stringify(records));
        const latest = new Map(records.map((r) => [r.key, r.value]));
        assert.deepEqual([...latest].sort(), [
          ['{"k":1}', '{"k":1,"v":"a"}'],
          ['{"k":2}', '{"k":2,"v":"z"}'],
          ['{"k":3}', '{"k":3,"v":"c"}'],
        ]);
        await c2.end();
      } finally {
        await again.cleanup();
      }
    } finally {
      await crashing.cleanup();
    }
  });
}

test('a partition much larger than one fetch (1 MiB) is read to its end', async () => {
  await createTopic(broker.brokers, 'big11', 2);
  const pad = 'x'.repeat(1000);
  const messages: Message[] = Array.from({ length: 6000 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ id: i, pad }) }));
  await produce(broker.brokers, 'big11', messages);
  await client.query(`CREATE STREAM big11 (id INT, pad TEXT) WITH (${brokerOptions('big11')})`);
  await waitAccepted('big11', 6000, 60_000);
  const [[n, sum]] = await arrayRows(client, 'SELECT count(DISTINCT id), sum(id) FROM big11');
  assert.deepEqual([Number(n), Number(sum)], [6000, (5999 * 6000) / 2]);
});

test('TLS and SASL/PLAIN: a source and a sink through an authenticating TLS broker; a wrong password shows in the status', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const ca = path.join(root, 'tests/support/fixtures/test-tls.crt');
  const secure = await KafkaTestBroker.start({
    port: 0,
    removeDataDirOnStop: true,
    tls: { key: fs.readFileSync(path.join(root, 'tests/support/fixtures/test-tls.key'), 'utf8'), cert: fs.readFileSync(ca, 'utf8') },
    saslPlain: { eddy: 's3cret' },
  });
  try {
    const k = new Kafka({ brokers: [secure.brokers], clientId: 'eddy-test', logLevel: logLevel.NOTHING, ssl: { ca: [fs.readFileSync(ca, 'utf8')] }, sasl: { mechanism: 'plain', username: 'eddy', password: 's3cret' } });
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'secure13', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic: 'secure13', messages: [{ partition: 0, value: '{"x": 1}' }, { partition: 1, value: '{"x": 2}' }] });
    await producer.disconnect();
    const sec = (password: string) => `connector = 'kafka', topic = 'secure13', brokers = '${secure.brokers}', tls = 'true', tls.ca = '${ca}', sasl.mechanism = 'plain', sasl.username = 'eddy', sasl.password = '${password}'`;
    await client.query(`CREATE STREAM secure13 (x INT) WITH (${sec('s3cret')}, validate = 'true')`);
    await waitAccepted('secure13', 2);
    await client.query(`CREATE SINK secure13_out FROM secure13 WITH (${sec('s3cret').replace("topic = 'secure13'", "topic = 'secure13_out'")})`);
    await waitFor('the TLS sink', async () => {
      const [[pending, st]] = await arrayRows(client, `SELECT pending_epochs, status FROM eddy_sinks WHERE name = 'secure13_out'`);
      return Number(pending) === 0 && st === 'running';
    });
    await client.query(`CREATE STREAM secure13_bad (x INT) WITH (${sec('wrong')})`);
    await waitFor('the authentication failure in the status', async () => {
      const [[st]] = await arrayRows(client, `SELECT source_status FROM eddy_streams WHERE name = 'secure13_bad'`);
      return /retrying: .*(SASL|[Aa]uthentication)/.test(String(st));
    });
    assert.equal(await errorCode(client, `CREATE STREAM secure13_v (x INT) WITH (${sec('wrong')}, validate = 'true')`), '08001');
    await client.query('DROP SINK secure13_out');
    await client.query('DROP STREAM secure13_bad');
  } finally {
    await secure.stop();
  }
});

test('a sink on an EMIT ON WINDOW CLOSE view gets every window as it closes, once', async () => {
  await client.query(`CREATE STREAM e14 (k TEXT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`);
  await client.query(`CREATE MATERIALIZED VIEW e14w AS SELECT k, window_start AS w, count(*) AS n FROM TUMBLE(e14, ts, INTERVAL '1 minute') GROUP BY k, window_start EMIT ON WINDOW CLOSE`);
  await client.query(`INSERT INTO e14 VALUES ('a', '2024-05-01 10:00:10+00'), ('a', '2024-05-01 10:00:20+00'), ('b', '2024-05-01 10:01:10+00')`);
  await client.query(`CREATE SINK e14_out FROM e14w WITH (${brokerOptions('e14_out', ", mode = 'append'")})`);
  for (const t of ['10:02:10', '10:03:10', '10:04:10']) await client.query(`INSERT INTO e14 VALUES ('c', '2024-05-01 ${t}+00')`);
  await client.query('FLUSH');
  const [[n]] = await arrayRows(client, 'SELECT count(*) FROM e14w');
  assert.equal(Number(n), 4, 'windows 10:00 (a), 10:01 (b), 10:02 and 10:03 (c) closed');
  await waitFor('the sink to catch up', async () => {
    const [[pending]] = await arrayRows(client, `SELECT pending_epochs FROM eddy_sinks WHERE name = 'e14_out'`);
    return Number(pending) === 0;
  });
  const got = (await readTopic(broker.brokers, 'e14_out')).map((r) => { const o = JSON.parse(r.value!) as { k: string; w: string; n: number }; return `${o.k}|${o.w}|${o.n}`; }).sort();
  assert.deepEqual(got, ['a|2024-05-01T10:00:00Z|2', 'b|2024-05-01T10:01:00Z|1', 'c|2024-05-01T10:02:00Z|1', 'c|2024-05-01T10:03:00Z|1']);
});
