/**
 * Group and join keys.
 *
 * A key value is first *normalised* to a JS primitive (`KeyPart`) that is equal (SameValueZero, as
 * Map uses) exactly when the SQL values are equal for grouping:
 *
 *   int2/int4/float/date/timestamp -> the number itself (Map already treats -0 = 0 and NaN = NaN)
 *   int8        -> number when within ±2^53, else the bigint (so 5n and int4 5 meet in joins)
 *   numeric     -> trailing zeros trimmed: a number when integral and safe, else "coef:scale";
 *                  1.5 and 1.50 both give "15:1"; NaN -> "NaN", ±Infinity -> "Inf" / "-Inf"
 *   text        -> the string; bpchar -> trailing spaces removed ('a ' = 'a')
 *   bool        -> the boolean
 *   interval    -> total microseconds with 30-day months (as interval_cmp: '1 mon' = '30 days')
 *   jsonb       -> canonical JSON text (object keys sorted)
 *   NULL        -> null (NULLs group together)
 *
 * A single-column key is used directly as a Map key (no string is built per event). Composite
 * keys are either held in nested maps (KeyIndex, runtime/dataflow/key-index.ts), which is what
 * the operators do on their per-event paths, or encoded as one compact string by `encodeKey`
 * (used for persisted state keys and other per-group, not per-event, paths).
 *
 *   encodeKey([5, 'ab', null]) === '5,2:ab,_'
 */
import { SqlArray } from '../sql/array.js';
import { SqlRecord } from '../sql/record.js';
import { equalityKey } from '../sql/compare.js';
import { Decimal } from '../sql/decimal.js';
import { Interval } from '../sql/interval.js';
import { TypeId } from '../sql/types.js';
import type { SqlType } from '../sql/types.js';
import { JSON_NULL } from '../sql/values.js';
import type { JsonValue, Row, Value } from '../sql/values.js';
import type { CompiledExpr } from './operator.js';

export type KeyPart = string | number | bigint | boolean | null;
export type KeyNormalizer = (v: Value) => KeyPart;
/** A key usable as a Map key: a KeyPart for one column, an encodeKey string for several. */
export type Key = KeyPart;

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

const identity: KeyNormalizer = (v) => v as KeyPart;

function normInt8(v: bigint): KeyPart {
  return v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
}

function normDecimal(d: Decimal): KeyPart {
  if (!d.isFinite()) return d.isNaN() ? 'NaN' : d.sign() > 0 ? 'Inf' : '-Inf';
  let c = d.coefficient;
  let s = d.scale;
  if (c === 0n) return 0;
  while (s > 0 && c % 10n === 0n) {
    c /= 10n;
    s--;
  }
  if (s === 0) return normInt8(c);
  return c.toString() + ':' + s;
}

function normInterval(i: Interval): KeyPart {
  const t = i.totalMicros();
  if (t >= -Number.MAX_SAFE_INTEGER && t <= Number.MAX_SAFE_INTEGER) return t;
  return normInt8(i.totalMicrosBig());
}

function trimTrailingSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Canonical JSON text of a jsonb value: object keys sorted, so equal jsonb values give equal text. */
export function canonicalJson(v: JsonValue | typeof JSON_NULL): string {
  if (v === JSON_NULL || v === null) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonicalJson(v[i]);
    return out + ']';
  }
  const keys = Object.keys(v).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += (i ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalJson(v[keys[i]]);
  return out + '}';
}

function normJsonb(v: Value): KeyPart {
  if (v === null) return null;
  return canonicalJson(v as JsonValue | typeof JSON_NULL);
}

/** Normalises a value of any type by its runtime representation (no type needed, see keyNormalizer). */
export function normalizeKeyValue(v: Value): KeyPart {
  switch (typeof v) {
    case 'number': case 'string': case 'boolean': return v;
    case 'bigint': return normInt8(v);
    case 'symbol': return 'j:null';
    case 'object':
      if (v === null) return null;
      if (v instanceof Decimal) return normDecimal(v);
      if (v instanceof Interval) return normInterval(v);
      if (v instanceof SqlArray) return 'a:' + String(equalityKey(TypeId.Array, v));
      if (v instanceof SqlRecord) return 'r:' + String(equalityKey(TypeId.Record, v));
      return 'j:' + canonicalJson(v);
  }
  return v as never;
}

/**
 * The normaliser for a column of `type`. Without a type the representation-driven
 * normalizeKeyValue is used, which is right for every type except bpchar (trailing spaces) and
 * jsonb scalars (a jsonb string "5" vs a jsonb number 5 are fine, but a jsonb string that looks like
 * a canonical object would collide with that object) — pass types where the planner knows them.
 */
