/**
 * A JSON validator that reports errors exactly like PostgreSQL's json lexer/parser
 * ("Expected ":", but found "1".", "Token "tru" is invalid.", ...). JSON.parse does the real
 * parsing; this runs only when it fails (or for \u escapes, which PostgreSQL checks further).
 *
 *   checkJson('{"a" 1}') -> SqlError 22P02 invalid input syntax for type json,
 *                          detail 'Expected ":", but found "1".'
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';

type Tok =
  | { kind: 'punct'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: string }
  | { kind: 'end'; text: string };

class JsonCheckError extends Error {
  constructor(
    readonly detail: string,
    readonly code: SqlState = SqlState.InvalidTextRepresentation,
    readonly msg = 'invalid input syntax for type json',
  ) {
    super(detail);
  }
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

class Lexer {
  pos = 0;
  constructor(readonly s: string) {}

  next(): Tok {
    const s = this.s;
    while (this.pos < s.length && ' \t\n\r'.includes(s[this.pos])) this.pos++;
    if (this.pos >= s.length) return { kind: 'end', text: '' };
    const start = this.pos;
    const c = s[start];
    if ('{}[],:'.includes(c)) {
      this.pos++;
      return { kind: 'punct', text: c };
    }
    if (c === '"') return this.string(start);
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(start);
    // a word: true / false / null or an invalid token
    let p = start;
    while (p < s.length && isAlnum(s.charCodeAt(p))) p++;
    if (p === start) p = start + 1;
    const word = s.slice(start, p);
    this.pos = p;
    if (word === 'true' || word === 'false' || word === 'null') return { kind: 'literal', text: word };
    throw new JsonCheckError(`Token "${word}" is invalid.`);
  }

  private string(start: number): Tok {
    const s = this.s;
    let p = start + 1;
    let pendingHigh = false;
    for (;;) {
      if (p >= s.length) throw new JsonCheckError(`Token "${s.slice(start)}" is invalid.`);
      const ch = s.charCodeAt(p);
      if (ch === 34 /* " */) {
        if (pendingHigh) throw new JsonCheckError('Unicode low surrogate must follow a high surrogate.');
        p++;
        break;
      }
      if (ch < 0x20) {
        throw new JsonCheckError(
          `Character with value 0x${ch.toString(16).padStart(2, '0')} must be escaped.`,
        );
      }
      if (ch === 92 /* \ */) {
        p++;
        if (p >= s.length) throw new JsonCheckError(`Token "${s.slice(start)}" is invalid.`);
        const e = s[p];
        if (e === 'u') {
          const hex = s.slice(p + 1, p + 5);
          if (hex.length < 4 || !Array.from(hex).every(isHex)) {
            throw new JsonCheckError('"\\u" must be followed by four hexadecimal digits.');
          }
          const code = parseInt(hex, 16);
          if (code >= 0xd800 && code <= 0xdbff) {
            if (pendingHigh) throw new JsonCheckError('Unicode high surrogate must not follow a high surrogate.');
            pendingHigh = true;
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            if (!pendingHigh) throw new JsonCheckError('Unicode low surrogate must follow a high surrogate.');
            pendingHigh = false;
          } else {
            if (pendingHigh) throw new JsonCheckError('Unicode low surrogate must follow a high surrogate.');
            if (code === 0) {
              throw new JsonCheckError(
                '\\u0000 cannot be converted to text.',
                SqlState.UntranslatableCharacter,
                'unsupported Unicode escape sequence',
              );
            }
          }
          p += 5;
          continue;
        }
        if (pendingHigh) throw new JsonCheckError('Unicode low surrogate must follow a high surrogate.');
        if (!'"\\/bfnrt'.includes(e)) {
          // the escape sequence as PostgreSQL shows it: backslash plus one character
          const cp = String.fromCodePoint(s.codePointAt(p)!);
          throw new JsonCheckError(`Escape sequence "\\${cp}" is invalid.`);
        }
        p++;
        continue;
      }
      if (pendingHigh) throw new JsonCheckError('Unicode low surrogate must follow a high surrogate.');
      p++;
    }
    this.pos = p;
    return { kind: 'string', text: s.slice(start, p) };
  }

  private number(start: number): Tok {
    const s = this.s;
    let p = start;
    const digit = (i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';
    let ok = true;
    if (s[p] === '-') p++;
    if (s[p] === '0') p++;
    else if (digit(p)) while (digit(p)) p++;
    else ok = false;
    if (ok && s[p] === '.') {
      p++;
      if (!digit(p)) ok = false;
      while (digit(p)) p++;
    }
    if (ok && (s[p] === 'e' || s[p] === 'E')) {
      p++;
      if (s[p] === '+' || s[p] === '-') p++;
      if (!digit(p)) ok = false;
      while (digit(p)) p++;
    }
    // a number glued to word characters is one invalid token
    let q = p;
    while (q < s.length && isAlnum(s.charCodeAt(q))) q++;
    if (!ok || q !== p) throw new JsonCheckError(`Token "${s.slice(start, q)}" is invalid.`);
    this.pos = p;
    return { kind: 'number', text: s.slice(start, p) };
  }
}

function found(t: Tok): string {
  return t.kind === 'end' ? '' : t.text;
}

function expectError(what: string, t: Tok): JsonCheckError {
  if (t.kind === 'end') return new JsonCheckError('The input string ended unexpectedly.');
  return new JsonCheckError(`Expected ${what}, but found "${found(t)}".`);
}

function parseValue(lx: Lexer, t: Tok): void {
  if (t.kind === 'punct') {
    if (t.text === '{') return parseObject(lx);
    if (t.text === '[') return parseArray(lx);
    throw expectError('JSON value', t);
  }
  if (t.kind === 'end') throw expectError('JSON value', t);
}

function parseObject(lx: Lexer): void {
  let t = lx.next();
  if (t.kind === 'punct' && t.text === '}') return;
  for (;;) {
    if (t.kind !== 'string') throw expectError('string or "}"', t);
    t = lx.next();
    if (!(t.kind === 'punct' && t.text === ':')) throw expectError('":"', t);
    parseValue(lx, lx.next());
    t = lx.next();
    if (t.kind === 'punct' && t.text === '}') return;
    if (!(t.kind === 'punct' && t.text === ',')) throw expectError('"," or "}"', t);
    t = lx.next();
    if (t.kind !== 'string') throw expectError('string', t);
  }
}

function parseArray(lx: Lexer): void {
  let t = lx.next();
  if (t.kind === 'punct' && t.text === ']') return;
  for (;;) {
    parseValue(lx, t);
    t = lx.next();
    if (t.kind === 'punct' && t.text === ']') return;
    if (!(t.kind === 'punct' && t.text === ',')) throw expectError('"," or "]"', t);
    t = lx.next();
  }
}

/** Validates JSON text like PostgreSQL; throws its SqlError (22P02 / 22P05) on bad input. */
export function checkJson(text: string): void {
  const lx = new Lexer(text);
  try {
    parseValue(lx, lx.next());
    const t = lx.next();
    if (t.kind !== 'end') throw expectError('end of input', t);
  } catch (e) {
    if (e instanceof JsonCheckError) throw new SqlError(e.code, e.msg, { detail: e.detail });
    throw e;
  }
}
