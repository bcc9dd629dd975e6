/**
 * TopN against recomputation from scratch: seeded random insert/retract scripts (duplicates,
 * NULLs, retractions before their insertion within a batch) split into epochs; after every epoch
 * the accumulated output must equal (a) an independent top-N reference and (b) the batch Window
 * evaluator's row_number() filtered to rn <= N, i.e. what the same query computes ad hoc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../tests/support/rng.js';
import { FakeStateStore, Multiset, assertSameChanges, assertSameRows, testCtx, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { T } from '../../sql/types.js';
import { Decimal } from '../../sql/decimal.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { Row, Value } from '../../sql/values.js';
import { compareValues } from '../../sql/compare.js';
import { encodeRow } from '../../storage/value-codec.js';
import { compileExpr } from '../../expr/compile.js';
import { newEvalContext } from '../../expr/eval-context.js';
import type { ScalarExpr } from '../../expr/ir.js';
import type { RelPlan, SortKey } from '../../plan/plan.js';
import { windowEvaluator } from '../../batch/window.js';
import type { CompiledExpr } from '../operator.js';
import { TopN, type TopNOptions } from './top-n.js';

const col = (i: number): CompiledExpr => (r) => r[i];
const int4Cmp = (a: Value, b: Value) => compareValues(T.int4.id, a, b);

/** Rows [k int4|null, v int4|null, s text]; PARTITION BY k ORDER BY v DESC (NULLS FIRST). */
function options(limit: number, emitRank: boolean): TopNOptions {
  return {
    partitionBy: [col(0)],
    partitionTypes: [T.int4],
    orderBy: [col(1)],
    sort: [{ desc: true, nullsFirst: true, cmp: int4Cmp }],
    limit,
    emitRank,
  };
}

/** Independent reference: sort each partition, number the rows, keep rn <= limit. */
function referenceTopN(rows: Row[], limit: number, emitRank: boolean): Row[] {
  const parts = new Map<Value, Row[]>();
  for (const r of rows) {
    const list = parts.get(r[0]) ?? [];
    list.push(r);
    parts.set(r[0], list);
  }
  const out: Row[] = [];
  for (const list of parts.values()) {
    list.sort((a, b) => {
      const x = a[1] as number | null;
      const y = b[1] as number | null;
      if (x !== y) {
        if (x === null) return -1;
        if (y === null) return 1;
        return y - x;
      }
      const ea = encodeRow(a);
      const eb = encodeRow(b);
      return ea < eb ? -1 : ea > eb ? 1 : 0;
    });
    list.slice(0, limit).forEach((r, i) => out.push([...r, emitRank ? BigInt(i + 1) : null]));
  }
  return out;
}

/** The batch executor's answer: Window(row_number) then rn <= limit. */
function batchTopN(rows: Row[], limit: number): Row[] {
  const c = (index: number): ScalarExpr => ({ kind: 'Column', index, type: index === 2 ? T.text : T.int4 });
  const orderBy: SortKey[] = [{ expr: c(1), desc: true, nullsFirst: true, cmp: int4Cmp }];
  const plan: Extract<RelPlan, { kind: 'Window' }> = {
    kind: 'Window',
    input: { kind: 'Values', rows: [], fields: [] },
    partitionBy: [c(0)],
    orderBy,
    functions: [{ kind: 'row_number', name: 'row_number', args: [], frame: 'range', type: T.int8 }],
    fields: [],
  };
  const ctx = newEvalContext();
  const evaluate = windowEvaluator(plan, (e) => compileExpr(e, { ctx }), () => undefined);
  return evaluate(rows).filter((r) => (r[3] as bigint) <= BigInt(limit));
}

/** A random script: epochs of inserts (weight 1 or 2) and retractions of present rows, shuffled. */
function randomScript(rng: Rng, epochs: number): Change[][] {
  const live: Row[] = [];
  const script: Change[][] = [];
  for (let e = 0; e < epochs; e++) {
    const changes: Change[] = [];
    const n = rng.int(0, 12);
    for (let i = 0; i < n; i++) {
      if (live.length > 0 && rng.chance(0.4)) {
        const r = live.splice(rng.int(0, live.length - 1), 1)[0];
        changes.push([r, -1]);
      } else {
        const row: Row = [rng.chance(0.15) ? null : rng.int(0, 3), rng.chance(0.15) ? null : rng.int(0, 6), rng.pick(['x', 'y', 'z'])];
        const m = rng.chance(0.2) ? 2 : 1;
        for (let j = 0; j < m; j++) live.push(row);
        changes.push([row, m]);
        // Sometimes retract it again in the same epoch (after shuffling, possibly first).
        if (rng.chance(0.1)) {
          live.splice(live.lastIndexOf(row), 1);
          changes.push([row, -1]);
        }
      }
    }
    for (let i = changes.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [changes[i], changes[j]] = [changes[j], changes[i]];
    }
    script.push(changes);
  }
  return script;
}

