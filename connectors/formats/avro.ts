/**
 * The `avro` format, binary Avro through the `avsc` package, with an optional Confluent schema
 * registry:
 *
 *   - with `schema.registry`, payloads use the Confluent wire format (magic byte 0, 4-byte
 *     big-endian schema id, Avro binary). The decoder fetches each writer schema by id once; the
 *     encoder registers its schema under `<subject>-value` on first use.
 *   - without it, payloads are plain Avro binary of `avro.schema` (decoding needs that option;
 *     encoding derives a schema from the columns when it is absent).
 *
 * Values are read with the writer's schema and mapped to columns by field name; each Avro type
 * has a natural SQL type (see `natural`) and reaches the column's type by PostgreSQL's casts.
 * Avro longs are read and written as bigint (a custom long type), so no 64-bit value loses
 * precision; logical types are interpreted here from the schema JSON rather than by avsc, which
 * keeps avsc's per-value work to plain reads.
 */
import avsc from 'avsc';
import type { Type as AvroType, types as AvroTypes } from 'avsc';
import type {
  DecodeError,
  DecodedBatch,
  FormatColumn,
  FormatFactory,
  FormatOptions,
  RecordDecoder,
  RecordEncoder,
} from '../../runtime/connector/format.js';
import { SqlError, isSqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { Jsonb, JsonValue, Row, Value } from '../../runtime/sql/values.js';
import { JSON_NULL } from '../../runtime/sql/values.js';
import { Decimal, numericTypmodPrecision, numericTypmodScale, pow10 } from '../../runtime/sql/decimal.js';
import { Interval } from '../../runtime/sql/interval.js';
import { resolveCast, type CastFn } from '../../runtime/sql/cast.js';
import { isValidTimestamp, timestampOutOfRange } from '../../runtime/sql/calendar.js';
import { parseJsonb } from '../../runtime/sql/text-io.js';
import { EMPTY_RECORD, checkOptionKeys, columnDecodeError, errorText, matchFields, optionError, typeName } from './common.js';

const AVRO_OPTIONS: readonly string[] = ['schema.registry', 'schema.registry.username', 'schema.registry.password', 'avro.schema'];

// ------------------------------------------------------------------------------ bigint longs

const TWO_52 = 2n ** 52n;

/** Zigzag varint (Avro's long encoding) -> bigint; numbers below 2^49 take the double path. */
function readZigzag(buf: Buffer): bigint {
  const n = buf.length;
  if (n <= 7) {
    let x = 0;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      x += (buf[i] & 0x7f) * mul;
      mul *= 128;
    }
    return BigInt(x % 2 === 0 ? x / 2 : -(x + 1) / 2);
  }
  let x = 0n;
  let shift = 0n;
  for (let i = 0; i < n; i++) {
    x |= BigInt(buf[i] & 0x7f) << shift;
    shift += 7n;
  }
  x = BigInt.asUintN(64, x);
  return (x >> 1n) ^ -(x & 1n);
}

