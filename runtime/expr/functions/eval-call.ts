/**
 * Test support for the function tests: evaluates a call written like SQL, the way the binder and
 * the compiled closure would (resolve, cast each argument to the resolved type, strict NULLs),
 * and returns PostgreSQL's text output of the result.
 *
 *   evalCall("round(2.5::float8)")                 -> { text: '2', type: float8 }
 *   evalCall("substr('hello', -1, 3)")             -> { text: 'h', type: text }
 *
 * Arguments: NULL, 'text' (untyped literal), 'text'::type, integers (int4, or int8 when large),
 * decimals (numeric), n::type, true/false.
 */
import assert from 'node:assert/strict';
import { castValue } from '../../sql/cast.js';
import { isSqlError } from '../../sql/errors.js';
import { formatText, parseText } from '../../sql/text-io.js';
import { T, sqlType, type SqlType, type TypeId } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { newEvalContext, type EvalContext } from '../eval-context.js';
import { lookupFunction } from './registry.js';

const TYPE_NAMES: Readonly<Record<string, TypeId>> = {
  int: 'int4', integer: 'int4', int2: 'int2', smallint: 'int2', int4: 'int4', int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4', float8: 'float8', numeric: 'numeric', text: 'text', varchar: 'varchar',
  char: 'bpchar', bpchar: 'bpchar', bool: 'bool', boolean: 'bool', date: 'date', timestamp: 'timestamp',
  timestamptz: 'timestamptz', interval: 'interval', jsonb: 'jsonb',
};

interface Arg {
  type: SqlType;
  text: string | null;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      cur += c;
      if (c === "'") {
        if (s[i + 1] === "'") {
          cur += "'";
          i++;
        } else quoted = false;
      }
      continue;
    }
    if (c === "'") quoted = true;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function parseType(name: string): SqlType {
  const m = /^([a-z0-9 ]+?)\s*(?:\((\d+)\))?$/.exec(name.trim().toLowerCase());
  const id = m ? TYPE_NAMES[m[1]] : undefined;
  if (id === undefined) throw new Error(`unknown type ${name}`);
  return sqlType(id, m?.[2] !== undefined ? Number(m[2]) : -1);
}

function parseArg(a: string): Arg {
  if (/^null$/i.test(a)) return { type: T.unknown, text: null };
  if (/^(true|false)$/i.test(a)) return { type: T.bool, text: a.toLowerCase() };
  let m = /^(E?)'((?:[^']|'')*)'(?:::(.+))?$/s.exec(a);
  if (m) {
    let text = m[2].replace(/''/g, "'");
    if (m[1] === 'E') text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
    return { type: m[3] ? parseType(m[3]) : T.unknown, text };
  }
  m = /^(-?[\d.]+(?:e[+-]?\d+)?)(?:::(.+))?$/i.exec(a);
  if (m) {
    if (m[2]) return { type: parseType(m[2]), text: m[1] };
    if (/[.e]/i.test(m[1])) return { type: T.numeric, text: m[1] };
    const b = BigInt(m[1]);
    if (b >= -2147483648n && b <= 2147483647n) return { type: T.int4, text: m[1] };
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return { type: T.int8, text: m[1] };
    return { type: T.numeric, text: m[1] };
  }
  throw new Error(`cannot parse argument ${a}`);
}

/** A fixed statement time for tests: 2024-01-15 10:30:00 UTC. */
export const TEST_NOW = Date.UTC(2024, 0, 15, 10, 30, 0) * 1000;

export function testContext(): EvalContext {
  return newEvalContext({ statementTimestamp: TEST_NOW, user: 'alice', database: 'shop' });
}

export interface CallResult {
  text: string | null;
  type: SqlType;
}

/** Evaluates `name(arg, ...)`; throws 'NotFound' / 'Ambiguous' errors or the function's SqlError. */
export function evalCall(expr: string, ctx: EvalContext = testContext()): CallResult {
  const m = /^([a-z_0-9]+)\((.*)\)$/s.exec(expr.trim());
  if (!m) throw new Error(`bad expression ${expr}`);
  const args = splitArgs(m[2]).map(parseArg);
  const r = lookupFunction(m[1], args.map((a) => a.type));
  if (r.kind !== 'Found') throw new Error(`${r.kind}: ${expr}`);
  const fn = r.fn;
  const values: Value[] = args.map((a, i) => {
    if (a.text === null) return null;
    const v = a.type.id === 'unknown' ? a.text : parseText(a.type, a.text);
    return castValue(v, a.type, fn.argTypes[i], 'implicit');
  });
  if (fn.strict && values.some((v) => v === null)) return { text: null, type: fn.returnType };
  const out = fn.impl(values, ctx);
  return { text: out === null ? null : formatText(fn.returnType, out), type: fn.returnType };
}

/** Asserts the text output (null for SQL NULL) and, when given, the result type id. */
export function expectCall(expr: string, expected: string | null, type?: TypeId): void {
  const r = evalCall(expr);
  assert.equal(r.text, expected, expr);
  if (type !== undefined) assert.equal(r.type.id, type, `${expr}: result type`);
}

/** Asserts that evaluation raises a SqlError with this SQLSTATE (and message, when given). */
export function expectError(expr: string, code: string, message?: string): void {
  assert.throws(
    () => evalCall(expr),
    (e: unknown) => {
      assert.ok(isSqlError(e), `${expr}: expected SqlError, got ${String(e)}`);
      assert.equal(e.code, code, `${expr}: ${e.message}`);
      if (message !== undefined) assert.equal(e.message, message, expr);
      return true;
    },
  );
}

/** Runs a table of [expression, expected text | null, result type?] cases. */
export function expectTable(cases: readonly (readonly [string, string | null, TypeId?])[]): void {
  for (const [expr, expected, type] of cases) expectCall(expr, expected, type);
}

/** Runs a table of [expression, SQLSTATE, message?] error cases. */
export function expectErrors(cases: readonly (readonly [string, string, string?])[]): void {
  for (const [expr, code, message] of cases) expectError(expr, code, message);
}