test('TopN: the documented example (limit 2, ranks)', () => {
  const op = new TopN({ ...options(2, true), partitionBy: [col(0)], partitionTypes: [T.text] });
  const ctx = testCtx();
  const out1 = op.push(0, toBatch([[['a', 5], 1], [['a', 3], 1], [['a', 1], 1]]), ctx);
  const m = new Multiset();
  m.apply(out1);
  assertSameRows(m, [['a', 5, 1n], ['a', 3, 2n]]);
  const out2 = Multiset.of([]);
  out2.apply(op.push(0, toBatch([[['a', 9], 1]]), ctx));
  const expected = new Multiset();
  expected.add(['a', 9, 1n], 1);
  expected.add(['a', 5, 1n], -1);
  expected.add(['a', 5, 2n], 1);
  expected.add(['a', 3, 2n], -1);
  assertSameChanges(out2, expected);
  const out3 = new Multiset();
  out3.apply(op.push(0, toBatch([[['a', 9], -1]]), ctx));
  const reverse = new Multiset();
  for (const [k, e] of expected.m) reverse.m.set(k, { row: e.row, n: -e.n });
  assertSameChanges(out3, reverse);
  assert.equal(op.stateSize(), 3);
});

test('TopN == recomputation from scratch and == batch row_number() (seeded random scripts)', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = new Rng(seed);
    const limit = rng.int(1, 4);
    const emitRank = rng.chance(0.6);
    const op = new TopN(options(limit, emitRank));
    const ctx = testCtx();
    const out = new Multiset();
    const input = new Multiset();
    for (const epoch of randomScript(rng, rng.int(1, 10))) {
      out.apply(op.push(0, toBatch(epoch), ctx));
      input.applyChanges(epoch);
      const rows = input.expand();
      const msg = `seed ${seed}, limit ${limit}, emitRank ${emitRank}`;
      assertSameRows(out, referenceTopN(rows, limit, emitRank), msg);
      if (emitRank) assertSameRows(out, batchTopN(rows, limit), msg);
    }
  }
});

test('TopN without ranks emits nothing when a row only moves within the top', () => {
  const op = new TopN(options(3, false));
  const ctx = testCtx();
  op.push(0, toBatch([[[1, 5, 'x'], 1], [[1, 3, 'x'], 1]]), ctx);
  // A new best row shifts both down but keeps them in the top 3: only the new row is emitted.
  const out = op.push(0, toBatch([[[1, 9, 'x'], 1]]), ctx);
  assert.deepEqual(out, { rows: [[1, 9, 'x', null]], weights: [1] });
  // With ranks the same change re-emits the shifted rows.
  const ranked = new TopN(options(3, true));
  ranked.push(0, toBatch([[[1, 5, 'x'], 1], [[1, 3, 'x'], 1]]), ctx);
  assert.equal(ranked.push(0, toBatch([[[1, 9, 'x'], 1]]), ctx).rows.length, 5);
});

test('TopN: duplicates take consecutive row numbers; SQL-equal partition keys are one partition', () => {
  const op = new TopN({
    partitionBy: [col(0)],
    partitionTypes: [T.numeric],
    orderBy: [col(1)],
    sort: [{ desc: false, nullsFirst: false, cmp: int4Cmp }],
    limit: 2,
    emitRank: true,
  });
  const ctx = testCtx();
  const a = Decimal.fromString('1.5');
  const b = Decimal.fromString('1.50');
  const m = new Multiset();
  m.apply(op.push(0, toBatch([[[a, 1], 2], [[b, 0], 1]]), ctx));
  assertSameRows(m, [[b, 0, 1n], [a, 1, 2n]]);
  m.apply(op.push(0, toBatch([[[b, 0], -1]]), ctx));
  assertSameRows(m, [[a, 1, 1n], [a, 1, 2n]]);
});

test('TopN: a row whose sort key fails is reported and skipped, insert and retract alike', () => {
  const errors: [unknown, Row][] = [];
  const ctx = testCtx(errors);
  const op = new TopN({
    ...options(2, true),
    orderBy: [(r) => {
      if (r[1] === 0) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
      return r[1];
    }],
  });
  const m = new Multiset();
  m.apply(op.push(0, toBatch([[[1, 0, 'x'], 1], [[1, 4, 'x'], 1]]), ctx));
  m.apply(op.push(0, toBatch([[[1, 0, 'x'], -1]]), ctx));
  assertSameRows(m, [[1, 4, 'x', 1n]]);
  assert.equal(errors.length, 2);
  assert.equal(op.stateSize(), 1);
});

