/**
 * Interval text input: PostgreSQL's DecodeInterval (fields read right to left, unit words,
 * hh:mm:ss, 'ago', SQL-standard 'Y-M') and ISO 8601 (P1Y2M3DT4H5M6S, P0001-02-03T04:05:06).
 *
 *   parseInterval('1.5 days')  -> { months: 0, days: 1, micros: 43_200_000_000 }
 *   parseInterval('day')       -> 'syntax'
 */
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, rint } from './calendar.js';

const DAYS_PER_MONTH = 30;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const MAX_MICROS = 9223372036854775807;

function fitsInt32(x: number): boolean {
  return !Number.isNaN(x) && x >= INT32_MIN && x <= INT32_MAX;
}

// -------------------------------------------------------------------- parser

/** Parsed fields, or why parsing failed (the caller builds the Interval and the error). */
export type IntervalParseResult = { months: number; days: number; micros: number } | 'syntax' | 'range';
type ParseResult = IntervalParseResult;

const enum Unit {
  Microsecond,
  Millisecond,
  Second,
  Minute,
  Hour,
  Day,
  Week,
  Month,
  Year,
  Decade,
  Century,
  Millennium,
}

const UNITS: Record<string, Unit> = {
  microsecond: Unit.Microsecond, microseconds: Unit.Microsecond, microsecon: Unit.Microsecond,
  us: Unit.Microsecond, usec: Unit.Microsecond, usecs: Unit.Microsecond, useconds: Unit.Microsecond, usecond: Unit.Microsecond,
  millisecond: Unit.Millisecond, milliseconds: Unit.Millisecond, millisecon: Unit.Millisecond,
  ms: Unit.Millisecond, msec: Unit.Millisecond, msecs: Unit.Millisecond, mseconds: Unit.Millisecond, msecond: Unit.Millisecond,
  second: Unit.Second, seconds: Unit.Second, s: Unit.Second, sec: Unit.Second, secs: Unit.Second,
  minute: Unit.Minute, minutes: Unit.Minute, m: Unit.Minute, min: Unit.Minute, mins: Unit.Minute,
  hour: Unit.Hour, hours: Unit.Hour, h: Unit.Hour, hr: Unit.Hour, hrs: Unit.Hour,
  day: Unit.Day, days: Unit.Day, d: Unit.Day,
  week: Unit.Week, weeks: Unit.Week, w: Unit.Week,
  month: Unit.Month, months: Unit.Month, mon: Unit.Month, mons: Unit.Month,
  year: Unit.Year, years: Unit.Year, y: Unit.Year, yr: Unit.Year, yrs: Unit.Year,
  decade: Unit.Decade, decades: Unit.Decade, dec: Unit.Decade, decs: Unit.Decade,
  century: Unit.Century, centuries: Unit.Century, c: Unit.Century, cent: Unit.Century,
  millennium: Unit.Millennium, millennia: Unit.Millennium, mil: Unit.Millennium, mils: Unit.Millennium,
  millenniums: Unit.Millennium,
};

/** Field bits for duplicate detection (PostgreSQL's DTK_M masks). */
const M_YEAR = 1, M_MONTH = 2, M_DAY = 4, M_HOUR = 8, M_MINUTE = 16, M_SECOND = 32, M_MS = 64, M_US = 128, M_WEEK = 256;
const M_DECADE = 512, M_CENTURY = 1024, M_MILLENNIUM = 2048;

function unitMask(u: Unit): number {
  switch (u) {
    case Unit.Microsecond: return M_US;
    case Unit.Millisecond: return M_MS;
    case Unit.Second: return M_SECOND;
    case Unit.Minute: return M_MINUTE;
    case Unit.Hour: return M_HOUR;
    case Unit.Day: return M_DAY;
    case Unit.Week: return M_WEEK;
    case Unit.Month: return M_MONTH;
    case Unit.Year: return M_YEAR;
    case Unit.Decade: return M_DECADE;
    case Unit.Century: return M_CENTURY;
    case Unit.Millennium: return M_MILLENNIUM;
  }
}

interface Acc {
  months: number;
  days: number;
  micros: number;
}

/** AdjustFractMicroseconds. */
function fractMicros(acc: Acc, frac: number, scale: number): void {
  if (frac === 0) return;
  frac *= scale;
  let us = Math.trunc(frac);
  frac -= us;
  if (frac > 0.5) us++;
  else if (frac < -0.5) us--;
  acc.micros += us;
}

/** AdjustFractDays. */
function fractDays(acc: Acc, frac: number, scale: number): void {
  if (frac === 0) return;
  frac *= scale;
  const extra = Math.trunc(frac);
  acc.days += extra;
  frac -= extra;
  fractMicros(acc, frac, USECS_PER_DAY);
}

