/**
 * time (without time zone): microseconds since midnight, 0 .. 24:00:00 inclusive, as PostgreSQL.
 *
 *   parseTime('10:13:36.07') -> 36816070000     formatTime(36816070000) -> '10:13:36.07'
 *   time + interval wraps around midnight (only the interval's time part counts); time - time is
 *   an interval; date + time is a timestamp.
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { Interval } from './interval.js';
import { USECS_PER_DAY } from './calendar.js';
import { dateToTimestamp } from './datetime.js';

const USECS_PER_HOUR = 3_600_000_000;
const USECS_PER_MINUTE = 60_000_000;
const USECS_PER_SEC = 1_000_000;

const TIME_RE = /^(?:\d{4,}-\d{1,2}-\d{1,2}(?:\s+|T))?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?\s*(am|pm)?\s*(?:z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?)?$/i;

export function parseTime(text: string): number {
  const s = text.trim();
  if (s.toLowerCase() === 'allballs') return 0;
  const m = TIME_RE.exec(s);
  if (!m) throw new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type time: "${text}"`);
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  const frac = m[4] ? Math.round(Number('0.' + m[4]) * USECS_PER_SEC) : 0;
  if (m[5]) {
    if (hour < 1 || hour > 12) throw outOfRange(text);
    hour = (hour % 12) + (m[5].toLowerCase() === 'pm' ? 12 : 0);
  }
  if (minute > 59 || second > 60 || hour > 24) throw outOfRange(text);
  const t = hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE + second * USECS_PER_SEC + frac;
  if (t > USECS_PER_DAY) throw outOfRange(text);
  return t;
}

function outOfRange(text: string): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${text}"`);
}

export function formatTime(t: number): string {
  const hour = Math.floor(t / USECS_PER_HOUR);
  const minute = Math.floor((t % USECS_PER_HOUR) / USECS_PER_MINUTE);
  const second = Math.floor((t % USECS_PER_MINUTE) / USECS_PER_SEC);
  const frac = t % USECS_PER_SEC;
  const two = (n: number) => (n < 10 ? '0' + n : String(n));
  let out = `${two(hour)}:${two(minute)}:${two(second)}`;
  if (frac > 0) out += '.' + String(frac).padStart(6, '0').replace(/0+$/, '');
  return out;
}

/** The time of day of a timestamp (µs since 1970). */
export function timestampToTime(ts: number): number {
  if (!Number.isFinite(ts)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
  return ((ts % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
}

export function timeToInterval(t: number): Interval {
  return new Interval(0, 0, t);
}

/** interval -> time: the interval's time part modulo a day (days and months do not count). */
export function intervalToTime(iv: Interval): number {
  return ((iv.micros % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
}

export function timePlusInterval(t: number, iv: Interval): number {
  return (((t + iv.micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
}

export function timeMinusTime(a: number, b: number): Interval {
  return new Interval(0, 0, a - b);
}

export function datePlusTime(d: number, t: number): number {
  return dateToTimestamp(d) + t;
}

/** time(p): rounded to p fractional digits. */
export function roundTimePrecision(t: number, p: number): number {
  if (p >= 6) return t;
  const unit = 10 ** (6 - p);
  return Math.round(t / unit) * unit;
}
