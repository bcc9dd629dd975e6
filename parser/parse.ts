/**
 * The parser's public API: SQL text -> ast.ts.
 *
 *   splitStatements("select 1; select 2")  -> [{ text: 'select 1;', offset: 0 }, { text: 'select 2', offset: 10 }]
 *   parseStatement("select a from t")      -> { kind: 'Query', query: Select{...} }
 *   parseExpression("now() - interval '1 hour'") -> Binary('-', now(), TypedLiteral interval)
 *
 * Errors are SqlError 42601 with PostgreSQL's messages and 1-based positions within the text
 * given (`syntax error at or near "x"` / `syntax error at end of input`), or 0A000 for
 * PostgreSQL syntax Eddy does not support.
 *
 * Parsed statements are cached by exact text (LRU); callers must treat ASTs as immutable.
 * `INSERT ... VALUES` of plain literals takes a dedicated scanner and is never cached.
 */
import { SqlError } from '../runtime/sql/errors.js';
import { SqlState } from '../runtime/sql/sqlstate.js';
import type { Expr, Statement } from './ast.js';
import { Cursor } from './cursor.js';
import { tryFastInsert } from './fast-insert.js';
import { LruCache } from './lru.js';
import { parseExpr } from './query/expr.js';
import { parseStatementAt } from './statement.js';

export type { SplitStatement } from './ast.js';
export { splitStatements } from './split.js';

const CACHE_ENTRIES = 500;
/** Longer texts are not cached: a few huge statements would pin a lot of memory. */
const CACHE_MAX_TEXT = 16 * 1024;

const cache = new LruCache<string, Statement>(CACHE_ENTRIES);

/**
 * Parses one statement. A trailing ';' is allowed; a second statement is an error, as in
 * PostgreSQL's extended protocol. Text holding only whitespace and comments gives
 * `{ kind: 'NoOp', tag: '' }` (the server answers EmptyQueryResponse).
 */
export function parseStatement(text: string): Statement {
  if (startsWithInsert(text)) {
    const fast = tryFastInsert(text);
    if (fast) return fast;
  }
  const cacheable = text.length <= CACHE_MAX_TEXT;
  if (cacheable) {
    const hit = cache.get(text);
    if (hit) return hit;
  }
  const stmt = parseUncached(text);
  if (cacheable) cache.set(text, stmt);
  return stmt;
}

/** Parses without the cache and without the INSERT fast path (tests compare the two paths). */
export function parseUncached(text: string): Statement {
  const c = new Cursor(text);
  while (c.acceptPunct(';')) {
    /* leading empty statements */
  }
  if (c.isEof()) return { kind: 'NoOp', tag: '' };
  const stmt = parseStatementAt(c);
  if (c.acceptPunct(';')) {
    while (c.acceptPunct(';')) {
      /* trailing empty statements */
    }
    if (!c.isEof()) throw new SqlError(SqlState.SyntaxError, 'cannot insert multiple commands into a prepared statement');
  } else if (!c.isEof()) {
    c.fail();
  }
  return stmt;
}

/** Parses a standalone scalar expression (e.g. a stored DEFAULT expression). */
export function parseExpression(text: string): Expr {
  const c = new Cursor(text);
  const e = parseExpr(c);
  if (!c.isEof()) c.fail();
  return e;
}

/** Cheap test for the INSERT fast path: the first word is INSERT (any case). */
function startsWithInsert(text: string): boolean {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  return text.length - i > 6 && (text.charCodeAt(i) | 0x20) === 105 && text.slice(i, i + 6).toLowerCase() === 'insert';
}

/** For tests and diagnostics. */
export function clearParseCache(): void {
  cache.clear();
}
