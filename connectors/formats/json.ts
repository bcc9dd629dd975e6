/**
 * The `json` format: one JSON object per record, keys = column names.
 *
 * Decoding uses JSON.parse (native, the fastest parser available), which turns every number into
 * a double. Where a double is not enough - numeric columns (exact digits and scale) and bigint
 * values beyond 2^53 - the number's source text is recovered by `scanNumberTokens`, a small scan
 * of the top-level object that is only run for records that need it. (JSON.parse's reviver
 * `context.source` would give the same text, but Node 20's V8 does not have it, and a reviver
 * costs a call per value of every record.)
 */
import { SqlArray } from '../../runtime/sql/array.js';
import { isUtf8 } from 'node:buffer';
import type {
  DecodeError,
  DecodedBatch,
  FormatColumn,
  FormatFactory,
  FormatOptions,
  RecordDecoder,
  RecordEncoder,
} from '../../runtime/connector/format.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { TypeId, type SqlType } from '../../runtime/sql/types.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Row, type Value } from '../../runtime/sql/values.js';
import { Decimal } from '../../runtime/sql/decimal.js';
import type { Interval } from '../../runtime/sql/interval.js';
import { formatFloat4, formatFloat8, formatText, parseText, roundTimestampPrecision } from '../../runtime/sql/text-io.js';
import { formatDate } from '../../runtime/sql/datetime.js';
import { isValidTimestamp, timestampOutOfRange, timestampToTm } from '../../runtime/sql/calendar.js';
import { EMPTY_RECORD, checkOptionKeys, columnDecodeError, errorText, typeName } from './common.js';

// ------------------------------------------------------------------------ number source text

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the JSON string starting at text[i] === '"'. */
function skipString(text: string, i: number): number {
  i++;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length;
    // The quote is escaped when preceded by an odd number of backslashes.
    let b = q - 1;
    while (b >= i && text.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** Index just past the JSON value starting at text[i] (text is known to be valid JSON). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return skipString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i);
      if (d === 0x22) {
        i = skipString(text, i) - 1;
      } else if (d === 0x7b || d === 0x5b) {
        depth++;
      } else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return i;
  }
  // number or literal: up to the next structural character or space
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    i++;
  }
  return i;
}

/**
 * The source text of the numbers directly under the top-level object of `text` (valid JSON, as
 * JSON.parse accepted it), by key. A later duplicate key wins, as in JSON.parse.
 */
export function scanNumberTokens(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== 0x7b) return out;
  i++;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n || text.charCodeAt(i) !== 0x22) return out; // '}' (empty object) or end
    const keyEnd = skipString(text, i);
    const rawKey = text.slice(i + 1, keyEnd - 1);
    const key = rawKey.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : rawKey;
    i = keyEnd;
    while (i < n && text.charCodeAt(i) !== 0x3a) i++;
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    const c = text.charCodeAt(i);
    i = skipValue(text, i);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) out.set(key, text.slice(start, i));
    else out.delete(key);
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x2c) return out;
    i++;
  }
}

// ------------------------------------------------------------------------------ decoding

/** Per-record state the converters may consult (the record's text, its number tokens). */
interface RecordContext {
  text: string;
  tokens: Map<string, string> | null;
}

/** Converts a non-null JSON value of key `key` to the column's type; throws SqlError. */
type Converter = (v: unknown, key: string, ctx: RecordContext) => Value;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function shapeError(v: unknown, type: SqlType): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `cannot cast JSON ${jsonKind(v)} to type ${typeName(type)}`);
}

/** The source text of the number under `key`, for exact conversions. */
function numberText(v: number, key: string, ctx: RecordContext): string {
  if (ctx.tokens === null) ctx.tokens = scanNumberTokens(ctx.text);
  return ctx.tokens.get(key) ?? String(v);
}

const BIG_EXPONENT = /[eE]\+?\d{3}/;

/** JSON.parse turns 1e400 into Infinity, which jsonb cannot hold (PostgreSQL would keep a numeric). */
function assertFinite(v: unknown): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SqlError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
  } else if (Array.isArray(v)) {
    for (const e of v) assertFinite(e);
  } else if (v !== null && typeof v === 'object') {
    for (const e of Object.values(v)) assertFinite(e);
  }
}

function intConverter(type: SqlType, min: number, max: number): Converter {
  const name = typeName(type);
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) {
        throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${name}: "${v}"`);
      }
      if (v < min || v > max) {
        throw new SqlError(SqlState.NumericValueOutOfRange, `value "${v}" is out of range for type ${name}`);
      }
      return v === 0 ? 0 : v; // no -0
    }
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

const INT_TOKEN = /^-?\d+$/;

function int8Converter(type: SqlType): Converter {
  return (v, key, ctx) => {
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return BigInt(v);
      // Beyond 2^53 the double has lost digits: take the number's source text.
      const text = numberText(v, key, ctx);
      if (INT_TOKEN.test(text)) return parseText(type, text);
      // 1e3, 10.0: integral values in other spellings.
      const d = Decimal.fromString(text);
      if (d.trimScale().scale !== 0 || !d.isFinite()) {
        throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type bigint: "${text}"`);
      }
      return d.toBigInt();
    }
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

