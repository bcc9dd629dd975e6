/**
 * Ordering and equality of non-null SQL values of one type, as PostgreSQL's btree opclasses
 * (with the "C" collation for strings).
 *
 *   compareValues('float8', NaN, Infinity)  ->  1   (NaN sorts above everything)
 *   compareValues('bpchar', 'a  ', 'a')     ->  0   (trailing spaces do not count)
 *   compareValues('jsonb', [], JSON_NULL)   -> -1   (PostgreSQL's empty-array quirk)
 */
import { TypeId } from './types.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Value } from './values.js';
import { Decimal } from './decimal.js';
import { Interval } from './interval.js';
import { SqlArray, compareArrays } from './array.js';
import type { SqlRecord } from './record.js';
import { compareCodePoints, compareJsonbKeys, formatJsonb } from './text-io.js';

/** float8 ordering: NaN equals NaN and is greater than everything; -0 equals 0. */
export function compareFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = a !== a;
  const bn = b !== b;
  return an ? (bn ? 0 : 1) : -1;
}

/** Text ordering under the "C" collation: by code point. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return compareCodePoints(a, b) < 0 ? -1 : 1;
}

/** Removes trailing spaces (bpchar semantics). */
export function rtrimSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

export function compareBpchar(a: string, b: string): number {
  return compareText(rtrimSpaces(a), rtrimSpaces(b));
}

// ------------------------------------------------------------------------------------ jsonb

/** PostgreSQL's jbvType order for values of different kinds. */
function jsonKindRank(v: JsonValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'string': return 1;
    case 'number': return 2;
    case 'boolean': return 3;
  }
  return Array.isArray(v) ? 4 : 5;
}

function compareJsonScalar(a: JsonValue, b: JsonValue): number {
  const ra = jsonKindRank(a);
  const rb = jsonKindRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return 0;
    case 1: return compareText(a as string, b as string);
    case 2: return compareFloat(a as number, b as number);
    case 3: return a === b ? 0 : a ? 1 : -1;
  }
  return 0;
}

