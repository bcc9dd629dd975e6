/**
 * to_timestamp(text, format) and to_date(text, format): PostgreSQL 15's template parsing
 * (formatting.c DCH_from_char / do_to_timestamp) with TimeZone UTC. runtime/sql has to_char only,
 * so this lives here; it uses the calendar helpers of runtime/sql/calendar.ts.
 *
 *   to_timestamp('5/17/2024 10:11 PM', 'MM/DD/YYYY HH:MI AM') = '2024-05-17 22:11:00+00'
 *   to_date('17 May 2024', 'DD Mon YYYY')                      = '2024-05-17'
 *
 * Supported fields: Y,YYY YYYY YYY YY Y CC MM Mon Month DD DDD D Day Dy HH HH12 HH24 MI SS MS US
 * FF1-FF6 SSSS(S) AM/PM A.M./P.M. AD/BC A.D./B.C. J Q TZH TZM FX, FM and TH modifiers. ISO-week
 * fields (IYYY, IW, ID, ...), W, WW and RM raise 0A000.
 */
import {
  END_TIMESTAMP,
  MIN_TIMESTAMP,
  UNIX_EPOCH_JDATE,
  USECS_PER_DAY,
  USECS_PER_SEC,
  date2j,
  daysInMonth,
  isLeap,
  isValidDate,
  j2date,
} from '../../sql/calendar.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { scanQuotedFormatText } from './format-quoted.js';

type Field =
  | 'A_D' | 'A_M' | 'AD' | 'AM' | 'B_C' | 'BC' | 'CC' | 'DAY' | 'DDD' | 'DD' | 'DY' | 'D' | 'FF' | 'FX'
  | 'HH24' | 'HH12' | 'HH' | 'MI' | 'MM' | 'MONTH' | 'MON' | 'MS' | 'OF' | 'P_M' | 'PM' | 'Q' | 'SSSS'
  | 'SS' | 'TZH' | 'TZM' | 'TZ' | 'US' | 'Y_YYY' | 'YYYY' | 'YYY' | 'YY' | 'Y' | 'J' | 'ISO' | 'W' | 'WW'
  | 'RM';

interface Keyword {
  name: string;
  field: Field;
  /** A digit field (matters for the "next is a separator" rule). */
  digit: boolean;
  /** FF1..FF6 digits. */
  ff?: number;
}

function kw(names: string, field: Field, digit: boolean, ff?: number): Keyword[] {
  return names.split(' ').map((name) => ({ name, field, digit, ff }));
}

/** PostgreSQL's DCH_keywords, in its search order (first prefix match wins). */
const KEYWORDS: readonly Keyword[] = [
  ...kw('A.D. a.d.', 'A_D', false), ...kw('A.M. a.m.', 'A_M', false), ...kw('AD ad', 'AD', false),
  ...kw('AM am', 'AM', false), ...kw('B.C. b.c.', 'B_C', false), ...kw('BC bc', 'BC', false),
  ...kw('CC cc', 'CC', true), ...kw('DAY Day day', 'DAY', false), ...kw('DDD ddd', 'DDD', true),
  ...kw('DD dd', 'DD', true), ...kw('DY Dy dy', 'DY', false), ...kw('D d', 'D', true),
  ...[1, 2, 3, 4, 5, 6].flatMap((i) => kw(`FF${i} ff${i}`, 'FF', false, i)), ...kw('FX fx', 'FX', false),
  ...kw('HH24 hh24', 'HH24', true), ...kw('HH12 hh12', 'HH12', true), ...kw('HH hh', 'HH', true),
  ...kw('IDDD ID IW IYYY IYY IY I iddd id iw iyyy iyy iy i', 'ISO', true), ...kw('J j', 'J', true),
  ...kw('MI mi', 'MI', true), ...kw('MM mm', 'MM', true), ...kw('MONTH Month month', 'MONTH', false),
  ...kw('MON Mon mon', 'MON', false), ...kw('MS ms', 'MS', true), ...kw('OF of', 'OF', false),
  ...kw('P.M. p.m.', 'P_M', false), ...kw('PM pm', 'PM', false), ...kw('Q q', 'Q', true),
  ...kw('RM rm', 'RM', false), ...kw('SSSSS SSSS sssss ssss', 'SSSS', true), ...kw('SS ss', 'SS', true),
  ...kw('TZH tzh', 'TZH', false), ...kw('TZM tzm', 'TZM', true), ...kw('TZ tz', 'TZ', false),
  ...kw('US us', 'US', true), ...kw('WW ww', 'WW', true), ...kw('W w', 'W', true),
  ...kw('Y,YYY y,yyy', 'Y_YYY', true), ...kw('YYYY yyyy', 'YYYY', true), ...kw('YYY yyy', 'YYY', true),
  ...kw('YY yy', 'YY', true), ...kw('Y y', 'Y', true),
];

