/**
 * The MySQL and PostgreSQL sinks over the wire, against the MariaDB (127.0.0.1:3306, root, database
 * test) and PostgreSQL (127.0.0.1:5432, postgres, database test) on this machine, with Eddy as a
 * real server process killed with -9 mid-stream and crashed right before and after a sink's
 * COMMIT. The target tables must equal the views exactly afterwards: each batch and its epoch
 * commit together in the target's own transaction, so no epoch is lost or written twice.
 *
 * Without the databases the tests are skipped (with a message), except under CI=true, where they fail.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, errorCode } from '../support/sql.js';
import { waitFor } from '../support/wait.js';

const SFX = `_p${process.pid}`;
const MY_URL = 'mysql://root@127.0.0.1:3306/test';
const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';

async function connectMysql(): Promise<mysql.Connection | undefined> {
  try {
    return await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, timezone: 'Z' });
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`MariaDB/MySQL on 127.0.0.1:3306 (root, database test) is required under CI=true: ${(e as Error).message}`);
    console.warn(`# MariaDB/MySQL on 127.0.0.1:3306 is not reachable (${(e as Error).message}): the MySQL sink tests are skipped`);
    return undefined;
  }
}

async function connectPg(): Promise<pg.Client | undefined> {
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  try {
    await c.connect();
    return c;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL on 127.0.0.1:5432 (postgres, database test) is required under CI=true: ${(e as Error).message}`);
    console.warn(`# PostgreSQL on 127.0.0.1:5432 is not reachable (${(e as Error).message}): the PostgreSQL sink tests are skipped`);
    return undefined;
  }
}

const my = await connectMysql();
const pgc = await connectPg();
const skipMy = my === undefined ? 'MariaDB/MySQL on 127.0.0.1:3306 is not reachable' : false;
const skipPg = pgc === undefined ? 'PostgreSQL on 127.0.0.1:5432 is not reachable' : false;
const skipBoth = skipMy || skipPg;

let server: EddyProcess | undefined;
let client: pg.Client;
/** The first server owns the data dir (removed by its cleanup); restarted ones reuse it. */
let first: EddyProcess | undefined;

async function eddy(): Promise<pg.Client> {
  if (server === undefined) {
    server = first = await EddyProcess.start();
    client = await server.client();
    client.on('error', () => undefined); // the server is killed on purpose
  }
  return client;
}

async function restart(env?: Record<string, string>): Promise<void> {
  await client.end().catch(() => undefined);
  server = await EddyProcess.start({ dataDir: first!.dataDir, env });
  client = await server.client();
  client.on('error', () => undefined);
}

const created = { my: new Set<string>(), pg: new Set<string>() };
function myTable(base: string): string {
  const n = `${base}${SFX}`;
  created.my.add(n);
  return n;
}
function pgTable(base: string): string {
  const n = `${base}${SFX}`;
  created.pg.add(n);
  return n;
}

after(async () => {
  await client?.end().catch(() => undefined);
  if (server !== first) await server?.kill();
  await first?.cleanup();
  if (my !== undefined) {
    for (const t of created.my) await my.query(`DROP TABLE IF EXISTS \`${t}\``).catch(() => undefined);
    await my.query('DELETE FROM eddy_sink_progress WHERE sink_name LIKE ?', [`%${SFX}-%`]).catch(() => undefined);
    await my.end();
  }
  if (pgc !== undefined) {
    for (const t of created.pg) await pgc.query(`DROP TABLE IF EXISTS "${t}" CASCADE`).catch(() => undefined);
    await pgc.query(`DROP FUNCTION IF EXISTS eddy_refuse${SFX}()`).catch(() => undefined);
    await pgc.query('DELETE FROM eddy_sink_progress WHERE sink_name LIKE $1', [`%${SFX}-%`]).catch(() => undefined);
    await pgc.end();
  }
});

function sinkOpts(connector: 'mysql' | 'postgres', table: string, extra = ''): string {
  return `connector = '${connector}', url = '${connector === 'mysql' ? MY_URL : PG_URL}', table = '${table}'${extra}`;
}

async function myRows(sql: string, values: unknown[] = []): Promise<unknown[][]> {
  const [rows] = await my!.query({ sql, values, rowsAsArray: true });
  return rows as unknown[][];
}

