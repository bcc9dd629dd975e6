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
import { OrderedTuples } from './ordered-tuples.js';

function jsonOf(type: SqlType, v: Value): JsonValue {
  return v === null ? null : unwrapJsonb(toJsonb(type, v));
}

export class JsonbAgg implements Accumulator {
  private readonly tuples: OrderedTuples;
  private cached: Value | undefined = undefined;

  constructor(
    private readonly type: SqlType,
    orderBy: readonly AggOrderBy[] = [],
  ) {
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
    const items: JsonValue[] = [];
    for (const e of live) {
      const j = jsonOf(this.type, e.args[0]);
      for (let i = 0; i < e.n; i++) items.push(j);
    }
    return (this.cached = wrapJsonb(items));
  }

  save(): unknown {
    return this.tuples.save();
  }

  load(state: unknown): void {
    this.tuples.load(state);
    this.cached = undefined;
  }
}

export class JsonbObjectAgg implements Accumulator {
  private readonly tuples: OrderedTuples;
  private cached: Value | undefined = undefined;

  constructor(
    private readonly keyType: SqlType,
    private readonly valueType: SqlType,
    orderBy: readonly AggOrderBy[] = [],
  ) {
    this.tuples = new OrderedTuples(orderBy, 2 + orderBy.length, 2);
  }

  add(args: readonly Value[], weight: number): void {
    if (weight === 0) return;
    if (args[0] === null) {
      if (weight > 0) throw new SqlError(SqlState.NullValueNotAllowed, 'field name must not be null');
      return;
    }
    this.tuples.add(args, weight);
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    const live = this.tuples.sorted();
    if (live.length === 0) return (this.cached = null);
    const o: { [key: string]: JsonValue } = {};
    for (const e of live) setKey(o, toJsonbKey(this.keyType, e.args[0]), jsonOf(this.valueType, e.args[1]));
    return (this.cached = o);
  }

  save(): unknown {
    return this.tuples.save();
  }

  load(state: unknown): void {
    this.tuples.load(state);
    this.cached = undefined;
  }
}
