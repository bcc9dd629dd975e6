/**
 * array_agg(value [ORDER BY ...]) -> value[]: every input value, NULLs included, in ORDER BY
 * order (ties and no ORDER BY: arrival order, as a batch scan produces); NULL over no rows.
 * args = [value, ...sortKeys]. Retractable like string_agg (state: OrderedTuples).
 */
import { SqlArray } from '../../sql/array.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';
import { OrderedTuples } from './ordered-tuples.js';

export class ArrayAgg implements Accumulator {
  private readonly tuples: OrderedTuples;
  private cached: Value | undefined = undefined;

  constructor(orderBy: readonly AggOrderBy[] = []) {
    this.tuples = new OrderedTuples(orderBy, 1 + orderBy.length, 1);
  }

  add(args: readonly Value[], weight: number): void {
    if (weight === 0) return;
    this.tuples.add(args, weight);
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    const live = this.tuples.sorted();
    if (live.length === 0) return (this.cached = null);
    const items: Value[] = [];
    for (const e of live) for (let i = 0; i < e.n; i++) items.push(e.args[0]);
    return (this.cached = new SqlArray(items));
  }

  save(): unknown {
    return this.tuples.save();
  }

  load(state: unknown): void {
    this.tuples.load(state);
    this.cached = undefined;
  }
}
