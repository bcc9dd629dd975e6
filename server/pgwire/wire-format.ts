/**
 * Wire representation of SQL values (Materialize's pgrepr): type OIDs and RowDescription metadata
 * per SqlType, and the text and binary encodings of values.
 *
 * Text format is PostgreSQL's type input/output functions (runtime/sql/text-io.ts). Binary format
 * is PostgreSQL's send/recv functions:
 *
 *   int4 42                -> 00 00 00 2a
 *   numeric 12.50          -> ndigits=2 weight=0 sign=0000 dscale=2 | 000c 1388   (12, 5000)
 *   timestamp 2000-01-01   -> int64 0 (microseconds since the PostgreSQL epoch 2000-01-01)
 *   jsonb {"a": 1}         -> 01 | '{"a": 1}'
 */
import { Decimal } from '../../runtime/sql/decimal.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { Interval } from '../../runtime/sql/interval.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { formatText, parseText } from '../../runtime/sql/text-io.js';
import { T, TypeId, arrayOf, type SqlType } from '../../runtime/sql/types.js';
import { SqlArray } from '../../runtime/sql/array.js';
import type { Value } from '../../runtime/sql/values.js';
import type { ColumnDesc } from '../session/session-api.js';
import type { FieldDescription } from './backend.js';
import { ByteWriter } from './byte-writer.js';

/** PostgreSQL type OIDs (pg_type.oid) of the types Eddy has. */
export const Oid = {
  Bool: 16,
  Int8: 20,
  Int2: 21,
  Int4: 23,
  Text: 25,
  Float4: 700,
  Float8: 701,
  Unknown: 705,
  Bpchar: 1042,
  Varchar: 1043,
  Date: 1082,
  Time: 1083,
  Timestamp: 1114,
  Timestamptz: 1184,
  Interval: 1186,
  Numeric: 1700,
  Oid: 26,
  Regproc: 24,
  Regclass: 2205,
  Regtype: 2206,
  Regnamespace: 4089,
  Regrole: 4096,
  Jsonb: 3802,
} as const;
export type Oid = (typeof Oid)[keyof typeof Oid];

/** Format codes of Bind / RowDescription. */
export const Format = { Text: 0, Binary: 1 } as const;
export type Format = (typeof Format)[keyof typeof Format];

const OID_BY_TYPE: Record<TypeId, Oid> = {
  [TypeId.Bool]: Oid.Bool,
  [TypeId.Int2]: Oid.Int2,
  [TypeId.Int4]: Oid.Int4,
  [TypeId.Int8]: Oid.Int8,
  [TypeId.Float4]: Oid.Float4,
  [TypeId.Float8]: Oid.Float8,
  [TypeId.Numeric]: Oid.Numeric,
  [TypeId.Text]: Oid.Text,
  [TypeId.Varchar]: Oid.Varchar,
  [TypeId.Bpchar]: Oid.Bpchar,
  [TypeId.Date]: Oid.Date,
  [TypeId.Time]: Oid.Time,
  [TypeId.Timestamp]: Oid.Timestamp,
  [TypeId.Timestamptz]: Oid.Timestamptz,
  [TypeId.Interval]: Oid.Interval,
  [TypeId.Jsonb]: Oid.Jsonb,
  [TypeId.Unknown]: Oid.Unknown,
  [TypeId.Oid]: Oid.Oid,
  [TypeId.Regclass]: Oid.Regclass,
  [TypeId.Regtype]: Oid.Regtype,
  [TypeId.Regproc]: Oid.Regproc,
  [TypeId.Regnamespace]: Oid.Regnamespace,
  [TypeId.Regrole]: Oid.Regrole,
  [TypeId.Array]: 0 as Oid,
  [TypeId.Record]: 2249 as Oid,
};

