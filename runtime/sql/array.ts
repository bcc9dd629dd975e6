/**
 * SQL arrays: one-dimensional, 1-based by default, elements of one SQL type (the static type's
 * `elem`). A class, not a plain JS array, so an array value never looks like a jsonb array.
 * Multi-dimensional arrays are not supported (their input is 0A000).
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import type { Value } from './values.js';

export class SqlArray {
  constructor(
    readonly items: readonly Value[],
    /** Subscript of the first element (PostgreSQL's lower bound; 1 unless written as [n:m]={...}). */
    readonly lower: number = 1,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Element at a SQL subscript, or NULL outside the bounds (as PostgreSQL). */
  at(subscript: number): Value {
    const i = subscript - this.lower;
    return i >= 0 && i < this.items.length ? this.items[i] : null;
  }
}

function malformed(text: string, detail: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
}

/** Parses PostgreSQL's array text form `{a,"b c",NULL}` (elements still as text, NULL as null). */
export function parseArrayText(text: string, parseElem: (s: string) => Value, delimiter = ','): SqlArray {
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && /\s/.test(text[i])) i++;
  };
  skipWs();
  let lower = 1;
  if (text[i] === '[') {
    const m = /^\[(-?\d+):(-?\d+)\]\s*=\s*/.exec(text.slice(i));
    if (!m) throw malformed(text, 'Array dimensions are malformed.');
    lower = Number(m[1]);
    i += m[0].length;
  }
  if (text[i] !== '{') throw malformed(text, 'Array value must start with "{" or dimension information.');
  i++;
  const items: Value[] = [];
  skipWs();
  if (text[i] === '}') {
    i++;
  } else {
    for (;;) {
      skipWs();
      if (text[i] === '{') throw new SqlError(SqlState.FeatureNotSupported, 'multidimensional arrays are not supported');
      let raw = '';
      let quoted = false;
      if (text[i] === '"') {
        quoted = true;
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\') i++;
          if (i >= n) break;
          raw += text[i++];
        }
        if (text[i] !== '"') throw malformed(text, 'Unexpected end of input.');
        i++;
        skipWs();
      } else {
        while (i < n && text[i] !== delimiter && text[i] !== '}') {
          if (text[i] === '\\') i++;
          if (i >= n) break;
          if (text[i] === '"' || text[i] === '{') throw malformed(text, `Unexpected "${text[i]}" character.`);
          raw += text[i++];
        }
        raw = raw.trim();
        if (raw === '') throw malformed(text, 'Unexpected "' + (text[i] ?? '') + '" character.');
      }
      items.push(!quoted && raw.toUpperCase() === 'NULL' ? null : parseElem(raw));
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        break;
      }
      throw malformed(text, 'Unexpected end of input.');
    }
  }
  skipWs();
  if (i < n) throw malformed(text, 'Junk after closing right brace.');
  return new SqlArray(items, lower);
}

/** PostgreSQL's array output: elements quoted when empty, NULL-like, or holding special characters. */
export function formatArrayText(a: SqlArray, formatElem: (v: Value) => string): string {
  const parts = a.items.map((v) => {
    if (v === null) return 'NULL';
    const s = formatElem(v);
    if (s === '' || /^null$/i.test(s) || /[{},"\\\s]/.test(s)) return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
    return s;
  });
  const body = '{' + parts.join(',') + '}';
  return a.lower === 1 || a.items.length === 0 ? body : `[${a.lower}:${a.lower + a.items.length - 1}]=${body}`;
}

/** Element-wise comparison (NULL elements sort last, shorter arrays first on a common prefix), as PostgreSQL's btree order. */
export function compareArrays(a: SqlArray, b: SqlArray, cmp: (x: Value, y: Value) => number): number {
  const n = Math.min(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const x = a.items[i];
    const y = b.items[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = cmp(x, y);
    if (c !== 0) return c;
  }
  if (a.items.length !== b.items.length) return a.items.length < b.items.length ? -1 : 1;
  return a.lower === b.lower ? 0 : a.lower < b.lower ? -1 : 1;
}
