/**
 * Text input and output functions of every SQL type, as PostgreSQL's typinput/typoutput
 * (DateStyle ISO, TimeZone UTC, extra_float_digits = 1, IntervalStyle postgres).
 *
 *   parseText(T.int4, ' 42 ')        -> 42
 *   formatText(T.float8, 1e20)       -> '1e+20'
 *   formatText(T.jsonb, {bb: [1, 2], a: 1}) -> '{"a": 1, "bb": [1, 2]}'
 */
import { formatTime, parseTime, roundTimePrecision } from './time.js';
import { SqlArray, formatArrayText, parseArrayText } from './array.js';
import { SqlRecord, formatRecordText } from './record.js';
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { TypeId, type SqlType } from './types.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Value } from './values.js';
import { Decimal } from './decimal.js';
import { Interval } from './interval.js';
import { formatFloat4, formatFloat8 } from './float-format.js';
import { checkJson } from './json-check.js';
import {
  formatDate,
  formatTimestamp,
  formatTimestamptz,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
} from './datetime.js';

// ------------------------------------------------------------------------------------ input

function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceCode(s.charCodeAt(a))) a++;
  while (b > a && isSpaceCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** boolin: t/true/yes/on/1 and f/false/no/off/0 (any unique prefix), case-insensitive, trimmed. */
export function parseBool(text: string): boolean {
  const s = trimSpaces(text).toLowerCase();
  const n = s.length;
  if (n > 0) {
    switch (s[0]) {
      case 't': if ('true'.startsWith(s)) return true; break;
      case 'f': if ('false'.startsWith(s)) return false; break;
      case 'y': if ('yes'.startsWith(s)) return true; break;
      case 'n': if ('no'.startsWith(s)) return false; break;
      case 'o':
        if (n >= 2 && 'on'.startsWith(s)) return true;
        if (n >= 2 && 'off'.startsWith(s)) return false;
        break;
      case '1': if (n === 1) return true; break;
      case '0': if (n === 1) return false; break;
    }
  }
  throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
}

const INT_RE = /^[+-]?\d+$/;

function parseIntText(text: string, typeName: string, min: number, max: number): number {
  const s = trimSpaces(text);
  if (!INT_RE.test(s)) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  const v = s.length < 16 ? Number(s) : Number(BigInt(s));
  if (v < min || v > max || (s.length >= 16 && (BigInt(s) < BigInt(min) || BigInt(s) > BigInt(max)))) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
  }
  return v === 0 ? 0 : v; // no -0
}

export function parseInt2(text: string): number {
  return parseIntText(text, 'smallint', -32768, 32767);
}

export function parseInt4(text: string): number {
  return parseIntText(text, 'integer', -2147483648, 2147483647);
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export function parseInt8(text: string): bigint {
  const s = trimSpaces(text);
  if (!INT_RE.test(s)) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type bigint: "${text}"`);
  }
  const v = BigInt(s);
  if (v < INT8_MIN || v > INT8_MAX) {
    throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type bigint`);
  }
  return v;
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]+)$/;

function parseFloatText(text: string, typeName: 'double precision' | 'real'): number {
  const s = trimSpaces(text);
  let v: number;
  if (FLOAT_RE.test(s)) {
    v = Number(s);
  } else {
    const low = s.toLowerCase();
    switch (low) {
      case 'nan': return NaN;
      case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
      case '-infinity': case '-inf': return -Infinity;
    }
    const hex = HEX_RE.exec(s);
    if (hex === null) {
      throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
    }
    v = parseInt(hex[2], 16) * (hex[1] === '-' ? -1 : 1);
  }
  const outOfRange = (): SqlError =>
    new SqlError(SqlState.NumericValueOutOfRange, `"${s}" is out of range for type ${typeName}`);
  if (!Number.isFinite(v)) throw outOfRange();
  if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) throw outOfRange();
  if (typeName === 'real') {
    const f = Math.fround(v);
    if (!Number.isFinite(f) || (f === 0 && v !== 0)) throw outOfRange();
    return f;
  }
  return v;
}

export function parseFloat8(text: string): number {
  return parseFloatText(text, 'double precision');
}

export function parseFloat4(text: string): number {
  return parseFloatText(text, 'real');
}

/** Number of characters (code points) of a string. */
export function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The first `n` characters (code points) of s. */
export function charPrefix(s: string, n: number): string {
  if (s.length <= n) return s;
  let i = 0;
  let count = 0;
  while (i < s.length && count < n) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    count++;
  }
  return s.slice(0, i);
}

