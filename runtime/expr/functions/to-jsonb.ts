/**
 * SQL value -> jsonb, as PostgreSQL's to_jsonb / jsonb_build_* (jsonb.c datum_to_jsonb):
 * numbers stay numbers unless NaN/Infinity (then strings), dates and timestamps become ISO 8601
 * strings ('2024-01-02T03:04:05+00:00'), other types their text output; jsonb is kept as is.
 *
 * Limitation of the value model: jsonb numbers are JS numbers, so numeric/int8 values beyond
 * double precision (and numeric display scale, 1.10 -> 1.1) are not preserved.
 */
import { formatText } from '../../sql/text-io.js';
import { TypeId, type SqlType } from '../../sql/types.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Value } from '../../sql/values.js';
import { invalidParameter } from './function-errors.js';

/** JsonEncodeDateTime: the type's output with 'T' between date and time and '+HH:MM' zones. */
function jsonDateTime(type: SqlType, v: Value): string {
  const text = formatText(type, v);
  if (type.id === TypeId.Date || !Number.isFinite(v as number)) return text;
  let s = text.replace(' ', 'T');
  if (type.id === TypeId.Timestamptz) s = s.replace(/([+-]\d\d)( BC)?$/, '$1:00$2');
  return s;
}

/** The jsonb value of a non-null SQL value of type `type`. */
export function toJsonb(type: SqlType, v: Value): Jsonb {
  switch (type.id) {
    case TypeId.Jsonb:
      return v as Jsonb;
    case TypeId.Bool:
      return v as boolean;
    case TypeId.Int2:
    case TypeId.Int4:
      return v as number;
    case TypeId.Int8:
    case TypeId.Float4:
    case TypeId.Float8:
    case TypeId.Numeric: {
      const text = formatText(type, v);
      // Output containing 'n'/'N' (NaN, Infinity) is not a JSON number.
      return /[nN]/.test(text) ? text : Number(text) || 0;
    }
    case TypeId.Date:
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return jsonDateTime(type, v);
    default:
      return formatText(type, v);
  }
}

/** A jsonb_build_object key: the value's text (true/false for booleans); jsonb is rejected. */
export function toJsonbKey(type: SqlType, v: Value): string {
  switch (type.id) {
    case TypeId.Jsonb:
      throw invalidParameter('key value must be scalar, not array, composite, or json');
    case TypeId.Bool:
      return v ? 'true' : 'false';
    case TypeId.Date:
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return jsonDateTime(type, v);
    default:
      return formatText(type, v);
  }
}

/** jsonb as a plain JSON tree (top-level JSON_NULL -> null). */
export function unwrapJsonb(v: Jsonb): JsonValue {
  return v === JSON_NULL ? null : (v as JsonValue);
}

/** A plain JSON tree as jsonb (null -> JSON_NULL). */
export function wrapJsonb(v: JsonValue): Jsonb {
  return v === null ? JSON_NULL : (v as Jsonb);
}

/** Sets an own enumerable property, safe for keys like "__proto__". */
export function setKey(o: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
