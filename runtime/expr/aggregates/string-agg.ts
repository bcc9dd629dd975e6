/**
 * string_agg(value text, delimiter text [ORDER BY ...]) -> text.
 *
 * args = [value, delimiter, ...sortKeys]. As in PostgreSQL, NULL values are skipped, each value
 * after the first is preceded by its own row's delimiter (a NULL delimiter adds nothing), and the
 * result over no non-NULL values is NULL.
 *
 *   string_agg(x, ',' ORDER BY x) over +'b' +'a' +'c' -'b' -> 'a,c'
 *
 * State: OrderedTuples. The result is cached until the next change; building it is O(n log n)
 * in the group size, as the output itself is O(n).
 */
import type { Value } from '../../sql/values.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';
import { OrderedTupleAggregate, type TupleEntry } from './ordered-tuples.js';

export { compareSortKey } from './ordered-tuples.js';

export class StringAgg extends OrderedTupleAggregate implements Accumulator {
  constructor(orderBy: readonly AggOrderBy[] = []) {
    super(orderBy, 2);
  }

  protected override accept(args: readonly Value[]): boolean {
    return args[0] !== null;
  }

  protected build(live: TupleEntry[]): Value {
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
    return out;
  }
}
