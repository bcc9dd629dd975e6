/**
 * Interval joins (SymmetricHashJoin with a time bound): over random event-time input that respects
 * the watermarks (rows and retractions at or above their side's watermark), the accumulated output
 * equals a from-scratch join of the accepted rows after every epoch, stored rows are freed as the
 * watermarks advance, and a restore from persisted state mid-way changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../sql/values.js';
import { FakeStateStore, Multiset, assertSameRows, testCtx, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { Rng } from '../../../tests/support/rng.js';
import type { CompiledExpr, OperatorContext } from '../operator.js';
import { SymmetricHashJoin } from './symmetric-hash-join.js';
import type { JoinType, JoinTimeBound } from './symmetric-hash-join.js';

// Rows: [k, t, id]. Joined: [lk, lt, lid, rk, rt, rid].
const col = (i: number): CompiledExpr => (r) => r[i];

interface Case {
  lo: number;
  hi: number;
  strictLo: boolean;
  strictHi: boolean;
}

function matches(l: Row, r: Row, c: Case): boolean {
  if (l[0] !== r[0] || typeof l[1] !== 'number' || typeof r[1] !== 'number') return false;
  const d = r[1] - l[1];
  return (c.strictLo ? d > c.lo : d >= c.lo) && (c.strictHi ? d < c.hi : d <= c.hi);
}

function reference(L: Row[], R: Row[], jt: JoinType, c: Case): Row[] {
  const out: Row[] = [];
  const rMatched = new Array(R.length).fill(false);
  for (const l of L) {
    let any = false;
    R.forEach((r, j) => {
      if (matches(l, r, c)) {
        out.push([...l, ...r]);
        any = true;
        rMatched[j] = true;
      }
    });
    if (!any && (jt === 'left' || jt === 'full')) out.push([...l, null, null, null]);
  }
  if (jt === 'right' || jt === 'full') R.forEach((r, j) => { if (!rMatched[j]) out.push([null, null, null, ...r]); });
  return out;
}

function makeJoin(jt: JoinType, c: Case, wm: { l: number; r: number }): SymmetricHashJoin {
  const residual: CompiledExpr = (row) => {
    const lt = row[1];
    const rt = row[4];
    if (typeof lt !== 'number' || typeof rt !== 'number') return null;
    const d = rt - lt;
    return (c.strictLo ? d > c.lo : d >= c.lo) && (c.strictHi ? d < c.hi : d <= c.hi);
  };
  const timeBound: JoinTimeBound = { leftTime: 1, rightTime: 1, lo: c.lo, hi: c.hi, leftWatermark: () => wm.l, rightWatermark: () => wm.r };
  return new SymmetricHashJoin({ leftKeys: [col(0)], rightKeys: [col(0)], joinType: jt, leftWidth: 3, rightWidth: 3, residual, timeBound });
}

/** One side's accepted rows: inserts at or above the watermark, some retracted while still at or above it. */
function sideEpoch(rng: Rng, live: Row[], w: number, nextId: () => number): Change[] {
  const out: Change[] = [];
  const n = rng.int(0, 6);
  for (let i = 0; i < n; i++) {
    const t = rng.chance(0.05) ? null : (Number.isFinite(w) ? w : 0) + rng.int(0, 12);
    const row: Row = [rng.int(0, 2), t, nextId()];
    const copies = rng.chance(0.1) ? 2 : 1;
    for (let j = 0; j < copies; j++) live.push(row);
    out.push([row, copies]);
  }
  if (rng.chance(0.3)) {
    // A derived input may retract a row whose time is not yet below its own watermark.
    const candidates = live.map((r, i) => [r, i] as const).filter(([r]) => r[1] === null || (r[1] as number) >= w);
    if (candidates.length > 0) {
      const [r, i] = rng.pick(candidates);
      live.splice(i, 1);
      out.push([r, -1]);
    }
  }
  return out;
}