/** Sort so that within the same first letter, the keyword order above is kept (stable). */
const BY_FIRST = new Map<string, Keyword[]>();
for (const k of KEYWORDS) {
  const list = BY_FIRST.get(k.name[0]) ?? [];
  list.push(k);
  BY_FIRST.set(k.name[0], list);
}

type Node =
  | { kind: 'action'; key: Keyword; fm: boolean; th: boolean }
  | { kind: 'space'; ch: string }
  | { kind: 'separator'; ch: string }
  | { kind: 'char'; ch: string };

function isSeparatorChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  return c > 0x20 && c < 0x7f && !/[A-Za-z0-9]/.test(ch);
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

function parseTemplate(fmt: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < fmt.length) {
    let fm = false;
    // FM / TM prefixes (TM only matters for to_char's localized names).
    if (fmt.startsWith('FM', i) || fmt.startsWith('fm', i) || fmt.startsWith('TM', i) || fmt.startsWith('tm', i)) {
      fm = fmt[i] === 'F' || fmt[i] === 'f';
      i += 2;
      if (i >= fmt.length) break;
    }
    const key = BY_FIRST.get(fmt[i])?.find((k) => fmt.startsWith(k.name, i));
    if (key !== undefined) {
      i += key.name.length;
      let th = false;
      if (fmt.startsWith('TH', i) || fmt.startsWith('th', i)) {
        th = true;
        i += 2;
      }
      nodes.push({ kind: 'action', key, fm, th });
      continue;
    }
    if (fmt[i] === '"') {
      i = scanQuotedFormatText(fmt, i, (ch) => nodes.push({ kind: 'char', ch }));
      continue;
    }
    if (fmt[i] === '\\' && fmt[i + 1] === '"') i++;
    const ch = String.fromCodePoint(fmt.codePointAt(i)!);
    nodes.push({ kind: isSeparatorChar(ch) ? 'separator' : isSpace(ch) ? 'space' : 'char', ch });
    i += ch.length;
  }
  return nodes;
}

// ------------------------------------------------------------------ errors

function formatError(message: string, detail?: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidDatetimeFormat, message, { detail, hint });
}

function fieldOverflow(input: string): SqlError {
  return new SqlError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
}

function notSupported(name: string, pgMessage: boolean): SqlError {
  return new SqlError(
    SqlState.FeatureNotSupported,
    pgMessage ? `formatting field "${name}" is only supported in to_char` : `formatting field "${name}" is not supported in to_timestamp/to_date`,
  );
}

// ------------------------------------------------------------------ parsing

const MONTHS_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS = MONTHS_FULL.map((m) => m.slice(0, 3));
const DAYS_FULL = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAYS = DAYS_FULL.map((d) => d.slice(0, 3));
const AMPM = ['am', 'pm', 'AM', 'PM'];
const AMPM_LONG = ['a.m.', 'p.m.', 'A.M.', 'P.M.'];
const ADBC = ['ad', 'bc', 'AD', 'BC'];
const ADBC_LONG = ['a.d.', 'b.c.', 'A.D.', 'B.C.'];

/** The parsed fields (PostgreSQL's TmFromChar). */
interface TmFromChar {
  year: number;
  yysz: number;
  cc: number;
  bc: boolean;
  mm: number;
  dd: number;
  ddd: number;
  hh: number;
  mi: number;
  ss: number;
  ssss: number;
  ms: number;
  us: number;
  j: number;
  pm: boolean;
  clock12: boolean;
  tzsign: number;
  tzh: number;
  tzm: number;
}

/** 0-69 -> 20xx, 70-99 -> 19xx, 100-519 -> 2xxx, 520-999 -> 1xxx (adjust_partial_year_to_2020). */
function adjustPartialYear(y: number): number {
  if (y < 70) return y + 2000;
  if (y < 100) return y + 1900;
  if (y < 520) return y + 2000;
  if (y < 1000) return y + 1000;
  return y;
}

class FromChar {
  pos = 0;
  extraSkip = 0;
  readonly tm: TmFromChar = {
    year: 0, yysz: 0, cc: 0, bc: false, mm: 0, dd: 0, ddd: 0, hh: 0, mi: 0, ss: 0, ssss: 0, ms: 0, us: 0, j: 0,
    pm: false, clock12: false, tzsign: 0, tzh: 0, tzm: 0,
  };

