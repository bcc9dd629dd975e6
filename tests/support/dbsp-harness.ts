/**
 * Test support for DBSP-style equivalence tests: random change scripts (inserts and retractions
 * of present rows, split into random epochs, shuffled within each epoch so a retraction may precede
 * the insertion it cancels), an accumulator of operator output, and multiset comparison.
 * Used by the *.test.ts files of runtime/dataflow and runtime/live; not used at run time.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from './rng.js';
import type { Row } from '../../runtime/sql/values.js';
import { encodeRow } from '../../runtime/storage/value-codec.js';
import type { ChangeBatch } from '../../runtime/dataflow/change-batch.js';
import type { OperatorContext, StateEntry } from '../../runtime/dataflow/operator.js';

export type Change = [Row, number];

export function testCtx(errors?: [unknown, Row][]): OperatorContext {
  return { epoch: 0, reportRowError: (e, row) => void errors?.push([e, row]), watermark: () => -Infinity, processingTime: 0 };
}

export function toBatch(changes: readonly Change[]): ChangeBatch {
  return { rows: changes.map((c) => c[0]), weights: changes.map((c) => c[1]) };
}


/** Builds changes from ops: kind 0 = retract a present row (picked by index), else insert (weight 1 or 2). */
function buildChanges(ops: [number, Row, number, number][], live: Row[]): Change[] {
  const out: Change[] = [];
  for (const [kind, row, pick, mult] of ops) {
    if (kind === 0) {
      if (live.length === 0) continue;
      const r = live.splice(pick % live.length, 1)[0];
      out.push([r, -1]);
    } else {
      const m = kind === 1 ? mult : 1;
      for (let i = 0; i < m; i++) live.push(row);
      out.push([row, m]);
    }
  }
  return out;
}

function splitAndShuffle<T>(items: T[], cuts: number[], seed: number): T[][] {
  const points = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const epochs: T[][] = [];
  let prev = 0;
  for (const p of [...points, items.length]) {
    if (p < prev) continue;
    epochs.push(items.slice(prev, p));
    prev = p;
  }
  const rng = new Rng(seed);
  const rnd = () => rng.next();
  for (const e of epochs) {
    for (let i = e.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [e[i], e[j]] = [e[j], e[i]];
    }
  }
  return epochs;
}

const opArb = (rowArb: fc.Arbitrary<Row>) =>
  fc.tuple(fc.integer({ min: 0, max: 3 }), rowArb, fc.nat(), fc.integer({ min: 1, max: 2 }));

/** Epochs of changes over one input. */
export function scriptArb(rowArb: fc.Arbitrary<Row>, maxOps = 60): fc.Arbitrary<Change[][]> {
  return fc
    .tuple(fc.array(opArb(rowArb), { maxLength: maxOps }), fc.array(fc.nat(), { maxLength: 8 }), fc.nat())
    .map(([ops, cuts, seed]) => splitAndShuffle(buildChanges(ops, []), cuts, seed));
}

/** Epochs of changes over two inputs (port 0 and port 1). */
export function twoInputScriptArb(leftArb: fc.Arbitrary<Row>, rightArb: fc.Arbitrary<Row>, maxOps = 40): fc.Arbitrary<{ left: Change[]; right: Change[] }[]> {
  return fc
    .tuple(
      fc.array(opArb(leftArb), { maxLength: maxOps }),
      fc.array(opArb(rightArb), { maxLength: maxOps }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.nat(),
    )
    .map(([lops, rops, cuts, seed]) => {
      const l = buildChanges(lops, []);
      const r = buildChanges(rops, []);
      // Tag and interleave, then split; each epoch gets its share of both sides.
      const tagged: [0 | 1, Change][] = [];
      const n = Math.max(l.length, r.length);
      for (let i = 0; i < n; i++) {
        if (i < l.length) tagged.push([0, l[i]]);
        if (i < r.length) tagged.push([1, r[i]]);
      }
      return splitAndShuffle(tagged, cuts, seed).map((e) => ({
        left: e.filter((t) => t[0] === 0).map((t) => t[1]),
        right: e.filter((t) => t[0] === 1).map((t) => t[1]),
      }));
    });
}

/** Accumulated multiset of rows (consolidated by representation identity). */
export class Multiset {
  readonly m = new Map<string, { row: Row; n: number }>();

  add(row: Row, w: number): void {
    const k = encodeRow(row);
    const e = this.m.get(k);
    if (e === undefined) this.m.set(k, { row, n: w });
    else if ((e.n += w) === 0) this.m.delete(k);
  }

  apply(batch: ChangeBatch): void {
    for (let i = 0; i < batch.rows.length; i++) this.add(batch.rows[i], batch.weights[i]);
  }

  applyChanges(changes: readonly Change[]): void {
    for (const [r, w] of changes) this.add(r, w);
  }

  /** Rows repeated by multiplicity (asserts none is negative). */
  expand(): Row[] {
    const out: Row[] = [];
    for (const { row, n } of this.m.values()) {
      assert.ok(n >= 0, `negative multiplicity ${n} for ${encodeRow(row)}`);
      for (let i = 0; i < n; i++) out.push(row);
    }
    return out;
  }

  static of(rows: readonly Row[]): Multiset {
    const m = new Multiset();
    for (const r of rows) m.add(r, 1);
    return m;
  }
}

/** Asserts the accumulated output equals the expected rows as multisets (sorted, printable diff). */
export function assertSameRows(actual: Multiset, expected: readonly Row[], message?: string): void {
  const exp = Multiset.of(expected);
  const show = (m: Multiset) => [...m.m.entries()].map(([k, e]) => `${k} x${e.n}`).sort();
  assert.deepEqual(show(actual), show(exp), message);
}

/** A key -> value store fed with takeDirty() entries (null deletes), as the state store does. */
export class FakeStateStore {
  readonly data = new Map<string, string>();
  write(entries: readonly StateEntry[]): void {
    for (const { key, value } of entries) {
      if (value === null) this.data.delete(key);
      else this.data.set(key, value);
    }
  }
  entries(): StateEntry[] {
    return [...this.data].map(([key, value]) => ({ key, value }));
  }
}

/** Asserts two accumulated change sets (weights may be negative) are equal. */
export function assertSameChanges(actual: Multiset, expected: Multiset, message?: string): void {
  const show = (m: Multiset) => [...m.m.entries()].map(([k, e]) => `${k} x${e.n}`).sort();
  assert.deepEqual(show(actual), show(expected), message);
}
