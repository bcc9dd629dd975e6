/**
 * Field-level date/time functions with PostgreSQL 15 semantics: extract / date_part,
 * date_trunc and date_bin, for timestamp, timestamptz (TimeZone UTC), date and interval.
 *
 *   extractTimestamp('second', ts('2024-01-02 03:04:05.5'), false)  -> Decimal 5.500000
 *   truncTimestamp('week', ts('2021-01-01 10:00'), false)          -> ts('2020-12-28 00:00')
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { Decimal } from './decimal.js';
import { Interval } from './interval.js';
import {
  UNIX_EPOCH_JDATE,
  USECS_PER_DAY,
  USECS_PER_HOUR,
  USECS_PER_MINUTE,
  USECS_PER_SEC,
  checkTimestamp,
  date2isoweek,
  date2isoyear,
  date2j,
  isoweek2j,
  j2date,
  j2day,
  timestampToTm,
  tmToTimestamp,
} from './calendar.js';

export type DateUnit =
  | 'microseconds'
  | 'milliseconds'
  | 'second'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'quarter'
  | 'year'
  | 'decade'
  | 'century'
  | 'millennium'
  | 'timezone'
  | 'timezone_hour'
  | 'timezone_minute'
  // special (extract only)
  | 'epoch'
  | 'dow'
  | 'isodow'
  | 'doy'
  | 'isoyear'
  | 'julian';

/** PostgreSQL's deltatktbl (units), keyed by the first 10 characters (TOKMAXLEN). */
const UNITS: Record<string, DateUnit> = {
  c: 'century', cent: 'century', centuries: 'century', century: 'century',
  d: 'day', day: 'day', days: 'day',
  dec: 'decade', decade: 'decade', decades: 'decade', decs: 'decade',
  h: 'hour', hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  microsecon: 'microseconds', us: 'microseconds', usec: 'microseconds', useconds: 'microseconds', usecs: 'microseconds',
  mil: 'millennium', millennia: 'millennium', millennium: 'millennium', mils: 'millennium',
  millisecon: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', mseconds: 'milliseconds', msecs: 'milliseconds',
  mon: 'month', mons: 'month', month: 'month', months: 'month',
  qtr: 'quarter', quarter: 'quarter',
  s: 'second', sec: 'second', second: 'second', seconds: 'second', secs: 'second',
  timezone: 'timezone', timezone_h: 'timezone_hour', timezone_m: 'timezone_minute',
  w: 'week', week: 'week', weeks: 'week',
  y: 'year', year: 'year', years: 'year', yr: 'year', yrs: 'year',
};

/** Specials from datetktbl that extract() also accepts. */
const SPECIAL_UNITS: Record<string, DateUnit> = {
  epoch: 'epoch', dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear', j: 'julian', jd: 'julian',
  julian: 'julian',
};

type TypeLabel = 'timestamp without time zone' | 'timestamp with time zone' | 'date' | 'interval';

function notRecognized(unit: string, type: TypeLabel): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `unit "${unit}" not recognized for type ${type}`);
}

function notSupported(unit: string, type: TypeLabel): SqlError {
  return new SqlError(SqlState.FeatureNotSupported, `unit "${unit}" not supported for type ${type}`);
}

/** Looks up a unit name like PostgreSQL (case-insensitive, first 10 characters). */
export function lookupDateUnit(name: string, allowSpecial: boolean): DateUnit | undefined {
  const low = name.toLowerCase();
  const key = low.slice(0, 10);
  const u = UNITS[key];
  if (u !== undefined) return u;
  return allowSpecial ? SPECIAL_UNITS[key] : undefined;
}

const cache = new Map<number, Decimal>();
function dec(n: number): Decimal {
  if (n >= -1 && n <= 3000 && Number.isInteger(n)) {
    let d = cache.get(n);
    if (d === undefined) {
      d = Decimal.fromInt(n);
      cache.set(n, d);
    }
    return d;
  }
  return Decimal.fromInt(n);
}

/** n / 10^scale as an exact numeric (PostgreSQL int64_div_fast_to_numeric). */
function scaled(n: number, scale: number): Decimal {
  return Decimal.of(BigInt(n), scale);
}

