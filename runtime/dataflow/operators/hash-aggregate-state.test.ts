/**
 * HashAggregate state forms.
 * - appendOnly (input proven insert-only by the planner): min/max keep the extreme only. Over
 *   random insert-only scripts it emits exactly what the retractable HashAggregate emits (also
 *   after takeDirty/restore mid-script); its persisted group state stays O(1) over a long history;
 *   a retraction reaching it anyway is reported and dropped.
 * - Per-element persistence (ElementState) of min/max multisets and DISTINCT value sets: an epoch
 *   writes only the changed values, the persisted entries mirror the live state exactly (no stale
 *   element entries after retractions, group deletions and re-creations), and state saved whole
 *   by earlier versions still restores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertSameChanges, FakeStateStore, Multiset, testCtx, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { distinctAccumulator, resolveAggregate } from '../../expr/aggregates/registry.js';
import { makeValuesKeyFn } from '../key-codec.js';
import { Decimal } from '../../sql/decimal.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { T } from '../../sql/types.js';
import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import type { CompiledExpr } from '../operator.js';
import { HashAggregate, type AggregateCall, type HashAggregateOptions } from './hash-aggregate.js';
import { scriptArb } from '../../../tests/support/dbsp-harness.js';
import { serialize } from '../../storage/value-codec.js';

const col = (i: number): CompiledExpr => (r) => r[i];
const call = (name: string, types: SqlType[], args: CompiledExpr[], extra: Partial<AggregateCall> = {}): AggregateCall => {
  const agg = resolveAggregate(name, types);
  assert.ok(agg, name);
  return { agg, args, distinct: false, ...extra };
};

/** Rows: [k int4|null, v int4|null, d numeric, s text]; v = 13 raises in max's argument. */
const rowArb: fc.Arbitrary<Row> = fc.tuple(
  fc.option(fc.integer({ min: 0, max: 3 }), { freq: 5 }),
  fc.option(fc.constantFrom(0, 1, 2, 3, 5, 13, -4), { freq: 5 }),
  fc.constantFrom(Decimal.fromString('1.5'), Decimal.fromString('1.50'), Decimal.fromString('2'), Decimal.fromString('-0.25')),
  fc.constantFrom('a', 'b', 'cc', ''),
);
const vOrThrow: CompiledExpr = (r) => {
  if (r[1] === 13) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
  return r[1];
};

function calls(): AggregateCall[] {
  return [
    call('count', [], []),
    call('min', [T.int4], [col(1)]),
    call('max', [T.int4], [vOrThrow]),
    call('max', [T.numeric], [col(2)]),
    call('min', [T.numeric], [col(2)], { distinct: true }),
    call('min', [T.text], [col(3)], { filter: (r) => (r[1] === null ? null : (r[1] as number) > 0) }),
    call('count', [T.numeric], [col(2)], { distinct: true }),
    call('sum', [T.int4], [col(1)]),
  ];
}

const opts = (keys: CompiledExpr[], appendOnly: boolean): HashAggregateOptions => ({ groupKeys: keys, keyTypes: keys.map(() => T.int4), aggregates: calls(), appendOnly });

/** Insert-only epochs (weights 1..3). */
const epochsArb = fc.array(fc.array(fc.tuple(rowArb, fc.integer({ min: 1, max: 3 })), { maxLength: 25 }), { maxLength: 8 });

test('HashAggregate appendOnly == retractable HashAggregate on insert-only input, with restore mid-script', () => {
  for (const keys of [[col(0)], []]) {
    fc.assert(
      fc.property(epochsArb, fc.nat({ max: 8 }), (epochs: Change[][], restoreAt) => {
        const ref = new HashAggregate(opts(keys, false));
        let op = new HashAggregate(opts(keys, true));
        assert.equal(op.usesInsertOnlyState, true);
        const ctx = testCtx();
        const refOut = new Multiset();
        const out = new Multiset();
        refOut.apply(ref.init(ctx));
        out.apply(op.init(ctx));
        const store = new FakeStateStore();
        epochs.forEach((e, i) => {
          refOut.apply(ref.push(0, toBatch(e), ctx));
          out.apply(op.push(0, toBatch(e), ctx));
          store.write(op.takeDirty());
          if (i === restoreAt) {
            op = new HashAggregate(opts(keys, true));
            op.restore(store.entries());
          }
          assertSameChanges(out, refOut);
        });
      }),
      { numRuns: 150 },
    );
  }
});