  constructor(
    private readonly s: string,
    private readonly nodes: readonly Node[],
  ) {}

  private nextIsSeparator(i: number): boolean {
    const n = this.nodes[i];
    if (n.kind === 'action' && n.th) return true;
    const next = this.nodes[i + 1];
    if (next === undefined) return true;
    if (next.kind === 'action') return !next.key.digit;
    return !(next.ch >= '0' && next.ch <= '9');
  }

  /** from_char_parse_int_len: returns [value, characters consumed]. */
  private parseInt(i: number, len: number): [number, number] {
    const node = this.nodes[i] as Extract<Node, { kind: 'action' }>;
    while (isSpace(this.s[this.pos])) this.pos++;
    const init = this.pos;
    const copy = this.s.slice(init, init + len);
    let text: string;
    if (node.fm || this.nextIsSeparator(i)) {
      const m = /^[ \t\n\r\v\f]*[+-]?\d+/.exec(this.s.slice(init));
      text = m ? m[0] : '';
      this.pos = init + text.length;
    } else {
      if (copy.length < len) {
        throw formatError(
          `source string too short for "${node.key.name}" formatting field`,
          `Field requires ${len} characters, but only ${copy.length} remain.`,
          'If your source string is not fixed-width, try using the "FM" modifier.',
        );
      }
      const m = /^[ \t\n\r\v\f]*[+-]?\d+/.exec(copy);
      text = m ? m[0] : '';
      if (text.length > 0 && text.length < len) {
        throw formatError(
          `source string too short for "${node.key.name}" formatting field`,
          `Field requires ${len} characters, but only ${text.length} could be parsed.`,
          'If your source string is not fixed-width, try using the "FM" modifier.',
        );
      }
      this.pos = init + text.length;
    }
    if (this.pos === init) {
      throw formatError(`invalid value "${copy}" for "${node.key.name}"`, 'Value must be an integer.');
    }
    const value = Number(text.trim());
    if (value < -2147483648 || value > 2147483647) {
      throw new SqlError(
        SqlState.DatetimeFieldOverflow,
        `value for "${node.key.name}" in source string is out of range`,
        { detail: 'Value must be in the range -2147483648 to 2147483647.' },
      );
    }
    return [value, this.pos - init];
  }