/** Element type OID -> array type OID (pg_type.typarray). */
export const ARRAY_OID_BY_ELEM: ReadonlyMap<number, number> = new Map([
  [Oid.Bool, 1000], [Oid.Int2, 1005], [Oid.Int4, 1007], [Oid.Int8, 1016], [Oid.Float4, 1021], [Oid.Float8, 1022],
  [Oid.Numeric, 1231], [Oid.Text, 1009], [Oid.Varchar, 1015], [Oid.Bpchar, 1014], [Oid.Date, 1182], [Oid.Time, 1183],
  [Oid.Timestamp, 1115], [Oid.Timestamptz, 1185], [Oid.Interval, 1187], [Oid.Jsonb, 3807], [Oid.Oid, 1028],
  [Oid.Regproc, 1008], [Oid.Regclass, 2210], [Oid.Regtype, 2211], [Oid.Regnamespace, 4090], [Oid.Regrole, 4097],
]);

/** pg_type.typlen: fixed sizes, -1 for varlena, -2 for C strings (unknown). */
const TYPLEN: Record<TypeId, number> = {
  [TypeId.Bool]: 1,
  [TypeId.Int2]: 2,
  [TypeId.Int4]: 4,
  [TypeId.Int8]: 8,
  [TypeId.Float4]: 4,
  [TypeId.Float8]: 8,
  [TypeId.Numeric]: -1,
  [TypeId.Text]: -1,
  [TypeId.Varchar]: -1,
  [TypeId.Bpchar]: -1,
  [TypeId.Date]: 4,
  [TypeId.Time]: 8,
  [TypeId.Timestamp]: 8,
  [TypeId.Timestamptz]: 8,
  [TypeId.Interval]: 16,
  [TypeId.Jsonb]: -1,
  [TypeId.Unknown]: -2,
  [TypeId.Oid]: 4,
  [TypeId.Regclass]: 4,
  [TypeId.Regtype]: 4,
  [TypeId.Regproc]: 4,
  [TypeId.Regnamespace]: 4,
  [TypeId.Regrole]: 4,
  [TypeId.Array]: -1,
  [TypeId.Record]: -1,
};

const TYPE_BY_OID: ReadonlyMap<number, SqlType> = (() => {
  const m = new Map<number, SqlType>();
  for (const id of Object.keys(OID_BY_TYPE) as TypeId[]) if (id !== TypeId.Array && id !== TypeId.Record) m.set(OID_BY_TYPE[id], T[id as keyof typeof T]);
  for (const [elemOid, arrOid] of ARRAY_OID_BY_ELEM) m.set(arrOid, arrayOf(m.get(elemOid)!));
  return m;
})();

/** The type's OID (unknown stays 705). */
export function typeOid(t: SqlType): number {
  if (t.id === TypeId.Array) return ARRAY_OID_BY_ELEM.get(typeOid(t.elem!)) ?? Oid.Text;
  return OID_BY_TYPE[t.id];
}

/** The SqlType of a type OID, or undefined when Eddy has no such type. */
export function typeOfOid(oid: number): SqlType | undefined {
  return TYPE_BY_OID.get(oid);
}

/**
 * The OID a client is told about in RowDescription / ParameterDescription. An unresolved literal
 * is reported as text, as PostgreSQL does for `SELECT 'abc'`.
 */
export function wireTypeOid(t: SqlType): number {
  return t.id === TypeId.Unknown ? Oid.Text : typeOid(t);
}

export function typlen(t: SqlType): number {
  return t.id === TypeId.Unknown ? TYPLEN[TypeId.Text] : TYPLEN[t.id];
}

/**
 * atttypmod as sent on the wire: varchar(n)/bpchar(n) -> n + 4 (VARHDRSZ), numeric(p,s) ->
 * ((p << 16) | s) + 4, timestamp(p)/timestamptz(p) -> p, everything else -1.
 */
export function wireTypmod(t: SqlType): number {
  if (t.typmod < 0) return -1;
  switch (t.id) {
    case TypeId.Varchar:
    case TypeId.Bpchar:
    case TypeId.Numeric:
      return t.typmod + 4;
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
      return t.typmod;
    default:
      return -1;
  }
}

/**
 * The SqlType for a parameter type OID given in Parse. 0 means "infer" (null); an OID Eddy has
 * no type for throws 0A000.
 */