async function pgRows(sql: string, values: unknown[] = []): Promise<unknown[][]> {
  return (await pgc!.query({ text: sql, values, rowMode: 'array' })).rows as unknown[][];
}


interface SinkState {
  status: string;
  written: number | null;
  pending: number;
}

async function sinkState(name: string): Promise<SinkState> {
  const rows = await arrayRows(client, 'SELECT status, written_epoch, pending_epochs FROM eddy_sinks WHERE name = $1', [name]);
  assert.equal(rows.length, 1, `sink ${name} exists`);
  const [status, written, pending] = rows[0];
  return { status: String(status), written: written === null ? null : Number(written), pending: Number(pending) };
}

async function caughtUp(name: string, timeoutMs = 30_000): Promise<SinkState> {
  return waitFor(`sink ${name} to catch up`, async () => {
    const s = await sinkState(name);
    return s.pending === 0 && s.status === 'running' ? s : undefined;
  }, timeoutMs, 50);
}

/** 'a.50000' / '1.5' -> canonical decimal text without trailing fraction zeros. */
function dec(v: unknown): string {
  const s = String(v);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const MINUTE = 60_000;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const PAGES = ['/home', '/cart', '/Home', '/home ', "/it's"];

interface Batch {
  id: number;
  rows: { page: string; ts: number }[];
}

/** Batches of page views with strictly increasing event times (none is late). */
function makeBatches(first: number, n: number, size: number): Batch[] {
  const out: Batch[] = [];
  for (let b = first; b < first + n; b++) {
    const rows: Batch['rows'] = [];
    for (let i = 0; i < size; i++) {
      const k = b * size + i;
      rows.push({ page: PAGES[(k * 7 + (k >> 3)) % PAGES.length], ts: T0 + k * 1500 });
    }
    out.push({ id: b, rows });
  }
  return out;
}

function insertBatch(c: pg.Client, b: Batch): Promise<unknown> {
  return c.query(`INSERT INTO ev1 VALUES ${b.rows.map((r) => `(${b.id}, '${r.page.replaceAll("'", "''")}', '${new Date(r.ts).toISOString()}')`).join(', ')}`);
}

function minuteCounts(batches: Batch[]): string[] {
  const m = new Map<string, number>();
  for (const b of batches) {
    for (const r of b.rows) {
      const k = `${r.page}|${new Date(Math.floor(r.ts / MINUTE) * MINUTE).toISOString().slice(0, 19).replace('T', ' ')}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  return [...m].map(([k, n]) => `${k}|${n}`).sort();
}

const joined = (rows: unknown[][]): string[] => rows.map((r) => r.map(String).join('|')).sort();

/**
 * Starts Eddy with a crash point, feeds it statements until it kills itself there (a sink's first
 * write after the start reaches it), and waits for the death.
 */
async function crashAt(point: string, feed: ((c: pg.Client) => Promise<unknown>)[]): Promise<void> {
  await client.end().catch(() => undefined);
  let p: EddyProcess;
  try {
    p = await EddyProcess.start({ dataDir: first!.dataDir, env: { EDDY_CRASH_POINT: point } });
  } catch (e) {
    // The outbox's pending epochs reached the crash point while starting.
    assert.match((e as Error).message, /exited with null before starting/);
    return;
  }
  try {
    const c = await p.client();
    c.on('error', () => undefined);
    for (const f of feed) {
      if (!p.running) break;
      await f(c).catch(() => undefined);
    }
    await c.end().catch(() => undefined);
  } catch {
    /* died while connecting */
  }
  await waitFor(`Eddy to reach the crash point ${point}`, async () => !p.running, 20_000);
  assert.equal(p.child.signalCode, 'SIGKILL');
}

test('windowed counts into MySQL and PostgreSQL equal the view exactly across kill -9 and crashes around COMMIT', { skip: skipBoth }, async () => {
  await eddy();
  const myT = myTable('eddy_win');
  const pgT = pgTable('eddy_win');
  const [myS, pgS] = [`win_my${SFX}`, `win_pg${SFX}`];
  await client.query(`CREATE STREAM ev1 (b INT, page TEXT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '10 seconds')`);
  await client.query(`CREATE MATERIALIZED VIEW per_min1 AS SELECT page, window_start, count(*) AS n FROM TUMBLE(ev1, ts, INTERVAL '1 minute') GROUP BY page, window_start`);
  const all = makeBatches(0, 40, 40);
  const rounds = [all.slice(0, 10), all.slice(10, 20), all.slice(20, 25), all.slice(25, 30), all.slice(30, 40)];
  // Content before the sinks exist arrives as their snapshot.
  await insertBatch(client, rounds[0][0]);
  await client.query(`CREATE SINK ${myS} FROM per_min1 WITH (${sinkOpts('mysql', myT)})`);
  await client.query(`CREATE SINK ${pgS} FROM per_min1 WITH (${sinkOpts('postgres', pgT)})`);
  // Round 1, then kill -9 at once: the sinks are behind or in the middle of a write.
  for (const b of rounds[0].slice(1)) await insertBatch(client, b);
  await server!.kill();
  await restart();
  for (const b of rounds[1]) await insertBatch(client, b);
  await caughtUp(myS);
  await caughtUp(pgS);
  await server!.kill();
  // Crash inside a sink's transaction, right before its COMMIT, then right after one.
  await crashAt('sql-sink-before-commit', rounds[2].map((b) => (c: pg.Client) => insertBatch(c, b)));
  await crashAt('sql-sink-after-commit', rounds[3].map((b) => (c: pg.Client) => insertBatch(c, b)));
  await restart();
  for (const b of rounds[4]) await insertBatch(client, b);
  await caughtUp(myS);
  await caughtUp(pgS);

  // The batches that committed (a batch in flight at a crash may or may not have).
  const present = new Set((await arrayRows(client, 'SELECT DISTINCT b FROM ev1')).map((r) => Number(r[0])));
  for (const b of [...rounds[0], ...rounds[1], ...rounds[4]]) assert.ok(present.has(b.id), `batch ${b.id} committed`);
  const expected = minuteCounts(all.filter((b) => present.has(b.id)));
  const mv = joined(await arrayRows(client, `SELECT page, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), n FROM per_min1`));
  assert.deepEqual(mv, expected);
  assert.deepEqual(joined(await myRows(`SELECT page, DATE_FORMAT(window_start, '%Y-%m-%d %H:%i:%s'), CAST(n AS CHAR) FROM \`${myT}\``)), expected);
  assert.deepEqual(joined(await pgRows(`SELECT page, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), n FROM "${pgT}"`)), expected);
  // The tables were created with the view's key.
  assert.deepEqual(await myRows(`SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = ? AND COLUMN_KEY = 'PRI' ORDER BY ORDINAL_POSITION`, [myT]), [['page', 'varchar(255)'], ['window_start', 'datetime(6)']]);
  assert.deepEqual(await pgRows(`SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attnum`, [`"${pgT}"`]), [['page', 'text'], ['window_start', 'timestamp with time zone']]);
});

