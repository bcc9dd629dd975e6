/**
 * Interval: the runtime value of SQL `interval`, with PostgreSQL 15 semantics.
 *
 * Three independent fields as in PostgreSQL: months, days and microseconds. They are not
 * normalised against each other ('1 mon' and '30 days' are different values that compare equal).
 *
 *   Interval.parse('1 year 2 mons 3 days 04:05:06.5').toString()   // '1 year 2 mons 3 days 04:05:06.5'
 *   Interval.parse('1.5 days').toString()                          // '1 day 12:00:00'
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { parseInterval } from './interval-parse.js';
import { rint } from './calendar.js';

export { rint };

export const USECS_PER_SEC = 1_000_000;
export const USECS_PER_MINUTE = 60 * USECS_PER_SEC;
export const USECS_PER_HOUR = 60 * USECS_PER_MINUTE;
export const USECS_PER_DAY = 24 * USECS_PER_HOUR;
const DAYS_PER_MONTH = 30;
const SECS_PER_DAY = 86400;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
/** Largest |micros| we accept: int64 like PostgreSQL (exact only below 2^53). */
const MAX_MICROS = 9223372036854775807;

function intervalOutOfRange(): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, 'interval out of range');
}

/** TSROUND: round to microsecond precision in seconds. */
function tsround(x: number): number {
  return rint(x * 1e6) / 1e6;
}


function fitsInt32(x: number): boolean {
  return !Number.isNaN(x) && x >= INT32_MIN && x <= INT32_MAX;
}

