/**
 * jsonb functions (PostgreSQL 15 jsonfuncs.c / jsonb.c). Values are plain JSON trees with the
 * top-level JSON null as JSON_NULL (see values.ts); the operators live in runtime/sql/jsonb-ops.ts.
 *
 *   jsonb_build_object('a', 1, 'b', NULL) = {"a": 1, "b": null}
 *   jsonb_extract_path('{"a":[1,{"b":2}]}', 'a', '-1', 'b') = 2
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { compareJsonbKeys, formatJsonb, jsonQuote } from '../../sql/text-io.js';
import { T } from '../../sql/types.js';
import type { Jsonb, JsonValue, Value } from '../../sql/values.js';
import { fn, fnBind, type FunctionDef } from './function-def.js';
import { invalidParameter } from './function-errors.js';
import { setKey, toJsonb, toJsonbKey, unwrapJsonb, wrapJsonb } from './to-jsonb.js';

type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    default: return 'object';
  }
}

function arrayLength(v: JsonValue): number {
  if (Array.isArray(v)) return v.length;
  if (isObject(v)) throw invalidParameter('cannot get array length of a non-array');
  throw invalidParameter('cannot get array length of a scalar');
}

/** An array subscript in a text path: strtol semantics (leading blanks, sign, nothing after). */
function pathIndex(s: string): number | null {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(s)) return null;
  const n = Number(s.trim());
  return n > 2147483647 || n < -2147483648 ? null : n;
}

/** jsonb_extract_path / #>: undefined when the path does not exist. */
function extractPath(root: JsonValue, path: readonly Value[]): JsonValue | undefined {
  let cur: JsonValue = root;
  for (const p of path) {
    const key = p as string;
    if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
      cur = cur[key];
    } else if (Array.isArray(cur)) {
      const idx = pathIndex(key);
      if (idx === null) return undefined;
      const i = idx < 0 ? cur.length + idx : idx;
      if (i < 0 || i >= cur.length) return undefined;
      cur = cur[i];
    } else {
      return undefined;
    }
  }
  return cur;
}

function stripNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) setKey(out, k, stripNulls(x));
  return out;
}

const INDENT = '    ';

/** jsonb_pretty: four-space indentation, empty containers as '{\n}' at the opener's indentation. */
function pretty(v: JsonValue, level: number): string {
  if (v === null || typeof v !== 'object') return formatJsonb(wrapJsonb(v));
  const pad = INDENT.repeat(level);
  const inner = INDENT.repeat(level + 1);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + pad + ']';
    return '[\n' + v.map((x) => inner + pretty(x, level + 1)).join(',\n') + '\n' + pad + ']';
  }
  // jsonb key order: shorter keys first, then bytewise.
  const keys = orderedKeys(v);
  if (keys.length === 0) return '{\n' + pad + '}';
  return '{\n' + keys.map((k) => inner + jsonQuote(k) + ': ' + pretty(v[k], level + 1)).join(',\n') + '\n' + pad + '}';
}

function orderedKeys(o: JsonObject): string[] {
  return Object.keys(o).sort(compareJsonbKeys);
}

export const JSON_FUNCTIONS: readonly FunctionDef[] = [
  fn('jsonb_typeof', ['jsonb'], T.text, (a) => typeOf(unwrapJsonb(a[0] as Jsonb))),
  fn('jsonb_array_length', ['jsonb'], T.int4, (a) => arrayLength(unwrapJsonb(a[0] as Jsonb))),
  fn('jsonb_extract_path', ['jsonb'], T.jsonb, (a) => {
    const r = extractPath(unwrapJsonb(a[0] as Jsonb), a.slice(1));
    return r === undefined ? null : wrapJsonb(r);
  }, { variadic: 'text' }),
  fn('jsonb_extract_path_text', ['jsonb'], T.text, (a) => {
    const r = extractPath(unwrapJsonb(a[0] as Jsonb), a.slice(1));
    if (r === undefined || r === null) return null;
    return typeof r === 'string' ? r : formatJsonb(r as Jsonb);
  }, { variadic: 'text' }),
  fnBind('to_jsonb', ['anyelement'], T.jsonb, ([t]) => (a) => toJsonb(t, a[0]), { volatility: 'stable' }),
  fn('jsonb_build_object', [], T.jsonb, () => ({}), { strict: false, volatility: 'stable' }),
  fnBind('jsonb_build_object', [], T.jsonb, (types) => {
    return (a) => {
      if (a.length % 2 !== 0) {
        throw new SqlError(SqlState.InvalidParameterValue, 'argument list must have even number of elements', {
          hint: 'The arguments of jsonb_build_object() must consist of alternating keys and values.',
        });
      }
      const out: JsonObject = {};
      for (let i = 0; i < a.length; i += 2) {
        if (a[i] === null) throw invalidParameter(`argument ${i + 1}: key must not be null`);
        const key = toJsonbKey(types[i], a[i]);
        const v = a[i + 1];
        setKey(out, key, v === null ? null : unwrapJsonb(toJsonb(types[i + 1], v)));
      }
      return out;
    };
  }, { variadic: 'any', strict: false, volatility: 'stable' }),
  fn('jsonb_build_array', [], T.jsonb, () => [], { strict: false, volatility: 'stable' }),
  fnBind('jsonb_build_array', [], T.jsonb, (types) => (a) =>
    a.map((v, i) => (v === null ? null : unwrapJsonb(toJsonb(types[i], v)))),
  { variadic: 'any', strict: false, volatility: 'stable' }),
  fn('jsonb_strip_nulls', ['jsonb'], T.jsonb, (a) => wrapJsonb(stripNulls(unwrapJsonb(a[0] as Jsonb)))),
  fn('jsonb_pretty', ['jsonb'], T.text, (a) => pretty(unwrapJsonb(a[0] as Jsonb), 0)),
];