test('updates and deletes propagate: the targets follow the view, deleted keys disappear', { skip: skipBoth }, async () => {
  await eddy();
  const myT = myTable('eddy_cust');
  const pgT = pgTable('eddy_cust');
  const [myS, pgS] = [`cust_my${SFX}`, `cust_pg${SFX}`];
  await client.query('CREATE TABLE orders2 (id INT PRIMARY KEY, cust TEXT, amount NUMERIC(12,2))');
  await client.query('CREATE MATERIALIZED VIEW cust2 AS SELECT cust, count(*) AS n, sum(amount) AS total FROM orders2 GROUP BY cust');
  // Keys that differ only in case or a trailing space are distinct keys in the targets too.
  const custs = ['a', 'A', 'a ', 'b', 'c', 'd', 'ünï'];
  await client.query(`INSERT INTO orders2 VALUES ${Array.from({ length: 70 }, (_, i) => `(${i}, '${custs[i % custs.length]}', ${(i * 1.25).toFixed(2)})`).join(', ')}`);
  await client.query(`CREATE SINK ${myS} FROM cust2 WITH (${sinkOpts('mysql', myT)})`);
  await client.query(`CREATE SINK ${pgS} FROM cust2 WITH (${sinkOpts('postgres', pgT)})`);
  await caughtUp(myS);
  await caughtUp(pgS);
  await client.query('UPDATE orders2 SET amount = amount + 1 WHERE id % 3 = 0');
  await client.query(`UPDATE orders2 SET cust = 'b' WHERE cust = 'c'`);
  await client.query(`DELETE FROM orders2 WHERE cust = 'd'`);
  await client.query(`INSERT INTO orders2 VALUES (100, 'e', 9.99), (101, 'e', 0.01)`);
  await client.query(`DELETE FROM orders2 WHERE id = 101`);
  // One epoch deletes a key, the next re-creates it.
  await client.query(`DELETE FROM orders2 WHERE cust = 'A'`);
  await client.query(`INSERT INTO orders2 VALUES (1, 'A', 1.25), (8, 'A', 10.00)`);
  await caughtUp(myS);
  await caughtUp(pgS);
  const mv = (await arrayRows(client, 'SELECT cust, n, total FROM cust2')).map((r) => `${r[0]}|${r[1]}|${dec(r[2])}`).sort();
  assert.ok(!mv.some((r) => r.startsWith('c|') || r.startsWith('d|')), 'c and d are gone from the view');
  assert.ok(mv.some((r) => r.startsWith('e|1|9.99')), JSON.stringify(mv));
  assert.equal(mv.length, 6);
  assert.deepEqual((await myRows(`SELECT cust, CAST(n AS CHAR), CAST(total AS CHAR) FROM \`${myT}\``)).map((r) => `${r[0]}|${r[1]}|${dec(r[2])}`).sort(), mv);
  assert.deepEqual((await pgRows(`SELECT cust, n::text, total::text FROM "${pgT}"`)).map((r) => `${r[0]}|${r[1]}|${dec(r[2])}`).sort(), mv);
  // PostgreSQL keeps numeric text exactly as Eddy shows it.
  assert.deepEqual(joined(await pgRows(`SELECT cust, n::text, total::text FROM "${pgT}"`)), joined(await arrayRows(client, 'SELECT cust, n, total FROM cust2')));
});