export function oidToType(oid: number): SqlType | null {
  if (oid === 0) return null;
  const t = TYPE_BY_OID.get(oid);
  if (t === undefined) {
    throw new SqlError(SqlState.FeatureNotSupported, `parameter type with OID ${oid} is not supported`);
  }
  return t;
}

export function fieldDescription(col: ColumnDesc, format: Format): FieldDescription {
  return {
    name: col.name,
    tableOid: col.tableOid ?? 0,
    columnAttr: col.columnAttr ?? 0,
    typeOid: wireTypeOid(col.type),
    typlen: typlen(col.type),
    typmod: wireTypmod(col.type),
    format,
  };
}

// ------------------------------------------------------------------------------- text format

/** The type's output function. `value` must not be null. */
export function encodeText(t: SqlType, value: Value): string {
  return formatText(t, value);
}

/** The type's input function (errors such as 22P02 are thrown as SqlError). */
export function decodeText(t: SqlType, text: string): Value {
  return parseText(t, text);
}

// ----------------------------------------------------------------------------- binary format

/** Microseconds between 1970-01-01 and the PostgreSQL epoch 2000-01-01. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
/** Days between 1970-01-01 and 2000-01-01. */
const PG_EPOCH_DAYS = 10957;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NUMERIC_MAX_DSCALE = 0x3fff;

/** The message of a 22P03 that the Bind handler qualifies with the parameter number. */
export const BAD_BINARY_MESSAGE = 'incorrect binary data format';

function badBinary(message = BAD_BINARY_MESSAGE): SqlError {
  return new SqlError(SqlState.InvalidBinaryRepresentation, message);
}

function toBigInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new SqlError(SqlState.InternalError, `cannot encode ${typeof v} as an integer`);
}

/** Writes the binary (send) representation of a non-null value, without its length prefix. */
export function writeBinary(w: ByteWriter, t: SqlType, v: Value): void {
  switch (t.id) {
    case TypeId.Bool:
      w.u8(v ? 1 : 0);
      return;
    case TypeId.Int2:
      w.i16(v as number);
      return;
    case TypeId.Int4:
      w.i32(v as number);
      return;
    case TypeId.Int8:
      w.i64(toBigInt(v));
      return;
    case TypeId.Float4:
      w.f32(v as number);
      return;
    case TypeId.Float8:
      w.f64(v as number);
      return;
    case TypeId.Numeric:
      writeNumeric(w, v as Decimal);
      return;
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Unknown:
      w.utf8(v as string);
      return;
    case TypeId.Bpchar:
      w.utf8(formatText(t, v));
      return;
    case TypeId.Date: {
      const d = v as number;
      w.i32(d === Infinity ? INT32_MAX : d === -Infinity ? INT32_MIN : d - PG_EPOCH_DAYS);
      return;
    }
    case TypeId.Time:
      w.i64(BigInt(v as number));
      return;
    case TypeId.Timestamp:
    case TypeId.Timestamptz: {
      const ts = v as number;
      w.i64(ts === Infinity ? INT64_MAX : ts === -Infinity ? INT64_MIN : toBigInt(ts) - PG_EPOCH_MICROS);
      return;
    }
    case TypeId.Interval: {
      const iv = v as Interval;
      w.i64(toBigInt(iv.micros)).i32(iv.days).i32(iv.months);
      return;
    }
    case TypeId.Jsonb:
      w.u8(1).utf8(formatText(t, v));
      return;
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      w.u32(v as number);
      return;
    case TypeId.Array:
      writeArray(w, t.elem!, v as SqlArray);
      return;
    case TypeId.Record:
      throw new SqlError(SqlState.FeatureNotSupported, 'binary output of record values is not supported');
  }
}

/** array_send: ndim, has-null flag, element OID, (size, lower bound) per dimension, then length-prefixed elements. */
function writeArray(w: ByteWriter, elem: SqlType, a: SqlArray): void {
  const hasNull = a.items.some((x) => x === null);
  w.i32(a.items.length === 0 ? 0 : 1).i32(hasNull ? 1 : 0).i32(typeOid(elem));
  if (a.items.length === 0) return;
  w.i32(a.items.length).i32(a.lower);
  for (const x of a.items) {
    if (x === null) {
      w.i32(-1);
      continue;
    }
    const at = w.reserveLength();
    writeBinary(w, elem, x);
    w.patchPayloadLength(at);
  }
}

