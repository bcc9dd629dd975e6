/**
 * Window assignment: hopStarts against a BigInt brute force, hopStartWatermark safety and
 * tightness for random parameters, and the session gap rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../tests/support/rng.js';
import { hopStarts, hopStartWatermark, sessions } from './windows.js';

const MIN = 60_000_000;

/** Every grid start s = offset + k * slide with s <= t < s + size, ascending (exact integer arithmetic). */
function bruteStarts(t: number, slide: number, size: number, offset: number): number[] {
  const T = BigInt(t), S = BigInt(slide), Z = BigInt(size), O = BigInt(offset);
  // floor division for BigInt
  const fdiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const out: number[] = [];
  for (let k = fdiv(T - Z - O, S); ; k++) {
    const s = O + k * S;
    if (s > T) break;
    if (s + Z > T) out.push(Number(s));
  }
  return out;
}

test('hopStarts: the documented example, tumble, offsets and negative times', () => {
  const h12 = 12 * 60 * MIN;
  assert.deepEqual(hopStarts(h12 + 7 * MIN, 5 * MIN, 10 * MIN, 0), [h12, h12 + 5 * MIN]);
  // tumble: exactly one window, boundaries belong to the window they start
  assert.deepEqual(hopStarts(h12, MIN, MIN, 0), [h12]);
  assert.deepEqual(hopStarts(h12 - 1, MIN, MIN, 0), [h12 - MIN]);
  // offset shifts the grid
  assert.deepEqual(hopStarts(h12 + 7 * MIN, 10 * MIN, 10 * MIN, 5 * MIN), [h12 + 5 * MIN]);
  assert.deepEqual(hopStarts(h12 + 4 * MIN, 10 * MIN, 10 * MIN, 5 * MIN), [h12 - 5 * MIN]);
  // before 1970: floor, not truncation toward zero
  assert.deepEqual(hopStarts(-1, MIN, MIN, 0), [-MIN]);
  assert.deepEqual(hopStarts(-MIN, MIN, MIN, 0), [-MIN]);
  assert.deepEqual(hopStarts(-7 * MIN, 5 * MIN, 10 * MIN, 0), [-15 * MIN, -10 * MIN]);
  // size not a multiple of slide: slide 3, size 5 -> t = 7 is in [3, 8) and [6, 11)
  assert.deepEqual(hopStarts(7, 3, 5, 0), [3, 6]);
  assert.deepEqual(hopStarts(6, 3, 5, 0), [3, 6]);
  assert.deepEqual(hopStarts(8, 3, 5, 0), [6]);
  // size < slide: gaps between windows
  assert.deepEqual(hopStarts(7, 10, 5, 0), []);
  assert.deepEqual(hopStarts(4, 10, 5, 0), [0]);
});

test('hopStarts equals the brute force for random t, slide, size, offset (seeded)', () => {
  const rng = new Rng(0x5eed1);
  for (let i = 0; i < 5000; i++) {
    const slide = rng.int(1, 50) * (rng.chance(0.5) ? 1 : 1_000_000);
    const size = rng.chance(0.3) ? slide : rng.int(1, 8 * slide);
    const offset = rng.int(-3 * slide, 3 * slide);
    const t = rng.chance(0.1) ? offset + rng.int(-20, 20) * slide : rng.int(-4e15, 4e15);
    const got = hopStarts(t, slide, size, offset);
    assert.deepEqual(got, bruteStarts(t, slide, size, offset), `t=${t} slide=${slide} size=${size} offset=${offset}`);
    if (size === slide) assert.equal(got.length, 1);
  }
});

