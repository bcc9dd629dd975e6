/**
 * LIKE / ILIKE and POSIX regular expression matching with PostgreSQL semantics, compiled to JS
 * RegExps and cached by pattern (the pattern is usually a constant, so the cache hits per row).
 *
 *   likeMatch('a_c', 'a\\_c', false)   -> true   ('\' escapes '_')
 *   regexMatch('abc', '^A', true)      -> true   (~*)
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';

const CACHE_LIMIT = 512;
const likeCache = new Map<string, RegExp>();
const regexCache = new Map<string, RegExp>();

function remember(cache: Map<string, RegExp>, key: string, re: RegExp): RegExp {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;

function escapeRegexChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? '\\' + c : c;
}

/** Compiles a LIKE pattern (escape character `escape`, '' for none) to an anchored RegExp. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean, escape = '\\'): RegExp {
  const key = (caseInsensitive ? 'i' : 's') + escape + '\u0000' + pattern;
  const hit = likeCache.get(key);
  if (hit !== undefined) return hit;
  let src = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape !== '' && c === escape) {
      if (i + 1 >= chars.length) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      }
      src += escapeRegexChar(chars[++i]);
    } else if (c === '%') {
      src += '.*';
      while (i + 1 < chars.length && chars[i + 1] === '%') i++;
    } else if (c === '_') {
      src += '.';
    } else {
      src += escapeRegexChar(c);
    }
  }
  src += '$';
  return remember(likeCache, key, new RegExp(src, caseInsensitive ? 'isu' : 'su'));
}

/** s LIKE pattern (ILIKE when caseInsensitive). */
export function likeMatch(s: string, pattern: string, caseInsensitive: boolean, escape = '\\'): boolean {
  // Fast paths for the common shapes of constant patterns.
  if (!caseInsensitive && escape === '\\') {
    const n = pattern.length;
    if (pattern.indexOf('_') < 0 && pattern.indexOf('\\') < 0) {
      const first = pattern.indexOf('%');
      if (first < 0) return s === pattern;
      if (first === n - 1 && pattern.indexOf('%', 0) === first) return s.startsWith(pattern.slice(0, n - 1));
      if (first === 0 && n > 1 && pattern.indexOf('%', 1) === n - 1) return s.includes(pattern.slice(1, n - 1));
      if (first === 0 && pattern.indexOf('%', 1) < 0) return s.endsWith(pattern.slice(1));
    }
  }
  return likeToRegExp(pattern, caseInsensitive, escape).test(s);
}

const CLASS_NAMES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

/** Translates a PostgreSQL ARE into JS RegExp source (the common subset). */
function translateRegex(pattern: string): { source: string; flags: string } {
  let p = pattern;
  let flags = 's';
  if (p.startsWith('***=')) {
    return { source: Array.from(p.slice(4)).map(escapeRegexChar).join(''), flags };
  }
  if (p.startsWith('***:')) p = p.slice(4);
  const m = /^\(\?([a-z]+)\)/.exec(p);
  if (m) {
    if (m[1].includes('i')) flags += 'i';
    p = p.slice(m[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) {
      const d = p[i + 1];
      i++;
      switch (d) {
        case 'm': out += inClass ? 'm' : '\\b(?=\\w)'; continue;
        case 'M': out += inClass ? 'M' : '\\b(?<=\\w)'; continue;
        case 'y': out += inClass ? 'y' : '\\b'; continue;
        case 'Y': out += inClass ? 'Y' : '\\B'; continue;
        case 'A': out += inClass ? 'A' : '^'; continue;
        case 'Z': out += inClass ? 'Z' : '$'; continue;
        default: out += '\\' + d; continue;
      }
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        if (end > 0) {
          const name = p.slice(i + 2, end);
          const cls = CLASS_NAMES[name];
          if (cls === undefined) {
            throw new SqlError(SqlState.InvalidRegularExpression, 'invalid regular expression: invalid character class');
          }
          out += cls;
          i = end + 1;
          continue;
        }
      }
      if (c === ']' ) inClass = false;
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a leading ']' (or '^]') is literal in POSIX brackets
      if (p[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    out += c;
  }
  return { source: out, flags };
}

function regexError(e: unknown): SqlError {
  const msg = e instanceof Error ? e.message : String(e);
  let detail: string;
  if (/Unterminated group|Unmatched '\)'/.test(msg)) detail = 'parentheses () not balanced';
  else if (/Unterminated character class/.test(msg)) detail = 'brackets [] not balanced';
  else if (/Nothing to repeat/.test(msg)) detail = 'quantifier operand invalid';
  else if (/Incomplete quantifier|numbers out of order/.test(msg)) detail = 'invalid repetition count(s)';
  else if (/\\ at end of pattern/.test(msg)) detail = 'invalid escape \\ sequence';
  else detail = msg.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '').toLowerCase();
  return new SqlError(SqlState.InvalidRegularExpression, `invalid regular expression: ${detail}`);
}

/** Compiles a PostgreSQL regular expression (cached). */
export function compileRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? 'i' : 's') + pattern;
  const hit = regexCache.get(key);
  if (hit !== undefined) return hit;
  const { source, flags } = translateRegex(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, caseInsensitive && !flags.includes('i') ? flags + 'i' : flags);
  } catch (e) {
    throw regexError(e);
  }
  return remember(regexCache, key, re);
}

/** s ~ pattern (~* when caseInsensitive). */
export function regexMatch(s: string, pattern: string, caseInsensitive: boolean): boolean {
  return compileRegex(pattern, caseInsensitive).test(s);
}
