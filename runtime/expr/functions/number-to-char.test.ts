/**
 * to_char(number, format) against PostgreSQL 15's answers (generated with psql on a real server,
 * then checked in), including its padding, sign and overflow quirks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeId } from '../../sql/types.js';
import { expectErrors, expectTable } from './eval-call.js';
import { printfExp, printfFixed } from './number-to-char.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["to_char(-12, '9999')", "  -12", 'text'],
  ["to_char(12, 'S9999')", "  +12", 'text'],
  ["to_char(-12, 'S9999')", "  -12", 'text'],
  ["to_char(-12, '9999S')", "  12-", 'text'],
  ["to_char(0.5, '9.99')", "  .50", 'text'],
  ["to_char(0.5, '0.99')", " 0.50", 'text'],
  ["to_char(0.5, 'FM9.99')", ".5", 'text'],
  ["to_char(1234567.891, '9,999,999.99')", " 1,234,567.89", 'text'],
  ["to_char(12, '9,999')", "    12", 'text'],
  ["to_char(12, 'FM9,999')", "12", 'text'],
  ["to_char(-12, '9999PR')", "  <12>", 'text'],
  ["to_char(12, '9999PR')", "   12 ", 'text'],
  ["to_char(-12, 'FM9999PR')", "<12>", 'text'],
  ["to_char(12345, '999')", " ###", 'text'],
  ["to_char(-0.1, '99.99')", "  -.10", 'text'],
  ["to_char(0, '9999')", "    0", 'text'],
  ["to_char(0, 'FM9999')", "0", 'text'],
  ["to_char(1.5, 'FM9.9')", "1.5", 'text'],
  ["to_char(1, 'FM9.9')", "1.", 'text'],
  ["to_char(12, '9999MI')", "  12 ", 'text'],
  ["to_char(-12, '9999MI')", "  12-", 'text'],
  ["to_char(12, 'PL9999')", "+   12", 'text'],
  ["to_char(12, 'SG9999')", "+  12", 'text'],
  ["to_char(-12, 'SG9999')", "-  12", 'text'],
  ["to_char(12.345, '99V99')", " 1235", 'text'],
  ["to_char(1234, '9.99EEEE')", " 1.23e+03", 'text'],
  ["to_char(-0.000123, '9.99EEEE')", "-1.23e-04", 'text'],
  ["to_char(9.99, '9.9EEEE')", " 10.0e+00", 'text'],
  ["to_char(1994, 'RN')", "        MCMXCIV", 'text'],
  ["to_char(1994, 'FMrn')", "mcmxciv", 'text'],
  ["to_char(5000, 'RN')", "###############", 'text'],
  ["to_char(21, '99TH')", " 21ST", 'text'],
  ["to_char(11, '99th')", " 11th", 'text'],
  ["to_char(3, 'FM9th')", "3rd", 'text'],
  ["to_char(12, '\"No.\" 99')", "No.  12", 'text'],
  ["to_char(12, 'L99')", "  12", 'text'],
  ["to_char(1.5::float8, '9.99')", " 1.50", 'text'],
  ["to_char(2.5::float8, '9')", " 2", 'text'],
  ["to_char(0.125::float8, '9.99')", "  .12", 'text'],
  ["to_char(1e20::float8, '9.99')", " #.", 'text'],
  ["to_char(123456789012345.678::float8, '999999999999999.999')", " 123456789012346", 'text'],
  ["to_char('NaN'::numeric, '999')", " NaN", 'text'],
  ["to_char('NaN'::float8, '999')", " NaN", 'text'],
  ["to_char('Infinity'::float8, '9999999999')", "   Infinity", 'text'],
  ["to_char(1.5::float4, '9.9999999')", " 1.50000", 'text'],
  ["to_char(12, '0000')", " 0012", 'text'],
  ["to_char(-12, '0000')", "-0012", 'text'],
  ["to_char(12, '00.00')", " 12.00", 'text'],
  ["to_char(12.5, '09.99')", " 12.50", 'text'],
  ["to_char(123, 'FM0009')", "0123", 'text'],
  ["to_char(1.10, 'FM9.990')", "1.100", 'text'],
  ["to_char(1234, 'FM9G999D99')", "1,234.", 'text'],
  ["to_char(12, 'FMS9999')", "+12", 'text'],
  ["to_char(12, '99S')", "12+", 'text'],
  ["to_char(-12.5, 'FM99.99S')", "12.5-", 'text'],
  ["to_char(485, '999')", " 485", 'text'],
  ["to_char(-485, '999')", "-485", 'text'],
  ["to_char(1.1, 'FM999.')", "1", 'text'],
  ["to_char(148.5, 'FM999.999')", "148.5", 'text'],
  ["to_char(-0.5, '9.9')", " -.5", 'text'],
  ["to_char(1234, '99999.9EEEE')", " 1.2e+03", 'text'],
  ["to_char(123::int8, '9999')", "  123", 'text'],
  ["to_char(12, 'xx99yy')", "xx 12yy", 'text'],
  ["to_char(12, '')", "", 'text'],
  ["to_char('Infinity'::float8, '9.99EEEE')", " #.######", 'text'],
  ["to_char(0, '9.99EEEE')", " 0.00e+00", 'text'],
  ["to_char(5, 'B999')", "   5", 'text'],
  ["to_char(125, '9.9EEEE')", " 1.2e+02", 'text'],
  ["to_char(125::int8, '9.9EEEE')", " 1.3e+02", 'text'],
  ["to_char(125.0, '9.9EEEE')", " 1.3e+02", 'text'],
  ["to_char(0.000001234::float8, '9.999EEEE')", " 1.234e-06", 'text'],
  ["to_char(-1234.5678::float8, 'FM999,999.00')", "-1,234.57", 'text'],
  ["to_char(1234.5678::float4, '9999.99')", " 1234.57", 'text'],
  ["to_char(12, '9 9')", " 1 2", 'text'],
  ["to_char(-7, 'FM9PR')", "<7>", 'text'],
  ["to_char(0.01, 'FM0.00')", "0.01", 'text'],
  ["to_char(-0.01, '0.00')", "-0.01", 'text'],
  ["to_char(100, 'FM999.99')", "100.", 'text'],
  ["to_char(3.14159, '9.99')", " 3.14", 'text'],
  ["to_char(99.999, '99.99')", " ##.##", 'text'],
  ["to_char(-99.999, '99.99')", "-##.##", 'text'],
  ["to_char(12345.678, '99G999D9S')", "12,345.7+", 'text'],
  ["to_char(1, '9th')", " 1st", 'text'],
  ["to_char(112, '999TH')", " 112TH", 'text'],
  ["to_char(-3, '9th')", "-3", 'text'],
  ["to_char(7, 'RN')", "            VII", 'text'],
  ["to_char(12.5, '9.9th')", " #.#", 'text'],
  ["to_char(0.5::float8, '9')", " 0", 'text'],
  ["to_char(1.5::float8, '9')", " 2", 'text'],
  ["to_char(-2.5::float8, '9')", "-2", 'text'],
  ["to_char(1e15::float8, '9999999999999999.99')", " 1000000000000000", 'text'],
  ["to_char(10, '99V9')", " 100", 'text'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["to_char(12, '9.9.9')", '42601', "multiple decimal points"],
  ["to_char(12, 'EEEE9')", '42601', "\"EEEE\" must be the last pattern used"],
  ["to_char(10, 'FM9.99V9')", '42601', "cannot use \"V\" and decimal point together"],
];

test('to_char(number) formats like PostgreSQL', () => {
  expectTable(CASES);
});

test('to_char(number) rejects bad formats like PostgreSQL', () => {
  expectErrors(ERRORS);
});

test('printf emulation rounds exact binary values half to even, like glibc', () => {
  assert.equal(printfFixed(2.5, 0), '2');
  assert.equal(printfFixed(3.5, 0), '4');
  assert.equal(printfFixed(0.125, 2), '0.12');
  assert.equal(printfFixed(0.1, 20), '0.10000000000000000555');
  assert.equal(printfFixed(1e21, 0), '1000000000000000000000');
  assert.equal(printfFixed(-0.5, 0), '-0');
  assert.equal(printfExp(125, 1), '+1.2e+02');
  assert.equal(printfExp(9.99, 1), '+1.0e+01');
  assert.equal(printfExp(-0.000123, 2), '-1.23e-04');
  assert.equal(printfExp(0, 2), '+0.00e+00');
});
