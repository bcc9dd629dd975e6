/**
 * Date/time functions: thin wrappers over runtime/sql/datetime.ts (TimeZone is UTC, so
 * timestamptz and timestamp share field logic). The clock is the statement's: now() and friends
 * read ctx.statementTimestamp; only clock_timestamp() and timeofday() read the real time.
 *
 *   date_trunc('month', timestamptz '2024-05-17 10:00+00') = '2024-05-01 00:00:00+00'
 *   extract('epoch', date '1970-01-02') = 86400 (numeric); date_part(...) is float8
 */
import { timeToInterval } from '../../sql/time.js';
import { performance } from 'node:perf_hooks';
import {
  age,
  dateBin,
  datePartDate,
  datePartInterval,
  datePartTimestamp,
  extractDate,
  extractInterval,
  extractTimestamp,
  makeDate,
  makeTimestamp,
  toCharInterval,
  toCharTimestamp,
  toTimestamp,
  truncInterval,
  truncTimestamp,
} from '../../sql/datetime.js';
import { Decimal } from '../../sql/decimal.js';
import { SqlError } from '../../sql/errors.js';
import { Interval } from '../../sql/interval.js';
import { SqlState } from '../../sql/sqlstate.js';
import { roundTimestampPrecision } from '../../sql/text-io.js';
import { T } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import type { EvalContext } from '../eval-context.js';
import { aliases, fn, type FunctionDef } from './function-def.js';
import { toDateFormat, toTimestampFormat } from './datetime-from-char.js';
import { floatToChar, int4ToChar, numericToChar } from './number-to-char.js';
import { intervalZone, localToUtc, resolveZone, resolveZoneIso, utcToLocal, type Zone } from './time-zone.js';

const USECS_PER_DAY = 86_400_000_000;

const stable = { volatility: 'stable' } as const;

// ------------------------------------------------------------------ the clock

function currentDate(ctx: EvalContext): number {
  return Math.floor(ctx.statementTimestamp / USECS_PER_DAY);
}

/** CURRENT_TIMESTAMP(p) / LOCALTIMESTAMP(p): precision 0..6 (larger is clamped, as PostgreSQL warns). */
function withPrecision(micros: number, p: number): number {
  if (p < 0) throw new SqlError(SqlState.InvalidParameterValue, `TIMESTAMP(${p}) precision must not be negative`);
  return roundTimestampPrecision(micros, Math.min(p, 6));
}

function realNowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** timeofday(): 'Mon Jan 15 10:30:00.123456 2024 UTC'. */
function timeOfDay(): string {
  const us = realNowMicros();
  const d = new Date(Math.floor(us / 1000));
  const p2 = (n: number) => String(n).padStart(2, '0');
  const frac = String(us % 1_000_000).padStart(6, '0');
  return `${DAY_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(
    d.getUTCMinutes(),
  )}:${p2(d.getUTCSeconds())}.${frac} ${d.getUTCFullYear()} UTC`;
}

// ------------------------------------------------------------------ helpers

function timestampToChar(v: number, fmt: string, withTz: boolean): Value {
  return toCharTimestamp(v, fmt, withTz);
}

function truncInZone(unit: string, ts: number, zone: Zone): number {
  if (!Number.isFinite(ts)) return ts;
  const local = utcToLocal(zone, ts);
  return localToUtc(zone, truncTimestamp(unit, local, true));
}

function makeInterval(a: Value[]): Interval {
  const n = (i: number) => (i < a.length ? (a[i] as number) : 0);
  const secs = n(6);
  if (!Number.isFinite(secs)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'interval out of range');
  return Interval.fromParts(n(0), n(1), n(2), n(3), n(4), n(5), secs);
}

function isFiniteValue(v: Value): boolean {
  if (v instanceof Interval) return true;
  return Number.isFinite(v as number);
}

const MAKE_INTERVAL_ARGS = ['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'] as const;

// ------------------------------------------------------------------ declarations

const text0 = (a: Value[]) => a[0] as string;
const num1 = (a: Value[]) => a[1] as number;

