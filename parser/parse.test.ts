/**
 * Table-driven tests of parseStatement: every query construct listed in the parser brief
 * (rendered as S-expressions), every statement form, positions, exact literal digits and
 * PostgreSQL's syntax error messages (recorded from PostgreSQL 15.20).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Expr, Query, Statement } from './ast.js';
import { parseExpression, parseStatement, parseUncached } from './parse.js';
import { querySexpr, sexpr } from './sexpr.js';

/** Asserts that `actual` contains everything in `expected` (objects compared key by key, arrays fully). */
function assertSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === null || typeof expected !== 'object') {
    assert.deepEqual(actual, expected, `at ${path}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `at ${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `at ${path}: length of ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => assertSubset(actual[i], e, `${path}[${i}]`));
    return;
  }
  assert.ok(actual !== null && typeof actual === 'object', `at ${path}: expected an object, got ${JSON.stringify(actual)}`);
  for (const [k, v] of Object.entries(expected)) {
    if (v === undefined) assert.ok(!(k in (actual as object)), `at ${path}.${k}: expected absent`);
    else assertSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  }
}

function query(sql: string): Query {
  const s = parseStatement(sql);
  assert.equal(s.kind, 'Query', sql);
  return (s as Extract<Statement, { kind: 'Query' }>).query;
}

function firstItem(sql: string): Expr {
  const q = query(sql);
  assert.equal(q.kind, 'Select');
  const item = (q as Extract<Query, { kind: 'Select' }>).items[0];
  assert.equal(item.kind, 'Expr');
  return (item as Extract<typeof item, { kind: 'Expr' }>).expr;
}

// ---------------------------------------------------------------- queries

/** [sql, S-expression of the parsed query]; each was checked by hand against PostgreSQL's grammar. */
const QUERY_CASES: [string, string][] = [
  ["SELECT 1",
    "(select (items 1))"],
  ["SELECT a, b AS c, d e, \"MixedCase\", \"a\"\"b\" FROM t",
    "(select (items a (as b c) (as d e) MixedCase a\"b) (from t))"],
  ["SELECT * FROM t1, t2",
    "(select (items *) (from t1 t2))"],
  ["SELECT t.*, count(*) FROM public.t AS x(a, b)",
    "(select (items t.* (count *)) (from public.t (as x (a b))))"],
  ["SELECT a FROM t WHERE a IS NOT DISTINCT FROM b AND c IS DISTINCT FROM d",
    "(select (items a) (from t) (where (AND (isnotdistinct a b) (isdistinct c d))))"],
  ["SELECT x::numeric(10,2), CAST(y AS double precision), z::timestamp(3) with time zone, w::varchar(20)[] FROM t",
    "(select (items (cast x numeric(10,2)) (cast y double precision) (cast z timestamp with time zone(3)) (cast w varchar(20)[])) (from t))"],
  ["SELECT DISTINCT ON (a, b) a, b, c FROM t ORDER BY a, b DESC NULLS LAST, c NULLS FIRST",
    "(select (distinct on a b) (items a b c) (from t) (order a (b desc nulls last) (c nulls first)))"],
  ["SELECT DISTINCT a FROM t",
    "(select distinct (items a) (from t))"],
  ["SELECT count(*) FILTER (WHERE a > 1), count(DISTINCT x), string_agg(x, ',' ORDER BY y DESC), avg(ALL x) FROM t",
    "(select (items (count * (filter (> a 1))) (count distinct x) (string_agg x ',' (order (y desc))) (avg x)) (from t))"],
  ["SELECT * FROM t1 NATURAL JOIN t2 JOIN t3 USING (a, b) LEFT JOIN t4 ON t4.x = t3.x CROSS JOIN t5 FULL OUTER JOIN t6 ON true RIGHT JOIN t7 ON false",
    "(select (items *) (from (right-join (full-join (cross-join (left-join (inner-join (natural inner-join t1 t2) t3 (using a b)) t4 (on (= t4.x t3.x))) t5) t6 (on true)) t7 (on false))))"],
  ["SELECT EXTRACT(year FROM ts), EXTRACT('epoch' FROM ts), INTERVAL '1' DAY, INTERVAL '1 day', INTERVAL '90' MINUTE TO SECOND, INTERVAL '1:30' HOUR TO MINUTE",
    "(select (items (extract 'year' ts) (extract 'epoch' ts) (typed interval '1 day') (typed interval '1 day') (typed interval '90 second') (typed interval '1:30')))"],
  ["SELECT E'a\\tb\\'c\\\\', 'it''s', $1, $12 FROM t",
    "(select (items 'a\tb''c\\' 'it''s' $1 $12) (from t))"],
  ["SELECT * FROM t WHERE a ILIKE 'x%' OR a NOT LIKE 'y' ESCAPE '!' OR a SIMILAR TO 'z' OR a NOT SIMILAR TO 'w' ESCAPE '#'",
    "(select (items *) (from t) (where (OR (OR (OR (ilike a 'x%') (not like a 'y' (escape '!'))) (~ a (similar_to_escape 'z'))) (!~ a (similar_to_escape 'w' '#')))))"],
  ["SELECT * FROM t WHERE a IN (SELECT b FROM u) AND a NOT IN (1, 2) AND EXISTS (SELECT 1) AND NOT EXISTS (SELECT 2)",
    "(select (items *) (from t) (where (AND (AND (AND (in a (select (items b) (from u))) (not in a [1 2])) (exists (select (items 1)))) (NOT (exists (select (items 2)))))))"],
  ["SELECT * FROM t WHERE a = ANY (ARRAY[1, 2]) AND a < ALL (SELECT b FROM u) AND a = SOME ($1) AND a LIKE ANY (ARRAY['x'])",
    "(select (items *) (from t) (where (AND (AND (AND (= any a [1 2]) (< all a (select (items b) (from u)))) (= any a $1)) (~~ any a ['x']))))"],
  ["SELECT (SELECT max(b) FROM u), (1, 2), ROW(1, 'a'), ROW()",
    "(select (items (subquery (select (items (max b)) (from u))) (row 1 2) (row 1 'a') (row)))"],
  ["WITH c (x) AS (SELECT 1), d AS MATERIALIZED (SELECT 2) SELECT * FROM c, d",
    "(select (with (c (x) (select (items 1))) (d (select (items 2)))) (items *) (from c d))"],
  ["WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    "(select (with (recursive r (n) (union all (select (items 1)) (select (items (+ n 1)) (from r) (where (< n 10)))))) (items n) (from r))"],
  ["SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE a WHEN 1 THEN 'x' END FROM t",
    "(select (items (case (when a 1) (when b 2) (else 3)) (case a (when 1 'x'))) (from t))"],
  ["SELECT * FROM t WHERE a BETWEEN SYMMETRIC 1 AND 2 AND b NOT BETWEEN 3 AND 4 + 1",
    "(select (items *) (from t) (where (AND (between symmetric a 1 2) (not between b 3 (+ 4 1)))))"],
  ["SELECT a IS TRUE, a IS NOT FALSE, a IS UNKNOWN, a IS NOT UNKNOWN, a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL FROM t",
    "(select (items (is a true) (is not a false) (is a unknown) (is not a unknown) (isnull a) (isnotnull a) (isnull a) (isnotnull a)) (from t))"],
  ["SELECT j -> 'a' ->> 'b', j #> '{a}', j #>> '{a,b}', j @> '{}', j <@ '{}', j ? 'k' FROM t",
    "(select (items (->> (-> j 'a') 'b') (#> j '{a}') (#>> j '{a,b}') (@> j '{}') (<@ j '{}') (? j 'k')) (from t))"],
  ["SELECT * FROM t LIMIT ALL",
    "(select (items *) (from t))"],
  ["SELECT * FROM t OFFSET 5 ROWS",
    "(select (items *) (from t) (offset 5))"],
  ["SELECT * FROM t OFFSET 2 ROWS FETCH NEXT 5 ROWS ONLY",
    "(select (items *) (from t) (limit 5) (offset 2))"],
  ["SELECT * FROM t FETCH FIRST ROW ONLY",
    "(select (items *) (from t) (limit 1))"],
  ["SELECT * FROM t LIMIT $1 OFFSET $2",
    "(select (items *) (from t) (limit $1) (offset $2))"],
  ["TABLE t",
    "(select (items *) (from t))"],
  ["TABLE s.t",
    "(select (items *) (from s.t))"],
  ["SELECT 1e3, .5, 1.50, 9223372036854775808, 00012, -1, - 2.5, -9223372036854775808, - -3",
    "(select (items 1e3 .5 1.50 9223372036854775808 00012 -1 -2.5 -9223372036854775808 3))"],
  ["SELECT 'a' || 'b' || c, NOT x, NOT NOT x, -x, +x FROM t",
    "(select (items (|| (|| 'a' 'b') c) (NOT x) (NOT (NOT x)) (- x) (+ x)) (from t))"],
  ["SELECT * FROM t ORDER BY 1 DESC NULLS LAST, 2",
    "(select (items *) (from t) (order (1 desc nulls last) 2))"],
  ["SELECT a + b * c - d / e % f ^ g ^ h FROM t",
    "(select (items (- (+ a (* b c)) (% (/ d e) (^ (^ f g) h)))) (from t))"],
  ["SELECT -2 ^ 2, -x ^ 2, ~ 1 + 2, 'a' || 1 + 2, @ -5, |/ 16",
    "(select (items (^ -2 2) (^ (- x) 2) (~ (+ 1 2)) (|| 'a' (+ 1 2)) (@ -5) (|/ 16)))"],
  ["SELECT a FROM t WHERE a = 1 OR b = 2 AND NOT c",
    "(select (items a) (from t) (where (OR (= a 1) (AND (= b 2) (NOT c)))))"],
  ["SELECT (a < b) = true IS NULL, a = b IS NOT NULL FROM t",
    "(select (items (isnull (= (< a b) true)) (isnotnull (= a b))) (from t))"],
  ["SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4 ORDER BY 1 LIMIT 2",
    "(except all (union (select (items 1)) (intersect (select (items 2)) (select (items 3)))) (select (items 4)) (order 1) (limit 2))"],
  ["(SELECT 1 ORDER BY 1 LIMIT 1) UNION ALL (SELECT 2) LIMIT 5",
    "(union all (select (items 1) (order 1) (limit 1)) (select (items 2)) (limit 5))"],
  ["SELECT 1 INTERSECT DISTINCT SELECT 2",
    "(intersect (select (items 1)) (select (items 2)))"],
  ["VALUES (1, 'a'), (2, DEFAULT) ORDER BY 1 LIMIT 1",
    "(values [1 'a'] [2 DEFAULT] (order 1) (limit 1))"],
  ["SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(x, y)",
    "(select (items *) (from ((values [1 'a'] [2 'b']) (as v (x y)))))"],
  ["SELECT position('a' IN b), substring(s FROM 2 FOR 3), substring(s FROM 2), substring(s FOR 2), substring(s, 1, 2), trim(BOTH 'x' FROM y), trim(LEADING FROM y), trim(TRAILING 'z' FROM y), trim(y), overlay(s PLACING 'x' FROM 2 FOR 1)",
    "(select (items (position 'a' b) (substring s 2 3) (substring s 2) (substring s 1 2) (substring s 1 2) (btrim y 'x') (ltrim y) (rtrim y 'z') (btrim y) (overlay s 'x' 2 1)))"],
  ["SELECT current_timestamp, current_timestamp(3), current_date, localtime, localtimestamp(0), current_user, session_user, user, current_role, current_catalog, current_schema, current_schema()",
    "(select (items (current_timestamp) (current_timestamp 3) (current_date) (localtime) (localtimestamp 0) (current_user) (session_user) (user) (current_role) (current_catalog) (current_schema) (current_schema)))"],
  ["SELECT coalesce(a, b, 0), nullif(a, ''), greatest(1, 2), least(1, 2), pg_catalog.now(), s.f(1)",
    "(select (items (coalesce a b 0) (nullif a '') (greatest 1 2) (least 1 2) (now) (s.f 1)))"],
  ["SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00', TIMESTAMP WITH TIME ZONE '2024-01-01', timestamptz '2024-01-01', jsonb '{\"a\":1}', double precision '1.5', varchar(3) 'abc', int4 '7'",
    "(select (items (typed date '2024-01-01') (typed timestamp '2024-01-01 00:00') (typed timestamp with time zone '2024-01-01') (typed timestamptz '2024-01-01') (typed jsonb '{\"a\":1}') (typed double precision '1.5') (typed varchar(3) 'abc') (typed int4 '7')))"],
  ["SELECT now() AT TIME ZONE 'UTC', ts AT TIME ZONE tz FROM t",
    "(select (items (timezone 'UTC' (now)) (timezone tz ts)) (from t))"],
  ["SELECT sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), row_number() OVER (), rank() OVER w, lag(x) OVER (w ORDER BY c) FROM t WINDOW w AS (PARTITION BY d)",
    "(select (items (sum x (over (partition a) (order b) (frame 'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW'))) (row_number (over)) (rank (over (partition d))) (lag x (over (partition d) (order c)))) (from t))"],
  ["SELECT rank() OVER w FROM t WINDOW w AS (PARTITION BY a), w2 AS (w ORDER BY b) ORDER BY sum(x) OVER (w2 ROWS 1 PRECEDING)",
    "(select (items (rank (over (partition a)))) (from t) (order (sum x (over (partition a) (order b) (frame 'ROWS 1 PRECEDING')))))"],
  ["SELECT a[1], a[i + 1], ARRAY[[1, 2], [3, 4]], ARRAY[]::int[] FROM t",
    "(select (items (sub a 1) (sub a (+ i 1)) [[1 2] [3 4]] (cast [] int[])) (from t))"],
  ["SELECT window_start, count(*) FROM TUMBLE(pageviews, ts, INTERVAL '1 minute') GROUP BY window_start",
    "(select (items window_start (count *)) (from (tumble pageviews ts (typed interval '1 minute'))) (group window_start))"],
  ["SELECT * FROM HOP(bids, ts, INTERVAL '1 minute', INTERVAL '5 minutes') AS h, LATERAL (SELECT 1) s, generate_series(1, 3) g(i)",
    "(select (items *) (from (hop bids ts (typed interval '1 minute') (typed interval '5 minutes') (as h)) (lateral (select (items 1)) (as s)) (generate_series 1 3 (as g (i)))))"],
  ["SELECT * FROM (t1 JOIN t2 ON t1.a = t2.a) JOIN t3 ON t3.b = t2.b",
    "(select (items *) (from (inner-join (inner-join t1 t2 (on (= t1.a t2.a))) t3 (on (= t3.b t2.b)))))"],
  ["SELECT * FROM a JOIN b JOIN c ON c.x = b.x ON b.y = a.y",
    "(select (items *) (from (inner-join a (inner-join b c (on (= c.x b.x))) (on (= b.y a.y)))))"],
  ["SELECT a FROM t GROUP BY a, 2 HAVING count(*) > 1",
    "(select (items a) (from t) (group a 2) (having (> (count *) 1)))"],
  ["SELECT timestamp, date, name, type, value, key, data, time, text, year, interval FROM t",
    "(select (items timestamp date name type value key data time text year interval) (from t))"],
  ["SELECT a FROM t WHERE x OPERATOR(pg_catalog.~) '^a' COLLATE pg_catalog.default",
    "(select (items a) (from t) (where (~ x '^a')))"],
  ["SELECT 1 AS \"select\", 2 AS from, 3 value, 4 \"Quoted\", 5 join",
    "(select (items (as 1 select) (as 2 from) (as 3 value) (as 4 Quoted) (as 5 join)))"],
  ["SELECT ((SELECT 1) + 1), (((SELECT 1) UNION (SELECT 2))), 1 IN ((SELECT 1))",
    "(select (items (+ (subquery (select (items 1))) 1) (subquery (union (select (items 1)) (select (items 2)))) (in 1 (select (items 1)))))"],
  ["SELECT FROM t",
    "(select (items) (from t))"],
  ["SELECT a FROM t WHERE NOT a = b",
    "(select (items a) (from t) (where (NOT (= a b))))"],
];

describe('queries', () => {
  for (const [sql, expected] of QUERY_CASES) {
    it(sql, () => {
      assert.equal(querySexpr(query(sql)), expected);
    });
  }
});

// ---------------------------------------------------------------- other statements

const t = (name: string, modifiers: number[] = []) => ({ name, modifiers });
const lit = (literal: string, value: unknown) => ({ kind: 'Literal', literal, value });

/** [sql, a subset of the parsed statement]. */
const STATEMENT_CASES: [string, object][] = [
  // CREATE STREAM
  [
    "CREATE STREAM IF NOT EXISTS pageviews (page TEXT NOT NULL, user_id BIGINT DEFAULT 0, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '5 seconds') WITH (connector = 'kafka', topic = 'pageviews', Brokers = 'localhost:9092', format = json, partitions = 4, flag)",
    {
      kind: 'CreateStream', name: 'pageviews', ifNotExists: true, pos: 1,
      columns: [
        { name: 'page', typeName: t('text'), notNull: true, primaryKey: false, default: undefined },
        { name: 'user_id', typeName: t('bigint'), notNull: false, default: lit('integer', '0'), defaultSql: '0' },
        { name: 'ts', typeName: t('timestamptz'), notNull: false },
      ],
      watermark: { column: 'ts', exprSql: "ts - INTERVAL '5 seconds'", expr: { kind: 'Binary', op: '-' } },
      options: { connector: 'kafka', topic: 'pageviews', brokers: 'localhost:9092', format: 'json', partitions: '4', flag: 'true' },
      as: undefined,
    },
  ],
  ['create stream clicks (url text, ts timestamptz)', { kind: 'CreateStream', name: 'clicks', ifNotExists: false, options: {}, watermark: undefined }],
  ['create stream s ()', { kind: 'CreateStream', name: 's', columns: [] }],
  [
    'CREATE STREAM big_bids WITH (retention = \'1 day\') AS SELECT * FROM bids WHERE price > 1000',
    { kind: 'CreateStream', name: 'big_bids', columns: [], options: { retention: '1 day' }, as: { kind: 'Select' }, queryText: 'SELECT * FROM bids WHERE price > 1000' },
  ],
  ['create stream public.s (a int)', { kind: 'CreateStream', name: 's' }],
  // CREATE TABLE
  [
    'CREATE TABLE users (id BIGINT PRIMARY KEY, country TEXT NULL DEFAULT \'nl\', score numeric(10,2) not null)',
    {
      kind: 'CreateTable', name: 'users', ifNotExists: false, appendOnly: false, options: {}, primaryKey: ['id'],
      columns: [
        { name: 'id', typeName: t('bigint'), primaryKey: true, notNull: false },
        { name: 'country', typeName: t('text'), primaryKey: false, notNull: false, default: lit('string', 'nl'), defaultSql: "'nl'" },
        { name: 'score', typeName: t('numeric', [10, 2]), notNull: true },
      ],
    },
  ],
  [
    'create table if not exists kv (k int, v text, w varchar(20), constraint kv_pk primary key (k, w)) append only with (a = 1)',
    { kind: 'CreateTable', name: 'kv', ifNotExists: true, primaryKey: ['k', 'w'], appendOnly: true, options: { a: '1' } },
  ],
  ['create table t (k int primary key, v int) on conflict do update if not null', { primaryKey: ['k'], appendOnly: false, onConflict: 'update_if_not_null' }],
  ['create table t (k int primary key) append only on conflict do nothing', { appendOnly: true, onConflict: 'nothing' }],
  ['create table t (k int primary key) on conflict do update full', { onConflict: 'update_full' }],
  ["create table t (tm timestamp, watermark for tm as tm - interval '5 minutes') append only", { appendOnly: true, watermark: { column: 'tm' }, columns: [{ name: 'tm' }] }],
  ['create table t (a int default now() not null)', { columns: [{ name: 'a', notNull: true, default: { kind: 'FuncCall', name: 'now' }, defaultSql: 'now()' }] }],
  ['create table t2 as select 1 as a', { kind: 'CreateTable', name: 't2', as: { kind: 'Select' }, queryText: 'select 1 as a', columns: [] }],
  // CREATE MATERIALIZED VIEW
  [
    "CREATE MATERIALIZED VIEW page_minute AS\n  SELECT page, window_start AS minute, count(*) AS visits\n  FROM TUMBLE(pageviews, ts, INTERVAL '1 minute')\n  GROUP BY page, window_start EMIT ON WINDOW CLOSE;",
    {
      kind: 'CreateMaterializedView', name: 'page_minute', ifNotExists: false, orReplace: false, options: {}, columns: undefined,
      queryText: "SELECT page, window_start AS minute, count(*) AS visits\n  FROM TUMBLE(pageviews, ts, INTERVAL '1 minute')\n  GROUP BY page, window_start",
      query: { kind: 'Select', emit: 'window_close', from: [{ kind: 'TableFunction', name: 'tumble' }] },
    },
  ],
  [
    'create or replace materialized view if not exists m (a, b) with (x = \'y\') as select 1, 2 from t emit changes',
    { kind: 'CreateMaterializedView', name: 'm', orReplace: true, ifNotExists: true, columns: ['a', 'b'], options: { x: 'y' }, queryText: 'select 1, 2 from t', query: { emit: 'changes' } },
  ],
  ['create materialized view m emit on window close as select 1', { kind: 'CreateMaterializedView', query: { emit: 'window_close' }, queryText: 'select 1' }],
  ['create materialized view m as select a from t emit', { kind: 'CreateMaterializedView', query: { from: [{ kind: 'Table', name: 't', alias: 'emit' }], emit: undefined } }],
  ['create materialized view m as select 1 emit', { kind: 'CreateMaterializedView', query: { items: [{ kind: 'Expr', alias: 'emit' }], emit: undefined } }],
  ['create materialized view m as select 1 union select 2', { kind: 'CreateMaterializedView', query: { kind: 'SetOp' }, queryText: 'select 1 union select 2' }],
  // CREATE VIEW
  ['create view v as select 1', { kind: 'CreateView', name: 'v', orReplace: false, ifNotExists: false, queryText: 'select 1', columns: undefined }],
  ['create or replace view v (a) as (select 1)', { kind: 'CreateView', orReplace: true, columns: ['a'], queryText: '(select 1)' }],
  // CREATE SINK
  [
    "CREATE SINK page_minute_out FROM page_minute WITH (connector = 'mysql', url = 'mysql://root@127.0.0.1:3306/test', table = 'page_visits', primary_key = 'page,minute')",
    { kind: 'CreateSink', name: 'page_minute_out', ifNotExists: false, from: 'page_minute', query: undefined, options: { connector: 'mysql', table: 'page_visits', primary_key: 'page,minute' } },
  ],
  [
    "create sink if not exists s as select * from t where a > 1 with (connector = 'kafka')",
    { kind: 'CreateSink', name: 's', ifNotExists: true, from: '', query: { kind: 'Select' }, queryText: 'select * from t where a > 1', options: { connector: 'kafka' } },
  ],
  // DROP
  ['DROP STREAM s', { kind: 'Drop', objectKind: 'stream', names: ['s'], ifExists: false, cascade: false }],
  ['drop table if exists a, public.b cascade', { kind: 'Drop', objectKind: 'table', names: ['a', 'b'], ifExists: true, cascade: true }],
  ['drop materialized view m restrict', { kind: 'Drop', objectKind: 'materialized view', names: ['m'], cascade: false }],
  ['drop view v', { kind: 'Drop', objectKind: 'view', names: ['v'] }],
  ['drop sink k', { kind: 'Drop', objectKind: 'sink', names: ['k'] }],
  ['drop index i', { kind: 'Drop', objectKind: 'index', names: ['i'] }],
  // SHOW
  ['SHOW STREAMS', { kind: 'Show', what: 'streams', variable: undefined }],
  ['show tables', { kind: 'Show', what: 'tables' }],
  ['show materialized views', { kind: 'Show', what: 'materialized views' }],
  ['show views', { kind: 'Show', what: 'views' }],
  ['show sinks;', { kind: 'Show', what: 'sinks' }],
  ['show queries', { kind: 'Show', what: 'queries' }],
  ['show search_path', { kind: 'Show', variable: 'search_path', what: undefined }],
  ['SHOW "TimeZone"', { kind: 'Show', variable: 'timezone' }],
  ['show all', { kind: 'Show', variable: 'all' }],
  ['show transaction isolation level', { kind: 'Show', variable: 'transaction_isolation' }],
  ['show time zone', { kind: 'Show', variable: 'timezone' }],
  ['show server_version', { kind: 'Show', variable: 'server_version' }],
  // EXPLAIN
  ['explain select 1', { kind: 'Explain', analyze: false, verbose: false, statement: { kind: 'Query' } }],
  ['explain analyze verbose select 1', { kind: 'Explain', analyze: true, verbose: true }],
  ['explain (analyze, verbose false, format json, costs off) insert into t values (1)', { kind: 'Explain', analyze: true, verbose: false, statement: { kind: 'Insert' } }],
  ['explain create materialized view m as select 1 from t', { kind: 'Explain', statement: { kind: 'CreateMaterializedView', pos: 9 } }],
  ['FLUSH', { kind: 'Flush', pos: 1 }],
  // SET / RESET
  ["set search_path to public, '$user'", { kind: 'Set', name: 'search_path', values: ['public', '$user'], local: false }],
  ['SET application_name = \'psql\'', { kind: 'Set', name: 'application_name', values: ['psql'] }],
  ['set local statement_timeout = 0', { kind: 'Set', name: 'statement_timeout', values: ['0'], local: true }],
  ['set session DateStyle to ISO, MDY', { kind: 'Set', name: 'datestyle', values: ['iso', 'mdy'], local: false }],
  ['set extra_float_digits = -3', { kind: 'Set', name: 'extra_float_digits', values: ['-3'] }],
  ['set search_path = default', { kind: 'Set', name: 'search_path', values: 'default' }],
  ['set my.custom = on', { kind: 'Set', name: 'my.custom', values: ['on'] }],
  ["SET TIME ZONE 'UTC'", { kind: 'Set', name: 'timezone', values: ['UTC'] }],
  ['set time zone local', { kind: 'Set', name: 'timezone', values: 'default' }],
  ['set time zone default', { kind: 'Set', name: 'timezone', values: 'default' }],
  ['set names \'UTF8\'', { kind: 'Set', name: 'client_encoding', values: ['UTF8'] }],
  ['SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED', { kind: 'NoOp', tag: 'SET' }],
  ['set transaction read only', { kind: 'NoOp', tag: 'SET' }],
  ['reset all', { kind: 'Reset', name: 'all' }],
  ['RESET search_path', { kind: 'Reset', name: 'search_path' }],
  ['reset time zone', { kind: 'Reset', name: 'timezone' }],
  // transactions
  ['BEGIN', { kind: 'Begin', pos: 1 }],
  ['begin work', { kind: 'Begin' }],
  ['begin transaction isolation level serializable, read only', { kind: 'Begin' }],
  ['begin isolation level repeatable read read write not deferrable', { kind: 'Begin' }],
  ['start transaction read write', { kind: 'Begin' }],
  ['commit', { kind: 'Commit' }],
  ['commit work and no chain', { kind: 'Commit' }],
  ['END TRANSACTION', { kind: 'Commit' }],
  ['rollback', { kind: 'Rollback' }],
  ['abort work', { kind: 'Rollback' }],
  // misc
  ['discard all', { kind: 'Discard', what: 'all' }],
  ['discard temporary', { kind: 'Discard', what: 'temp' }],
  ['discard plans', { kind: 'Discard', what: 'plans' }],
  ['deallocate all', { kind: 'Deallocate', name: 'all' }],
  ['deallocate prepare "S_1"', { kind: 'Deallocate', name: 'S_1' }],
  ['deallocate stmt1', { kind: 'Deallocate', name: 'stmt1' }],
  ['LISTEN chan', { kind: 'NoOp', tag: 'LISTEN' }],
  ['unlisten *', { kind: 'NoOp', tag: 'UNLISTEN' }],
  ["notify chan, 'x'", { kind: 'NoOp', tag: 'NOTIFY' }],
  ['analyze verbose t', { kind: 'NoOp', tag: 'ANALYZE' }],
  ['vacuum full', { kind: 'NoOp', tag: 'VACUUM' }],
  ['checkpoint', { kind: 'NoOp', tag: 'CHECKPOINT' }],
  ['  -- nothing here\n', { kind: 'NoOp', tag: '' }],
  // INSERT / UPDATE / DELETE
  [
    "insert into t (a, b) values (now(), 1 + 1), (DEFAULT, 'x')",
    { kind: 'Insert', table: 't', columns: ['a', 'b'], source: { kind: 'Values', rows: [[{ kind: 'FuncCall' }, { kind: 'Binary' }], [{ kind: 'Default' }, lit('string', 'x')]] } },
  ],
  ['insert into public.t select * from u returning *', { kind: 'Insert', table: 't', columns: undefined, source: { kind: 'Select' }, returning: [{ kind: 'Star' }] }],
  ['insert into t (select 1)', { kind: 'Insert', columns: undefined, source: { kind: 'Select' } }],
  ['insert into t default values', { kind: 'Insert', source: undefined }],
  ['insert into t values (1) on conflict do nothing', { onConflict: { target: [], action: { kind: 'nothing' } } }],
  [
    'INSERT INTO kv AS x VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v || x.v, w = DEFAULT WHERE x.k > 0 RETURNING x.k, v AS val',
    {
      kind: 'Insert', table: 'kv', alias: 'x', source: { kind: 'Values', rows: [[{ kind: 'Param', index: 1 }, { kind: 'Param', index: 2 }]] },
      onConflict: {
        target: ['k'],
        action: {
          kind: 'update',
          set: [
            { column: 'v', expr: { kind: 'Binary', op: '||', left: { kind: 'ColumnRef', table: 'excluded', column: 'v' }, right: { kind: 'ColumnRef', table: 'x', column: 'v' } } },
            { column: 'w', expr: { kind: 'Default' } },
          ],
          where: { kind: 'Binary', op: '>' },
        },
      },
      returning: [{ kind: 'Expr', expr: { kind: 'ColumnRef', table: 'x', column: 'k' } }, { kind: 'Expr', alias: 'val' }],
    },
  ],
  [
    'UPDATE t AS a SET x = x + 1, (y, z) = (1, DEFAULT) FROM u WHERE u.id = a.id RETURNING a.x',
    {
      kind: 'Update', table: 't', alias: 'a',
      set: [{ column: 'x', pos: 19 }, { column: 'y', expr: lit('integer', '1') }, { column: 'z', expr: { kind: 'Default' } }],
      from: [{ kind: 'Table', name: 'u' }], where: { kind: 'Binary', op: '=' }, returning: [{ kind: 'Expr' }],
    },
  ],
  ['update t set v = 1', { kind: 'Update', table: 't', alias: undefined, from: [], where: undefined }],
  ['update t z set v = z.v', { kind: 'Update', alias: 'z' }],
  ['DELETE FROM t WHERE k = 1 RETURNING *', { kind: 'Delete', table: 't', where: { kind: 'Binary' }, returning: [{ kind: 'Star' }] }],
  ['delete from only t as d', { kind: 'Delete', table: 't', alias: 'd', where: undefined }],
];

describe('statements', () => {
  for (const [sql, expected] of STATEMENT_CASES) {
    it(sql, () => {
      assertSubset(parseStatement(sql), expected);
    });
  }
});

// ---------------------------------------------------------------- positions

describe('positions', () => {
  it('points at identifiers, tables, operators and literals (1-based)', () => {
    const sql = 'select a, t.b, count(*) from t join "U" u on t.x = u.y where c > 10';
    const q = query(sql) as Extract<Query, { kind: 'Select' }>;
    const at = (s: string, from = 0) => sql.indexOf(s, from) + 1;
    assertSubset(q.items, [
      { kind: 'Expr', pos: at('a,'), expr: { kind: 'ColumnRef', column: 'a', pos: at('a,') } },
      { kind: 'Expr', expr: { kind: 'ColumnRef', table: 't', column: 'b', pos: at('t.b') } },
      { kind: 'Expr', expr: { kind: 'FuncCall', name: 'count', pos: at('count') } },
    ]);
    assertSubset(q.from, [
      {
        kind: 'Join', pos: at('join'),
        left: { kind: 'Table', name: 't', pos: at('t join') },
        right: { kind: 'Table', name: 'U', alias: 'u', pos: at('"U"') },
        on: { kind: 'Binary', op: '=', pos: at('= u.y'), left: { pos: at('t.x') }, right: { pos: at('u.y') } },
      },
    ]);
    assertSubset(q.where, { kind: 'Binary', op: '>', pos: at('>'), left: { kind: 'ColumnRef', column: 'c', pos: at('c >') }, right: { pos: at('10') } });
    assert.equal(q.pos, 1);
  });

  it('reports PostgreSQL locations for special nodes', () => {
    assertSubset(firstItem('select -5'), { kind: 'Literal', value: '-5', pos: 8 });
    assertSubset(firstItem('select x::int'), { kind: 'Cast', pos: 9, typeName: { pos: 11 } });
    assertSubset(firstItem('select cast(x as int)'), { kind: 'Cast', pos: 8 });
    assertSubset(firstItem('select x is null'), { kind: 'IsNull', pos: 10 });
    assertSubset(firstItem('select x not in (1)'), { kind: 'InList', pos: 10 });
    assertSubset(firstItem('select (select 1)'), { kind: 'ScalarSubquery', pos: 8 });
    assertSubset(firstItem("select date '2024-01-01'"), { kind: 'TypedLiteral', pos: 8 });
    assertSubset(firstItem('select $2'), { kind: 'Param', index: 2, pos: 8 });
  });

  it('keeps positions relative to the statement text inside nested statements', () => {
    const s = parseStatement('explain create materialized view m as select nope from t') as Extract<Statement, { kind: 'Explain' }>;
    const mv = s.statement as Extract<Statement, { kind: 'CreateMaterializedView' }>;
    const sel = mv.query as Extract<Query, { kind: 'Select' }>;
    assertSubset(sel.items[0], { kind: 'Expr', expr: { column: 'nope', pos: 46 } });
    assertSubset(sel.from[0], { kind: 'Table', name: 't', pos: 56 });
  });
});

// ---------------------------------------------------------------- literals

describe('literals', () => {
  const cases: [string, string, string][] = [
    ['9223372036854775807', 'integer', '9223372036854775807'],
    ['9223372036854775808', 'integer', '9223372036854775808'],
    ['-9223372036854775808', 'integer', '-9223372036854775808'],
    ['123456789012345678901234567890', 'integer', '123456789012345678901234567890'],
    ['00012', 'integer', '00012'],
    ['0', 'integer', '0'],
    ['1e3', 'decimal', '1e3'],
    ['1.5E-10', 'decimal', '1.5E-10'],
    ['.5', 'decimal', '.5'],
    ['5.', 'decimal', '5.'],
    ['1.50', 'decimal', '1.50'],
    ['- 2.50', 'decimal', '-2.50'],
  ];
  for (const [text, kind, digits] of cases) {
    it(`keeps ${text} exactly`, () => {
      assertSubset(firstItem(`select ${text}`), { kind: 'Literal', literal: kind, value: digits });
    });
  }

  it('unescapes strings of every flavour', () => {
    const strings: [string, string][] = [
      ["'it''s'", "it's"],
      ["E'a\\nb\\t\\\\\\'c'", "a\nb\t\\'c"],
      ["e'\\x41\\102\\u00e9\\U0001F600'", 'AB\u00e9\u{1F600}'],
      ["E'\\xc3\\xa9'", '\u00e9'],
      ["U&'d\\0061t\\+000061'", 'data'],
      ["U&'d!0061t' UESCAPE '!'", 'dat'],
      ['$$a\'b$$', "a'b"],
      ['$tag$x$$y$tag$', 'x$$y'],
      ["'a'\n  'b'", 'ab'],
      ["'a' -- comment\n'b'", 'ab'],
      ["N'x'", 'x'],
      ["'back\\slash'", 'back\\slash'],
    ];
    for (const [text, value] of strings) assertSubset(firstItem(`select ${text}`), { kind: 'Literal', literal: 'string', value });
  });

  it('folds unquoted identifiers to lower case and keeps quoted ones', () => {
    assertSubset(firstItem('select Foo.BAR'), { kind: 'ColumnRef', table: 'foo', column: 'bar' });
    assertSubset(firstItem('select "Foo"."BAR"'), { kind: 'ColumnRef', table: 'Foo', column: 'BAR' });
    assertSubset(firstItem('select ÉTÉ'), { kind: 'ColumnRef', column: 'ÉtÉ' });
    assertSubset(firstItem('select U&"\\0041bc"'), { kind: 'ColumnRef', column: 'Abc' });
  });
});

// ---------------------------------------------------------------- errors

/** [sql, SQLSTATE, message, position], as PostgreSQL 15.20 reports them. */
const ERROR_CASES: [string, string, string, number | undefined][] = [
  ['select 1 +', '42601', 'syntax error at end of input', 11],
  ['select a from t where a = = 1', '42601', 'syntax error at or near "="', 27],
  ["select 'abc", '42601', `unterminated quoted string at or near "'abc"`, 8],
  ['select "abc', '42601', 'unterminated quoted identifier at or near ""abc"', 8],
  ['select /* x', '42601', 'unterminated /* comment at or near "/* x"', 8],
  ['select $$abc', '42601', 'unterminated dollar-quoted string at or near "$$abc"', 8],
  ['select ""', '42601', 'zero-length delimited identifier at or near """"', 8],
  ['select 1 < 2 < 3', '42601', 'syntax error at or near "<"', 14],
  ['select true = true = true', '42601', 'syntax error at or near "="', 20],
  ["select 'a' like 'a' like 'a'", '42601', 'syntax error at or near "like"', 21],
  ['select 1 is distinct from 2 is distinct from 3', '42601', 'syntax error at or near "is"', 29],
  ['select 1 between 0 and 2 between false and true', '42601', 'syntax error at or near "between"', 26],
  ["select 1 'abc'", '42601', `syntax error at or near "'abc'"`, 10],
  ['select 1 $$x$$', '42601', 'syntax error at or near "$$x$$"', 10],
  ['select 1 Foo bar', '42601', 'syntax error at or near "bar"', 14],
  ['select 1 $1', '42601', 'syntax error at or near "$1"', 10],
  ['select (1', '42601', 'syntax error at end of input', 10],
  ['select 1)', '42601', 'syntax error at or near ")"', 9],
  ['select a from', '42601', 'syntax error at end of input', 14],
  ['selec 1', '42601', 'syntax error at or near "selec"', 1],
  ['create streem x', '42601', 'syntax error at or near "streem"', 8],
  ['create table t (a int', '42601', 'syntax error at end of input', 22],
  ['insert into t values (1,)', '42601', 'syntax error at or near ")"', 25],
  ['select 1 from t limit 1, 2', '42601', 'LIMIT #,# syntax is not supported', 17],
  ['select 1 from t limit 1 offset 2 offset 3', '42601', 'syntax error at or near "offset"', 34],
  ['select 1 from t order by 1 order by 2', '42601', 'syntax error at or near "order"', 28],
  ['(select 1 order by 1) order by 1', '42601', 'multiple ORDER BY clauses not allowed', 32],
  ['(select 1 limit 1) limit 2', '42601', 'multiple LIMIT clauses not allowed', 26],
  ['values (1),(2,3)', '42601', 'VALUES lists must all be the same length', 13],
  ['select 1e', '42601', 'trailing junk after numeric literal at or near "1e"', 8],
  ['select 1.2.3', '42601', 'syntax error at or near ".3"', 11],
  ['select 0x1F', '42601', 'trailing junk after numeric literal at or near "0x1F"', 8],
  ['select 12abc', '42601', 'trailing junk after numeric literal at or near "12abc"', 8],
  ['select $1x', '42601', 'trailing junk after parameter at or near "$1x"', 8],
  ['select * from t where a in ()', '42601', 'syntax error at or near ")"', 29],
  ['select from', '42601', 'syntax error at end of input', 12],
  ['select * from t join u', '42601', 'syntax error at end of input', 23],
  ['select * from t natural join u on true', '42601', 'syntax error at or near "on"', 32],
  ['select case when 1 then 2', '42601', 'syntax error at end of input', 26],
  ['select cast(1 as)', '42601', 'syntax error at or near ")"', 17],
  ['select 1::', '42601', 'syntax error at end of input', 11],
  ['select f(', '42601', 'syntax error at end of input', 10],
  ['select * from t group by', '42601', 'syntax error at end of input', 25],
  ['select * from t where x between 1', '42601', 'syntax error at end of input', 34],
  ['select * from t where x not', '42601', 'syntax error at or near "not"', 25],
  ['insert into t (a b) values (1)', '42601', 'syntax error at or near "b"', 18],
  ['update t set a = 1 where', '42601', 'syntax error at end of input', 25],
  ['delete from t where', '42601', 'syntax error at end of input', 20],
  ['select * from t as', '42601', 'syntax error at end of input', 19],
  ['select * from (select 1) as s(', '42601', 'syntax error at end of input', 31],
  ['select array[1,2', '42601', 'syntax error at end of input', 17],
  ["select interval '1' hour to", '42601', 'syntax error at end of input', 28],
  ['select 1 from t order by a desc nulls', '42601', 'syntax error at or near "nulls"', 33],
  ['select distinct on a from t', '42601', 'syntax error at or near "a"', 20],
  ['with x as select 1 select 1', '42601', 'syntax error at or near "select"', 11],
  ['select * from t t1 t2', '42601', 'syntax error at or near "t2"', 20],
  ['select 1 union', '42601', 'syntax error at end of input', 15],
  ['create table t (a int primary key, b int primary key)', '42P16', 'multiple primary keys for table "t" are not allowed', 42],
  ['create table t (a int primary key, b int, primary key (b))', '42P16', 'multiple primary keys for table "t" are not allowed', 43],
  ['create table t (a int not null null)', '42601', 'conflicting NULL/NOT NULL declarations for column "a" of table "t"', 32],
  ['create table t (a int null not null)', '42601', 'conflicting NULL/NOT NULL declarations for column "a" of table "t"', 28],
  ['create table t (a int default 1 default 2)', '42601', 'multiple default values specified for column "a" of table "t"', 33],
  ['drop table', '42601', 'syntax error at end of input', 11],
  ['drop tablex t', '42601', 'syntax error at or near "tablex"', 6],
  ['select * from t where a = 1 and', '42601', 'syntax error at end of input', 32],
  ['select * from t where a = 1 or or b', '42601', 'syntax error at or near "or"', 32],
  ['select 1 as', '42601', 'syntax error at end of input', 12],
  ['select a., b from t', '42601', 'syntax error at or near ","', 10],
  ['select count(*) filter where a from t', '42601', 'syntax error at or near "where"', 24],
  ["select x from t where x like 'a' escape", '42601', 'syntax error at end of input', 40],
  ['select * from t fetch first 5 rows', '42601', 'syntax error at end of input', 35],
  ['select * from t limit all all', '42601', 'syntax error at or near "all"', 27],
  ['show', '42601', 'syntax error at end of input', 5],
  ['set x to', '42601', 'syntax error at end of input', 9],
  ['set x', '42601', 'syntax error at end of input', 6],
  ['begin transaction isolation level foo', '42601', 'syntax error at or near "foo"', 35],
  ['explain', '42601', 'syntax error at end of input', 8],
  ['select 1 from t where a is', '42601', 'syntax error at end of input', 27],
  ['select 1 from t where a is not 5', '42601', 'syntax error at or near "5"', 32],
  ["select e'\\u00'", '22025', 'invalid Unicode escape', 10],
  ["select U&'\\00' ", '42601', 'invalid Unicode escape', 11],
  ['select 1 union select 2 order by 1 order by 2', '42601', 'syntax error at or near "order"', 36],
  ['select (select 1 order by 1 order by 1)', '42601', 'syntax error at or near "order"', 29],
  ['select -', '42601', 'syntax error at end of input', 9],
  ['select @', '42601', 'syntax error at end of input', 9],
  ['select 3 day', '42601', 'syntax error at or near "day"', 10],
  ['select a < b = true', '42601', 'syntax error at or near "="', 14],
  // where Eddy answers earlier than PostgreSQL (which first looks the table up)
  ['update t set (a, b) = (1, 2, 3)', '42601', 'number of columns does not match number of values', 23],
  ['insert into t values (1) on conflict do update set a = 1', '42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', 26],
  ['create table t (a int primary key) on conflict do update', '42601', 'expected DO NOTHING, DO UPDATE FULL or DO UPDATE IF NOT NULL after ON CONFLICT', 36],
  ['create table t (a int) with (x = 1, x = 2)', '22023', 'parameter "x" specified more than once', 37],
  // extended-protocol rule and Eddy-only statements
  ['select 1; select 2', '42601', 'cannot insert multiple commands into a prepared statement', undefined],
  ['create stream s (a int, watermark for a as a, watermark for a as a)', '42P16', 'multiple watermarks for stream "s" are not allowed', 47],
  ['create materialized view m as select 1 emit sometimes', '42601', 'syntax error at or near "sometimes"', 45],
  ['create sink k', '42601', 'syntax error at end of input', 14],
  ['create table other.t (a int)', '3F000', 'schema "other" does not exist', 14],
  ['insert into other.t values (1)', '42P01', 'relation "other.t" does not exist', 13],
  // PostgreSQL syntax Eddy does not support
  ['truncate t', '0A000', 'TRUNCATE is not supported', 1],
  ['create unique index on t (a) include (b', '42601', 'syntax error at end of input', 40],
  ["select B'101'", '0A000', 'a bit string literal is not supported', 8],
  ["select 'a' collate \"de_DE\"", '0A000', 'collation "de_DE" is not supported', 12],
];

describe('syntax errors', () => {
  for (const [sql, code, message, position] of ERROR_CASES) {
    it(`${sql} -> ${message}`, () => {
      assert.throws(
        () => parseUncached(sql),
        (e: unknown) => {
          const err = e as { code: string; message: string; position?: number; name: string };
          assert.equal(err.name, 'SqlError');
          assert.deepEqual({ code: err.code, message: err.message, position: err.position }, { code, message, position });
          return true;
        },
      );
    });
  }

  it('gives LIMIT #,# the PostgreSQL hint', () => {
    assert.throws(() => parseStatement('select 1 from t limit 1, 2'), { hint: 'Use separate LIMIT and OFFSET clauses.' });
  });
});

// ---------------------------------------------------------------- API details

describe('parse API', () => {
  it('caches parsed statements by exact text', () => {
    const a = parseStatement('select 42 from cached_t');
    assert.equal(parseStatement('select 42 from cached_t'), a);
    assert.notEqual(parseStatement('select 42 from cached_t '), a);
  });

  it('accepts a trailing semicolon (and empty statements after it)', () => {
    assert.equal(parseStatement('select 1;').kind, 'Query');
    assert.equal(parseStatement('select 1 ; ; ').kind, 'Query');
  });

  it('parses standalone expressions', () => {
    assert.equal(sexpr(parseExpression("now() - interval '1 hour'")), "(- (now) (typed interval '1 hour'))");
    assert.equal(sexpr(parseExpression('-1')), '-1');
    assert.throws(() => parseExpression('1 2'), { code: '42601', message: 'syntax error at or near "2"', position: 3 });
  });

  it('puts a window reference inside a subquery in that subquery\'s scope', () => {
    const e = firstItem('select (select sum(x) over w from u window w as (order by y))');
    assert.equal(e.kind, 'ScalarSubquery');
    assert.throws(() => parseStatement('select (select sum(x) over w from u) from t window w as (order by y)'), { code: '42704', message: 'window "w" does not exist' });
  });
});
