/**
 * String functions (PostgreSQL 15 varlena.c, oracle_compat.c, regexp.c). Lengths and positions
 * count characters (code points), as PostgreSQL does in a UTF-8 database.
 *
 *   substr('hello', -1, 3) = 'h'     split_part('a,b,c', ',', -1) = 'c'     left('abcde', -2) = 'abc'
 */
import { createHash } from 'node:crypto';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { T, arrayOf, type SqlType } from '../../sql/types.js';
import { SqlArray } from '../../sql/array.js';
import type { Value } from '../../sql/values.js';
import { charLength, charPosition, chars, hasSurrogates, sliceChars, utf8Length } from './code-points.js';
import { aliases, fn, fnBind, type FunctionDef } from './function-def.js';
import { invalidParameter, programLimit } from './function-errors.js';
import { compilePgRegex, expandReplacement, matchesFrom, parseRegexFlags, type PgRegex } from './pg-regex.js';
import { textFormatter } from './value-text.js';

/** Longest string we build (PostgreSQL's limit is 1 GB; V8's is about 2^29 UTF-16 units). */
const MAX_STRING = 2 ** 28;

function checkLength(n: number): void {
  if (n > MAX_STRING) throw programLimit('requested length too large');
}

// ------------------------------------------------------------------ case mapping

/** Maps each character on its own, keeping it when the mapping is not one character (ß -> SS). */
function mapCase(s: string, upper: boolean): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += m.length === ch.length || [...m].length === 1 ? m : ch;
  }
  return out;
}

const ALNUM = /[\p{L}\p{Nd}]/u;

function initcap(s: string): string {
  let out = '';
  let prevAlnum = false;
  for (const ch of s) {
    out += prevAlnum ? mapCase(ch, false) : mapCase(ch, true);
    prevAlnum = ALNUM.test(ch);
  }
  return out;
}

// ------------------------------------------------------------------ substrings

/** text_substring: 1-based start (may be <= 0), optional length (negative -> 22011). */
function substring(s: string, start: number, length?: number): string {
  const s1 = Math.max(start, 1);
  if (length === undefined) return sliceChars(s, s1 - 1);
  if (length < 0) throw new SqlError(SqlState.SubstringError, 'negative substring length not allowed');
  const end = start + length; // exclusive, 1-based
  if (end < 1 || end <= s1) return '';
  return sliceChars(s, s1 - 1, end - 1);
}

function overlay(s: string, repl: string, start: number, count: number): string {
  if (start <= 0) throw new SqlError(SqlState.SubstringError, 'negative substring length not allowed');
  return substring(s, 1, start - 1) + repl + substring(s, start + count);
}

function leftChars(s: string, n: number): string {
  if (n >= 0) return sliceChars(s, 0, n);
  const len = charLength(s);
  return sliceChars(s, 0, Math.max(len + n, 0));
}

function rightChars(s: string, n: number): string {
  const len = charLength(s);
  if (n >= 0) return sliceChars(s, Math.max(len - n, 0));
  return sliceChars(s, Math.min(-n, len));
}

function splitPart(s: string, sep: string, field: number): string {
  if (field === 0) throw invalidParameter('field position must not be zero');
  if (s === '') return '';
  if (sep === '') return field === 1 || field === -1 ? s : '';
  const parts = s.split(sep);
  const i = field > 0 ? field - 1 : parts.length + field;
  return i >= 0 && i < parts.length ? parts[i] : '';
}

// ------------------------------------------------------------------ trimming and padding

function trimChars(s: string, set: string, left: boolean, right: boolean): string {
  if (s === '' || set === '') return s;
  const cs = chars(s);
  const drop = new Set(chars(set));
  let i = 0;
  let j = cs.length;
  if (left) while (i < j && drop.has(cs[i])) i++;
  if (right) while (j > i && drop.has(cs[j - 1])) j--;
  return i === 0 && j === cs.length ? s : cs.slice(i, j).join('');
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  if (len <= 0) return '';
  const slen = charLength(s);
  if (slen >= len) return sliceChars(s, 0, len);
  if (fill === '') return s;
  checkLength(len * 4);
  const fc = chars(fill);
  let p = '';
  for (let i = 0, n = len - slen; i < n; i++) p += fc[i % fc.length];
  return left ? p + s : s + p;
}

