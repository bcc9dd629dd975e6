import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatText, parseText } from './text-io.js';
import { T, numericType, sqlType, type SqlType } from './types.js';
import { JSON_NULL } from './values.js';
import { SqlError } from './errors.js';

function throwsSql(fn: () => unknown, code: string, message?: string, detail?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    if (detail !== undefined) assert.equal(e.detail, detail);
    return true;
  });
}

const roundTrip = (t: SqlType, s: string): string => formatText(t, parseText(t, s));

test('float8 output is shortest round-trip with PostgreSQL exponent style', () => {
  const cases: [number, string][] = [
    [1e20, '1e+20'], [0.0001, '0.0001'], [1e-5, '1e-05'], [123456789012345680000, '1.2345678901234568e+20'],
    [1e15, '1e+15'], [123456789012345, '123456789012345'], [-0, '-0'], [0, '0'], [1.5, '1.5'],
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [0.1 + 0.2, '0.30000000000000004'],
    [5e-324, '5e-324'], [1e300, '1e+300'], [-1234.5, '-1234.5'], [100, '100'],
  ];
  for (const [v, s] of cases) assert.equal(formatText(T.float8, v), s, String(v));
});

test('float4 output uses the float32 value', () => {
  const cases: [string, string][] = [
    ['1e6', '1e+06'], ['123456', '123456'], ['1234567', '1.234567e+06'], ['0.1', '0.1'], ['3.4e38', '3.4e+38'],
    ['1e-45', '1e-45'], ['16777217', '1.6777216e+07'], ['0.00001', '1e-05'], ['1.17549435e-38', '1.1754944e-38'],
  ];
  for (const [i, o] of cases) assert.equal(roundTrip(T.float4, i), o, i);
  assert.equal(formatText(T.float8, parseText(T.float4, '0.1') as number), '0.10000000149011612');
});

test('bool input', () => {
  for (const t of ['t', 'TRUE', ' yes ', 'on', '1', 'tr', 'y']) assert.equal(parseText(T.bool, t), true, t);
  for (const f of ['f', 'false', 'NO', 'off', 'of', '0', 'fa', 'n']) assert.equal(parseText(T.bool, f), false, f);
  for (const bad of ['o', '2', '', 'yess', 'truex']) {
    throwsSql(() => parseText(T.bool, bad), '22P02', `invalid input syntax for type boolean: "${bad}"`);
  }
  assert.equal(formatText(T.bool, true), 't');
  assert.equal(formatText(T.bool, false), 'f');
});

test('integer input', () => {
  assert.equal(parseText(T.int4, ' 12 '), 12);
  assert.equal(parseText(T.int4, '+12'), 12);
  assert.ok(Object.is(parseText(T.int2, '-0'), 0));
  assert.equal(parseText(T.int8, '-9223372036854775808'), -9223372036854775808n);
  assert.equal(parseText(T.int4, '-2147483648'), -2147483648);
  throwsSql(() => parseText(T.int4, '1_000'), '22P02', 'invalid input syntax for type integer: "1_000"');
  throwsSql(() => parseText(T.int4, '12.5'), '22P02', 'invalid input syntax for type integer: "12.5"');
  throwsSql(() => parseText(T.int8, ''), '22P02', 'invalid input syntax for type bigint: ""');
  throwsSql(() => parseText(T.int2, 'x'), '22P02', 'invalid input syntax for type smallint: "x"');
  throwsSql(() => parseText(T.int4, '99999999999'), '22003', 'value "99999999999" is out of range for type integer');
  throwsSql(() => parseText(T.int2, '32768'), '22003', 'value "32768" is out of range for type smallint');
  throwsSql(() => parseText(T.int8, '9223372036854775808'), '22003',
    'value "9223372036854775808" is out of range for type bigint');
  assert.equal(formatText(T.int8, -5n), '-5');
});

test('float input', () => {
  assert.ok(Number.isNaN(parseText(T.float8, ' nan ')));
  assert.equal(parseText(T.float8, ' -inf'), -Infinity);
  assert.equal(parseText(T.float4, 'INFINITY'), Infinity);
  assert.equal(parseText(T.float8, '+inFinity'), Infinity);
  assert.equal(parseText(T.float8, '  1.5e+3  '), 1500);
  assert.equal(parseText(T.float8, '.5'), 0.5);
  assert.equal(parseText(T.float8, '1.'), 1);
  assert.equal(parseText(T.float8, '4e-320'), 4e-320);
  assert.equal(parseText(T.float8, '0x10'), 16);
  throwsSql(() => parseText(T.float8, '5e'), '22P02', 'invalid input syntax for type double precision: "5e"');
  throwsSql(() => parseText(T.float4, 'abc'), '22P02', 'invalid input syntax for type real: "abc"');
  throwsSql(() => parseText(T.float8, ' 1e400 '), '22003', '"1e400" is out of range for type double precision');
  throwsSql(() => parseText(T.float8, '1e-400'), '22003', '"1e-400" is out of range for type double precision');
  throwsSql(() => parseText(T.float4, '1e39'), '22003', '"1e39" is out of range for type real');
  throwsSql(() => parseText(T.float4, '1e-46'), '22003', '"1e-46" is out of range for type real');
});