function writeZigzag(v: bigint): Buffer {
  const bytes: number[] = [];
  if (v > -TWO_52 && v < TWO_52) {
    const n = Number(v);
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    while (z >= 128) {
      bytes.push((z % 128) | 0x80);
      z = Math.floor(z / 128);
    }
    bytes.push(z);
  } else {
    let z = BigInt.asUintN(64, v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
    while (z >= 128n) {
      bytes.push(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    bytes.push(Number(z));
  }
  return Buffer.from(bytes);
}

/** avsc's long type with bigint values (its default refuses longs beyond 2^53). */
const BIGINT_LONG: AvroTypes.LongType = avsc.types.LongType.__with(
  {
    fromBuffer: readZigzag,
    toBuffer: writeZigzag,
    fromJSON: (x: unknown) => BigInt(x as string | number),
    toJSON: (x: bigint) => (x >= -TWO_52 && x <= TWO_52 ? Number(x) : x.toString()),
    isValid: (x: unknown) => typeof x === 'bigint' && BigInt.asIntN(64, x) === x,
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
  },
  true, // hand us the raw varint: unpacking it into an 8-byte buffer first would cost an allocation
);

function avroTypeFor(schema: object): AvroType {
  return avsc.Type.forSchema(schema as never, {
    typeHook: (s: unknown) =>
      s === 'long' || (typeof s === 'object' && s !== null && !Array.isArray(s) && (s as { type?: unknown }).type === 'long')
        ? BIGINT_LONG
        : undefined,
    wrapUnions: 'auto',
    omitRecordMethods: true,
  });
}

// ------------------------------------------------------------------------------ schema shapes

/** What the format needs to know of a field's Avro type (logical types included). */
interface Shape {
  kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes' | 'fixed' | 'enum' | 'record' | 'array' | 'map' | 'union';
  logical?: string;
  precision?: number;
  scale?: number;
  size?: number;
  symbols?: readonly string[];
  name?: string;
}

interface FieldShape {
  shape: Shape;
  nullable: boolean;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);

type Json = { [key: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Named types (record, enum, fixed) of a schema by full and short name, for type references. */
function collectNames(schema: unknown, namespace: string, names: Map<string, Json>): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectNames(s, namespace, names);
    return;
  }
  if (!isObject(schema)) return;
  const t = schema.type;
  if ((t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') && typeof schema.name === 'string') {
    const name = schema.name;
    const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : typeof schema.namespace === 'string' ? schema.namespace : namespace;
    const short = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
    names.set(ns ? `${ns}.${short}` : short, schema);
    if (!names.has(short)) names.set(short, schema);
    if (Array.isArray(schema.fields)) {
      for (const f of schema.fields) if (isObject(f)) collectNames(f.type, ns, names);
    }
    return;
  }
  if (t === 'array') collectNames(schema.items, namespace, names);
  else if (t === 'map') collectNames(schema.values, namespace, names);
  else if (typeof t === 'object') collectNames(t, namespace, names);
}

function validDecimal(s: Json, maxBytes?: number): boolean {
  const p = s.precision;
  const sc = s.scale ?? 0;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) return false;
  if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 0 || sc > p) return false;
  // A fixed of n bytes holds at most floor(log10(2^(8n-1) - 1)) digits.
  return maxBytes === undefined || p <= Math.floor(Math.log10(2) * (8 * maxBytes - 1));
}

/** The logical types this format interprets, by underlying type (others are ignored, per the spec). */
const LOGICAL: Record<string, readonly string[]> = {
  int: ['date', 'time-millis'],
  long: ['timestamp-millis', 'timestamp-micros', 'local-timestamp-millis', 'local-timestamp-micros', 'time-micros'],
  string: ['uuid'],
};

function shapeOf(schema: unknown, names: Map<string, Json>, depth = 0): FieldShape {
  if (depth > 64) throw new Error('Avro schema nests too deeply');
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return { shape: { kind: schema as Shape['kind'] }, nullable: schema === 'null' };
    const named = names.get(schema) ?? names.get(schema.slice(schema.lastIndexOf('.') + 1));
    if (named === undefined) throw new Error(`undefined Avro type name: ${schema}`);
    return shapeOf(named, names, depth + 1);
  }
  if (Array.isArray(schema)) {
    const branches = schema.map((b) => shapeOf(b, names, depth + 1));
    const nonNull = branches.filter((b) => b.shape.kind !== 'null');
    const nullable = nonNull.length < branches.length;
    if (nonNull.length === 0) return { shape: { kind: 'null' }, nullable: true };
    if (nonNull.length === 1) return { shape: nonNull[0].shape, nullable };
    return { shape: { kind: 'union' }, nullable };
  }
  if (!isObject(schema)) throw new Error(`invalid Avro schema: ${JSON.stringify(schema)}`);
  const t = schema.type;
  if (typeof t !== 'string') return shapeOf(t, names, depth + 1);
  const logical = typeof schema.logicalType === 'string' ? schema.logicalType : undefined;
  switch (t) {
    case 'bytes':
      if (logical === 'decimal' && validDecimal(schema)) {
        return { shape: { kind: 'bytes', logical, precision: schema.precision as number, scale: (schema.scale as number | undefined) ?? 0 }, nullable: false };
      }
      return { shape: { kind: 'bytes' }, nullable: false };
    case 'fixed': {
      const size = schema.size as number;
      if (logical === 'decimal' && validDecimal(schema, size)) {
        return { shape: { kind: 'fixed', size, logical, precision: schema.precision as number, scale: (schema.scale as number | undefined) ?? 0 }, nullable: false };
      }
      if (logical === 'duration' && size === 12) return { shape: { kind: 'fixed', size, logical }, nullable: false };
      return { shape: { kind: 'fixed', size }, nullable: false };
    }
    case 'enum':
      return { shape: { kind: 'enum', symbols: schema.symbols as string[], name: schema.name as string }, nullable: false };
    case 'record': case 'error':
      return { shape: { kind: 'record' }, nullable: false };
    case 'array': case 'map':
      return { shape: { kind: t }, nullable: false };
    default:
      if (PRIMITIVES.has(t)) {
        const ok = logical !== undefined && (LOGICAL[t] ?? []).includes(logical);
        return { shape: ok ? { kind: t as Shape['kind'], logical } : { kind: t as Shape['kind'] }, nullable: t === 'null' };
      }
      return shapeOf(t, names, depth + 1); // a named type reference in object form
  }
}

interface ParsedSchema {
  /** The schema text (for registration). */
  text: string;
  type: AvroTypes.RecordType;
  fields: { name: string; shape: Shape; nullable: boolean; hasDefault: boolean; type: AvroType }[];
}

/** Parses and checks a writer/encoder schema: it must be an Avro record. Throws Error. */
function parseSchema(text: string): ParsedSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`invalid JSON: ${errorText(e)}`);
  }
  if (!isObject(json) || (json.type !== 'record' && json.type !== 'error')) {
    throw new Error('the schema must be an Avro record');
  }
  const type = avroTypeFor(json) as AvroTypes.RecordType;
  const names = new Map<string, Json>();
  collectNames(json, '', names);
  const fieldsJson = json.fields as Json[];
  const fields = fieldsJson.map((f, i) => {
    const { shape, nullable } = shapeOf(f.type, names);
    return { name: f.name as string, shape, nullable, hasDefault: f.default !== undefined, type: type.fields[i].type };
  });
  return { text, type, fields };
}

function schemaError(what: string, e: unknown): SqlError {
  return optionError(`invalid ${what}: ${errorText(e)}`);
}

// ------------------------------------------------------------------------------ values

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Big-endian two's complement (Avro decimal) -> bigint. */
function bytesToBigInt(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  let x = BigInt('0x' + b.toString('hex'));
  if (b[0] & 0x80) x -= 1n << BigInt(b.length * 8);
  return x;
}

