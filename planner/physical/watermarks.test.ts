/**
 * monotoneWatermark / deriveWatermarks over bound queries: for date_trunc, date_bin, casts and
 * +/- interval over a watermarked column, f(x) >= the derived watermark for every x >= W; and
 * expressions that are not monotone get no watermark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../tests/support/rng.js';
import { Catalog, watermarkKey, type CatalogObject } from '../../runtime/catalog/catalog.js';
import { T } from '../../runtime/sql/types.js';
import type { SqlType } from '../../runtime/sql/types.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { Value } from '../../runtime/sql/values.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import type { OperatorContext } from '../../runtime/dataflow/operator.js';
import { parseStatement } from '../../parser/parse.js';
import type { Query } from '../../parser/ast.js';
import type { BinderEnvironment } from '../bind/bind-select.js';
import { bindQuery } from '../planner.js';
import { deriveWatermarks, monotoneWatermark } from './watermarks.js';

function parseQuery(text: string): Query {
  const s = parseStatement(text);
  if (s.kind !== 'Query') throw new Error('not a query');
  return s.query;
}

const catalog = new Catalog();
const streamId = catalog.allocateId();
const cols: [string, SqlType][] = [['k', T.int4], ['ts', T.timestamp], ['tz', T.timestamptz]];
catalog.add({
  id: streamId, name: 's', kind: 'stream', columns: cols.map(([n, type]) => ({ name: n, type, notNull: false })),
  primaryKey: [], liveKey: null, createSql: '', dependsOn: [], options: {}, createdEpoch: 0,
  eventTime: { column: 1, delayMicros: 0, exprSql: 'ts' },
} as CatalogObject);
const env: BinderEnvironment = { catalog, systemTables: new Map(), parseQuery };
const KEY = watermarkKey(streamId, 1);
const evalCtx = newEvalContext({ statementTimestamp: 0 });
const opCtx = (w: number): OperatorContext => ({ epoch: 0, reportRowError: () => {}, watermark: (k) => (k === KEY ? w : -Infinity), processingTime: 0 });

/** The bound Project at the root of `SELECT <expr> FROM s`, and its derived column watermark. */
function derive(expr: string) {
  const plan: RelPlan = bindQuery(parseQuery(`SELECT ${expr} AS e FROM s`), env).plan;
  assert.equal(plan.kind, 'Project', expr);
  if (plan.kind !== 'Project') throw new Error('unreachable');
  const wm = deriveWatermarks(plan, catalog, evalCtx).get(plan)?.[0] ?? null;
  const f = compileExpr(plan.exprs[0], { ctx: evalCtx });
  return { wm, f: (x: number): Value => f([null, x, x]), e: plan.exprs[0] };
}

const YEAR = 365.25 * 86_400_000_000;
/** Random timestamps from about 1900 to 2100, sometimes on round boundaries. */
function randomTs(rng: Rng): number {
  const t = rng.int(-70 * YEAR, 130 * YEAR);
  return rng.chance(0.3) ? Math.floor(t / 60_000_000) * 60_000_000 + rng.int(-1, 1) : t;
}

const MONOTONE = [
  "date_trunc('minute', ts)",
  "date_trunc('hour', ts)",
  "date_trunc('day', ts)",
  "date_trunc('week', ts)",
  "date_trunc('month', ts)",
  "date_trunc('year', ts)",
  "date_trunc('minute', ts::timestamptz)",
  "date_bin(INTERVAL '15 minutes', ts, TIMESTAMP '2001-02-03 04:05:06')",
  "date_bin(INTERVAL '7 seconds', ts, TIMESTAMP '1969-12-31 23:59:59.5')",
  "ts + INTERVAL '5 minutes'",
  "ts - INTERVAL '1 hour'",
  "INTERVAL '1 day' + ts",
  "ts + INTERVAL '1 month'",
  "ts - INTERVAL '1 month 3 days'",
  "date_trunc('hour', ts + INTERVAL '30 minutes')",
  "date_trunc('minute', ts) + INTERVAL '1 minute'",
  'ts::date',
  'ts::timestamptz',
];

test('monotone expressions over the watermarked column: f(x) >= derived watermark for x >= W (seeded)', () => {
  const rng = new Rng(0x3a7e);
  for (const expr of MONOTONE) {
    const { wm, f } = derive(expr);
    assert.ok(wm !== null, `${expr}: no watermark derived`);
    // unknown source watermark stays unknown
    assert.equal(wm(opCtx(-Infinity)), -Infinity, expr);
    for (let i = 0; i < 400; i++) {
      const w = randomTs(rng);
      const dw: number = wm(opCtx(w));
      assert.equal(typeof dw, 'number', expr);
      // tight: the derived watermark is f(W) (a row at exactly W may still come)
      const fw = f(w);
      if (typeof fw === 'number') assert.equal(dw, fw, `${expr} W=${w}`);
      for (let j = 0; j < 5; j++) {
        const x = w + (j === 0 ? 0 : j === 1 ? 1 : rng.int(0, rng.chance(0.5) ? 120_000_000 : 40 * 86_400_000_000));
        const fx = f(x);
        if (typeof fx !== 'number') continue;
        assert.ok(fx >= dw, `${expr}: W=${w} x=${x} f(x)=${fx} < watermark ${dw}`);
      }
    }
  }
});

test('expressions that are not monotone in the watermarked column get no watermark', () => {
  for (const expr of [
    'k', "ts - (ts - TIMESTAMP '2000-01-01')", "ts + make_interval(0, 0, 0, k)",
    "date_trunc('minute', ts)::time", "extract(minute FROM ts)", 'tz', "date_trunc('minute', tz) - INTERVAL '1 day' * k",
    "date_bin(INTERVAL '15 minutes', TIMESTAMP '2001-02-03 04:05:06', ts)",
  ]) {
    let wm;
    try {
      wm = derive(expr).wm;
    } catch (e) {
      // an expression this binder does not support is not a failure of the derivation
      if (e instanceof assert.AssertionError) throw e;
      continue;
    }
    assert.equal(wm, null, expr);
  }
  assert.ok(derive('ts').wm !== null);
});

test('monotoneWatermark: a plain column passes its input watermark through; no input watermark gives none', () => {
  const { e } = derive("date_trunc('minute', ts)");
  const w = (c: OperatorContext) => c.watermark(KEY);
  assert.equal(monotoneWatermark(e, [null, null, null], evalCtx), null);
  const m = monotoneWatermark(e, [null, w, null], evalCtx);
  assert.ok(m);
  assert.equal(m(opCtx(90_000_000 + 5)), 60_000_000);
  assert.equal(m(opCtx(-1)), -60_000_000);
  assert.equal(m(opCtx(Infinity)), Infinity);
});
