import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canCoerceImplicitly, resolveCast, typeDisplayName, type CastContext } from './cast.js';
import { formatText, parseText } from './text-io.js';
import { T, numericType, sqlType, type SqlType } from './types.js';
import { SqlError } from './errors.js';

const ty = (s: string): SqlType => {
  const m = /^(\w+)\((\d+)(?:,(\d+))?\)$/.exec(s);
  if (m) return m[1] === 'numeric' ? numericType(Number(m[2]), Number(m[3] ?? 0)) : sqlType(m[1] as never, Number(m[2]));
  return (T as Record<string, SqlType>)[s];
};

/** Casts text-form input of `from` to `to` and formats the result (as psql shows it). */
function cast(from: string, text: string, to: string, ctx: CastContext = 'explicit'): string {
  const f = resolveCast(ty(from), ty(to), ctx);
  if (f === null) return 'NOCAST';
  return formatText(ty(to), f(parseText(ty(from), text)));
}

function castThrows(from: string, text: string, to: string, code: string, message: string, ctx: CastContext = 'explicit'): void {
  assert.throws(() => cast(from, text, to, ctx), (e: unknown) => {
    assert.ok(e instanceof SqlError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  }, `${from} ${text} -> ${to}`);
}

test('numeric family casts (checked against PostgreSQL 15)', () => {
  const ok: [string, string, string, string][] = [
    ['float8', '2.5', 'int4', '2'], ['float8', '3.5', 'int4', '4'], ['float8', '-2.5', 'int4', '-2'],
    ['float8', '32767.4', 'int2', '32767'], ['float8', '0.1', 'numeric', '0.1'], ['float8', '1e20', 'numeric', '100000000000000000000'],
    ['float8', 'nan', 'numeric', 'NaN'], ['float8', '1e-7', 'numeric', '0.0000001'], ['float4', '0.1', 'float8', '0.10000000149011612'],
    ['numeric', '2.5', 'int4', '3'], ['numeric', '-2.5', 'int4', '-3'], ['numeric', '12.345', 'numeric(4,2)', '12.35'],
    ['numeric', '0.5', 'int2', '1'], ['numeric', '1.23456789', 'float4', '1.2345679'],
    ['int8', '-9223372036854775808', 'numeric', '-9223372036854775808'], ['int8', '9223372036854775807', 'float8', '9.223372036854776e+18'],
    ['int4', '5', 'bool', 't'], ['int4', '0', 'bool', 'f'], ['bool', 't', 'int4', '1'], ['int4', '5', 'numeric(5,2)', '5.00'],
  ];
  for (const [from, v, to, out] of ok) assert.equal(cast(from, v, to), out, `${from} ${v} -> ${to}`);
  castThrows('float8', '2147483647.5', 'int4', '22003', 'integer out of range');
  castThrows('float8', '1e10', 'int4', '22003', 'integer out of range');
  castThrows('float8', 'nan', 'int4', '22003', 'integer out of range');
  castThrows('float8', '32767.5', 'int2', '22003', 'smallint out of range');
  castThrows('float8', '9.2233720368547758e18', 'int8', '22003', 'bigint out of range');
  castThrows('float8', '1e300', 'float4', '22003', 'value out of range: overflow');
  castThrows('float8', '1e-300', 'float4', '22003', 'value out of range: underflow');
  castThrows('numeric', '2147483647.5', 'int4', '22003', 'integer out of range');
  castThrows('numeric', 'infinity', 'int8', '0A000', 'cannot convert infinity to bigint');
  castThrows('numeric', '1e400', 'float8', '22003', `"1${'0'.repeat(400)}" is out of range for type double precision`);
  castThrows('numeric', '123.45', 'numeric(4,2)', '22003', 'numeric field overflow');
  castThrows('int8', '3000000000', 'int4', '22003', 'integer out of range');
  castThrows('int4', '40000', 'int2', '22003', 'smallint out of range');
});

test('cast contexts follow pg_cast', () => {
  const ctxOf = (from: SqlType, to: SqlType): string =>
    resolveCast(from, to, 'implicit') ? 'i' : resolveCast(from, to, 'assignment') ? 'a' : resolveCast(from, to, 'explicit') ? 'e' : '-';
  const expect: [SqlType, SqlType, string][] = [
    [T.int2, T.int4, 'i'], [T.int4, T.int8, 'i'], [T.int8, T.numeric, 'i'], [T.numeric, T.float4, 'i'], [T.float4, T.float8, 'i'],
    [T.int8, T.int4, 'a'], [T.float8, T.int4, 'a'], [T.numeric, T.int8, 'a'], [T.float8, T.numeric, 'a'], [T.float8, T.float4, 'a'],
    [T.int4, T.bool, 'e'], [T.bool, T.int4, 'e'], [T.bool, T.int2, '-'], [T.int8, T.bool, '-'],
    [T.varchar, T.text, 'i'], [T.bpchar, T.text, 'i'], [T.text, T.varchar, 'i'], [T.text, T.bpchar, 'i'],
    [T.int4, T.text, 'a'], [T.date, T.text, 'a'], [T.jsonb, T.text, 'a'], [T.text, T.int4, 'e'], [T.text, T.jsonb, 'e'], [T.text, T.date, 'e'],
    [T.unknown, T.int4, 'i'], [T.unknown, T.jsonb, 'i'], [T.unknown, T.interval, 'i'],
    [T.date, T.timestamp, 'i'], [T.timestamp, T.timestamptz, 'i'], [T.date, T.timestamptz, 'i'], [T.timestamptz, T.timestamp, 'a'],
    [T.timestamp, T.date, 'a'], [T.interval, T.date, '-'], [T.jsonb, T.int4, 'e'], [T.jsonb, T.bool, 'e'], [T.int4, T.jsonb, '-'],
    [T.interval, T.interval, 'i'],
  ];
  for (const [from, to, c] of expect) assert.equal(ctxOf(from, to), c, `${from.id} -> ${to.id}`);
  assert.ok(canCoerceImplicitly(T.int4, T.float8));
  assert.ok(!canCoerceImplicitly(T.float8, T.numeric));
  assert.ok(canCoerceImplicitly(T.unknown, T.date));
});

test('string casts: length coercion depends on the context', () => {
  assert.equal(cast('text', 'abcdef', 'varchar(3)', 'explicit'), 'abc');
  castThrows('text', 'abcdef', 'varchar(3)', '22001', 'value too long for type character varying(3)', 'assignment');
  assert.equal(cast('text', 'abc   ', 'varchar(3)', 'assignment'), 'abc');
  assert.equal(cast('text', 'ab', 'bpchar(4)'), 'ab  ');
  assert.equal(cast('text', 'abcdef', 'bpchar(3)'), 'abc');
  assert.equal(cast('bpchar(4)', 'ab', 'text'), 'ab');
  assert.equal(cast('bool', 't', 'text'), 'true');
  assert.equal(cast('int4', '5', 'text'), '5');
  assert.equal(cast('text', ' 12 ', 'int4'), '12');
  castThrows('text', '12x', 'int4', '22P02', 'invalid input syntax for type integer: "12x"');
  castThrows('text', '99999999999', 'int4', '22003', 'value "99999999999" is out of range for type integer');
  assert.equal(cast('text', '2024-01-02 03:04:05.123456', 'timestamp(2)'), '2024-01-02 03:04:05.12');
  assert.equal(cast('unknown', 'abcdef', 'varchar(3)', 'explicit'), 'abc');
  assert.equal(cast('numeric', '1.50', 'text', 'assignment'), '1.50');
});

test('date/time casts', () => {
  assert.equal(cast('date', '2024-01-02', 'timestamp'), '2024-01-02 00:00:00');
  assert.equal(cast('date', '2024-01-02', 'timestamptz'), '2024-01-02 00:00:00+00');
  assert.equal(cast('timestamp', '2024-01-02 03:04:05', 'date'), '2024-01-02');
  assert.equal(cast('timestamp', '-infinity', 'date'), '-infinity');
  assert.equal(cast('timestamp', '2024-01-02 03:04:05', 'timestamptz'), '2024-01-02 03:04:05+00');
  assert.equal(cast('interval', '1 year 2 mons', 'text'), '1 year 2 mons');
});

test('jsonb casts check the JSON kind', () => {
  assert.equal(cast('jsonb', 'true', 'bool'), 't');
  assert.equal(cast('jsonb', '2.5', 'int4'), '3');
  assert.equal(cast('jsonb', '12.75', 'numeric'), '12.75');
  assert.equal(cast('jsonb', '12.75', 'float8'), '12.75');
  assert.equal(cast('jsonb', '{"b":1,"a":[1,"x",null]}', 'text'), '{"a": [1, "x", null], "b": 1}');
  castThrows('jsonb', '"a"', 'bool', '22023', 'cannot cast jsonb string to type boolean');
  castThrows('jsonb', '"x"', 'numeric', '22023', 'cannot cast jsonb string to type numeric');
  castThrows('jsonb', 'null', 'int4', '22023', 'cannot cast jsonb null to type integer');
  castThrows('jsonb', '[1]', 'int8', '22023', 'cannot cast jsonb array to type bigint');
  castThrows('jsonb', '{}', 'float8', '22023', 'cannot cast jsonb object to type double precision');
  castThrows('jsonb', '1e10', 'int4', '22003', 'integer out of range');
});

test('typeDisplayName gives format_type names', () => {
  const names: [SqlType, string][] = [
    [T.int4, 'integer'], [T.int8, 'bigint'], [T.int2, 'smallint'], [T.float4, 'real'], [T.float8, 'double precision'],
    [numericType(10, 2), 'numeric(10,2)'], [T.numeric, 'numeric'], [T.text, 'text'], [sqlType('varchar', 20), 'character varying(20)'],
    [sqlType('bpchar', 3), 'character(3)'], [T.bpchar, 'character'], [T.bool, 'boolean'], [T.date, 'date'],
    [T.timestamp, 'timestamp without time zone'], [T.timestamptz, 'timestamp with time zone'], [T.interval, 'interval'],
    [T.jsonb, 'jsonb'], [T.unknown, 'unknown'], [sqlType('timestamp', 3), 'timestamp(3) without time zone'],
  ];
  for (const [t, n] of names) assert.equal(typeDisplayName(t), n);
});
