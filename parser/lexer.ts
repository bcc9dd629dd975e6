/**
 * PostgreSQL-compatible SQL tokenizer (the rules of PostgreSQL 15's scan.l, with
 * standard_conforming_strings on).
 *
 *   "select a+1 from T"  ->  ident(select) ident(a) op(+) integer(1) ident(from) ident(t) eof
 *
 * Unquoted words come out as `ident` tokens with the ASCII-lower-cased word in `value`
 * (keywords are recognised by the grammar, not here); "quoted" words as `qident` with the
 * text as written. Strings of every flavour ('..', E'..', U&'..', $tag$..$tag$) come out as
 * `string` with the unescaped text. Offsets are 0-based code-unit offsets into the text.
 */
import { SqlError, syntaxError } from '../runtime/sql/errors.js';
import { SqlState } from '../runtime/sql/sqlstate.js';

export type TokenKind =
  | 'ident'
  | 'qident'
  | 'string'
  | 'bitstring'
  | 'integer'
  | 'decimal'
  | 'param'
  | 'op'
  | 'punct'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** ident: lower-cased word; qident/string: unescaped text; integer/decimal: digits as written;
   *  param: the digits after '$'; op: the operator ('!=' already turned into '<>'); punct: ( ) [ ] , ; . : :: */
  value: string;
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset just past the last character. */
  end: number;
}

const CH_NL = 10;
const CH_CR = 13;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [A-Za-z_] or any non-ASCII character (PostgreSQL's ident_start with \200-\377). */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

/** ident_start, digits and '$'. */
export function isIdentCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 36;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === CH_NL || c === CH_CR || c === 12;
}

const OP_CHARS = '~!@#^&|`?+-*/%<>=';
function isOpChar(c: number): boolean {
  return c < 128 && OP_CHARS.includes(String.fromCharCode(c));
}

/** Lower-cases ASCII letters only, as PostgreSQL's downcase_identifier does for UTF-8. */
export function foldIdentifier(word: string): string {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 65 && c <= 90) return word.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return word;
}

/** Skips whitespace and comments from `i`; returns the next offset (or an unterminated-comment error). */
export function skipSpaceAndComments(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && text.charCodeAt(i) !== CH_NL && text.charCodeAt(i) !== CH_CR) i++;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(text, i);
    } else {
      break;
    }
  }
  return i;
}

/** `i` points at '/*'; returns the offset after the matching (nested) close. */
function skipBlockComment(text: string, i: number): number {
  const start = i;
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && text.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw lexError('unterminated /* comment', text, start, n);
}

function lexError(what: string, text: string, start: number, end: number): SqlError {
  return syntaxError(`${what} at or near "${text.slice(start, end)}"`, start + 1);
}

/**
 * After a closing quote: SQL's string continuation. Two string literals separated only by
 * whitespace that contains at least one newline (and -- comments) are one literal.
 * Returns the offset of the continuing quote, or -1.
 */
function continuationQuote(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12) {
      i++;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && text.charCodeAt(i) !== CH_NL && text.charCodeAt(i) !== CH_CR) i++;
    } else {
      break;
    }
  }
  if (i >= n) return -1;
  let c = text.charCodeAt(i);
  if (c !== CH_NL && c !== CH_CR) return -1;
  while (i < n) {
    c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 && text.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && text.charCodeAt(i) !== CH_NL && text.charCodeAt(i) !== CH_CR) i++;
    } else {
      break;
    }
  }
  return i < n && text.charCodeAt(i) === 39 ? i : -1;
}

/** Scans a '...' body starting after the opening quote ('' is a quote). Returns [value, end]. */
export function scanPlainQuoted(text: string, bodyStart: number, tokStart: number): [string, number] {
  let value = '';
  let i = bodyStart;
  const n = text.length;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0) throw lexError('unterminated quoted string', text, tokStart, n);
    value += text.slice(i, close);
    if (text.charCodeAt(close + 1) === 39) {
      value += "'";
      i = close + 2;
      continue;
    }
    const cont = continuationQuote(text, close + 1);
    if (cont < 0) return [value, close + 1];
    i = cont + 1;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Scans an E'...' body (backslash escapes). Returns [value, end]. */
