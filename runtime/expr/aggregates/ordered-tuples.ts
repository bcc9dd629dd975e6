/**
 * The state of ordered, retractable aggregates (string_agg, array_agg): the multiset of argument
 * tuples with multiplicities and each tuple's first-arrival sequence number. `sorted()` orders
 * the live tuples by the aggregate's ORDER BY keys (which start at `keyOffset` in a tuple), ties
 * and the no-ORDER-BY case by arrival: the order a batch scan of the same input produces.
 */
import type { Value } from '../../sql/values.js';
import { compareValues } from '../../sql/compare.js';
import { encodeRow } from '../../storage/value-codec.js';
import type { AggOrderBy } from './accumulator.js';

export interface TupleEntry {
  args: Value[];
  n: number;
  seq: number;
}

export class OrderedTuples {
  private entries = new Map<string, TupleEntry>();
  private seq = 0;

  constructor(
    private readonly orderBy: readonly AggOrderBy[],
    /** Tuple width: the aggregate's own arguments plus one per ORDER BY key. */
    private readonly width: number,
    private readonly keyOffset: number,
  ) {}

  add(args: readonly Value[], weight: number): void {
    const tuple = args.slice(0, this.width);
    while (tuple.length < this.width) tuple.push(null);
    const k = encodeRow(tuple);
    let e = this.entries.get(k);
    if (e === undefined) {
      e = { args: tuple, n: 0, seq: this.seq++ };
      this.entries.set(k, e);
    }
    e.n += weight;
    if (e.n === 0) this.entries.delete(k);
  }

  /** Live tuples (multiplicity > 0) in ORDER BY order, then arrival order. */
  sorted(): TupleEntry[] {
    const live: TupleEntry[] = [];
    for (const e of this.entries.values()) if (e.n > 0) live.push(e);
    const ob = this.orderBy;
    const off = this.keyOffset;
    live.sort((a, b) => {
      for (let i = 0; i < ob.length; i++) {
        const c = compareSortKey(ob[i], a.args[off + i], b.args[off + i]);
        if (c !== 0) return c;
      }
      return a.seq - b.seq;
    });
    return live;
  }

  save(): unknown {
    const out: [Value[], number, number][] = [];
    for (const e of this.entries.values()) out.push([e.args, e.n, e.seq]);
    return [this.seq, out];
  }

  load(state: unknown): void {
    const [seq, entries] = state as [number, [Value[], number, number][]];
    this.seq = seq;
    this.entries = new Map();
    for (const [args, n, s] of entries) {
      // State saved before DISTINCT without ORDER BY sorted by the values (the binder now adds the
      // value arguments as sort keys): the missing keys are those values.
      for (let k = args.length; k < this.width && k >= this.keyOffset; k++) args.push(args[k - this.keyOffset]);
      this.entries.set(encodeRow(args), { args, n, seq: s });
    }
  }
}

/** ORDER BY comparison of one key: direction and NULLS FIRST/LAST as given. */
export function compareSortKey(o: AggOrderBy, a: Value, b: Value): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    // NULLS FIRST puts nulls first regardless of the direction.
    return (a === null) === o.nullsFirst ? -1 : 1;
  }
  const c = compareValues(o.type.id, a, b);
  return o.desc ? -c : c;
}

/**
 * The shape of array_agg, string_agg, jsonb_agg and jsonb_object_agg: the argument tuples kept in
 * OrderedTuples, the result built from the live tuples in order and cached until the next change.
 * A subclass says how tuples enter (accept) and what the result is (build); no tuples: NULL.
 */
export abstract class OrderedTupleAggregate {
  protected readonly tuples: OrderedTuples;
  private cached: Value | undefined = undefined;

  /** `own`: the aggregate's own arguments (the ORDER BY keys follow them in each tuple). */
  protected constructor(orderBy: readonly AggOrderBy[], own: number) {
    this.tuples = new OrderedTuples(orderBy, own + orderBy.length, own);
  }

  /** Whether a row's arguments take part (e.g. string_agg skips NULL values). */
  protected accept(_args: readonly Value[], _weight: number): boolean {
    return true;
  }

  /** The result over the live tuples, in order (never empty). */
  protected abstract build(live: TupleEntry[]): Value;

  add(args: readonly Value[], weight: number): void {
    if (weight === 0 || !this.accept(args, weight)) return;
    this.tuples.add(args, weight);
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    const live = this.tuples.sorted();
    return (this.cached = live.length === 0 ? null : this.build(live));
  }

  save(): unknown {
    return this.tuples.save();
  }

  load(state: unknown): void {
    this.tuples.load(state);
    this.cached = undefined;
  }
}
