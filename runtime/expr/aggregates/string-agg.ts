/**
 * string_agg(value text, delimiter text [ORDER BY ...]) -> text.
 *
 * args = [value, delimiter, ...sortKeys]. As in PostgreSQL, NULL values are skipped, each value
 * after the first is preceded by its own row's delimiter (a NULL delimiter adds nothing), and the
 * result over no non-NULL values is NULL.
 *
 *   string_agg(x, ',' ORDER BY x) over +'b' +'a' +'c' -'b' -> 'a,c'
 *
 * State: the multiset of argument tuples with multiplicities and the sequence number of each
 * tuple's first arrival. The result sorts by the ORDER BY keys, ties (and the no-ORDER-BY case) by
 * arrival, which is the order a batch scan of the same input produces. The result is cached until
 * the next change; building it is O(n log n) in the group size, as the output itself is O(n).
 */
import { compareValues } from '../../sql/compare.js';
import type { Value } from '../../sql/values.js';
import { encodeRow } from '../../storage/value-codec.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';

interface Entry {
  args: Value[];
  n: number;
  seq: number;
}

export class StringAgg implements Accumulator {
  private entries = new Map<string, Entry>();
  private seq = 0;
  private cached: Value | undefined = undefined;
  private readonly orderBy: readonly AggOrderBy[];

  constructor(orderBy: readonly AggOrderBy[] = []) {
    this.orderBy = orderBy;
  }

  add(args: readonly Value[], weight: number): void {
    if (args[0] === null || weight === 0) return;
    const width = 2 + this.orderBy.length;
    const tuple = args.length === width ? (args as Value[]).slice() : args.slice(0, width);
    while (tuple.length < width) tuple.push(null);
    const k = encodeRow(tuple);
    let e = this.entries.get(k);
    if (e === undefined) {
      e = { args: tuple, n: 0, seq: this.seq++ };
      this.entries.set(k, e);
    }
    e.n += weight;
    if (e.n === 0) this.entries.delete(k);
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    const live: Entry[] = [];
    for (const e of this.entries.values()) if (e.n > 0) live.push(e);
    if (live.length === 0) return (this.cached = null);
    const ob = this.orderBy;
    live.sort((a, b) => {
      for (let i = 0; i < ob.length; i++) {
        const c = compareSortKey(ob[i], a.args[2 + i], b.args[2 + i]);
        if (c !== 0) return c;
      }
      return a.seq - b.seq;
    });
    let out = '';
    let first = true;
    for (const e of live) {
      const v = e.args[0] as string;
      const d = e.args[1];
      for (let i = 0; i < e.n; i++) {
        if (!first && d !== null) out += d as string;
        out += v;
        first = false;
      }
    }
    return (this.cached = out);
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
    for (const [args, n, s] of entries) this.entries.set(encodeRow(args), { args, n, seq: s });
    this.cached = undefined;
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
