import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  age,
  dateBin,
  dateDiff,
  datePlusDays,
  datePlusInterval,
  extractDate,
  extractInterval,
  extractTimestamp,
  formatDate,
  formatTimestamp,
  formatTimestamptz,
  makeDate,
  makeTimestamp,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
  timestampDiff,
  timestampPlusInterval,
  toCharInterval,
  toCharTimestamp,
  toTimestamp,
  truncInterval,
  truncTimestamp,
  datePartTimestamp,
} from './datetime.js';
import { Interval } from './interval.js';
import { SqlError } from './errors.js';

const ts = (s: string): number => parseTimestamp(s);
const tz = (s: string): number => parseTimestamptz(s);
const iv = (s: string): Interval => Interval.parse(s);
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0) * 1000;

function throwsSql(fn: () => unknown, code: string, message?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

test('timestamp/timestamptz/date input and output (checked against PostgreSQL 15)', () => {
  const T: [string, string][] = [
    ['2024-01-02 03:04:05', '2024-01-02 03:04:05'],
    ['2024-01-02T03:04:05.5', '2024-01-02 03:04:05.5'],
    ['2024-01-01 24:00', '2024-01-02 00:00:00'],
    ['2024-01-01 23:59:60', '2024-01-02 00:00:00'],
    ['2024-01-02 03:04:05+02', '2024-01-02 03:04:05'],
    ['-infinity', '-infinity'],
    ['January 2, 2024', '2024-01-02 00:00:00'],
    ['2024-01-02 03:04:05.1234567', '2024-01-02 03:04:05.123457'],
    ['2024-1-2 3:4:5', '2024-01-02 03:04:05'],
    ['2024-01-02 12:00 am', '2024-01-02 00:00:00'],
    ['2024-01-02 12:00 pm', '2024-01-02 12:00:00'],
    ['1999-01-02 allballs', '1999-01-02 00:00:00'],
    ['1999-12-31 23:59:59.9999999', '2000-01-01 00:00:00'],
    ['0044-03-15 10:00 BC', '0044-03-15 10:00:00 BC'],
    ['1969-12-31 23:59:59.5', '1969-12-31 23:59:59.5'],
  ];
  for (const [i, o] of T) assert.equal(formatTimestamp(ts(i)), o, i);
  const TZ: [string, string][] = [
    ['2024-01-02T03:04:05.123456Z', '2024-01-02 03:04:05.123456+00'],
    ['2024-01-02 03:04:05+02', '2024-01-02 01:04:05+00'],
    ['2024-01-02 03:04:05+05:30', '2024-01-01 21:34:05+00'],
    ['2024-01-02 03:04:05-0800', '2024-01-02 11:04:05+00'],
    ['2024-01-02 03:04:05 UTC', '2024-01-02 03:04:05+00'],
    ['2024-01-02 03:04:05 +02:00', '2024-01-02 01:04:05+00'],
    ['2024-07-02 03:04:05 PST', '2024-07-02 11:04:05+00'],
    ['2024-01-02 03:04:05 America/New_York', '2024-01-02 08:04:05+00'],
    ['2024-07-02 03:04:05 Europe/Paris', '2024-07-02 01:04:05+00'],
    ['2024-01-02 03:04:05+15', '2024-01-01 12:04:05+00'],
    ['2024-01-02 03:04:05.5 BC', '2024-01-02 03:04:05.5+00 BC'],
    ['epoch', '1970-01-01 00:00:00+00'],
    ['infinity', 'infinity'],
  ];
  for (const [i, o] of TZ) assert.equal(formatTimestamptz(tz(i)), o, i);
  const D: [string, string][] = [
    ['2024-01-02', '2024-01-02'], ['Jan 2 2024', '2024-01-02'], ['2 Jan 2024', '2024-01-02'],
    ['Tue Jan 02 2024', '2024-01-02'], ['1/2/2024', '2024-01-02'], ['1/2/24', '2024-01-02'],
    ['20240102', '2024-01-02'], ['2024/01/02', '2024-01-02'], ['02-Jan-2024', '2024-01-02'],
    ['0044-03-15 BC', '0044-03-15 BC'], ['10000-01-01', '10000-01-01'], ['  2024-01-02  ', '2024-01-02'],
    ['2024-01-02 03:04:05', '2024-01-02'], ['infinity', 'infinity'],
  ];
  for (const [i, o] of D) assert.equal(formatDate(parseDate(i)), o, i);
  assert.equal(formatDate(parseDate('today', NOW)), '2026-11-23');
  assert.equal(formatDate(parseDate('tomorrow', NOW)), '2026-11-24');
  assert.equal(formatTimestamptz(parseTimestamptz('yesterday', NOW)), '2026-11-22 00:00:00+00');
  assert.equal(parseTimestamptz('now', NOW), NOW);
});

test('date/time input errors', () => {
  throwsSql(() => parseDate('x'), '22007', 'invalid input syntax for type date: "x"');
  throwsSql(() => parseTimestamp('x'), '22007', 'invalid input syntax for type timestamp: "x"');
  throwsSql(() => parseTimestamptz('x'), '22007', 'invalid input syntax for type timestamp with time zone: "x"');
  throwsSql(() => parseDate('2024-13-01'), '22008', 'date/time field value out of range: "2024-13-01"');
  throwsSql(() => parseTimestamp('2024-02-30'), '22008', 'date/time field value out of range: "2024-02-30"');
  throwsSql(() => parseDate('13/01/2024'), '22008');
  throwsSql(() => parseTimestamp('2024-01-01 25:00'), '22008');
  throwsSql(() => parseTimestamp('2024-01-01 24:00:01'), '22008');
  throwsSql(() => parseDate('0000-01-01'), '22008');
  throwsSql(() => parseTimestamptz('2024-01-02 03:04:05 ZZZ'), '22007');
  throwsSql(() => parseTimestamptz('2024-01-02 03:04:05+25'), '22009',
    'time zone displacement out of range: "2024-01-02 03:04:05+25"');
  throwsSql(() => parseTimestamp('2024-01-02 now'), '22007');
  const e = (() => { try { parseDate('2024-13-01'); } catch (x) { return x as SqlError; } })();
  assert.equal(e?.hint, 'Perhaps you need a different "datestyle" setting.');
});

test('date_trunc', () => {
  const v = ts('2024-05-17 13:47:29.123456');
  const cases: [string, string][] = [
    ['microseconds', '2024-05-17 13:47:29.123456'], ['milliseconds', '2024-05-17 13:47:29.123'],
    ['second', '2024-05-17 13:47:29'], ['minute', '2024-05-17 13:47:00'], ['hour', '2024-05-17 13:00:00'],
    ['day', '2024-05-17 00:00:00'], ['week', '2024-05-13 00:00:00'], ['month', '2024-05-01 00:00:00'],
    ['quarter', '2024-04-01 00:00:00'], ['year', '2024-01-01 00:00:00'], ['decade', '2020-01-01 00:00:00'],
    ['century', '2001-01-01 00:00:00'], ['millennium', '2001-01-01 00:00:00'], ['HOURS', '2024-05-17 13:00:00'],
  ];
  for (const [u, o] of cases) assert.equal(formatTimestamp(truncTimestamp(u, v, false)), o, u);
  assert.equal(formatTimestamp(truncTimestamp('week', ts('2021-01-01 10:00'), false)), '2020-12-28 00:00:00');
  assert.equal(formatTimestamp(truncTimestamp('century', ts('2000-08-15'), false)), '1901-01-01 00:00:00');
  assert.equal(formatTimestamp(truncTimestamp('decade', ts('0005-08-15 BC'), false)), '0011-01-01 00:00:00 BC');
  assert.equal(formatTimestamp(truncTimestamp('second', ts('1969-12-31 23:59:59.999999'), false)), '1969-12-31 23:59:59');
  assert.equal(truncTimestamp('month', Infinity, false), Infinity);
  throwsSql(() => truncTimestamp('foo', 0, true), '22023', 'unit "foo" not recognized for type timestamp with time zone');
  throwsSql(() => truncTimestamp('dow', 0, false), '22023');
  assert.equal(truncInterval('hour', iv('1 year 5 mons 17 days 13:47:29.1')).toString(), '1 year 5 mons 17 days 13:00:00');
  assert.equal(truncInterval('quarter', iv('1 year 5 mons 17 days')).toString(), '1 year 3 mons');
});

test('extract / date_part', () => {
  const v = ts('2024-01-02 03:04:05.5');
  const cases: [string, string][] = [
    ['microseconds', '5500000'], ['milliseconds', '5500.000'], ['second', '5.500000'], ['minute', '4'],
    ['hour', '3'], ['day', '2'], ['dow', '2'], ['isodow', '2'], ['doy', '2'], ['week', '1'], ['month', '1'],
    ['quarter', '1'], ['year', '2024'], ['decade', '202'], ['century', '21'], ['millennium', '3'],
    ['epoch', '1704164645.500000'], ['isoyear', '2024'], ['julian', '2460312.12784143518518518519'],
  ];
  for (const [f, o] of cases) assert.equal(extractTimestamp(f, v, false)!.toString(), o, f);
  assert.equal(datePartTimestamp('second', v, false), 5.5);
  assert.equal(datePartTimestamp('julian', v, false), 2460312.1278414354);
  const bc = ts('0044-01-01 BC');
  assert.equal(extractTimestamp('year', bc, false)!.toString(), '-44');
  assert.equal(extractTimestamp('century', bc, false)!.toString(), '-1');
  assert.equal(extractTimestamp('decade', bc, false)!.toString(), '-5');
  assert.equal(extractTimestamp('epoch', Infinity, false)!.toString(), 'Infinity');
  assert.equal(extractTimestamp('day', Infinity, false), null);
  assert.equal(extractDate('epoch', parseDate('2024-01-02'))!.toString(), '1704153600');
  throwsSql(() => extractDate('hour', 0), '0A000', 'unit "hour" not supported for type date');
  throwsSql(() => extractTimestamp('foo', 0, false), '22023', 'unit "foo" not recognized for type timestamp without time zone');
  const i = iv('1 year 2 mons 3 days 04:05:06.5');
  assert.equal(extractInterval('epoch', i).toString(), '37015506.500000');
  assert.equal(extractInterval('second', i).toString(), '6.500000');
  assert.equal(extractInterval('month', i).toString(), '2');
  assert.equal(extractInterval('epoch', iv('1 year')).toString(), '31557600.000000');
  assert.equal(extractInterval('hour', iv('-25 hours')).toString(), '-25');
  throwsSql(() => extractInterval('dow', i), '0A000', 'unit "dow" not supported for type interval');
});

test('timestamp and date arithmetic', () => {
  assert.equal(formatTimestamp(timestampPlusInterval(ts('2024-01-31'), iv('1 month'))), '2024-02-29 00:00:00');
  assert.equal(formatTimestamp(timestampPlusInterval(ts('2024-03-31'), iv('-1 month'))), '2024-02-29 00:00:00');
  assert.equal(formatTimestamp(timestampPlusInterval(ts('2024-01-31 10:00'), iv('1 mon 1 day 1 hour'))), '2024-03-01 11:00:00');
  assert.equal(timestampPlusInterval(Infinity, iv('1 day')), Infinity);
  assert.equal(timestampDiff(ts('2024-03-01'), ts('2024-01-01 01:00')).toString(), '59 days 23:00:00');
  throwsSql(() => timestampDiff(Infinity, 0), '22008', 'cannot subtract infinite timestamps');
  assert.equal(formatDate(datePlusDays(parseDate('2024-01-31'), 1)), '2024-02-01');
  throwsSql(() => datePlusDays(parseDate('5874897-12-31'), 1), '22008', 'date out of range');
  assert.equal(dateDiff(parseDate('2024-03-01'), parseDate('2024-01-01')), 60);
  throwsSql(() => dateDiff(Infinity, 0), '22008', 'cannot subtract infinite dates');
  assert.equal(formatTimestamp(datePlusInterval(parseDate('2024-01-31'), iv('1 mon'))), '2024-02-29 00:00:00');
  throwsSql(() => timestampPlusInterval(ts('294276-12-31 23:59:59'), iv('1 day')), '22008', 'timestamp out of range');
});

test('age, date_bin, make_*, to_timestamp', () => {
  assert.equal(age(ts('2024-03-31'), ts('2024-02-29 12:00')).toString(), '1 mon 1 day 12:00:00');
  assert.equal(age(ts('2001-04-10'), ts('1957-06-13')).toString(), '43 years 9 mons 27 days');
  assert.equal(age(ts('1957-06-13'), ts('2001-04-10')).toString(), '-43 years -9 mons -27 days');
  const bin = (s: string, a: string, o: string): string => formatTimestamp(dateBin(iv(s), ts(a), ts(o)));
  assert.equal(bin('15 minutes', '2020-02-11 15:44:17', '2001-01-01'), '2020-02-11 15:30:00');
  assert.equal(bin('15 minutes', '2020-02-11 15:45:00', '2020-02-11 15:50:00'), '2020-02-11 15:35:00');
  assert.equal(bin('15 minutes', '2020-02-11 15:35:00', '2020-02-11 15:50:00'), '2020-02-11 15:35:00');
  throwsSql(() => bin('1 mon', '2020-02-11', '2001-01-01'), '0A000',
    'timestamps cannot be binned into intervals containing months or years');
  throwsSql(() => bin('0 s', '2020-02-11', '2001-01-01'), '22008', 'stride must be greater than zero');
  assert.equal(formatDate(makeDate(-44, 3, 15)), '0044-03-15 BC');
  throwsSql(() => makeDate(2024, 13, 1), '22008', 'date field value out of range: 2024-13-01');
  assert.equal(formatTimestamp(makeTimestamp(2024, 1, 2, 3, 4, 5.5)), '2024-01-02 03:04:05.5');
  throwsSql(() => makeTimestamp(2024, 1, 2, 3, 4, 60.5), '22008', 'time field value out of range: 3:04:60.5');
  assert.equal(formatTimestamptz(toTimestamp(1.5)), '1970-01-01 00:00:01.5+00');
  throwsSql(() => toTimestamp(NaN), '22008', 'timestamp cannot be NaN');
  throwsSql(() => toTimestamp(1e20), '22008', 'timestamp out of range: "1e+20"');
});

test('to_char', () => {
  const v = ts('2024-01-02 03:04:05.123456');
  assert.equal(
    toCharTimestamp(v, 'YYYY YY MM Mon MON mon Month DD D DY Dy Day HH HH12 HH24 MI SS MS US AM PM am TZ OF', false),
    '2024 24 01 Jan JAN jan January   02 3 TUE Tue Tuesday   03 03 03 04 05 123 123456 AM AM am  +00',
  );
  assert.equal(toCharTimestamp(v, 'FMMonth FMDD "quoted YYYY" DDth DDTH Q WW IW CC J RM SSSS FF3 Y,YYY', false),
    'January 2 quoted YYYY 02nd 02ND 1 01 01 21 2460312 I    11045 123 2,024');
  assert.equal(toCharTimestamp(tz('2024-01-02 13:04:05+00'), 'TZ OF tz HH PM', true), 'UTC +00 utc 01 PM');
  assert.equal(toCharTimestamp(ts('2024-07-04 12:30'), 'FMDDth Mon YYYY HH12:MI PM', false), '4th Jul 2024 12:30 PM');
  assert.equal(toCharTimestamp(ts('0044-03-15 13:00 BC'), 'YYYY BC CC', false), '0044 BC -01');
  assert.equal(toCharTimestamp(Infinity, 'YYYY', false), null);
  assert.equal(toCharInterval(iv('1 year 2 mons 3 days 25:04:05'), 'YYYY MM DD HH HH24 MI SS'), '0001 02 03 01 25 04 05');
});