function numericConverter(type: SqlType): Converter {
  return (v, key, ctx) => {
    if (typeof v === 'number') {
      const d = Decimal.fromString(numberText(v, key, ctx));
      return type.typmod >= 0 ? d.applyPackedTypmod(type.typmod) : d;
    }
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

function floatConverter(type: SqlType): Converter {
  const real = type.id === TypeId.Float4;
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        throw new SqlError(SqlState.NumericValueOutOfRange, `"${v}" is out of range for type ${typeName(type)}`);
      }
      if (!real) return v;
      const f = Math.fround(v);
      if (!Number.isFinite(f) || (f === 0 && v !== 0)) {
        throw new SqlError(SqlState.NumericValueOutOfRange, `"${v}" is out of range for type real`);
      }
      return f;
    }
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

function boolConverter(type: SqlType): Converter {
  return (v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

/** Text columns take strings as they are and any other JSON value as its JSON text. */
function textConverter(type: SqlType): Converter {
  const plain = type.id === TypeId.Text || type.id === TypeId.Unknown || type.typmod < 0;
  return (v, key, ctx) => {
    let s: string;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number') s = numberText(v, key, ctx);
    else s = JSON.stringify(v);
    return plain ? s : parseText(type, s); // varchar(n)/char(n) length rules
  };
}

/** A JSON number in a timestamp column is milliseconds since 1970-01-01 00:00:00 UTC. */
function timestampConverter(type: SqlType): Converter {
  return (v) => {
    if (typeof v === 'number') {
      const micros = Math.round(v * 1000);
      if (!isValidTimestamp(micros)) throw timestampOutOfRange();
      return roundTimestampPrecision(micros === 0 ? 0 : micros, type.typmod);
    }
    if (typeof v === 'string') {
      const fast = isoUtcMicros(v);
      return fast !== undefined ? roundTimestampPrecision(fast, type.typmod) : parseText(type, v);
    }
    throw shapeError(v, type);
  };
}

/** `2024-05-01T10:00:03.123456Z` (or +00:00, or a space for T): the common case of event times in JSON. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|[+-]00(?::?00)?)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * µs since 1970 for a plain ISO-8601 UTC timestamp, or undefined for anything else (which goes
 * through PostgreSQL's full input parser). For `timestamp` columns the zone is ignored, as
 * PostgreSQL does; with +00 it names the same instant anyway. Saves the general parser's cost
 * (about a third of a JSON record's decode time in the Kafka benchmark).
 */
export function isoUtcMicros(s: string): number | undefined {
  const m = ISO_UTC.exec(s);
  if (m === null) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], sec = +m[6];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const leap = mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  if (d > DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0)) return undefined;
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  // Date.UTC maps years 0-99 to 1900-1999: leave those to the full parser.
  if (y < 100) return undefined;
  return ms * 1000 + frac;
}

function stringOnlyConverter(type: SqlType): Converter {
  return (v) => {
    if (typeof v === 'string') return parseText(type, v);
    throw shapeError(v, type);
  };
}

/** Array columns take a JSON array (elements converted as the element type, null as NULL) or PostgreSQL's text form. */
function arrayConverter(type: SqlType): Converter {
  const elem = converterFor(type.elem!);
  return (v, key, ctx) => {
    if (typeof v === 'string') return parseText(type, v);
    if (!Array.isArray(v)) throw shapeError(v, type);
    if (v.some(Array.isArray)) throw new SqlError(SqlState.InvalidParameterValue, `cannot cast a nested JSON array to type ${typeName(type)}`);
    return new SqlArray(v.map((x) => (x === null ? null : elem(x, key, ctx))));
  };
}

/** jsonb columns take the JSON value as it is. */
const jsonbConverter: Converter = (v, _key, ctx) => {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) assertFinite(v);
  } else if (typeof v === 'object' && BIG_EXPONENT.test(ctx.text)) {
    assertFinite(v);
  }
  return v as Jsonb;
};