function compareJsonContainers(a: JsonValue, b: JsonValue): number {
  const aArr = Array.isArray(a);
  const bArr = Array.isArray(b);
  const aObj = !aArr && a !== null && typeof a === 'object';
  const bObj = !bArr && b !== null && typeof b === 'object';
  if (!aArr && !aObj && !bArr && !bObj) return compareJsonScalar(a, b);
  if (aArr && bArr) {
    const x = a as JsonValue[];
    const y = b as JsonValue[];
    if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    for (let i = 0; i < x.length; i++) {
      const c = compareJsonContainers(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (aObj && bObj) {
    const x = a as { [k: string]: JsonValue };
    const y = b as { [k: string]: JsonValue };
    const kx = Object.keys(x).sort(compareJsonbKeys);
    const ky = Object.keys(y).sort(compareJsonbKeys);
    if (kx.length !== ky.length) return kx.length > ky.length ? 1 : -1;
    for (let i = 0; i < kx.length; i++) {
      const ck = compareText(kx[i], ky[i]);
      if (ck !== 0) return ck;
      const cv = compareJsonContainers(x[kx[i]], y[ky[i]]);
      if (cv !== 0) return cv;
    }
    return 0;
  }
  return jsonKindRank(a) < jsonKindRank(b) ? -1 : 1;
}

/**
 * jsonb btree ordering: Object > Array > Boolean > Number > String > Null, containers by size
 * first; a top-level scalar compares like a one-element array, so [] sorts below any scalar.
 */
export function compareJsonb(a: Jsonb, b: Jsonb): number {
  const x: JsonValue = a === JSON_NULL ? null : (a as JsonValue);
  const y: JsonValue = b === JSON_NULL ? null : (b as JsonValue);
  const xScalar = x === null || typeof x !== 'object';
  const yScalar = y === null || typeof y !== 'object';
  if (xScalar && yScalar) return compareJsonScalar(x, y);
  if (xScalar !== yScalar) {
    // raw scalar (pseudo-array of one element) vs a container
    const container = xScalar ? y : x;
    let r: number;
    if (Array.isArray(container)) {
      // rawScalar sorts first, unless the array is empty (element count decides)
      r = container.length === 0 ? 1 : -1;
      if (container.length === 1) r = -1;
    } else {
      r = -1; // array-ish scalar vs object: arrays sort below objects
    }
    return xScalar ? r : -r;
  }
  return compareJsonContainers(x, y);
}

// ------------------------------------------------------------------------------------ entry

/** Orders two non-null values of the same type: negative, zero or positive. */
export function compareValues(type: TypeId, a: Value, b: Value): number {
  switch (type) {
    case TypeId.Int2:
    case TypeId.Int4:
    case TypeId.Date:
    case TypeId.Time:
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case TypeId.Int8:
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case TypeId.Float4:
    case TypeId.Float8:
      return compareFloat(a as number, b as number);
    case TypeId.Numeric:
      return (a as Decimal).cmp(b as Decimal);
    case TypeId.Bool:
      return a === b ? 0 : a ? 1 : -1;
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Unknown:
      return compareText(a as string, b as string);
    case TypeId.Bpchar:
      return compareBpchar(a as string, b as string);
    case TypeId.Interval:
      return (a as Interval).cmp(b as Interval);
    case TypeId.Jsonb:
      return compareJsonb(a as Jsonb, b as Jsonb);
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case TypeId.Array:
      return compareArrays(a as SqlArray, b as SqlArray, compareDynamic);
    case TypeId.Record:
      return compareArrays(new SqlArray((a as SqlRecord).values), new SqlArray((b as SqlRecord).values), compareDynamic);
  }
}

/**
 * Orders two non-null values by their runtime representation: used for array elements, whose
 * static type the TypeId-keyed comparators do not carry.
 */
function compareDynamic(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return compareFloat(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Decimal && b instanceof Decimal) return a.cmp(b);
  if (a instanceof Interval && b instanceof Interval) return a.cmp(b);
  if (a instanceof SqlArray && b instanceof SqlArray) return compareArrays(a, b, compareDynamic);
  return compareJsonb(a as Jsonb, b as Jsonb);
}

/** Equality of two non-null values of the same type (PostgreSQL '=' semantics). */
export function valuesEqual(type: TypeId, a: Value, b: Value): boolean {
  switch (type) {
    case TypeId.Int2:
    case TypeId.Int4:
    case TypeId.Int8:
    case TypeId.Date:
    case TypeId.Time:
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
    case TypeId.Bool:
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Unknown:
      return a === b;
    case TypeId.Float4:
    case TypeId.Float8:
      return a === b || (a !== a && b !== b);
    default:
      return compareValues(type, a, b) === 0;
  }
}

/** The comparator for a type, for sorts and indexes. */
export function comparatorFor(type: TypeId): (a: Value, b: Value) => number {
  switch (type) {
    case TypeId.Int2:
    case TypeId.Int4:
    case TypeId.Date:
    case TypeId.Time:
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
    case TypeId.Int8:
      return (a, b) => ((a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0);
    case TypeId.Float4:
    case TypeId.Float8:
      return (a, b) => compareFloat(a as number, b as number);
    case TypeId.Numeric:
      return (a, b) => (a as Decimal).cmp(b as Decimal);
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Unknown:
      return (a, b) => compareText(a as string, b as string);
    default:
      return (a, b) => compareValues(type, a, b);
  }
}

/**
 * A primitive key such that valuesEqual(type, a, b) <=> equalityKey(type, a) === equalityKey(type, b)
 * (usable as a Map key, e.g. for GROUP BY / DISTINCT / hash joins): numeric 1.0 and 1.00 share a
 * key, as do interval '1 mon' and '30 days', bpchar 'a ' and 'a', float 0 and -0 (Map's
 * SameValueZero also makes NaN equal to NaN).
 */
export function equalityKey(type: TypeId, v: Value): string | number | bigint | boolean {
  switch (type) {
    case TypeId.Numeric:
      return (v as Decimal).trimScale().toString();
    case TypeId.Interval:
      return (v as Interval).totalMicrosBig();
    case TypeId.Bpchar:
      return rtrimSpaces(v as string);
    case TypeId.Jsonb:
      return formatJsonb(v as Jsonb);
    case TypeId.Float4:
    case TypeId.Float8:
      return (v as number) === 0 ? 0 : (v as number);
    case TypeId.Array:
      return arrayKey(v as SqlArray);
    case TypeId.Record:
      return arrayKey(new SqlArray((v as SqlRecord).values));
    default:
      return v as string | number | bigint | boolean;
  }
}

function arrayKey(a: SqlArray): string {
  const parts = a.items.map((x) => (x === null ? 'N' : x instanceof SqlArray ? arrayKey(x) : x instanceof Decimal ? 'd' + x.trimScale().toString() : typeof x + ':' + String(x)));
  return `${a.lower}[${parts.join('\u0000')}]`;
}