export function scanEscapeString(text: string, bodyStart: number, tokStart: number): [string, number] {
  let value = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length === 0) return;
    try {
      value += utf8.decode(new Uint8Array(bytes));
    } catch {
      // PostgreSQL answers 22021 (character_not_in_repertoire); the nearest code we carry
      throw new SqlError(SqlState.DataException, 'invalid byte sequence for encoding "UTF8"', { position: tokStart + 1 });
    }
    bytes = [];
  };
  let i = bodyStart;
  const n = text.length;
  for (;;) {
    if (i >= n) throw lexError('unterminated quoted string', text, tokStart, n);
    const c = text.charCodeAt(i);
    if (c === 39) {
      if (text.charCodeAt(i + 1) === 39) {
        flushBytes();
        value += "'";
        i += 2;
        continue;
      }
      const cont = continuationQuote(text, i + 1);
      if (cont < 0) {
        flushBytes();
        return [value, i + 1];
      }
      i = cont + 1;
      continue;
    }
    if (c !== 92) {
      flushBytes();
      value += text[i];
      i++;
      continue;
    }
    // backslash escape
    const e = text[i + 1];
    if (e === undefined) throw lexError('unterminated quoted string', text, tokStart, n);
    if (e >= '0' && e <= '7') {
      let j = i + 1;
      let v = 0;
      while (j < i + 4 && j < n && text[j] >= '0' && text[j] <= '7') v = v * 8 + (text.charCodeAt(j++) - 48);
      bytes.push(v & 0xff);
      i = j;
      continue;
    }
    if (e === 'x' && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
      let j = i + 2;
      let hex = '';
      while (j < i + 4 && j < n && /[0-9A-Fa-f]/.test(text[j])) hex += text[j++];
      bytes.push(parseInt(hex, 16));
      i = j;
      continue;
    }
    if ((e === 'u' || e === 'U') && /[0-9A-Fa-f]/.test(text[i + 2] ?? '')) {
      const len = e === 'u' ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid Unicode escape', {
          position: i + 1,
          hint: 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.',
        });
      }
      flushBytes();
      value += codePointOrError(parseInt(hex, 16), i + 1);
      i += 2 + len;
      continue;
    }
    flushBytes();
    switch (e) {
      case 'b': value += '\b'; break;
      case 'f': value += '\f'; break;
      case 'n': value += '\n'; break;
      case 'r': value += '\r'; break;
      case 't': value += '\t'; break;
      default: value += e;
    }
    i += 2;
  }
}

function codePointOrError(cp: number, pos: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    throw syntaxError('invalid Unicode escape value', pos);
  }
  return String.fromCodePoint(cp);
}

/** Decodes U&'..' / U&".." escapes (\XXXX, \+XXXXXX, escape char doubled). */
function decodeUnicodeEscapes(raw: string, esc: string, bodyStart: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== esc) {
      out += ch;
      continue;
    }
    if (raw[i + 1] === esc) {
      out += esc;
      i++;
      continue;
    }
    let hex: string;
    const pos = bodyStart + i + 1;
    if (raw[i + 1] === '+') {
      hex = raw.slice(i + 2, i + 8);
      if (!/^[0-9A-Fa-f]{6}$/.test(hex)) throw syntaxError('invalid Unicode escape', pos);
      i += 7;
    } else {
      hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw syntaxError('invalid Unicode escape', pos);
      i += 4;
    }
    let cp = parseInt(hex, 16);
    // surrogate pairs written as two escapes
    if (cp >= 0xd800 && cp <= 0xdbff && raw[i + 1] === esc) {
      const lo = parseInt(raw.slice(i + 2, i + 6), 16);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i += 5;
      }
    }
    out += codePointOrError(cp, pos);
  }
  return out;
}

