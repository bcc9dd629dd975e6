/**
 * to_char(timestamp|timestamptz|interval, text): PostgreSQL's DCH formatting with the common
 * patterns (YYYY, MM, Mon, Month, DD, D, DY, Day, HH, HH12, HH24, MI, SS, MS, US, AM/PM, TZ, OF,
 * Q, WW, IW, CC, J, RM, ISO years, FF1-6, SSSS), the FM prefix, TH/th suffixes and quoted text.
 *
 *   toCharTimestamp(ts('2024-01-02 13:04:05'), 'FMDDth Mon YYYY HH12:MI PM', false)
 *     -> '2nd Jan 2024 01:04 PM'
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import type { Interval } from './interval.js';
import {
  USECS_PER_HOUR,
  USECS_PER_MINUTE,
  USECS_PER_SEC,
  date2isoweek,
  date2isoyear,
  date2isoyearday,
  date2j,
  j2day,
  timestampToTm,
} from './calendar.js';

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December',
];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** Keywords, longest first among those sharing a prefix (PostgreSQL's DCH_keywords order). */
const KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D',
  'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX', 'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY',
  'IY', 'I', 'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.', 'PM', 'Q', 'RM',
  'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y',
  'a.d.', 'a.m.', 'ad', 'am', 'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2', 'ff3',
  'ff4', 'ff5', 'ff6', 'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw', 'iyyy', 'iyy', 'iy', 'i', 'j',
  'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss', 'tz', 'us',
  'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
];

/** Keywords that are only recognised in the listed case (others are case-insensitive aliases). */
function matchKeyword(fmt: string, i: number): string | null {
  for (const k of KEYWORDS) {
    if (fmt.startsWith(k, i)) return k;
  }
  return null;
}

interface Fields {
  year: number; // astronomical (timestamps) or interval years
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fsec: number;
  julian: number;
  isInterval: boolean;
  withTz: boolean;
}

function ordinal(n: number, upper: boolean): string {
  const a = Math.abs(n);
  let s: string;
  if (a % 100 >= 11 && a % 100 <= 13) s = 'th';
  else if (a % 10 === 1) s = 'st';
  else if (a % 10 === 2) s = 'nd';
  else if (a % 10 === 3) s = 'rd';
  else s = 'th';
  return upper ? s.toUpperCase() : s;
}

function zpad(n: number, width: number, fm: boolean): string {
  if (fm) return String(n);
  // C's "%0*d": the width includes the minus sign
  const s = String(Math.abs(n));
  const w = n < 0 ? width - 1 : width;
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
}

function padRight(s: string, width: number, fm: boolean): string {
  return fm || s.length >= width ? s : s + ' '.repeat(width - s.length);
}

function caseAs(word: string, kw: string): string {
  if (kw === kw.toUpperCase() && kw !== kw.toLowerCase()) return word.toUpperCase();
  if (kw === kw.toLowerCase()) return word.toLowerCase();
  return word;
}