function run(jt: JoinType, c: Case, seed: number, restoreEvery: number): { maxState: number; finalState: number; totalRows: number } {
  const rng = new Rng(seed);
  const wm = { l: -Infinity, r: -Infinity };
  let op = makeJoin(jt, c, wm);
  const store = new FakeStateStore();
  const ctx: OperatorContext = testCtx();
  const out = new Multiset();
  const Llive: Row[] = [];
  const Rlive: Row[] = [];
  let id = 0;
  const nextId = () => ++id;
  let maxState = 0;
  let totalRows = 0;
  const epochs = 40;
  for (let e = 0; e < epochs; e++) {
    const dl = sideEpoch(rng, Llive, wm.l, nextId);
    const dr = sideEpoch(rng, Rlive, wm.r, nextId);
    totalRows += dl.length + dr.length;
    if (dl.length) out.apply(op.push(0, toBatch(dl), ctx));
    if (dr.length) out.apply(op.push(1, toBatch(dr), ctx));
    out.apply(op.advance!(ctx));
    // End of epoch: the watermarks move (one side sometimes stalls), then a watermark-only step.
    const maxT = (rows: Row[], w: number) => rows.reduce((m, r) => (typeof r[1] === 'number' && r[1] > m ? r[1] : m), w);
    if (rng.chance(0.7)) wm.l = Math.max(wm.l, maxT(Llive, wm.l) - rng.int(0, 4));
    if (rng.chance(0.7)) wm.r = Math.max(wm.r, maxT(Rlive, wm.r) - rng.int(0, 4));
    out.apply(op.advance!(ctx));
    store.write(op.takeDirty());
    maxState = Math.max(maxState, op.stateSize());
    assertSameRows(out, reference(Llive, Rlive, jt, c), `${jt} seed ${seed} epoch ${e}`);
    if (restoreEvery > 0 && e % restoreEvery === 0) {
      op = makeJoin(jt, c, wm);
      op.restore(store.entries());
      assert.equal(op.takeDirty().length, 0);
    }
  }
  // Far future on both sides: every stored row becomes unmatchable.
  wm.l = wm.r = 1e12;
  out.apply(op.advance!(ctx));
  store.write(op.takeDirty());
  assertSameRows(out, reference(Llive, Rlive, jt, c));
  assert.equal(store.data.size, op.stateSize(), 'persisted state mirrors the stored rows');
  return { maxState, finalState: op.stateSize(), totalRows };
}

const cases: Case[] = [
  { lo: 0, hi: 5, strictLo: false, strictHi: false },
  { lo: -3, hi: 4, strictLo: true, strictHi: true },
  { lo: 0, hi: 0, strictLo: false, strictHi: false },
  { lo: -8, hi: -2, strictLo: false, strictHi: true },
];

for (const jt of ['inner', 'left', 'right', 'full'] as JoinType[]) {
  test(`interval join (${jt}): equals a from-scratch join after every epoch; state is freed as watermarks advance`, () => {
    for (const [ci, c] of cases.entries()) {
      for (let seed = 1; seed <= 25; seed++) {
        const r = run(jt, c, seed * 31 + ci, [0, 1, 4][seed % 3]);
        assert.equal(r.finalState, 0, `all rows freed (case ${ci}, seed ${seed})`);
        assert.ok(r.maxState <= r.totalRows);
      }
    }
  });
}

test('interval join: state stays bounded while both watermarks advance, and grows while one stalls', () => {
  const c: Case = { lo: 0, hi: 10, strictLo: false, strictHi: false };
  const wm = { l: -Infinity, r: -Infinity };
  const op = makeJoin('inner', c, wm);
  const ctx = testCtx();
  const advance = () => op.advance!(ctx);
  let joined = 0;
  for (let t = 0; t < 1000; t += 10) {
    joined += op.push(0, toBatch([[[1, t, t], 1]]), ctx).rows.length;
    joined += op.push(1, toBatch([[[1, t + 5, t], 1]]), ctx).rows.length;
    wm.l = t;
    wm.r = t + 5;
    advance();
    assert.ok(op.stateSize() <= 6, `bounded state at t=${t}: ${op.stateSize()}`);
  }
  assert.ok(joined >= 100);
  // The right side's watermark stalls: left rows must be kept (a right row may still match them).
  for (let t = 1000; t < 1500; t += 10) {
    op.push(0, toBatch([[[1, t, t], 1]]), ctx);
    wm.l = t;
    advance();
  }
  assert.ok(op.sideSizes().left >= 50, `left rows kept while W(r) stalls: ${op.sideSizes().left}`);
  assert.ok(op.sideSizes().right <= 2, 'right rows are freed by the advancing left watermark');
  wm.r = 1500;
  advance();
  assert.ok(op.sideSizes().left <= 2);
});

test('SymmetricHashJoin without a time bound has no advance (no watermark-only steps)', () => {
  const op = new SymmetricHashJoin({ leftKeys: [col(0)], rightKeys: [col(0)], joinType: 'inner', leftWidth: 3, rightWidth: 3 });
  assert.equal(op.advance, undefined);
});

test('outer interval join: match counts survive a restore after the rows they counted were freed', () => {
  const c: Case = { lo: 0, hi: 10, strictLo: false, strictHi: false };
  const wm = { l: -Infinity, r: -Infinity };
  let op = makeJoin('left', c, wm);
  const ctx = testCtx();
  const store = new FakeStateStore();
  const out = new Multiset();
  const l: Row = [1, 100, 1];
  const r: Row = [1, 100, 2];
  out.apply(op.push(0, toBatch([[l, 1]]), ctx));
  out.apply(op.push(1, toBatch([[r, 1]]), ctx));
  wm.l = 105;
  wm.r = 95;
  out.apply(op.advance!(ctx));
  assert.deepEqual(op.sideSizes(), { left: 1, right: 0 }, 'the right row is freed, the left row kept (W(r) - hi = 85)');
  store.write(op.takeDirty());
  op = makeJoin('left', c, wm);
  op.restore(store.entries());
  const r2: Row = [1, 101, 3];
  out.apply(op.push(1, toBatch([[r2, 1]]), ctx));
  assertSameRows(out, [[...l, ...r], [...l, ...r2]]);
});
