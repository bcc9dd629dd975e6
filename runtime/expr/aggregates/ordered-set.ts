/**
 * The ordered-set aggregates, `agg(direct args) WITHIN GROUP (ORDER BY x)`, retractable:
 *
 *   percentile_cont(frac float8) WITHIN GROUP (ORDER BY float8|interval) -> float8|interval:
 *     with N live non-NULL x in ORDER BY order and p = frac·(N−1), the value at floor(p)
 *     interpolated linearly towards the value at ceil(p) (PostgreSQL's float8_lerp/interval_lerp)
 *   percentile_disc(frac float8) WITHIN GROUP (ORDER BY any) -> the sort key's type: the first
 *     value whose position (1-based) reaches frac·N, i.e. index max(ceil(frac·N), 1) − 1
 *   mode() WITHIN GROUP (ORDER BY any) -> the sort key's type: the most frequent value, ties
 *     going to the first in ORDER BY order
 *
 * args = [...directArgs, x]. NULL x are ignored; the result over no non-NULL x is NULL, and so is
 * a NULL fraction. A fraction outside [0, 1] is an error (22003) when the result is computed.
 * The fraction is a direct argument (constant per group in PostgreSQL): the accumulator keeps the
 * last one seen. State: the multiset of x (OrderedTuples, sorted when the result is asked for;
 * the result is cached until the next change).
 *
 *   percentile_cont(0.5) WITHIN GROUP (ORDER BY x) over 1, 3, 5, 7 = 4; percentile_disc(0.5) = 3
 */
import { SqlArray } from '../../sql/array.js';
import { compareValues } from '../../sql/compare.js';
import { Decimal } from '../../sql/decimal.js';
import { SqlError } from '../../sql/errors.js';
import { Interval } from '../../sql/interval.js';
import { SqlState } from '../../sql/sqlstate.js';
import { TypeId } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';
import { OrderedTuples, type TupleEntry } from './ordered-tuples.js';

export type OrderedSetKind = 'percentile_cont' | 'percentile_disc' | 'mode';

/** A sort key value as float8 (percentile_cont over a numeric-like key). */
function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  return Number(v);
}

function checkFraction(f: number): void {
  if (!(f >= 0 && f <= 1)) throw new SqlError(SqlState.NumericValueOutOfRange, `percentile value ${f} is not between 0 and 1`);
}

export class OrderedSetAggregate implements Accumulator {
  private readonly values: OrderedTuples;
  /** The last fraction seen (percentile_*); undefined before any row. */
  private fraction: Value | undefined = undefined;
  private readonly one: Value[] = [null];
  private cached: Value | undefined = undefined;

  constructor(
    private readonly kind: OrderedSetKind,
    private readonly orderBy: AggOrderBy,
  ) {
    this.values = new OrderedTuples([orderBy], 1, 0);
  }

  add(args: readonly Value[], weight: number): void {
    if (weight === 0) return;
    const hasFraction = this.kind !== 'mode';
    if (hasFraction) this.fraction = args[0];
    const x = args[hasFraction ? 1 : 0];
    if (x === null || x === undefined) return;
    this.one[0] = x;
    this.values.add(this.one, weight);
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    const r = this.compute();
    this.cached = r;
    return r;
  }

  private compute(): Value {
    if (this.kind !== 'mode' && (this.fraction === null || this.fraction === undefined)) return null;
    const live = this.values.sorted();
    if (live.length === 0) return null;
    if (this.kind === 'mode') return mode(live, this.orderBy);
    let total = 0;
    for (const e of live) total += e.n;
    const f = this.fraction;
    if (f instanceof SqlArray) return new SqlArray(f.items.map((x) => (x === null ? null : this.percentile(live, total, x as number))), f.lower);
    return this.percentile(live, total, f as number);
  }

  private percentile(live: TupleEntry[], total: number, frac: number): Value {
    checkFraction(frac);
    if (this.kind === 'percentile_disc') {
      const rownum = Math.max(Math.ceil(frac * total), 1);
      return at(live, rownum - 1);
    }
    const p = frac * (total - 1);
    const first = Math.floor(p);
    const second = Math.ceil(p);
    const lo = at(live, first);
    if (first === second) return this.orderBy.type.id === TypeId.Interval ? lo : toFloat(lo);
    const hi = at(live, second);
    const pct = p - first;
    if (this.orderBy.type.id === TypeId.Interval) {
      return (hi as Interval).sub(lo as Interval).mulNumber(pct).add(lo as Interval);
    }
    const l = toFloat(lo);
    return l + pct * (toFloat(hi) - l);
  }

  save(): unknown {
    return [this.fraction === undefined ? null : this.fraction, this.fraction === undefined ? 0 : 1, this.values.save()];
  }

  load(state: unknown): void {
    const [f, has, values] = state as [Value, number, unknown];
    this.fraction = has ? f : undefined;
    this.values.load(values);
    this.cached = undefined;
  }
}

/** The value at 0-based position i of the sorted multiset. */
function at(live: TupleEntry[], i: number): Value {
  for (const e of live) {
    if (i < e.n) return e.args[0];
    i -= e.n;
  }
  return live[live.length - 1].args[0];
}

/** The most frequent value; equal values (compare 0) are adjacent in sorted order. */
function mode(live: TupleEntry[], ob: AggOrderBy): Value {
  let best: Value = null;
  let bestN = 0;
  let cur: Value = null;
  let curN = 0;
  for (const e of live) {
    const v = e.args[0];
    if (curN > 0 && compareValues(ob.type.id, cur, v) === 0) {
      curN += e.n;
    } else {
      cur = v;
      curN = e.n;
    }
    if (curN > bestN) {
      best = cur;
      bestN = curN;
    }
  }
  return best;
}