/** bigint -> big-endian two's complement, minimal or exactly `size` bytes. */
function bigIntToBytes(x: bigint, size?: number): Buffer {
  let n = 1;
  while (x < -(1n << BigInt(8 * n - 1)) || x >= 1n << BigInt(8 * n - 1)) n++;
  if (size !== undefined) {
    if (n > size) throw new SqlError(SqlState.NumericValueOutOfRange, `value does not fit an Avro decimal of ${size} bytes`);
    n = size;
  }
  const u = x < 0n ? (1n << BigInt(8 * n)) + x : x;
  return Buffer.from(u.toString(16).padStart(n * 2, '0'), 'hex');
}

const hexText = (b: Buffer): string => '\\x' + b.toString('hex');

/** An Avro value as jsonb (records, maps and arrays; bigint as number, bytes as hex text). */
function toJson(v: unknown): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return hexText(v);
  if (Array.isArray(v)) return v.map(toJson);
  const o: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(v as object)) o[k] = toJson((v as Json)[k]);
  return o;
}

/** Microseconds from an Avro timestamp long; the int64 extremes are ±infinity, as PostgreSQL stores them. */
function timestampFromLong(v: bigint, unit: 1 | 1000): number {
  if (v === INT64_MAX) return Infinity;
  if (v === INT64_MIN) return -Infinity;
  const micros = Number(v) * unit;
  if (!isValidTimestamp(micros)) throw timestampOutOfRange();
  return micros;
}

function timestampToLong(micros: number, unit: 1 | 1000): bigint {
  if (micros === Infinity) return INT64_MAX;
  if (micros === -Infinity) return INT64_MIN;
  return BigInt(unit === 1 ? micros : Math.floor(micros / 1000));
}

function dateFromInt(v: number): number {
  return v === INT32_MAX ? Infinity : v === INT32_MIN ? -Infinity : v;
}

function dateToInt(d: number): number {
  return d === Infinity ? INT32_MAX : d === -Infinity ? INT32_MIN : d;
}

interface Natural {
  type: SqlType;
  read: (v: unknown) => Value;
}

/**
 * The natural SQL type of an Avro type and how to read its avsc value (non-null):
 * boolean/int/long/float/double -> bool/integer/bigint/real/double precision; string, enum ->
 * text; decimal -> numeric; date -> date; timestamp-* -> timestamptz; local-timestamp-* ->
 * timestamp; time-*, duration -> interval; other bytes/fixed -> text ('\x' hex); records,
 * arrays, maps and unions of several types -> jsonb.
 */
function natural(shape: Shape): Natural | null {
  switch (shape.kind) {
    case 'null': return null;
    case 'boolean': return { type: T.bool, read: (v) => v as boolean };
    case 'int':
      if (shape.logical === 'date') return { type: T.date, read: (v) => dateFromInt(v as number) };
      if (shape.logical === 'time-millis') return { type: T.interval, read: (v) => Interval.fromMicros((v as number) * 1000) };
      return { type: T.int4, read: (v) => v as number };
    case 'long':
      switch (shape.logical) {
        case 'timestamp-millis': return { type: T.timestamptz, read: (v) => timestampFromLong(v as bigint, 1000) };
        case 'timestamp-micros': return { type: T.timestamptz, read: (v) => timestampFromLong(v as bigint, 1) };
        case 'local-timestamp-millis': return { type: T.timestamp, read: (v) => timestampFromLong(v as bigint, 1000) };
        case 'local-timestamp-micros': return { type: T.timestamp, read: (v) => timestampFromLong(v as bigint, 1) };
        case 'time-micros': return { type: T.interval, read: (v) => Interval.fromMicros(Number(v as bigint)) };
      }
      return { type: T.int8, read: (v) => v as bigint };
    case 'float': return { type: T.float4, read: (v) => v as number };
    case 'double': return { type: T.float8, read: (v) => v as number };
    case 'string': case 'enum': return { type: T.text, read: (v) => v as string };
    case 'bytes': case 'fixed':
      if (shape.logical === 'decimal') {
        const scale = shape.scale ?? 0;
        return { type: T.numeric, read: (v) => Decimal.of(bytesToBigInt(v as Buffer), scale) };
      }
      if (shape.logical === 'duration') {
        return {
          type: T.interval,
          read: (v) => {
            const b = v as Buffer;
            return new Interval(b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8) * 1000);
          },
        };
      }
      return { type: T.text, read: (v) => hexText(v as Buffer) };
    case 'record': case 'array': case 'map': case 'union':
      return { type: T.jsonb, read: (v) => toJson(v) as Jsonb };
  }
}

function isTimestampType(id: TypeId): boolean {
  return id === TypeId.Timestamp || id === TypeId.Timestamptz;
}

/** The cast from a natural type to the column's, as an INSERT would apply it (else an explicit cast). */
function castFor(from: SqlType, to: SqlType): CastFn | null {
  // A plain int/long in a timestamp column is epoch milliseconds, as JSON numbers are.
  if ((from.id === TypeId.Int4 || from.id === TypeId.Int8) && isTimestampType(to.id)) {
    return (v) => {
      const micros = Number(v) * 1000;
      if (!isValidTimestamp(micros)) throw timestampOutOfRange();
      return micros;
    };
  }
  return resolveCast(from, to, 'assignment') ?? resolveCast(from, to, 'explicit');
}

function describe(shape: Shape): string {
  return shape.logical !== undefined ? `${shape.kind} (${shape.logical})` : shape.kind;
}

/** Reads a field's non-null avsc value as a value of the column's type. */
type Reader = (v: unknown) => Value;