test('append mode from a stream: every row exactly once across kill -9 and crashes around COMMIT', { skip: skipBoth }, async () => {
  await eddy();
  const myT = myTable('eddy_events');
  const pgT = pgTable('eddy_events');
  const [myS, pgS] = [`events_my${SFX}`, `events_pg${SFX}`];
  await client.query('CREATE STREAM ev3 (id INT, body TEXT, amount NUMERIC(10,2), at TIMESTAMPTZ)');
  await client.query(`CREATE SINK ${myS} FROM ev3 WITH (${sinkOpts('mysql', myT)})`);
  await client.query(`CREATE SINK ${pgS} FROM ev3 WITH (${sinkOpts('postgres', pgT, ", mode = 'append'")})`);
  const insert = (b: number) => (c: pg.Client) => c.query(`INSERT INTO ev3 VALUES ${Array.from({ length: 50 }, (_, i) => {
    const id = b * 50 + i + 1;
    return `(${id}, 'row ${id}: "quoted" \\ back''slash', ${id}.${String(id % 100).padStart(2, '0')}, '2024-05-01 10:00:00.${String(id).padStart(6, '0')}+00')`;
  }).join(', ')}`);
  for (let b = 0; b < 6; b++) await insert(b)(client);
  await server!.kill();
  await restart();
  for (let b = 6; b < 8; b++) await insert(b)(client);
  await caughtUp(myS);
  await caughtUp(pgS);
  await server!.kill();
  await crashAt('sql-sink-before-commit', [insert(8), insert(9)]);
  await crashAt('sql-sink-after-commit', [insert(10), insert(11)]);
  await restart();
  for (let b = 12; b < 14; b++) await insert(b)(client);
  await caughtUp(myS);
  await caughtUp(pgS);
  // Every id the stream holds (a statement in flight at a crash may or may not have committed), once.
  const ids = (await arrayRows(client, 'SELECT id FROM ev3')).map((r) => Number(r[0])).sort((a, b) => a - b);
  assert.ok(ids.length >= 500, `${ids.length} rows`);
  const expected = ids.map((id) => `${id}|row ${id}: "quoted" \\ back'slash|${id}.${String(id % 100).padStart(2, '0')}|2024-05-01 10:00:00.${String(id).padStart(6, '0')}`);
  const sortById = (rows: unknown[][]) => rows.map((r) => r.map(String).join('|')).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  assert.deepEqual(sortById(await myRows(`SELECT id, body, CAST(amount AS CHAR), DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f') FROM \`${myT}\``)), expected);
  assert.deepEqual(sortById(await pgRows(`SELECT id, body, amount::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM "${pgT}"`)), expected);
  // Append mode creates no key.
  assert.deepEqual(await myRows(`SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = ?`, [myT]), [['0']]);
});

