/**
 * min(x) / max(x) for every orderable type, retractable.
 *
 * State: a multiset of the values (keyed by their grouping-normalised form, key-codec.ts) with
 * multiplicities, plus the current extreme. Adding a value is O(1) (compare with the extreme);
 * retracting a value is O(1) unless it removes the last copy of the current extreme, in which case
 * the extreme is recomputed lazily (on result()) by one scan of the multiset. For append-only
 * input (the common streaming case) that never happens.
 *
 *   max(int4) over +3 +9 +5 -> 9;  then -9 -> 5 (recomputed);  then -3 -5 -> NULL
 *
 * Values that are equal but differently represented (numeric 1.5 / 1.50) share one entry that
 * shows the canonical representation among those present (dataflow/representatives.ts).
 *
 * The multiset is O(group size) in memory and in a saved snapshot. HashAggregate persists it one
 * element (distinct value) per state entry (persistElements, accumulator.ts), so an epoch writes
 * only the values it changed; over append-only input (planner/physical/append-only.ts) it uses
 * AppendOnlyMinMax instead: the extreme alone, saved as one value.
 */
import { compareValues } from '../../sql/compare.js';
import type { TypeId } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { encodeKeyParts, keyNormalizer } from '../../dataflow/key-codec.js';
import type { KeyNormalizer, KeyPart } from '../../dataflow/key-codec.js';
import type { SqlType } from '../../sql/types.js';
import { addRep, preferRepresentation, shownRep } from '../../dataflow/representatives.js';
import type { Rep } from '../../dataflow/representatives.js';
import { sameValue } from '../../dataflow/row-identity.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { Accumulator, ElementState } from './accumulator.js';

interface Entry {
  /** Representations of this value with their multiplicities (almost always one). */
  reps: Rep<Value>[];
  n: number;
}

export class MinMax implements Accumulator, ElementState {
  private values = new Map<KeyPart, Entry>();
  /** With persistElements(): the values changed since the last takeChangedElements. */
  private changed: Set<KeyPart> | null = null;
  /** The current extreme among entries with n > 0, or null when none or stale. */
  private best: Entry | null = null;
  private stale = false;
  private readonly norm: KeyNormalizer;
  private readonly typeId: TypeId;
  /** +1 for max, -1 for min. */
  private readonly dir: number;

