/**
 * TemporalFilter: rows appear and expire as the processing time moves, without input; retractions
 * of shown, held and expired rows; restore from persisted state; and a seeded random comparison
 * with the predicate re-evaluated from scratch at every epoch's processing time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../tests/support/rng.js';
import { FakeStateStore, Multiset, assertSameRows, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { Row } from '../../sql/values.js';
import type { ChangeBatch } from '../change-batch.js';
import type { OperatorContext } from '../operator.js';
import { TemporalFilter, type TemporalBound } from './temporal-filter.js';

const ts = (r: Row) => r[1];

function ctxAt(processingTime: number, errors?: unknown[]): OperatorContext {
  return { epoch: 0, reportRowError: (e) => void errors?.push(e), watermark: () => -Infinity, processingTime };
}

/** Drives an operator like the dataflow does: push (if any input), then advance, both at time P. */
function step(op: TemporalFilter, p: number, changes: Change[] = [], errors?: unknown[]): Multiset {
  const ctx = ctxAt(p, errors);
  const out = new Multiset();
  if (changes.length > 0) out.apply(op.push(0, toBatch(changes), ctx));
  out.apply(op.advance(ctx));
  return out;
}

const delta = (m: Multiset) => [...m.m.values()].map(({ row, n }) => [row[0], n]).sort((a, b) => (a[0] as number) - (b[0] as number));

test('lower bound ts > now() - 100: rows expire at ts + 100 without input', () => {
  const op = new TemporalFilter([{ time: ts, op: '>', offset: -100 }]);
  const out = step(op, 1000, [[[1, 950], 1], [[2, 980], 2], [[3, 900], 1], [[4, 2000], 1]]);
  // row 3 is already too old (900 > 1000 - 100 is false)
  assert.deepEqual(delta(out), [[1, 1], [2, 2], [4, 1]]);
  assert.equal(op.nextWakeup(), 1050);
  assert.equal(op.stateSize(), 3);
  assert.deepEqual(delta(step(op, 1049)), []);
  assert.deepEqual(delta(step(op, 1050)), [[1, -1]]);
  assert.equal(op.nextWakeup(), 1080);
  assert.deepEqual(delta(step(op, 5000)), [[2, -2], [4, -1]]);
  assert.equal(op.nextWakeup(), Infinity);
  assert.equal(op.stateSize(), 0);
});

test('>= keeps a row through its boundary instant; = shows a row for one microsecond', () => {
  const ge = new TemporalFilter([{ time: ts, op: '>=', offset: -100 }]);
  step(ge, 1000, [[[1, 950], 1]]);
  assert.equal(ge.nextWakeup(), 1051);
  assert.deepEqual(delta(step(ge, 1050)), []);
  assert.deepEqual(delta(step(ge, 1051)), [[1, -1]]);
  const eq = new TemporalFilter([{ time: ts, op: '=', offset: 0 }]);
  assert.deepEqual(delta(step(eq, 1000, [[[1, 1200], 1], [[2, 1300], 1]])), []);
  assert.deepEqual(delta(step(eq, 1200)), [[1, 1]]);
  assert.deepEqual(delta(step(eq, 1201)), [[1, -1]]);
  // an epoch jumping over a row's whole interval never shows it
  assert.deepEqual(delta(step(eq, 1400)), []);
  assert.equal(eq.stateSize(), 0);
});

