/** WindowIndex: closing in order, isClosed, NULL values, and a lower watermark ignored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../tests/support/rng.js';
import { WindowIndex } from './window-index.js';

test('close hands over items below w, oldest value first; isClosed afterwards', () => {
  const ix = new WindowIndex<string>();
  ix.add(30, 'c');
  ix.add(10, 'a1');
  ix.add(20, 'b');
  ix.add(10, 'a2');
  ix.add(-5, 'neg');
  ix.add(null, 'null');
  const got: [string, number][] = [];
  ix.close(20, (it, v) => got.push([it, v]));
  assert.deepEqual(got, [['neg', -5], ['a1', 10], ['a2', 10]]);
  assert.equal(ix.isClosed(19), true);
  assert.equal(ix.isClosed(20), false);
  assert.equal(ix.isClosed(null), false);
  // a lower or equal watermark is ignored and does not reopen anything

  const again: [string, number][] = [];
  ix.close(5, (it, v) => again.push([it, v]));
  ix.close(20, (it, v) => again.push([it, v]));
  assert.deepEqual(again, []);
  assert.equal(ix.isClosed(19), true);
  const rest: [string, number][] = [];
  ix.close(Infinity, (it, v) => rest.push([it, v]));
  assert.deepEqual(rest, [['b', 20], ['c', 30]]);
  assert.equal(ix.isClosed(1e15), true);
  assert.equal(ix.isClosed(null), false);
});

test('random adds and closes match a model (seeded)', () => {
  const rng = new Rng(0x1de5);
  for (let run = 0; run < 200; run++) {
    const ix = new WindowIndex<number>();
    const model: { v: number; id: number }[] = [];
    let closed = -Infinity;
    let id = 0;
    for (let step = 0; step < 60; step++) {
      if (rng.chance(0.7)) {
        const v = rng.int(-30, 60);
        ix.add(v, id);
        // (an item added below the closed bound is handed over by the next close that raises it)
        model.push({ v, id });
        id++;
      } else {
        const w = rng.int(-40, 70);
        const got: [number, number][] = [];
        ix.close(w, (it, v) => got.push([v, it]));
        const want = w > closed ? model.filter((m) => m.v < w) : [];
        want.sort((a, b) => a.v - b.v || a.id - b.id);
        assert.deepEqual(got, want.map((m) => [m.v, m.id]), `run ${run} step ${step} w=${w}`);
        if (w > closed) {
          closed = w;
          for (let i = model.length - 1; i >= 0; i--) if (model[i].v < w) model.splice(i, 1);
        }
        for (let v = -40; v < 70; v++) assert.equal(ix.isClosed(v), v < closed);
      }
    }
  }
});