  constructor(type: SqlType, isMax: boolean) {
    this.norm = keyNormalizer(type);
    this.typeId = type.id;
    this.dir = isMax ? 1 : -1;
  }

  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null || weight === 0) return;
    const k = this.norm(v);
    let e = this.values.get(k);
    if (e === undefined) {
      e = { reps: [{ value: v, n: weight }], n: weight };
      this.values.set(k, e);
    } else {
      if (e.reps.length === 1 && sameValue(e.reps[0].value, v)) {
        if ((e.reps[0].n += weight) === 0) e.reps.length = 0;
      } else addRep(e.reps, v, weight, sameValue);
      e.n += weight;
    }
    // Keep an entry while any representation has a non-zero count (1.50 x1 and 1.5 x-1
    // transiently within a batch sum to 0 but must not be forgotten).
    if (e.n === 0 && e.reps.length === 0) this.values.delete(k);
    if (this.changed !== null) this.changed.add(k);
    if (e.n > 0) {
      if (!this.stale && e !== this.best && (this.best === null || this.better(rep(e), rep(this.best)))) this.best = e;
    } else if (e === this.best) {
      this.best = null;
      this.stale = true;
    }
  }

  private better(a: Value, b: Value): boolean {
    return compareValues(this.typeId, a, b) * this.dir > 0;
  }

  result(): Value {
    if (this.stale) {
      let best: Entry | null = null;
      for (const e of this.values.values()) {
        if (e.n > 0 && (best === null || this.better(rep(e), rep(best)))) best = e;
      }
      this.best = best;
      this.stale = false;
    }
    return this.best === null ? null : rep(this.best);
  }

  save(): unknown {
    const out: [Value, number][] = [];
    for (const e of this.values.values()) for (const r of e.reps) out.push([r.value, r.n]);
    return out;
  }

  load(state: unknown): void {
    this.values = new Map();
    this.best = null;
    this.stale = false;
    for (const [value, n] of state as [Value, number][]) this.add([value], n);
    this.stale = true;
  }

  persistElements(): ElementState {
    this.changed ??= new Set();
    return this;
  }

  saveHead(): unknown {
    return null;
  }

  loadHead(): void {
    this.values = new Map();
    this.best = null;
    this.stale = false;
    this.changed?.clear();
  }

  /** An element: one distinct value, state = its representations [[value, n], ...]. */
  loadElement(_key: string, state: unknown): void {
    const reps: Rep<Value>[] = (state as [Value, number][]).map(([value, n]) => ({ value, n }));
    if (reps.length === 0) return;
    let n = 0;
    for (const r of reps) n += r.n;
    this.values.set(this.norm(reps[0].value), { reps, n });
    this.stale = true;
  }

  takeChangedElements(fn: (key: string, state: unknown) => void): void {
    if (this.changed === null) return;
    for (const k of this.changed) {
      const e = this.values.get(k);
      fn(encodeKeyParts([k]), e === undefined ? null : e.reps.map((r) => [r.value, r.n]));
    }
    this.changed.clear();
  }

  forEachElementKey(fn: (key: string) => void): void {
    for (const k of this.values.keys()) fn(encodeKeyParts([k]));
  }

  markAllChanged(): void {
    const c = (this.changed ??= new Set());
    for (const k of this.values.keys()) c.add(k);
  }

  elementCount(): number {
    return this.values.size;
  }
}

/** The value an entry shows: its canonical representation among those present. */
function rep(e: Entry): Value {
  const v = shownRep(e.reps, false);
  return v === undefined ? (e.reps.length > 0 ? e.reps[0].value : null) : v;
}

/**
 * min(x) / max(x) over insert-only input: the current extreme only (O(1) memory and snapshot).
 * Computes what MinMax computes for the same insertions, representation included: among values
 * equal to the extreme it keeps the canonical one (representatives.ts), whatever the arrival order.
 *
 *   max over +3 +9 +5 -> 9;  save() -> 9;  add([9], -1) -> throws XX000 (never silently wrong)
 *
 * A retraction cannot be applied (the values below the extreme were not kept): add() throws.
 * HashAggregate in append-only mode checks weights before calling add(), reports such a row
 * through ctx.reportRowError and drops it, so this throw is a last line of defence.
 * load() also accepts MinMax's multiset snapshot (state persisted before the append-only form).
 */
export class AppendOnlyMinMax implements Accumulator {
  private best: Value = null;
  private readonly typeId: TypeId;
  /** +1 for max, -1 for min. */
  private readonly dir: number;

  constructor(type: SqlType, isMax: boolean) {
    this.typeId = type.id;
    this.dir = isMax ? 1 : -1;
  }

  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null || weight === 0) return;
    if (weight < 0) throw retractionError(this.dir > 0 ? 'max' : 'min');
    const best = this.best;
    if (best === null) {
      this.best = v;
      return;
    }
    const c = compareValues(this.typeId, v, best) * this.dir;
    if (c > 0 || (c === 0 && !sameValue(v, best) && preferRepresentation([v], [best]))) this.best = v;
  }

  result(): Value {
    return this.best;
  }

  save(): unknown {
    return this.best;
  }

  load(state: unknown): void {
    this.best = null;
    if (!Array.isArray(state)) {
      this.best = state as Value;
      return;
    }
    for (const [value, n] of state as [Value, number][]) if (n > 0) this.add([value], 1);
  }
}

/** The error an insert-only accumulator raises on a retraction (a planner bug if it ever happens). */
export function retractionError(name: string): SqlError {
  return new SqlError(SqlState.InternalError, `${name}() kept insert-only state but received a retraction: its input was wrongly planned as append-only`);
}