function yearField(year: number): number {
  return year > 0 ? year : year - 1;
}
function decadeField(year: number): number {
  return year >= 0 ? Math.trunc(year / 10) : -Math.trunc((8 - (year - 1)) / 10);
}
function centuryField(year: number): number {
  return year > 0 ? Math.trunc((year + 99) / 100) : -Math.trunc((99 - (year - 1)) / 100);
}
function millenniumField(year: number): number {
  return year > 0 ? Math.trunc((year + 999) / 1000) : -Math.trunc((999 - (year - 1)) / 1000);
}

/** Fields that stay meaningful for infinite inputs (return +/-Infinity). */
function isMonotonicUnit(u: DateUnit): boolean {
  return u === 'year' || u === 'decade' || u === 'century' || u === 'millennium' || u === 'epoch' || u === 'julian' || u === 'isoyear';
}

/**
 * extract(field FROM timestamp[tz]) -> numeric, or null for a non-monotonic field of an
 * infinite timestamp (as PostgreSQL).
 */
export function extractTimestamp(field: string, micros: number, withTz: boolean): Decimal | null {
  const type: TypeLabel = withTz ? 'timestamp with time zone' : 'timestamp without time zone';
  const u = lookupDateUnit(field, true);
  if (u === undefined) throw notRecognized(field.toLowerCase(), type);
  if (!Number.isFinite(micros)) {
    if (u === 'timezone' || u === 'timezone_hour' || u === 'timezone_minute') return null;
    if (isMonotonicUnit(u)) return micros > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
    return null;
  }
  const tm = timestampToTm(micros);
  switch (u) {
    case 'microseconds': return dec(tm.second * USECS_PER_SEC + tm.fsec);
    case 'milliseconds': return scaled(tm.second * USECS_PER_SEC + tm.fsec, 3);
    case 'second': return scaled(tm.second * USECS_PER_SEC + tm.fsec, 6);
    case 'minute': return dec(tm.minute);
    case 'hour': return dec(tm.hour);
    case 'day': return dec(tm.day);
    case 'month': return dec(tm.month);
    case 'quarter': return dec(Math.trunc((tm.month - 1) / 3) + 1);
    case 'week': return dec(date2isoweek(tm.year, tm.month, tm.day));
    case 'year': return dec(yearField(tm.year));
    case 'decade': return dec(decadeField(tm.year));
    case 'century': return dec(centuryField(tm.year));
    case 'millennium': return dec(millenniumField(tm.year));
    case 'julian': {
      const timeUs = ((tm.hour * 60 + tm.minute) * 60 + tm.second) * USECS_PER_SEC + tm.fsec;
      return dec(tm.julian).add(dec(timeUs).div(Decimal.fromBigInt(BigInt(USECS_PER_DAY))));
    }
    case 'isoyear': {
      const y = date2isoyear(tm.year, tm.month, tm.day);
      return dec(y > 0 ? y : y - 1);
    }
    case 'dow': return dec(j2day(tm.julian));
    case 'isodow': {
      const d = j2day(tm.julian);
      return dec(d === 0 ? 7 : d);
    }
    case 'doy': return dec(tm.julian - date2j(tm.year, 1, 1) + 1);
    case 'epoch': return epochNumeric(micros);
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      if (!withTz) throw notSupported(field.toLowerCase(), type);
      return dec(0);
  }
}

function epochNumeric(micros: number): Decimal {
  if (Number.isSafeInteger(micros)) return scaled(micros, 6);
  return Decimal.of(BigInt(Math.round(micros)), 6);
}

/** extract(field FROM date) -> numeric (time-of-day fields are not supported, as PostgreSQL). */
export function extractDate(field: string, days: number): Decimal | null {
  const type: TypeLabel = 'date';
  const u = lookupDateUnit(field, true);
  if (u === undefined) throw notRecognized(field.toLowerCase(), type);
  switch (u) {
    case 'microseconds': case 'milliseconds': case 'second': case 'minute': case 'hour':
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      throw notSupported(field.toLowerCase(), type);
  }
  if (!Number.isFinite(days)) {
    if (isMonotonicUnit(u)) return days > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
    return null;
  }
  if (u === 'epoch') return Decimal.fromInt(days * 86400);
  if (u === 'julian') return dec(days + UNIX_EPOCH_JDATE);
  return extractTimestamp(field, days * USECS_PER_DAY, false);
}

