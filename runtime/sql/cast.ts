/**
 * Casts between SQL types following PostgreSQL's pg_cast matrix and its three contexts
 * (implicit < assignment < explicit), plus type display names (format_type).
 *
 *   resolveCast(T.float8, T.int4, 'assignment')!(2.5)   -> 2     (rint: half to even)
 *   resolveCast(T.text, T.int4, 'implicit')             -> null  (text -> int is explicit only)
 *   resolveCast(T.text, sqlType('varchar', 3), 'explicit')!('abcdef') -> 'abc'
 */
import { SqlArray } from './array.js';
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { TypeId, type SqlType } from './types.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Value } from './values.js';
import { Decimal, numericTypmodPrecision, numericTypmodScale } from './decimal.js';
import { rint, type Interval } from './interval.js';
import { dateToTimestamp, timestampToDate } from './datetime.js';
import { intervalToTime, roundTimePrecision, timestampToTime, timeToInterval } from './time.js';
import {
  charPrefix,
  enforceCharLength,
  formatJsonb,
  formatText,
  jsonNumberText,
  padBpchar,
  parseText,
  roundTimestampPrecision,
} from './text-io.js';
import { rtrimSpaces } from './compare.js';

export type CastContext = 'implicit' | 'assignment' | 'explicit';
export type CastFn = (v: Value) => Value;

// ------------------------------------------------------------------------------ type names

/** PostgreSQL's format_type for error messages: 'integer', 'numeric(10,2)', 'character varying(20)'. */
export function typeDisplayName(type: SqlType): string {
  const m = type.typmod;
  switch (type.id) {
    case TypeId.Bool: return 'boolean';
    case TypeId.Int2: return 'smallint';
    case TypeId.Int4: return 'integer';
    case TypeId.Int8: return 'bigint';
    case TypeId.Float4: return 'real';
    case TypeId.Float8: return 'double precision';
    case TypeId.Numeric:
      return m >= 0 ? `numeric(${numericTypmodPrecision(m)},${numericTypmodScale(m)})` : 'numeric';
    case TypeId.Text: return 'text';
    case TypeId.Varchar: return m >= 0 ? `character varying(${m})` : 'character varying';
    case TypeId.Bpchar: return m >= 0 ? `character(${m})` : 'character';
    case TypeId.Date: return 'date';
    case TypeId.Time: return m >= 0 ? `time(${m}) without time zone` : 'time without time zone';
    case TypeId.Timestamp: return m >= 0 ? `timestamp(${m}) without time zone` : 'timestamp without time zone';
    case TypeId.Timestamptz: return m >= 0 ? `timestamp(${m}) with time zone` : 'timestamp with time zone';
    case TypeId.Interval: return m >= 0 && m <= 6 ? `interval(${m})` : 'interval';
    case TypeId.Jsonb: return 'jsonb';
    case TypeId.Unknown: return 'unknown';
    case TypeId.Oid: return 'oid';
    case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole: return type.id;
    case TypeId.Array: return type.elem ? typeDisplayName(type.elem) + '[]' : 'anyarray';
    case TypeId.Record: return 'record';
  }
}

// ------------------------------------------------------------------------------ errors

function outOfRange(what: 'smallint' | 'integer' | 'bigint'): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, `${what} out of range`);
}

export const int2OutOfRange = (): SqlError => outOfRange('smallint');
export const int4OutOfRange = (): SqlError => outOfRange('integer');
export const int8OutOfRange = (): SqlError => outOfRange('bigint');

export function floatOverflow(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
}

export function floatUnderflow(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
}

// ------------------------------------------------------------------------------ scalar conversions

/** float -> int4 with rint (half to even); NaN or out of range -> 22003. */
export function floatToInt4(v: number): number {
  const r = rint(v);
  if (!(r >= -2147483648 && r <= 2147483647)) throw int4OutOfRange();
  return r === 0 ? 0 : r;
}

export function floatToInt2(v: number): number {
  const r = rint(v);
  if (!(r >= -32768 && r <= 32767)) throw int2OutOfRange();
  return r === 0 ? 0 : r;
}