  /** from_char_seq_search: case-insensitive match of one of the words at the current position. */
  private seqSearch(i: number, words: readonly string[]): number {
    const node = this.nodes[i] as Extract<Node, { kind: 'action' }>;
    const rest = this.s.slice(this.pos);
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      if (rest.length >= w.length && rest.slice(0, w.length).toLowerCase() === w.toLowerCase()) {
        this.pos += w.length;
        return k;
      }
    }
    const word = rest.split(/[ \t\n\r\v\f]/)[0];
    throw formatError(
      `invalid value "${word}" for "${node.key.name}"`,
      'The given value did not match any of the allowed values for this field.',
    );
  }

  private skipTh(i: number): void {
    const n = this.nodes[i] as Extract<Node, { kind: 'action' }>;
    if (n.th) this.pos = Math.min(this.pos + 2, this.s.length);
  }

  run(): TmFromChar {
    const tm = this.tm;
    let fx = false;
    for (let i = 0; i < this.nodes.length && this.pos < this.s.length; i++) {
      const n = this.nodes[i];
      if (!fx && ((n.kind === 'action' && n.key.field !== 'FX') || i === 0)) {
        while (this.pos < this.s.length && isSpace(this.s[this.pos])) {
          this.pos++;
          this.extraSkip++;
        }
      }
      if (n.kind === 'space' || n.kind === 'separator') {
        if (!fx) {
          this.extraSkip--;
          const ch = this.s[this.pos];
          if (isSpace(ch) || isSeparatorChar(ch)) {
            this.pos++;
            this.extraSkip++;
          }
        } else this.pos += this.charLen();
        continue;
      }
      if (n.kind === 'char') {
        if (!fx && this.extraSkip > 0) this.extraSkip--;
        else this.pos += this.charLen();
        continue;
      }
      switch (n.key.field) {
        case 'FX':
          fx = true;
          break;
        case 'A_M':
        case 'P_M':
          tm.pm = this.seqSearch(i, AMPM_LONG) % 2 === 1;
          tm.clock12 = true;
          break;
        case 'AM':
        case 'PM':
          tm.pm = this.seqSearch(i, AMPM) % 2 === 1;
          tm.clock12 = true;
          break;
        case 'A_D':
        case 'B_C':
          tm.bc = this.seqSearch(i, ADBC_LONG) % 2 === 1;
          break;
        case 'AD':
        case 'BC':
          tm.bc = this.seqSearch(i, ADBC) % 2 === 1;
          break;
        case 'HH':
        case 'HH12':
          tm.hh = this.parseInt(i, 2)[0];
          tm.clock12 = true;
          this.skipTh(i);
          break;
        case 'HH24':
          tm.hh = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'MI':
          tm.mi = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'SS':
          tm.ss = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'MS': {
          const [v, len] = this.parseInt(i, 3);
          tm.ms = v * (len === 1 ? 100 : len === 2 ? 10 : 1);
          this.skipTh(i);
          break;
        }
        case 'FF':
        case 'US': {
          const [v, len] = this.parseInt(i, n.key.field === 'US' ? 6 : n.key.ff!);
          tm.us = v * 10 ** Math.max(0, 6 - len);
          this.skipTh(i);
          break;
        }
        case 'SSSS':
          tm.ssss = this.parseInt(i, 4)[0];
          this.skipTh(i);
          break;
        case 'TZ':
        case 'OF':
          throw notSupported(n.key.name, true);
        case 'TZH': {
          const ch = this.s[this.pos];
          if (ch === '+' || ch === '-' || ch === ' ') {
            tm.tzsign = ch === '-' ? -1 : 1;
            this.pos++;
          } else {
            tm.tzsign = this.extraSkip > 0 && this.s[this.pos - 1] === '-' ? -1 : 1;
          }
          tm.tzh = this.parseInt(i, 2)[0];
          break;
        }
        case 'TZM':
          if (!tm.tzsign) tm.tzsign = 1;
          tm.tzm = this.parseInt(i, 2)[0];
          break;
        case 'MONTH':
          tm.mm = this.seqSearch(i, MONTHS_FULL) + 1;
          break;
        case 'MON':
          tm.mm = this.seqSearch(i, MONTHS) + 1;
          break;
        case 'MM':
          tm.mm = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'DAY':
          this.seqSearch(i, DAYS_FULL);
          break;
        case 'DY':
          this.seqSearch(i, DAYS);
          break;
        case 'DDD':
          tm.ddd = this.parseInt(i, 3)[0];
          this.skipTh(i);
          break;
        case 'DD':
          tm.dd = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'D':
        case 'Q':
          // Day of week and quarter are read but do not determine the date (as in PostgreSQL).
          this.parseInt(i, 1);
          this.skipTh(i);
          break;
        case 'CC':
          tm.cc = this.parseInt(i, 2)[0];
          this.skipTh(i);
          break;
        case 'Y_YYY': {
          const m = /^(\d+),(\d{3})/.exec(this.s.slice(this.pos));
          if (!m) throw formatError(`invalid input string for "Y,YYY"`);
          tm.year = Number(m[1]) * 1000 + Number(m[2]);
          tm.yysz = 4;
          this.pos += m[0].length;
          this.skipTh(i);
          break;
        }
        case 'YYYY':
          tm.year = this.parseInt(i, 4)[0];
          tm.yysz = 4;
          this.skipTh(i);
          break;
        case 'YYY':
        case 'YY':
        case 'Y': {
          const size = n.key.field === 'YYY' ? 3 : n.key.field === 'YY' ? 2 : 1;
          const [v, len] = this.parseInt(i, size);
          tm.year = len < 4 ? adjustPartialYear(v) : v;
          tm.yysz = size;
          this.skipTh(i);
          break;
        }
        case 'J':
          tm.j = this.parseInt(i, 1)[0];
          this.skipTh(i);
          break;
        case 'ISO':
        case 'W':
        case 'WW':
        case 'RM':
          throw notSupported(n.key.name, false);
      }
      if (!fx) {
        this.extraSkip = 0;
        while (this.pos < this.s.length && isSpace(this.s[this.pos])) {
          this.pos++;
          this.extraSkip++;
        }
      }
    }
    return tm;
  }

  private charLen(): number {
    const c = this.s.codePointAt(this.pos);
    return c !== undefined && c > 0xffff ? 2 : 1;
  }
}

const YSUM = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

interface Parsed {
  year: number;
  month: number;
  day: number;
  /** Microseconds since midnight. */
  time: number;
  /** Seconds east of UTC when TZH/TZM were given. */
  gmtoff: number | null;
}

