/**
 * jsonb operators with PostgreSQL semantics: -> ->> #> #>> @> <@ ? ?| ?& - ||.
 * Inputs are non-null jsonb values (JSON_NULL for a JSON null); results may be SQL NULL (null).
 *
 *   jsonbGetKey({a: null}, 'a')        -> JSON_NULL     ('{"a":null}'::jsonb -> 'a' is 'null')
 *   jsonbToText(JSON_NULL)             -> null          (->> yields SQL NULL)
 *   jsonbContains([1, 2, [3]], [[3]])  -> true
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { JSON_NULL, type Jsonb, type JsonValue, type Value } from './values.js';
import { formatJsonb } from './text-io.js';
import { compareJsonb } from './compare.js';

type JsonObject = { [key: string]: JsonValue };

function unwrap(v: Value): JsonValue {
  return v === JSON_NULL ? null : (v as JsonValue);
}

function wrap(v: JsonValue | undefined): Value {
  if (v === undefined) return null;
  return v === null ? JSON_NULL : (v as Jsonb);
}

function isObject(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** jsonb -> text */
export function jsonbGetKey(v: Value, key: string): Value {
  const j = unwrap(v);
  if (!isObject(j) || !Object.prototype.hasOwnProperty.call(j, key)) return null;
  return wrap(j[key]);
}

/** jsonb -> int (negative indexes count from the end) */
export function jsonbGetIndex(v: Value, index: number): Value {
  const j = unwrap(v);
  if (!Array.isArray(j)) return null;
  const i = index < 0 ? j.length + index : index;
  if (i < 0 || i >= j.length) return null;
  return wrap(j[i]);
}

/** ->> and #>>: strings unquoted, JSON null -> SQL NULL, anything else as jsonb text. */
export function jsonbToText(v: Value): Value {
  if (v === null || v === JSON_NULL) return null;
  if (typeof v === 'string') return v;
  return formatJsonb(v as Jsonb);
}

/**
 * Parses a PostgreSQL text[] literal such as '{a,b,"c d"}' (used for #>, #>>, ?| and ?& whose
 * right operand is text[] in PostgreSQL). NULL elements come back as null.
 */
export function parseTextArray(text: string): (string | null)[] {
  const bad = (): SqlError =>
    new SqlError(SqlState.InvalidTextRepresentation, `malformed array literal: "${text}"`, {
      detail: 'Array value must start with "{" or dimension information.',
    });
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) throw bad();
  const body = s.slice(1, -1);
  const out: (string | null)[] = [];
  if (body.trim() === '') return out;
  let i = 0;
  while (i <= body.length) {
    while (i < body.length && /\s/.test(body[i])) i++;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\' && i + 1 < body.length) i++;
        item += body[i++];
      }
      if (i >= body.length) throw bad();
      i++;
      while (i < body.length && /\s/.test(body[i])) i++;
    } else {
      while (i < body.length && body[i] !== ',') {
        if (body[i] === '\\' && i + 1 < body.length) i++;
        item += body[i++];
      }
      item = item.trim();
      if (item === '' || item.includes('"') || item.includes('{')) throw bad();
    }
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : item);
    if (i >= body.length) break;
    if (body[i] !== ',') throw bad();
    i++;
  }
  return out;
}

/** jsonb #> text[] */
export function jsonbGetPath(v: Value, pathText: string): Value {
  const path = parseTextArray(pathText);
  let cur: JsonValue = unwrap(v);
  for (const p of path) {
    if (p === null) return null;
    if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, p)) return null;
      cur = cur[p];
    } else if (Array.isArray(cur)) {
      if (!/^\s*[+-]?\d+\s*$/.test(p)) return null;
      let i = Number(p);
      if (i < 0) i += cur.length;
      if (i < 0 || i >= cur.length) return null;
      cur = cur[i];
    } else {
      return null;
    }
  }
  return wrap(cur);
}

