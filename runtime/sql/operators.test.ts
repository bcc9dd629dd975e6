import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonSupertype, resolveBinaryOperator, resolveUnaryOperator } from './operators.js';
import { resolveCast, typeDisplayName } from './cast.js';
import { formatText, parseText } from './text-io.js';
import { T, numericType, sqlType, type SqlType } from './types.js';
import { SqlError } from './errors.js';

const ty = (s: string): SqlType => {
  const m = /^(\w+)\((\d+)(?:,(\d+))?\)$/.exec(s);
  if (m) return m[1] === 'numeric' ? numericType(Number(m[2]), Number(m[3] ?? 0)) : sqlType(m[1] as never, Number(m[2]));
  return (T as Record<string, SqlType>)[s];
};

/** Evaluates `lv::lt op rv::rt` the way the binder would (operand casts, then impl). */
function evalOp(lt: string, lv: string, op: string, rt: string, rv: string): string {
  const L = ty(lt);
  const R = ty(rt);
  const res = resolveBinaryOperator(op, L, R);
  if (res === null) return 'NOOP';
  const operand = (t: SqlType, v: string, target: SqlType) => {
    if (t.id === 'unknown') return parseText(target, v);
    const x = parseText(t, v);
    if (t.id === target.id) return x;
    const c = resolveCast(t, target, 'implicit');
    assert.ok(c, `no implicit cast ${t.id} -> ${target.id}`);
    return c(x);
  };
  const out = res.impl(operand(L, lv, res.leftType), operand(R, rv, res.rightType));
  return out === null ? 'NULL' : formatText(res.resultType, out);
}

function opThrows(args: [string, string, string, string, string], code: string, message?: string): void {
  assert.throws(() => evalOp(...args), (e: unknown) => {
    assert.ok(e instanceof SqlError, String(e));
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  }, args.join(' '));
}

test('result types of arithmetic', () => {
  const rt = (op: string, l: SqlType, r: SqlType): string => typeDisplayName(resolveBinaryOperator(op, l, r)!.resultType);
  assert.equal(rt('+', T.int2, T.int2), 'smallint');
  assert.equal(rt('+', T.int2, T.int4), 'integer');
  assert.equal(rt('/', T.int2, T.int2), 'smallint');
  assert.equal(rt('+', T.int4, T.float4), 'double precision');
  assert.equal(rt('+', T.numeric, T.float4), 'double precision');
  assert.equal(rt('*', T.float4, T.float4), 'real');
  assert.equal(rt('%', T.int4, T.numeric), 'numeric');
  assert.equal(rt('^', T.int4, T.int4), 'double precision');
  assert.equal(rt('^', T.numeric, T.int4), 'numeric');
  assert.equal(rt('-', T.timestamptz, T.timestamptz), 'interval');
  assert.equal(rt('+', T.date, T.interval), 'timestamp without time zone');
  assert.equal(rt('-', T.date, T.date), 'integer');
  assert.equal(rt('||', T.varchar, T.varchar), 'text');
  assert.equal(resolveBinaryOperator('%', T.float8, T.float8), null);
  assert.equal(resolveBinaryOperator('%', T.float4, T.float4), null);
  assert.equal(resolveBinaryOperator('+', T.bpchar, T.int4), null);
  assert.equal(resolveBinaryOperator('||', T.int4, T.int4), null);
});