export function floatToInt8(v: number): bigint {
  const r = rint(v);
  // float8 range check as PostgreSQL's FLOAT8_FITS_IN_INT64: [-2^63, 2^63)
  if (!(r >= -9223372036854775808 && r < 9223372036854775808)) throw int8OutOfRange();
  return BigInt(r);
}

export function int8ToInt4(v: bigint): number {
  if (v < -2147483648n || v > 2147483647n) throw int4OutOfRange();
  return Number(v);
}

export function int8ToInt2(v: bigint): number {
  if (v < -32768n || v > 32767n) throw int2OutOfRange();
  return Number(v);
}

export function int4ToInt2(v: number): number {
  if (v < -32768 || v > 32767) throw int2OutOfRange();
  return v;
}

/** float8 -> float4 with PostgreSQL's overflow/underflow checks. */
export function float8ToFloat4(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) && Number.isFinite(v)) throw floatOverflow();
  if (f === 0 && v !== 0) throw floatUnderflow();
  return f;
}

/** float8 -> numeric (15 significant digits, as PostgreSQL). */
export function float8ToNumeric(v: number): Decimal {
  return Decimal.fromNumber(v, 15);
}

/** float4 -> numeric (6 significant digits, as PostgreSQL). */
export function float4ToNumeric(v: number): Decimal {
  return Decimal.fromNumber(v, 6);
}

// ------------------------------------------------------------------------------ jsonb

function jsonKindName(v: Jsonb): string {
  if (v === JSON_NULL) return 'null';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'numeric';
    case 'boolean': return 'boolean';
  }
  return Array.isArray(v) ? 'array' : 'object';
}

function cannotCastJsonb(v: Jsonb, target: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `cannot cast jsonb ${jsonKindName(v)} to type ${target}`);
}

function jsonbNumber(v: Value, target: string): number {
  if (typeof v !== 'number') throw cannotCastJsonb(v as Jsonb, target);
  return v;
}

function jsonbToNumeric(v: Value, target: string): Decimal {
  return Decimal.fromString(jsonNumberText(jsonbNumber(v, target)));
}

// ------------------------------------------------------------------------------ the matrix

type Ctx = 0 | 1 | 2; // implicit, assignment, explicit
const CTX: Record<CastContext, Ctx> = { implicit: 0, assignment: 1, explicit: 2 };

interface CastEntry {
  ctx: Ctx;
  fn: CastFn;
}

const I: Ctx = 0;
const A: Ctx = 1;
const E: Ctx = 2;

const id: CastFn = (v) => v;
const toBig: CastFn = (v) => BigInt(v as number);
const toDec: CastFn = (v) => Decimal.fromInt(v as number);