function render(f: Fields, fmt: string): string {
  let out = '';
  let i = 0;
  const n = fmt.length;
  const adjYear = f.isInterval ? f.year : f.year <= 0 ? 1 - f.year : f.year;
  while (i < n) {
    // modifiers
    let fm = false;
    let j = i;
    for (;;) {
      if (fmt.startsWith('FM', j) || fmt.startsWith('fm', j)) {
        fm = true;
        j += 2;
      } else if (fmt.startsWith('TM', j) || fmt.startsWith('tm', j)) {
        j += 2;
      } else break;
    }
    const kw = matchKeyword(fmt, j);
    if (kw === null) {
      if (j > i) {
        // a bare modifier prefix with no pattern after it is dropped
        i = j;
        continue;
      }
      const c = fmt[i];
      if (c === '"') {
        i++;
        while (i < n && fmt[i] !== '"') {
          if (fmt[i] === '\\' && i + 1 < n) i++;
          out += fmt[i];
          i++;
        }
        i++;
        continue;
      }
      if (c === '\\' && i + 1 < n && fmt[i + 1] === '"') {
        out += '"';
        i += 2;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    i = j + kw.length;
    let th: 'TH' | 'th' | null = null;
    if (fmt.startsWith('TH', i)) th = 'TH';
    else if (fmt.startsWith('th', i)) th = 'th';
    if (th) i += 2;
    /** `signed`: PostgreSQL widens the field by one for negatives ((x >= 0) ? 2 : 3). */
    const num = (v: number, width: number, signed = false): string => {
      let s = zpad(v, signed && v < 0 ? width + 1 : width, fm);
      if (th) s += ordinal(v, th === 'TH');
      return s;
    };
    const K = kw.toUpperCase();
    if (f.isInterval && INVALID_FOR_INTERVAL.has(K)) {
      throw new SqlError(SqlState.InvalidDatetimeFormat, 'invalid format specification for an interval value', { hint: 'Intervals are not tied to specific calendar dates.' });
    }
    switch (K) {
      case 'A.D.': case 'B.C.':
        out += caseAs(f.year <= 0 && !f.isInterval ? 'B.C.' : 'A.D.', kw);
        break;
      case 'AD': case 'BC':
        out += caseAs(f.year <= 0 && !f.isInterval ? 'BC' : 'AD', kw);
        break;
      case 'A.M.': case 'P.M.':
        out += caseAs(f.hour % 24 >= 12 ? 'P.M.' : 'A.M.', kw);
        break;
      case 'AM': case 'PM':
        out += caseAs(f.hour % 24 >= 12 ? 'PM' : 'AM', kw);
        break;
      case 'HH': case 'HH12': {
        const h = f.hour % 12 === 0 ? 12 : f.hour % 12;
        // As PostgreSQL's %0*d: one digit wider when the hour field is negative (-120 hours -> 012).
        out += num(h, f.hour < 0 ? 3 : 2);
        break;
      }
      case 'HH24': out += num(f.hour, 2, true); break;
      case 'MI': out += num(f.minute, 2, true); break;
      case 'SS': out += num(f.second, 2, true); break;
      case 'MS': out += num(Math.trunc(f.fsec / 1000), 3); break;
      case 'US': out += num(f.fsec, 6); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const d = Number(K[2]);
        out += num(Math.trunc(f.fsec / 10 ** (6 - d)), d);
        break;
      }
      case 'SSSS': case 'SSSSS':
        out += num((f.hour * 60 + f.minute) * 60 + f.second, 0);
        break;
      case 'TZ':
        if (f.withTz) out += kw === 'tz' ? 'utc' : 'UTC';
        break;
      case 'OF': out += '+00'; break;
      case 'TZH': out += '+00'; break;
      case 'TZM': out += '00'; break;
      case 'Y,YYY': {
        const s = `${Math.trunc(adjYear / 1000)},${zpad(adjYear % 1000, 3, false)}`;
        out += s + (th ? ordinal(adjYear, th === 'TH') : '');
        break;
      }
      // Widths as PostgreSQL's %0*d: one wider when the year field is negative (intervals).
      case 'YYYY': out += num(adjYear, 4, true); break;
      case 'YYY': out += num(adjYear % 1000, adjYear < 0 ? 4 : 3); break;
      case 'YY': out += num(adjYear % 100, adjYear < 0 ? 3 : 2); break;
      case 'Y': out += num(adjYear % 10, adjYear < 0 ? 2 : 1); break;
      case 'IYYY': case 'IYY': case 'IY': case 'I': {
        if (f.isInterval) {
          // PostgreSQL takes the ISO year of the interval's fields read as a date, printed with
          // C's %0*d (the sign counts in the width, one wider for a negative year field).
          const w = K.length + (f.year < 0 ? 1 : 0);
          const iy = date2isoyear(f.year, f.month, f.day);
          const v = K.length === 4 ? iy : iy % 10 ** K.length;
          const abs = String(Math.abs(v));
          out += fm ? String(v) : v < 0 ? '-' + abs.padStart(w - 1, '0') : abs.padStart(w, '0');
          break;
        }
        let iy = date2isoyear(f.year, f.month, f.day);
        if (!f.isInterval) iy = iy <= 0 ? 1 - iy : iy;
        const w = K.length;
        out += num(w === 4 ? iy : iy % 10 ** w, w);
        break;
      }
      case 'MONTH': case 'MON': {
        if (f.month < 1) break;
        const full = MONTH_NAMES[f.month - 1];
        if (K === 'MONTH') out += padRight(caseAs(full, kw), 9, fm);
        else out += caseAs(full.slice(0, 3), kw);
        break;
      }
      case 'MM': out += num(f.month, 2, true); break;
      case 'DAY': case 'DY': {
        const dow = j2day(f.julian);
        const full = DAY_NAMES[dow];
        if (K === 'DAY') out += padRight(caseAs(full, kw), 9, fm);
        else out += caseAs(full.slice(0, 3), kw);
        break;
      }
      case 'DDD': out += num(f.isInterval ? intervalYday(f) : f.julian - date2j(f.year, 1, 1) + 1, 3); break;
      case 'IDDD': out += num(date2isoyearday(f.year, f.month, f.day), 3); break;
      case 'DD': out += num(f.day, 2); break;
      case 'D': out += num(j2day(f.julian) + 1, 1); break;
      case 'ID': {
        const d = j2day(f.julian);
        out += num(d === 0 ? 7 : d, 1);
        break;
      }
      case 'WW': out += num(Math.trunc((f.isInterval ? intervalYday(f) - 1 : f.julian - date2j(f.year, 1, 1)) / 7) + 1, 2); break;
      case 'IW': out += num(date2isoweek(f.year, f.month, f.day), 2); break;
      case 'W': out += num(Math.trunc((f.day - 1) / 7) + 1, 1); break;
      case 'Q':
        // An interval without months has no quarter (PostgreSQL prints nothing).
        if (!(f.isInterval && f.month === 0)) out += num(Math.trunc((f.month - 1) / 3) + 1, 1);
        break;
      case 'CC': {
        const c = f.isInterval
          ? Math.trunc(f.year / 100)
          : f.year > 0
            ? Math.trunc((f.year + 99) / 100)
            : -Math.trunc((99 - (f.year - 1)) / 100);
        out += num(c, 2, true);
        break;
      }
      case 'J': out += num(f.isInterval ? date2j(f.year, f.month, f.day) : f.julian, 0); break;
      case 'RM': {
        if (f.month < 1) break;
        const r = ROMAN[f.month - 1];
        out += padRight(kw === 'rm' ? r.toLowerCase() : r, 4, fm);
        break;
      }
      case 'FX':
        break;
    }
  }
  return out;
}

/** to_char(timestamp|timestamptz, fmt) with TimeZone UTC; null for infinite input (as PostgreSQL). */
export function toCharTimestamp(micros: number, fmt: string, withTz: boolean): string | null {
  if (!Number.isFinite(micros)) return null;
  const tm = timestampToTm(micros);
  return render(
    {
      year: tm.year,
      month: tm.month,
      day: tm.day,
      hour: tm.hour,
      minute: tm.minute,
      second: tm.second,
      fsec: tm.fsec,
      julian: tm.julian,
      isInterval: false,
      withTz,
    },
    fmt,
  );
}

/** to_char(interval, fmt). */
/** Patterns PostgreSQL refuses for an interval (22007): names of months and days, time zones. */
const INVALID_FOR_INTERVAL = new Set(['MONTH', 'MON', 'DAY', 'DY', 'D', 'ID', 'TZ', 'TZH', 'TZM', 'OF']);

/** An interval's "day of year" for DDD/WW, as PostgreSQL's interval_to_char: 30-day months. */
function intervalYday(f: { year: number; month: number; day: number }): number {
  return (f.year * 12 + f.month) * 30 + f.day;
}

export function toCharInterval(iv: Interval, fmt: string): string {
  const t = iv.micros;
  const hour = Math.trunc(t / USECS_PER_HOUR);
  let rest = t - hour * USECS_PER_HOUR;
  const minute = Math.trunc(rest / USECS_PER_MINUTE);
  rest -= minute * USECS_PER_MINUTE;
  const second = Math.trunc(rest / USECS_PER_SEC);
  const fsec = rest - second * USECS_PER_SEC;
  return render(
    {
      year: Math.trunc(iv.months / 12),
      month: iv.months % 12,
      day: iv.days,
      hour,
      minute,
      second,
      fsec,
      julian: iv.days,
      isInterval: true,
      withTz: false,
    },
    fmt,
  );
}
