/**
 * date / timestamp / timestamptz text input with PostgreSQL semantics (DateStyle 'ISO, MDY',
 * TimeZone UTC): ISO forms (fast path), textual months, MDY, BC, 'epoch', 'now', 'today',
 * 'infinity', numeric offsets, zone abbreviations and IANA zone names (via Intl).
 *
 *   parseTimestamptz('2024-01-02 03:04:05+02') -> micros of 2024-01-02 01:04:05 UTC
 *   parseTimestamp('2024-01-02 03:04:05+02')   -> micros of 2024-01-02 03:04:05 (zone ignored)
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { rint } from './interval.js';
import {
  END_TIMESTAMP,
  MIN_TIMESTAMP,
  UNIX_EPOCH_JDATE,
  USECS_PER_DAY,
  USECS_PER_SEC,
  date2j,
  daysInMonth,
  isValidDate,
  j2date,
  tmToTimestamp,
} from './calendar.js';

// ------------------------------------------------------------------------------ clock

let clock: () => number = () => Date.now() * 1000;

/**
 * Sets where 'now', 'today', ... take the current time from (microseconds since 1970, UTC).
 * The session layer points this at the transaction start time.
 */
export function setNowProvider(fn: () => number): void {
  clock = fn;
}

export function currentMicros(): number {
  return clock();
}

// ------------------------------------------------------------------------------ input

export type DateTimeKind = 'date' | 'timestamp' | 'timestamptz';

const TYPE_NAMES: Record<DateTimeKind, string> = {
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamp with time zone',
};

function syntaxError(kind: DateTimeKind, text: string): SqlError {
  return new SqlError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type ${TYPE_NAMES[kind]}: "${text}"`);
}

function fieldOverflow(text: string, hint = false): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${text}"`, {
    hint: hint ? 'Perhaps you need a different "datestyle" setting.' : undefined,
  });
}

function zoneOverflow(text: string): SqlError {
  return new SqlError(
    SqlState.InvalidTimeZoneDisplacementValue,
    `time zone displacement out of range: "${text}"`,
  );
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
};

const WEEKDAYS = new Set([
  'sun', 'sunday', 'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'wednes', 'thu', 'thur',
  'thurs', 'thursday', 'fri', 'friday', 'sat', 'saturday',
]);

/** Fixed-offset zone abbreviations (seconds east of UTC), a subset of PostgreSQL's Default set. */
const ZONE_ABBREVS: Record<string, number> = {
  utc: 0, gmt: 0, ut: 0, z: 0, zulu: 0, wet: 0,
  west: 3600, bst: 3600, cet: 3600, met: 3600, mez: 3600,
  cest: 7200, mest: 7200, mesz: 7200, eet: 7200, sast: 7200, ist: 7200,
  eest: 10800, msk: 10800,
  est: -5 * 3600, edt: -4 * 3600, cst: -6 * 3600, cdt: -5 * 3600, mst: -7 * 3600, mdt: -6 * 3600,
  pst: -8 * 3600, pdt: -7 * 3600, akst: -9 * 3600, akdt: -8 * 3600, hst: -10 * 3600, ast: -4 * 3600,
  adt: -3 * 3600, nst: -(3 * 3600 + 1800), ndt: -(2 * 3600 + 1800),
  jst: 9 * 3600, kst: 9 * 3600, hkt: 8 * 3600, sgt: 8 * 3600, awst: 8 * 3600, wib: 7 * 3600,
  acst: 9 * 3600 + 1800, acdt: 10 * 3600 + 1800, aest: 10 * 3600, aedt: 11 * 3600,
  nzst: 12 * 3600, nzdt: 13 * 3600,
};

const formatterCache = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The (cached) Intl formatter of an IANA zone name, or null if Intl does not know the zone.
 * Also used by runtime/expr/functions/time-zone.ts (the one zone-name resolution of the code base).
 */
export function zoneFormatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatterCache.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      f = null;
    }
    formatterCache.set(zone, f);
  }
  return f;
}