/**
 * Applies a varchar(n)/bpchar(n) length limit the way input and assignment do: extra characters
 * are an error (22001) unless they are all spaces, which are dropped.
 */
export function enforceCharLength(s: string, n: number, typeName: 'character varying' | 'character'): string {
  if (s.length <= n) return s;
  const len = charLength(s);
  if (len <= n) return s;
  const head = charPrefix(s, n);
  const rest = s.slice(head.length);
  for (let i = 0; i < rest.length; i++) {
    if (rest.charCodeAt(i) !== 32) {
      throw new SqlError(SqlState.StringDataRightTruncation, `value too long for type ${typeName}(${n})`);
    }
  }
  return head;
}

/** Pads a bpchar value with spaces to n characters. */
export function padBpchar(s: string, n: number): string {
  if (s.length >= n) {
    const len = charLength(s);
    if (len >= n) return s;
    return s + ' '.repeat(n - len);
  }
  const len = charLength(s);
  return len >= n ? s : s + ' '.repeat(n - len);
}

/** Rounds microseconds to timestamp(p) precision (half away from zero, as PostgreSQL). */
export function roundTimestampPrecision(micros: number, p: number): number {
  if (p < 0 || p >= 6 || !Number.isFinite(micros)) return micros;
  const scale = 10 ** (6 - p);
  const off = scale / 2;
  return micros >= 0 ? Math.floor((micros + off) / scale) * scale : -Math.floor((-micros + off) / scale) * scale;
}

/** jsonb input: JSON text -> JS value (top-level null is JSON_NULL); errors as PostgreSQL's. */
export function parseJsonb(text: string): Jsonb {
  let v: JsonValue;
  try {
    v = JSON.parse(text) as JsonValue;
  } catch {
    checkJson(text); // throws PostgreSQL's error and detail
    throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type json');
  }
  // PostgreSQL rejects \u0000 and unpaired surrogates, which JSON.parse accepts.
  if (text.includes('\\u')) checkJson(text);
  if (typeof v === 'number' ? !Number.isFinite(v) : /[eE]\+?\d{3}/.test(text)) assertFiniteNumbers(v);
  return v === null ? JSON_NULL : v;
}

/** Numbers beyond the float8 range cannot be represented (PostgreSQL would keep them as numeric). */
function assertFiniteNumbers(v: JsonValue): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw new SqlError(SqlState.NumericValueOutOfRange, 'value overflows numeric format', {
        detail: 'JSON numbers beyond the double precision range are not supported.',
      });
    }
  } else if (Array.isArray(v)) {
    for (const e of v) assertFiniteNumbers(e);
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) assertFiniteNumbers(v[k]);
  }
}

/**
 * The type input function: text -> value of `type`, with the type's typmod applied
 * (varchar/bpchar length, numeric precision/scale, timestamp precision).
 */
export function parseText(type: SqlType, text: string): Value {
  switch (type.id) {
    case TypeId.Bool: return parseBool(text);
    case TypeId.Int2: return parseInt2(text);
    case TypeId.Int4: return parseInt4(text);
    case TypeId.Int8: return parseInt8(text);
    case TypeId.Float4: return parseFloat4(text);
    case TypeId.Float8: return parseFloat8(text);
    case TypeId.Numeric: {
      const d = Decimal.fromString(text);
      return type.typmod >= 0 ? d.applyPackedTypmod(type.typmod) : d;
    }
    case TypeId.Text: case TypeId.Unknown: return text;
    case TypeId.Varchar:
      return type.typmod >= 0 ? enforceCharLength(text, type.typmod, 'character varying') : text;
    case TypeId.Bpchar:
      return type.typmod >= 0 ? padBpchar(enforceCharLength(text, type.typmod, 'character'), type.typmod) : text;
    case TypeId.Date: return parseDate(text);
    case TypeId.Time: return type.typmod >= 0 ? roundTimePrecision(parseTime(text), type.typmod) : parseTime(text);
    case TypeId.Timestamp: return roundTimestampPrecision(parseTimestamp(text), type.typmod);
    case TypeId.Timestamptz: return roundTimestampPrecision(parseTimestamptz(text), type.typmod);
    case TypeId.Interval: return Interval.parse(text);
    case TypeId.Jsonb: return parseJsonb(text);
    case TypeId.Oid: return parseOid(text, 'oid');
    case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      // Names need the catalog: the planner resolves them (a cast from text); only numeric oids parse here.
      return parseOid(text, type.id);
    case TypeId.Array: {
      const elem = type.elem!;
      return parseArrayText(text, (s) => parseText(elem, s));
    }
    case TypeId.Record:
      throw new SqlError(SqlState.FeatureNotSupported, 'input of anonymous composite types is not implemented');
  }
}