function repeat(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  checkLength(s.length * n);
  return s.repeat(n);
}

function translate(s: string, from: string, to: string): string {
  const f = chars(from);
  const t = chars(to);
  const map = new Map<string, string>();
  for (let i = 0; i < f.length; i++) if (!map.has(f[i])) map.set(f[i], i < t.length ? t[i] : '');
  let out = '';
  for (const ch of s) {
    const m = map.get(ch);
    out += m === undefined ? ch : m;
  }
  return out;
}

function reverse(s: string): string {
  return hasSurrogates(s) ? Array.from(s).reverse().join('') : s.split('').reverse().join('');
}

// ------------------------------------------------------------------ characters and codes

function chr(n: number): string {
  if (n === 0) throw programLimit('null character not permitted');
  if (n < 0) throw invalidParameter('character number must be positive');
  if (n > 0x10ffff) throw programLimit(`requested character too large for encoding: ${n}`);
  if (n >= 0xd800 && n <= 0xdfff) throw programLimit(`requested character not valid for encoding: ${n}`);
  return String.fromCodePoint(n);
}

function ascii(s: string): number {
  return s === '' ? 0 : s.codePointAt(0)!;
}

// ------------------------------------------------------------------ quoting and format()

/** Keywords PostgreSQL's quote_ident always quotes (all but the unreserved ones). */
const QUOTED_KEYWORDS = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case ' +
    'cast char character check coalesce collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user dec ' +
    'decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign ' +
    'freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect ' +
    'interval into is isnull join lateral leading least left like limit localtime localtimestamp national natural ' +
    'nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay ' +
    'placing position precision primary real references returning right row select session_user setof similar ' +
    'smallint some substring symmetric table tablesample then time timestamp to trailing treat trim true union ' +
    'unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(s) && !QUOTED_KEYWORDS.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? "E'" + body.replace(/\\/g, '\\\\') + "'" : "'" + body + "'";
}