test('a target that refuses writes: status shows retrying, then the sink catches up without loss', { skip: skipBoth }, async () => {
  await eddy();
  const myT = myTable('eddy_acc');
  const pgT = pgTable('eddy_acc');
  const [myS, pgS, deadS] = [`acc_my${SFX}`, `acc_pg${SFX}`, `acc_dead${SFX}`];
  await client.query('CREATE TABLE acc4 (id INT PRIMARY KEY, v INT)');
  await client.query(`INSERT INTO acc4 VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1}, ${(i + 1) * 10})`).join(', ')}`);
  await client.query(`CREATE SINK ${myS} FROM acc4 WITH (${sinkOpts('mysql', myT)})`);
  await client.query(`CREATE SINK ${pgS} FROM acc4 WITH (${sinkOpts('postgres', pgT)})`);
  await caughtUp(myS);
  await caughtUp(pgS);
  // Both targets start refusing every write (a trigger that raises), without touching the servers.
  await pgc!.query(`CREATE FUNCTION eddy_refuse${SFX}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'target refuses writes (test outage)'; END $$`);
  await pgc!.query(`CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON "${pgT}" FOR EACH ROW EXECUTE FUNCTION eddy_refuse${SFX}()`);
  for (const ev of ['INSERT', 'UPDATE', 'DELETE']) {
    await my!.query(`CREATE TRIGGER \`refuse_${ev.toLowerCase()}${SFX}\` BEFORE ${ev} ON \`${myT}\` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'target refuses writes (test outage)'`);
  }
  await client.query('UPDATE acc4 SET v = v + 1 WHERE id <= 10');
  await client.query('DELETE FROM acc4 WHERE id > 45');
  await client.query('INSERT INTO acc4 VALUES (100, 1000), (101, 1010)');
  for (const [name, where] of [[myS, '127.0.0.1:3306/test'], [pgS, '127.0.0.1:5432/test']]) {
    const st = await waitFor(`${name} to report the outage`, async () => {
      const s = await sinkState(name);
      return s.status.startsWith('retrying: ') ? s : undefined;
    }, 20_000, 50);
    assert.ok(st.status.includes(where) && st.status.includes('target refuses writes (test outage)'), st.status);
    assert.ok(st.pending > 0);
  }
  // Eddy itself keeps working.
  await client.query('UPDATE acc4 SET v = v + 1 WHERE id <= 5');
  assert.deepEqual(await arrayRows(client, 'SELECT count(*) FROM acc4'), [['47']]);
  // Nothing of the refused batches is visible in the targets.
  assert.deepEqual(await pgRows(`SELECT count(*)::int, sum(v)::int FROM "${pgT}"`), [[50, 12750]]);
  await pgc!.query(`DROP TRIGGER refuse ON "${pgT}"`);
  for (const ev of ['insert', 'update', 'delete']) await my!.query(`DROP TRIGGER \`refuse_${ev}${SFX}\``);
  await caughtUp(myS);
  await caughtUp(pgS);
  const expected = joined(await arrayRows(client, 'SELECT id, v FROM acc4'));
  assert.equal(expected.length, 47);
  assert.deepEqual(joined(await myRows(`SELECT id, v FROM \`${myT}\``)), expected);
  assert.deepEqual(joined(await pgRows(`SELECT id, v FROM "${pgT}"`)), expected);

  // A database that cannot be reached: the status names host:port, never the password.
  await client.query(`CREATE SINK ${deadS} FROM acc4 WITH (connector = 'postgres', url = 'postgresql://postgres:sekret-pw@127.0.0.1:1/test', table = 'nowhere')`);
  const dead = await waitFor('the unreachable sink to report', async () => {
    const s = await sinkState(deadS);
    return s.status.startsWith('retrying: ') ? s : undefined;
  }, 20_000, 50);
  assert.match(dead.status, /^retrying: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
  assert.ok(!dead.status.includes('sekret'), dead.status);
  assert.ok(!JSON.stringify(await arrayRows(client, 'SHOW SINKS')).includes('sekret-pw: '));
  await client.query(`DROP SINK ${deadS}`);
});