test('hopStartWatermark: safe and tight for random W, slide, size, offset, t >= W (seeded)', () => {
  const rng = new Rng(0x5eed2);
  for (let i = 0; i < 5000; i++) {
    const slide = rng.int(1, 50) * (rng.chance(0.5) ? 1 : 1_000_000);
    const size = rng.chance(0.3) ? slide : rng.int(slide, 8 * slide);
    const offset = rng.int(-3 * slide, 3 * slide);
    const w = rng.chance(0.2) ? offset + rng.int(-20, 20) * slide + rng.int(-1, 1) : rng.int(-4e15, 4e15);
    const sw = hopStartWatermark(w, slide, size, offset);
    const ctx = `W=${w} slide=${slide} size=${size} offset=${offset}`;
    // on the grid
    assert.equal((((sw - offset) % slide) + slide) % slide, 0, ctx);
    // safety
    for (let j = 0; j < 10; j++) {
      const t = w + (j === 0 ? 0 : rng.int(0, 3 * size));
      for (const s of hopStarts(t, slide, size, offset)) assert.ok(s >= sw, `${ctx} t=${t} start ${s} < ${sw}`);
    }
    // tightness: the window starting at sw contains some t >= W (W itself, or a later t)
    assert.ok(sw + size > w, `${ctx}: window at ${sw} ends at or before W`);
    assert.ok(sw <= w, ctx);
    assert.ok(hopStarts(Math.max(w, sw), slide, size, offset).includes(sw), ctx);
    // and the previous start's window ends at or before W (no earlier start is needed)
    assert.ok(sw - slide + size <= w, ctx);
  }
});

test('hopStartWatermark: size < slide (gaps between windows) is safe and tight; infinities pass through', () => {
  const rng = new Rng(0x5eed3);
  for (let i = 0; i < 2000; i++) {
    const slide = rng.int(2, 100);
    const size = rng.int(1, slide - 1);
    const offset = rng.int(-slide, slide);
    const w = rng.int(-100_000, 100_000);
    const sw = hopStartWatermark(w, slide, size, offset);
    for (let t = w; t < w + 3 * slide; t++) for (const s of hopStarts(t, slide, size, offset)) assert.ok(s >= sw);
    // tight too: the window at sw holds some t >= W, the one before it none
    assert.ok(sw + size > w, `W=${w} slide=${slide} size=${size} offset=${offset}: window at ${sw} ends at or before W`);
    assert.ok(sw - slide + size <= w);
    assert.ok(hopStarts(Math.max(w, sw), slide, size, offset).includes(sw));
  }
  assert.equal(hopStartWatermark(-Infinity, 5, 10, 0), -Infinity);
  assert.equal(hopStartWatermark(Infinity, 5, 10, 0), Infinity);
});

test('sessions: a gap exactly equal to `gap` splits; strictly less merges', () => {
  assert.deepEqual(sessions([1, 2, 9], 5), { start: [1, 1, 9], end: [7, 7, 14] });
  assert.deepEqual(sessions([0, 5], 5), { start: [0, 5], end: [5, 10] });
  assert.deepEqual(sessions([0, 4], 5), { start: [0, 0], end: [9, 9] });
  assert.deepEqual(sessions([0, 4, 8, 12, 17], 5), { start: [0, 0, 0, 0, 17], end: [17, 17, 17, 17, 22] });
  assert.deepEqual(sessions([3, 3, 3], 1), { start: [3, 3, 3], end: [4, 4, 4] });
  assert.deepEqual(sessions([-10, -6, -1], 5), { start: [-10, -10, -1], end: [-1, -1, 4] });
  assert.deepEqual(sessions([], 5), { start: [], end: [] });
});

test('sessions: random sorted times match the pairwise gap rule (seeded)', () => {
  const rng = new Rng(0x5eed4);
  for (let i = 0; i < 500; i++) {
    const gap = rng.int(1, 10);
    const ts = Array.from({ length: rng.int(1, 30) }, () => rng.int(-50, 50)).sort((a, b) => a - b);
    const { start, end } = sessions(ts, gap);
    for (let k = 0; k < ts.length; k++) {
      assert.ok(start[k] <= ts[k] && ts[k] < end[k]);
      if (k > 0) {
        const same = ts[k] - ts[k - 1] < gap;
        assert.equal(start[k] === start[k - 1], same, `times ${ts} gap ${gap} at ${k}`);
        if (same) assert.equal(end[k], end[k - 1]);
        else assert.ok(end[k - 1] <= ts[k]);
      }
    }
    const last = ts.length - 1;
    assert.equal(end[last], ts[last] + gap);
  }
});