/** Casts between different type ids (pg_cast), excluding I/O conversions. */
const MATRIX: Partial<Record<TypeId, Partial<Record<TypeId, CastEntry>>>> = {
  [TypeId.Int2]: {
    [TypeId.Int4]: { ctx: I, fn: id },
    [TypeId.Int8]: { ctx: I, fn: toBig },
    [TypeId.Float4]: { ctx: I, fn: id },
    [TypeId.Float8]: { ctx: I, fn: id },
    [TypeId.Numeric]: { ctx: I, fn: toDec },
  },
  [TypeId.Int4]: {
    [TypeId.Int2]: { ctx: A, fn: (v) => int4ToInt2(v as number) },
    [TypeId.Int8]: { ctx: I, fn: toBig },
    [TypeId.Float4]: { ctx: I, fn: (v) => Math.fround(v as number) },
    [TypeId.Float8]: { ctx: I, fn: id },
    [TypeId.Numeric]: { ctx: I, fn: toDec },
    [TypeId.Bool]: { ctx: E, fn: (v) => v !== 0 },
  },
  [TypeId.Int8]: {
    [TypeId.Int2]: { ctx: A, fn: (v) => int8ToInt2(v as bigint) },
    [TypeId.Int4]: { ctx: A, fn: (v) => int8ToInt4(v as bigint) },
    [TypeId.Float4]: { ctx: I, fn: (v) => Math.fround(Number(v as bigint)) },
    [TypeId.Float8]: { ctx: I, fn: (v) => Number(v as bigint) },
    [TypeId.Numeric]: { ctx: I, fn: (v) => Decimal.fromBigInt(v as bigint) },
  },
  [TypeId.Float4]: {
    [TypeId.Int2]: { ctx: A, fn: (v) => floatToInt2(v as number) },
    [TypeId.Int4]: { ctx: A, fn: (v) => floatToInt4(v as number) },
    [TypeId.Int8]: { ctx: A, fn: (v) => floatToInt8(v as number) },
    [TypeId.Float8]: { ctx: I, fn: id },
    [TypeId.Numeric]: { ctx: A, fn: (v) => float4ToNumeric(v as number) },
  },
  [TypeId.Float8]: {
    [TypeId.Int2]: { ctx: A, fn: (v) => floatToInt2(v as number) },
    [TypeId.Int4]: { ctx: A, fn: (v) => floatToInt4(v as number) },
    [TypeId.Int8]: { ctx: A, fn: (v) => floatToInt8(v as number) },
    [TypeId.Float4]: { ctx: A, fn: (v) => float8ToFloat4(v as number) },
    [TypeId.Numeric]: { ctx: A, fn: (v) => float8ToNumeric(v as number) },
  },
  [TypeId.Numeric]: {
    [TypeId.Int2]: { ctx: A, fn: (v) => (v as Decimal).toInt2() },
    [TypeId.Int4]: { ctx: A, fn: (v) => (v as Decimal).toInt4() },
    [TypeId.Int8]: { ctx: A, fn: (v) => (v as Decimal).toBigInt() },
    [TypeId.Float4]: { ctx: I, fn: (v) => (v as Decimal).toFloat4() },
    [TypeId.Float8]: { ctx: I, fn: (v) => (v as Decimal).toNumber() },
  },
  [TypeId.Bool]: {
    [TypeId.Int4]: { ctx: E, fn: (v) => (v ? 1 : 0) },
    [TypeId.Text]: { ctx: A, fn: (v) => (v ? 'true' : 'false') },
    [TypeId.Varchar]: { ctx: A, fn: (v) => (v ? 'true' : 'false') },
    [TypeId.Bpchar]: { ctx: A, fn: (v) => (v ? 'true' : 'false') },
  },
  [TypeId.Text]: {
    [TypeId.Varchar]: { ctx: I, fn: id },
    [TypeId.Bpchar]: { ctx: I, fn: id },
  },
  [TypeId.Varchar]: {
    [TypeId.Text]: { ctx: I, fn: id },
    [TypeId.Bpchar]: { ctx: I, fn: id },
  },
  [TypeId.Bpchar]: {
    [TypeId.Text]: { ctx: I, fn: (v) => rtrimSpaces(v as string) },
    [TypeId.Varchar]: { ctx: I, fn: (v) => rtrimSpaces(v as string) },
  },
  [TypeId.Date]: {
    [TypeId.Timestamp]: { ctx: I, fn: (v) => dateToTimestamp(v as number) },
    [TypeId.Timestamptz]: { ctx: I, fn: (v) => dateToTimestamp(v as number) },
  },
  [TypeId.Timestamp]: {
    [TypeId.Date]: { ctx: A, fn: (v) => timestampToDate(v as number) },
    [TypeId.Timestamptz]: { ctx: I, fn: id },
    [TypeId.Time]: { ctx: A, fn: (v) => timestampToTime(v as number) },
  },
  [TypeId.Timestamptz]: {
    [TypeId.Date]: { ctx: A, fn: (v) => timestampToDate(v as number) },
    [TypeId.Timestamp]: { ctx: A, fn: id },
    [TypeId.Time]: { ctx: A, fn: (v) => timestampToTime(v as number) },
  },
  [TypeId.Time]: {
    [TypeId.Interval]: { ctx: I, fn: (v) => timeToInterval(v as number) },
  },
  [TypeId.Interval]: {
    [TypeId.Time]: { ctx: A, fn: (v) => intervalToTime(v as Interval) },
  },
  [TypeId.Jsonb]: {
    [TypeId.Bool]: {
      ctx: E,
      fn: (v) => {
        if (typeof v !== 'boolean') throw cannotCastJsonb(v as Jsonb, 'boolean');
        return v;
      },
    },
    [TypeId.Numeric]: { ctx: E, fn: (v) => jsonbToNumeric(v, 'numeric') },
    [TypeId.Int2]: { ctx: E, fn: (v) => jsonbToNumeric(v, 'smallint').toInt2() },
    [TypeId.Int4]: { ctx: E, fn: (v) => jsonbToNumeric(v, 'integer').toInt4() },
    [TypeId.Int8]: { ctx: E, fn: (v) => jsonbToNumeric(v, 'bigint').toBigInt() },
    [TypeId.Float4]: { ctx: E, fn: (v) => jsonbToNumeric(v, 'real').toFloat4() },
    [TypeId.Float8]: { ctx: E, fn: (v) => jsonbNumber(v, 'double precision') },
  },
};

