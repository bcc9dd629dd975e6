/**
 * The append-only analysis over bound plans: which inputs can only ever insert, and that the
 * HashAggregate of an MV uses insert-only min/max state exactly when its input is append-only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, type CatalogObject, type ObjectKind } from '../../runtime/catalog/catalog.js';
import { T } from '../../runtime/sql/types.js';
import type { SqlType } from '../../runtime/sql/types.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import { parseStatement } from '../../parser/parse.js';
import type { Query } from '../../parser/ast.js';
import type { BinderEnvironment } from '../bind/bind-select.js';
import { bindQuery } from '../planner.js';
import { isAppendOnly, whyNotAppendOnly } from './append-only.js';
import { explainDataflow, lowerToDataflow } from './lower-to-dataflow.js';

function parseQuery(text: string): Query {
  const s = parseStatement(text);
  if (s.kind !== 'Query') throw new Error('not a query');
  return s.query;
}

const catalog = new Catalog();
function obj(name: string, kind: ObjectKind, cols: [string, SqlType][], extra: Partial<CatalogObject> = {}): void {
  catalog.add({
    id: catalog.allocateId(), name, kind, columns: cols.map(([n, type]) => ({ name: n, type, notNull: false })),
    primaryKey: [], liveKey: null, createSql: '', dependsOn: [], options: {}, createdEpoch: 0, ...extra,
  });
}
obj('s', 'stream', [['k', T.int4], ['v', T.int4], ['ts', T.timestamp]]);
obj('s2', 'stream', [['k', T.int4], ['w', T.int4], ['ts', T.timestamp]]);
obj('t', 'table', [['k', T.int4], ['name', T.text]], { primaryKey: [0] });
obj('m', 'mv', [['k', T.int4], ['n', T.int8]], { queryText: 'SELECT k, count(*) AS n FROM s GROUP BY k', liveKey: [0] });
const env: BinderEnvironment = { catalog, systemTables: new Map(), parseQuery };

const plan = (sql: string): RelPlan => bindQuery(parseQuery(sql), env).plan;
/** The input of the query's (only) Aggregate. */
function aggInput(sql: string): RelPlan {
  const find = (p: RelPlan): RelPlan | null => {
    if (p.kind === 'Aggregate') return p.input;
    for (const c of ('input' in p ? [p.input] : p.kind === 'Join' ? [p.left, p.right] : p.kind === 'UnionAll' ? p.inputs : [])) {
      const f = find(c);
      if (f) return f;
    }
    return null;
  };
  const r = find(plan(sql));
  assert.ok(r, `no aggregate in ${sql}`);
  return r;
}