test('integer overflow and division (checked against PostgreSQL 15)', () => {
  assert.equal(evalOp('int4', '-7', '%', 'int4', '2'), '-1');
  assert.equal(evalOp('int4', '7', '/', 'int4', '-2'), '-3');
  assert.equal(evalOp('int4', '-2147483648', '%', 'int4', '-1'), '0');
  assert.equal(evalOp('int8', '-9223372036854775808', '%', 'int8', '-1'), '0');
  assert.equal(evalOp('int2', '7', '/', 'int2', '2'), '3');
  assert.equal(evalOp('int4', '1', '<<', 'int4', '31'), '-2147483648');
  assert.equal(evalOp('int2', '1', '<<', 'int4', '15'), '-32768');
  assert.equal(evalOp('int4', '3', '#', 'int4', '5'), '6');
  opThrows(['int4', '2147483647', '+', 'int4', '1'], '22003', 'integer out of range');
  opThrows(['int4', '-2147483648', '/', 'int4', '-1'], '22003', 'integer out of range');
  opThrows(['int2', '32767', '+', 'int2', '1'], '22003', 'smallint out of range');
  opThrows(['int2', '100', '*', 'int2', '400'], '22003', 'smallint out of range');
  opThrows(['int8', '9223372036854775807', '+', 'int8', '1'], '22003', 'bigint out of range');
  opThrows(['int8', '3037000500', '*', 'int8', '3037000500'], '22003', 'bigint out of range');
  opThrows(['int8', '-9223372036854775808', '/', 'int8', '-1'], '22003', 'bigint out of range');
  opThrows(['int4', '7', '/', 'int4', '0'], '22012', 'division by zero');
  opThrows(['int4', '7', '%', 'int4', '0'], '22012', 'division by zero');
  opThrows(['numeric', '1', '/', 'numeric', '0'], '22012', 'division by zero');
  opThrows(['float8', '1', '/', 'float8', '0'], '22012', 'division by zero');
});

test('float and numeric arithmetic', () => {
  assert.equal(evalOp('float8', '0.1', '+', 'float8', '0.2'), '0.30000000000000004');
  assert.equal(evalOp('float4', '0.1', '+', 'float4', '0.2'), '0.3');
  assert.equal(evalOp('int4', '1', '+', 'float4', '1.5'), '2.5');
  assert.equal(evalOp('float8', 'nan', '/', 'float8', '0'), 'NaN');
  assert.equal(evalOp('float8', '1e-308', '*', 'float8', '1e-10'), '1e-318');
  assert.equal(evalOp('int4', '2', '^', 'int4', '10'), '1024');
  assert.equal(evalOp('numeric', '2', '^', 'int4', '10'), '1024.0000000000000000');
  assert.equal(evalOp('numeric', '1', '/', 'numeric', '3'), '0.33333333333333333333');
  assert.equal(evalOp('int4', '5', '%', 'numeric', '2.0'), '1.0');
  assert.equal(evalOp('int4', '5', '-', 'numeric', '0.5'), '4.5');
  opThrows(['float8', '1e308', '*', 'float8', '10'], '22003', 'value out of range: overflow');
  opThrows(['float8', '1e-300', '/', 'float8', '1e300'], '22003', 'value out of range: underflow');
  opThrows(['float4', '1e38', '*', 'float4', '10'], '22003', 'value out of range: overflow');
  opThrows(['float8', '0', '^', 'float8', '-1'], '2201F', 'zero raised to a negative power is undefined');
  opThrows(['float8', '-8', '^', 'float8', '0.5'], '2201F', 'a negative number raised to a non-integer power yields a complex result');
  opThrows(['float8', '10', '^', 'float8', '400'], '22003', 'value out of range: overflow');
});

test('cross-type comparisons are exact where PostgreSQL is', () => {
  assert.equal(evalOp('int4', '1', '=', 'numeric', '1.0'), 't');
  assert.equal(evalOp('int8', '9223372036854775807', '>', 'numeric', '9223372036854775806.5'), 't');
  assert.equal(evalOp('int8', '9007199254740993', '=', 'float8', '9007199254740992'), 't'); // int8 -> float8
  assert.equal(evalOp('float4', '0.1', '=', 'numeric', '0.1'), 'f');
  assert.equal(evalOp('numeric', '0.1', '=', 'float8', '0.1'), 't');
  assert.equal(evalOp('int2', '1', '<', 'int8', '2'), 't');
  assert.equal(evalOp('float8', 'nan', '=', 'float8', 'nan'), 't');
  assert.equal(evalOp('float8', 'nan', '>', 'float8', 'infinity'), 't');
  assert.equal(evalOp('numeric', 'nan', '>', 'numeric', 'infinity'), 't');
  assert.equal(evalOp('bpchar(4)', 'a', '=', 'text', 'a'), 't');
  assert.equal(evalOp('bpchar(4)', 'a', '=', 'bpchar(2)', 'a '), 't');
  assert.equal(evalOp('text', 'é', '>', 'text', 'z'), 't');
  assert.equal(evalOp('date', '2024-01-01', '<', 'timestamp', '2024-01-01 00:00:01'), 't');
  assert.equal(evalOp('timestamp', '2024-01-01', '=', 'timestamptz', '2024-01-01 00:00+00'), 't');
  assert.equal(evalOp('interval', '1 mon', '=', 'interval', '30 days'), 't');
  assert.equal(evalOp('int4', '1', '<>', 'int4', '2'), 't');
  assert.equal(evalOp('int4', '1', '!=', 'int4', '1'), 'f');
});

