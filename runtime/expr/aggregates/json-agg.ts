/**
 * jsonb_agg(value [ORDER BY ...]) / json_agg -> jsonb: a JSON array of every input value (NULL as
 * JSON null), in ORDER BY order (ties and no ORDER BY: arrival order); NULL over no rows.
 * jsonb_object_agg(key, value [ORDER BY ...]) / json_object_agg -> jsonb: an object of the pairs,
 * a later pair replacing an earlier one with the same key (jsonb semantics; json is stored as
 * jsonb); a NULL key is an error (22004), a NULL value JSON null; NULL over no rows.
 *
 * args = [value, ...sortKeys] / [key, value, ...sortKeys]. Values convert with toJsonb (to_jsonb's
 * rules), keys with toJsonbKey. Retractable: state is OrderedTuples, as array_agg; the result is
 * cached until the next change.
 *
 *   jsonb_agg(x) over 1, NULL, 2 = [1, null, 2]
 *   jsonb_object_agg(k, v) over ('b', 1), ('a', NULL), ('b', 2) = {"a": null, "b": 2}
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { SqlType } from '../../sql/types.js';
import type { JsonValue, Value } from '../../sql/values.js';
import { setKey, toJsonb, toJsonbKey, unwrapJsonb, wrapJsonb } from '../functions/to-jsonb.js';
import type { Accumulator, AggOrderBy } from './accumulator.js';
import { OrderedTupleAggregate, type TupleEntry } from './ordered-tuples.js';

function jsonOf(type: SqlType, v: Value): JsonValue {
  return v === null ? null : unwrapJsonb(toJsonb(type, v));
}

export class JsonbAgg extends OrderedTupleAggregate implements Accumulator {
  constructor(
    private readonly type: SqlType,
    orderBy: readonly AggOrderBy[] = [],
  ) {
    super(orderBy, 1);
  }

  protected build(live: TupleEntry[]): Value {
    const items: JsonValue[] = [];
    for (const e of live) {
      const j = jsonOf(this.type, e.args[0]);
      for (let i = 0; i < e.n; i++) items.push(j);
    }
    return wrapJsonb(items);
  }
}

export class JsonbObjectAgg extends OrderedTupleAggregate implements Accumulator {
  constructor(
    private readonly keyType: SqlType,
    private readonly valueType: SqlType,
    orderBy: readonly AggOrderBy[] = [],
  ) {
    super(orderBy, 2);
  }

  protected override accept(args: readonly Value[], weight: number): boolean {
    if (args[0] !== null) return true;
    if (weight > 0) throw new SqlError(SqlState.NullValueNotAllowed, 'field name must not be null');
    return false;
  }

  protected build(live: TupleEntry[]): Value {
    const o: { [key: string]: JsonValue } = {};
    for (const e of live) setKey(o, toJsonbKey(this.keyType, e.args[0]), jsonOf(this.valueType, e.args[1]));
    return o;
  }
}