function formatError(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

/** format(fmt, args...): %[n$][-][width|*|*n$](s|I|L) and %%. */
function formatImpl(fmt: string, args: Value[], fmts: ((v: Value) => string)[]): string {
  let out = '';
  let nextArg = 0;
  const argAt = (pos: number): number => {
    if (pos >= args.length) throw formatError('too few arguments for format()');
    return pos;
  };
  const readNum = (i: number): [number | null, number] => {
    let j = i;
    while (j < fmt.length && fmt[j] >= '0' && fmt[j] <= '9') j++;
    if (j === i) return [null, i];
    const n = Number(fmt.slice(i, j));
    if (n > 2147483647) throw formatError('number is out of range');
    return [n, j];
  };
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    i++;
    if (i >= fmt.length) throw formatError('unterminated format() type specifier', 'For a single "%" use "%%".');
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    // Optional argument position n$.
    let argPos: number | null = null;
    let [num, j] = readNum(i);
    if (num !== null && fmt[j] === '$') {
      if (num === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1');
      argPos = num - 1;
      i = j + 1;
    } else if (num !== null) {
      // A width without position.
    }
    let leftAlign = false;
    let width = 0;
    if (fmt[i] === '-') {
      leftAlign = true;
      i++;
    }
    if (fmt[i] === '*') {
      i++;
      [num, j] = readNum(i);
      let wArg: number;
      if (num !== null && fmt[j] === '$') {
        if (num === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1');
        wArg = argAt(num - 1);
        i = j + 1;
      } else {
        wArg = argAt(nextArg);
      }
      nextArg = wArg + 1;
      const wv = args[wArg];
      const w = wv === null ? 0 : Number(typeof wv === 'bigint' ? wv : fmts[wArg](wv));
      if (!Number.isInteger(w)) throw new SqlError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type integer');
      if (w < 0) {
        leftAlign = true;
        width = -w;
      } else width = w;
    } else {
      [num, j] = readNum(i);
      if (num !== null) {
        width = num;
        i = j;
      }
    }
    if (i >= fmt.length) throw formatError('unterminated format() type specifier', 'For a single "%" use "%%".');
    const type = fmt[i];
    if (type !== 's' && type !== 'I' && type !== 'L') {
      throw formatError(`unrecognized format() type specifier "${type}"`, 'For a single "%" use "%%".');
    }
    const a = argAt(argPos ?? nextArg);
    nextArg = a + 1;
    const v = args[a];
    let s: string;
    if (type === 's') s = v === null ? '' : fmts[a](v);
    else if (type === 'I') {
      if (v === null) throw new SqlError(SqlState.NullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
      s = quoteIdent(fmts[a](v));
    } else s = v === null ? 'NULL' : quoteLiteral(fmts[a](v));
    const len = charLength(s);
    if (width > len) s = leftAlign ? s + ' '.repeat(width - len) : ' '.repeat(width - len) + s;
    out += s;
  }
  return out;
}

// ------------------------------------------------------------------ regular expressions

function checkStart(start: number): void {
  if (start <= 0) throw invalidParameter(`invalid value for parameter "start": ${start}`);
}

/** UTF-16 offset of the 1-based character position `start` (past the end -> s.length + 1). */
function charOffset(s: string, start: number): number {
  if (!hasSurrogates(s)) return Math.min(start - 1, s.length + 1);
  let off = 0;
  for (let k = 1; k < start; k++) {
    if (off >= s.length) return s.length + 1;
    off += s.codePointAt(off)! > 0xffff ? 2 : 1;
  }
  return off;
}

function charIndex(s: string, offset: number): number {
  return hasSurrogates(s) ? charLength(s.slice(0, offset)) : offset;
}

function regexpReplace(s: string, re: PgRegex, repl: string, start: number, n: number): string {
  const from = charOffset(s, start);
  if (from > s.length) return s;
  let out = '';
  let last = 0;
  let count = 0;
  for (const m of matchesFrom(re, s, from)) {
    count++;
    if (n !== 0 && count < n) continue;
    out += s.slice(last, m.index) + expandReplacement(repl, m);
    last = m.index + m[0].length;
    if (n !== 0) break;
  }
  return count === 0 ? s : out + s.slice(last);
}

function nthMatch(s: string, re: PgRegex, start: number, n: number): RegExpExecArray | null {
  const from = charOffset(s, start);
  if (from > s.length) return null;
  let count = 0;
  for (const m of matchesFrom(re, s, from)) if (++count === n) return m;
  return null;
}

/**
 * regexp_split_to_table / _to_array: the pieces between matches. As PostgreSQL, a match is
 * ignored if it is empty at the start or end of the string or right after the previous match.
 */
export function regexpSplit(s: string, pattern: string, flags: string, fnName: string): string[] {
  const re = regex(pattern, flags, fnName);
  const out: string[] = [];
  let prevEnd = 0;
  for (const m of matchesFrom(re, s, 0)) {
    const end = m.index + m[0].length;
    if (m.index >= s.length || end <= prevEnd) continue;
    out.push(s.slice(prevEnd, m.index));
    prevEnd = end;
  }
  out.push(s.slice(prevEnd));
  return out;
}

/** The capture groups of a match (NULL for a group that did not take part), or the whole match without groups. */
export function matchGroups(m: RegExpExecArray, groups: number): Value[] {
  if (groups === 0) return [m[0]];
  const out: Value[] = [];
  for (let i = 1; i <= groups; i++) out.push(m[i] ?? null);
  return out;
}

/** regexp_matches(s, pattern [, flags]): the groups of the first match, or of every match with flag g. */
export function regexpMatches(s: string, pattern: string, flags: string): Value[][] {
  const re = regex(pattern, flags);
  const out: Value[][] = [];
  for (const m of matchesFrom(re, s, 0)) {
    out.push(matchGroups(m, re.groups));
    if (!re.flags.global) break;
  }
  return out;
}

/**
 * SQL's SIMILAR TO pattern as a PostgreSQL regular expression (similar_to_escape, as PostgreSQL
 * rewrites `x SIMILAR TO p` into `x ~ similar_to_escape(p)`): anchored, % -> .*, _ -> ., the escape
 * character (default backslash) quotes the next one, regex metacharacters that SQL treats as
 * literals (. ^ $ and a backslash) are quoted, bracket expressions are copied.
 */
export function similarToEscape(pattern: string, escape: string | null): string {
  if (escape !== null && [...escape].length > 1) throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  const esc = escape === null ? '\\' : escape;
  let out = '^(?:';
  let inBracket = false;
  let afterEscape = false;
  for (const ch of pattern) {
    if (afterEscape) {
      out += /[\p{L}\p{N}\s]/u.test(ch) ? ch : '\\' + ch;
      afterEscape = false;
    } else if (esc !== '' && ch === esc) {
      afterEscape = true;
    } else if (inBracket) {
      if (ch === ']') inBracket = false;
      out += ch;
    } else if (ch === '[') {
      inBracket = true;
      out += ch;
    } else if (ch === '%') {
      out += '.*';
    } else if (ch === '_') {
      out += '.';
    } else if (ch === '(') {
      out += '(?:';
    } else if (ch === '.' || ch === '^' || ch === '$' || ch === '\\') {
      out += '\\' + ch;
    } else {
      out += ch;
    }
  }
  if (afterEscape) throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  return out + ')$';
}

function regex(pattern: string, flags: string, fnName?: string): PgRegex {
  return compilePgRegex(pattern, parseRegexFlags(flags, fnName));
}

function regexpReplaceN(a: Value[], fnArgs: { start?: number; n?: number; flags?: string }): string {
  const start = fnArgs.start ?? 1;
  checkStart(start);
  if (fnArgs.n !== undefined && fnArgs.n < 0) throw invalidParameter(`invalid value for parameter "n": ${fnArgs.n}`);
  const re = regex(a[1] as string, fnArgs.flags ?? '');
  const n = fnArgs.n ?? (re.flags.global ? 0 : 1);
  return regexpReplace(a[0] as string, re, a[2] as string, start, n);
}

function firstMatch(s: string, pattern: string, flags: string): Value {
  const re = regex(pattern, flags, 'regexp_match');
  const m = nthMatch(s, re, 1, 1);
  return m === null ? null : new SqlArray(matchGroups(m, re.groups));
}

function regexpCount(s: string, pattern: string, start: number, flags: string): number {
  checkStart(start);
  const re = regex(pattern, flags, 'regexp_count');
  const from = charOffset(s, start);
  if (from > s.length) return 0;
  let count = 0;
  for (const _ of matchesFrom(re, s, from)) count++;
  return count;
}

function regexpSubstr(s: string, pattern: string, start: number, n: number, flags: string, sub: number): Value {
  checkStart(start);
  if (n <= 0) throw invalidParameter(`invalid value for parameter "n": ${n}`);
  if (sub < 0) throw invalidParameter(`invalid value for parameter "subexpr": ${sub}`);
  const re = regex(pattern, flags, 'regexp_substr');
  if (sub > re.groups) return null;
  const m = nthMatch(s, re, start, n);
  return m === null ? null : (m[sub] ?? null);
}

function regexpInstr(s: string, pattern: string, start: number, n: number, endopt: number, flags: string, sub: number): number {
  checkStart(start);
  if (n <= 0) throw invalidParameter(`invalid value for parameter "n": ${n}`);
  if (endopt !== 0 && endopt !== 1) throw invalidParameter(`invalid value for parameter "endoption": ${endopt}`);
  if (sub < 0) throw invalidParameter(`invalid value for parameter "subexpr": ${sub}`);
  const re = regex(pattern, flags, 'regexp_instr');
  if (sub > re.groups) return 0;
  const m = nthMatch(s, re, start, n);
  if (m === null) return 0;
  let begin = m.index;
  let text = m[0];
  if (sub > 0) {
    const g = m[sub];
    if (g === undefined) return 0;
    // Find the group's offset: search it inside the match (exact offsets need the d flag).
    const withIdx = new RegExp(re.scanner.source, re.scanner.flags + 'd');
    withIdx.lastIndex = m.index;
    const md = withIdx.exec(s) as (RegExpExecArray & { indices?: [number, number][] }) | null;
    const span = md?.indices?.[sub];
    if (!span) return 0;
    begin = span[0];
    text = g;
  }
  const pos = charIndex(s, begin) + 1;
  return endopt === 0 ? pos : pos + charLength(text);
}

/** SUBSTRING(s FROM pattern): the first parenthesised subexpression, or the whole match. */
function regexSubstring(s: string, pattern: string): Value {
  const re = regex(pattern, '');
  const m = re.regex.exec(s);
  if (m === null) return null;
  return re.groups > 0 ? (m[1] ?? null) : m[0];
}

function normalize(s: string, form: string): string {
  const f = form.toUpperCase();
  if (f !== 'NFC' && f !== 'NFD' && f !== 'NFKC' && f !== 'NFKD') {
    throw new SqlError(SqlState.SyntaxError, `invalid normalization form: ${form}`);
  }
  return s.normalize(f);
}

// ------------------------------------------------------------------ declarations

const s0 = (a: Value[]) => a[0] as string;
const s1 = (a: Value[]) => a[1] as string;
const n1 = (a: Value[]) => a[1] as number;

/** text columns of type bpchar keep their padding; bpchar length functions ignore it. */
const bpcharLength = (a: Value[]) => charLength((a[0] as string).replace(/ +$/, ''));

/** concat / concat_ws / format / quote_literal("any"): text output of each argument. */
const formattersFor = (types: readonly SqlType[]) => types.map((t) => textFormatter(t));

export const STRING_FUNCTIONS: readonly FunctionDef[] = [
  ...aliases(
    [fn('length', ['text'], T.int4, (a) => charLength(s0(a))), fn('length', ['bpchar'], T.int4, bpcharLength)],
    ['length', 'char_length', 'character_length'],
  ),
  fn('octet_length', ['text'], T.int4, (a) => utf8Length(s0(a))),
  fn('octet_length', ['bpchar'], T.int4, (a) => utf8Length(s0(a))),
  fn('bit_length', ['text'], T.int4, (a) => utf8Length(s0(a)) * 8),
  fn('lower', ['text'], T.text, (a) => mapCase(s0(a), false)),
  fn('upper', ['text'], T.text, (a) => mapCase(s0(a), true)),
  fn('initcap', ['text'], T.text, (a) => initcap(s0(a))),
  ...aliases(
    [
      fn('substr', ['text', 'int4'], T.text, (a) => substring(s0(a), n1(a))),
      fn('substr', ['text', 'int4', 'int4'], T.text, (a) => substring(s0(a), n1(a), a[2] as number)),
    ],
    ['substr', 'substring'],
  ),
  fn('substring', ['text', 'text'], T.text, (a) => regexSubstring(s0(a), s1(a))),
  fn('overlay', ['text', 'text', 'int4'], T.text, (a) => overlay(s0(a), s1(a), a[2] as number, charLength(s1(a)))),
  fn('overlay', ['text', 'text', 'int4', 'int4'], T.text, (a) => overlay(s0(a), s1(a), a[2] as number, a[3] as number)),
  // position(substring, string): the binder turns POSITION(a IN b) into position(a, b).
  fn('position', ['text', 'text'], T.int4, (a) => charPosition(s1(a), s0(a))),
  fn('strpos', ['text', 'text'], T.int4, (a) => charPosition(s0(a), s1(a))),
  fn('replace', ['text', 'text', 'text'], T.text, (a) => (s1(a) === '' ? s0(a) : s0(a).split(s1(a)).join(a[2] as string))),
  fn('translate', ['text', 'text', 'text'], T.text, (a) => translate(s0(a), s1(a), a[2] as string)),
  ...aliases(
    [
      fn('btrim', ['text'], T.text, (a) => trimChars(s0(a), ' ', true, true)),
      fn('btrim', ['text', 'text'], T.text, (a) => trimChars(s0(a), s1(a), true, true)),
    ],
    ['btrim', 'trim'],
  ),
  fn('ltrim', ['text'], T.text, (a) => trimChars(s0(a), ' ', true, false)),
  fn('ltrim', ['text', 'text'], T.text, (a) => trimChars(s0(a), s1(a), true, false)),
  fn('rtrim', ['text'], T.text, (a) => trimChars(s0(a), ' ', false, true)),
  fn('rtrim', ['text', 'text'], T.text, (a) => trimChars(s0(a), s1(a), false, true)),
  fn('lpad', ['text', 'int4'], T.text, (a) => pad(s0(a), n1(a), ' ', true)),
  fn('lpad', ['text', 'int4', 'text'], T.text, (a) => pad(s0(a), n1(a), a[2] as string, true)),
  fn('rpad', ['text', 'int4'], T.text, (a) => pad(s0(a), n1(a), ' ', false)),
  fn('rpad', ['text', 'int4', 'text'], T.text, (a) => pad(s0(a), n1(a), a[2] as string, false)),
  fn('left', ['text', 'int4'], T.text, (a) => leftChars(s0(a), n1(a))),
  fn('right', ['text', 'int4'], T.text, (a) => rightChars(s0(a), n1(a))),
  fn('repeat', ['text', 'int4'], T.text, (a) => repeat(s0(a), n1(a))),
  fn('reverse', ['text'], T.text, (a) => reverse(s0(a))),
  fn('split_part', ['text', 'text', 'int4'], T.text, (a) => splitPart(s0(a), s1(a), a[2] as number)),
  fn('starts_with', ['text', 'text'], T.bool, (a) => s0(a).startsWith(s1(a))),
  fn('ascii', ['text'], T.int4, (a) => ascii(s0(a))),
  fn('chr', ['int4'], T.text, (a) => chr(a[0] as number)),
  fn('md5', ['text'], T.text, (a) => createHash('md5').update(s0(a), 'utf8').digest('hex')),
  fn('to_hex', ['int4'], T.text, (a) => ((a[0] as number) >>> 0).toString(16)),
  fn('to_hex', ['int8'], T.text, (a) => BigInt.asUintN(64, a[0] as bigint).toString(16)),
  fn('normalize', ['text'], T.text, (a) => normalize(s0(a), 'NFC')),
  fn('normalize', ['text', 'text'], T.text, (a) => normalize(s0(a), s1(a))),
  fn('quote_ident', ['text'], T.text, (a) => quoteIdent(s0(a))),
  fn('quote_literal', ['text'], T.text, (a) => quoteLiteral(s0(a))),
  fnBind('quote_literal', ['anyelement'], T.text, ([t]) => {
    const f = textFormatter(t);
    return (a) => quoteLiteral(f(a[0]));
  }, { volatility: 'stable' }),
  fn('quote_nullable', ['text'], T.text, (a) => (a[0] === null ? 'NULL' : quoteLiteral(s0(a))), { strict: false }),
  fnBind('quote_nullable', ['anyelement'], T.text, ([t]) => {
    const f = textFormatter(t);
    return (a) => (a[0] === null ? 'NULL' : quoteLiteral(f(a[0])));
  }, { strict: false, volatility: 'stable' }),

  fnBind('concat', [], T.text, (types) => {
    const fmts = formattersFor(types);
    return (a) => {
      let out = '';
      for (let i = 0; i < a.length; i++) if (a[i] !== null) out += fmts[i](a[i]);
      return out;
    };
  }, { variadic: 'any', strict: false, volatility: 'stable' }),
  fnBind('concat_ws', ['text'], T.text, (types) => {
    const fmts = formattersFor(types);
    return (a) => {
      if (a[0] === null) return null;
      const parts: string[] = [];
      for (let i = 1; i < a.length; i++) if (a[i] !== null) parts.push(fmts[i](a[i]));
      return parts.join(a[0] as string);
    };
  }, { variadic: 'any', strict: false, volatility: 'stable' }),
  fn('format', ['text'], T.text, (a) => (a[0] === null ? null : formatImpl(s0(a), [], [])), {
    strict: false,
    volatility: 'stable',
  }),
  fnBind('format', ['text'], T.text, (types) => {
    const fmts = formattersFor(types).slice(1);
    return (a) => (a[0] === null ? null : formatImpl(s0(a), a.slice(1), fmts));
  }, { variadic: 'any', strict: false, volatility: 'stable' }),

  fn('regexp_replace', ['text', 'text', 'text'], T.text, (a) => regexpReplaceN(a, {})),
  fn('regexp_replace', ['text', 'text', 'text', 'text'], T.text, (a) => regexpReplaceN(a, { flags: a[3] as string })),
  fn('regexp_replace', ['text', 'text', 'text', 'int4'], T.text, (a) => regexpReplaceN(a, { start: a[3] as number })),
  fn('regexp_replace', ['text', 'text', 'text', 'int4', 'int4'], T.text, (a) =>
    regexpReplaceN(a, { start: a[3] as number, n: a[4] as number }),
  ),
  fn('regexp_replace', ['text', 'text', 'text', 'int4', 'int4', 'text'], T.text, (a) =>
    regexpReplaceN(a, { start: a[3] as number, n: a[4] as number, flags: a[5] as string }),
  ),
  fn('similar_to_escape', ['text'], T.text, (a) => similarToEscape(s0(a), '\\')),
  fn('similar_to_escape', ['text', 'text'], T.text, (a) => similarToEscape(s0(a), a[1] as string)),
  fn('regexp_match', ['text', 'text'], arrayOf(T.text), (a) => firstMatch(s0(a), s1(a), '')),
  fn('regexp_match', ['text', 'text', 'text'], arrayOf(T.text), (a) => firstMatch(s0(a), s1(a), a[2] as string)),
  fn('regexp_split_to_array', ['text', 'text'], arrayOf(T.text), (a) => new SqlArray(regexpSplit(s0(a), s1(a), '', 'regexp_split_to_array'))),
  fn('regexp_split_to_array', ['text', 'text', 'text'], arrayOf(T.text), (a) => new SqlArray(regexpSplit(s0(a), s1(a), a[2] as string, 'regexp_split_to_array'))),
  fn('regexp_like', ['text', 'text'], T.bool, (a) => nthMatch(s0(a), regex(s1(a), '', 'regexp_like'), 1, 1) !== null),
  fn('regexp_like', ['text', 'text', 'text'], T.bool, (a) =>
    nthMatch(s0(a), regex(s1(a), a[2] as string, 'regexp_like'), 1, 1) !== null,
  ),
  fn('regexp_count', ['text', 'text'], T.int4, (a) => regexpCount(s0(a), s1(a), 1, '')),
  fn('regexp_count', ['text', 'text', 'int4'], T.int4, (a) => regexpCount(s0(a), s1(a), a[2] as number, '')),
  fn('regexp_count', ['text', 'text', 'int4', 'text'], T.int4, (a) =>
    regexpCount(s0(a), s1(a), a[2] as number, a[3] as string),
  ),
  fn('regexp_substr', ['text', 'text'], T.text, (a) => regexpSubstr(s0(a), s1(a), 1, 1, '', 0)),
  fn('regexp_substr', ['text', 'text', 'int4'], T.text, (a) => regexpSubstr(s0(a), s1(a), a[2] as number, 1, '', 0)),
  fn('regexp_substr', ['text', 'text', 'int4', 'int4'], T.text, (a) =>
    regexpSubstr(s0(a), s1(a), a[2] as number, a[3] as number, '', 0),
  ),
  fn('regexp_substr', ['text', 'text', 'int4', 'int4', 'text'], T.text, (a) =>
    regexpSubstr(s0(a), s1(a), a[2] as number, a[3] as number, a[4] as string, 0),
  ),
  fn('regexp_substr', ['text', 'text', 'int4', 'int4', 'text', 'int4'], T.text, (a) =>
    regexpSubstr(s0(a), s1(a), a[2] as number, a[3] as number, a[4] as string, a[5] as number),
  ),
  fn('regexp_instr', ['text', 'text'], T.int4, (a) => regexpInstr(s0(a), s1(a), 1, 1, 0, '', 0)),
  fn('regexp_instr', ['text', 'text', 'int4'], T.int4, (a) => regexpInstr(s0(a), s1(a), a[2] as number, 1, 0, '', 0)),
  fn('regexp_instr', ['text', 'text', 'int4', 'int4'], T.int4, (a) =>
    regexpInstr(s0(a), s1(a), a[2] as number, a[3] as number, 0, '', 0),
  ),
  fn('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4'], T.int4, (a) =>
    regexpInstr(s0(a), s1(a), a[2] as number, a[3] as number, a[4] as number, '', 0),
  ),
  fn('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4', 'text'], T.int4, (a) =>
    regexpInstr(s0(a), s1(a), a[2] as number, a[3] as number, a[4] as number, a[5] as string, 0),
  ),
  fn('regexp_instr', ['text', 'text', 'int4', 'int4', 'int4', 'text', 'int4'], T.int4, (a) =>
    regexpInstr(s0(a), s1(a), a[2] as number, a[3] as number, a[4] as number, a[5] as string, a[6] as number),
  ),
];