test('upper bound ts <= now(): future rows are held and appear at their time, then are forgotten', () => {
  const op = new TemporalFilter([{ time: ts, op: '<=', offset: 0 }]);
  assert.deepEqual(delta(step(op, 1000, [[[1, 900], 1], [[2, 1500], 1], [[3, 1200], 1]])), [[1, 1]]);
  // a shown row with no expiry is not held
  assert.equal(op.stateSize(), 2);
  assert.equal(op.nextWakeup(), 1200);
  assert.deepEqual(delta(step(op, 1300)), [[3, 1]]);
  assert.equal(op.stateSize(), 1);
  assert.deepEqual(delta(step(op, 1500)), [[2, 1]]);
  assert.equal(op.stateSize(), 0);
  // retracting a shown row that is no longer held still retracts it
  assert.deepEqual(delta(step(op, 1600, [[[3, 1200], -1]])), [[3, -1]]);
  // ts < now() + 50: appears one microsecond after ts - 50
  const lt = new TemporalFilter([{ time: ts, op: '<', offset: 50 }]);
  step(lt, 1000, [[[1, 1100], 1]]);
  assert.equal(lt.nextWakeup(), 1051);
});

test('a window now() - 100 < ts <= now(): appear, then expire', () => {
  const op = new TemporalFilter([{ time: ts, op: '>', offset: -100 }, { time: ts, op: '<=', offset: 0 }]);
  assert.deepEqual(delta(step(op, 1000, [[[1, 950], 1], [[2, 1020], 1], [[3, 1010], 1]])), [[1, 1]]);
  assert.deepEqual(delta(step(op, 1015)), [[3, 1]]);
  assert.deepEqual(delta(step(op, 1050)), [[1, -1], [2, 1]]);
  assert.deepEqual(delta(step(op, 1111)), [[3, -1]]);
  assert.deepEqual(delta(step(op, 1120)), [[2, -1]]);
  assert.equal(op.stateSize(), 0);
  assert.equal(op.nextWakeup(), Infinity);
});

test('retractions: of a shown row retract it, of a held row drop it, of an expired row are ignored', () => {
  const op = new TemporalFilter([{ time: ts, op: '>', offset: -100 }, { time: ts, op: '<=', offset: 0 }]);
  step(op, 1000, [[[1, 950], 2], [[2, 1050], 1], [[3, 920], 1]]);
  const out = step(op, 1010, [[[1, 950], -1], [[2, 1050], -1]]);
  assert.deepEqual(delta(out), [[1, -1]]);
  // the held row is gone: nothing appears at 1050; rows 3 (at 1020) and 1 expire
  assert.deepEqual(delta(step(op, 1050)), [[1, -1], [3, -1]]);
  // row 3 expired; its retraction is ignored
  assert.deepEqual(delta(step(op, 1060, [[[3, 920], -1]])), []);
  // a retraction before its insertion within one batch nets to nothing
  assert.deepEqual(delta(step(op, 1070, [[[4, 1065], -1], [[4, 1065], 1]])), []);
  assert.equal(op.stateSize(), 0);
});

test('NULL times are dropped; an error in the time expression is reported and the row skipped', () => {
  const boom: TemporalBound = {
    time: (r) => {
      if (r[0] === 9) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
      return r[1];
    },
    op: '>',
    offset: -100,
  };
  const op = new TemporalFilter([boom]);
  const errors: unknown[] = [];
  const out = step(op, 1000, [[[1, null], 1], [[9, 990], 1], [[2, 990], 1]], errors);
  assert.deepEqual(delta(out), [[2, 1]]);
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as SqlError).code, SqlState.DivisionByZero);
});

test('the clock never goes back: a processing time earlier than one seen changes nothing', () => {
  const op = new TemporalFilter([{ time: ts, op: '>', offset: -100 }, { time: ts, op: '<=', offset: 0 }]);
  step(op, 1000, [[[1, 990], 1], [[2, 1005], 1]]);
  assert.deepEqual(delta(step(op, 1005)), [[2, 1]]);
  // the wall clock steps back: row 2 stays shown and a new row is judged at the clock (1005)
  assert.deepEqual(delta(step(op, 995, [[[3, 1003], 1]])), [[3, 1]]);
  assert.deepEqual(delta(step(op, 1090)), [[1, -1]]);
});