/** After a U& literal: optional UESCAPE 'c'. Returns [escapeChar, endOffset]. */
function scanUescape(text: string, i: number): [string, number] {
  const j = skipSpaceAndComments(text, i);
  if (text.slice(j, j + 7).toLowerCase() === 'uescape' && !isIdentCont(text.charCodeAt(j + 7))) {
    const k = skipSpaceAndComments(text, j + 7);
    if (text.charCodeAt(k) === 39 && text.charCodeAt(k + 2) === 39) {
      const esc = text[k + 1];
      if (/[0-9A-Fa-f+'"\s]/.test(esc)) throw syntaxError('invalid Unicode escape character', k + 1);
      return [esc, k + 3];
    }
    throw syntaxError('UESCAPE must be followed by a simple string literal', k + 1);
  }
  return ['\\', i];
}

/** Dollar-quote tag at `i` ('$' ... '$'), or null when `i` does not start one. */
function dollarTag(text: string, i: number): string | null {
  const n = text.length;
  let j = i + 1;
  if (j < n && text.charCodeAt(j) === 36) return '$$';
  if (j >= n || !isIdentStart(text.charCodeAt(j))) return null;
  j++;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 36) return text.slice(i, j + 1);
    if (!isIdentStart(c) && !isDigit(c)) return null;
    j++;
  }
  return null;
}

/** Tokenizes a whole statement text; the last token is `eof` at text.length. Throws SqlError 42601. */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  const push = (kind: TokenKind, value: string, start: number, end: number): void => {
    tokens.push({ kind, value, start, end });
  };
  for (;;) {
    i = skipSpaceAndComments(text, i);
    if (i >= n) break;
    const start = i;
    const c = text.charCodeAt(i);

    // identifiers, keywords and prefixed strings
    if (isIdentStart(c)) {
      const next = text.charCodeAt(i + 1);
      if ((c === 69 || c === 101) && next === 39) {
        const [v, end] = scanEscapeString(text, i + 2, start);
        push('string', v, start, end);
        i = end;
        continue;
      }
      if ((c === 66 || c === 98 || c === 88 || c === 120) && next === 39) {
        const close = text.indexOf("'", i + 2);
        if (close < 0) {
          throw lexError(c === 66 || c === 98 ? 'unterminated bit string literal' : 'unterminated hexadecimal string literal', text, start, n);
        }
        push('bitstring', text.slice(start, close + 1), start, close + 1);
        i = close + 1;
        continue;
      }
      if ((c === 78 || c === 110) && next === 39) {
        // N'...' national character: a plain string
        const [v, end] = scanPlainQuoted(text, i + 2, start);
        push('string', v, start, end);
        i = end;
        continue;
      }
      if ((c === 85 || c === 117) && next === 38 && (text.charCodeAt(i + 2) === 39 || text.charCodeAt(i + 2) === 34)) {
        const quote = text.charCodeAt(i + 2);
        if (quote === 39) {
          const [raw, end] = scanPlainQuoted(text, i + 3, start);
          const [esc, after] = scanUescape(text, end);
          push('string', decodeUnicodeEscapes(raw, esc, i + 3), start, after);
          i = after;
        } else {
          const [raw, end] = scanQuotedIdent(text, i + 3, start);
          const [esc, after] = scanUescape(text, end);
          push('qident', decodeUnicodeEscapes(raw, esc, i + 3), start, after);
          i = after;
        }
        continue;
      }
      let j = i + 1;
      while (j < n && isIdentCont(text.charCodeAt(j))) j++;
      push('ident', foldIdentifier(text.slice(i, j)), start, j);
      i = j;
      continue;
    }

    // numbers
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i = scanNumber(text, i, push);
      continue;
    }

    switch (c) {
      case 39: {
        // '...'
        const [v, end] = scanPlainQuoted(text, i + 1, start);
        push('string', v, start, end);
        i = end;
        continue;
      }
      case 34: {
        const [v, end] = scanQuotedIdent(text, i + 1, start);
        push('qident', v, start, end);
        i = end;
        continue;
      }
      case 36: {
        // $n parameter or $tag$ dollar quote
        if (isDigit(text.charCodeAt(i + 1))) {
          let j = i + 1;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
          if (j < n && isIdentCont(text.charCodeAt(j))) {
            let k = j;
            while (k < n && isIdentCont(text.charCodeAt(k))) k++;
            throw lexError('trailing junk after parameter', text, start, k);
          }
          push('param', text.slice(i + 1, j), start, j);
          i = j;
          continue;
        }
        const tag = dollarTag(text, i);
        if (tag !== null) {
          const bodyStart = i + tag.length;
          const close = text.indexOf(tag, bodyStart);
          if (close < 0) throw lexError('unterminated dollar-quoted string', text, start, n);
          push('string', text.slice(bodyStart, close), start, close + tag.length);
          i = close + tag.length;
          continue;
        }
        throw lexError('syntax error', text, start, start + 1);
      }
      case 40: case 41: case 91: case 93: case 44: case 59:
        push('punct', text[i], start, i + 1);
        i++;
        continue;
      case 58: // : :: :=
        if (text.charCodeAt(i + 1) === 58) {
          push('punct', '::', start, i + 2);
          i += 2;
        } else if (text.charCodeAt(i + 1) === 61) {
          push('op', ':=', start, i + 2);
          i += 2;
        } else {
          push('punct', ':', start, i + 1);
          i++;
        }
        continue;
      case 46: // . or ..
        if (text.charCodeAt(i + 1) === 46) {
          push('punct', '..', start, i + 2);
          i += 2;
        } else {
          push('punct', '.', start, i + 1);
          i++;
        }
        continue;
      default:
        break;
    }

    if (isOpChar(c)) {
      let j = i;
      while (j < n && isOpChar(text.charCodeAt(j))) j++;
      let op = text.slice(i, j);
      // an operator never contains the start of a comment
      const cut = [op.indexOf('/*'), op.indexOf('--')].filter((x) => x >= 0);
      if (cut.length > 0) op = op.slice(0, Math.min(...cut));
      // a multi-char operator cannot end in + or - unless it contains one of ~!@#^&|`?%
      if (op.length > 1 && (op.endsWith('+') || op.endsWith('-')) && !/[~!@#^&|`?%]/.test(op)) {
        while (op.length > 1 && (op.endsWith('+') || op.endsWith('-'))) op = op.slice(0, -1);
      }
      push('op', op === '!=' ? '<>' : op, start, i + op.length);
      i += op.length;
      continue;
    }

    throw lexError('syntax error', text, start, start + 1);
  }
  tokens.push({ kind: 'eof', value: '', start: n, end: n });
  return tokens;
}