function readerFor(shape: Shape, column: FormatColumn): Reader {
  const nat = natural(shape);
  if (nat === null) return () => null;
  if (shape.kind === 'union') return dynamicReader(column.type);
  const cast = castFor(nat.type, column.type);
  if (cast === null) {
    const msg = `cannot convert Avro ${describe(shape)} to type ${typeName(column.type)}`;
    return () => {
      throw new SqlError(SqlState.InvalidParameterValue, msg);
    };
  }
  const read = nat.read;
  return (v) => cast(read(v));
}

/** A union of several types: the natural type depends on the branch the value came from. */
function dynamicReader(to: SqlType): Reader {
  const casts = new Map<TypeId, CastFn | null>();
  const via = (from: SqlType, v: Value): Value => {
    let c = casts.get(from.id);
    if (c === undefined) {
      c = castFor(from, to);
      casts.set(from.id, c);
    }
    if (c === null) {
      throw new SqlError(SqlState.InvalidParameterValue, `cannot convert Avro ${typeName(from)} value to type ${typeName(to)}`);
    }
    return c(v);
  };
  return (v) => {
    switch (typeof v) {
      case 'string': return via(T.text, v);
      case 'number': return via(T.float8, v);
      case 'bigint': return via(T.int8, v);
      case 'boolean': return via(T.bool, v);
    }
    if (Buffer.isBuffer(v)) return via(T.text, hexText(v));
    return via(T.jsonb, toJson(v) as Jsonb);
  };
}

// ------------------------------------------------------------------------------ writing

/** Converts a non-null SQL value of the column's type to the avsc value of a field. */
type Writer = (v: Value) => unknown;

function castOrFail(column: FormatColumn, to: SqlType, field: string, shape: Shape): CastFn {
  const c = resolveCast(column.type, to, 'assignment') ?? resolveCast(column.type, to, 'explicit');
  if (c === null) {
    throw optionError(`column "${column.name}" of type ${typeName(column.type)} cannot be written to Avro field "${field}" of type ${describe(shape)}`);
  }
  return c;
}

/** Rescales a numeric to the field's scale and writes its unscaled value. */
function decimalWriter(column: FormatColumn, shape: Shape, field: string): Writer {
  const toNumeric = castOrFail(column, T.numeric, field, shape);
  const scale = shape.scale ?? 0;
  const precision = shape.precision ?? 1;
  return (v) => {
    const d = (toNumeric(v) as Decimal).applyTypmod(precision, scale);
    if (d.isNaN()) throw new SqlError(SqlState.NumericValueOutOfRange, 'NaN cannot be written as an Avro decimal');
    const coef = d.coefficient * pow10(scale - d.scale);
    return bigIntToBytes(coef, shape.kind === 'fixed' ? shape.size : undefined);
  };
}

/** A jsonb value as the avsc value of a complex type, guided by the avsc type. */
function jsonToAvro(type: AvroType, j: unknown): unknown {
  const t = type as AvroType & {
    fields?: AvroTypes.Field[];
    itemsType?: AvroType;
    valuesType?: AvroType;
    types?: AvroType[];
    symbols?: string[];
    size?: number;
  };
  switch (type.typeName) {
    case 'null': return null;
    case 'boolean': return j;
    case 'int': case 'float': case 'double': return typeof j === 'string' ? Number(j) : j;
    case 'abstract:long': case 'long':
      return typeof j === 'number' ? BigInt(Math.trunc(j)) : typeof j === 'string' ? BigInt(j) : j;
    case 'string': return typeof j === 'string' ? j : typeof j === 'bigint' ? j.toString() : JSON.stringify(j);
    case 'enum': return j;
    case 'bytes': case 'fixed':
      if (typeof j !== 'string') return j;
      return j.startsWith('\\x') && /^[0-9a-fA-F]*$/.test(j.slice(2)) ? Buffer.from(j.slice(2), 'hex') : Buffer.from(j, 'utf8');
    case 'array': return Array.isArray(j) ? j.map((e) => jsonToAvro(t.itemsType!, e)) : j;
    case 'map': {
      if (!isObject(j)) return j;
      const o: Json = {};
      for (const k of Object.keys(j)) o[k] = jsonToAvro(t.valuesType!, j[k]);
      return o;
    }
    case 'record': case 'error': {
      if (!isObject(j)) return j;
      const o: Json = {};
      for (const f of t.fields!) o[f.name] = j[f.name] === undefined ? undefined : jsonToAvro(f.type, j[f.name]);
      return o;
    }
    case 'union:unwrapped': {
      if (j === null) return null;
      for (const b of t.types!) {
        if (b.typeName === 'null') continue;
        const c = jsonToAvro(b, j);
        if (b.isValid(c)) return c;
      }
      return j;
    }
    case 'union:wrapped': {
      if (j === null) return null;
      if (isObject(j)) {
        const keys = Object.keys(j);
        const b = keys.length === 1 ? t.types!.find((x) => x.branchName === keys[0]) : undefined;
        if (b !== undefined) return { [keys[0]]: jsonToAvro(b, j[keys[0]]) };
      }
      for (const b of t.types!) {
        if (b.typeName === 'null') continue;
        const c = jsonToAvro(b, j);
        if (b.isValid(c)) return { [b.branchName!]: c };
      }
      return j;
    }
  }
  return j;
}

