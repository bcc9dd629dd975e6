/**
 * date / timestamp / timestamptz: text input and output with PostgreSQL semantics
 * (DateStyle 'ISO, MDY', TimeZone UTC), and the date/time arithmetic.
 *
 * Values: date = days since 1970-01-01; timestamp(tz) = microseconds since 1970-01-01 00:00 (UTC);
 * +/-Infinity represent 'infinity' / '-infinity'.
 *
 *   parseTimestamptz('2024-01-02 03:04:05+02')  -> micros of 2024-01-02 01:04:05 UTC
 *   formatTimestamptz(thatValue)                -> '2024-01-02 01:04:05+00'
 *
 * Input parsing lives in datetime-parse.ts; field extraction, truncation and binning in
 * datetime-fields.ts; to_char in to-char.ts. All are re-exported from here.
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { Interval, fractionDigits, rint } from './interval.js';
import { formatFloat8 } from './float-format.js';
import {
  END_TIMESTAMP,
  MIN_TIMESTAMP,
  UNIX_EPOCH_JDATE,
  USECS_PER_DAY,
  USECS_PER_SEC,
  checkTimestamp,
  date2j,
  dateOutOfRange,
  daysInMonth,
  isValidDate,
  isValidTimestamp,
  j2date,
  timestampOutOfRange,
  timestampToTm,
  tmToTimestamp,
} from './calendar.js';

export {
  extractDate,
  extractInterval,
  extractTimestamp,
  datePartDate,
  datePartInterval,
  datePartTimestamp,
  truncTimestamp,
  truncInterval,
  dateBin,
} from './datetime-fields.js';
export { toCharTimestamp, toCharInterval } from './to-char.js';
export {
  currentMicros,
  parseDate,
  parseTimestamp,
  parseTimestamptz,
  setNowProvider,
  zoneOffsetForLocal,
  type DateTimeKind,
} from './datetime-parse.js';

// ------------------------------------------------------------------------------ output

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** date_out: '2024-01-02', '0044-03-15 BC', 'infinity'. */
export function formatDate(days: number): string {
  if (!Number.isFinite(days)) return days > 0 ? 'infinity' : '-infinity';
  const { year, month, day } = j2date(days + UNIX_EPOCH_JDATE);
  const bc = year <= 0;
  return pad(bc ? 1 - year : year, 4) + '-' + pad(month, 2) + '-' + pad(day, 2) + (bc ? ' BC' : '');
}

function formatTs(micros: number, tz: boolean): string {
  if (!Number.isFinite(micros)) return micros > 0 ? 'infinity' : '-infinity';
  const tm = timestampToTm(micros);
  const bc = tm.year <= 0;
  return (
    pad(bc ? 1 - tm.year : tm.year, 4) +
    '-' +
    pad(tm.month, 2) +
    '-' +
    pad(tm.day, 2) +
    ' ' +
    pad(tm.hour, 2) +
    ':' +
    pad(tm.minute, 2) +
    ':' +
    pad(tm.second, 2) +
    fractionDigits(tm.fsec) +
    (tz ? '+00' : '') +
    (bc ? ' BC' : '')
  );
}

/** timestamp_out: '2024-01-02 03:04:05', fraction only when non-zero ('…05.5'). */
export function formatTimestamp(micros: number): string {
  return formatTs(micros, false);
}

/** timestamptz_out with TimeZone UTC: '2024-01-02 03:04:05+00'. */
export function formatTimestamptz(micros: number): string {
  return formatTs(micros, true);
}

// ------------------------------------------------------------------------------ conversions

/** date -> timestamp (also timestamptz with TimeZone UTC). */
export function dateToTimestamp(days: number): number {
  if (!Number.isFinite(days)) return days;
  const us = days * USECS_PER_DAY;
  if (!isValidTimestamp(us)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'date out of range for timestamp');
  return us;
}

/** timestamp -> date. */
export function timestampToDate(micros: number): number {
  if (!Number.isFinite(micros)) return micros;
  return Math.floor(micros / USECS_PER_DAY);
}

// ------------------------------------------------------------------------------ arithmetic

/** timestamp + interval (PostgreSQL timestamp_pl_interval: months clamp to month end, then days, then time). */
export function timestampPlusInterval(ts: number, iv: Interval): number {
  if (!Number.isFinite(ts)) return ts;
  let t = ts;
  if (iv.months !== 0) {
    const tm = timestampToTm(t);
    let mon = tm.month + iv.months;
    let year = tm.year;
    if (mon > 12) {
      year += Math.trunc((mon - 1) / 12);
      mon = ((mon - 1) % 12) + 1;
    } else if (mon < 1) {
      year += Math.trunc(mon / 12) - 1;
      mon = (mon % 12) + 12;
    }
    let day = tm.day;
    const dim = daysInMonth(year, mon);
    if (day > dim) day = dim;
    t = tmToTimestamp(year, mon, day, tm.hour, tm.minute, tm.second, tm.fsec);
    checkTimestamp(t);
  }
  if (iv.days !== 0) {
    t += iv.days * USECS_PER_DAY;
    checkTimestamp(t);
  }
  t += iv.micros;
  return checkTimestamp(t);
}

