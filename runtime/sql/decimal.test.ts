import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from './decimal.js';
import { SqlError } from './errors.js';

const d = (s: string): Decimal => Decimal.fromString(s);

/** Asserts that fn throws a SqlError with the given SQLSTATE (and message, if given). */
function throwsSql(fn: () => unknown, code: string, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

test('numeric input and output keep the display scale', () => {
  const cases: [string, string][] = [
    ['  1.5e3 ', '1500'], ['1e-3', '0.001'], ['.5', '0.5'], ['5.', '5'], ['-0.00', '0.00'], ['1.50', '1.50'],
    ['inf', 'Infinity'], [' -Infinity', '-Infinity'], ['nan', 'NaN'], ['+12.340', '12.340'], ['1.5E+2', '150'],
    ['0.000', '0.000'], ['-12345678901234567890.123', '-12345678901234567890.123'],
  ];
  for (const [input, out] of cases) assert.equal(d(input).toString(), out, input);
});

test('numeric input errors', () => {
  for (const bad of ['x', '1.5.5', '1e', '  ', '', '-', '1 2', '--1', '-nan', '0x10']) {
    throwsSql(() => d(bad), '22P02', `invalid input syntax for type numeric: "${bad}"`);
  }
  throwsSql(() => d('1e1000000'), '22003', 'value overflows numeric format');
  throwsSql(() => d('1e131072'), '22003');
  assert.equal(d('1e131071').toString().length, 131072);
});

test('add, sub, mul use PostgreSQL result scales', () => {
  assert.equal(d('1.50').add(d('2')).toString(), '3.50');
  assert.equal(d('0.001').add(d('2')).toString(), '2.001');
  assert.equal(d('1').sub(d('1.000')).toString(), '0.000');
  assert.equal(d('2.0').mul(d('1.50')).toString(), '3.000');
  assert.equal(d('-7').mul(d('0.5')).toString(), '-3.5');
});

test('division picks the scale like select_div_scale', () => {
  const cases: [string, string, string][] = [
    ['1', '3', '0.33333333333333333333'],
    ['1.0', '3', '0.33333333333333333333'],
    ['10', '4.000', '2.5000000000000000'],
    ['123456789', '0.0003', '411522630000.00000000'],
    ['0.00001', '3', '0.000003333333333333333333'],
    ['9999', '10000', '0.99990000000000000000'],
    ['10000', '9999', '1.0001000100010001'],
    ['1', '7', '0.14285714285714285714'],
    ['2', '3', '0.66666666666666666667'],
    ['-2', '3', '-0.66666666666666666667'],
  ];
  for (const [a, b, r] of cases) assert.equal(d(a).div(d(b)).toString(), r, `${a} / ${b}`);
  throwsSql(() => d('1').div(d('0')), '22012', 'division by zero');
  throwsSql(() => d('1').div(d('0.000')), '22012');
  assert.equal(d('NaN').div(d('0')).toString(), 'NaN');
  assert.equal(d('5').div(d('Infinity')).toString(), '0');
  throwsSql(() => d('Infinity').div(d('0')), '22012');
});

test('mod follows the dividend sign and handles specials', () => {
  assert.equal(d('7.5').mod(d('2')).toString(), '1.5');
  assert.equal(d('-7.5').mod(d('2')).toString(), '-1.5');
  assert.equal(d('7').mod(d('-2.25')).toString(), '0.25');
  assert.equal(d('Infinity').mod(d('2')).toString(), 'NaN');
  assert.equal(d('5').mod(d('Infinity')).toString(), '5');
  throwsSql(() => d('5').mod(d('0')), '22012');
});

test('special values: arithmetic and ordering', () => {
  assert.equal(d('Infinity').add(d('-Infinity')).toString(), 'NaN');
  assert.equal(d('Infinity').mul(d('0')).toString(), 'NaN');
  assert.equal(d('-Infinity').mul(d('-2')).toString(), 'Infinity');
  assert.equal(d('NaN').cmp(d('Infinity')), 1);
  assert.equal(d('NaN').cmp(d('NaN')), 0);
  assert.equal(d('-Infinity').cmp(d('-1e100')), -1);
  assert.equal(d('1.0').cmp(d('1.000')), 0);
  assert.ok(d('1.0').eq(d('1')));
  assert.equal(d('-0.5').cmp(d('-0.25')), -1);
});

test('round, trunc, ceil, floor', () => {
  assert.equal(d('1234.5').round(-2).toString(), '1200');
  assert.equal(d('1.5').round(3).toString(), '1.500');
  assert.equal(d('-2.5').round().toString(), '-3');
  assert.equal(d('2.5').round().toString(), '3');
  assert.equal(d('1234.5678').round(2).toString(), '1234.57');
  assert.equal(d('999.9').round(-3).toString(), '1000');
  assert.equal(d('-2.57').trunc(1).toString(), '-2.5');
  assert.equal(d('-1234.5678').trunc(-2).toString(), '-1200');
  assert.equal(d('-1.5').ceil().toString(), '-1');
  assert.equal(d('-1.5').floor().toString(), '-2');
  assert.equal(d('1.5').ceil().toString(), '2');
  assert.equal(d('-0.1').ceil().toString(), '0');
});

test('applyTypmod rounds and checks the precision', () => {
  assert.equal(d('12.345').applyTypmod(4, 2).toString(), '12.35');
  assert.equal(d('123').applyTypmod(2, -1).toString(), '120');
  assert.equal(d('0.5').applyTypmod(3, 3).toString(), '0.500');
  const overflow = (v: string, p: number, s: number, detail: string): void => {
    assert.throws(() => d(v).applyTypmod(p, s), (e: unknown) => {
      assert.ok(e instanceof SqlError);
      assert.equal(e.code, '22003');
      assert.equal(e.message, 'numeric field overflow');
      assert.equal(e.detail, detail);
      return true;
    });
  };
  overflow('12345.678', 5, 1, 'A field with precision 5, scale 1 must round to an absolute value less than 10^4.');
  overflow('99.995', 4, 2, 'A field with precision 4, scale 2 must round to an absolute value less than 10^2.');
  overflow('1', 2, 3, 'A field with precision 2, scale 3 must round to an absolute value less than 10^-1.');
  overflow('1', 1, 1, 'A field with precision 1, scale 1 must round to an absolute value less than 1.');
  overflow('Infinity', 5, 2, 'A field with precision 5, scale 2 cannot hold an infinite value.');
  assert.equal(d('NaN').applyTypmod(5, 2).toString(), 'NaN');
});

test('conversions to integers round half away from zero', () => {
  assert.equal(d('2.5').toBigInt(), 3n);
  assert.equal(d('-2.5').toBigInt(), -3n);
  assert.equal(d('9223372036854775807.4').toBigInt(), 9223372036854775807n);
  throwsSql(() => d('9223372036854775807.5').toBigInt(), '22003', 'bigint out of range');
  throwsSql(() => d('2147483647.5').toInt4(), '22003', 'integer out of range');
  throwsSql(() => d('32767.5').toInt2(), '22003', 'smallint out of range');
  throwsSql(() => d('NaN').toBigInt(), '0A000', 'cannot convert NaN to bigint');
  throwsSql(() => d('-Infinity').toInt4(), '0A000', 'cannot convert infinity to integer');
});

test('float conversions', () => {
  assert.equal(Decimal.fromNumber(0.1).toString(), '0.1');
  assert.equal(Decimal.fromNumber(1 / 3).toString(), '0.333333333333333');
  assert.equal(Decimal.fromNumber(1e20).toString(), '100000000000000000000');
  assert.equal(Decimal.fromNumber(1.5e-7).toString(), '0.00000015');
  assert.equal(Decimal.fromNumber(NaN).toString(), 'NaN');
  assert.equal(Decimal.fromNumber(-Infinity).toString(), '-Infinity');
  assert.equal(d('0.1').toNumber(), 0.1);
  assert.equal(d('1e100').toNumber(), 1e100);
  throwsSql(() => d('1e400').toNumber(), '22003', /is out of range for type double precision$/);
  assert.equal(Decimal.fromBigInt(-9223372036854775808n).toString(), '-9223372036854775808');
  assert.equal(Decimal.fromInt(42).toString(), '42');
});

test('transcendental functions match PostgreSQL digits and scales', () => {
  assert.equal(Decimal.sqrt(d('2.0')).toString(), '1.414213562373095');
  assert.equal(Decimal.sqrt(d('2.00000000000000000000')).toString(), '1.41421356237309504880');
  assert.equal(Decimal.sqrt(d('1e-10')).toString(), '0.000010000000000000000');
  assert.equal(Decimal.ln(d('2.0')).toString(), '0.6931471805599453');
  assert.equal(Decimal.ln(d('10.0')).toString(), '2.3025850929940457');
  assert.equal(Decimal.ln(d('1.0001')).toString(), '0.00009999500033330834');
  assert.equal(Decimal.exp(d('1.0')).toString(), '2.7182818284590452');
  assert.equal(Decimal.exp(d('-10.0')).toString(), '0.00004539992976248485');
  assert.equal(Decimal.log(d('10.0'), d('1000.0')).toString(), '3.0000000000000000');
  throwsSql(() => Decimal.sqrt(d('-1')), '2201F', 'cannot take square root of a negative number');
  throwsSql(() => Decimal.ln(d('0')), '2201E', 'cannot take logarithm of zero');
  throwsSql(() => Decimal.ln(d('-1')), '2201E', 'cannot take logarithm of a negative number');
});

test('power follows numeric_power', () => {
  const cases: [string, string, string][] = [
    ['2.0', '3', '8.0000000000000000'],
    ['2.0', '100', '1267650600228229401496703205376.0000000000000000'],
    ['2.0', '-3', '0.1250000000000000'],
    ['10.0', '-20', '0.0000000000000000'],
    ['1.000001', '1000000', '2.7182804693193769'],
    ['2', '0.5', '1.4142135623730950'],
    ['1.5', '2.5', '2.7556759606310754'],
    ['12.34', '5.6789', '1575685.9422665024'],
    ['0.0', '0', '1.0000000000000000'],
    ['0', '0.5', '0.0000000000000000'],
    ['-2.0', '3', '-8.0000000000000000'],
    ['1.1', '10.0', '2.5937424601000000'],
    ['NaN', '0', '1'],
    ['1', 'NaN', '1'],
  ];
  for (const [a, b, r] of cases) assert.equal(Decimal.pow(d(a), d(b)).toString(), r, `${a} ^ ${b}`);
  throwsSql(() => Decimal.pow(d('0'), d('-1')), '2201F', 'zero raised to a negative power is undefined');
  throwsSql(
    () => Decimal.pow(d('-1.5'), d('2.5')),
    '2201F',
    'a negative number raised to a non-integer power yields a complex result',
  );
});
