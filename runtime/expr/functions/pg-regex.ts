/**
 * PostgreSQL advanced regular expressions (ARE) translated to JavaScript RegExp (with the `u`
 * flag), for the common subset: POSIX bracket classes, \m \M \y \Y \A \Z, ARE escapes, embedded
 * options, the `***=` / `***:` directors and the flags of regexp_replace & co.
 *
 *   compilePgRegex('\\mw', '')        -> /(?<![\p{L}\p{Nd}_])(?=[\p{L}\p{Nd}_])w/su
 *   compilePgRegex('a.b', 'n')        -> /a[^\n]b/u
 *
 * Known difference: PostgreSQL picks the longest match among alternatives when no quantifier is
 * non-greedy (regexp_replace('abcd', 'a|ab', 'X') = 'Xcd'); JavaScript picks the first ('Xbcd').
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';

export interface RegexFlags {
  global: boolean;
  caseInsensitive: boolean;
  /** '.' and negated brackets do not match a newline (flags n, m, p). */
  dotExcludesNewline: boolean;
  /** ^ and $ match at line boundaries (flags n, m, w). */
  lineAnchors: boolean;
  expanded: boolean;
  literal: boolean;
}

/** Parses a flags string; 'g' is accepted only when allowGlobal (else the caller's error). */
export function parseRegexFlags(flags: string, fnName?: string): RegexFlags {
  const f: RegexFlags = {
    global: false,
    caseInsensitive: false,
    dotExcludesNewline: false,
    lineAnchors: false,
    expanded: false,
    literal: false,
  };
  for (const ch of flags) {
    switch (ch) {
      case 'g':
        if (fnName !== undefined) {
          throw new SqlError(SqlState.InvalidParameterValue, `${fnName}() does not support the "global" option`);
        }
        f.global = true;
        break;
      case 'i': f.caseInsensitive = true; break;
      case 'c': f.caseInsensitive = false; break;
      case 'n': case 'm': f.dotExcludesNewline = true; f.lineAnchors = true; break;
      case 's': f.dotExcludesNewline = false; f.lineAnchors = false; break;
      case 'p': f.dotExcludesNewline = true; f.lineAnchors = false; break;
      case 'w': f.dotExcludesNewline = false; f.lineAnchors = true; break;
      case 'x': f.expanded = true; break;
      case 't': f.expanded = false; break;
      case 'q': f.literal = true; break;
      case 'e': break;
      default:
        throw new SqlError(SqlState.InvalidParameterValue, `invalid regular expression option: "${ch}"`);
    }
  }
  return f;
}

function invalidRegex(message: string): SqlError {
  return new SqlError(SqlState.InvalidRegularExpression, `invalid regular expression: ${message}`);
}

const WORD = '\\p{L}\\p{Nd}_';

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: '\\p{L}',
  digit: '0-9',
  alnum: '\\p{L}\\p{Nd}',
  upper: '\\p{Lu}',
  lower: '\\p{Ll}',
  space: '\\s',
  blank: ' \\t',
  punct: '\\p{P}\\p{S}',
  cntrl: '\\p{Cc}',
  xdigit: '0-9A-Fa-f',
  print: '\\P{C}',
  graph: '\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}',
  word: WORD,
};

const SYNTAX_CHARS = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

/** A literal character as JS regex source (escaped when special). */
function lit(ch: string): string {
  if (SYNTAX_CHARS.has(ch) || ch === '-') return ch === '-' ? '-' : '\\' + ch;
  if (ch === '\n') return '\\n';
  return ch;
}