test('existing tables are checked (wrong type, missing column, no key); missing ones are created with the key; bad options', { skip: skipBoth }, async () => {
  await eddy();
  await client.query('CREATE TABLE src5 (k TEXT PRIMARY KEY, n BIGINT, note TEXT)');
  await client.query(`INSERT INTO src5 VALUES ('x', 1, 'one'), ('y', 2, NULL)`);
  const [myWrong, pgWrong, pgNoCol, pgNoKey] = [myTable('eddy_wrong'), pgTable('eddy_wrong'), pgTable('eddy_nocol'), pgTable('eddy_nokey')];
  await my!.query(`CREATE TABLE \`${myWrong}\` (k VARCHAR(50) PRIMARY KEY, n VARCHAR(10), note TEXT) ENGINE=InnoDB`);
  await pgc!.query(`CREATE TABLE "${pgWrong}" (k TEXT PRIMARY KEY, n VARCHAR(10), note TEXT)`);
  await pgc!.query(`CREATE TABLE "${pgNoCol}" (k TEXT PRIMARY KEY, note TEXT)`);
  await pgc!.query(`CREATE TABLE "${pgNoKey}" (k TEXT, n BIGINT, note TEXT)`);
  const createErr = async (sql: string): Promise<{ code: string; message: string }> => {
    try {
      await client.query(sql);
    } catch (e) {
      return e as { code: string; message: string };
    }
    assert.fail(`expected an error from: ${sql}`);
  };
  let e = await createErr(`CREATE SINK w5 FROM src5 WITH (${sinkOpts('postgres', pgWrong, ", validate = 'true'")})`);
  assert.equal(e.code, '42804');
  assert.match(e.message, /column "n" .*character varying\(10\).*bigint/, e.message);
  e = await createErr(`CREATE SINK w5 FROM src5 WITH (${sinkOpts('mysql', myWrong, ", validate = 'true'")})`);
  assert.equal(e.code, '42804');
  assert.match(e.message, /column "n" .*varchar\(10\).*bigint/, e.message);
  e = await createErr(`CREATE SINK w5 FROM src5 WITH (${sinkOpts('postgres', pgNoCol, ", validate = 'true'")})`);
  assert.equal(e.code, '42703');
  assert.match(e.message, /no column "n"/, e.message);
  e = await createErr(`CREATE SINK w5 FROM src5 WITH (${sinkOpts('postgres', pgNoKey, ", validate = 'true'")})`);
  assert.equal(e.code, '42P10');
  assert.match(e.message, /primary key or unique index on exactly \(k\)/, e.message);
  // Without validate the CREATE succeeds; the sink shows the problem and retries.
  await client.query(`CREATE SINK w5 FROM src5 WITH (${sinkOpts('mysql', myWrong)})`);
  const st = await waitFor('w5 to report the type mismatch', async () => {
    const s = await sinkState('w5');
    return s.status.startsWith('retrying: ') ? s : undefined;
  }, 20_000, 50);
  assert.match(st.status, /column "n" of table "eddy_wrong_p\d+" in MySQL at 127\.0\.0\.1:3306\/test has type varchar\(10\), but the sink writes bigint/);
  await client.query('DROP SINK w5');

  // Missing tables are created, keyed on the object's key (a TEXT key becomes VARCHAR(255) in MySQL).
  const [myNew, pgNew] = [myTable('eddy_new'), pgTable('eddy_new')];
  await client.query(`CREATE SINK new5_my${SFX} FROM src5 WITH (${sinkOpts('mysql', myNew, ", validate = 'true'")})`);
  await client.query(`CREATE SINK new5_pg${SFX} FROM src5 WITH (${sinkOpts('postgres', pgNew, ", validate = 'true'")})`);
  await caughtUp(`new5_my${SFX}`);
  await caughtUp(`new5_pg${SFX}`);
  const myCols = await myRows(`SELECT COLUMN_NAME, DATA_TYPE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [myNew]);
  assert.deepEqual(myCols, [['k', 'varchar', 'PRI'], ['n', 'bigint', ''], ['note', 'longtext', '']]);
  assert.deepEqual(await pgRows(`SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), coalesce(a.attnum = ANY(i.indkey), false) FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [`"${pgNew}"`]), [['k', 'text', true], ['n', 'bigint', false], ['note', 'text', false]]);
  assert.deepEqual(joined(await myRows(`SELECT k, n, note FROM \`${myNew}\``)), ['x|1|one', 'y|2|null']);
  assert.deepEqual(joined(await pgRows(`SELECT k, n, note FROM "${pgNew}"`)), ['x|1|one', 'y|2|null']);

  // Bad options: 22023 naming the option; an unreachable database with validate = true: 08001.
  await client.query('CREATE STREAM s5 (x INT)');
  const opts = (extra: string) => `connector = 'postgres', url = '${PG_URL}', table = 't5'${extra}`;
  e = await createErr(`CREATE SINK b5 FROM src5 WITH (${opts(", colour = 'red'")})`);
  assert.equal(e.code, '22023');
  assert.match(e.message, /unrecognized option "colour"/);
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'mysql', table = 't5')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'mysql', url = '${MY_URL}')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'mysql', url = '${PG_URL}', table = 't5')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'mysql', url = 'mysql://root@127.0.0.1:3306', table = 't5')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (${opts(", mode = 'append'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (${opts(", mode = 'sideways'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM s5 WITH (${opts(", mode = 'upsert'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (${opts(", validate = 'maybe'")})`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'postgres', url = 'postgresql://postgres@127.0.0.1:1/test', table = 't5', validate = 'true')`), '08001');
  assert.equal(await errorCode(client, `CREATE SINK b5 FROM src5 WITH (connector = 'mysql', url = 'mysql://root@127.0.0.1:1/test', table = 't5', validate = 'true')`), '08001');
  assert.deepEqual(await arrayRows(client, `SELECT name FROM eddy_sinks WHERE name = 'b5'`), []);
});

test('SHOW SINKS: written_epoch advances, pending_epochs 0 once caught up; the progress row holds the epoch', { skip: skipPg }, async () => {
  await eddy();
  const pgT = pgTable('eddy_show');
  const name = `show_pg${SFX}`;
  await client.query('CREATE TABLE src6 (id INT PRIMARY KEY, v TEXT)');
  await client.query(`INSERT INTO src6 VALUES (1, 'a')`);
  await client.query(`CREATE SINK ${name} FROM src6 WITH (${sinkOpts('postgres', pgT)})`);
  const s0 = await caughtUp(name);
  assert.ok(s0.written !== null && s0.written > 0);
  for (let i = 2; i <= 4; i++) await client.query(`INSERT INTO src6 VALUES (${i}, 'v${i}')`);
  const s1 = await caughtUp(name);
  assert.ok(s1.written! >= s0.written! + 3, `${s1.written} advanced from ${s0.written}`);
  const row = (await arrayRows(client, 'SHOW SINKS')).find((r) => r[0] === name)!;
  assert.deepEqual(row.slice(1, 4), ['src6', 'postgres', 'running']);
  assert.equal(Number(row[4]), s1.written);
  assert.equal(Number(row[5]), 0);
  assert.equal(Number(row[6]), 0);
  const [[epoch]] = await pgRows('SELECT epoch FROM eddy_sink_progress WHERE sink_name LIKE $1', [`${name}-%`]);
  assert.equal(Number(epoch), s1.written);
  assert.deepEqual(joined(await pgRows(`SELECT id, v FROM "${pgT}"`)), ['1|a', '2|v2', '3|v3', '4|v4']);
  // A sink re-created under the same name starts afresh (its own progress row): the snapshot is written again.
  await client.query(`DROP SINK ${name}`);
  await pgc!.query(`DELETE FROM "${pgT}"`);
  await client.query(`CREATE SINK ${name} FROM src6 WITH (${sinkOpts('postgres', pgT)})`);
  await caughtUp(name);
  assert.deepEqual(joined(await pgRows(`SELECT id, v FROM "${pgT}"`)), ['1|a', '2|v2', '3|v3', '4|v4']);
});

test('every type round-trips exactly (int8 extremes, numeric, timestamps with µs, interval, jsonb, quotes)', { skip: skipBoth }, async () => {
  await eddy();
  const myT = myTable('eddy_types');
  const pgT = pgTable('eddy_types');
  const [myS, pgS] = [`types_my${SFX}`, `types_pg${SFX}`];
  await client.query(`CREATE TABLE types7 (id BIGINT PRIMARY KEY, b BOOL, i2 SMALLINT, i4 INT, i8 BIGINT, f4 REAL, f8 DOUBLE PRECISION, n NUMERIC(20,6), nu NUMERIC,
    t TEXT, vc VARCHAR(20), d DATE, ts TIMESTAMP, tz TIMESTAMPTZ, iv INTERVAL, j JSONB)`);
  await client.query(`INSERT INTO types7 VALUES
    (9223372036854775807, true, -32768, 2147483647, -9223372036854775808, 1.5, 0.1, 12345678901234.123456, 123456789012345678901234.12345678901234567890,
     'it''s \\ "q" ñ 😀 a', 'vc', '2024-02-29', '2024-02-29 23:59:59.123456', '2024-05-01 10:00:00.000001+00', '1 year 2 mons 3 days 04:05:06.5', '{"a": [1, 2.5, null], "b": "x", "c": {}}'),
    (1, false, 0, 0, 0, -0.25, 1e300, -0.000001, 0, '', '', '1970-01-01', '1970-01-01 00:00:00', '1999-12-31 23:59:59.999999+00', '-3 days', 'null'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
  await client.query(`CREATE SINK ${myS} FROM types7 WITH (${sinkOpts('mysql', myT)})`);
  await client.query(`CREATE SINK ${pgS} FROM types7 WITH (${sinkOpts('postgres', pgT)})`);
  await caughtUp(myS);
  await caughtUp(pgS);
  const cols = 'id, b, i2, i4, i8, f4, f8, n, nu, t, vc, d, ts, tz, iv, j';
  const textOf = cols.split(', ').map((c) => `${c}::text`).join(', ');
  // PostgreSQL: the text of every value equals Eddy's (Eddy's output functions are PostgreSQL's).
  const eddyText = joined(await arrayRows(client, `SELECT ${textOf} FROM types7`));
  assert.deepEqual(joined(await pgRows(`SELECT ${textOf} FROM "${pgT}"`)), eddyText);
  // MySQL: exact values in MySQL's own notation.
  const rows = await myRows(`SELECT CAST(id AS CHAR), b, i2, i4, CAST(i8 AS CHAR), f4, f8, CAST(n AS CHAR), CAST(nu AS CHAR), t, vc, CAST(d AS CHAR),
    DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f'), DATE_FORMAT(tz, '%Y-%m-%d %H:%i:%s.%f'), iv, CAST(j AS CHAR) FROM \`${myT}\` ORDER BY id`);
  assert.deepEqual(rows.map((r) => r.map((v) => (v === null ? null : String(v)))), [
    ['1', '0', '0', '0', '0', '-0.25', '1e+300', '-0.000001', '0.000000000000000000000000000000', '', '', '1970-01-01', '1970-01-01 00:00:00.000000', '1999-12-31 23:59:59.999999', '-3 days', 'null'],
    ['2', null, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
    ['9223372036854775807', '1', '-32768', '2147483647', '-9223372036854775808', '1.5', '0.1', '12345678901234.123456', '123456789012345678901234.123456789012345678900000000000',
      `it's \\ "q" ñ 😀 a`, 'vc', '2024-02-29', '2024-02-29 23:59:59.123456', '2024-05-01 10:00:00.000001', '1 year 2 mons 3 days 04:05:06.5', rows[2][15] as string],
  ]);
  assert.deepEqual(JSON.parse(String(rows[2][15])), { a: [1, 2.5, null], b: 'x', c: {} });
  // Deleting by an extreme int8 key deletes exactly that row (compared as an integer, not a double).
  await client.query('DELETE FROM types7 WHERE id = 9223372036854775807');
  await client.query('UPDATE types7 SET t = t || \'!\' WHERE id = 1');
  await caughtUp(myS);
  await caughtUp(pgS);
  assert.deepEqual(await myRows(`SELECT CAST(id AS CHAR), t FROM \`${myT}\` ORDER BY id`), [['1', '!'], ['2', null]]);
  assert.deepEqual(await pgRows(`SELECT id::text, t FROM "${pgT}" ORDER BY id`), [['1', '!'], ['2', null]]);
});