test('unknown literals take their type from the other side', () => {
  assert.equal(evalOp('unknown', 'a', '=', 'unknown', 'b'), 'f');
  assert.equal(evalOp('unknown', 'a', '||', 'unknown', 'b'), 'ab');
  assert.equal(evalOp('int4', '5', '+', 'unknown', '2'), '7');
  assert.equal(evalOp('timestamp', '2024-01-01', '+', 'unknown', '1 day'), '2024-01-02 00:00:00');
  assert.equal(evalOp('interval', '1 day', '*', 'unknown', '2'), '2 days');
  assert.equal(evalOp('unknown', '2', '*', 'interval', '1 day'), '2 days');
  assert.equal(evalOp('int4', '1', '||', 'unknown', '2'), '12');
  assert.equal(evalOp('jsonb', '{"a":1}', '->', 'unknown', 'a'), '1');
  assert.equal(evalOp('jsonb', '{"a":1}', '-', 'unknown', 'a'), '{}');
  assert.equal(evalOp('bool', 't', '=', 'unknown', 'yes'), 't');
  opThrows(['timestamp', '2024-01-01', '-', 'unknown', '1 hour'], '22007', 'invalid input syntax for type timestamp: "1 hour"');
  opThrows(['int4', '1', '=', 'unknown', '1.5'], '22P02', 'invalid input syntax for type integer: "1.5"');
  assert.throws(() => resolveBinaryOperator('+', T.date, T.unknown), (e: unknown) =>
    e instanceof SqlError && e.code === '42725' && e.message === 'operator is not unique: date + unknown');
  assert.throws(() => resolveBinaryOperator('+', T.unknown, T.unknown), (e: unknown) =>
    e instanceof SqlError && e.code === '42725' && e.message === 'operator is not unique: unknown + unknown');
});

test('text concatenation, LIKE and regex', () => {
  assert.equal(evalOp('int4', '1', '||', 'text', 'a'), '1a');
  assert.equal(evalOp('bool', 't', '||', 'text', 'x'), 'truex');
  assert.equal(evalOp('bpchar(3)', 'a', '||', 'text', 'b'), 'ab');
  assert.equal(evalOp('numeric', '1.50', '||', 'unknown', 'x'), '1.50x');
  assert.equal(evalOp('date', '2024-01-02', '||', 'unknown', 'x'), '2024-01-02x');
  assert.equal(evalOp('text', 'abc', '~~', 'text', 'a%'), 't');
  assert.equal(evalOp('text', 'a_c', '~~', 'text', 'a\\_c'), 't');
  assert.equal(evalOp('text', 'abc', '~~', 'text', 'a\\_c'), 'f');
  assert.equal(evalOp('text', 'a%b', '~~', 'text', 'a\\%b'), 't');
  assert.equal(evalOp('text', 'ABC', '~~*', 'text', 'a%'), 't');
  assert.equal(evalOp('text', 'abc', '!~~', 'text', '%d'), 't');
  assert.equal(evalOp('text', 'ab\nc', '~~', 'text', 'ab_c'), 't');
  assert.equal(evalOp('text', 'abc', '~~', 'unknown', '%b%'), 't');
  assert.equal(evalOp('text', 'abc', '~', 'text', '^a.c$'), 't');
  assert.equal(evalOp('text', 'ABC', '~*', 'text', 'b'), 't');
  assert.equal(evalOp('text', 'abc', '!~', 'text', '[[:digit:]]'), 't');
  opThrows(['text', 'abc', '~~', 'text', 'ab\\'], '22025', 'LIKE pattern must not end with escape character');
  opThrows(['text', 'abc', '~', 'text', '('], '2201B', 'invalid regular expression: parentheses () not balanced');
});