/** Offset (seconds east of UTC) of an IANA zone (a zoneFormatter) at the UTC instant `utcMs`. */
export function ianaOffsetAt(f: Intl.DateTimeFormat, utcMs: number): number {
  const parts = f.formatToParts(new Date(utcMs));
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value.startsWith('B'); break;
    }
  }
  if (bc) y = 1 - y;
  const local = tmToTimestamp(y, mo, d, h, mi, s, 0) / 1000;
  const base = Math.floor(utcMs / 1000) * 1000;
  return Math.round((local - base) / 1000);
}

/** Offset of a named zone for a local wall time, or undefined if the zone is unknown. */
export function zoneOffsetForLocal(zone: string, localMicros: number): number | undefined {
  const abbrev = ZONE_ABBREVS[zone.toLowerCase()];
  if (abbrev !== undefined) return abbrev;
  if (!/^[A-Za-z][A-Za-z0-9_/+-]*$/.test(zone) || zone.length < 3) return undefined;
  const f = zoneFormatter(zone);
  if (f === null) return undefined;
  const guessMs = localMicros / 1000;
  if (!Number.isFinite(guessMs) || Math.abs(guessMs) > 8.64e15) return 0;
  const o1 = ianaOffsetAt(f, guessMs);
  const o2 = ianaOffsetAt(f, guessMs - o1 * 1000);
  return o2;
}

interface Field {
  kind: 'date' | 'time' | 'num' | 'word' | 'offset';
  text: string;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function tokenizeDateTime(s: string): Field[] | null {
  const out: Field[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 44 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigitCode(c)) {
      while (i < n && isDigitCode(s.charCodeAt(i))) i++;
      const nc = s.charCodeAt(i);
      if (nc === 58 /* : */) {
        while (i < n && (isDigitCode(s.charCodeAt(i)) || s[i] === ':' || s[i] === '.')) i++;
        out.push({ kind: 'time', text: s.slice(start, i) });
        continue;
      }
      if ((nc === 45 || nc === 47 || nc === 46) && i + 1 < n && (isDigitCode(s.charCodeAt(i + 1)) || isAlphaCode(s.charCodeAt(i + 1)))) {
        const sep = s[i];
        // A '.' with a single separator is a decimal number ("1.5"); dates need two separators.
        let groups = 1;
        let j = i;
        while (j < n && s[j] === sep && j + 1 < n) {
          const k0 = j + 1;
          let k = k0;
          if (isDigitCode(s.charCodeAt(k))) while (k < n && isDigitCode(s.charCodeAt(k))) k++;
          else while (k < n && isAlphaCode(s.charCodeAt(k))) k++;
          if (k === k0) break;
          groups++;
          j = k;
        }
        if (sep === '.' && groups < 3) {
          // decimal number
          i++;
          while (i < n && isDigitCode(s.charCodeAt(i))) i++;
          out.push({ kind: 'num', text: s.slice(start, i) });
          continue;
        }
        i = j;
        out.push({ kind: 'date', text: s.slice(start, i) });
        continue;
      }
      if (nc === 46) {
        i++;
        while (i < n && isDigitCode(s.charCodeAt(i))) i++;
      }
      out.push({ kind: 'num', text: s.slice(start, i) });
      continue;
    }
    if (c === 43 || c === 45) {
      // signed: offset or -infinity
      i++;
      if (i < n && isDigitCode(s.charCodeAt(i))) {
        while (i < n && (isDigitCode(s.charCodeAt(i)) || s[i] === ':')) i++;
        out.push({ kind: 'offset', text: s.slice(start, i) });
        continue;
      }
      if (i < n && isAlphaCode(s.charCodeAt(i))) {
        while (i < n && isAlphaCode(s.charCodeAt(i))) i++;
        out.push({ kind: 'word', text: s.slice(start, i).toLowerCase() });
        continue;
      }
      return null;
    }
    if (isAlphaCode(c)) {
      while (i < n) {
        const d = s.charCodeAt(i);
        if (isAlphaCode(d) || d === 95 /* _ */ || (d === 47 /* / */ && isAlphaCode(s.charCodeAt(i + 1)))) i++;
        else if (d === 46 /* . */ && i - start <= 2 && isAlphaCode(s.charCodeAt(i + 1) || 0)) i++; // a.m.
        else if (d === 46 && (s[i - 2] === '.')) i++; // trailing '.' of "a.m."
        else break;
      }
      const word = s.slice(start, i);
      // ISO 8601 'T' between date and time: "2024-01-02T03:04:05"
      if ((word === 'T' || word === 't') && i < n && isDigitCode(s.charCodeAt(i))) continue;
      // IANA zone names keep their case
      out.push({ kind: 'word', text: word });
      continue;
    }
    return null;
  }
  return out;
}