/** A literal character inside a JS character class. */
function litInClass(ch: string): string {
  if (ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-') return '\\' + ch;
  if (ch === '\n') return '\\n';
  return ch;
}

function codePointEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

class Translator {
  private readonly cps: string[];
  private i = 0;
  private groups = 0;

  constructor(
    pattern: string,
    private readonly f: RegexFlags,
  ) {
    this.cps = Array.from(pattern);
  }

  private peek(k = 0): string | undefined {
    return this.cps[this.i + k];
  }

  translate(): { source: string; groups: number } {
    let out = '';
    while (this.i < this.cps.length) out += this.atom();
    return { source: out, groups: this.groups };
  }

  private skipExpanded(): boolean {
    if (!this.f.expanded) return false;
    const ch = this.peek();
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      this.i++;
      return true;
    }
    if (ch === '#') {
      while (this.i < this.cps.length && this.cps[this.i] !== '\n') this.i++;
      return true;
    }
    return false;
  }

  private atom(): string {
    if (this.skipExpanded()) return '';
    const ch = this.cps[this.i++];
    switch (ch) {
      case '.':
        return this.f.dotExcludesNewline ? '[^\\n]' : '[^]';
      case '^':
        return this.f.lineAnchors ? '(?<![^\\n])' : '^';
      case '$':
        return this.f.lineAnchors ? '(?![^\\n])' : '$';
      case '[':
        return this.bracket();
      case '\\':
        return this.escape(false);
      case '(': {
        if (this.peek() === '?') {
          const next = this.peek(1);
          if (next === '#') {
            while (this.i < this.cps.length && this.cps[this.i] !== ')') this.i++;
            if (this.i >= this.cps.length) throw invalidRegex('parentheses () not balanced');
            this.i++;
            return '';
          }
          if (next === ':' || next === '=' || next === '!') {
            this.i += 2;
            return '(?' + next;
          }
          if (next === '<' && (this.peek(2) === '=' || this.peek(2) === '!')) {
            this.i += 3;
            return '(?<' + this.cps[this.i - 1];
          }
          throw invalidRegex('quantifier operand invalid');
        }
        this.groups++;
        return '(';
      }
      case '{': {
        // A bound {m}, {m,}, {m,n}; anything else is a literal brace in PostgreSQL.
        const rest = this.cps.slice(this.i, this.i + 24).join('');
        const m = /^(\d+)(,(\d*))?\}/.exec(rest);
        if (m) {
          this.i += m[0].length;
          if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) {
            throw invalidRegex('invalid repetition count(s)');
          }
          if (Number(m[1]) > 255 || (m[3] !== undefined && m[3] !== '' && Number(m[3]) > 255)) {
            throw invalidRegex('invalid repetition count(s)');
          }
          return '{' + m[0];
        }
        return '\\{';
      }
      case '}':
        return '\\}';
      case ']':
        return '\\]';
      case '/':
        return '\\/';
      case '-':
        return '-';
      default:
        return ch === '\n' ? '\\n' : ch;
    }
  }

  /** An escape; `inClass` when inside a bracket expression. */
  private escape(inClass: boolean): string {
    const ch = this.cps[this.i++];
    if (ch === undefined) throw invalidRegex('invalid escape \\ sequence');
    const L = inClass ? litInClass : lit;
    switch (ch) {
      case 'd': return inClass ? '0-9' : '[0-9]';
      case 'D': return inClass ? raise(invalidRegex('invalid escape \\ sequence')) : '[^0-9]';
      case 's': return '\\s';
      case 'S': return inClass ? raise(invalidRegex('invalid escape \\ sequence')) : '\\S';
      case 'w': return inClass ? WORD : `[${WORD}]`;
      case 'W': return inClass ? raise(invalidRegex('invalid escape \\ sequence')) : `[^${WORD}]`;
      case 'n': return '\\n';
      case 't': return '\\t';
      case 'r': return '\\r';
      case 'f': return '\\f';
      case 'v': return '\\v';
      case 'a': return '\\x07';
      case 'e': return '\\x1b';
      case 'b': return '\\x08';
      case 'B': return '\\\\';
      case '0': return '\\0';
      case 'c': {
        const c = this.cps[this.i++];
        if (c === undefined) throw invalidRegex('invalid escape \\ sequence');
        return codePointEscape(c.codePointAt(0)! & 31);
      }
      case 'x': {
        let hex = '';
        while (/[0-9a-fA-F]/.test(this.peek() ?? '') && hex.length < 8) hex += this.cps[this.i++];
        if (hex === '') throw invalidRegex('invalid escape \\ sequence');
        return codePointEscape(parseInt(hex, 16));
      }
      case 'u':
      case 'U': {
        const n = ch === 'u' ? 4 : 8;
        const hex = this.cps.slice(this.i, this.i + n).join('');
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw invalidRegex('invalid escape \\ sequence');
        this.i += n;
        return codePointEscape(parseInt(hex, 16));
      }
      default:
        break;
    }
    if (!inClass) {
      switch (ch) {
        case 'm': return `(?<![${WORD}])(?=[${WORD}])`;
        case 'M': return `(?<=[${WORD}])(?![${WORD}])`;
        case 'y': return `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
        case 'Y': return `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;
        case 'A': return '(?<![^])';
        case 'Z': return '(?![^])';
        default: break;
      }
      if (ch >= '1' && ch <= '9') {
        let num = ch;
        while (/[0-9]/.test(this.peek() ?? '') && Number(num + this.peek()) <= this.groups) num += this.cps[this.i++];
        if (Number(num) > this.groups) throw invalidRegex('invalid backreference number');
        return '\\' + num;
      }
    }
    if (/[A-Za-z0-9]/.test(ch)) throw invalidRegex('invalid escape \\ sequence');
    return L(ch);
  }

  private bracket(): string {
    let out = '[';
    if (this.peek() === '^') {
      this.i++;
      out += '^';
      if (this.f.dotExcludesNewline) out += '\\n';
    }
    let first = true;
    for (;;) {
      const ch = this.cps[this.i];
      if (ch === undefined) throw invalidRegex('brackets [] not balanced');
      if (ch === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (ch === '[' && (this.peek(1) === ':' || this.peek(1) === '.' || this.peek(1) === '=')) {
        const kind = this.peek(1)!;
        const close = this.cps.indexOf(kind, this.i + 2);
        if (close < 0 || this.cps[close + 1] !== ']') throw invalidRegex('brackets [] not balanced');
        const name = this.cps.slice(this.i + 2, close).join('');
        this.i = close + 2;
        if (kind === ':') {
          const cls = POSIX_CLASSES[name];
          if (cls === undefined) throw invalidRegex('invalid character class');
          out += cls;
        } else {
          // Collating element / equivalence class: single characters only.
          if (Array.from(name).length !== 1) throw invalidRegex('invalid collating element');
          out += litInClass(name);
        }
        continue;
      }
      this.i++;
      if (ch === '\\') {
        out += this.escape(true);
        continue;
      }
      if (ch === '-') {
        // A '-' that is first/last is literal; otherwise it forms a range with its neighbours.
        const prevIsStart = out.endsWith('[') || out.endsWith('[^') || out.endsWith('[^\\n');
        out += prevIsStart || this.peek() === ']' ? '\\-' : '-';
        continue;
      }
      out += litInClass(ch);
    }
    return out + ']';
  }
}

