import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveAggregate } from '../expr/aggregates/registry.js';
import { Decimal } from '../sql/decimal.js';
import { InternalError } from '../sql/errors.js';
import { T } from '../sql/types.js';
import type { Row } from '../sql/values.js';
import { assertSameRows, Multiset, scriptArb, testCtx, toBatch } from '../../tests/support/dbsp-harness.js';
import { HashAggregate } from '../dataflow/operators/hash-aggregate.js';
import { LiveTable } from './live-table.js';
import type { LiveTableEntry } from './live-table.js';

class EntryStore {
  readonly data = new Map<string, LiveTableEntry>();
  write(entries: LiveTableEntry[]): void {
    for (const e of entries) {
      if (e.row === null) this.data.delete(e.key);
      else this.data.set(e.key, e);
    }
  }
}

test('keyed live table: old/new row of a key in either order within a batch', () => {
  const lt = new LiveTable({ keyColumns: [0] });
  lt.apply(toBatch([[['a', 1], 1]]));
  lt.apply(toBatch([[['a', 2], 1], [['a', 1], -1]]));
  assert.deepEqual(lt.lookup(['a']), [['a', 2]]);
  lt.apply(toBatch([[['a', 2], -1], [['a', 3], 1]]));
  assert.deepEqual(lt.lookup(['a']), [['a', 3]]);
  assert.equal(lt.size(), 1);
  lt.apply(toBatch([[['a', 3], -1]]));
  assert.deepEqual(lt.lookup(['a']), []);
  assert.equal(lt.size(), 0);
});

test('keyed live table: lookup by SQL equality; broken invariants throw InternalError', () => {
  const lt = new LiveTable({ keyColumns: [1, 0], keyTypes: [T.text, T.numeric] });
  lt.apply(toBatch([[[Decimal.fromString('1.50'), 'x', 7], 1]]));
  assert.equal(lt.lookup(['x', Decimal.fromString('1.5')]).length, 1);
  assert.throws(() => lt.apply(toBatch([[[Decimal.fromString('1.5'), 'x', 8], 1]])), InternalError);
  const lt2 = new LiveTable({ keyColumns: [0] });
  assert.throws(() => lt2.apply(toBatch([[['a', 1], -1]])), InternalError);
  const lt3 = new LiveTable({ keyColumns: null });
  assert.throws(() => lt3.apply(toBatch([[['a'], -1]])), InternalError);
});

test('unkeyed live table: multiplicities, transient negatives within a batch', () => {
  const lt = new LiveTable({ keyColumns: null });
  lt.apply(toBatch([[['x'], 2]]));
  lt.apply(toBatch([[['y'], -1], [['x'], -1], [['y'], 3]]));
  assert.deepEqual([...lt.rows()].sort(), [['x'], ['y'], ['y']]);
  assert.deepEqual(lt.lookup(['y']), [['y'], ['y']]);
  assert.equal(lt.size(), 3);
  const dirty = lt.takeDirty();
  assert.equal(dirty.length, 2);
  const copy = new LiveTable({ keyColumns: null });
  copy.restore(dirty as { key: string; row: Row; count: number }[]);
  assert.deepEqual([...copy.rows()].sort(), [...lt.rows()].sort());
});

test('live table == accumulated aggregate output; takeDirty/restore reproduces it', () => {
  const rowArb = fc.tuple(fc.option(fc.integer({ min: 0, max: 4 }), { freq: 4 }), fc.integer({ min: -3, max: 3 }));
  fc.assert(
    fc.property(scriptArb(rowArb), (epochs) => {
      const agg = new HashAggregate({
        groupKeys: [(r) => r[0]],
        keyTypes: [T.int4],
        aggregates: [
          { agg: resolveAggregate('count', [])!, args: [], distinct: false },
          { agg: resolveAggregate('sum', [T.int4])!, args: [(r) => r[1]], distinct: false },
        ],
      });
      const lt = new LiveTable({ keyColumns: [0], keyTypes: [T.int4] });
      const unkeyed = new LiveTable({ keyColumns: null });
      const store = new EntryStore();
      const expected = new Multiset();
      const ctx = testCtx();
      for (const e of epochs) {
        const out = agg.push(0, toBatch(e), ctx);
        // Feed the batch reversed too: order within a batch must not matter.
        lt.apply({ rows: [...out.rows].reverse(), weights: [...out.weights].reverse() });
        unkeyed.apply(out);
        expected.apply(out);
        store.write(lt.takeDirty());
        const rows = expected.expand();
        assertSameRows(Multiset.of([...lt.rows()]), rows);
        assertSameRows(Multiset.of([...unkeyed.rows()]), rows);
        assert.equal(lt.size(), rows.length);
        for (const r of rows) assert.deepEqual(lt.lookup([r[0]]), [r]);
      }
      const restored = new LiveTable({ keyColumns: [0], keyTypes: [T.int4] });
      restored.restore([...store.data.values()] as { key: string; row: Row; count: number }[]);
      assertSameRows(Multiset.of([...restored.rows()]), [...lt.rows()]);
      assert.equal(restored.size(), lt.size());
    }),
    { numRuns: 150 },
  );
});