/** extract(field FROM interval) -> numeric. */
export function extractInterval(field: string, iv: Interval): Decimal {
  const type: TypeLabel = 'interval';
  const u = lookupDateUnit(field, true);
  if (u === undefined) throw notRecognized(field.toLowerCase(), type);
  const t = iv.micros;
  const hour = Math.trunc(t / USECS_PER_HOUR);
  let rest = t - hour * USECS_PER_HOUR;
  const minute = Math.trunc(rest / USECS_PER_MINUTE);
  rest -= minute * USECS_PER_MINUTE;
  const year = Math.trunc(iv.months / 12);
  const mon = iv.months % 12;
  switch (u) {
    case 'microseconds': return dec(rest);
    case 'milliseconds': return scaled(rest, 3);
    case 'second': return scaled(rest, 6);
    case 'minute': return dec(minute);
    case 'hour': return dec(hour);
    case 'day': return dec(iv.days);
    case 'month': return dec(mon);
    case 'quarter': return dec(Math.trunc(mon / 3) + 1);
    case 'year': return dec(year);
    case 'decade': return dec(Math.trunc(year / 10));
    case 'century': return dec(Math.trunc(year / 100));
    case 'millennium': return dec(Math.trunc(year / 1000));
    case 'epoch': {
      // 365.25 days per year, 30 per month (PostgreSQL interval_part)
      const secsFromDayMonth =
        BigInt(year) * 31557600n + BigInt(mon) * 2592000n + BigInt(iv.days) * 86400n;
      return Decimal.of(secsFromDayMonth * 1000000n + BigInt(t), 6);
    }
    default:
      throw notSupported(field.toLowerCase(), type);
  }
}

/** date_part(text, timestamp[tz]) -> float8 (null for non-monotonic fields of infinity). */
export function datePartTimestamp(field: string, micros: number, withTz: boolean): number | null {
  const d = extractTimestamp(field, micros, withTz);
  return d === null ? null : d.toNumber();
}

/** date_part(text, date): PostgreSQL casts the date to timestamp first. */
export function datePartDate(field: string, days: number): number | null {
  return datePartTimestamp(field, Number.isFinite(days) ? days * USECS_PER_DAY : days, false);
}

export function datePartInterval(field: string, iv: Interval): number {
  return extractInterval(field, iv).toNumber();
}

// ---------------------------------------------------------------------------------- date_trunc

/** date_trunc(unit, timestamp[tz]) with TimeZone UTC. */
export function truncTimestamp(field: string, micros: number, withTz: boolean): number {
  const type: TypeLabel = withTz ? 'timestamp with time zone' : 'timestamp without time zone';
  if (!Number.isFinite(micros)) return micros;
  const u = lookupDateUnit(field, false);
  if (u === undefined) throw notRecognized(field.toLowerCase(), type);
  switch (u) {
    case 'microseconds': return micros;
    case 'milliseconds': return Math.floor(micros / 1000) * 1000;
    case 'second': return Math.floor(micros / USECS_PER_SEC) * USECS_PER_SEC;
    case 'minute': return Math.floor(micros / USECS_PER_MINUTE) * USECS_PER_MINUTE;
    case 'hour': return Math.floor(micros / USECS_PER_HOUR) * USECS_PER_HOUR;
    case 'day': return Math.floor(micros / USECS_PER_DAY) * USECS_PER_DAY;
    case 'timezone': case 'timezone_hour': case 'timezone_minute':
      throw notSupported(field.toLowerCase(), type);
    default:
      break;
  }
  const tm = timestampToTm(micros);
  let year = tm.year;
  let month = tm.month;
  let day = tm.day;
  switch (u) {
    case 'week': {
      const woy = date2isoweek(year, month, day);
      if (woy >= 52 && month === 1) year--;
      if (woy <= 1 && month === 12) year++;
      const ymd = j2date(isoweek2j(year, woy));
      return checkTimestamp(tmToTimestamp(ymd.year, ymd.month, ymd.day, 0, 0, 0, 0));
    }
    case 'millennium':
      year = year > 0 ? Math.trunc((year + 999) / 1000) * 1000 - 999 : -Math.trunc((999 - (year - 1)) / 1000) * 1000 + 1;
      month = 1;
      break;
    case 'century':
      year = year > 0 ? Math.trunc((year + 99) / 100) * 100 - 99 : -Math.trunc((99 - (year - 1)) / 100) * 100 + 1;
      month = 1;
      break;
    case 'decade':
      year = year > 0 ? Math.trunc(year / 10) * 10 : -Math.trunc((8 - (year - 1)) / 10) * 10;
      month = 1;
      break;
    case 'year':
      month = 1;
      break;
    case 'quarter':
      month = 3 * Math.trunc((month - 1) / 3) + 1;
      break;
    case 'month':
      break;
    default:
      throw notSupported(field.toLowerCase(), type);
  }
  day = 1;
  return checkTimestamp(tmToTimestamp(year, month, day, 0, 0, 0, 0));
}