/** Applies `val + frac` of a unit. */
function applyUnit(acc: Acc, u: Unit, val: number, frac: number): void {
  switch (u) {
    case Unit.Microsecond:
      acc.micros += val;
      fractMicros(acc, frac, 1);
      return;
    case Unit.Millisecond:
      acc.micros += val * 1000;
      fractMicros(acc, frac, 1000);
      return;
    case Unit.Second:
      acc.micros += val * USECS_PER_SEC;
      fractMicros(acc, frac, USECS_PER_SEC);
      return;
    case Unit.Minute:
      acc.micros += val * USECS_PER_MINUTE;
      fractMicros(acc, frac, USECS_PER_MINUTE);
      return;
    case Unit.Hour:
      acc.micros += val * USECS_PER_HOUR;
      fractMicros(acc, frac, USECS_PER_HOUR);
      return;
    case Unit.Day:
      acc.days += val;
      fractMicros(acc, frac, USECS_PER_DAY);
      return;
    case Unit.Week:
      acc.days += val * 7;
      fractDays(acc, frac, 7);
      return;
    case Unit.Month:
      acc.months += val;
      fractDays(acc, frac, DAYS_PER_MONTH);
      return;
    case Unit.Year:
      acc.months += val * 12 + rint(frac * 12);
      return;
    case Unit.Decade:
      acc.months += val * 120 + rint(frac * 120);
      return;
    case Unit.Century:
      acc.months += val * 1200 + rint(frac * 1200);
      return;
    case Unit.Millennium:
      acc.months += val * 12000 + rint(frac * 12000);
      return;
  }
}

type Token =
  | { kind: 'num'; text: string }
  | { kind: 'time'; text: string }
  | { kind: 'ym'; text: string }
  | { kind: 'word'; text: string };

function tokenize(s: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const ch = s[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === ',') {
      i++;
      continue;
    }
    if (ch === '@' && out.length === 0) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '+' || ch === '-' || isDigit(ch) || ch === '.') {
      if (ch === '+' || ch === '-') i++;
      while (i < n && (isDigit(s[i]) || s[i] === '.' || s[i] === ':')) i++;
      // SQL-standard year-month "Y-M"
      if (i < n && s[i] === '-' && isDigit(s[i + 1] ?? '') && !s.slice(start, i).includes(':')) {
        i++;
        while (i < n && isDigit(s[i])) i++;
        out.push({ kind: 'ym', text: s.slice(start, i) });
        continue;
      }
      const text = s.slice(start, i);
      if (text === '+' || text === '-') {
        // "- 1 hour": a lone sign applies to the next number
        let j = i;
        while (j < n && s[j] === ' ') j++;
        if (j < n && (isDigit(s[j]) || s[j] === '.')) {
          i = j;
          let k = j;
          while (k < n && (isDigit(s[k]) || s[k] === '.' || s[k] === ':')) k++;
          const body = text + s.slice(j, k);
          i = k;
          out.push({ kind: body.includes(':') ? 'time' : 'num', text: body });
          continue;
        }
        return null;
      }
      out.push({ kind: text.includes(':') ? 'time' : 'num', text });
      continue;
    }
    if (isAlpha(ch)) {
      while (i < n && isAlpha(s[i])) i++;
      out.push({ kind: 'word', text: s.slice(start, i).toLowerCase() });
      continue;
    }
    return null;
  }
  return out;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}