export function timestampMinusInterval(ts: number, iv: Interval): number {
  return timestampPlusInterval(ts, iv.neg());
}

/** timestamp - timestamp: days + time (no months), justify_hours applied as PostgreSQL does. */
export function timestampDiff(a: number, b: number): Interval {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  return new Interval(0, 0, a - b).justifyHours();
}

/** date + integer days. */
export function datePlusDays(d: number, n: number): number {
  if (!Number.isFinite(d)) return d;
  const r = d + n;
  if (!isValidDate(r)) throw dateOutOfRange();
  return r;
}

/** date - date -> integer days. */
export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite dates');
  }
  return a - b;
}

/** date + interval -> timestamp. */
export function datePlusInterval(d: number, iv: Interval): number {
  return timestampPlusInterval(dateToTimestamp(d), iv);
}

/** age(ts1, ts2): PostgreSQL's symbolic difference in years, months, days and time. */
export function age(dt1: number, dt2: number): Interval {
  if (!Number.isFinite(dt1) || !Number.isFinite(dt2)) throw timestampOutOfRange();
  const tm1 = timestampToTm(dt1);
  const tm2 = timestampToTm(dt2);
  let fsec = tm1.fsec - tm2.fsec;
  let sec = tm1.second - tm2.second;
  let min = tm1.minute - tm2.minute;
  let hour = tm1.hour - tm2.hour;
  let mday = tm1.day - tm2.day;
  let mon = tm1.month - tm2.month;
  let year = tm1.year - tm2.year;
  const flip = dt1 < dt2;
  if (flip) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  while (fsec < 0) { fsec += USECS_PER_SEC; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    if (flip) mday += daysInMonth(tm1.year, tm1.month);
    else mday += daysInMonth(tm2.year, tm2.month);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  if (flip) {
    fsec = -fsec; sec = -sec; min = -min; hour = -hour; mday = -mday; mon = -mon; year = -year;
  }
  const micros = ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + fsec;
  return new Interval(year * 12 + mon || 0, mday || 0, micros || 0);
}

// ------------------------------------------------------------------------------ constructors

/** make_date(year, month, day): negative years are BC. */
export function makeDate(year: number, month: number, day: number): number {
  const bad = (): SqlError =>
    new SqlError(SqlState.DatetimeFieldOverflow, `date field value out of range: ${year}-${pad(month, 2)}-${pad(day, 2)}`);
  if (year === 0) throw bad();
  const y = year < 0 ? year + 1 : year;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month)) throw bad();
  const days = date2j(y, month, day) - UNIX_EPOCH_JDATE;
  if (!isValidDate(days)) throw new SqlError(SqlState.DatetimeFieldOverflow, `date out of range: ${year}-${pad(month, 2)}-${pad(day, 2)}`);
  return days;
}

/** make_timestamp(year, month, day, hour, min, sec). */
export function makeTimestamp(year: number, month: number, day: number, hour: number, min: number, sec: number): number {
  const days = makeDate(year, month, day);
  if (
    hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || hour > 24 ||
    (hour === 24 && (min > 0 || sec > 0)) || !Number.isFinite(sec)
  ) {
    throw new SqlError(
      SqlState.DatetimeFieldOverflow,
      `time field value out of range: ${hour}:${pad(min, 2)}:${pad2Float(sec)}`,
    );
  }
  const us = rint(((hour * 60 + min) * 60) * USECS_PER_SEC + sec * USECS_PER_SEC);
  const r = days * USECS_PER_DAY + us;
  if (!isValidTimestamp(r)) throw timestampOutOfRange();
  return r;
}

function pad2Float(sec: number): string {
  const s = String(sec);
  return sec < 10 ? '0' + s : s;
}

/** to_timestamp(double precision): Unix epoch seconds -> timestamptz. */
export function toTimestamp(seconds: number): number {
  if (Number.isNaN(seconds)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp cannot be NaN');
  if (!Number.isFinite(seconds)) return seconds;
  const us = rint(seconds * USECS_PER_SEC);
  if (!(us >= MIN_TIMESTAMP && us < END_TIMESTAMP)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${formatFloat8(seconds)}"`);
  }
  return us;
}

// Re-exports for callers that need the calendar helpers.
export { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './calendar.js';
