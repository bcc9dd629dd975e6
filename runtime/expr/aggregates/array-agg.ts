/**
 * array_agg(value [ORDER BY ...]) -> value[]: every input value, NULLs included, in ORDER BY
 * order (ties and no ORDER BY: arrival order, as a batch scan produces); NULL over no rows.
 * args = [value, ...sortKeys]. Retractable like string_agg (state: OrderedTuples).
 */
import { SqlArray } from '../../sql/array.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';
import { OrderedTupleAggregate, type TupleEntry } from './ordered-tuples.js';

export class ArrayAgg extends OrderedTupleAggregate implements Accumulator {
  constructor(orderBy: readonly AggOrderBy[] = []) {
    super(orderBy, 1);
  }

  protected build(live: TupleEntry[]): Value {
    const items: Value[] = [];
    for (const e of live) for (let i = 0; i < e.n; i++) items.push(e.args[0]);
    return new SqlArray(items);
  }
}
