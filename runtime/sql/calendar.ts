/**
 * Calendar arithmetic shared by the date/time modules: PostgreSQL's Julian-day algorithms
 * (date2j / j2date, proleptic Gregorian), field splitting of timestamps, ISO weeks.
 *
 * Years are astronomical internally, as PostgreSQL's tm_year: 1 BC is year 0, 2 BC is -1.
 *   date2j(1970, 1, 1) === UNIX_EPOCH_JDATE (2440588)
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60_000_000;
export const USECS_PER_HOUR = 3_600_000_000;
export const USECS_PER_DAY = 86_400_000_000;
export const UNIX_EPOCH_JDATE = 2440588;
export const POSTGRES_EPOCH_JDATE = 2451545;

/** First valid Julian day (4714-11-24 BC) and ends (exclusive) for date and timestamp. */
export const DATETIME_MIN_JULIAN = 0;
export const DATE_END_JULIAN = 2147483494;
export const TIMESTAMP_END_JULIAN = 109203528;

/** Valid day numbers (since 1970-01-01) of a date. */
export const MIN_DATE = DATETIME_MIN_JULIAN - UNIX_EPOCH_JDATE;
export const END_DATE = DATE_END_JULIAN - UNIX_EPOCH_JDATE; // exclusive
/** Valid microsecond range (since 1970-01-01) of a timestamp. */
export const MIN_TIMESTAMP = (DATETIME_MIN_JULIAN - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
export const END_TIMESTAMP = (TIMESTAMP_END_JULIAN - UNIX_EPOCH_JDATE) * USECS_PER_DAY; // exclusive

/** C rint(): round half to even. */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round rounds half up; fix exact .5 cases to even.
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

const DAY_TAB = [
  [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
  [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
];

export function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y: number, m: number): number {
  return DAY_TAB[isLeap(y) ? 1 : 0][m - 1];
}

/** C integer division (truncates toward zero). */
function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** PostgreSQL date2j. */
export function date2j(y: number, m: number, d: number): number {
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = idiv(y, 100);
  let julian = y * 365 - 32167;
  julian += idiv(y, 4) - century + idiv(century, 4);
  julian += idiv(7834 * m, 256) + d;
  return julian;
}

export interface Ymd {
  year: number;
  month: number;
  day: number;
}

/** PostgreSQL j2date (valid for julian >= 0). */
export function j2date(jd: number): Ymd {
  let julian = jd + 32044;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const year = y - 4800;
  quad = Math.floor((julian * 2141) / 65536);
  const day = julian - Math.floor((7834 * quad) / 256);
  const month = ((quad + 10) % 12) + 1;
  return { year, month, day };
}

/** Day of week, 0 = Sunday (PostgreSQL j2day). */
export function j2day(jd: number): number {
  const d = (jd + 1) % 7;
  return d < 0 ? d + 7 : d;
}

/** Day number since 1970-01-01 -> y/m/d. */
export function daysToYmd(days: number): Ymd {
  return j2date(days + UNIX_EPOCH_JDATE);
}

export function ymdToDays(y: number, m: number, d: number): number {
  return date2j(y, m, d) - UNIX_EPOCH_JDATE;
}

/** Broken-down timestamp (PostgreSQL's struct pg_tm + fsec). */
export interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds within the second. */
  fsec: number;
  /** Julian day number of the date part. */
  julian: number;
}

/** Splits finite microseconds since 1970 into fields. */
export function timestampToTm(micros: number): Tm {
  let days = Math.floor(micros / USECS_PER_DAY);
  let time = micros - days * USECS_PER_DAY;
  if (time < 0) {
    // float rounding at huge magnitudes
    time += USECS_PER_DAY;
    days -= 1;
  } else if (time >= USECS_PER_DAY) {
    time -= USECS_PER_DAY;
    days += 1;
  }
  const julian = days + UNIX_EPOCH_JDATE;
  const { year, month, day } = j2date(julian);
  const hour = Math.floor(time / USECS_PER_HOUR);
  time -= hour * USECS_PER_HOUR;
  const minute = Math.floor(time / USECS_PER_MINUTE);
  time -= minute * USECS_PER_MINUTE;
  const second = Math.floor(time / USECS_PER_SEC);
  const fsec = time - second * USECS_PER_SEC;
  return { year, month, day, hour, minute, second, fsec, julian };
}

/** Fields -> microseconds since 1970 (no range check). */
export function tmToTimestamp(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fsec: number,
): number {
  const days = date2j(year, month, day) - UNIX_EPOCH_JDATE;
  return days * USECS_PER_DAY + ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + fsec;
}

export function isValidTimestamp(micros: number): boolean {
  return micros >= MIN_TIMESTAMP && micros < END_TIMESTAMP;
}

export function isValidDate(days: number): boolean {
  return days >= MIN_DATE && days < END_DATE;
}

export function timestampOutOfRange(): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
}