export const DATETIME_FUNCTIONS: readonly FunctionDef[] = [
  ...aliases([fn('now', [], T.timestamptz, (_a, ctx) => ctx.statementTimestamp, stable)], [
    'now',
    'current_timestamp',
    'transaction_timestamp',
    'statement_timestamp',
  ]),
  fn('current_timestamp', ['int4'], T.timestamptz, (a, ctx) => withPrecision(ctx.statementTimestamp, a[0] as number), stable),
  fn('localtimestamp', [], T.timestamp, (_a, ctx) => ctx.statementTimestamp, stable),
  fn('localtimestamp', ['int4'], T.timestamp, (a, ctx) => withPrecision(ctx.statementTimestamp, a[0] as number), stable),
  fn('current_date', [], T.date, (_a, ctx) => currentDate(ctx), stable),
  fn('clock_timestamp', [], T.timestamptz, () => realNowMicros(), { volatility: 'volatile' }),
  fn('timeofday', [], T.text, () => timeOfDay(), { volatility: 'volatile' }),

  fn('date_trunc', ['text', 'timestamp'], T.timestamp, (a) => truncTimestamp(text0(a), num1(a), false)),
  fn('date_trunc', ['text', 'timestamptz'], T.timestamptz, (a) => truncTimestamp(text0(a), num1(a), true), stable),
  fn('date_trunc', ['text', 'timestamptz', 'text'], T.timestamptz, (a) =>
    truncInZone(text0(a), num1(a), resolveZone(a[2] as string)), stable),
  fn('date_trunc', ['text', 'interval'], T.interval, (a) => truncInterval(text0(a), a[1] as Interval)),

  fn('date_part', ['text', 'date'], T.float8, (a) => datePartDate(text0(a), num1(a))),
  fn('date_part', ['text', 'timestamp'], T.float8, (a) => datePartTimestamp(text0(a), num1(a), false)),
  fn('date_part', ['text', 'timestamptz'], T.float8, (a) => datePartTimestamp(text0(a), num1(a), true), stable),
  fn('date_part', ['text', 'interval'], T.float8, (a) => datePartInterval(text0(a), a[1] as Interval)),
  // time: its fields as those of the interval since midnight
  fn('date_part', ['text', 'time'], T.float8, (a) => datePartInterval(text0(a), timeToInterval(a[1] as number))),
  fn('extract', ['text', 'time'], T.numeric, (a) => extractInterval(text0(a), timeToInterval(a[1] as number))),
  fn('make_time', ['int4', 'int4', 'float8'], T.time, (a) => makeTime(a[0] as number, a[1] as number, a[2] as number)),
  fn('extract', ['text', 'date'], T.numeric, (a): Decimal | null => extractDate(text0(a), num1(a))),
  fn('extract', ['text', 'timestamp'], T.numeric, (a) => extractTimestamp(text0(a), num1(a), false)),
  fn('extract', ['text', 'timestamptz'], T.numeric, (a) => extractTimestamp(text0(a), num1(a), true), stable),
  fn('extract', ['text', 'interval'], T.numeric, (a) => extractInterval(text0(a), a[1] as Interval)),

  fn('age', ['timestamp', 'timestamp'], T.interval, (a) => age(a[0] as number, num1(a))),
  fn('age', ['timestamptz', 'timestamptz'], T.interval, (a) => age(a[0] as number, num1(a))),
  fn('age', ['timestamp'], T.interval, (a, ctx) => age(currentDate(ctx) * USECS_PER_DAY, a[0] as number), stable),
  fn('age', ['timestamptz'], T.interval, (a, ctx) => age(currentDate(ctx) * USECS_PER_DAY, a[0] as number), stable),
  fn('date_bin', ['interval', 'timestamp', 'timestamp'], T.timestamp, (a) =>
    dateBin(a[0] as Interval, num1(a), a[2] as number)),
  fn('date_bin', ['interval', 'timestamptz', 'timestamptz'], T.timestamptz, (a) =>
    dateBin(a[0] as Interval, num1(a), a[2] as number)),

  fn('timezone', ['text', 'timestamptz'], T.timestamp, (a) => utcToLocal(resolveZone(text0(a)), num1(a))),
  fn('timezone', ['text', 'timestamp'], T.timestamptz, (a) => localToUtc(resolveZone(text0(a)), num1(a))),
  fn('timezone', ['interval', 'timestamptz'], T.timestamp, (a) =>
    utcToLocal(intervalZone(a[0] as Interval), num1(a))),
  fn('timezone', ['interval', 'timestamp'], T.timestamptz, (a) =>
    localToUtc(intervalZone(a[0] as Interval), num1(a))),

  fn('to_char', ['timestamp', 'text'], T.text, (a) => timestampToChar(a[0] as number, a[1] as string, false), stable),
  fn('to_char', ['timestamptz', 'text'], T.text, (a) => timestampToChar(a[0] as number, a[1] as string, true), stable),
  fn('to_char', ['interval', 'text'], T.text, (a) => toCharInterval(a[0] as Interval, a[1] as string), stable),
  fn('to_char', ['numeric', 'text'], T.text, (a) => numericToChar(a[0] as Decimal, a[1] as string), stable),
  fn('to_char', ['int4', 'text'], T.text, (a) => int4ToChar(a[0] as number, a[1] as string), stable),
  fn('to_char', ['int8', 'text'], T.text, (a) => numericToChar(Decimal.fromBigInt(a[0] as bigint), a[1] as string), stable),
  fn('to_char', ['float8', 'text'], T.text, (a) => floatToChar(a[0] as number, a[1] as string, 15), stable),
  fn('to_char', ['float4', 'text'], T.text, (a) => floatToChar(a[0] as number, a[1] as string, 6), stable),

  fn('to_timestamp', ['float8'], T.timestamptz, (a) => toTimestamp(a[0] as number)),
  fn('to_timestamp', ['text', 'text'], T.timestamptz, (a) => toTimestampFormat(text0(a), a[1] as string), stable),
  fn('to_date', ['text', 'text'], T.date, (a) => toDateFormat(text0(a), a[1] as string), stable),
  fn('make_date', ['int4', 'int4', 'int4'], T.date, (a) => makeDate(a[0] as number, num1(a), a[2] as number)),
  fn('make_timestamp', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], T.timestamp, (a) =>
    makeTimestamp(a[0] as number, num1(a), a[2] as number, a[3] as number, a[4] as number, a[5] as number)),
  fn('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], T.timestamptz, (a) =>
    makeTimestamp(a[0] as number, num1(a), a[2] as number, a[3] as number, a[4] as number, a[5] as number), stable),
  fn('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8', 'text'], T.timestamptz, (a) => {
    const local = makeTimestamp(a[0] as number, num1(a), a[2] as number, a[3] as number, a[4] as number, a[5] as number);
    return localToUtc(resolveZoneIso(a[6] as string), local);
  }, stable),
  // make_interval(years => 0, months => 0, weeks => 0, days => 0, hours => 0, mins => 0, secs => 0.0)
  ...MAKE_INTERVAL_ARGS.map((_, i) =>
    fn('make_interval', MAKE_INTERVAL_ARGS.slice(0, i + 1), T.interval, makeInterval)),
  fn('make_interval', [], T.interval, makeInterval),
  fn('justify_days', ['interval'], T.interval, (a) => (a[0] as Interval).justifyDays()),
  fn('justify_hours', ['interval'], T.interval, (a) => (a[0] as Interval).justifyHours()),
  fn('justify_interval', ['interval'], T.interval, (a) => (a[0] as Interval).justifyInterval()),
  ...(['date', 'timestamp', 'timestamptz', 'interval'] as const).map((t) =>
    fn('isfinite', [t], T.bool, (a) => isFiniteValue(a[0]))),
];

function makeTime(h: number, m: number, sec: number): number {
  if (h < 0 || h > 24 || m < 0 || m > 59 || !(sec >= 0 && sec <= 60)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `time field value out of range: ${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
  }
  const t = h * 3_600_000_000 + m * 60_000_000 + Math.round(sec * 1_000_000);
  if (t > 86_400_000_000) throw new SqlError(SqlState.DatetimeFieldOverflow, `time field value out of range: ${h}:${m}:${sec}`);
  return t;
}