interface Parsed {
  special?: number; // +/-Infinity or an absolute instant (epoch/now)
  year?: number;
  month?: number;
  day?: number;
  hour: number;
  minute: number;
  second: number;
  fsec: number;
  /** Seconds east of UTC, if a zone was given. */
  offset?: number;
  zoneName?: string;
}

/**
 * Parses date/time text into fields. Returns the microsecond instant for timestamptz
 * semantics (zone applied) and the local wall time for timestamp/date.
 */
function parseFields(text: string, kind: DateTimeKind, nowMicros: number | undefined): { local: number; utc: number } | number {
  const fields = tokenizeDateTime(text);
  if (fields === null || fields.length === 0) throw syntaxError(kind, text);
  const p: Parsed = { hour: 0, minute: 0, second: 0, fsec: 0 };
  let haveTime = false;
  let ampm: 'am' | 'pm' | undefined;
  let bc = false;
  let textMonth = false;
  let yearDigits = 0;
  let dateFieldHint = false;
  const fail = (): never => {
    throw syntaxError(kind, text);
  };

  const setYmd = (y: number, m: number, d: number, yLen: number): void => {
    if (p.year !== undefined || p.month !== undefined || p.day !== undefined) fail();
    p.year = y;
    p.month = m;
    p.day = d;
    yearDigits = yLen;
  };

  for (let fi = 0; fi < fields.length; fi++) {
    const f = fields[fi];
    switch (f.kind) {
      case 'date': {
        const sep = f.text.match(/[-/.]/)![0];
        const parts = f.text.split(sep);
        if (parts.length !== 3) fail();
        const mi = parts.findIndex((x) => /^[A-Za-z]/.test(x));
        if (mi >= 0) {
          const mo = MONTHS[parts[mi].toLowerCase()];
          if (mo === undefined) fail();
          const nums = parts.filter((_, k) => k !== mi);
          if (!nums.every((x) => /^\d+$/.test(x))) fail();
          // 2024-Jan-02, 02-Jan-2024, Jan-02-2024
          let y: string, d: string;
          if (mi === 1) {
            if (nums[0].length > 2) [y, d] = nums;
            else [d, y] = nums;
          } else if (mi === 0) {
            [d, y] = nums;
          } else {
            fail();
            return 0;
          }
          setYmd(Number(y), mo, Number(d), y.length);
          continue;
        }
        if (!parts.every((x) => /^\d+$/.test(x))) fail();
        dateFieldHint = true;
        if (parts[0].length >= 3) setYmd(Number(parts[0]), Number(parts[1]), Number(parts[2]), parts[0].length);
        else setYmd(Number(parts[2]), Number(parts[0]), Number(parts[1]), parts[2].length); // MDY
        continue;
      }
      case 'time': {
        if (haveTime) fail();
        const m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/.exec(f.text);
        if (!m) {
          const m2 = /^(\d{1,2}):(\d{1,2})\.(\d*)$/.exec(f.text);
          if (!m2) fail();
          // mm:ss.f is not a valid timestamp time in PostgreSQL
          fail();
        }
        p.hour = Number(m![1]);
        p.minute = Number(m![2]);
        p.second = m![3] !== undefined ? Number(m![3]) : 0;
        p.fsec = m![4] ? rint(Number('0.' + m![4]) * USECS_PER_SEC) : 0;
        haveTime = true;
        continue;
      }
      case 'offset': {
        if (p.offset !== undefined) fail();
        const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(f.text);
        if (!m) {
          // a signed number could be a negative year etc.: not supported
          fail();
        }
        const sign = m![1] === '-' ? -1 : 1;
        const h = Number(m![2]);
        const mm = m![3] ? Number(m![3]) : 0;
        const ss = m![4] ? Number(m![4]) : 0;
        if (h > 15 || mm > 59 || ss > 59) throw zoneOverflow(text);
        p.offset = sign * (h * 3600 + mm * 60 + ss);
        continue;
      }
      case 'num': {
        const t = f.text;
        if (t.includes('.')) {
          // fractional seconds only make sense after a time; "J2451187.5"-style not supported
          fail();
        }
        if (p.year === undefined && p.month === undefined && p.day === undefined && t.length === 8 && !textMonth) {
          setYmd(Number(t.slice(0, 4)), Number(t.slice(4, 6)), Number(t.slice(6, 8)), 4);
          continue;
        }
        if (p.year !== undefined && p.month !== undefined && p.day !== undefined && !haveTime && t.length === 6) {
          p.hour = Number(t.slice(0, 2));
          p.minute = Number(t.slice(2, 4));
          p.second = Number(t.slice(4, 6));
          haveTime = true;
          continue;
        }
        const v = Number(t);
        if (t.length > 2 || (p.day !== undefined && p.year === undefined)) {
          if (p.year !== undefined) fail();
          p.year = v;
          yearDigits = t.length;
        } else if (p.day === undefined) {
          p.day = v;
        } else fail();
        continue;
      }
      case 'word': {
        const w = f.text.toLowerCase();
        const mo = MONTHS[w];
        if (mo !== undefined) {
          if (p.month !== undefined) fail();
          p.month = mo;
          textMonth = true;
          continue;
        }
        if (WEEKDAYS.has(w)) continue;
        switch (w) {
          case 'am': case 'a.m.':
            if (ampm) fail();
            ampm = 'am';
            continue;
          case 'pm': case 'p.m.':
            if (ampm) fail();
            ampm = 'pm';
            continue;
          case 'bc': case 'b.c.':
            bc = true;
            continue;
          case 'ad': case 'a.d.':
            continue;
          case 'at': case 'on':
            continue;
          case 'allballs':
            if (haveTime) fail();
            haveTime = true;
            continue;
          case 'epoch': case 'infinity': case '+infinity': case '-infinity': case 'now':
            if (fields.length !== 1) fail();
            if (w === 'epoch') return { local: 0, utc: 0 };
            if (w === 'now') {
              let now = nowMicros ?? clock();
              if (kind === 'date') now = Math.floor(now / USECS_PER_DAY);
              return { local: now, utc: now };
            }
            return w === '-infinity' ? -Infinity : Infinity;
          case 'today': case 'tomorrow': case 'yesterday': {
            const now = nowMicros ?? clock();
            const day = Math.floor(now / USECS_PER_DAY) + (w === 'tomorrow' ? 1 : w === 'yesterday' ? -1 : 0);
            const ymd = j2date(day + UNIX_EPOCH_JDATE);
            setYmd(ymd.year, ymd.month, ymd.day, 4);
            continue;
          }
        }
        // time zone
        if (p.offset !== undefined || p.zoneName !== undefined) fail();
        const abbrev = ZONE_ABBREVS[w];
        if (abbrev !== undefined) {
          p.offset = abbrev;
          continue;
        }
        if (zoneFormatter(f.text) !== null && /[A-Za-z]{3,}/.test(f.text)) {
          p.zoneName = f.text;
          continue;
        }
        fail();
      }
    }
  }

  if (p.year === undefined || p.month === undefined || p.day === undefined) fail();
  let year = p.year!;
  const month = p.month!;
  const day = p.day!;
  if (bc) {
    if (year <= 0) throw fieldOverflow(text);
    year = 1 - year;
  } else if (yearDigits <= 2 && yearDigits > 0) {
    year += year < 70 ? 2000 : 1900;
  }
  if (!bc && p.year === 0 && yearDigits > 2) throw fieldOverflow(text);
  if (month < 1 || month > 12) throw fieldOverflow(text, dateFieldHint);
  if (day < 1 || day > daysInMonth(year, month)) throw fieldOverflow(text, dateFieldHint && day > 31);
  let hour = p.hour;
  if (ampm !== undefined) {
    if (hour > 12 || hour < 0) throw fieldOverflow(text);
    if (ampm === 'am' && hour === 12) hour = 0;
    else if (ampm === 'pm' && hour !== 12) hour += 12;
  }
  if (
    hour > 24 ||
    p.minute > 59 ||
    p.second > 60 ||
    (hour === 24 && (p.minute > 0 || p.second > 0 || p.fsec > 0))
  ) {
    throw fieldOverflow(text);
  }
  const jd = date2j(year, month, day);
  if (kind === 'date') {
    const days = jd - UNIX_EPOCH_JDATE;
    if (!isValidDate(days)) throw new SqlError(SqlState.DatetimeFieldOverflow, `date out of range: "${text}"`);
    return { local: days, utc: days };
  }
  const local = tmToTimestamp(year, month, day, hour, p.minute, p.second, p.fsec);
  let offset = p.offset;
  if (offset === undefined && p.zoneName !== undefined) offset = zoneOffsetForLocal(p.zoneName, local);
  const utc = local - (offset ?? 0) * USECS_PER_SEC;
  const check = kind === 'timestamptz' ? utc : local;
  if (!(check >= MIN_TIMESTAMP && check < END_TIMESTAMP)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${text}"`);
  }
  return { local, utc };
}

