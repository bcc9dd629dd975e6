/**
 * Date/time functions against PostgreSQL 15's answers (TimeZone UTC; generated with psql on a
 * real server, then checked in): result text, result type and error codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TypeId } from '../../sql/types.js';
import { evalCall, expectErrors, expectTable, TEST_NOW } from './eval-call.js';
import { resolveFunction } from './registry.js';
import { T } from '../../sql/types.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["date_trunc('month', '2024-05-17 10:11:12.5'::timestamp)", "2024-05-01 00:00:00", 'timestamp'],
  ["date_trunc('week', '2021-01-01 10:00'::timestamp)", "2020-12-28 00:00:00", 'timestamp'],
  ["date_trunc('day', '2024-05-17 10:11:12+00'::timestamptz)", "2024-05-17 00:00:00+00", 'timestamptz'],
  ["date_trunc('hour', '1 day 10:30:40'::interval)", "1 day 10:00:00", 'interval'],
  ["date_trunc('day', '2024-05-17'::date)", "2024-05-17 00:00:00+00", 'timestamptz'],
  ["date_trunc('DAY', '2024-05-17 10:11:12'::timestamp)", "2024-05-17 00:00:00", 'timestamp'],
  ["date_trunc('day', '2020-07-01 23:30+00'::timestamptz, 'Asia/Tokyo')", "2020-07-01 15:00:00+00", 'timestamptz'],
  ["date_trunc('day', '2020-07-01 23:30+00'::timestamptz, '+05')", "2020-07-01 05:00:00+00", 'timestamptz'],
  ["date_trunc('month', '2020-07-01 23:30+00'::timestamptz, 'America/New_York')", "2020-07-01 04:00:00+00", 'timestamptz'],
  ["date_trunc('day', 'infinity'::timestamp)", "infinity", 'timestamp'],
  ["date_part('year', '2024-05-17'::date)", "2024", 'float8'],
  ["date_part('epoch', '2024-05-17 10:11:12.5'::timestamp)", "1715940672.5", 'float8'],
  ["date_part('dow', '2024-05-17 10:11:12+00'::timestamptz)", "5", 'float8'],
  ["date_part('hour', '1 day 10:30:40'::interval)", "10", 'float8'],
  ["date_part('second', '2024-05-17 10:11:12.5'::timestamp)", "12.5", 'float8'],
  ["extract('epoch', '1970-01-02'::date)", "86400", 'numeric'],
  ["extract('second', '2024-05-17 10:11:12.5'::timestamp)", "12.500000", 'numeric'],
  ["extract('year', '2024-05-17 10:11:12+00'::timestamptz)", "2024", 'numeric'],
  ["extract('epoch', '1 day 10:30:40'::interval)", "124240.000000", 'numeric'],
  ["extract('julian', '2024-05-17'::date)", "2460448", 'numeric'],
  ["extract('month', 'infinity'::timestamp)", null, 'numeric'],
  ["extract('year', 'infinity'::timestamp)", "Infinity", 'numeric'],
  ["date_part('month', 'infinity'::timestamp)", null, 'float8'],
  ["age('2024-05-17'::timestamp, '2020-02-29'::timestamp)", "4 years 2 mons 17 days", 'interval'],
  ["age('2024-05-17 10:00+00'::timestamptz, '2024-06-17 11:30+00'::timestamptz)", "-1 mons -01:30:00", 'interval'],
  ["age('2024-05-17'::date, '2020-02-29'::date)", "4 years 2 mons 17 days", 'interval'],
  ["date_bin('15 minutes'::interval, '2020-02-11 15:44:17'::timestamp, '2001-01-01'::timestamp)", "2020-02-11 15:30:00", 'timestamp'],
  ["date_bin('15 minutes'::interval, '2020-02-11 15:44:17+00'::timestamptz, '2001-01-01 00:02:30+00'::timestamptz)", "2020-02-11 15:32:30+00", 'timestamptz'],
  ["to_char('2024-05-17 10:11:12.5'::timestamp, 'YYYY-MM-DD HH24:MI:SS.MS Day Mon')", "2024-05-17 10:11:12.500 Friday    May", 'text'],
  ["to_char('2024-05-17 10:11:12+00'::timestamptz, 'YYYY-MM-DD\"T\"HH24:MI:SSOF TZ')", "2024-05-17T10:11:12+00 UTC", 'text'],
  ["to_char('1 day 10:30:40'::interval, 'DD HH24:MI:SS')", "01 10:30:40", 'text'],
  ["to_char('infinity'::timestamp, 'YYYY')", null, 'text'],
  ["to_timestamp(0)", "1970-01-01 00:00:00+00", 'timestamptz'],
  ["to_timestamp(1700000000.5)", "2023-11-14 22:13:20.5+00", 'timestamptz'],
  ["to_timestamp('Infinity'::float8)", "infinity", 'timestamptz'],
  ["make_date(2024, 2, 29)", "2024-02-29", 'date'],
  ["make_date(-44, 3, 15)", "0044-03-15 BC", 'date'],
  ["make_timestamp(2024, 5, 17, 10, 11, 12.5)", "2024-05-17 10:11:12.5", 'timestamp'],
  ["make_timestamptz(2024, 5, 17, 10, 11, 12.5)", "2024-05-17 10:11:12.5+00", 'timestamptz'],
  ["make_timestamptz(2024, 5, 17, 10, 11, 12.5, 'Europe/Paris')", "2024-05-17 08:11:12.5+00", 'timestamptz'],
  ["make_interval(1, 2, 3, 4, 5, 6, 7.5)", "1 year 2 mons 25 days 05:06:07.5", 'interval'],
  ["make_interval(1)", "1 year", 'interval'],
  ["make_interval()", "00:00:00", 'interval'],
  ["justify_days('35 days'::interval)", "1 mon 5 days", 'interval'],
  ["justify_hours('27 hours'::interval)", "1 day 03:00:00", 'interval'],
  ["justify_interval('1 mon -1 hour'::interval)", "29 days 23:00:00", 'interval'],
  ["isfinite('infinity'::timestamp)", "f", 'bool'],
  ["isfinite('2024-01-01'::date)", "t", 'bool'],
  ["isfinite('1 day'::interval)", "t", 'bool'],
  ["timezone('+05', '2020-01-01 00:00+00'::timestamptz)", "2019-12-31 19:00:00", 'timestamp'],
  ["timezone('UTC+3', '2020-01-01 00:00+00'::timestamptz)", "2019-12-31 21:00:00", 'timestamp'],
  ["timezone('Europe/Paris', '2020-07-01 00:00+00'::timestamptz)", "2020-07-01 02:00:00", 'timestamp'],
  ["timezone('CEST', '2020-07-01 00:00+00'::timestamptz)", "2020-07-01 02:00:00", 'timestamp'],
  ["timezone('Europe/Paris', '2020-07-01 00:00'::timestamp)", "2020-06-30 22:00:00+00", 'timestamptz'],
  ["timezone('-03:30', '2020-01-01 00:00+00'::timestamptz)", "2020-01-01 03:30:00", 'timestamp'],
  ["timezone('PST8PDT', '2020-01-01 00:00+00'::timestamptz)", "2019-12-31 16:00:00", 'timestamp'],
  ["timezone('utc', '2020-01-01 00:00+00'::timestamptz)", "2020-01-01 00:00:00", 'timestamp'],
  ["timezone('2 hours'::interval, '2020-01-01 00:00+00'::timestamptz)", "2020-01-01 02:00:00", 'timestamp'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["date_trunc('fortnight', '2024-05-17 10:11:12+00'::timestamptz)", '22023', "unit \"fortnight\" not recognized for type timestamp with time zone"],
  ["date_trunc('fortnight', '2024-05-17 10:11:12'::timestamp)", '22023', "unit \"fortnight\" not recognized for type timestamp without time zone"],
  ["date_trunc('day', '2020-07-01 23:30+00'::timestamptz, 'nowhere')", '22023', "time zone \"nowhere\" not recognized"],
  ["date_part('foo', '2024-05-17'::date)", '22023', "unit \"foo\" not recognized for type timestamp without time zone"],
  ["extract('hour', '2024-05-17'::date)", '0A000', "unit \"hour\" not supported for type date"],
  ["date_bin('1 month'::interval, '2020-02-11 15:44:17'::timestamp, '2001-01-01'::timestamp)", '0A000', "timestamps cannot be binned into intervals containing months or years"],
  ["date_bin('0 minutes'::interval, '2020-02-11 15:44:17'::timestamp, '2001-01-01'::timestamp)", '22008', "stride must be greater than zero"],
  ["to_timestamp('NaN'::float8)", '22008', "timestamp cannot be NaN"],
  ["make_date(2023, 2, 29)", '22008', "date field value out of range: 2023-02-29"],
  ["make_timestamp(2024, 5, 17, 25, 11, 12.5)", '22008', "time field value out of range: 25:11:12.5"],
  ["make_interval(0, 0, 0, 0, 0, 0, 'Infinity'::float8)", '22008', "interval out of range"],
  ["timezone('foo', '2020-07-01 00:00+00'::timestamptz)", '22023', "time zone \"foo\" not recognized"],
  ["timezone('1 day'::interval, '2020-01-01 00:00+00'::timestamptz)", '22023', "interval time zone \"1 day\" must not include months or days"],
];

test('date/time functions return what PostgreSQL returns', () => {
  expectTable(CASES);
});

test('date/time functions raise PostgreSQL error codes and messages', () => {
  expectErrors(ERRORS);
});

test('now() and friends read the statement timestamp; current_date is its UTC date', () => {
  // TEST_NOW is 2024-01-15 10:30:00 UTC.
  expectTable([
    ['now()', '2024-01-15 10:30:00+00', 'timestamptz'],
    ['current_timestamp()', '2024-01-15 10:30:00+00', 'timestamptz'],
    ['transaction_timestamp()', '2024-01-15 10:30:00+00', 'timestamptz'],
    ['statement_timestamp()', '2024-01-15 10:30:00+00', 'timestamptz'],
    ['localtimestamp()', '2024-01-15 10:30:00', 'timestamp'],
    ['current_date()', '2024-01-15', 'date'],
    ["age('2023-01-14'::timestamp)", '1 year 1 day', 'interval'],
    ["age('2024-01-15 12:00+00'::timestamptz)", '-12:00:00', 'interval'],
  ]);
  assert.equal(TEST_NOW, Date.UTC(2024, 0, 15, 10, 30) * 1000);
});

test('volatility follows PostgreSQL', () => {
  assert.equal(resolveFunction('now', [])?.volatility, 'stable');
  assert.equal(resolveFunction('clock_timestamp', [])?.volatility, 'volatile');
  assert.equal(resolveFunction('date_trunc', [T.text, T.timestamp])?.volatility, 'immutable');
  assert.equal(resolveFunction('date_trunc', [T.text, T.timestamptz])?.volatility, 'stable');
  const before = Date.now() * 1000;
  const clock = resolveFunction('clock_timestamp', [])!.impl([], { params: [], statementTimestamp: 0, user: '', database: '', outer: [], execution: 0 });
  assert.ok(typeof clock === 'number' && clock >= before - 1000);
});

test('date_part is float8 and extract is numeric (PostgreSQL 14+)', () => {
  assert.equal(evalCall("date_part('second', '2024-05-17 10:11:12.5'::timestamp)").type.id, 'float8');
  assert.equal(evalCall("extract('second', '2024-05-17 10:11:12.5'::timestamp)").type.id, 'numeric');
  // An untyped unit and a typed date pick the date overloads.
  assert.equal(evalCall("extract('year', '2024-05-17'::date)").text, '2024');
});