function raise(e: Error): never {
  throw e;
}

export interface PgRegex {
  /** Stateless use (test, exec from the start): no `g` flag. */
  readonly regex: RegExp;
  /** For scanning with lastIndex (`g` flag); shared, so always set lastIndex before use. */
  readonly scanner: RegExp;
  /** Number of capturing groups. */
  readonly groups: number;
  readonly flags: RegexFlags;
}

const cache = new Map<string, PgRegex>();
const CACHE_LIMIT = 256;

/** Compiles (and caches) a PostgreSQL ARE with a flags string already validated by parseRegexFlags. */
export function compilePgRegex(pattern: string, flags: RegexFlags): PgRegex {
  const key = `${+flags.caseInsensitive}${+flags.dotExcludesNewline}${+flags.lineAnchors}${+flags.expanded}${+flags.literal}:${pattern}`;
  const hit = cache.get(key);
  if (hit) return { ...hit, flags };
  let f = { ...flags };
  let src = pattern;
  // Directors and leading embedded options.
  if (src.startsWith('***=')) {
    src = src.slice(4);
    f.literal = true;
  } else if (src.startsWith('***:')) {
    src = src.slice(4);
  }
  if (!f.literal) {
    const m = /^\(\?([a-z]*)\)/.exec(src);
    if (m) {
      src = src.slice(m[0].length);
      f = { ...parseRegexFlags(m[1].replace(/g/g, '')), global: f.global };
    }
  }
  let source: string;
  let groups = 0;
  if (f.literal) {
    source = Array.from(src).map(lit).join('');
  } else {
    const t = new Translator(src, f).translate();
    source = t.source;
    groups = t.groups;
  }
  let regex: RegExp;
  let scanner: RegExp;
  try {
    regex = new RegExp(source, 'u' + (f.caseInsensitive ? 'i' : ''));
    scanner = new RegExp(source, regex.flags + 'g');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw invalidRegex(/group|parenthes/i.test(msg) ? 'parentheses () not balanced' : 'quantifier operand invalid');
  }
  const compiled: PgRegex = { regex, scanner, groups, flags: f };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return { ...compiled, flags };
}

/** Iterates over matches from a UTF-16 offset; empty matches advance by one character. */
export function* matchesFrom(re: PgRegex, s: string, from: number): Generator<RegExpExecArray> {
  const r = re.scanner;
  r.lastIndex = from;
  for (;;) {
    const m = r.exec(s);
    if (m === null) return;
    yield m;
    if (m[0].length === 0) {
      if (r.lastIndex >= s.length) return;
      const cp = s.codePointAt(r.lastIndex)!;
      r.lastIndex += cp > 0xffff ? 2 : 1;
    }
  }
}

/** Expands a regexp_replace replacement: \1..\9 groups, \& the match, \\ a backslash. */
export function expandReplacement(repl: string, m: RegExpExecArray): string {
  if (!repl.includes('\\')) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const ch = repl[i];
    if (ch !== '\\' || i + 1 >= repl.length) {
      out += ch;
      continue;
    }
    const next = repl[i + 1];
    if (next >= '1' && next <= '9') {
      out += m[Number(next)] ?? '';
      i++;
    } else if (next === '&') {
      out += m[0];
      i++;
    } else if (next === '\\') {
      out += '\\';
      i++;
    } else {
      out += '\\';
    }
  }
  return out;
}
