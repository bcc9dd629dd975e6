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