/** do_to_timestamp. */
function doToTimestamp(input: string, fmt: string): Parsed {
  const f = new FromChar(input, parseTemplate(fmt)).run();
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let dateFields = 0; // bit 1 year, 2 month, 4 day
  if (f.ssss) {
    hour = Math.trunc(f.ssss / 3600);
    minute = Math.trunc((f.ssss % 3600) / 60);
    second = f.ssss % 60;
  }
  if (f.ss) second = f.ss;
  if (f.mi) minute = f.mi;
  if (f.hh) hour = f.hh;
  if (f.clock12) {
    if (hour < 1 || hour > 12) {
      throw formatError(
        `hour "${hour}" is invalid for the 12-hour clock`,
        undefined,
        'Use the 24-hour clock, or give an hour between 1 and 12.',
      );
    }
    if (f.pm && hour < 12) hour += 12;
    else if (!f.pm && hour === 12) hour = 0;
  }
  if (f.year) {
    if (f.cc && f.yysz <= 2) {
      const cc = f.bc ? -f.cc : f.cc;
      year = f.year % 100;
      if (year) year = cc >= 0 ? year + (cc - 1) * 100 : (cc + 1) * 100 - year + 1;
      else year = cc * 100 + (cc >= 0 ? 0 : 1);
    } else {
      year = f.bc ? -f.year : f.year;
      if (year < 0) year++;
    }
    dateFields |= 1;
  } else if (f.cc) {
    const cc = f.bc ? -f.cc : f.cc;
    year = cc >= 0 ? (cc - 1) * 100 + 1 : cc * 100 + 1;
    if (year < 0) year++;
    dateFields |= 1;
  }
  if (f.j) {
    const ymd = j2date(f.j);
    year = ymd.year;
    month = ymd.month;
    day = ymd.day;
    dateFields |= 7;
  }
  if (f.dd) {
    day = f.dd;
    dateFields |= 4;
  }
  if (f.mm) {
    month = f.mm;
    dateFields |= 2;
  }
  if (f.ddd && (month <= 1 || day <= 1)) {
    if (!year && !f.bc) throw formatError('cannot calculate day of year without year information');
    const y = YSUM[isLeap(year) ? 1 : 0];
    let i = 1;
    while (i <= 12 && f.ddd > y[i]) i++;
    if (month <= 1) month = i;
    if (day <= 1) day = f.ddd - y[i - 1];
    dateFields |= 6;
  }
  const fsec = f.ms * 1000 + f.us;
  // ValidateDate
  if (dateFields !== 0) {
    if ((dateFields & 2 && (month < 1 || month > 12)) || (dateFields & 4 && (day < 1 || day > 31))) {
      throw fieldOverflow(input);
    }
    if ((dateFields & 7) === 7 && day > daysInMonth(year, month)) throw fieldOverflow(input);
  }
  if (hour < 0 || hour >= 24 || minute < 0 || minute >= 60 || second < 0 || second >= 60 || fsec < 0 || fsec >= USECS_PER_SEC) {
    throw fieldOverflow(input);
  }
  let gmtoff: number | null = null;
  if (f.tzsign) {
    if (f.tzh < 0 || f.tzh > 15 || f.tzm < 0 || f.tzm >= 60) {
      throw new SqlError(SqlState.InvalidTimeZoneDisplacementValue, `time zone displacement out of range: "${input}"`);
    }
    gmtoff = f.tzsign * (f.tzh * 60 + f.tzm) * 60;
  }
  return { year, month, day, time: ((hour * 60 + minute) * 60 + second) * USECS_PER_SEC + fsec, gmtoff };
}

function validJulian(y: number, m: number): boolean {
  return (y > -4713 || (y === -4713 && m >= 11)) && (y < 5874898 || (y === 5874898 && m < 6));
}

/** to_timestamp(text, text) -> timestamptz (µs since 1970, UTC). */
export function toTimestampFormat(input: string, fmt: string): number {
  const p = doToTimestamp(input, fmt);
  if (!validJulian(p.year, p.month)) throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
  const days = date2j(p.year, p.month, p.day) - UNIX_EPOCH_JDATE;
  const micros = days * USECS_PER_DAY + p.time - (p.gmtoff ?? 0) * USECS_PER_SEC;
  if (!(micros >= MIN_TIMESTAMP && micros < END_TIMESTAMP)) {
    throw new SqlError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
  }
  return micros;
}

/** to_date(text, text) -> date (days since 1970). */
export function toDateFormat(input: string, fmt: string): number {
  const p = doToTimestamp(input, fmt);
  const bad = () => new SqlError(SqlState.DatetimeFieldOverflow, `date out of range: "${input}"`);
  if (!validJulian(p.year, p.month)) throw bad();
  const days = date2j(p.year, p.month, p.day) - UNIX_EPOCH_JDATE;
  if (!isValidDate(days)) throw bad();
  return days;
}
