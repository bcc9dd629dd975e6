/**
 * Explicit time zones (timezone() = AT TIME ZONE, date_trunc(..., zone), make_timestamptz(...,
 * zone)) against PostgreSQL 15's answers, including DST gaps/overlaps and historical offsets.
 */
import { test } from 'node:test';
import type { TypeId } from '../../sql/types.js';
import { expectErrors, expectTable } from './eval-call.js';

const CASES: readonly (readonly [string, string | null, TypeId])[] = [
  ["timezone('Europe/Paris', '2024-03-31 00:59:59+00'::timestamptz)", "2024-03-31 01:59:59", 'timestamp'],
  ["timezone('Europe/Paris', '2024-03-31 01:00:00+00'::timestamptz)", "2024-03-31 03:00:00", 'timestamp'],
  ["timezone('Europe/Paris', '2024-10-27 00:59:59+00'::timestamptz)", "2024-10-27 02:59:59", 'timestamp'],
  ["timezone('Europe/Paris', '2024-10-27 01:00:00+00'::timestamptz)", "2024-10-27 02:00:00", 'timestamp'],
  ["timezone('America/New_York', '2024-03-10 06:59:59+00'::timestamptz)", "2024-03-10 01:59:59", 'timestamp'],
  ["timezone('America/New_York', '2024-03-10 07:00:00+00'::timestamptz)", "2024-03-10 03:00:00", 'timestamp'],
  ["timezone('America/New_York', '2024-11-03 05:30:00+00'::timestamptz)", "2024-11-03 01:30:00", 'timestamp'],
  ["timezone('America/New_York', '2024-11-03 06:30:00+00'::timestamptz)", "2024-11-03 01:30:00", 'timestamp'],
  ["timezone('America/New_York', '2024-03-10 02:30:00'::timestamp)", "2024-03-10 07:30:00+00", 'timestamptz'],
  ["timezone('America/New_York', '2024-11-03 01:30:00'::timestamp)", "2024-11-03 06:30:00+00", 'timestamptz'],
  ["timezone('Europe/Paris', '2024-10-27 02:30:00'::timestamp)", "2024-10-27 01:30:00+00", 'timestamptz'],
  ["timezone('Asia/Kolkata', '2024-01-01 00:00:00+00'::timestamptz)", "2024-01-01 05:30:00", 'timestamp'],
  ["timezone('Australia/Lord_Howe', '2024-06-01 00:00:00+00'::timestamptz)", "2024-06-01 10:30:00", 'timestamp'],
  ["date_trunc('day', '2024-03-10 12:00+00'::timestamptz, 'America/New_York')", "2024-03-10 05:00:00+00", 'timestamptz'],
  ["date_trunc('hour', '2024-11-03 06:30:00+00'::timestamptz, 'America/New_York')", "2024-11-03 06:00:00+00", 'timestamptz'],
  ["date_trunc('month', '2024-03-31 23:30:00+00'::timestamptz, 'Europe/Paris')", "2024-03-31 22:00:00+00", 'timestamptz'],
  ["make_timestamptz(2024, 3, 10, 2, 30, 0, 'America/New_York')", "2024-03-10 07:30:00+00", 'timestamptz'],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, '+02')", "2024-07-01 10:00:00+00", 'timestamptz'],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, 'EST')", "2024-07-01 17:00:00+00", 'timestamptz'],
  ["timezone('EST5EDT', '2024-07-01 00:00:00+00'::timestamptz)", "2024-06-30 20:00:00", 'timestamp'],
  ["timezone('Etc/GMT+3', '2024-07-01 00:00:00+00'::timestamptz)", "2024-06-30 21:00:00", 'timestamp'],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, '-05:30')", "2024-07-01 17:30:00+00", 'timestamptz'],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, 'Europe/Paris')", "2024-07-01 10:00:00+00", 'timestamptz'],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, 'CET')", "2024-07-01 11:00:00+00", 'timestamptz'],
  ["timezone('CET', '2024-07-01 00:00:00+00'::timestamptz)", "2024-07-01 01:00:00", 'timestamp'],
  ["timezone('Japan', '2024-07-01 00:00:00+00'::timestamptz)", "2024-07-01 09:00:00", 'timestamp'],
  ["timezone('Asia/Kolkata', '1942-07-01 00:00:00+00'::timestamptz)", "1942-07-01 05:30:00", 'timestamp'],
  ["timezone('Europe/Paris', '1900-07-01 00:00:00+00'::timestamptz)", "1900-07-01 00:09:21", 'timestamp'],
  ["timezone('America/New_York', '0044-03-15 12:00:00+00'::timestamptz)", "0044-03-15 07:03:58", 'timestamp'],
  ["timezone('UTC', '2024-07-01 00:00:00+00'::timestamptz)", "2024-07-01 00:00:00", 'timestamp'],
];

const ERRORS: readonly (readonly [string, string, string])[] = [
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, '02')", '22023', "invalid input syntax for type numeric time zone: \"02\""],
  ["make_timestamptz(2024, 7, 1, 12, 0, 0, 'nowhere')", '22023', "time zone \"nowhere\" not recognized"],
];

test('time zone conversions match PostgreSQL', () => {
  expectTable(CASES);
});

test('time zone errors match PostgreSQL', () => {
  expectErrors(ERRORS);
});