test('TopN takeDirty/restore round trip: a restored operator continues identically', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = new Rng(1000 + seed);
    const limit = rng.int(1, 3);
    const emitRank = rng.chance(0.5);
    const script = randomScript(rng, rng.int(2, 10));
    const cut = rng.int(0, script.length);
    const ctx = testCtx();
    const a = new TopN(options(limit, emitRank));
    const store = new FakeStateStore();
    for (const e of script.slice(0, cut)) {
      a.push(0, toBatch(e), ctx);
      store.write(a.takeDirty());
    }
    const b = new TopN(options(limit, emitRank));
    b.restore(store.entries());
    assert.equal(b.stateSize(), a.stateSize(), `seed ${seed}`);
    for (const e of script.slice(cut)) {
      const oa = new Multiset();
      oa.apply(a.push(0, toBatch(e), ctx));
      const ob = new Multiset();
      ob.apply(b.push(0, toBatch(e), ctx));
      assertSameChanges(ob, oa, `seed ${seed}`);
      store.write(a.takeDirty());
      b.takeDirty();
    }
    const c = new TopN(options(limit, emitRank));
    c.restore(store.entries());
    assert.equal(c.stateSize(), a.stateSize(), `seed ${seed}: the store mirrors the live state`);
  }
});

test('append-only TopN == TopN on insert-only scripts, keeping at most limit rows per partition', () => {
  for (let seed = 1; seed <= 150; seed++) {
    const rng = new Rng(5000 + seed);
    const limit = rng.int(1, 4);
    const emitRank = rng.chance(0.5);
    const full = new TopN(options(limit, emitRank));
    const ao = new TopN({ ...options(limit, emitRank), appendOnly: true });
    const errors: [unknown, Row][] = [];
    const ctx = testCtx(errors);
    const store = new FakeStateStore();
    const partitions = new Set<Value>();
    const epochs = rng.int(1, 12);
    for (let e = 0; e < epochs; e++) {
      const changes: Change[] = [];
      for (let i = rng.int(0, 15); i > 0; i--) {
        const row: Row = [rng.chance(0.15) ? null : rng.int(0, 3), rng.chance(0.15) ? null : rng.int(0, 6), rng.pick(['x', 'y', 'z'])];
        partitions.add(row[0]);
        changes.push([row, rng.chance(0.2) ? 2 : 1]);
      }
      const msg = `seed ${seed}, epoch ${e}, limit ${limit}, emitRank ${emitRank}`;
      const a = new Multiset();
      a.apply(full.push(0, toBatch(changes), ctx));
      const b = new Multiset();
      b.apply(ao.push(0, toBatch(changes), ctx));
      assertSameChanges(b, a, msg);
      assert.ok(ao.stateSize() <= partitions.size * limit, `${msg}: state ${ao.stateSize()}`);
      store.write(ao.takeDirty());
      // The store holds exactly the kept rows: a restored operator has the same state.
      const r = new TopN({ ...options(limit, emitRank), appendOnly: true });
      r.restore(store.entries());
      assert.equal(r.stateSize(), ao.stateSize(), msg);
    }
    assert.equal(errors.length, 0);
  }
});

test('append-only TopN: a restored operator continues identically', () => {
  const opts = { ...options(2, true), appendOnly: true };
  const a = new TopN(opts);
  const ctx = testCtx();
  const store = new FakeStateStore();
  a.push(0, toBatch([[[1, 5, 'x'], 1], [[1, 3, 'x'], 1], [[1, 1, 'x'], 1], [[2, 4, 'y'], 1]]), ctx);
  store.write(a.takeDirty());
  assert.equal(a.stateSize(), 3);
  const b = new TopN(opts);
  b.restore(store.entries());
  const next: Change[] = [[[1, 4, 'z'], 1], [[2, 9, 'y'], 1]];
  const oa = new Multiset();
  oa.apply(a.push(0, toBatch(next), ctx));
  const ob = new Multiset();
  ob.apply(b.push(0, toBatch(next), ctx));
  assertSameChanges(ob, oa);
  assert.equal(b.stateSize(), 4);
});

test('append-only TopN: a retraction is reported and dropped', () => {
  const errors: [unknown, Row][] = [];
  const ctx = testCtx(errors);
  const op = new TopN({ ...options(1, false), appendOnly: true });
  const m = new Multiset();
  m.apply(op.push(0, toBatch([[[1, 5, 'x'], 1], [[1, 3, 'x'], 1]]), ctx));
  assert.equal(op.stateSize(), 1);
  m.apply(op.push(0, toBatch([[[1, 5, 'x'], -1]]), ctx));
  assertSameRows(m, [[1, 5, 'x', null]]);
  assert.equal(errors.length, 1);
  assert.match((errors[0][0] as Error).message, /retraction reached a top-N planned over append-only input.*dropped/);
  assert.deepEqual(errors[0][1], [1, 5, 'x']);
  assert.equal(op.stateSize(), 1);
});