function writerFor(column: FormatColumn, field: ParsedSchema['fields'][number]): Writer {
  const { shape, name } = field;
  const col = column.type;
  switch (shape.kind) {
    case 'null': return () => null;
    case 'boolean': return castOrFail(column, T.bool, name, shape);
    case 'int': {
      if (shape.logical === 'date') {
        const toDate = castOrFail(column, T.date, name, shape);
        return (v) => dateToInt(toDate(v) as number);
      }
      if (shape.logical === 'time-millis') {
        const toInterval = castOrFail(column, T.interval, name, shape);
        return (v) => Math.floor((toInterval(v) as Interval).totalMicros() / 1000);
      }
      return castOrFail(column, T.int4, name, shape);
    }
    case 'long': {
      switch (shape.logical) {
        case 'timestamp-millis': case 'timestamp-micros': case 'local-timestamp-millis': case 'local-timestamp-micros': {
          const local = shape.logical.startsWith('local-');
          const unit = shape.logical.endsWith('millis') ? 1000 : 1;
          const toTs = castOrFail(column, local ? T.timestamp : T.timestamptz, name, shape);
          return (v) => timestampToLong(toTs(v) as number, unit);
        }
        case 'time-micros': {
          const toInterval = castOrFail(column, T.interval, name, shape);
          return (v) => BigInt((toInterval(v) as Interval).totalMicros());
        }
      }
      if (isTimestampType(col.id)) return (v) => timestampToLong(v as number, 1000); // epoch ms, as read
      return castOrFail(column, T.int8, name, shape);
    }
    case 'float': return castOrFail(column, T.float4, name, shape);
    case 'double': return castOrFail(column, T.float8, name, shape);
    case 'string': {
      if (col.id === TypeId.Jsonb) return (v) => (v === JSON_NULL ? 'null' : JSON.stringify(v));
      return castOrFail(column, T.text, name, shape);
    }
    case 'enum': {
      const toText = castOrFail(column, T.text, name, shape);
      const symbols = new Set(shape.symbols ?? []);
      return (v) => {
        const s = toText(v) as string;
        if (!symbols.has(s)) {
          throw new SqlError(SqlState.InvalidParameterValue, `"${s}" is not a symbol of Avro enum ${shape.name ?? ''}`.trimEnd());
        }
        return s;
      };
    }
    case 'bytes': case 'fixed': {
      if (shape.logical === 'decimal') return decimalWriter(column, shape, name);
      if (shape.logical === 'duration') {
        const toInterval = castOrFail(column, T.interval, name, shape);
        return (v) => {
          const iv = toInterval(v) as Interval;
          const millis = iv.micros / 1000;
          if (iv.months < 0 || iv.days < 0 || millis < 0 || !Number.isInteger(millis) || millis > 0xffffffff) {
            throw new SqlError(SqlState.IntervalFieldOverflow, `interval "${iv.toString()}" cannot be written as an Avro duration`);
          }
          const b = Buffer.alloc(12);
          b.writeUInt32LE(iv.months, 0);
          b.writeUInt32LE(iv.days, 4);
          b.writeUInt32LE(millis, 8);
          return b;
        };
      }
      const toText = castOrFail(column, T.text, name, shape);
      return (v) => jsonToAvro(field.type, toText(v));
    }
    case 'record': case 'array': case 'map': case 'union': {
      const nonNull = nonNullBranch(field.type);
      if (col.id === TypeId.Jsonb) return (v) => jsonToAvro(nonNull, v === JSON_NULL ? null : v);
      if (shape.kind === 'union') return (v) => scalarToUnion(nonNull, v);
      if (col.id === TypeId.Text || col.id === TypeId.Varchar || col.id === TypeId.Bpchar) {
        return (v) => {
          const j = parseJsonb(v as string);
          return jsonToAvro(nonNull, j === JSON_NULL ? null : j);
        };
      }
      throw optionError(`column "${column.name}" of type ${typeName(col)} cannot be written to Avro field "${name}" of type ${shape.kind}`);
    }
  }
}

/**
 * A scalar SQL value into a union of several types: the first branch that takes the value as it
 * is (text -> string, bigint -> long, boolean, double), else the first that takes a conversion.
 */
function scalarToUnion(type: AvroType, v: Value): unknown {
  const t = type as AvroType & { types?: AvroType[] };
  const wrapped = type.typeName === 'union:wrapped';
  for (const b of t.types ?? []) {
    if (b.typeName !== 'null' && b.isValid(v)) return wrapped ? { [b.branchName!]: v } : v;
  }
  let j: unknown = v;
  if (v instanceof Decimal) j = v.toString();
  else if (v instanceof Interval) j = v.toString();
  return jsonToAvro(type, j);
}

/** For a nullable union ["null", X], X (the value written for a non-null SQL value). */
function nonNullBranch(type: AvroType): AvroType {
  const types = (type as AvroType & { types?: AvroType[] }).types;
  if (type.typeName.startsWith('union') && types !== undefined) {
    const rest = types.filter((t) => t.typeName !== 'null');
    if (rest.length === 1 && type.typeName === 'union:unwrapped') return rest[0];
  }
  return type;
}

// ------------------------------------------------------------------------------ derived schema

/** An Avro name ([A-Za-z_][A-Za-z0-9_]*) for a column or subject name. */
export function avroName(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (s === '' || /^[0-9]/.test(s)) s = '_' + s;
  return s;
}