function converterFor(type: SqlType): Converter {
  switch (type.id) {
    case TypeId.Int2: return intConverter(type, -32768, 32767);
    case TypeId.Int4: return intConverter(type, -2147483648, 2147483647);
    case TypeId.Int8: return int8Converter(type);
    case TypeId.Numeric: return numericConverter(type);
    case TypeId.Float4: case TypeId.Float8: return floatConverter(type);
    case TypeId.Bool: return boolConverter(type);
    case TypeId.Text: case TypeId.Varchar: case TypeId.Bpchar: case TypeId.Unknown: return textConverter(type);
    case TypeId.Timestamp: case TypeId.Timestamptz: return timestampConverter(type);
    case TypeId.Date: case TypeId.Time: case TypeId.Interval: return stringOnlyConverter(type);
    case TypeId.Jsonb: return jsonbConverter;
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return intConverter(type, 0, 4294967295);
    case TypeId.Array: return arrayConverter(type);
    case TypeId.Record: return stringOnlyConverter(type);
  }
}

interface ColumnPlan {
  name: string;
  /** Lower-cased name for the case-insensitive fallback; null when another column shares it. */
  lower: string | null;
  /** The name is also a property of Object.prototype ('constructor', 'toString' ...). */
  inherited: boolean;
  convert: Converter;
}

class JsonDecoder implements RecordDecoder {
  private readonly plans: ColumnPlan[];
  private readonly ctx: RecordContext = { text: '', tokens: null };

  constructor(columns: readonly FormatColumn[]) {
    const lowerCount = new Map<string, number>();
    for (const c of columns) lowerCount.set(c.name.toLowerCase(), (lowerCount.get(c.name.toLowerCase()) ?? 0) + 1);
    this.plans = columns.map((c) => ({
      name: c.name,
      lower: lowerCount.get(c.name.toLowerCase()) === 1 ? c.name.toLowerCase() : null,
      inherited: c.name in Object.prototype,
      convert: converterFor(c.type),
    }));
  }

  async decodeBatch(payloads: readonly (Buffer | null)[]): Promise<DecodedBatch> {
    const rows: (Row | undefined)[] = new Array(payloads.length);
    const errors: DecodeError[] = [];
    for (let i = 0; i < payloads.length; i++) {
      const r = this.decodeOne(payloads[i], i);
      if (Array.isArray(r)) rows[i] = r;
      else {
        rows[i] = undefined;
        errors.push(r);
      }
    }
    return { rows, errors };
  }

  private decodeOne(payload: Buffer | null, index: number): Row | DecodeError {
    if (payload === null || payload.length === 0) {
      return { index, message: EMPTY_RECORD, sqlstate: SqlState.InvalidParameterValue };
    }
    if (!isUtf8(payload)) {
      return { index, message: 'invalid byte sequence for encoding "UTF8"', sqlstate: SqlState.InvalidTextRepresentation };
    }
    let text = payload.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark is not JSON
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      return { index, message: `invalid JSON: ${errorText(e)}`, sqlstate: SqlState.InvalidTextRepresentation };
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return {
        index,
        message: `JSON record must be an object, got ${obj === null ? 'null' : jsonKind(obj)}`,
        sqlstate: SqlState.InvalidParameterValue,
      };
    }
    const rec = obj as Record<string, unknown>;
    const ctx = this.ctx;
    ctx.text = text;
    ctx.tokens = null;
    const plans = this.plans;
    const row: Row = new Array(plans.length);
    let folded: Map<string, string> | null = null;
    for (let c = 0; c < plans.length; c++) {
      const p = plans[c];
      let key = p.name;
      let v = p.inherited ? (Object.hasOwn(rec, key) ? rec[key] : undefined) : rec[key];
      if (v === undefined && p.lower !== null) {
        // Case-insensitive fallback, with the record's keys folded once per record.
        if (folded === null) {
          folded = new Map();
          for (const k of Object.keys(rec)) {
            const l = k.toLowerCase();
            if (!folded.has(l)) folded.set(l, k);
          }
        }
        const k = folded.get(p.lower);
        if (k !== undefined) {
          key = k;
          v = rec[k];
        }
      }
      if (v === undefined || v === null) {
        row[c] = null;
        continue;
      }
      try {
        row[c] = p.convert(v, key, ctx);
      } catch (e) {
        return columnDecodeError(index, p.name, e);
      }
    }
    return row;
  }
}

// ------------------------------------------------------------------------------ encoding

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/**
 * ISO 8601 for years 1..9999 ('2024-01-01T10:00:00.123456', microseconds only when non-zero);
 * other years and infinities use PostgreSQL's text, which is what the decoder parses anyway.
 */
function isoTimestamp(type: SqlType, micros: number, zone: string): string {
  if (!Number.isFinite(micros)) return micros > 0 ? 'infinity' : '-infinity';
  const tm = timestampToTm(micros);
  if (tm.year < 1 || tm.year > 9999) return formatText(type, micros);
  let s =
    String(tm.year).padStart(4, '0') + '-' + pad2(tm.month) + '-' + pad2(tm.day) +
    'T' + pad2(tm.hour) + ':' + pad2(tm.minute) + ':' + pad2(tm.second);
  if (tm.fsec !== 0) s += '.' + String(tm.fsec).padStart(6, '0');
  return s + zone;
}