test('append-only: streams and what preserves insert-only output', () => {
  const yes = [
    'SELECT * FROM s',
    'SELECT k, v + 1 AS v1 FROM s WHERE v > 0 AND k::text <> \'x\'',
    "SELECT * FROM TUMBLE(s, ts, INTERVAL '1 minute')",
    "SELECT * FROM HOP(s, ts, INTERVAL '1 minute', INTERVAL '5 minutes')",
    'SELECT k, v FROM s UNION ALL SELECT k, w FROM s2',
    'SELECT s.k, s.v, s2.w FROM s JOIN s2 ON s.k = s2.k',
    "SELECT s.k FROM s JOIN s2 ON s.k = s2.k AND s2.ts BETWEEN s.ts AND s.ts + INTERVAL '1 minute'",
    'SELECT s.k, u.name FROM s JOIN t FOR SYSTEM_TIME AS OF PROCTIME() AS u ON s.k = u.k',
    'SELECT s.k, u.name FROM s LEFT JOIN t FOR SYSTEM_TIME AS OF PROCTIME() AS u ON s.k = u.k',
    'SELECT * FROM (VALUES (1, 2)) x(a, b)',
  ];
  for (const q of yes) assert.equal(whyNotAppendOnly(plan(q), catalog), null, q);
  const no: [string, RegExp][] = [
    ['SELECT * FROM t', /table "t"/],
    ['SELECT * FROM m', /materialized view "m"/],
    ['SELECT k, count(*) FROM s GROUP BY k', /aggregate/],
    ['SELECT DISTINCT k FROM s', /Distinct/],
    ['SELECT s.k FROM s LEFT JOIN s2 ON s.k = s2.k', /left outer join/],
    ['SELECT s.k FROM s FULL JOIN s2 ON s.k = s2.k', /full outer join/],
    ['SELECT s.k FROM s JOIN t ON s.k = t.k', /table "t"/],
    ['SELECT k FROM s UNION ALL SELECT k FROM t', /table "t"/],
    ["SELECT * FROM s WHERE ts > now() - INTERVAL '1 hour'", /current time/],
    ["SELECT * FROM SESSION(s, ts, INTERVAL '1 minute')", /SessionWindow/],
    ['SELECT * FROM (SELECT k, v, row_number() OVER (PARTITION BY k ORDER BY v) AS rn FROM s) x WHERE rn <= 3', /Window/],
    ['SELECT s.k FROM s JOIN (SELECT k, count(*) AS n FROM s2 GROUP BY k) a ON s.k = a.k', /aggregate/],
  ];
  for (const [q, why] of no) {
    const w = whyNotAppendOnly(plan(q), catalog);
    assert.ok(w !== null && why.test(w), `${q}: ${w}`);
    assert.equal(isAppendOnly(plan(q), catalog), false, q);
  }
});

test('append-only: the catalog has the last word on a scanned object kind', () => {
  const p = plan('SELECT * FROM s');
  assert.equal(isAppendOnly(p, catalog), true);
  const other = new Catalog();
  for (const o of catalog.all()) other.add(o.name === 's' ? { ...o, kind: 'table' } : o);
  assert.equal(isAppendOnly(p, other), false);
});

test('append-only: aggregate inputs and the HashAggregate state form EXPLAIN shows', () => {
  assert.equal(isAppendOnly(aggInput('SELECT k, max(v) FROM s GROUP BY k'), catalog), true);
  assert.equal(isAppendOnly(aggInput('SELECT k, max(name) FROM t GROUP BY k'), catalog), false);
  const label = (sql: string) => explainDataflow(lowerToDataflow(plan(sql), { catalog }))[0];
  assert.match(label('SELECT k, min(v), max(v) FROM s GROUP BY k'), /append-only input/);
  assert.match(label('SELECT s.k, max(s2.w) FROM s JOIN s2 ON s.k = s2.k GROUP BY s.k'), /append-only input/);
  assert.match(label('SELECT k, max(DISTINCT v) FROM s GROUP BY k'), /append-only input/);
  assert.doesNotMatch(label('SELECT k, sum(v) FROM s GROUP BY k'), /append-only/, 'nothing to save without min/max');
  assert.doesNotMatch(label('SELECT k, max(v) FROM s WHERE ts > now() - INTERVAL \'1 hour\' GROUP BY k'), /append-only/);
  assert.doesNotMatch(label('SELECT s.k, max(s2.w) FROM s LEFT JOIN s2 ON s.k = s2.k GROUP BY s.k'), /append-only/);
  assert.doesNotMatch(label('SELECT k, max(name) FROM t GROUP BY k'), /append-only/);
  assert.doesNotMatch(label('SELECT k, max(n) FROM m GROUP BY k'), /append-only/);
});

test('append-only: a top-N over append-only input keeps only its top rows (EXPLAIN shows it)', () => {
  const explain = (sql: string) => explainDataflow(lowerToDataflow(plan(sql), { catalog })).join('\n');
  const dedup = (from: string) => `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY k ORDER BY k DESC) AS rn FROM ${from}) x WHERE rn = 1`;
  assert.match(explain(dedup('s')), /TopN \(limit: 1, .*append-only input\)/);
  assert.doesNotMatch(explain(dedup('t')), /append-only/);
});