function avroFieldType(type: SqlType): unknown {
  switch (type.id) {
    case TypeId.Bool: return 'boolean';
    case TypeId.Int2: case TypeId.Int4: return 'int';
    case TypeId.Int8: return 'long';
    case TypeId.Float4: return 'float';
    case TypeId.Float8: return 'double';
    case TypeId.Numeric: {
      if (type.typmod >= 0) {
        const p = numericTypmodPrecision(type.typmod);
        const s = numericTypmodScale(type.typmod);
        if (p >= 1 && s >= 0 && s <= p) return { type: 'bytes', logicalType: 'decimal', precision: p, scale: s };
      }
      return 'string'; // unconstrained numeric has no fixed scale, which Avro's decimal needs
    }
    case TypeId.Date: return { type: 'int', logicalType: 'date' };
    case TypeId.Timestamp: return { type: 'long', logicalType: 'local-timestamp-micros' };
    case TypeId.Timestamptz: return { type: 'long', logicalType: 'timestamp-micros' };
    // interval (months/days/micros, signed) has no faithful Avro type; jsonb travels as JSON text
    case TypeId.Interval: case TypeId.Jsonb: case TypeId.Time:
    case TypeId.Text: case TypeId.Varchar: case TypeId.Bpchar: case TypeId.Unknown:
      return 'string';
  }
}

/** The record schema the encoder writes when `avro.schema` is not given: every field nullable. */
export function deriveSchema(columns: readonly FormatColumn[], recordName: string): string {
  const used = new Set<string>();
  const fields = columns.map((c) => {
    let name = avroName(c.name);
    for (let k = 2; used.has(name); k++) name = `${avroName(c.name)}_${k}`;
    used.add(name);
    return { name, type: ['null', avroFieldType(c.type)], default: null };
  });
  return JSON.stringify({ type: 'record', name: avroName(recordName), fields });
}

// ------------------------------------------------------------------------------ registry

const REGISTRY_TIMEOUT_MS = 10_000;

class RegistryError extends Error {
  constructor(
    message: string,
    /** The registry answered and refused (4xx): retrying will not help. */
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/** A Confluent-compatible schema registry client; schemas by id are immutable, so cached forever. */
export class SchemaRegistry {
  private readonly byId = new Map<number, Promise<string>>();
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    /** The base URL, without credentials (safe to show in messages). */
    readonly url: string,
    private readonly authorization: string | undefined,
  ) {}

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    if (body !== undefined) headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json';
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      throw new RegistryError(cause instanceof Error ? `${errorText(e)} (${cause.message})` : errorText(e), false);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        const j = JSON.parse(text) as { message?: unknown };
        if (typeof j.message === 'string') detail = j.message;
      } catch {
        // not JSON: keep the text
      }
      throw new RegistryError(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`, res.status >= 400 && res.status < 500);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RegistryError(`unexpected response: ${text.slice(0, 200)}`, false);
    }
  }

  /** The schema text of `id`; a failed fetch is not cached, so the next batch tries again. */
  schema(id: number): Promise<string> {
    let p = this.byId.get(id);
    if (p === undefined) {
      p = this.request('GET', `/schemas/ids/${id}`).then((r) => {
        const j = r as { schema?: unknown; schemaType?: unknown };
        if (j.schemaType !== undefined && j.schemaType !== 'AVRO') {
          throw new RegistryError(`schema ${id} is a ${String(j.schemaType)} schema, not Avro`, true);
        }
        if (typeof j.schema !== 'string') throw new RegistryError(`schema ${id}: response has no "schema"`, false);
        return j.schema;
      });
      this.byId.set(id, p);
      p.catch(() => this.byId.delete(id));
    }
    return p;
  }

  /** Registers `schema` under `subject` (idempotent in the registry), returning its id. */
  register(subject: string, schema: string): Promise<number> {
    const key = subject + '\0' + schema;
    let p = this.ids.get(key);
    if (p === undefined) {
      p = this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema }).then((r) => {
        const id = (r as { id?: unknown }).id;
        if (typeof id !== 'number' || !Number.isInteger(id)) throw new RegistryError('response has no schema "id"', false);
        return id;
      });
      this.ids.set(key, p);
      p.catch(() => this.ids.delete(key));
    }
    return p;
  }
}

const registries = new Map<string, SchemaRegistry>();

interface RegistrySettings {
  url: string;
  authorization: string | undefined;
}

/** Reads `schema.registry` (credentials in the URL move to a header: fetch refuses them there). */
function registrySettings(options: FormatOptions): RegistrySettings | null {
  const option = options['schema.registry'];
  if (option === undefined) return null;
  // Confluent clients take a comma-separated list of registry URLs; this one uses the first.
  const raw = option.split(',')[0];
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw optionError(`invalid schema registry URL "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw optionError(`schema registry URL must be http or https, got "${u.protocol}"`);
  }
  let user = options['schema.registry.username'];
  let password = options['schema.registry.password'];
  if (user === undefined && u.username !== '') {
    user = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  }
  if (password !== undefined && user === undefined) {
    throw optionError('option "schema.registry.password" requires "schema.registry.username"');
  }
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  const url = u.toString().replace(/\/+$/, '');
  const authorization = user === undefined ? undefined : 'Basic ' + Buffer.from(`${user}:${password ?? ''}`).toString('base64');
  return { url, authorization };
}

function registryFor(s: RegistrySettings): SchemaRegistry {
  const key = s.url + '\0' + (s.authorization ?? '');
  let r = registries.get(key);
  if (r === undefined) {
    r = new SchemaRegistry(s.url, s.authorization);
    registries.set(key, r);
  }
  return r;
}

