/**
 * jsonb functions against PostgreSQL 15's answers (generated with psql on a real server, then
 * checked in): result text, result type and error codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeId } from '../../sql/types.js';
import { evalCall, expectErrors, expectTable } from './eval-call.js';
import { resolveFunction } from './registry.js';
import { T } from '../../sql/types.js';
import { JSON_NULL } from '../../sql/values.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["to_jsonb('2024-01-02 03:04:05.5'::timestamp)", "\"2024-01-02T03:04:05.5\"", 'jsonb'],
  ["to_jsonb('2024-01-02 03:04:05.5+00'::timestamptz)", "\"2024-01-02T03:04:05.5+00:00\"", 'jsonb'],
  ["to_jsonb('0044-01-02 03:04:05 BC'::timestamp)", "\"0044-01-02T03:04:05 BC\"", 'jsonb'],
  ["to_jsonb('0044-01-02 03:04:05+00 BC'::timestamptz)", "\"0044-01-02T03:04:05+00:00 BC\"", 'jsonb'],
  ["to_jsonb('infinity'::timestamp)", "\"infinity\"", 'jsonb'],
  ["to_jsonb('2024-01-02'::date)", "\"2024-01-02\"", 'jsonb'],
  ["to_jsonb('1 day 2 hours'::interval)", "\"1 day 02:00:00\"", 'jsonb'],
  ["to_jsonb(1.5)", "1.5", 'jsonb'],
  ["to_jsonb('NaN'::numeric)", "\"NaN\"", 'jsonb'],
  ["to_jsonb('Infinity'::float8)", "\"Infinity\"", 'jsonb'],
  ["to_jsonb('-Infinity'::float8)", "\"-Infinity\"", 'jsonb'],
  ["to_jsonb(1e20::float8)", "100000000000000000000", 'jsonb'],
  ["to_jsonb(1.5::float4)", "1.5", 'jsonb'],
  ["to_jsonb(0.1::float4)", "0.1", 'jsonb'],
  ["to_jsonb('a'::char(3))", "\"a  \"", 'jsonb'],
  ["to_jsonb(true)", "true", 'jsonb'],
  ["to_jsonb('{\"a\":1}'::jsonb)", "{\"a\": 1}", 'jsonb'],
  ["to_jsonb(-0::float8)", "0", 'jsonb'],
  ["to_jsonb(1e-7::float8)", "0.0000001", 'jsonb'],
  ["to_jsonb(42)", "42", 'jsonb'],
  ["to_jsonb('x'::text)", "\"x\"", 'jsonb'],
  ["to_jsonb(E'a\"b\\n'::text)", "\"a\\\"b\\n\"", 'jsonb'],
  ["jsonb_build_object('a', 1, 'b', NULL, 2, true)", "{\"2\": true, \"a\": 1, \"b\": null}", 'jsonb'],
  ["jsonb_build_object(1.5, 1)", "{\"1.5\": 1}", 'jsonb'],
  ["jsonb_build_object('2024-01-02'::date, 1)", "{\"2024-01-02\": 1}", 'jsonb'],
  ["jsonb_build_object(true, 1)", "{\"true\": 1}", 'jsonb'],
  ["jsonb_build_object()", "{}", 'jsonb'],
  ["jsonb_build_array()", "[]", 'jsonb'],
  ["jsonb_build_array(1, 'a', NULL, '[1]'::jsonb)", "[1, \"a\", null, [1]]", 'jsonb'],
  ["jsonb_build_object('a', 1, 'a', 2)", "{\"a\": 2}", 'jsonb'],
  ["jsonb_build_object('__proto__', 1)", "{\"__proto__\": 1}", 'jsonb'],
  ["jsonb_build_object('a', 'x'::char(3))", "{\"a\": \"x  \"}", 'jsonb'],
  ["jsonb_build_object('a'::char(3), 1)", "{\"a  \": 1}", 'jsonb'],
  ["jsonb_build_object('a', '2024-01-01 10:00+00'::timestamptz)", "{\"a\": \"2024-01-01T10:00:00+00:00\"}", 'jsonb'],
  ["jsonb_build_object('2024-01-01 10:00+00'::timestamptz, 1)", "{\"2024-01-01T10:00:00+00:00\": 1}", 'jsonb'],
  ["jsonb_build_object('1 day'::interval, 1)", "{\"1 day\": 1}", 'jsonb'],
  ["jsonb_build_object('bb', 1, 'a', 2, 'c', 3)", "{\"a\": 2, \"c\": 3, \"bb\": 1}", 'jsonb'],
  ["jsonb_pretty('{\"a\":1,\"b\":[1,2,{}],\"c\":{}, \"d\":[[]], \"e\": {\"f\": [1, {\"g\": null}]}}')", "{\n    \"a\": 1,\n    \"b\": [\n        1,\n        2,\n        {\n        }\n    ],\n    \"c\": {\n    },\n    \"d\": [\n        [\n        ]\n    ],\n    \"e\": {\n        \"f\": [\n            1,\n            {\n                \"g\": null\n            }\n        ]\n    }\n}", 'text'],
  ["jsonb_pretty('[]')", "[\n]", 'text'],
  ["jsonb_pretty('{}')", "{\n}", 'text'],
  ["jsonb_pretty('\"x\"')", "\"x\"", 'text'],
  ["jsonb_pretty('null')", "null", 'text'],
  ["jsonb_strip_nulls('{\"a\":null,\"b\":[null,{\"c\":null}]}')", "{\"b\": [null, {}]}", 'jsonb'],
  ["jsonb_strip_nulls('null')", "null", 'jsonb'],
  ["jsonb_typeof('null')", "null", 'text'],
  ["jsonb_typeof('1.5')", "number", 'text'],
  ["jsonb_typeof('{}')", "object", 'text'],
  ["jsonb_typeof('[]')", "array", 'text'],
  ["jsonb_typeof('\"s\"')", "string", 'text'],
  ["jsonb_typeof('true')", "boolean", 'text'],
  ["jsonb_array_length('[1,2]')", "2", 'int4'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '1', 'b')", "2", 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '-1', 'b')", "2", 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', 'x')", null, 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', ' 1')", "{\"b\": 2}", 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '1 ')", null, 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '+1')", "{\"b\": 2}", 'jsonb'],
  ["jsonb_extract_path('{\"a\":[1,{\"b\":2}]}', 'a', '')", null, 'jsonb'],
  ["jsonb_extract_path('{\"a\":null}', 'a')", "null", 'jsonb'],
  ["jsonb_extract_path('{\"a\":1}', 'a', NULL)", null, 'jsonb'],
  ["jsonb_extract_path_text('{\"a\":null}', 'a')", null, 'text'],
  ["jsonb_extract_path_text('{\"a\":\"x\"}', 'a')", "x", 'text'],
  ["jsonb_extract_path_text('{\"a\":[1, 2]}', 'a')", "[1, 2]", 'text'],
  ["jsonb_extract_path('\"x\"', 'a')", null, 'jsonb'],
  ["jsonb_extract_path('{\"a\":1}', 'a'::varchar)", "1", 'jsonb'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["to_jsonb('x')", '42804', "could not determine polymorphic type because input has type unknown"],
  ["jsonb_build_object('a')", '22023', "argument list must have even number of elements"],
  ["jsonb_build_object(NULL, 1)", '22023', "argument 1: key must not be null"],
  ["jsonb_build_object('[1]'::jsonb, 1)", '22023', "key value must be scalar, not array, composite, or json"],
  ["jsonb_array_length('1')", '22023', "cannot get array length of a scalar"],
  ["jsonb_array_length('{}')", '22023', "cannot get array length of a non-array"],
];

test('jsonb functions return what PostgreSQL returns', () => {
  expectTable(CASES);
});

test('jsonb functions raise PostgreSQL error codes and messages', () => {
  expectErrors(ERRORS);
});

test('jsonb_build_object / jsonb_build_array are not strict: SQL NULL becomes JSON null', () => {
  const f = resolveFunction('jsonb_build_object', [T.text, T.int4])!;
  assert.equal(f.strict, false);
  assert.deepEqual(f.impl(['a', null], evalCallContext()), { a: null });
  const g = resolveFunction('jsonb_build_array', [T.int4])!;
  assert.deepEqual(g.impl([null], evalCallContext()), [null]);
});

test('a "__proto__" key stays an ordinary key', () => {
  const f = resolveFunction('jsonb_build_object', [T.text, T.int4])!;
  const o = f.impl(['__proto__', 1], evalCallContext()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['__proto__']);
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
});

test('jsonb_extract_path keeps a JSON null distinct from a missing path', () => {
  const f = resolveFunction('jsonb_extract_path', [T.jsonb, T.text])!;
  assert.equal(f.impl([{ a: null }, 'a'], evalCallContext()), JSON_NULL);
  assert.equal(f.impl([{ a: null }, 'b'], evalCallContext()), null);
  assert.equal(evalCall("jsonb_extract_path_text('{\"a\":null}', 'a')").text, null);
});

test('to_jsonb of an untyped literal is 42804, as in PostgreSQL', () => {
  assert.throws(() => resolveFunction('to_jsonb', [T.unknown]), { code: '42804' });
});

function evalCallContext() {
  return { params: [], statementTimestamp: 0, user: 'u', database: 'd', outer: [], execution: 0 };
}