test('jsonb operators', () => {
  assert.equal(evalOp('jsonb', '{"a":[1,2,{"b":3}]}', '#>', 'unknown', '{a,2,b}'), '3');
  assert.equal(evalOp('jsonb', '{"a":[1,2,{"b":3}]}', '#>>', 'unknown', '{a,2}'), '{"b": 3}');
  assert.equal(evalOp('jsonb', '[1,2,3]', '->', 'int4', '-1'), '3');
  assert.equal(evalOp('jsonb', '[1,2,3]', '->>', 'int4', '5'), 'NULL');
  assert.equal(evalOp('jsonb', '{"a":"x"}', '->>', 'text', 'a'), 'x');
  assert.equal(evalOp('jsonb', '{"a":null}', '->>', 'text', 'a'), 'NULL');
  assert.equal(evalOp('jsonb', '{"a":null}', '->', 'text', 'a'), 'null');
  assert.equal(evalOp('jsonb', '{"a":1,"b":2}', '@>', 'jsonb', '{"a":1}'), 't');
  assert.equal(evalOp('jsonb', '[1,2,[3]]', '@>', 'jsonb', '[[3]]'), 't');
  assert.equal(evalOp('jsonb', '[1,2]', '@>', 'jsonb', '1'), 't');
  assert.equal(evalOp('jsonb', '{"a":1}', '<@', 'jsonb', '{"a":1,"b":2}'), 't');
  assert.equal(evalOp('jsonb', '["a","b"]', '?', 'text', 'a'), 't');
  assert.equal(evalOp('jsonb', '{"a":1,"b":2}', '?|', 'unknown', '{b,c}'), 't');
  assert.equal(evalOp('jsonb', '{"a":1,"b":2}', '?&', 'unknown', '{b,c}'), 'f');
  assert.equal(evalOp('jsonb', '[1,2]', '||', 'jsonb', '3'), '[1, 2, 3]');
  assert.equal(evalOp('jsonb', '{"a":1}', '||', 'jsonb', '{"b":2}'), '{"a": 1, "b": 2}');
  assert.equal(evalOp('jsonb', '[1,2,3]', '-', 'int4', '1'), '[1, 3]');
  assert.equal(evalOp('jsonb', '1', '<', 'jsonb', '[]'), 'f');
  assert.equal(evalOp('jsonb', '{"a":1}', '>', 'jsonb', '[1,2,3]'), 't');
});

test('date/time arithmetic', () => {
  assert.equal(evalOp('timestamp', '2024-01-31', '+', 'interval', '1 month'), '2024-02-29 00:00:00');
  assert.equal(evalOp('timestamptz', '2024-01-31 10:00+00', '+', 'interval', '1 month'), '2024-02-29 10:00:00+00');
  assert.equal(evalOp('interval', '1 day', '+', 'timestamp', '2024-01-01'), '2024-01-02 00:00:00');
  assert.equal(evalOp('date', '2024-01-31', '+', 'int4', '1'), '2024-02-01');
  assert.equal(evalOp('int4', '1', '+', 'date', '2024-01-31'), '2024-02-01');
  assert.equal(evalOp('date', '2024-03-01', '-', 'date', '2024-01-01'), '60');
  assert.equal(evalOp('date', '2024-03-01', '-', 'int4', '1'), '2024-02-29');
  assert.equal(evalOp('date', '2024-01-31', '+', 'interval', '1 mon'), '2024-02-29 00:00:00');
  assert.equal(evalOp('date', '2024-01-31', '-', 'interval', '1 day'), '2024-01-30 00:00:00');
  assert.equal(evalOp('timestamp', '2024-03-01', '-', 'timestamp', '2024-01-01 01:00'), '59 days 23:00:00');
  assert.equal(evalOp('date', '2024-03-01', '-', 'timestamp', '2024-01-01 12:00'), '59 days 12:00:00');
  assert.equal(evalOp('interval', '1 day', '-', 'interval', '2 hours'), '1 day -02:00:00');
  assert.equal(evalOp('interval', '1 mon', '*', 'float8', '1.5'), '1 mon 15 days');
  assert.equal(evalOp('float8', '2.5', '*', 'interval', '1 day 1 hour'), '2 days 14:30:00');
  assert.equal(evalOp('interval', '1 mon', '*', 'int4', '2'), '2 mons');
  assert.equal(evalOp('interval', '1 mon 3 days', '/', 'float8', '7'), '4 days 17:08:34.261029');
  opThrows(['interval', '1 day', '/', 'float8', '0'], '22012', 'division by zero');
  opThrows(['timestamp', 'infinity', '-', 'timestamp', '2024-01-01'], '22008', 'cannot subtract infinite timestamps');
  opThrows(['date', '5874897-12-31', '+', 'int4', '1'], '22008', 'date out of range');
});

