/**
 * Splits a simple-query string into statements on top-level semicolons.
 *
 *   "select 1; select ';' -- x;\n;"  ->  [{ text: 'select 1;', offset: 0 }, { text: "select ';' -- x;\n;", ... }]
 *
 * Each statement's text runs from its first token through its terminating ';' (or to the end of
 * the input), so a syntax error reports the same token and position as PostgreSQL, which parses
 * the whole string at once (`select 1 +; select 2` fails at ";", not at end of input).
 * Statements holding only whitespace and comments are dropped; an input holding nothing else
 * gives []. Unterminated quotes and comments simply run to the end of the input, where the
 * statement's own parse reports them.
 */
import type { SplitStatement } from './ast.js';
import { isIdentCont, isIdentStart } from './lexer.js';

export function splitStatements(sql: string): SplitStatement[] {
  const out: SplitStatement[] = [];
  const n = sql.length;
  let i = 0;
  let start = -1; // offset of the current statement's first token, -1 while none seen
  while (i < n) {
    const c = sql.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      i++;
      continue;
    }
    // -- comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n && sql.charCodeAt(i) !== 10 && sql.charCodeAt(i) !== 13) i++;
      continue;
    }
    // /* nested comment */
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 0;
      while (i < n) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else {
          i++;
        }
      }
      continue;
    }
    if (c === 59) {
      // ';'
      if (start >= 0) out.push({ text: sql.slice(start, i + 1), offset: start });
      start = -1;
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === 39) {
      i = skipQuoted(sql, i + 1, 39, false);
    } else if (c === 34) {
      i = skipQuoted(sql, i + 1, 34, false);
    } else if (c === 36) {
      i = skipDollar(sql, i);
    } else if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentCont(sql.charCodeAt(j))) j++;
      const word = j - i;
      const next = sql.charCodeAt(j);
      if (word === 1 && (c === 69 || c === 101) && next === 39) {
        i = skipQuoted(sql, j + 1, 39, true); // E'...' with backslash escapes
      } else if (word === 1 && (c === 85 || c === 117) && next === 38 && (sql.charCodeAt(j + 1) === 39 || sql.charCodeAt(j + 1) === 34)) {
        i = skipQuoted(sql, j + 2, sql.charCodeAt(j + 1), false); // U&'...' / U&"..."
      } else {
        i = j; // B'..', X'..', N'..' continue as plain strings on the next round
      }
    } else {
      i++;
    }
  }
  if (start >= 0) out.push({ text: sql.slice(start), offset: start });
  return out;
}

/** Skips a quoted body (doubled quote = quote); returns the offset after the close, or the end. */
function skipQuoted(sql: string, i: number, quote: number, backslashes: boolean): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslashes && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** At '$': a $n parameter, a $tag$...$tag$ string, or a lone '$'. */
function skipDollar(sql: string, i: number): number {
  const n = sql.length;
  let j = i + 1;
  if (j < n && sql.charCodeAt(j) !== 36) {
    if (!isIdentStart(sql.charCodeAt(j))) return j; // $1 or a stray '$'
    while (j < n && (isIdentStart(sql.charCodeAt(j)) || (sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57))) j++;
    if (sql.charCodeAt(j) !== 36) return j;
  }
  const tag = sql.slice(i, j + 1);
  const close = sql.indexOf(tag, j + 1);
  return close < 0 ? n : close + tag.length;
}