function isAlpha(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const NUM_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Splits a signed decimal number into integer part and signed fraction; null if malformed. */
function splitNumber(text: string): { val: number; frac: number } | null {
  const m = NUM_RE.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return null;
  const neg = m[1] === '-';
  const ip = m[2] === '' ? 0 : Number(m[2]);
  const fp = m[3] ? Number('0.' + m[3]) : 0;
  return { val: neg ? -ip : ip, frac: neg ? -fp : fp };
}

/** Parses [+-]h:m[:s[.f]] or m:s.f into signed microseconds. */
function parseTimeField(text: string): number | null {
  let neg = false;
  let t = text;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const parts = t.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  let h: number, m: number, sec: number, frac: number;
  const intRe = /^\d+$/;
  if (parts.length === 2 && parts[1].includes('.')) {
    // mm:ss.fff
    if (!intRe.test(parts[0])) return null;
    const sm = /^(\d+)\.(\d*)$/.exec(parts[1]);
    if (!sm) return null;
    h = 0;
    m = Number(parts[0]);
    sec = Number(sm[1]);
    frac = sm[2] ? Number('0.' + sm[2]) : 0;
  } else {
    if (!intRe.test(parts[0]) || !intRe.test(parts[1])) return null;
    h = Number(parts[0]);
    m = Number(parts[1]);
    sec = 0;
    frac = 0;
    if (parts.length === 3) {
      const sm = /^(\d+)(?:\.(\d*))?$/.exec(parts[2]);
      if (!sm) return null;
      sec = Number(sm[1]);
      frac = sm[2] ? Number('0.' + sm[2]) : 0;
    }
  }
  if (m > 59 || sec > 59) return null;
  const us = h * USECS_PER_HOUR + m * USECS_PER_MINUTE + sec * USECS_PER_SEC + rint(frac * USECS_PER_SEC);
  return neg ? -us : us;
}

/** interval_in: PostgreSQL's DecodeInterval (postgres and SQL-standard forms) and ISO 8601. */
export function parseInterval(text: string): ParseResult {
  const trimmed = text.trim();
  if (trimmed.length > 0 && (trimmed[0] === 'P' || trimmed[0] === 'p')) return parseIso8601(trimmed);
  const toks = tokenize(text);
  if (toks === null || toks.length === 0) return 'syntax';
  const acc: Acc = { months: 0, days: 0, micros: 0 };
  let fmask = 0;
  let type: Unit = Unit.Second;
  let ago = false;
  let sawField = false;
  for (let i = toks.length - 1; i >= 0; i--) {
    const t = toks[i];
    switch (t.kind) {
      case 'word': {
        if (t.text === 'ago') {
          if (ago || i === 0 || toks[i - 1].kind !== 'word') return 'syntax';
          ago = true;
          continue;
        }
        const u = UNITS[t.text];
        if (u === undefined) return 'syntax';
        // A unit must follow a number.
        if (i === 0 || toks[i - 1].kind !== 'num') return 'syntax';
        type = u;
        continue;
      }
      case 'time': {
        const us = parseTimeField(t.text);
        if (us === null) return 'syntax';
        const mask = M_HOUR | M_MINUTE | M_SECOND;
        if (fmask & mask) return 'syntax';
        fmask |= mask;
        acc.micros += us;
        type = Unit.Day;
        sawField = true;
        continue;
      }
      case 'ym': {
        const m = /^([+-]?)(\d+)-(\d+)$/.exec(t.text);
        if (!m) return 'syntax';
        const mask = M_YEAR | M_MONTH;
        if (fmask & mask) return 'syntax';
        fmask |= mask;
        const sign = m[1] === '-' ? -1 : 1;
        const mo = Number(m[3]);
        if (mo > 11) return 'range';
        acc.months += sign * (Number(m[2]) * 12 + mo);
        type = Unit.Day;
        sawField = true;
        continue;
      }
      case 'num': {
        const p = splitNumber(t.text);
        if (p === null) return 'syntax';
        if (type !== Unit.Day && type !== Unit.Second && Math.abs(p.val) > INT32_MAX) return 'range';
        if (Math.abs(p.val) > INT32_MAX && type === Unit.Day) return 'range';
        const mask = unitMask(type);
        if (fmask & mask) return 'syntax';
        fmask |= mask;
        applyUnit(acc, type, p.val, p.frac);
        sawField = true;
        continue;
      }
    }
  }
  if (!sawField) return 'syntax';
  if (ago) {
    acc.months = -acc.months;
    acc.days = -acc.days;
    acc.micros = -acc.micros;
  }
  return finish(acc);
}

function finish(acc: Acc): ParseResult {
  if (!fitsInt32(acc.months) || !fitsInt32(acc.days) || !Number.isFinite(acc.micros) || Math.abs(acc.micros) > MAX_MICROS) {
    return 'range';
  }
  return { months: acc.months || 0, days: acc.days || 0, micros: acc.micros || 0 };
}

/** ISO 8601 "format with designators" (P1Y2M3DT4H5M6S) and "alternative format" (P0001-02-03T04:05:06). */
function parseIso8601(s: string): ParseResult {
  const acc: Acc = { months: 0, days: 0, micros: 0 };
  let i = 1;
  const n = s.length;
  if (n === 1) return 'syntax';
  let timePart = false;
  // Alternative format.
  const alt = /^[Pp](\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?))?$/.exec(s);
  if (alt) {
    acc.months = Number(alt[1]) * 12 + Number(alt[2]);
    acc.days = Number(alt[3]);
    if (alt[4] !== undefined) {
      acc.micros = Number(alt[4]) * USECS_PER_HOUR + Number(alt[5]) * USECS_PER_MINUTE + rint(Number(alt[6]) * USECS_PER_SEC);
    }
    return finish(acc);
  }
  while (i < n) {
    if (s[i] === 'T' || s[i] === 't') {
      if (timePart) return 'syntax';
      timePart = true;
      i++;
      continue;
    }
    const start = i;
    if (s[i] === '+' || s[i] === '-') i++;
    while (i < n && (isDigit(s[i]) || s[i] === '.')) i++;
    const p = splitNumber(s.slice(start, i));
    if (p === null || i >= n) return 'syntax';
    const d = s[i].toUpperCase();
    i++;
    if (!timePart) {
      switch (d) {
        case 'Y': applyUnit(acc, Unit.Year, p.val, p.frac); break;
        case 'M': applyUnit(acc, Unit.Month, p.val, p.frac); break;
        case 'W': applyUnit(acc, Unit.Week, p.val, p.frac); break;
        case 'D': applyUnit(acc, Unit.Day, p.val, p.frac); break;
        default: return 'syntax';
      }
    } else {
      switch (d) {
        case 'H': applyUnit(acc, Unit.Hour, p.val, p.frac); break;
        case 'M': applyUnit(acc, Unit.Minute, p.val, p.frac); break;
        case 'S': applyUnit(acc, Unit.Second, p.val, p.frac); break;
        default: return 'syntax';
      }
    }
  }
  return finish(acc);
}
