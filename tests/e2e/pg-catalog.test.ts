/**
 * pg_catalog / information_schema emulation over the wire: psql's meta-commands (\d, \dt, \dm,
 * \l, \du ...), the introspection queries of pgjdbc, psqlODBC, DBeaver, Metabase, Grafana and
 * Tableau (tests/fixtures/introspection), and the catalog functions and SQL features they need
 * (correlated subqueries, arrays, ANY, regclass, set-returning functions, SQL cursors).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { EddyProcess, psqlAvailable } from '../support/server-process.js';

let server: EddyProcess;
let client: pg.Client;

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../tests/fixtures/introspection');

before(async () => {
  if (!psqlAvailable() && process.env.CI === 'true') throw new Error('psql is required under CI=true');
  server = await EddyProcess.start();
  client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'test' });
  await client.connect();
  await client.query(`CREATE TABLE orders (id int PRIMARY KEY, customer text DEFAULT 'walk-in', amount numeric(10,2) NOT NULL, created_at timestamptz)`);
  await client.query('CREATE STREAM clicks (url varchar(200), ts timestamptz)');
  await client.query('CREATE MATERIALIZED VIEW spend AS SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer');
  await client.query('CREATE VIEW big AS SELECT * FROM orders WHERE amount > 100');
});

after(async () => {
  await client?.end();
  await server?.cleanup();
});

function psql(cmd: string): string {
  return execFileSync('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'test', '-c', cmd], {
    encoding: 'utf8',
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
}

const skipPsql = !psqlAvailable() && 'psql not installed';

test('psql \\d lists tables, streams, materialized views and views', { skip: skipPsql }, () => {
  const out = psql('\\d');
  assert.match(out, /public \| big\s+\| view\s+\| eddy/);
  assert.match(out, /public \| clicks\s+\| table\s+\| eddy/);
  assert.match(out, /public \| orders\s+\| table\s+\| eddy/);
  assert.match(out, /public \| spend\s+\| materialized view \| eddy/);
  assert.match(out, /\(4 rows\)/);
  assert.doesNotMatch(out, /pg_class|eddy_errors/, 'system relations stay out of \\d');
});

test('psql \\d NAME describes columns, types, defaults, NOT NULL and the primary key', { skip: skipPsql }, () => {
  const out = psql('\\d orders');
  assert.match(out, /Table "public\.orders"/);
  assert.match(out, /id\s+\| integer\s+\|\s+\| not null \|/);
  assert.match(out, /customer\s+\| text\s+\|\s+\|\s+\| 'walk-in'/);
  assert.match(out, /amount\s+\| numeric\(10,2\)\s+\|\s+\| not null \|/);
  assert.match(out, /created_at \| timestamp with time zone \|/);
  assert.match(out, /"orders_pkey" PRIMARY KEY, btree \(id\)/);
  const mv = psql('\\d spend');
  assert.match(mv, /Materialized view "public\.spend"/);
  assert.match(mv, /total\s+\| numeric/);
  assert.match(mv, /"spend_pkey" PRIMARY KEY, btree \(customer\)/);
  assert.match(psql('\\d clicks'), /url\s+\| character varying\(200\)/);
  assert.match(psql('\\d+ orders'), /Access method: heap/);
});

test('psql \\dt \\dv \\dm \\dn \\l \\du', { skip: skipPsql }, () => {
  const dt = psql('\\dt');
  assert.match(dt, /orders/);
  assert.match(dt, /clicks/);
  assert.doesNotMatch(dt, /spend|big/);
  assert.match(psql('\\dv'), /big\s+\| view/);
  const dm = psql('\\dm');
  assert.match(dm, /spend \| materialized view/);
  assert.doesNotMatch(dm, /orders/);
  assert.match(psql('\\dn'), /public \| eddy/);
  const l = psql('\\l');
  assert.match(l, /test\s+\| eddy\s+\| UTF8/, 'the database the client connected to is listed');
  assert.match(psql('\\du'), /eddy\s+\| Superuser/);
  assert.match(psql('\\dS pg_class'), /relkind\s+\| text/);
});

test('psql \\x and \\timing work against Eddy', { skip: skipPsql }, () => {
  const out = execFileSync('psql', ['-X', '-h', '127.0.0.1', '-p', String(server.pgPort), '-U', 'eddy', '-d', 'test'], {
    encoding: 'utf8',
    input: '\\x\n\\timing on\nSELECT 1 AS a, 2 AS b;\n',
  });
  assert.match(out, /Expanded display is on/);
  assert.match(out, /a \| 1\nb \| 2/);
  assert.match(out, /Time: \d+\.\d+ ms/);
});

test('every BI-tool and driver introspection query runs (DBeaver, Metabase, Grafana, Tableau, psqlODBC, pgjdbc)', async () => {
  // Tableau probes temporary tables and falls back cleanly when they are refused.
  const expectedErrors = new Map([['tableau.sql#22', '0A000'], ['tableau.sql#23', '42P01'], ['tableau.sql#24', '0A000'], ['tableau.sql#25', '42P01']]);
  const failures: string[] = [];
  let ran = 0;
  for (const file of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.sql')).sort()) {
    const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'test' });
    await c.connect();
    const chunks = fs.readFileSync(path.join(FIXTURES, file), 'utf8').split(/\n;;\n/);
    for (let i = 0; i < chunks.length; i++) {
      const sql = chunks[i].split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();
      if (!sql) continue;
      const id = `${file}#${i + 1}`;
      ran++;
      try {
        await c.query(sql);
        if (expectedErrors.has(id)) failures.push(`${id}: expected ${expectedErrors.get(id)}, succeeded`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (expectedErrors.get(id) !== code) failures.push(`${id}: ${code} ${(e as Error).message}`);
      }
    }
    await c.end();
  }
  assert.ok(ran >= 100, `ran ${ran} fixture queries`);
  assert.deepEqual(failures, []);
});

test('pgjdbc getPrimaryKeys / getTables / getColumns queries answer from the catalog', async () => {
  const q = (file: string, n: number) => fs.readFileSync(path.join(FIXTURES, file), 'utf8').split(/\n;;\n/)[n - 1].split('\n').filter((l) => !l.startsWith('--')).join('\n');
  const pk = await client.query(q('pgjdbc.sql', 6));
  assert.deepEqual(pk.rows.map((r) => [r.table_name, r.column_name, Number(r.key_seq), r.pk_name]), [['orders', 'id', 1, 'orders_pkey']]);
  const tables = await client.query(q('pgjdbc.sql', 4));
  const byName = new Map(tables.rows.map((r) => [r.table_name, r.table_type]));
  assert.equal(byName.get('orders'), 'TABLE');
  assert.equal(byName.get('clicks'), 'TABLE');
  assert.equal(byName.get('big'), 'VIEW');
  assert.equal(byName.has('spend'), false, "getTables(types = TABLE, VIEW) leaves materialized views out, as on PostgreSQL");
  const withMv = await client.query(q('pgjdbc.sql', 4).replace("OR ( c.relkind = 'v'", "OR ( c.relkind = 'm' ) OR ( c.relkind = 'v'"));
  assert.equal(new Map(withMv.rows.map((r) => [r.table_name, r.table_type])).get('spend'), 'MATERIALIZED VIEW');
  const cols = await client.query(q('pgjdbc.sql', 5));
  const amount = cols.rows.find((r) => r.attname === 'amount');
  assert.ok(amount, 'getColumns lists orders.amount');
  assert.equal(amount.attnotnull, true);
});

test('information_schema: tables, columns, key columns', async () => {
  const t = await client.query(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
  assert.deepEqual(t.rows, [
    { table_name: 'big', table_type: 'VIEW' },
    { table_name: 'clicks', table_type: 'BASE TABLE' },
    { table_name: 'orders', table_type: 'BASE TABLE' },
    { table_name: 'spend', table_type: 'VIEW' },
  ]);
  const c = await client.query(`SELECT column_name, data_type, udt_name, is_nullable, numeric_precision, numeric_scale, column_default
    FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`);
  assert.deepEqual(c.rows.map((r) => [r.column_name, r.data_type, r.udt_name, r.is_nullable]), [
    ['id', 'integer', 'int4', 'NO'],
    ['customer', 'text', 'text', 'YES'],
    ['amount', 'numeric', 'numeric', 'NO'],
    ['created_at', 'timestamp with time zone', 'timestamptz', 'YES'],
  ]);
  assert.deepEqual([c.rows[2].numeric_precision, c.rows[2].numeric_scale], [10, 2]);
  assert.equal(c.rows[1].column_default, "'walk-in'");
  const k = await client.query(`SELECT tc.constraint_type, kcu.column_name FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name WHERE tc.table_name = 'orders'`);
  assert.deepEqual(k.rows, [{ constraint_type: 'PRIMARY KEY', column_name: 'id' }]);
});

test('catalog functions and reg* casts', async () => {
  const r = await client.query(`SELECT 'orders'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'orders') AS same,
      'public.orders'::regclass::text AS name, format_type('numeric'::regtype, 655366) AS ft, format_type(1043, 24) AS vc,
      pg_get_indexdef((SELECT indexrelid FROM pg_index WHERE indrelid = 'orders'::regclass)) AS idx,
      current_schemas(true) AS schemas, current_setting('server_version_num') AS num, pg_table_is_visible('orders'::regclass) AS vis,
      has_table_privilege('orders', 'select') AS priv, pg_encoding_to_char(6) AS enc, pg_get_userbyid(10) AS owner,
      version() LIKE 'PostgreSQL 15.%' AS ver, current_database() AS db, to_regclass('nope') IS NULL AS missing`);
  assert.deepEqual(r.rows[0], {
    same: true, name: 'orders', ft: 'numeric(10,2)', vc: 'character varying(20)',
    idx: 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)', schemas: ['pg_catalog', 'public'], num: '150000', vis: true,
    priv: true, enc: 'UTF8', owner: 'eddy', ver: true, db: 'test', missing: true,
  });
  const shown = await client.query(`SELECT 'orders'::regclass AS rel, 'int4'::regtype AS typ, pg_typeof(ARRAY[1]) AS arr FROM orders FOR UPDATE NOWAIT`);
  assert.deepEqual(shown.rows, [], 'SELECT ... FOR UPDATE is accepted (no row locks in Eddy)');
  assert.deepEqual((await client.query(`SELECT 'orders'::regclass AS rel, 'int4'::regtype AS typ, pg_typeof(ARRAY[1]) AS arr`)).rows[0], { rel: 'orders', typ: 'integer', arr: 'integer[]' });
  await assert.rejects(client.query(`SELECT 'no_such'::regclass`), (e: { code?: string; message: string }) => e.code === '42P01' && /relation "no_such" does not exist/.test(e.message));
  const s = await client.query(`SELECT set_config('application_name', 'catalog-test', false) AS v, current_setting('application_name') AS w`);
  assert.deepEqual(s.rows[0], { v: 'catalog-test', w: 'catalog-test' });
  await assert.rejects(client.query(`SELECT current_setting('no.such_setting_x')`), { code: '42704' });
  assert.equal((await client.query(`SELECT current_setting('no.such_setting_x', true) AS v`)).rows[0].v, null);
});

test('correlated subqueries, arrays and ANY behave as in PostgreSQL', async () => {
  await client.query(`INSERT INTO orders VALUES (1, 'ann', 10, now()), (2, 'bob', 250, now()), (3, 'ann', 5, NULL)`);
  const corr = await client.query(`SELECT id, (SELECT count(*) FROM orders o2 WHERE o2.customer = o.customer) AS same_customer,
      EXISTS (SELECT 1 FROM orders o3 WHERE o3.id = o.id + 1) AS has_next FROM orders o ORDER BY id`);
  assert.deepEqual(corr.rows.map((r) => [r.id, Number(r.same_customer), r.has_next]), [[1, 2, true], [2, 1, true], [3, 2, false]]);
  const arr = await client.query(`SELECT ARRAY(SELECT id FROM orders ORDER BY id DESC) AS ids, (ARRAY['a','b','c'])[2] AS second,
      2 = ANY(ARRAY[1,2]) AS any_t, 3 = ANY('{1,2}') AS any_f, NULL::int = ANY(ARRAY[1]) AS any_null, 1 <> ALL(ARRAY[2,3]) AS all_t,
      array_to_string(ARRAY['x', NULL, 'z'], ',', '*') AS s, cardinality(ARRAY[1,2,3]) AS n, ARRAY[1,2] || 3 AS app,
      array_upper(ARRAY[4,5,6], 1) AS up, '{"a b",NULL,c}'::text[] AS parsed`);
  assert.deepEqual(arr.rows[0], {
    ids: [3, 2, 1], second: 'b', any_t: true, any_f: false, any_null: null, all_t: true, s: 'x,*,z', n: 3, app: [1, 2, 3], up: 3,
    parsed: ['a b', null, 'c'],
  });
  const agg = await client.query(`SELECT customer, array_agg(id ORDER BY id) AS ids FROM orders GROUP BY customer ORDER BY customer`);
  assert.deepEqual(agg.rows, [{ customer: 'ann', ids: [1, 3] }, { customer: 'bob', ids: [2] }]);
  const srf = await client.query(`SELECT g, u FROM generate_series(1, 2) g, unnest(ARRAY['x','y']) u ORDER BY g, u`);
  assert.deepEqual(srf.rows, [{ g: 1, u: 'x' }, { g: 1, u: 'y' }, { g: 2, u: 'x' }, { g: 2, u: 'y' }]);
  const ps = await client.query(`SELECT id, generate_series(1, id) AS k FROM orders WHERE id <= 2 ORDER BY id, k`);
  assert.deepEqual(ps.rows, [{ id: 1, k: 1 }, { id: 2, k: 1 }, { id: 2, k: 2 }]);
});

test('SQL cursors: DECLARE, FETCH, MOVE, CLOSE (psqlODBC / Tableau / psycopg2 named cursors)', async () => {
  await client.query('BEGIN');
  await client.query(`DECLARE c1 CURSOR FOR SELECT g FROM generate_series(1, 5) g`);
  assert.deepEqual((await client.query('FETCH 2 FROM c1')).rows, [{ g: 1 }, { g: 2 }]);
  const moved = await client.query('MOVE 1 IN c1');
  assert.equal(moved.command, 'MOVE');
  assert.deepEqual((await client.query('FETCH ALL IN c1')).rows, [{ g: 4 }, { g: 5 }]);
  assert.deepEqual((await client.query('FETCH NEXT FROM c1')).rows, []);
  await client.query('CLOSE c1');
  await assert.rejects(client.query('FETCH 1 FROM c1'), { code: '34000' });
  await client.query('ROLLBACK');
  await assert.rejects(client.query('DECLARE c2 CURSOR FOR SELECT 1'), { code: '25P01' });
  await client.query('DECLARE c3 CURSOR WITH HOLD FOR SELECT 1 AS one');
  assert.deepEqual((await client.query('FETCH 10 IN c3')).rows, [{ one: 1 }]);
  await client.query('CLOSE ALL');
});

test('driver details: DEALLOCATE drops named statements, a client time zone is accepted, index columns, polymorphic unknowns', async () => {
  // psqlODBC drops its statements with SQL DEALLOCATE and reuses the names.
  await client.query({ name: 'dealloc_me', text: 'SELECT 1 AS one' });
  await client.query('DEALLOCATE dealloc_me');
  await assert.rejects(client.query('DEALLOCATE dealloc_me'), { code: '26000' });
  await client.query('DEALLOCATE ALL');
  // pgjdbc sends the JVM's zone at connect; sessions compute in UTC and say so on SET.
  const tz = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'test', options: '-c TimeZone=America/New_York' });
  await tz.connect();
  const notices: string[] = [];
  tz.on('notice', (n) => notices.push(n.message ?? ''));
  assert.equal((await tz.query('SHOW TimeZone')).rows[0].TimeZone, 'UTC');
  await tz.query(`SET TimeZone = 'Europe/Berlin'`);
  assert.match(notices.join('\n'), /time zone "Europe\/Berlin" is accepted but not applied/);
  await assert.rejects(tz.query(`SET TimeZone = 'Not/AZone'`), { code: '22023' });
  await tz.end();
  const r = await client.query(`SELECT pg_get_indexdef('orders_pkey'::regclass, 1, true) AS col, array_remove(ARRAY['a','b'], 'a') AS rm`);
  assert.deepEqual(r.rows[0], { col: 'id', rm: ['b'] });
});

test('statement_timeout stops a long join in the middle', async () => {
  const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'test' });
  await c.connect();
  await c.query('SET statement_timeout = 300');
  const t0 = Date.now();
  await assert.rejects(c.query('SELECT count(*) FROM generate_series(1, 2000) a, generate_series(1, 2000) b'), { code: '57014' });
  assert.ok(Date.now() - t0 < 3000, `canceled after ${Date.now() - t0} ms`);
  assert.equal((await c.query('SELECT 1 AS x')).rows[0].x, 1, 'the session goes on');
  await c.end();
});
