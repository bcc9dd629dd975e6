import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Interval } from './interval.js';
import { SqlError } from './errors.js';

const iv = (s: string): Interval => Interval.parse(s);

test('interval input and postgres-style output (checked against PostgreSQL 15)', () => {
  const cases: [string, string][] = [
    ['1 day', '1 day'],
    ['2 hours 30 minutes', '02:30:00'],
    ['1 year 2 mons 3 days 04:05:06.5', '1 year 2 mons 3 days 04:05:06.5'],
    ['-1 day', '-1 days'],
    ['1 day ago', '-1 days'],
    ['01:30:00', '01:30:00'],
    ['90 seconds', '00:01:30'],
    ['1.5 hours', '01:30:00'],
    ['P1Y2M3DT4H5M6S', '1 year 2 mons 3 days 04:05:06'],
    ['@ 1 minute', '00:01:00'],
    ['1.5 years', '1 year 6 mons'],
    ['1.5 months', '1 mon 15 days'],
    ['1.5 days', '1 day 12:00:00'],
    ['1 week', '7 days'],
    ['2 decades', '20 years'],
    ['1 century', '100 years'],
    ['1 millennium', '1000 years'],
    ['10 ms', '00:00:00.01'],
    ['10 us', '00:00:00.00001'],
    ['-01:30', '-01:30:00'],
    ['1 day -01:00:00', '1 day -01:00:00'],
    ['1:2', '01:02:00'],
    ['1:2.5', '00:01:02.5'],
    ['1 2:03:04', '1 day 02:03:04'],
    ['5', '00:00:05'],
    ['-1 year -2 mons +3 days -04:05:06', '-1 years -2 mons +3 days -04:05:06'],
    ['@ 1 year 2 mons ago', '-1 years -2 mons'],
    ['P1.5Y', '1 year 6 mons'],
    ['PT36H', '36:00:00'],
    ['P0002-03-04T05:06:07', '2 years 3 mons 4 days 05:06:07'],
    ['1 mon -1 day', '1 mon -1 days'],
    ['0.0000005 s', '00:00:00'],
    ['1.999999999 s', '00:00:02'],
    ['2 y 3 m', '2 years 00:03:00'],
    ['-1.5 days', '-1 days -12:00:00'],
    ['-1.5 weeks', '-10 days -12:00:00'],
    ['1 week 2 days', '9 days'],
    ['1-2', '1 year 2 mons'],
    ['1-2 3 4:05:06', '1 year 2 mons 3 days 04:05:06'],
    ['1day', '1 day'],
    ['1 year ago 2 days', '-1 years -2 days'],
    ['- 1 hour', '-01:00:00'],
    ['PT', '00:00:00'],
    ['100000000 hours', '100000000:00:00'],
    ['0', '00:00:00'],
  ];
  for (const [input, out] of cases) assert.equal(iv(input).toString(), out, input);
});

test('interval input errors', () => {
  for (const bad of ['day', 'ago', '1 year 2 ago', '1 hour 01:00', 'P', 'x', '', '1 day 1 day', '1 fortnight']) {
    assert.throws(() => iv(bad), (e: unknown) => {
      assert.ok(e instanceof SqlError);
      assert.equal(e.code, '22007');
      assert.equal(e.message, `invalid input syntax for type interval: "${bad}"`);
      return true;
    }, bad);
  }
  assert.throws(() => iv('2147483648 days'), (e: unknown) => e instanceof SqlError && e.code === '22015'
    && e.message === 'interval field value out of range: "2147483648 days"');
});

test('output round-trips through input', () => {
  for (const s of ['1 year 2 mons 3 days 04:05:06.5', '-1 days +02:00:00', '1 mon -1 days', '-00:00:00.000001', '25:00:00']) {
    const v = iv(s);
    assert.ok(iv(v.toString()).identical(v), s);
  }
});

test('arithmetic with PostgreSQL fraction cascading', () => {
  assert.equal(iv('1 day').add(iv('2 hours')).toString(), '1 day 02:00:00');
  assert.equal(iv('1 day').sub(iv('2 hours')).toString(), '1 day -02:00:00');
  assert.equal(iv('1 day -02:00').neg().toString(), '-1 days +02:00:00');
  assert.equal(iv('1 mon').mulNumber(1.5).toString(), '1 mon 15 days');
  assert.equal(iv('1 day 1 hour').mulNumber(2.5).toString(), '2 days 14:30:00');
  assert.equal(iv('-1 day').mulNumber(0.3).toString(), '-07:12:00');
  assert.equal(iv('1 mon 1 day').mulNumber(-1.7).toString(), '-1 mons -22 days -16:48:00');
  assert.equal(iv('1 mon 3 days').divNumber(7).toString(), '4 days 17:08:34.261029');
  assert.equal(iv('7 mons').divNumber(3).toString(), '2 mons 10 days');
  assert.equal(iv('1 year').mulNumber(0.5).toString(), '6 mons');
  assert.throws(() => iv('1 day').divNumber(0), (e: unknown) => e instanceof SqlError && e.code === '22012');
});

test('comparison uses 30-day months and 24-hour days', () => {
  assert.equal(iv('1 mon').cmp(iv('30 days')), 0);
  assert.ok(iv('1 mon').eq(iv('30 days')));
  assert.ok(!iv('1 mon').identical(iv('30 days')));
  assert.equal(iv('1 day').cmp(iv('23 hours')), 1);
  assert.equal(iv('-1 day').cmp(iv('1 hour')), -1);
  assert.equal(iv('1 day').totalMicros(), 86_400_000_000);
  assert.equal(Interval.fromParts(1, 2, 0, 3, 4, 5, 6.5).toString(), '1 year 2 mons 3 days 04:05:06.5');
});

test('justify functions', () => {
  assert.equal(iv('27 hours').justifyHours().toString(), '1 day 03:00:00');
  assert.equal(iv('35 days').justifyDays().toString(), '1 mon 5 days');
  assert.equal(iv('1 mon -1 hour').justifyInterval().toString(), '29 days 23:00:00');
});