const REG_TYPES: readonly TypeId[] = [TypeId.Regclass, TypeId.Regtype, TypeId.Regproc, TypeId.Regnamespace, TypeId.Regrole];

function oidFromInt4(v: Value): number {
  const n = v as number;
  return n < 0 ? n + 4294967296 : n;
}

function oidFromInt8(v: Value): number {
  const n = v as bigint;
  if (n < -2147483648n || n > 4294967295n) throw new SqlError(SqlState.NumericValueOutOfRange, 'OID out of range');
  return Number(n < 0n ? n + 4294967296n : n);
}

// oid and the reg* aliases (pg_cast): integers convert implicitly to oid, oid <-> reg* are binary coercible.
for (const t of [TypeId.Oid, ...REG_TYPES]) {
  MATRIX[TypeId.Int2] = { ...MATRIX[TypeId.Int2], [t]: { ctx: I, fn: oidFromInt4 } };
  MATRIX[TypeId.Int4] = { ...MATRIX[TypeId.Int4], [t]: { ctx: I, fn: oidFromInt4 } };
  MATRIX[TypeId.Int8] = { ...MATRIX[TypeId.Int8], [t]: { ctx: I, fn: oidFromInt8 } };
  MATRIX[t] = {
    ...MATRIX[t],
    [TypeId.Int8]: { ctx: t === TypeId.Oid ? I : A, fn: toBig },
    [TypeId.Int4]: { ctx: A, fn: (v) => ((v as number) > 2147483647 ? (v as number) - 4294967296 : v) },
  };
}
for (const r of REG_TYPES) {
  MATRIX[TypeId.Oid] = { ...MATRIX[TypeId.Oid], [r]: { ctx: I, fn: id } };
  MATRIX[r] = { ...MATRIX[r], [TypeId.Oid]: { ctx: I, fn: id } };
}

function isStringType(id: TypeId): boolean {
  return id === TypeId.Text || id === TypeId.Varchar || id === TypeId.Bpchar;
}

/** The base cast between type ids (typmods ignored), or undefined when PostgreSQL has none. */
function baseCast(from: SqlType, toType: SqlType): CastEntry | undefined {
  const to = toType.id;
  if (to === TypeId.Array || from.id === TypeId.Array) return arrayCast(from, toType);
  if (from.id === to) return { ctx: I, fn: id };
  const e = MATRIX[from.id]?.[to];
  if (e !== undefined) return e;
  if (from.id === TypeId.Unknown) {
    const target: SqlType = { id: to, typmod: -1 };
    return { ctx: I, fn: (v) => parseText(target, v as string) };
  }
  if (to === TypeId.Unknown) return undefined;
  // Automatic I/O conversion casts: to a string type in assignment context, from one explicitly.
  if (isStringType(to)) {
    if (from.id === TypeId.Jsonb) return { ctx: A, fn: (v) => formatJsonb(v as Jsonb) };
    const src = from;
    return { ctx: A, fn: (v) => formatText(src, v) };
  }
  if (isStringType(from.id)) {
    const target: SqlType = { id: to, typmod: -1 };
    if (from.id === TypeId.Bpchar) return { ctx: E, fn: (v) => parseText(target, rtrimSpaces(v as string)) };
    return { ctx: E, fn: (v) => parseText(target, v as string) };
  }
  return undefined;
}