export function dateOutOfRange(): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range');
}

/** Checks a computed timestamp, throwing 22008 "timestamp out of range". */
export function checkTimestamp(micros: number): number {
  if (!(micros >= MIN_TIMESTAMP && micros < END_TIMESTAMP)) throw timestampOutOfRange();
  return micros;
}

// ---------------------------------------------------------------------------- ISO weeks

/** Julian day of the Monday of ISO week 1 of `year` (PostgreSQL date2isoweek helper). */
function isoWeek1Monday(year: number): number {
  const day4 = date2j(year, 1, 4);
  const day0 = j2day(day4 - 1); // day of week of Jan 3rd, 0 = Sunday... PG uses j2day(day4 - 1)
  return day4 - day0;
}

/** ISO 8601 week number (PostgreSQL date2isoweek). */
export function date2isoweek(year: number, mon: number, mday: number): number {
  const dayn = date2j(year, mon, mday);
  let day4 = date2j(year, 1, 4);
  let day0 = j2day(day4 - 1);
  let result = Math.floor((dayn - (day4 - day0)) / 7) + 1;
  if (result < 1) {
    day4 = date2j(year - 1, 1, 4);
    day0 = j2day(day4 - 1);
    result = Math.floor((dayn - (day4 - day0)) / 7) + 1;
  }
  if (result >= 52) {
    day4 = date2j(year + 1, 1, 4);
    day0 = j2day(day4 - 1);
    if (dayn >= day4 - day0) result = Math.floor((dayn - (day4 - day0)) / 7) + 1;
  }
  return result;
}

/** ISO 8601 week-numbering year (PostgreSQL date2isoyear). */
export function date2isoyear(year: number, mon: number, mday: number): number {
  const dayn = date2j(year, mon, mday);
  let day4 = date2j(year, 1, 4);
  let day0 = j2day(day4 - 1);
  let result = Math.floor((dayn - (day4 - day0)) / 7) + 1;
  if (result < 1) {
    year--;
    day4 = date2j(year, 1, 4);
    day0 = j2day(day4 - 1);
    result = Math.floor((dayn - (day4 - day0)) / 7) + 1;
  }
  if (result >= 52) {
    day4 = date2j(year + 1, 1, 4);
    day0 = j2day(day4 - 1);
    if (dayn >= day4 - day0) year++;
  }
  return year;
}

/** Julian day of the first day (Monday) of ISO week `woy` of ISO year `year`. */
export function isoweek2j(year: number, woy: number): number {
  return isoWeek1Monday(year) + (woy - 1) * 7;
}

/** ISO day of year (PostgreSQL date2isoyearday). */
export function date2isoyearday(year: number, mon: number, mday: number): number {
  return date2j(year, mon, mday) - isoweek2j(date2isoyear(year, mon, mday), 1) + 1;
}

/** Year as shown to users: 1 BC is shown as 1 with BC. */
export function displayYear(year: number): number {
  return year > 0 ? year : 1 - year;
}
