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
 *
 * The value set is O(distinct values) in memory and in a saved snapshot, also over append-only
 * input (count(DISTINCT x) needs it). HashAggregate persists it one element per state entry
 * (persistElements): key 's' + the value's key; the inner accumulator's state is the head, or, if
 * it has elements itself (min(DISTINCT x)), its head with its elements under keys 'i' + key.
 */
import type { Value } from '../../sql/values.js';
import type { Key } from '../../dataflow/key-codec.js';
import { encodeKeyParts, keyOf } from '../../dataflow/key-codec.js';
import { addRep, shownRep } from '../../dataflow/representatives.js';
import type { Rep } from '../../dataflow/representatives.js';
import { sameRow } from '../../dataflow/row-identity.js';
import type { Accumulator, ElementState } from './accumulator.js';

interface Entry {
  reps: Rep<Value[]>[];
  n: number;
}

export class DistinctAccumulator implements Accumulator, ElementState {
  private seen = new Map<Key, Entry>();
  /** With persistElements(): the values changed since the last takeChangedElements. */
  private changed: Set<Key> | null = null;
  private innerElements: ElementState | undefined = undefined;

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
    if (this.changed !== null) this.changed.add(k);
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

  persistElements(): ElementState {
    if (this.changed === null) {
      this.changed = new Set();
      this.innerElements = this.inner.persistElements?.();
    }
    return this;
  }

  saveHead(): unknown {
    return this.innerElements !== undefined ? this.innerElements.saveHead() : this.inner.save();
  }

  loadHead(head: unknown): void {
    this.seen = new Map();
    this.changed?.clear();
    if (this.innerElements !== undefined) this.innerElements.loadHead(head);
    else this.inner.load(head);
  }

  loadElement(key: string, state: unknown): void {
    if (key.charCodeAt(0) === 0x69 /* 'i' */) {
      this.innerElements?.loadElement(key.slice(1), state);
      return;
    }
    const entries = state as [Value[], number][];
    if (entries.length === 0) return;
    const e: Entry = { reps: [], n: 0 };
    for (const [args, n] of entries) {
      e.reps.push({ value: args, n });
      e.n += n;
    }
    this.seen.set(this.keyFn(entries[0][0]), e);
  }

  takeChangedElements(fn: (key: string, state: unknown) => void): void {
    if (this.changed === null) return;
    for (const k of this.changed) {
      const e = this.seen.get(k);
      fn('s' + encodeKeyParts([k]), e === undefined ? null : e.reps.map((r) => [r.value, r.n]));
    }
    this.changed.clear();
    this.innerElements?.takeChangedElements((key, st) => fn('i' + key, st));
  }

  forEachElementKey(fn: (key: string) => void): void {
    for (const k of this.seen.keys()) fn('s' + encodeKeyParts([k]));
    this.innerElements?.forEachElementKey((key) => fn('i' + key));
  }

  markAllChanged(): void {
    const c = (this.changed ??= new Set());
    for (const k of this.seen.keys()) c.add(k);
    this.innerElements?.markAllChanged();
  }

  elementCount(): number {
    return this.seen.size + (this.innerElements?.elementCount() ?? 0);
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
