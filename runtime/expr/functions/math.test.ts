/**
 * Math functions against PostgreSQL 15's answers (generated with psql on a real server, then
 * checked in): result text, result type and error codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeId } from '../../sql/types.js';
import { evalCall, expectErrors, expectTable } from './eval-call.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["abs(-9223372036854775807)", "9223372036854775807", 'int8'],
  ["abs(-1.50)", "1.50", 'numeric'],
  ["abs(-1.5::float4)", "1.5", 'float4'],
  ["abs(-0::float8)", "0", 'float8'],
  ["ceil(-0.5)", "0", 'numeric'],
  ["ceil(-0.5::float8)", "-0", 'float8'],
  ["ceiling(1.2)", "2", 'numeric'],
  ["floor(-0.5)", "-1", 'numeric'],
  ["floor(-0.5::float8)", "-1", 'float8'],
  ["round(-2.5)", "-3", 'numeric'],
  ["round(-2.5::float8)", "-2", 'float8'],
  ["round(3.5::float8)", "4", 'float8'],
  ["round(1234.5678, -2)", "1200", 'numeric'],
  ["round(1.5::numeric, 2)", "1.50", 'numeric'],
  ["round(1)", "1", 'float8'],
  ["round('2.5')", "2", 'float8'],
  ["round(2.5::float4)", "2", 'float8'],
  ["trunc(-1.99)", "-1", 'numeric'],
  ["trunc(1234.5678, -2)", "1200", 'numeric'],
  ["trunc(1.5::float8)", "1", 'float8'],
  ["trunc(5)", "5", 'float8'],
  ["sqrt(2)", "1.4142135623730951", 'float8'],
  ["sqrt(2::numeric)", "1.414213562373095", 'numeric'],
  ["cbrt(-8)", "-2", 'float8'],
  ["power(2,10)", "1024", 'float8'],
  ["power(2.0,10)", "1024.0000000000000000", 'numeric'],
  ["power(2::float8,0.5)", "1.4142135623730951", 'float8'],
  ["pow(2, 3)", "8", 'float8'],
  ["exp(1)", "2.718281828459045", 'float8'],
  ["exp(1.0)", "2.7182818284590452", 'numeric'],
  ["ln(2.0)", "0.6931471805599453", 'numeric'],
  ["log(100)", "2", 'float8'],
  ["log(100.0)", "2.0000000000000000", 'numeric'],
  ["log(2,8)", "3.0000000000000000", 'numeric'],
  ["log(2.0, 1024)", "10.0000000000000000", 'numeric'],
  ["log10(1000)", "3", 'float8'],
  ["log10(1000.0)", "3.0000000000000000", 'numeric'],
  ["mod(-7,3)", "-1", 'int4'],
  ["mod(-7.5,2)", "-1.5", 'numeric'],
  ["mod(7::int2,3::int2)", "1", 'int2'],
  ["mod(-2147483648,-1)", "0", 'int4'],
  ["mod(10::int8, 3)", "1", 'int8'],
  ["sign(-3)", "-1", 'float8'],
  ["sign(-3.5)", "-1", 'numeric'],
  ["sign(0::float8)", "0", 'float8'],
  ["sign(0.0)", "0", 'numeric'],
  ["pi()", "3.141592653589793", 'float8'],
  ["degrees(1)", "57.29577951308232", 'float8'],
  ["radians(180)", "3.141592653589793", 'float8'],
  ["sin(1)", "0.8414709848078965", 'float8'],
  ["cos(0)", "1", 'float8'],
  ["tan(1)", "1.5574077246549023", 'float8'],
  ["cot(1)", "0.6420926159343306", 'float8'],
  ["cot(0)", "Infinity", 'float8'],
  ["asin(0.5)", "0.5235987755982989", 'float8'],
  ["atan(1)", "0.7853981633974483", 'float8'],
  ["atan2(1,1)", "0.7853981633974483", 'float8'],
  ["sin('NaN'::float8)", "NaN", 'float8'],
  ["div(7,2)", "3", 'numeric'],
  ["div(-7,2)", "-3", 'numeric'],
  ["div(9.9, 3.3)", "3", 'numeric'],
  ["gcd(12,18)", "6", 'int4'],
  ["gcd(-12, 18)", "6", 'int4'],
  ["gcd(12::int8, 18::int8)", "6", 'int8'],
  ["lcm(4,6)", "12", 'int4'],
  ["gcd(12.5,5)", "2.5", 'numeric'],
  ["lcm(0.25,0.1)", "0.50", 'numeric'],
  ["lcm(-4, 6)", "12", 'int4'],
  ["width_bucket(5.35, 0.024, 10.06, 5)", "3", 'int4'],
  ["width_bucket(5.35::float8, 0.024, 10.06, 5)", "3", 'int4'],
  ["width_bucket(10,0,10,5)", "6", 'int4'],
  ["width_bucket(-1,0,10,5)", "0", 'int4'],
  ["width_bucket(3,10,0,5)", "4", 'int4'],
  ["trim_scale(1.500)", "1.5", 'numeric'],
  ["trim_scale(100)", "100", 'numeric'],
  ["scale(1.500)", "3", 'int4'],
  ["min_scale(1.500)", "1", 'int4'],
  ["scale('NaN'::numeric)", null, 'int4'],
  ["factorial(5)", "120", 'numeric'],
  ["factorial(0)", "1", 'numeric'],
  ["tanh(1)", "0.7615941559557649", 'float8'],
  ["sinh(1)", "1.1752011936438014", 'float8'],
  ["cosh(1)", "1.5430806348152437", 'float8'],
  ["sqrt(1e-30::float8)", "1e-15", 'float8'],
  ["exp(1.5)", "4.4816890703380648", 'numeric'],
  ["sqrt(16)", "4", 'float8'],
  ["sqrt(2.25)", "1.500000000000000", 'numeric'],
  ["power(1.5, 2)", "2.2500000000000000", 'numeric'],
  ["power(2, -2)", "0.25", 'float8'],
  ["power(2.0, -2)", "0.2500000000000000", 'numeric'],
  ["ln(10)", "2.302585092994046", 'float8'],
  ["log(8.0)", "0.9030899869919436", 'numeric'],
  ["abs(-1e20::float8)", "1e+20", 'float8'],
  ["round(12345678901234567.5::float8)", "1.2345678901234568e+16", 'float8'],
  ["trunc(-0.1::float8)", "-0", 'float8'],
  ["power(-2::float8, 3)", "-8", 'float8'],
  ["exp(0.5::float8)", "1.6487212707001282", 'float8'],
  ["round(0.5::float8)", "0", 'float8'],
  ["round(-0.5::float8)", "-0", 'float8'],
  ["width_bucket(5::float8, 0, 10, 2147483647)", "1073741824", 'int4'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["abs(-2147483648)", '22003', "integer out of range"],
  ["abs(-32768::int2)", '22003', "smallint out of range"],
  ["sqrt(-1)", '2201F', "cannot take square root of a negative number"],
  ["sqrt(-1::numeric)", '2201F', "cannot take square root of a negative number"],
  ["power(0::float8,-1)", '2201F', "zero raised to a negative power is undefined"],
  ["power(0,-1)", '2201F', "zero raised to a negative power is undefined"],
  ["power(-1::float8,0.5)", '2201F', "a negative number raised to a non-integer power yields a complex result"],
  ["power(10, 400::float8)", '22003', "value out of range: overflow"],
  ["exp(1000::float8)", '22003', "value out of range: overflow"],
  ["exp(-1000::float8)", '22003', "value out of range: underflow"],
  ["ln(0)", '2201E', "cannot take logarithm of zero"],
  ["ln(-1)", '2201E', "cannot take logarithm of a negative number"],
  ["ln(0::float8)", '2201E', "cannot take logarithm of zero"],
  ["log(0::float8)", '2201E', "cannot take logarithm of zero"],
  ["log10(-1::float8)", '2201E', "cannot take logarithm of a negative number"],
  ["mod(7,0)", '22012', "division by zero"],
  ["mod(10, 0.0)", '22012', "division by zero"],
  ["asin(2)", '22003', "input is out of range"],
  ["acos(-2)", '22003', "input is out of range"],
  ["sin('Infinity'::float8)", '22003', "input is out of range"],
  ["div(7.5,0)", '22012', "division by zero"],
  ["gcd(-2147483648,0)", '22003', "integer out of range"],
  ["lcm(2147483647,2147483646)", '22003', "integer out of range"],
  ["width_bucket(5,5,5,1)", '2201G', "lower bound cannot equal upper bound"],
  ["width_bucket(5,0,10,0)", '2201G', "count must be greater than zero"],
  ["factorial(-1)", '22003', "factorial of a negative number is undefined"],
  ["degrees(1e308)", '22003', "value out of range: overflow"],
  ["exp(710)", '22003', "value out of range: overflow"],
  ["exp(-9000)", '22003', "value out of range: underflow"],
];

test('math functions return what PostgreSQL returns', () => {
  expectTable(CASES);
});

test('math functions raise PostgreSQL error codes and messages', () => {
  expectErrors(ERRORS);
});

test('round(float8) is rint (half to even); round(numeric) is half away from zero', () => {
  expectTable([
    ['round(2.5::float8)', '2', 'float8'],
    ['round(3.5::float8)', '4', 'float8'],
    ['round(2.5)', '3', 'numeric'],
    ['round(-2.5)', '-3', 'numeric'],
  ]);
});

test('cbrt is close to the true cube root (glibc may differ in the last bit)', () => {
  assert.equal(evalCall('cbrt(-8)').text, '-2');
  assert.ok(Math.abs(Number(evalCall('cbrt(27)').text) - 3) < 1e-15);
});

test('random() is volatile and in [0, 1)', () => {
  const r = Number(evalCall('random()').text);
  assert.ok(r >= 0 && r < 1);
});