test('HashAggregate appendOnly: the persisted group state stays O(1) over 100k inserts', () => {
  const make = (appendOnly: boolean) => new HashAggregate({
    groupKeys: [col(0)], keyTypes: [T.int4], appendOnly,
    aggregates: [call('count', [], []), call('min', [T.int8], [col(1)]), call('max', [T.int8], [col(1)])],
  });
  const op = make(true);
  const ref = make(false);
  const ctx = testCtx();
  let last: { key: string; value: string | null }[] = [];
  let refBytes = 0;
  for (let epoch = 0; epoch < 10; epoch++) {
    const rows: Row[] = [];
    for (let i = 0; i < 10_000; i++) rows.push([1, BigInt(((epoch * 10_000 + i) * 7919) % 1_000_003)]);
    const batch = { rows, weights: rows.map(() => 1) };
    op.push(0, batch, ctx);
    ref.push(0, batch, ctx);
    last = op.takeDirty();
    refBytes = ref.takeDirty().reduce((a, e) => a + (e.value?.length ?? 0), 0);
  }
  assert.equal(last.length, 1);
  const bytes = last[0].value?.length ?? 0;
  assert.ok(bytes < 100, `group state after 100k rows: ${bytes} chars`);
  assert.ok(refBytes > 100 * bytes, `the retractable form saves every value (${refBytes} chars)`);
});

test('HashAggregate appendOnly: a retraction is reported through reportRowError and dropped', () => {
  const op = new HashAggregate(opts([col(0)], true));
  const errors: [unknown, Row][] = [];
  const ctx = testCtx(errors);
  const a: Row = [1, 5, Decimal.fromString('2'), 'a'];
  const b: Row = [1, 9, Decimal.fromString('1.5'), 'b'];
  op.push(0, toBatch([[a, 1], [b, 1]]), ctx);
  op.takeDirty();
  const out = op.push(0, toBatch([[b, -1], [[1, 7, Decimal.fromString('3'), 'c'], 1]]), ctx);
  assert.equal(errors.length, 1);
  const [err, row] = errors[0];
  assert.ok(err instanceof SqlError);
  assert.equal(err.code, SqlState.InternalError);
  assert.match(err.message, /retraction reached an aggregate planned over append-only input.*dropped/);
  assert.deepEqual(row, b);
  // The retraction is dropped as a whole (count included); the insertion beside it is applied.
  const m = new Multiset();
  m.apply(out);
  const added = [...m.m.values()].filter((e) => e.n > 0).map((e) => e.row);
  assert.equal(added.length, 1);
  assert.equal(added[0][1], 3n, 'count: 2 + 1, the retraction not applied');
  assert.equal(added[0][3], 9, 'max(v) still sees 9');
  // Without an insert-only form in use, appendOnly changes nothing and retractions apply.
  const sums = new HashAggregate({ groupKeys: [col(0)], keyTypes: [T.int4], aggregates: [call('sum', [T.int4], [col(1)])], appendOnly: true });
  assert.equal(sums.usesInsertOnlyState, false);
  const errs: [unknown, Row][] = [];
  sums.push(0, toBatch([[a, 1], [b, 1], [b, -1]]), testCtx(errs));
  assert.equal(errs.length, 0);
});

// ------------------------------------------------------------------ per-element persistence

/** The store's entries, restored into a fresh operator, give the same outputs from then on. */
function restoredFrom(store: FakeStateStore, keys: CompiledExpr[]): HashAggregate {
  const op = new HashAggregate(opts(keys, false));
  op.restore(store.entries());
  return op;
}

test('per-element persistence: the store holds exactly the live state\'s entries, and restores it', () => {
  for (const keys of [[col(0)], []]) {
    fc.assert(
      fc.property(scriptArb(rowArb, 50), (epochs) => {
        const ctx = testCtx();
        const op = new HashAggregate(opts(keys, false));
        assert.equal(op.usesInsertOnlyState, false);
        const store = new FakeStateStore();
        op.init(ctx);
        store.write(op.takeDirty());
        const input = new Multiset();
        for (const e of epochs) {
          op.push(0, toBatch(e), ctx);
          store.write(op.takeDirty());
          input.applyChanges(e);
          // Reference: the live input in one batch, saved at once.
          const live = input.expand();
          const ref = new HashAggregate(opts(keys, false));
          ref.init(ctx);
          ref.push(0, { rows: live, weights: live.map(() => 1) }, ctx);
          const refStore = new FakeStateStore();
          refStore.write(ref.takeDirty());
          assert.deepEqual([...store.data.keys()].sort(), [...refStore.data.keys()].sort(), 'no stale or missing entries');
          assert.equal(op.stateSize(), store.data.size, 'stateSize counts the persisted entries');
          // Restored from the store, the operator answers a batch with retractions as the reference does.
          const restored = restoredFrom(store, keys);
          const probe: Change[] = [...live.slice(0, 3).map((r): Change => [r, -1]), [[1, 2, Decimal.fromString('2.0'), 'z'], 1]];
          const fromStore = new Multiset();
          fromStore.apply(restored.push(0, toBatch(probe), ctx));
          const fromRef = new Multiset();
          fromRef.apply(ref.push(0, toBatch(probe), ctx));
          assertSameChanges(fromStore, fromRef);
        }
      }),
      { numRuns: 120 },
    );
  }
});