export function keyNormalizer(type?: SqlType): KeyNormalizer {
  if (type === undefined) return normalizeKeyValue;
  switch (type.id) {
    case TypeId.Int2: case TypeId.Int4: case TypeId.Float4: case TypeId.Float8:
    case TypeId.Date: case TypeId.Time: case TypeId.Timestamp: case TypeId.Timestamptz:
    case TypeId.Bool: case TypeId.Text: case TypeId.Varchar:
      return identity;
    case TypeId.Int8: return (v) => (v === null ? null : normInt8(v as bigint));
    case TypeId.Numeric: return (v) => (v === null ? null : normDecimal(v as Decimal));
    case TypeId.Interval: return (v) => (v === null ? null : normInterval(v as Interval));
    case TypeId.Bpchar: return (v) => (v === null ? null : trimTrailingSpaces(v as string));
    case TypeId.Jsonb: return normJsonb;
    case TypeId.Unknown: case TypeId.Array: case TypeId.Record: return normalizeKeyValue;
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return identity;
  }
}

/** True when the normaliser is the identity (the caller may skip calling it). */
export function isIdentityNormalizer(n: KeyNormalizer): boolean {
  return n === identity;
}

/** Appends one part's encoding (see encodeKey). */
function encodePart(p: KeyPart): string {
  switch (typeof p) {
    case 'number': return String(p); // String(-0) === '0'; NaN -> 'NaN'
    case 'string': return p.length + ':' + p;
    case 'bigint': return p.toString() + 'n';
    case 'boolean': return p ? 't' : 'f';
    default: return '_';
  }
}

/**
 * Encodes normalised parts as one string, injectively: parts joined by ',', strings length-prefixed
 * (`3:abc`), bigints suffixed `n`, booleans `t`/`f`, NULL `_`.
 */
export function encodeKeyParts(parts: readonly KeyPart[]): string {
  const n = parts.length;
  if (n === 0) return '';
  let out = encodePart(parts[0]);
  for (let i = 1; i < n; i++) out += ',' + encodePart(parts[i]);
  return out;
}

/** encodeKeyParts of the normalised values (types optional, see keyNormalizer). */
export function encodeKey(values: readonly Value[], types?: readonly SqlType[]): string {
  const n = values.length;
  if (n === 0) return '';
  let out = encodePart(types ? keyNormalizer(types[0])(values[0]) : normalizeKeyValue(values[0]));
  for (let i = 1; i < n; i++) out += ',' + encodePart(types ? keyNormalizer(types[i])(values[i]) : normalizeKeyValue(values[i]));
  return out;
}

/** A Map key for the values: the normalised part itself for one value, an encoded string otherwise. */
export function keyOf(values: readonly Value[], types?: readonly SqlType[]): Key {
  if (values.length === 1) return types ? keyNormalizer(types[0])(values[0]) : normalizeKeyValue(values[0]);
  return encodeKey(values, types);
}

/** True if any value is NULL (SQL `=` never matches such a join key). */
export function hasNull(values: readonly Value[]): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === null) return true;
  return false;
}

/**
 * A specialised row -> key function. A single column of a type whose normaliser is the identity
 * returns the column value itself (int/float/text/bool: no allocation, NULL -> null); composite
 * keys are encoded with encodeKeyParts into one string (use KeyIndex on per-event paths instead
 * when that string would be built per event). May throw what the expressions throw.
 */
export function makeKeyFn(exprs: readonly CompiledExpr[], types?: readonly SqlType[]): (row: Row) => Key {
  const norms = exprs.map((_, i) => keyNormalizer(types?.[i]));
  if (exprs.length === 0) return () => '';
  if (exprs.length === 1) {
    const e = exprs[0];
    const n = norms[0];
    if (isIdentityNormalizer(n)) return (row) => e(row) as KeyPart;
    return (row) => n(e(row));
  }
  const parts: KeyPart[] = new Array(exprs.length);
  return (row) => {
    for (let i = 0; i < exprs.length; i++) parts[i] = norms[i](exprs[i](row));
    return encodeKeyParts(parts);
  };
}

/** A values -> key function (for DISTINCT aggregate arguments): one value -> its part, else a string. */
export function makeValuesKeyFn(types?: readonly SqlType[], arity = types?.length ?? 1): (values: readonly Value[]) => Key {
  const norms: KeyNormalizer[] = [];
  for (let i = 0; i < arity; i++) norms.push(keyNormalizer(types?.[i]));
  if (arity === 1) {
    const n = norms[0];
    return (values) => n(values[0]);
  }
  const parts: KeyPart[] = new Array(arity);
  return (values) => {
    for (let i = 0; i < arity; i++) parts[i] = norms[i](values[i]);
    return encodeKeyParts(parts);
  };
}