function inlineSchema(options: FormatOptions): ParsedSchema | null {
  const text = options['avro.schema'];
  if (text === undefined) return null;
  try {
    return parseSchema(text);
  } catch (e) {
    throw schemaError('avro.schema', e);
  }
}

// ------------------------------------------------------------------------------ decoding

/** How records of one writer schema become rows. */
interface ReadPlan {
  type: AvroType;
  /** Per column: the record field to read, or null (the column is NULL). */
  fields: (string | null)[];
  readers: Reader[];
}

function readPlan(schema: ParsedSchema, columns: readonly FormatColumn[]): ReadPlan {
  const match = matchFields(columns, schema.fields.map((f) => f.name), avroName);
  return {
    type: schema.type,
    fields: match.map((i) => (i < 0 ? null : schema.fields[i].name)),
    readers: columns.map((c, ci) => (match[ci] < 0 ? () => null : readerFor(schema.fields[match[ci]].shape, c))),
  };
}

const CONFLUENT_MAGIC = 0;

class AvroDecoder implements RecordDecoder {
  /** Plans by schema id (registry) - only successful ones, failures are retried. */
  private readonly plans = new Map<number, ReadPlan>();

  constructor(
    private readonly columns: readonly FormatColumn[],
    private readonly registry: SchemaRegistry | null,
    /** The plan of `avro.schema`, used without a registry. */
    private readonly plain: ReadPlan | null,
  ) {}

  /** Fetches the plans of the schema ids in the batch not seen yet; failures by id. */
  private async load(ids: Set<number>): Promise<Map<number, DecodeError>> {
    const failed = new Map<number, DecodeError>();
    const registry = this.registry!;
    await Promise.all(
      [...ids].map(async (id) => {
        let text: string;
        try {
          text = await registry.schema(id);
        } catch (e) {
          const refused = e instanceof RegistryError && e.refused;
          failed.set(id, {
            index: -1,
            message: `schema registry ${registry.url}: cannot fetch schema ${id}: ${errorText(e)}`,
            sqlstate: refused ? SqlState.InvalidParameterValue : SqlState.SqlclientUnableToEstablishSqlconnection,
          });
          return;
        }
        try {
          this.plans.set(id, readPlan(parseSchema(text), this.columns));
        } catch (e) {
          failed.set(id, { index: -1, message: `schema ${id} from ${registry.url} is not usable: ${errorText(e)}`, sqlstate: SqlState.InvalidParameterValue });
        }
      }),
    );
    return failed;
  }

  async decodeBatch(payloads: readonly (Buffer | null)[]): Promise<DecodedBatch> {
    const rows: (Row | undefined)[] = new Array(payloads.length).fill(undefined);
    const errors: DecodeError[] = [];
    let failed: Map<number, DecodeError> | undefined;
    if (this.registry !== null) {
      const missing = new Set<number>();
      for (const p of payloads) {
        if (p !== null && p.length >= 5 && p[0] === CONFLUENT_MAGIC) {
          const id = p.readInt32BE(1);
          if (!this.plans.has(id)) missing.add(id);
        }
      }
      if (missing.size > 0) failed = await this.load(missing);
    }
    for (let i = 0; i < payloads.length; i++) {
      const p = payloads[i];
      if (p === null || p.length === 0) {
        errors.push({ index: i, message: EMPTY_RECORD, sqlstate: SqlState.InvalidParameterValue });
        continue;
      }
      let plan: ReadPlan;
      let body: Buffer;
      if (this.registry !== null) {
        if (p.length < 5 || p[0] !== CONFLUENT_MAGIC) {
          errors.push({
            index: i,
            message: `record is not in the schema registry wire format (${p.length < 5 ? 'too short' : `magic byte ${p[0]}, expected 0`})`,
            sqlstate: SqlState.InvalidBinaryRepresentation,
          });
          continue;
        }
        const id = p.readInt32BE(1);
        const known = this.plans.get(id);
        if (known === undefined) {
          const f = failed?.get(id);
          errors.push({ ...(f ?? { message: `schema ${id} unavailable`, sqlstate: SqlState.InvalidParameterValue }), index: i });
          continue;
        }
        plan = known;
        body = p.subarray(5);
      } else {
        plan = this.plain!;
        body = p;
      }
      const row = this.decodeRecord(plan, body, i, errors);
      if (row !== undefined) rows[i] = row;
    }
    return { rows, errors };
  }

  private decodeRecord(plan: ReadPlan, body: Buffer, index: number, errors: DecodeError[]): Row | undefined {
    let rec: Json;
    try {
      rec = plan.type.fromBuffer(body) as Json;
    } catch (e) {
      errors.push({ index, message: `invalid Avro record: ${errorText(e)}`, sqlstate: SqlState.InvalidBinaryRepresentation });
      return undefined;
    }
    const { fields, readers } = plan;
    const n = fields.length;
    const row: Row = new Array(n);
    for (let c = 0; c < n; c++) {
      const f = fields[c];
      const v = f === null ? null : rec[f];
      if (v === null || v === undefined) {
        row[c] = null;
        continue;
      }
      try {
        row[c] = readers[c](v);
      } catch (e) {
        errors.push(columnDecodeError(index, this.columns[c].name, e));
        return undefined;
      }
    }
    return row;
  }
}

// ------------------------------------------------------------------------------ encoding

interface WriteField {
  name: string;
  /** Column index, or -1 (the field's default / null is written). */
  column: number;
  nullable: boolean;
  write: Writer;
}

