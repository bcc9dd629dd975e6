/**
 * Overload resolution: PostgreSQL's rules (exact match, implicit casts, most exact matches,
 * preferred types, unknown literals by category), checked against PostgreSQL 15's choices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, sqlType, type SqlType, type TypeId } from '../../sql/types.js';
import { expectTable } from './eval-call.js';
import { functionNames, isKnownFunctionName, lookupFunction, resolveFunction } from './registry.js';
import { MATH_FUNCTIONS } from './math.js';
import { STRING_FUNCTIONS } from './string.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import { JSON_FUNCTIONS } from './json.js';
import { SYSTEM_FUNCTIONS } from './system.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["round(1)", "1", 'float8'],
  ["round(1::int8)", "1", 'float8'],
  ["round(1.5::float4)", "2", 'float8'],
  ["round(1, 2)", "1.00", 'numeric'],
  ["round('1.5', 1)", "1.5", 'numeric'],
  ["trunc(1::int2)", "1", 'float8'],
  ["abs(1::int2)", "1", 'int2'],
  ["abs(1::int8)", "1", 'int8'],
  ["abs('-1')", "1", 'float8'],
  ["mod(1, 2.5)", "1.0", 'numeric'],
  ["mod(1::int2, 2)", "1", 'int4'],
  ["mod(1::int2, 2::int8)", "1", 'int8'],
  ["mod('7', 3)", "1", 'int4'],
  ["length('abc'::varchar)", "3", 'int4'],
  ["length('abc  '::char(5))", "3", 'int4'],
  ["length('abc')", "3", 'int4'],
  ["substr('hello'::varchar, 2::int2)", "ello", 'text'],
  ["substr('hello', '2')", "ello", 'text'],
  ["date_trunc('day', '2024-05-17'::date)", "2024-05-17 00:00:00+00", 'timestamptz'],
  ["to_char(1, '999')", "   1", 'text'],
  ["to_char(1.5, '9.9')", " 1.5", 'text'],
  ["to_char('2024-05-17'::date, 'YYYY')", "2024", 'text'],
  ["to_char(1::int2, '9')", " 1", 'text'],
  ["sqrt(4)", "2", 'float8'],
  ["sqrt(4::numeric)", "2.000000000000000", 'numeric'],
  ["power(2, 3)", "8", 'float8'],
  ["power(2.0, 3)", "8.0000000000000000", 'numeric'],
  ["power(2::int8, 3.0)", "8.0000000000000000", 'numeric'],
  ["log(2, 8)", "3.0000000000000000", 'numeric'],
  ["exp(1::int8)", "2.718281828459045", 'float8'],
  ["ceil(1.5::float4)", "2", 'float8'],
  ["sign(1::int2)", "1", 'float8'],
  ["width_bucket(5, 0, 10, 5)", "3", 'int4'],
  ["width_bucket(5.0, 0, 10, 5)", "3", 'int4'],
  ["width_bucket(5::float8, 0.5, 10, 5)", "3", 'int4'],
  ["repeat('ab', 2::int2)", "abab", 'text'],
  ["replace('abc'::varchar, 'b', 'x')", "axc", 'text'],
  ["concat(1, 2.5, true)", "12.5t", 'text'],
  ["left('abc'::char(3), 2)", "ab", 'text'],
  ["age('2024-05-17'::date, '2024-01-01'::date)", "4 mons 16 days", 'interval'],
  ["date_bin('1 hour', '2024-05-17 10:30'::timestamp, '2024-01-01')", "2024-05-17 10:00:00", 'timestamp'],
  ["to_timestamp(1)", "1970-01-01 00:00:01+00", 'timestamptz'],
  ["to_timestamp(1.5)", "1970-01-01 00:00:01.5+00", 'timestamptz'],
  ["make_date(2024::int2, 1, 1)", "2024-01-01", 'date'],
  ["make_timestamp(2024, 1, 1, 0, 0, 0)", "2024-01-01 00:00:00", 'timestamp'],
  ["justify_days('35 days')", "1 mon 5 days", 'interval'],
  ["div(7, 2)", "3", 'numeric'],
  ["chr(65::int2)", "A", 'text'],
  ["strpos('abc'::char(3), 'c')", "3", 'int4'],
  ["jsonb_typeof('1')", "number", 'text'],
  ["jsonb_array_length('[1]'::jsonb)", "1", 'int4'],
];

test('calls resolve to the overload PostgreSQL picks (result types from pg_typeof)', () => {
  expectTable(CASES);
});

const kind = (name: string, types: SqlType[]) => lookupFunction(name, types).kind;

test('no match is NotFound (42883), several equally good matches are Ambiguous (42725)', () => {
  // PostgreSQL: function round(double precision, integer) does not exist
  assert.equal(kind('round', [T.float8, T.int4]), 'NotFound');
  assert.equal(kind('lpad', [T.unknown, T.int8]), 'NotFound');
  assert.equal(kind('log', [T.int4, T.float8]), 'NotFound');
  assert.equal(kind('div', [T.float8, T.int4]), 'NotFound');
  assert.equal(kind('nosuchfunction', []), 'NotFound');
  assert.equal(kind('abs', []), 'NotFound');
  // PostgreSQL: ... is not unique
  assert.equal(kind('gcd', [T.int2, T.int2]), 'Ambiguous');
  assert.equal(kind('mod', [T.unknown, T.unknown]), 'Ambiguous');
  assert.equal(kind('to_hex', [T.int2]), 'Ambiguous');
  assert.equal(kind('date_trunc', [T.unknown, T.unknown]), 'Ambiguous');
  assert.equal(kind('date_part', [T.unknown, T.unknown]), 'Ambiguous');
  assert.equal(kind('isfinite', [T.unknown]), 'Ambiguous');
  assert.equal(resolveFunction('gcd', [T.int2, T.int2]), null);
});

test('argTypes tell the binder what to cast each argument to', () => {
  const r = resolveFunction('round', [T.int4])!;
  assert.deepEqual(r.argTypes.map((t) => t.id), ['float8']);
  assert.equal(r.returnType.id, 'float8');
  const l = resolveFunction('length', [sqlType('varchar', 10)])!;
  assert.deepEqual(l.argTypes, [T.text]);
  const u = resolveFunction('length', [T.unknown])!;
  assert.deepEqual(u.argTypes, [T.text]);
  const p = resolveFunction('lpad', [T.text, T.int2, T.unknown])!;
  assert.deepEqual(p.argTypes.map((t) => t.id), ['text', 'int4', 'text']);
});

test('"any" arguments keep their own type; untyped literals become text', () => {
  const c = resolveFunction('concat', [T.int4, T.unknown, sqlType('bpchar', 3), T.jsonb])!;
  assert.deepEqual(c.argTypes, [T.int4, T.text, sqlType('bpchar', 3), T.jsonb]);
  assert.equal(c.strict, false);
  assert.equal(c.returnType.id, 'text');
  assert.equal(resolveFunction('concat', []), null, 'VARIADIC needs at least one argument');
  assert.equal(resolveFunction('concat_ws', [T.text]), null);
  assert.ok(resolveFunction('jsonb_build_object', []));
  const e = resolveFunction('jsonb_extract_path', [T.jsonb, T.unknown, sqlType('varchar', 5)])!;
  assert.deepEqual(e.argTypes, [T.jsonb, T.text, T.text]);
});

test('system functions read the session from the context', () => {
  expectTable([
    ['version()', 'PostgreSQL 15.0 (Eddy 0.1.0) on x86_64-pc-linux-gnu, compiled by node, 64-bit', 'text'],
    ['current_user()', 'alice', 'text'],
    ['session_user()', 'alice', 'text'],
    ['user()', 'alice', 'text'],
    ['current_database()', 'shop', 'text'],
    ['current_catalog()', 'shop', 'text'],
    ['current_schema()', 'public', 'text'],
  ]);
});

test('pg_typeof names the argument type (text here; regtype in PostgreSQL)', () => {
  expectTable([
    ['pg_typeof(1)', 'integer', 'text'],
    ["pg_typeof('x')", 'unknown', 'text'],
    ['pg_typeof(NULL)', 'unknown', 'text'],
    ["pg_typeof('a'::varchar(3))", 'character varying', 'text'],
    ['pg_typeof(1.5::numeric)', 'numeric', 'text'],
    ["pg_typeof('2024-01-01'::timestamptz)", 'timestamp with time zone', 'text'],
  ]);
  assert.deepEqual(resolveFunction('pg_typeof', [T.unknown])!.argTypes, [T.unknown]);
});

test('function names are case-insensitive and known for error messages', () => {
  assert.ok(isKnownFunctionName('ABS'));
  assert.ok(isKnownFunctionName('date_trunc'));
  assert.ok(!isKnownFunctionName('coalesce'), 'coalesce is a special form of the binder');
  assert.ok(resolveFunction('Round', [T.numeric]));
  assert.ok(functionNames().includes('regexp_replace'));
});

test('declarations are well formed: lower-case names, no duplicate signatures', () => {
  const seen = new Set<string>();
  for (const d of [...MATH_FUNCTIONS, ...STRING_FUNCTIONS, ...DATETIME_FUNCTIONS, ...JSON_FUNCTIONS, ...SYSTEM_FUNCTIONS]) {
    assert.equal(d.name, d.name.toLowerCase());
    assert.ok(d.impl !== undefined || d.bind !== undefined, d.name);
    const sig = `${d.name}(${d.args.join(',')}${d.variadic ? ', VARIADIC ' + d.variadic : ''})`;
    assert.ok(!seen.has(sig), `duplicate overload ${sig}`);
    seen.add(sig);
  }
});

test('every overload without pseudo-type arguments resolves to itself', () => {
  for (const d of [...MATH_FUNCTIONS, ...STRING_FUNCTIONS, ...DATETIME_FUNCTIONS, ...JSON_FUNCTIONS, ...SYSTEM_FUNCTIONS]) {
    if (d.variadic !== undefined || d.args.some((a) => a === 'any' || a === 'anyelement')) continue;
    const types = d.args.map((a) => sqlType(a as TypeId));
    const r = resolveFunction(d.name, types);
    assert.ok(r, `${d.name}(${d.args.join(', ')})`);
    assert.deepEqual(r.argTypes.map((t) => t.id), d.args, d.name);
  }
});