test('unary operators', () => {
  const u = (op: string, t: string, v: string): string => {
    const r = resolveUnaryOperator(op, ty(t))!;
    return formatText(r.resultType, r.impl(parseText(r.argType.id === ty(t).id ? ty(t) : r.argType, v)));
  };
  assert.equal(u('-', 'numeric', '1.50'), '-1.50');
  assert.equal(u('-', 'interval', '1 day -02:00'), '-1 days +02:00:00');
  assert.equal(u('@', 'int4', '-5'), '5');
  assert.equal(u('~', 'int4', '5'), '-6');
  assert.equal(u('|/', 'float8', '16'), '4');
  assert.equal(u('-', 'float8', '0'), '-0');
  assert.throws(() => u('-', 'int2', '-32768'), (e: unknown) => e instanceof SqlError && e.message === 'smallint out of range');
  assert.throws(() => u('-', 'int4', '-2147483648'), (e: unknown) => e instanceof SqlError && e.message === 'integer out of range');
  assert.throws(() => u('-', 'int8', '-9223372036854775808'), (e: unknown) => e instanceof SqlError && e.message === 'bigint out of range');
  assert.equal(resolveUnaryOperator('-', T.text), null);
  assert.equal(resolveUnaryOperator('-', T.int4)!.argType, T.int4);
});

test('commonSupertype follows select_common_type', () => {
  const name = (ts: SqlType[]): string => typeDisplayName(commonSupertype(ts, 'COALESCE'));
  assert.equal(name([T.unknown, T.unknown]), 'text');
  assert.equal(name([T.int4, T.numeric]), 'numeric');
  assert.equal(name([T.int4, T.float4]), 'real');
  assert.equal(name([T.numeric, T.float4]), 'real');
  assert.equal(name([T.int2, T.int8, T.numeric]), 'numeric');
  assert.equal(name([T.int4, T.float8, T.numeric]), 'double precision');
  assert.equal(name([sqlType('varchar', 3), sqlType('bpchar', 2)]), 'character varying');
  assert.equal(name([sqlType('bpchar', 2), sqlType('varchar', 3)]), 'character');
  assert.equal(name([sqlType('varchar', 3), T.text]), 'character varying'); // as PostgreSQL
  assert.equal(name([T.text, sqlType('varchar', 3)]), 'text');
  assert.equal(name([T.date, T.timestamp]), 'timestamp without time zone');
  assert.equal(name([T.date, T.timestamptz, T.unknown]), 'timestamp with time zone');
  assert.equal(name([T.unknown, T.int4]), 'integer');
  assert.equal(name([numericType(5, 2), numericType(5, 2)]), 'numeric(5,2)');
  assert.equal(name([numericType(5, 2), numericType(6, 2)]), 'numeric');
  assert.throws(() => commonSupertype([T.int4, T.text], 'CASE'), (e: unknown) =>
    e instanceof SqlError && e.code === '42804' && e.message === 'CASE types integer and text cannot be matched');
  assert.throws(() => commonSupertype([T.int4, T.unknown, T.bool], 'UNION'), (e: unknown) =>
    e instanceof SqlError && e.code === '42804' && e.message === 'UNION types integer and boolean cannot be matched');
});