function readArray(elem: SqlType, b: Buffer): SqlArray {
  if (b.length < 12) throw badBinary();
  const ndim = b.readInt32BE(0);
  if (ndim === 0) return new SqlArray([]);
  if (ndim !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'multidimensional arrays are not supported');
  if (b.length < 20) throw badBinary();
  const n = b.readInt32BE(12);
  const lower = b.readInt32BE(16);
  const items: Value[] = [];
  let p = 20;
  for (let i = 0; i < n; i++) {
    if (p + 4 > b.length) throw badBinary();
    const len = b.readInt32BE(p);
    p += 4;
    if (len < 0) {
      items.push(null);
      continue;
    }
    if (p + len > b.length) throw badBinary();
    items.push(decodeBinary(elem, b.subarray(p, p + len)));
    p += len;
  }
  return new SqlArray(items, lower);
}

function writeNumeric(w: ByteWriter, d: Decimal): void {
  if (!d.isFinite()) {
    const sign = d.isNaN() ? NUMERIC_NAN : d.sign() > 0 ? NUMERIC_PINF : NUMERIC_NINF;
    w.i16(0).i16(0).u16(sign).i16(0);
    return;
  }
  const scale = d.scale;
  const coef = d.coefficient;
  const neg = coef < 0n;
  // Digits of |coef|, right-padded so the fraction is whole base-10000 digits, left-padded so the
  // integer part is too.
  let s = (neg ? -coef : coef).toString();
  const fracPad = (4 - (scale % 4)) % 4;
  s += '0'.repeat(fracPad);
  const fracGroups = (scale + fracPad) / 4;
  const lead = (4 - (s.length % 4)) % 4;
  s = '0'.repeat(lead) + s;
  const groups: number[] = [];
  for (let i = 0; i < s.length; i += 4) groups.push(Number(s.slice(i, i + 4)));
  let weight = groups.length - fracGroups - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const ndigits = last - first;
  if (ndigits === 0) weight = 0;
  w.ensure(8 + ndigits * 2);
  w.i16(ndigits).i16(weight).u16(neg && ndigits > 0 ? NUMERIC_NEG : NUMERIC_POS).i16(scale);
  for (let i = first; i < last; i++) w.i16(groups[i]);
}

function readNumeric(b: Buffer): Decimal {
  if (b.length < 8) throw badBinary();
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readUInt16BE(6);
  if (ndigits < 0 || b.length !== 8 + ndigits * 2) throw badBinary();
  switch (sign) {
    case NUMERIC_NAN:
      return Decimal.NaN;
    case NUMERIC_PINF:
      return Decimal.POSITIVE_INFINITY;
    case NUMERIC_NINF:
      return Decimal.NEGATIVE_INFINITY;
    case NUMERIC_POS:
    case NUMERIC_NEG:
      break;
    default:
      throw badBinary('invalid sign in external "numeric" value');
  }
  if (dscale > NUMERIC_MAX_DSCALE) throw badBinary('invalid scale in external "numeric" value');
  let n = 0n;
  for (let i = 0; i < ndigits; i++) {
    const dig = b.readInt16BE(8 + i * 2);
    if (dig < 0 || dig >= 10000) throw badBinary('invalid digit in external "numeric" value');
    n = n * 10000n + BigInt(dig);
  }
  // value = n * 10000^(weight - ndigits + 1); as coef / 10^dscale. Digits below dscale are
  // truncated, as numeric_recv does.
  const exp10 = 4 * (weight - ndigits + 1) + dscale;
  let coef = exp10 >= 0 ? n * 10n ** BigInt(exp10) : n / 10n ** BigInt(-exp10);
  if (sign === NUMERIC_NEG) coef = -coef;
  return Decimal.of(coef, dscale);
}