function scanQuotedIdent(text: string, bodyStart: number, tokStart: number): [string, number] {
  let value = '';
  let i = bodyStart;
  const n = text.length;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) throw lexError('unterminated quoted identifier', text, tokStart, n);
    value += text.slice(i, close);
    if (text.charCodeAt(close + 1) === 34) {
      value += '"';
      i = close + 2;
      continue;
    }
    if (value.length === 0) throw lexError('zero-length delimited identifier', text, tokStart, close + 1);
    return [value, close + 1];
  }
}

function scanNumber(
  text: string,
  i: number,
  push: (kind: TokenKind, value: string, start: number, end: number) => void,
): number {
  const n = text.length;
  const start = i;
  let kind: TokenKind = 'integer';
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46) {
    if (text.charCodeAt(i + 1) === 46 && i > start) {
      // "1..2": an integer followed by '..'
      push('integer', text.slice(start, i), start, i);
      return i;
    }
    kind = 'decimal';
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 69 || e === 101) {
    let j = i + 1;
    const s = text.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    if (isDigit(text.charCodeAt(j))) {
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      kind = 'decimal';
      i = j;
    } else {
      throw lexError('trailing junk after numeric literal', text, start, j);
    }
  }
  if (i < n && isIdentStart(text.charCodeAt(i))) {
    let j = i;
    while (j < n && isIdentCont(text.charCodeAt(j))) j++;
    throw lexError('trailing junk after numeric literal', text, start, j);
  }
  push(kind, text.slice(start, i), start, i);
  return i;
}
