/**
 * Runtime representation of SQL values. One representation per type, used everywhere
 * (batch, streaming, storage codecs, wire encoders):
 *
 *   NULL                      -> null
 *   bool                      -> boolean
 *   int2, int4                -> number (integral)
 *   int8                      -> bigint (exact over the whole 64-bit range)
 *   float4, float8            -> number
 *   numeric                   -> Decimal (exact; see decimal.ts)
 *   text, varchar, bpchar     -> string
 *   date                      -> number: days since 1970-01-01
 *   timestamp, timestamptz    -> number: microseconds since 1970-01-01 00:00:00 (UTC for timestamptz)
 *   interval                  -> Interval {months, days, micros}
 *   jsonb                     -> JsonValue: plain JS JSON (string | number | boolean | array | object),
 *                                with the JSON literal `null` at top level represented by JSON_NULL
 *                                (nested nulls inside arrays/objects stay plain `null`)
 *   oid, regclass, regtype...  -> number (0..2^32-1)
 *   T[] (one-dimensional)     -> SqlArray (array.ts)
 *   record                    -> SqlRecord (record.ts)
 */
import type { Decimal } from './decimal.js';
import type { Interval } from './interval.js';
import type { SqlArray } from './array.js';
import type { SqlRecord } from './record.js';

/** Top-level JSON null inside a jsonb value (distinct from SQL NULL). */
export const JSON_NULL: unique symbol = Symbol.for('eddy.json_null');
export type JsonNull = typeof JSON_NULL;
export type JsonScalar = string | number | boolean | null;
export type JsonValue = JsonScalar | JsonValue[] | { [key: string]: JsonValue };
export type Jsonb = Exclude<JsonValue, null> | JsonNull;

export type Value = null | boolean | number | bigint | string | Decimal | Interval | Jsonb | SqlArray | SqlRecord;

/** A row is a positional array of values; its schema is known statically by whoever holds it. */
export type Row = Value[];