test('per-element persistence: an epoch writes the changed values only, not the multiset', () => {
  const op = new HashAggregate({
    groupKeys: [col(0)], keyTypes: [T.int4],
    aggregates: [call('max', [T.int8], [col(1)]), call('count', [T.int8], [col(1)], { distinct: true })],
  });
  const ctx = testCtx();
  const rows: Row[] = [];
  for (let i = 0; i < 100_000; i++) rows.push([1, BigInt(i)]);
  op.push(0, { rows, weights: rows.map(() => 1) }, ctx);
  const first = op.takeDirty();
  assert.equal(first.length, 1 + 2 * 100_000, 'group + one entry per value and aggregate');
  // Retract the maximum and add a value: one group entry + 2 values x 2 aggregates.
  op.push(0, toBatch([[[1, 99_999n], -1], [[1, 123_456_789n], 1]]), ctx);
  const next = op.takeDirty();
  assert.equal(next.length, 5);
  const bytes = next.reduce((a, e) => a + e.key.length + (e.value?.length ?? 0), 0);
  assert.ok(bytes < 400, `epoch wrote ${bytes} chars`);
  assert.equal(next.filter((e) => e.value === null).length, 2, 'the retracted value is deleted from both');
  const store = new FakeStateStore();
  store.write(first);
  store.write(next);
  const restored = new HashAggregate({
    groupKeys: [col(0)], keyTypes: [T.int4],
    aggregates: [call('max', [T.int8], [col(1)]), call('count', [T.int8], [col(1)], { distinct: true })],
  });
  restored.restore(store.entries());
  const out = new Multiset();
  out.apply(restored.push(0, toBatch([[[1, 123_456_789n], -1]]), ctx));
  const added = [...out.m.values()].filter((e) => e.n > 0).map((e) => e.row);
  assert.deepEqual(added, [[1, 99_998n, 99_999n]]);
});

test('per-element persistence: group state saved whole (before per-element entries) still restores', () => {
  const make = () => new HashAggregate({
    groupKeys: [col(0)], keyTypes: [T.int4],
    aggregates: [call('count', [], []), call('min', [T.numeric], [col(1)]), call('count', [T.numeric], [col(1)], { distinct: true })],
  });
  const d = (x: string) => Decimal.fromString(x);
  // The format of earlier versions: [keyVals, count, whole save() of each accumulator].
  const accs = [resolveAggregate('count', [])!.create(), resolveAggregate('min', [T.numeric])!.create(), distinctAccumulator(resolveAggregate('count', [T.numeric])!.create(), makeValuesKeyFn([T.numeric]))];
  for (const v of [d('1.50'), d('4'), d('1.50')]) {
    accs[0].add([], 1);
    accs[1].add([v], 1);
    accs[2].add([v], 1);
  }
  const legacy = serialize([[7], 3, accs.map((a) => a.save())]);
  const op = make();
  op.restore([{ key: '7', value: legacy }]);
  const ctx = testCtx();
  const out = new Multiset();
  out.apply(op.push(0, toBatch([[[7, d('1.5')], 1]]), ctx));
  const row = (m: Multiset) => [...m.m.values()].filter((e) => e.n > 0).map((e) => e.row.map(String));
  assert.deepEqual(row(out), [['7', '4', '1.5', '2']]);
  // Saved again: the group in the new format and every value as an entry of its own.
  const store = new FakeStateStore();
  store.write([{ key: '7', value: legacy }]);
  store.write(op.takeDirty());
  assert.equal([...store.data.keys()].filter((k) => k.startsWith('#')).length, 4);
  const again = make();
  again.restore(store.entries());
  const out2 = new Multiset();
  out2.apply(again.push(0, toBatch([[[7, d('1.50')], -1], [[7, d('1.50')], -1], [[7, d('1.5')], -1]]), ctx));
  assert.deepEqual(row(out2), [['7', '1', '4', '1']]);
});

test('per-element persistence: a window closed by the watermark leaves no element entries', () => {
  let wm = -Infinity;
  const op = new HashAggregate({
    groupKeys: [col(0)], keyTypes: [T.int4],
    aggregates: [call('count', [T.int4], [col(1)], { distinct: true }), call('max', [T.int4], [col(1)])],
    closeOn: { key: 0, watermark: () => wm },
  });
  const ctx = testCtx();
  const store = new FakeStateStore();
  op.push(0, toBatch([[[10, 1], 1], [[10, 2], 1], [[20, 3], 1]]), ctx);
  store.write(op.takeDirty());
  assert.equal(store.data.size, 2 + 2 * 3);
  wm = 15;
  op.advance(ctx);
  store.write(op.takeDirty());
  assert.deepEqual([...store.data.keys()].sort(), ['#0:2:20s3', '#1:2:203', '20'].sort(), 'only window 20 remains');
});
