/**
 * LookupJoin (FOR SYSTEM_TIME AS OF PROCTIME()): each stream row is joined once with the table as
 * it is at the end of the step that processes the row; table changes never rewrite earlier output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Row } from '../../sql/values.js';
import { FakeStateStore, Multiset, assertSameRows, testCtx, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { Rng } from '../../../tests/support/rng.js';
import type { CompiledExpr } from '../operator.js';
import { LookupJoin } from './lookup-join.js';

const col = (i: number): CompiledExpr => (r) => r[i];
const make = (joinType: 'inner' | 'left', residual?: CompiledExpr) =>
  new LookupJoin({ streamKeys: [col(0)], tableKeys: [col(0)], joinType, tableWidth: 2, residual });

/** One dataflow step: stream rows on port 0, table changes on port 1, then advance. */
function step(op: LookupJoin, stream: Change[], table: Change[]): Multiset {
  const ctx = testCtx();
  const out = new Multiset();
  if (stream.length) out.apply(op.push(0, toBatch(stream), ctx));
  if (table.length) out.apply(op.push(1, toBatch(table), ctx));
  out.apply(op.advance(ctx));
  return out;
}

test('LookupJoin: rows see the table as of their step; later table changes do not rewrite them', () => {
  const op = make('inner');
  const out = new Multiset();
  const add = (m: Multiset) => { for (const { row, n } of m.m.values()) out.add(row, n); };
  add(step(op, [[[1, 'x'], 1]], [[[1, 'a'], 1], [[2, 'b'], 1]]));
  assertSameRows(out, [[1, 'x', 1, 'a']], 'the table changes of the same step are visible (backfill joins with the current table)');
  add(step(op, [], [[[1, 'a'], -1], [[1, 'a2'], 1]]));
  assertSameRows(out, [[1, 'x', 1, 'a']], 'a table update emits nothing');
  add(step(op, [[[1, 'y'], 1], [[3, 'z'], 1]], []));
  assertSameRows(out, [[1, 'x', 1, 'a'], [1, 'y', 1, 'a2']]);
  add(step(op, [], [[[2, 'b'], -1]]));
  assert.equal(op.stateSize(), 1, 'only the table is stored');
});

test('LookupJoin LEFT: unmatched rows (no key, NULL key, residual false) are padded once', () => {
  const op = make('left', (r) => r[3] !== 'hidden');
  const out = step(op, [[[1, 'x'], 1], [[null, 'n'], 1], [[2, 'y'], 1]], [[[1, 'a'], 1], [[2, 'hidden'], 1]]);
  assertSameRows(out, [[1, 'x', 1, 'a'], [null, 'n', null, null], [2, 'y', null, null]]);
  const later = step(op, [], [[[2, 'hidden'], -1], [[2, 'b'], 1]]);
  assertSameRows(later, [], 'the padded row stays');
});

test('LookupJoin: random steps equal a per-step snapshot join; restore keeps the index', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const rng = new Rng(seed);
    let op = make(seed % 2 === 0 ? 'inner' : 'left');
    const jt = seed % 2 === 0 ? 'inner' : 'left';
    const store = new FakeStateStore();
    const table = new Map<number, Row>();
    const out = new Multiset();
    const expected: Row[] = [];
    for (let e = 0; e < 30; e++) {
      const tch: Change[] = [];
      for (let i = rng.int(0, 3); i > 0; i--) {
        const k = rng.int(0, 4);
        const old = table.get(k);
        if (old) tch.push([old, -1]);
        if (rng.chance(0.7)) {
          const row: Row = [k, `v${e}.${i}`];
          table.set(k, row);
          tch.push([row, 1]);
        } else table.delete(k);
      }
      const s: Change[] = [];
      for (let i = rng.int(0, 4); i > 0; i--) s.push([[rng.chance(0.1) ? null : rng.int(0, 5), `s${e}.${i}`], 1]);
      const res = step(op, s, tch);
      for (const { row, n } of res.m.values()) out.add(row, n);
      for (const [r] of s) {
        const t = r[0] === null ? undefined : table.get(r[0] as number);
        if (t) expected.push([...r, ...t]);
        else if (jt === 'left') expected.push([...r, null, null]);
      }
      assertSameRows(out, expected, `seed ${seed} step ${e}`);
      store.write(op.takeDirty());
      if (rng.chance(0.2)) {
        op = make(jt);
        op.restore(store.entries());
      }
      assert.equal(op.stateSize(), table.size);
    }
  }
});
