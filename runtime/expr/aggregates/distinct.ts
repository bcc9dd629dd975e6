/**
 * DISTINCT aggregates: agg(DISTINCT x) forwards a value to the inner accumulator only when its
 * multiplicity moves 0 -> positive (+1) or positive -> 0 (-1).
 *
 *   count(DISTINCT x) over +1 +1 +2 -1 -> inner sees +1, +2 -> 2n;  then -1 -> inner sees -1 -> 1n
 *
 * Values are grouped by SQL equality (key-codec.ts). The inner accumulator holds one
 * representation per distinct value, the canonical one among those present
 * (dataflow/representatives.ts); when that one leaves while an equal one remains (numeric 1.5
 * retracted, 1.50 still there), the inner accumulator gets -1.5 and +1.50.
 */
import type { Value } from '../../sql/values.js';
import type { Key } from '../../dataflow/key-codec.js';
import { keyOf } from '../../dataflow/key-codec.js';
import { addRep, shownRep } from '../../dataflow/representatives.js';
import type { Rep } from '../../dataflow/representatives.js';
import { sameRow } from '../../dataflow/row-identity.js';
import type { Accumulator } from './accumulator.js';

interface Entry {
  reps: Rep<Value[]>[];
  n: number;
}

export class DistinctAccumulator implements Accumulator {
  private seen = new Map<Key, Entry>();

  constructor(
    private readonly inner: Accumulator,
    private readonly keyFn: (args: readonly Value[]) => Key,
  ) {}

  add(args: readonly Value[], weight: number): void {
    if (weight === 0) return;
    const k = this.keyFn(args);
    let e = this.seen.get(k);
    if (e === undefined) {
      e = { reps: [], n: 0 };
      this.seen.set(k, e);
    }
    const before = e.n > 0 ? shownRep(e.reps, true) : undefined;
    addRep(e.reps, args as Value[], weight, sameRow, copyArgs);
    e.n += weight;
    const after = e.n > 0 ? shownRep(e.reps, true) : undefined;
    if (e.n === 0 && e.reps.length === 0) this.seen.delete(k);
    if (before === after) return;
    if (before !== undefined) this.inner.add(before, -1);
    if (after !== undefined) this.inner.add(after, 1);
  }

  result(): Value {
    return this.inner.result();
  }

  save(): unknown {
    const out: [Value[], number][] = [];
    for (const e of this.seen.values()) for (const r of e.reps) out.push([r.value, r.n]);
    return [this.inner.save(), out];
  }

  load(state: unknown): void {
    const [inner, entries] = state as [unknown, [Value[], number][]];
    this.inner.load(inner);
    this.seen = new Map();
    for (const [args, n] of entries) {
      const k = this.keyFn(args);
      let e = this.seen.get(k);
      if (e === undefined) {
        e = { reps: [], n: 0 };
        this.seen.set(k, e);
      }
      e.reps.push({ value: args, n });
      e.n += n;
    }
  }
}

/**
 * Wraps `inner` so it sees each distinct argument tuple once. `keyFn` maps the argument tuple to
 * a grouping key; by default the key of all arguments by their runtime representation.
 */
export function distinctAccumulator(inner: Accumulator, keyFn?: (args: readonly Value[]) => Key): Accumulator {
  return new DistinctAccumulator(inner, keyFn ?? defaultKeyFn);
}

function copyArgs(args: Value[]): Value[] {
  return args.slice();
}

function defaultKeyFn(args: readonly Value[]): Key {
  return keyOf(args);
}