/** date_trunc(unit, interval). */
export function truncInterval(field: string, iv: Interval): Interval {
  const type: TypeLabel = 'interval';
  const u = lookupDateUnit(field, false);
  if (u === undefined) throw notRecognized(field.toLowerCase(), type);
  const year = Math.trunc(iv.months / 12);
  let mon = iv.months % 12;
  let days = iv.days;
  const t = iv.micros;
  const hour = Math.trunc(t / USECS_PER_HOUR);
  let rest = t - hour * USECS_PER_HOUR;
  let minute = Math.trunc(rest / USECS_PER_MINUTE);
  rest -= minute * USECS_PER_MINUTE;
  let us = rest; // seconds + fraction in micros
  let y = year;
  let h = hour;
  switch (u) {
    case 'millennium': y = Math.trunc(y / 1000) * 1000; mon = 0; days = 0; h = 0; minute = 0; us = 0; break;
    case 'century': y = Math.trunc(y / 100) * 100; mon = 0; days = 0; h = 0; minute = 0; us = 0; break;
    case 'decade': y = Math.trunc(y / 10) * 10; mon = 0; days = 0; h = 0; minute = 0; us = 0; break;
    case 'year': mon = 0; days = 0; h = 0; minute = 0; us = 0; break;
    case 'quarter': mon = 3 * Math.trunc(mon / 3); days = 0; h = 0; minute = 0; us = 0; break;
    case 'month': days = 0; h = 0; minute = 0; us = 0; break;
    case 'day': h = 0; minute = 0; us = 0; break;
    case 'hour': minute = 0; us = 0; break;
    case 'minute': us = 0; break;
    case 'second': us = Math.trunc(us / USECS_PER_SEC) * USECS_PER_SEC; break;
    case 'milliseconds': us = Math.trunc(us / 1000) * 1000; break;
    case 'microseconds': break;
    case 'week':
      throw new SqlError(SqlState.FeatureNotSupported, `unit "${field.toLowerCase()}" not supported for type interval`, {
        detail: 'Months usually have fractional weeks.',
      });
    default:
      throw notSupported(field.toLowerCase(), type);
  }
  return new Interval(y * 12 + mon || 0, days || 0, h * USECS_PER_HOUR + minute * USECS_PER_MINUTE + us || 0);
}

// ---------------------------------------------------------------------------------- date_bin

/** date_bin(stride, source, origin) for timestamp and timestamptz. */
export function dateBin(stride: Interval, source: number, origin: number): number {
  if (!Number.isFinite(source)) return source;
  if (!Number.isFinite(origin)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'origin out of range');
  if (stride.months !== 0) {
    throw new SqlError(SqlState.FeatureNotSupported, 'timestamps cannot be binned into intervals containing months or years');
  }
  const strideUs = stride.days * USECS_PER_DAY + stride.micros;
  if (strideUs <= 0) throw new SqlError(SqlState.DatetimeFieldOverflow, 'stride must be greater than zero');
  const diff = source - origin;
  const rem = diff % strideUs;
  let delta = diff - rem;
  // Bins start at or before the source even when the origin is in the future.
  if (rem < 0) delta -= strideUs;
  return checkTimestamp(origin + delta);
}
