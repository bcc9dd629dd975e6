/**
 * DISTINCT aggregates: agg(DISTINCT x) forwards a value to the inner accumulator only when its
 * multiplicity moves 0 -> positive (+1) or positive -> 0 (-1).
 *
 *   count(DISTINCT x) over +1 +1 +2 -1 -> inner sees +1, +2 -> 2n;  then -1 -> inner sees -1 -> 1n
 *
 * Values are grouped by SQL equality (key-codec.ts); the inner accumulator always receives the
 * first-seen representative of a value, for the retraction too, so representation-sensitive
 * accumulators (the numeric sum's display scale) stay consistent.
 */
import type { Value } from '../../sql/values.js';
import type { Key } from '../../dataflow/key-codec.js';
import { keyOf } from '../../dataflow/key-codec.js';
import type { Accumulator } from './accumulator.js';

interface Entry {
  args: Value[];
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
      e = { args: args.slice(), n: 0 };
      this.seen.set(k, e);
    }
    const before = e.n;
    e.n += weight;
    if (e.n === 0) this.seen.delete(k);
    if (before <= 0 && e.n > 0) this.inner.add(e.args, 1);
    else if (before > 0 && e.n <= 0) this.inner.add(e.args, -1);
  }

  result(): Value {
    return this.inner.result();
  }

  save(): unknown {
    const out: [Value[], number][] = [];
    for (const e of this.seen.values()) out.push([e.args, e.n]);
    return [this.inner.save(), out];
  }

  load(state: unknown): void {
    const [inner, entries] = state as [unknown, [Value[], number][]];
    this.inner.load(inner);
    this.seen = new Map();
    for (const [args, n] of entries) this.seen.set(this.keyFn(args), { args, n });
  }
}

/**
 * Wraps `inner` so it sees each distinct argument tuple once. `keyFn` maps the argument tuple to
 * a grouping key; by default the key of all arguments by their runtime representation.
 */
export function distinctAccumulator(inner: Accumulator, keyFn?: (args: readonly Value[]) => Key): Accumulator {
  return new DistinctAccumulator(inner, keyFn ?? defaultKeyFn);
}

function defaultKeyFn(args: readonly Value[]): Key {
  return keyOf(args);
}