function scalarEquals(a: JsonValue, b: JsonValue): boolean {
  return compareJsonb(wrap(a) as Jsonb, wrap(b) as Jsonb) === 0;
}

/** Deep containment as PostgreSQL's JsonbDeepContains. */
function contains(a: JsonValue, b: JsonValue): boolean {
  if (isObject(a)) {
    if (!isObject(b)) return false;
    for (const k of Object.keys(b)) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) return false;
      const av = a[k];
      const bv = b[k];
      const bContainer = bv !== null && typeof bv === 'object';
      const aContainer = av !== null && typeof av === 'object';
      if (!bContainer) {
        if (aContainer || !scalarEquals(av, bv)) return false;
      } else {
        if (!aContainer || Array.isArray(av) !== Array.isArray(bv) || !contains(av, bv)) return false;
      }
    }
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b)) return false;
    for (const bv of b) {
      const bContainer = bv !== null && typeof bv === 'object';
      let found = false;
      for (const av of a) {
        const aContainer = av !== null && typeof av === 'object';
        if (!bContainer) {
          if (!aContainer && scalarEquals(av, bv)) {
            found = true;
            break;
          }
        } else if (aContainer && Array.isArray(av) === Array.isArray(bv) && contains(av, bv)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  return false;
}

/** jsonb @> jsonb */
export function jsonbContains(a: Value, b: Value): boolean {
  const x = unwrap(a);
  const y = unwrap(b);
  const xScalar = x === null || typeof x !== 'object';
  const yScalar = y === null || typeof y !== 'object';
  if (xScalar && yScalar) return scalarEquals(x, y);
  if (yScalar) return Array.isArray(x) && x.some((e) => (e === null || typeof e !== 'object') && scalarEquals(e, y));
  if (xScalar) return false;
  return contains(x, y);
}

/** jsonb ? text: top-level key, array string element, or equal string scalar. */
export function jsonbExists(v: Value, key: string): boolean {
  const j = unwrap(v);
  if (isObject(j)) return Object.prototype.hasOwnProperty.call(j, key);
  if (Array.isArray(j)) return j.some((e) => e === key);
  return j === key;
}

export function jsonbExistsAny(v: Value, keys: string): boolean {
  return parseTextArray(keys).some((k) => k !== null && jsonbExists(v, k));
}

export function jsonbExistsAll(v: Value, keys: string): boolean {
  return parseTextArray(keys).every((k) => k !== null && jsonbExists(v, k));
}

function cannotDeleteFromScalar(): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, 'cannot delete from scalar');
}

/** jsonb - text */
export function jsonbDeleteKey(v: Value, key: string): Value {
  const j = unwrap(v);
  if (isObject(j)) {
    if (!Object.prototype.hasOwnProperty.call(j, key)) return v;
    // fromEntries defines own properties, so a "__proto__" key stays a plain key
    return Object.fromEntries(Object.entries(j).filter(([k]) => k !== key)) as JsonObject;
  }
  if (Array.isArray(j)) return j.filter((e) => e !== key);
  throw cannotDeleteFromScalar();
}

/** jsonb - int */
export function jsonbDeleteIndex(v: Value, index: number): Value {
  const j = unwrap(v);
  if (Array.isArray(j)) {
    const i = index < 0 ? j.length + index : index;
    if (i < 0 || i >= j.length) return v;
    return j.filter((_, k) => k !== i);
  }
  if (isObject(j)) {
    throw new SqlError(SqlState.InvalidParameterValue, 'cannot delete from object using integer index');
  }
  throw cannotDeleteFromScalar();
}

/** jsonb || jsonb: objects merge (right wins), arrays concatenate, scalars/objects are wrapped. */
export function jsonbConcat(a: Value, b: Value): Value {
  const x = unwrap(a);
  const y = unwrap(b);
  if (isObject(x) && isObject(y)) return { ...x, ...y };
  const xs = Array.isArray(x) ? x : [x];
  const ys = Array.isArray(y) ? y : [y];
  return [...xs, ...ys];
}