test('numeric, character types', () => {
  assert.equal(roundTrip(numericType(5, 2), '1.005'), '1.01');
  throwsSql(() => parseText(numericType(2, 1), '12.5'), '22003', 'numeric field overflow');
  assert.equal(parseText(sqlType('varchar', 4), 'abcd  '), 'abcd');
  throwsSql(() => parseText(sqlType('varchar', 4), 'abcde'), '22001', 'value too long for type character varying(4)');
  assert.equal(parseText(sqlType('varchar', 4), '日本語の'), '日本語の');
  assert.equal(parseText(sqlType('bpchar', 4), 'ab'), 'ab  ');
  throwsSql(() => parseText(sqlType('bpchar', 4), 'abcde'), '22001', 'value too long for type character(4)');
  assert.equal(formatText(sqlType('bpchar', 4), 'ab'), 'ab  ');
  assert.equal(parseText(T.text, ' x '), ' x ');
});

test('date/time types', () => {
  assert.equal(roundTrip(T.date, '2024-01-02'), '2024-01-02');
  assert.equal(roundTrip(T.timestamp, '2024-01-02 03:04:05.500'), '2024-01-02 03:04:05.5');
  assert.equal(roundTrip(T.timestamptz, '2024-01-02 03:04:05+02'), '2024-01-02 01:04:05+00');
  assert.equal(roundTrip(sqlType('timestamp', 2), '2024-01-02 03:04:05.125'), '2024-01-02 03:04:05.13');
  assert.equal(roundTrip(sqlType('timestamp', 0), '2024-01-02 03:04:05.5'), '2024-01-02 03:04:06');
  assert.equal(roundTrip(T.interval, '1 day 2 hours'), '1 day 02:00:00');
});

test('jsonb input and canonical output', () => {
  assert.equal(roundTrip(T.jsonb, '{"bb": [1, 2], "a": 1}'), '{"a": 1, "bb": [1, 2]}');
  assert.equal(
    roundTrip(T.jsonb, '{"b":1,"a":2,"aa":[1,{"z":null,"y":"\\n\\u0001é"}]}'),
    '{"a": 2, "b": 1, "aa": [1, {"y": "\\n\\u0001é", "z": null}]}',
  );
  assert.equal(roundTrip(T.jsonb, '{"é":1,"z":2,"zz":3}'), '{"z": 2, "zz": 3, "é": 1}');
  assert.equal(roundTrip(T.jsonb, '{"a":1,"a":2}'), '{"a": 2}');
  assert.equal(roundTrip(T.jsonb, '1e-7'), '0.0000001');
  assert.equal(roundTrip(T.jsonb, '  "x"  '), '"x"');
  assert.equal(roundTrip(T.jsonb, '[]'), '[]');
  assert.equal(parseText(T.jsonb, 'null'), JSON_NULL);
  assert.equal(formatText(T.jsonb, JSON_NULL), 'null');
  const bad: [string, string][] = [
    ['{"a":}', 'Expected JSON value, but found "}".'],
    ['[1,2', 'The input string ended unexpectedly.'],
    ['x', 'Token "x" is invalid.'],
    ['{"a":1,}', 'Expected string, but found "}".'],
    ['tru', 'Token "tru" is invalid.'],
    ['"abc', 'Token ""abc" is invalid.'],
    ['{"a" 1}', 'Expected ":", but found "1".'],
    ['[1 2]', 'Expected "," or "]", but found "2".'],
    ['{1:2}', 'Expected string or "}", but found "1".'],
    ['01', 'Token "01" is invalid.'],
    ['"\\x"', 'Escape sequence "\\x" is invalid.'],
    ['1 2', 'Expected end of input, but found "2".'],
  ];
  for (const [text, detail] of bad) throwsSql(() => parseText(T.jsonb, text), '22P02', 'invalid input syntax for type json', detail);
  throwsSql(() => parseText(T.jsonb, '{"\\u0000":1}'), '22P05', 'unsupported Unicode escape sequence');
});