export class Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;

  constructor(months: number, days: number, micros: number) {
    this.months = months;
    this.days = days;
    this.micros = micros;
  }

  static readonly ZERO = new Interval(0, 0, 0);

  /** Builds an interval from calendar parts (seconds may be fractional). */
  static fromParts(
    years = 0,
    months = 0,
    weeks = 0,
    days = 0,
    hours = 0,
    minutes = 0,
    seconds = 0,
  ): Interval {
    const m = years * 12 + months;
    const d = weeks * 7 + days;
    const us = rint((hours * 3600 + minutes * 60) * USECS_PER_SEC + seconds * USECS_PER_SEC);
    if (!fitsInt32(m) || !fitsInt32(d) || !Number.isFinite(us) || Math.abs(us) > MAX_MICROS) throw intervalOutOfRange();
    return new Interval(m, d, us);
  }

  static fromMicros(micros: number): Interval {
    return new Interval(0, 0, micros);
  }

  // ---------------------------------------------------------------- arithmetic

  add(o: Interval): Interval {
    const m = this.months + o.months;
    const d = this.days + o.days;
    const us = this.micros + o.micros;
    if (!fitsInt32(m) || !fitsInt32(d) || Math.abs(us) > MAX_MICROS) throw intervalOutOfRange();
    return new Interval(m, d, us);
  }

  sub(o: Interval): Interval {
    const m = this.months - o.months;
    const d = this.days - o.days;
    const us = this.micros - o.micros;
    if (!fitsInt32(m) || !fitsInt32(d) || Math.abs(us) > MAX_MICROS) throw intervalOutOfRange();
    return new Interval(m, d, us);
  }

  neg(): Interval {
    if (this.months === INT32_MIN || this.days === INT32_MIN) throw intervalOutOfRange();
    return new Interval(-this.months || 0, -this.days || 0, -this.micros || 0);
  }

  /** interval_mul: fractional months cascade into days, fractional days into time (PG rules). */
  mulNumber(factor: number): Interval {
    const monthD = this.months * factor;
    if (!fitsInt32(monthD)) throw intervalOutOfRange();
    const month = Math.trunc(monthD);
    const dayD = this.days * factor;
    if (!fitsInt32(dayD)) throw intervalOutOfRange();
    let day = Math.trunc(dayD);
    const monthRemainderDays = tsround((this.months * factor - month) * DAYS_PER_MONTH);
    let secRemainder = tsround(
      (this.days * factor - day + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY,
    );
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      day += Math.trunc(secRemainder / SECS_PER_DAY);
      secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
    }
    day += Math.trunc(monthRemainderDays);
    if (!fitsInt32(day)) throw intervalOutOfRange();
    const time = rint(this.micros * factor + secRemainder * USECS_PER_SEC);
    if (!Number.isFinite(time) || Math.abs(time) > MAX_MICROS) throw intervalOutOfRange();
    return new Interval(month || 0, day || 0, time || 0);
  }

  /** interval_div: as PostgreSQL; dividing by zero raises 22012. */
  divNumber(factor: number): Interval {
    if (factor === 0) throw new SqlError(SqlState.DivisionByZero, 'division by zero');
    const monthD = this.months / factor;
    if (!fitsInt32(monthD)) throw intervalOutOfRange();
    const month = Math.trunc(monthD);
    const dayD = this.days / factor;
    if (!fitsInt32(dayD)) throw intervalOutOfRange();
    let day = Math.trunc(dayD);
    const monthRemainderDays = tsround((this.months / factor - month) * DAYS_PER_MONTH);
    let secRemainder = tsround(
      (this.days / factor - day + monthRemainderDays - Math.trunc(monthRemainderDays)) * SECS_PER_DAY,
    );
    if (Math.abs(secRemainder) >= SECS_PER_DAY) {
      day += Math.trunc(secRemainder / SECS_PER_DAY);
      secRemainder -= Math.trunc(secRemainder / SECS_PER_DAY) * SECS_PER_DAY;
    }
    day += Math.trunc(monthRemainderDays);
    if (!fitsInt32(day)) throw intervalOutOfRange();
    const time = rint(this.micros / factor + secRemainder * USECS_PER_SEC);
    if (!Number.isFinite(time) || Math.abs(time) > MAX_MICROS) throw intervalOutOfRange();
    return new Interval(month || 0, day || 0, time || 0);
  }

  // ---------------------------------------------------------------- comparison

  /** Total length with 30-day months and 24-hour days, in microseconds (may be inexact if huge). */
  totalMicros(): number {
    return this.micros + (this.days + this.months * DAYS_PER_MONTH) * USECS_PER_DAY;
  }

  /** Exact total length in microseconds as a bigint. */
  totalMicrosBig(): bigint {
    return BigInt(this.micros) + BigInt(this.days + this.months * DAYS_PER_MONTH) * BigInt(USECS_PER_DAY);
  }

  /** PostgreSQL interval_cmp: by the normalised total (30-day months, 24-hour days). */
  cmp(o: Interval): -1 | 0 | 1 {
    const a = this.totalMicros();
    const b = o.totalMicros();
    if (Math.abs(a) <= Number.MAX_SAFE_INTEGER && Math.abs(b) <= Number.MAX_SAFE_INTEGER) return a < b ? -1 : a > b ? 1 : 0;
    const ab = this.totalMicrosBig();
    const bb = o.totalMicrosBig();
    return ab < bb ? -1 : ab > bb ? 1 : 0;
  }

  eq(o: Interval): boolean {
    return this.cmp(o) === 0;
  }

  /** Identical fields (stricter than eq: '1 mon' is not identical to '30 days'). */
  identical(o: Interval): boolean {
    return this.months === o.months && this.days === o.days && this.micros === o.micros;
  }

  // ---------------------------------------------------------------- justify

  /** justify_hours: 24-hour periods of time become days. */
  justifyHours(): Interval {
    let days = this.days + Math.trunc(this.micros / USECS_PER_DAY);
    let time = this.micros % USECS_PER_DAY;
    if (days > 0 && time < 0) {
      time += USECS_PER_DAY;
      days--;
    } else if (days < 0 && time > 0) {
      time -= USECS_PER_DAY;
      days++;
    }
    if (!fitsInt32(days)) throw intervalOutOfRange();
    return new Interval(this.months, days || 0, time || 0);
  }

  /** justify_days: 30-day periods become months. */
  justifyDays(): Interval {
    let months = this.months + Math.trunc(this.days / DAYS_PER_MONTH);
    let days = this.days % DAYS_PER_MONTH;
    if (months > 0 && days < 0) {
      days += DAYS_PER_MONTH;
      months--;
    } else if (months < 0 && days > 0) {
      days -= DAYS_PER_MONTH;
      months++;
    }
    if (!fitsInt32(months)) throw intervalOutOfRange();
    return new Interval(months || 0, days || 0, this.micros);
  }

  /** justify_interval. */
  justifyInterval(): Interval {
    let months = this.months + Math.trunc(this.days / DAYS_PER_MONTH);
    let days = this.days % DAYS_PER_MONTH;
    let time = this.micros;
    days += Math.trunc(time / USECS_PER_DAY);
    time = time % USECS_PER_DAY;
    if (months > 0 && (days < 0 || (days === 0 && time < 0))) {
      days += DAYS_PER_MONTH;
      months--;
    } else if (months < 0 && (days > 0 || (days === 0 && time > 0))) {
      days -= DAYS_PER_MONTH;
      months++;
    }
    if (days > 0 && time < 0) {
      time += USECS_PER_DAY;
      days--;
    } else if (days < 0 && time > 0) {
      time -= USECS_PER_DAY;
      days++;
    }
    if (!fitsInt32(months) || !fitsInt32(days)) throw intervalOutOfRange();
    return new Interval(months || 0, days || 0, time || 0);
  }

  // ---------------------------------------------------------------- text I/O

  /** interval_out with IntervalStyle = postgres. */
  toString(): string {
    const year = Math.trunc(this.months / 12);
    const mon = this.months % 12;
    const mday = this.days;
    let out = '';
    let isZero = true;
    let isBefore = false;
    const part = (value: number, unit: string): void => {
      if (value === 0) return;
      out += (isZero ? '' : ' ') + (isBefore && value > 0 ? '+' : '') + value + ' ' + unit + (value !== 1 ? 's' : '');
      isBefore = value < 0;
      isZero = false;
    };
    part(year, 'year');
    part(mon, 'mon');
    part(mday, 'day');
    const t = this.micros;
    if (isZero || t !== 0) {
      const minus = t < 0;
      const a = Math.abs(t);
      const hour = Math.floor(a / USECS_PER_HOUR);
      let rest = a - hour * USECS_PER_HOUR;
      const min = Math.floor(rest / USECS_PER_MINUTE);
      rest -= min * USECS_PER_MINUTE;
      const sec = Math.floor(rest / USECS_PER_SEC);
      const fsec = rest - sec * USECS_PER_SEC;
      out +=
        (isZero ? '' : ' ') +
        (minus ? '-' : isBefore ? '+' : '') +
        pad2(hour) +
        ':' +
        pad2(min) +
        ':' +
        pad2(sec) +
        fractionDigits(fsec);
    }
    return out;
  }

  toJSON(): string {
    return this.toString();
  }

  /** interval_in (IntervalStyle postgres input, plus ISO 8601 and SQL-standard forms). */
  static parse(text: string): Interval {
    const r = parseInterval(text);
    if (r === 'syntax') {
      throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
    }
    if (r === 'range') {
      throw new SqlError(SqlState.IntervalFieldOverflow, `interval field value out of range: "${text}"`);
    }
    return new Interval(r.months, r.days, r.micros);
  }
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** '.5' style fraction of microseconds (0 < fsec < 1e6), trailing zeros trimmed; '' for 0. */
export function fractionDigits(fsec: number): string {
  if (fsec === 0) return '';
  let s = String(fsec).padStart(6, '0');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  s = s.slice(0, end);
  return '.' + s;
}
