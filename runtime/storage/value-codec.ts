/**
 * Value codec: a JSON-based, self-describing text encoding for SQL values and operator state.
 *
 * Plain JSON carries null, booleans, finite numbers, strings, arrays and plain objects. Everything
 * JSON cannot carry is written as a *tagged string*: a string whose first character is U+0001,
 * followed by a one-letter tag:
 *
 *   bigint 42n            -> "\u0001n42"
 *   Decimal 1.50          -> "\u0001d1.50"          (display scale kept; NaN/Infinity too)
 *   Interval 1 mon 2 days -> "\u0001i1,2,0"         (months,days,micros)
 *   SqlArray {1,2}        -> "\u0001a[1,1,2]"      (lower bound, then the encoded elements)
 *   JSON_NULL             -> "\u0001j"
 *   NaN, Infinity, -Infinity, -0 -> "\u0001N", "\u0001I", "\u0001-I", "\u0001-0"
 *   undefined             -> "\u0001u"
 *   a real string that starts with U+0001 -> "\u0001s" + the string
 *
 * So `serialize([1n, Decimal.fromString('1.50'), null])` is `["\u0001n1","\u0001d1.50",null]`
 * and `deserialize` gives back an equal structure. Rows (`encodeRow`/`decodeRow`) use the same
 * encoding; a row's encoding is also its representation identity (two rows encode equally exactly
 * when they are the same values with the same representation).
 *
 * Only plain objects (prototype Object.prototype or null), arrays and the value types above are
 * accepted; anything else (Map, Date, functions...) is a programming error and throws.
 */
import { Decimal } from '../sql/decimal.js';
import { Interval } from '../sql/interval.js';
import { SqlArray } from '../sql/array.js';
import { JSON_NULL } from '../sql/values.js';
import type { Row } from '../sql/values.js';

const TAG = 1; // U+0001
const T = '\u0001';

/** Encodes any supported value or state tree as a string (see the module comment). */
export function serialize(x: unknown): string {
  return enc(x);
}

/** Inverse of serialize. */
export function deserialize(s: string): unknown {
  return revive(JSON.parse(s));
}

/** Encodes a row. Equal encodings <=> identical rows (same values, same representations). */
export function encodeRow(row: Row): string {
  const n = row.length;
  if (n === 0) return '[]';
  let out = '[' + enc(row[0]);
  for (let i = 1; i < n; i++) out += ',' + enc(row[i]);
  return out + ']';
}

/** Inverse of encodeRow. */
export function decodeRow(s: string): Row {
  const arr = JSON.parse(s) as unknown[];
  if (!Array.isArray(arr)) throw new TypeError('decodeRow: not an encoded row');
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v !== null && typeof v === 'object') revive(v);
    else if (typeof v === 'string' && v.length > 0 && v.charCodeAt(0) === TAG) arr[i] = decodeTagged(v);
  }
  return arr as Row;
}

function encString(s: string): string {
  return JSON.stringify(s.length > 0 && s.charCodeAt(0) === TAG ? T + 's' + s : s);
}

function enc(x: unknown): string {
  switch (typeof x) {
    case 'string':
      return encString(x);
    case 'number':
      if (Number.isFinite(x)) return x === 0 && 1 / x < 0 ? '"\\u0001-0"' : String(x);
      return x !== x ? '"\\u0001N"' : x > 0 ? '"\\u0001I"' : '"\\u0001-I"';
    case 'boolean':
      return x ? 'true' : 'false';
    case 'bigint':
      return '"\\u0001n' + x.toString() + '"';
    case 'undefined':
      return '"\\u0001u"';
    case 'symbol':
      if (x === JSON_NULL) return '"\\u0001j"';
      break;
    case 'object': {
      if (x === null) return 'null';
      if (Array.isArray(x)) {
        const n = x.length;
        if (n === 0) return '[]';
        let out = '[' + enc(x[0]);
        for (let i = 1; i < n; i++) out += ',' + enc(x[i]);
        return out + ']';
      }
      if (x instanceof Decimal) return '"\\u0001d' + x.toString() + '"';
      if (x instanceof Interval) return '"\\u0001i' + x.months + ',' + x.days + ',' + x.micros + '"';
      if (x instanceof SqlArray) return JSON.stringify(T + 'a' + encodeRow([x.lower, ...x.items]));
      const proto = Object.getPrototypeOf(x);
      if (proto === Object.prototype || proto === null) {
        let out = '{';
        let first = true;
        for (const k of Object.keys(x)) {
          out += (first ? '' : ',') + JSON.stringify(k) + ':' + enc((x as Record<string, unknown>)[k]);
          first = false;
        }
        return out + '}';
      }
      break;
    }
    default:
      break;
  }
  throw new TypeError(`value-codec: cannot serialize ${describe(x)}`);
}

function describe(x: unknown): string {
  if (typeof x === 'object' && x !== null) return `object of class ${x.constructor?.name ?? '?'}`;
  return typeof x;
}

/** Decodes tagged strings in place (arrays/objects) and returns the revived value. */
function revive(x: unknown): unknown {
  if (typeof x === 'string') return x.length > 0 && x.charCodeAt(0) === TAG ? decodeTagged(x) : x;
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (typeof v === 'string') {
        if (v.length > 0 && v.charCodeAt(0) === TAG) x[i] = decodeTagged(v);
      } else if (v !== null && typeof v === 'object') revive(v);
    }
    return x;
  }
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    const r = revive(v);
    if (r !== v) {
      if (k === '__proto__') Object.defineProperty(o, k, { value: r, enumerable: true, writable: true, configurable: true });
      else o[k] = r;
    }
  }
  return o;
}

function decodeTagged(s: string): unknown {
  const tag = s.charAt(1);
  switch (tag) {
    case 's': return s.slice(2);
    case 'n': return BigInt(s.slice(2));
    case 'd': return Decimal.fromString(s.slice(2));
    case 'i': {
      const parts = s.slice(2).split(',');
      return new Interval(Number(parts[0]), Number(parts[1]), Number(parts[2]));
    }
    case 'a': {
      const r = decodeRow(s.slice(2));
      return new SqlArray(r.slice(1), r[0] as number);
    }
    case 'j': return JSON_NULL;
    case 'N': return NaN;
    case 'I': return Infinity;
    case '-': return s === T + '-0' ? -0 : -Infinity;
    case 'u': return undefined;
    default: throw new TypeError(`value-codec: unknown tag ${JSON.stringify(tag)}`);
  }
}