function need(b: Buffer, n: number): void {
  if (b.length !== n) throw badBinary();
}

/** Decodes the binary (recv) representation of a non-null value. Throws 22P03 on bad data. */
export function decodeBinary(t: SqlType, b: Buffer): Value {
  switch (t.id) {
    case TypeId.Bool:
      need(b, 1);
      return b[0] !== 0;
    case TypeId.Int2:
      need(b, 2);
      return b.readInt16BE(0);
    case TypeId.Int4:
      need(b, 4);
      return b.readInt32BE(0);
    case TypeId.Int8:
      need(b, 8);
      return b.readBigInt64BE(0);
    case TypeId.Float4:
      need(b, 4);
      return b.readFloatBE(0);
    case TypeId.Float8:
      need(b, 8);
      return b.readDoubleBE(0);
    case TypeId.Numeric:
      return readNumeric(b);
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Bpchar:
    case TypeId.Unknown:
      return b.toString('utf8');
    case TypeId.Date: {
      need(b, 4);
      const d = b.readInt32BE(0);
      return d === INT32_MAX ? Infinity : d === INT32_MIN ? -Infinity : d + PG_EPOCH_DAYS;
    }
    case TypeId.Time:
      need(b, 8);
      return Number(b.readBigInt64BE(0));
    case TypeId.Timestamp:
    case TypeId.Timestamptz: {
      need(b, 8);
      const ts = b.readBigInt64BE(0);
      return ts === INT64_MAX ? Infinity : ts === INT64_MIN ? -Infinity : Number(ts + PG_EPOCH_MICROS);
    }
    case TypeId.Interval:
      need(b, 16);
      return new Interval(b.readInt32BE(12), b.readInt32BE(8), Number(b.readBigInt64BE(0)));
    case TypeId.Jsonb:
      if (b.length < 1) throw badBinary();
      if (b[0] !== 1) throw badBinary(`unsupported jsonb version number ${b[0]}`);
      return parseText(t, b.toString('utf8', 1));
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      need(b, 4);
      return b.readUInt32BE(0);
    case TypeId.Array:
      return readArray(t.elem!, b);
    case TypeId.Record:
      throw new SqlError(SqlState.FeatureNotSupported, 'binary input of record values is not supported');
  }
}

/** The binary representation of a non-null value as a fresh Buffer (tests, one-off use). */
export function encodeBinary(t: SqlType, v: Value): Buffer {
  const w = new ByteWriter(64);
  writeBinary(w, t, v);
  return w.take();
}

// ------------------------------------------------------------------------------ row encoding

/** Writes one non-null field of a DataRow: Int32 length followed by the value's bytes. */
export type FieldWriter = (w: ByteWriter, v: Value) => void;

/** A FieldWriter for a column of type `t` in format `f`, chosen once per result, not per row. */
export function fieldWriter(t: SqlType, f: Format): FieldWriter {
  if (f === Format.Binary) {
    switch (t.id) {
      case TypeId.Int4:
        return (w, v) => void w.i32(4).i32(v as number);
      case TypeId.Int8:
        return (w, v) => void w.i32(8).i64(toBigInt(v));
      case TypeId.Float8:
        return (w, v) => void w.i32(8).f64(v as number);
      default:
        return (w, v) => {
          const at = w.reserveLength();
          writeBinary(w, t, v);
          w.patchPayloadLength(at);
        };
    }
  }
  switch (t.id) {
    case TypeId.Text:
    case TypeId.Varchar:
    case TypeId.Unknown:
      return (w, v) => {
        const at = w.reserveLength();
        w.utf8(v as string);
        w.patchPayloadLength(at);
      };
    default:
      return (w, v) => {
        const at = w.reserveLength();
        w.utf8(formatText(t, v));
        w.patchPayloadLength(at);
      };
  }
}

/**
 * Result format of column `i` from Bind's format codes: none -> text, one -> applies to all,
 * otherwise one per column.
 */
export function columnFormat(formats: readonly number[], i: number): Format {
  const f = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i];
  return f === 1 ? Format.Binary : Format.Text;
}