/** Casts to and from arrays: element-wise between arrays, I/O conversion with strings. */
function arrayCast(from: SqlType, to: SqlType): CastEntry | undefined {
  if (from.id === TypeId.Array && to.id === TypeId.Array) {
    if (to.elem === undefined) return { ctx: I, fn: id };
    const f = resolveCast(from.elem!, to.elem, 'explicit');
    if (f === null) return undefined;
    const inner = resolveCast(from.elem!, to.elem, 'implicit') !== null ? I : resolveCast(from.elem!, to.elem, 'assignment') !== null ? A : E;
    return { ctx: inner, fn: (v) => new SqlArray((v as SqlArray).items.map((x) => (x === null ? null : f(x))), (v as SqlArray).lower) };
  }
  if (from.id === TypeId.Unknown && to.elem) return { ctx: I, fn: (v) => parseText(to, v as string) };
  if (from.id === TypeId.Array && isStringType(to.id)) return { ctx: A, fn: (v) => formatText(from, v) };
  if (isStringType(from.id) && to.elem) return { ctx: E, fn: (v) => parseText(to, v as string) };
  return undefined;
}

/** The length/precision coercion for a target typmod (PostgreSQL's typmod coercion functions). */
function typmodCoercion(to: SqlType, context: CastContext): CastFn | null {
  const m = to.typmod;
  if (m < 0) return null;
  switch (to.id) {
    case TypeId.Varchar:
      if (context === 'explicit') return (v) => charPrefix(v as string, m);
      return (v) => enforceCharLength(v as string, m, 'character varying');
    case TypeId.Bpchar:
      if (context === 'explicit') return (v) => padBpchar(charPrefix(v as string, m), m);
      return (v) => padBpchar(enforceCharLength(v as string, m, 'character'), m);
    case TypeId.Numeric: {
      const p = numericTypmodPrecision(m);
      const s = numericTypmodScale(m);
      return (v) => (v as Decimal).applyTypmod(p, s);
    }
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return m >= 6 ? null : (v) => roundTimestampPrecision(v as number, m);
    case TypeId.Time:
      return m >= 6 ? null : (v) => roundTimePrecision(v as number, m);
    default:
      return null; // interval typmods are ignored
  }
}

/**
 * The cast from `from` to `to` allowed in `context`, or null when PostgreSQL has no such cast
 * there (the caller raises 42846 "cannot cast type X to Y"). The function takes non-null values.
 */
export function resolveCast(from: SqlType, to: SqlType, context: CastContext): CastFn | null {
  const base = baseCast(from, to);
  if (base === undefined || base.ctx > CTX[context]) return null;
  // Same type and same (or no) target typmod: nothing to do.
  if (from.id === to.id && (to.typmod < 0 || to.typmod === from.typmod)) {
    return base.fn;
  }
  const tm = typmodCoercion(to, context);
  if (tm === null) return base.fn;
  const f = base.fn;
  if (f === id) return tm;
  return (v) => tm(f(v));
}

/** True when PostgreSQL would apply the cast implicitly (e.g. int4 -> numeric, unknown -> any). */
export function canCoerceImplicitly(from: SqlType | TypeId, to: SqlType | TypeId): boolean {
  const f = typeof from === 'string' ? from : from.id;
  const t = typeof to === 'string' ? to : to.id;
  if (f === t) return true;
  if (f === TypeId.Unknown) return true;
  const e = MATRIX[f]?.[t];
  return e !== undefined && e.ctx === I;
}

/** The context a cast between the two type ids needs, or null if there is none. */
export function castContextOf(from: TypeId, to: TypeId): CastContext | null {
  const e = baseCast({ id: from, typmod: -1 }, { id: to, typmod: -1 });
  if (e === undefined) return null;
  return e.ctx === I ? 'implicit' : e.ctx === A ? 'assignment' : 'explicit';
}

/** Throws 42846 "cannot cast type X to Y". */
export function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SqlState.CannotCoerce, `cannot cast type ${typeDisplayName(from)} to ${typeDisplayName(to)}`);
}

/** Convenience: cast a (possibly null) value, throwing 42846 when no cast exists. */
export function castValue(v: Value, from: SqlType, to: SqlType, context: CastContext = 'explicit'): Value {
  if (v === null) return null;
  const f = resolveCast(from, to, context);
  if (f === null) throw cannotCast(from, to);
  return f(v);
}

export type { JsonValue };