class AvroEncoder implements RecordEncoder {
  readonly contentType: string;
  private readonly type: AvroType;
  // (with a registry the payloads carry Confluent's 5-byte prefix; there is no media type for that)
  private readonly plan: WriteField[];
  private schemaId: Promise<number> | null = null;

  constructor(
    private readonly columns: readonly FormatColumn[],
    private readonly schema: ParsedSchema,
    private readonly registry: SchemaRegistry | null,
    private readonly subject: string | undefined,
  ) {
    this.type = schema.type;
    this.contentType = 'application/avro';
    const match = matchFields(columns, schema.fields.map((f) => f.name), avroName);
    match.forEach((fi, ci) => {
      if (fi < 0) throw optionError(`column "${columns[ci].name}" has no field in the Avro schema`);
    });
    const byField = new Map<number, number>();
    match.forEach((fi, ci) => byField.set(fi, ci));
    this.plan = schema.fields.map((f, fi) => {
      const ci = byField.get(fi) ?? -1;
      if (ci < 0 && !f.nullable && !f.hasDefault) {
        throw optionError(`Avro field "${f.name}" has no column and no default`);
      }
      return { name: f.name, column: ci, nullable: f.nullable, write: ci < 0 ? () => null : writerFor(columns[ci], f) };
    });
  }

  /**
   * The registry subject: `<subject>-value` (Confluent's TopicNameStrategy for values), unless
   * the caller already named a key or value subject (`orders-key` for a Kafka record key).
   */
  private registrySubject(): string {
    const s = this.subject ?? '';
    return s.endsWith('-key') || s.endsWith('-value') ? s : `${s}-value`;
  }

  private async header(): Promise<Buffer | null> {
    const registry = this.registry;
    if (registry === null) return null;
    const subject = this.registrySubject();
    if (this.schemaId === null) this.schemaId = registry.register(subject, this.schema.text);
    let id: number;
    try {
      id = await this.schemaId;
    } catch (e) {
      this.schemaId = null; // try again with the next batch
      throw new SqlError(
        SqlState.SqlclientUnableToEstablishSqlconnection,
        `schema registry ${registry.url}: cannot register the schema of subject "${subject}": ${errorText(e)}`,
      );
    }
    const h = Buffer.alloc(5);
    h[0] = CONFLUENT_MAGIC;
    h.writeInt32BE(id, 1);
    return h;
  }

  private record(row: Row): Json {
    const rec: Json = {};
    for (const f of this.plan) {
      if (f.column < 0) {
        rec[f.name] = f.nullable ? null : undefined; // undefined: avsc writes the default
        continue;
      }
      const v = row[f.column];
      if (v === null || v === undefined) {
        if (!f.nullable) {
          throw new SqlError(SqlState.NullValueNotAllowed, `column "${this.columns[f.column].name}": null value for non-nullable Avro field "${f.name}"`);
        }
        rec[f.name] = null;
        continue;
      }
      try {
        rec[f.name] = f.write(v);
      } catch (e) {
        if (isSqlError(e)) throw new SqlError(e.code, `column "${this.columns[f.column].name}": ${e.message}`);
        throw e;
      }
    }
    return rec;
  }

  async encodeBatch(rows: readonly Row[]): Promise<Buffer[]> {
    const header = await this.header();
    const out: Buffer[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const rec = this.record(rows[i]);
      let body: Buffer;
      try {
        body = this.type.toBuffer(rec);
      } catch (e) {
        throw new SqlError(SqlState.InvalidParameterValue, `cannot encode row as Avro: ${errorText(e)}`);
      }
      out[i] = header === null ? body : Buffer.concat([header, body], header.length + body.length);
    }
    return out;
  }
}

// ------------------------------------------------------------------------------ factory

function checkOptions(options: FormatOptions): { registry: RegistrySettings | null; schema: ParsedSchema | null } {
  checkOptionKeys('avro', AVRO_OPTIONS, options);
  if (options['schema.registry'] === undefined && (options['schema.registry.username'] !== undefined || options['schema.registry.password'] !== undefined)) {
    throw optionError('schema registry credentials given without "schema.registry"');
  }
  return { registry: registrySettings(options), schema: inlineSchema(options) };
}

export const avroFormat: FormatFactory = {
  name: 'avro',
  options: AVRO_OPTIONS,
  validate(_columns: readonly FormatColumn[], options: FormatOptions): void {
    // Every column type has an Avro representation (see avroFieldType), so only options are checked.
    checkOptions(options);
  },
  decoder(columns: readonly FormatColumn[], options: FormatOptions): RecordDecoder {
    const { registry, schema } = checkOptions(options);
    if (registry !== null) return new AvroDecoder(columns, registryFor(registry), null);
    if (schema === null) {
      throw optionError('format avro needs "schema.registry" or "avro.schema" to decode records', 'Set one of them in the WITH list.');
    }
    return new AvroDecoder(columns, null, readPlan(schema, columns));
  },
  encoder(columns: readonly FormatColumn[], options: FormatOptions, subject?: string): RecordEncoder {
    const { registry, schema } = checkOptions(options);
    if (registry !== null && (subject === undefined || subject === '')) {
      throw optionError('format avro with a schema registry needs a subject (the topic name) to register the schema under');
    }
    let parsed = schema;
    if (parsed === null) {
      try {
        parsed = parseSchema(deriveSchema(columns, subject ?? 'row'));
      } catch (e) {
        throw schemaError('derived Avro schema', e);
      }
    }
    return new AvroEncoder(columns, parsed, registry === null ? null : registryFor(registry), subject);
  },
};