/** Largest magnitude a JSON reader holding numbers as doubles gets exactly. */
const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A numeric is written as a JSON number when a reader that parses numbers as doubles recovers
 * the same decimal (at most 15 significant digits, DBL_DIG), else as a string.
 */
function numericJson(d: Decimal): string {
  const s = d.toString();
  if (!d.isFinite()) return '"' + s + '"';
  let digits = 0;
  let leading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) continue;
    if (leading && c === 0x30) continue;
    leading = false;
    digits++;
  }
  // ... and whose magnitude a double holds (no overflow, no subnormal precision loss).
  const n = Math.abs(Number(s));
  return digits <= 15 && n < 1e308 && (n >= 1e-307 || d.isZero()) ? s : '"' + s + '"';
}

function floatJson(v: number, real: boolean): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  return real ? formatFloat4(v) : formatFloat8(v);
}

type ValueWriter = (v: Value) => string;

function writerFor(type: SqlType): ValueWriter {
  switch (type.id) {
    case TypeId.Bool: return (v) => (v ? 'true' : 'false');
    case TypeId.Int2: case TypeId.Int4: return (v) => String(v);
    case TypeId.Int8:
      return (v) => {
        const b = v as bigint;
        const s = b.toString();
        return b <= SAFE_BIG && b >= -SAFE_BIG ? s : '"' + s + '"';
      };
    case TypeId.Float4: return (v) => floatJson(v as number, true);
    case TypeId.Float8: return (v) => floatJson(v as number, false);
    case TypeId.Numeric: return (v) => numericJson(v as Decimal);
    case TypeId.Text: case TypeId.Varchar: case TypeId.Unknown: return (v) => JSON.stringify(v as string);
    case TypeId.Bpchar: return (v) => JSON.stringify(formatText(type, v));
    case TypeId.Date: return (v) => '"' + formatDate(v as number) + '"';
    case TypeId.Time: return (v) => '"' + formatText(type, v) + '"';
    case TypeId.Timestamp: return (v) => '"' + isoTimestamp(type, v as number, '') + '"';
    case TypeId.Timestamptz: return (v) => '"' + isoTimestamp(type, v as number, 'Z') + '"';
    case TypeId.Interval: return (v) => '"' + (v as Interval).toString() + '"';
    case TypeId.Jsonb: return (v) => (v === JSON_NULL ? 'null' : JSON.stringify(v as JsonValue));
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return (v) => String(v);
    case TypeId.Record: return (v) => JSON.stringify(formatText(type, v));
    case TypeId.Array: {
      const elem = writerFor(type.elem!);
      return (v) => '[' + (v as SqlArray).items.map((x) => (x === null ? 'null' : elem(x))).join(',') + ']';
    }
  }
}

class JsonEncoder implements RecordEncoder {
  readonly contentType = 'application/json';
  private readonly prefixes: string[];
  private readonly writers: ValueWriter[];

  constructor(columns: readonly FormatColumn[]) {
    this.prefixes = columns.map((c, i) => (i === 0 ? '{' : ',') + JSON.stringify(c.name) + ':');
    this.writers = columns.map((c) => writerFor(c.type));
  }

  /** One row as JSON text. */
  encodeRow(row: Row): string {
    const { prefixes, writers } = this;
    if (prefixes.length === 0) return '{}';
    let s = '';
    for (let c = 0; c < prefixes.length; c++) {
      const v = row[c];
      s += prefixes[c] + (v === null || v === undefined ? 'null' : writers[c](v));
    }
    return s + '}';
  }

  async encodeBatch(rows: readonly Row[]): Promise<Buffer[]> {
    const out: Buffer[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = Buffer.from(this.encodeRow(rows[i]), 'utf8');
    return out;
  }
}

// ------------------------------------------------------------------------------ factory

const JSON_OPTIONS: readonly string[] = [];

export const jsonFormat: FormatFactory = {
  name: 'json',
  options: JSON_OPTIONS,
  validate(_columns: readonly FormatColumn[], options: FormatOptions): void {
    checkOptionKeys('json', JSON_OPTIONS, options);
  },
  decoder(columns: readonly FormatColumn[], options: FormatOptions): RecordDecoder {
    checkOptionKeys('json', JSON_OPTIONS, options);
    return new JsonDecoder(columns);
  },
  encoder(columns: readonly FormatColumn[], options: FormatOptions): RecordEncoder {
    checkOptionKeys('json', JSON_OPTIONS, options);
    return new JsonEncoder(columns);
  },
};