/** oid input: an unsigned 32-bit integer (PostgreSQL also accepts negatives as their two's complement). */
export function parseOid(text: string, typeName: string): number {
  const t = trimSpaces(text);
  if (!/^[+-]?\d+$/.test(t)) {
    throw new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  const n = Number(t);
  if (n > 4294967295 || n < -2147483648) throw new SqlError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
  return n < 0 ? n + 4294967296 : n;
}

// ----------------------------------------------------------------------------------- output

export { formatFloat4, formatFloat8 };

/** Escapes a string as a JSON string literal the way PostgreSQL's escape_json does. */
export function jsonQuote(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      switch (c) {
        case 0x22: rep = '\\"'; break;
        case 0x5c: rep = '\\\\'; break;
        case 0x08: rep = '\\b'; break;
        case 0x0c: rep = '\\f'; break;
        case 0x0a: rep = '\\n'; break;
        case 0x0d: rep = '\\r'; break;
        case 0x09: rep = '\\t'; break;
        default: rep = '\\u' + c.toString(16).padStart(4, '0');
      }
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** JSON number as PostgreSQL's numeric prints it (never exponent notation). */
export function jsonNumberText(n: number): string {
  const s = String(n);
  if (s.indexOf('e') < 0) return s;
  return Decimal.fromString(s).toString();
}

/** jsonb key order: shorter keys first (by UTF-8 length), then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  if (a === b) return 0;
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la - lb;
  return compareCodePoints(a, b);
}

export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff) {
        n += 2; // surrogate pair: 4 bytes for 2 code units
        i++;
      } else n += 2;
    }
  }
  return n;
}

/** Code point (= UTF-8 byte) order of two strings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF: they sort after 0xE000-0xFFFF.
      if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x10000;
      if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x10000;
      return ca - cb;
    }
  }
  return a.length - b.length;
}

function sortedKeys(o: { [key: string]: JsonValue }): string[] {
  return Object.keys(o).sort(compareJsonbKeys);
}

function jsonbText(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return jsonQuote(v);
    case 'number': return jsonNumberText(v);
    case 'boolean': return v ? 'true' : 'false';
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ', ';
      out += jsonbText(v[i]);
    }
    return out + ']';
  }
  const keys = sortedKeys(v);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ', ';
    out += jsonQuote(keys[i]) + ': ' + jsonbText(v[keys[i]]);
  }
  return out + '}';
}

/** jsonb_out: PostgreSQL's canonical text ('{"a": 1, "bb": [1, 2]}'). */
export function formatJsonb(v: Jsonb): string {
  return v === JSON_NULL ? 'null' : jsonbText(v as JsonValue);
}

/** The type output function: non-null value -> PostgreSQL text. */
export function formatText(type: SqlType, v: Value): string {
  switch (type.id) {
    case TypeId.Bool: return v ? 't' : 'f';
    case TypeId.Int2: case TypeId.Int4: return String(v);
    case TypeId.Int8: return (v as bigint).toString();
    case TypeId.Float4: return formatFloat4(v as number);
    case TypeId.Float8: return formatFloat8(v as number);
    case TypeId.Numeric: return (v as Decimal).toString();
    case TypeId.Text: case TypeId.Varchar: case TypeId.Unknown: return v as string;
    case TypeId.Bpchar: return type.typmod > 0 ? padBpchar(v as string, type.typmod) : (v as string);
    case TypeId.Date: return formatDate(v as number);
    case TypeId.Time: return formatTime(v as number);
    case TypeId.Timestamp: return formatTimestamp(v as number);
    case TypeId.Timestamptz: return formatTimestamptz(v as number);
    case TypeId.Interval: return (v as Interval).toString();
    case TypeId.Jsonb: return formatJsonb(v as Jsonb);
    // reg* names need the catalog; the planner casts them to text where it can (see bind-expr).
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return String(v);
    case TypeId.Array: {
      const elem = type.elem!;
      return formatArrayText(v as SqlArray, (x) => formatText(elem, x));
    }
    case TypeId.Record: {
      const fields = type.fields ?? [];
      return formatRecordText(v as SqlRecord, (i, x) => (fields[i] ? formatText(fields[i].type, x) : String(x)));
    }
  }
}