test('restore: held and shown rows and the clock survive a restart', () => {
  const bounds: TemporalBound[] = [{ time: ts, op: '>', offset: -100 }, { time: ts, op: '<=', offset: 0 }];
  const store = new FakeStateStore();
  const a = new TemporalFilter(bounds);
  step(a, 1000, [[[1, 950], 1], [[2, 1050], 1], [[3, 990], 3]]);
  store.write(a.takeDirty());
  step(a, 1010, [[[3, 990], -1]]);
  store.write(a.takeDirty());
  assert.equal(store.data.get('clock'), '1010');
  const b = new TemporalFilter(bounds);
  b.restore(store.entries());
  assert.equal(b.stateSize(), 3);
  assert.equal(b.nextWakeup(), 1050);
  // row 3 (x2 shown) is retracted as shown; row 2 appears; row 1 expires
  assert.deepEqual(delta(step(b, 1050, [[[3, 990], -1]])), [[1, -1], [2, 1], [3, -1]]);
  assert.deepEqual(delta(step(b, 1090)), [[3, -1]]);
  store.write(b.takeDirty());
  const c = new TemporalFilter(bounds);
  c.restore(store.entries());
  assert.equal(c.stateSize(), 1);
  assert.deepEqual(delta(step(c, 1200)), [[2, -1]]);
  store.write(c.takeDirty());
  assert.deepEqual([...store.data.keys()], ['clock']);
});

test('random scripts: the output equals the predicate evaluated at each epoch, across restarts', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rng = new Rng(seed);
    const lower = rng.chance(0.8);
    const upper = rng.chance(0.6) || !lower;
    const bounds: TemporalBound[] = [];
    if (lower) bounds.push({ time: ts, op: rng.pick(['>', '>='] as const), offset: -rng.int(0, 50) });
    if (upper) bounds.push({ time: ts, op: rng.pick(['<', '<='] as const), offset: rng.int(-5, 20) });
    const holds = (r: Row, p: number) =>
      r[1] !== null &&
      bounds.every((b) => {
        const x = r[1] as number;
        const y = p + b.offset;
        return b.op === '>' ? x > y : b.op === '>=' ? x >= y : b.op === '<' ? x < y : b.op === '<=' ? x <= y : x === y;
      });
    const store = new FakeStateStore();
    let op = new TemporalFilter(bounds);
    const input = new Multiset();
    const output = new Multiset();
    let p = 1000;
    for (let epoch = 0; epoch < 40; epoch++) {
      p += rng.int(0, 15);
      const changes: Change[] = [];
      const n = rng.int(0, 5);
      for (let i = 0; i < n; i++) {
        const present = [...input.m.values()];
        if (present.length > 0 && rng.chance(0.35)) {
          const e = rng.pick(present);
          changes.push([e.row, -1]);
          input.add(e.row, -1);
        } else {
          const row: Row = [rng.int(0, 6), rng.chance(0.05) ? null : p + rng.int(-60, 40)];
          changes.push([row, 1]);
          input.add(row, 1);
        }
      }
      const batch: ChangeBatch = toBatch(changes);
      const ctx = ctxAt(p);
      if (changes.length > 0) output.apply(op.push(0, batch, ctx));
      output.apply(op.advance(ctx));
      assertSameRows(output, input.expand().filter((r) => holds(r, p)), `seed ${seed}, epoch ${epoch}, P ${p}`);
      const wake = op.nextWakeup();
      assert.ok(wake > p, `seed ${seed}: wakeup ${wake} is not after ${p}`);
      // nothing changes before the wakeup
      if (wake !== Infinity && wake - 1 > p) assertSameRows(output, input.expand().filter((r) => holds(r, wake - 1)), `seed ${seed}: changed before the wakeup`);
      store.write(op.takeDirty());
      if (rng.chance(0.2)) {
        op = new TemporalFilter(bounds);
        op.restore(store.entries());
        assert.equal(op.nextWakeup(), wake, `seed ${seed}: wakeup after restore`);
      }
    }
  }
});