// Fast path for the ISO 8601 forms that ingest produces ('2024-01-02', '2024-01-02T03:04:05.123Z').
const ISO_RE =
  /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?)?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?$/;
const FRACTION_SCALE = [0, 100000, 10000, 1000, 100, 10, 1];

/**
 * Parses plain ISO input without the general tokenizer: returns [localMicros, offsetSeconds]
 * (offset NaN when absent), or null to fall back to the full parser (which also produces the
 * errors).
 */
function parseIsoFast(text: string): [number, number] | null {
  const m = ISO_RE.exec(text);
  if (m === null) return null;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  let us = 0;
  if (m[4] !== undefined) {
    const h = +m[4];
    const mi = +m[5];
    const sec = m[6] !== undefined ? +m[6] : 0;
    if (h > 23 || mi > 59 || sec > 59) return null;
    const frac = m[7] !== undefined ? +m[7] * FRACTION_SCALE[m[7].length] : 0;
    us = ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC + frac;
  }
  let offset = NaN;
  if (m[8] !== undefined) offset = 0;
  else if (m[9] !== undefined) {
    const oh = +m[10];
    const om = m[11] !== undefined ? +m[11] : 0;
    if (oh > 15 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  return [(date2j(year, month, day) - UNIX_EPOCH_JDATE) * USECS_PER_DAY + us, offset];
}

/** date_in. */
export function parseDate(text: string, nowMicros?: number): number {
  if (text.length === 10) {
    const f = parseIsoFast(text);
    if (f !== null) return f[0] / USECS_PER_DAY;
  }
  const r = parseFields(text, 'date', nowMicros);
  return typeof r === 'number' ? r : r.local;
}

/** timestamp_in (a zone in the text is ignored, as in PostgreSQL). */
export function parseTimestamp(text: string, nowMicros?: number): number {
  const f = parseIsoFast(text);
  if (f !== null) return f[0];
  const r = parseFields(text, 'timestamp', nowMicros);
  return typeof r === 'number' ? r : r.local;
}

/** timestamptz_in with TimeZone UTC. */
export function parseTimestamptz(text: string, nowMicros?: number): number {
  const f = parseIsoFast(text);
  if (f !== null) return f[1] === f[1] ? f[0] - f[1] * USECS_PER_SEC : f[0];
  const r = parseFields(text, 'timestamptz', nowMicros);
  return typeof r === 'number' ? r : r.utc;
}
