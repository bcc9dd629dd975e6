/**
 * CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] relation [USING method]
 *   ( key [ASC | DESC] [NULLS FIRST | LAST], ... ) [INCLUDE (cols)] [WITH (...)] [WHERE predicate]
 *
 * A key is a column name or a parenthesized expression (kept as text).
 *
 *   "create index i1 on t (v1) include (v2)"  ->  CreateIndex i1 on t, keys ['v1'], include ['v2']
 */
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { acceptIfNotExists, parseObjectName, parseOptions } from './common.js';

type CreateIndex = Extract<Statement, { kind: 'CreateIndex' }>;

/** After CREATE [UNIQUE] INDEX. */
export function parseCreateIndex(c: Cursor, pos: number, unique: boolean): CreateIndex {
  c.acceptKw('concurrently');
  const ifNotExists = acceptIfNotExists(c);
  let name: string | undefined;
  if (!c.isKw('on')) name = parseObjectName(c).name;
  c.expectKw('on');
  c.acceptKw('only');
  const table = parseObjectName(c).name;
  if (c.acceptKw('using')) c.colId();
  c.expectPunct('(');
  const keys: string[] = [];
  do {
    if (c.isPunct('(')) {
      const start = c.tok;
      c.next();
      parseExpr(c);
      c.expectPunct(')');
      keys.push(c.text.slice(start.start, c.peek(-1).end));
    } else {
      const start = c.tok;
      parseExpr(c);
      keys.push(c.text.slice(start.start, c.peek(-1).end));
    }
    if (!c.acceptKw('asc')) c.acceptKw('desc');
    if (c.acceptKw('nulls') && !c.acceptKw('first')) c.expectKw('last');
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  const include = c.acceptKw('include') ? c.parenNameList() : [];
  if (c.isKw('with') && c.isPunct('(', 1)) parseOptions(c);
  let where: string | undefined;
  if (c.acceptKw('where')) {
    const start = c.tok;
    parseExpr(c);
    where = c.text.slice(start.start, c.peek(-1).end);
  }
  return { kind: 'CreateIndex', name, table, unique, keys, include, ifNotExists, ...(where !== undefined ? { where } : {}), pos };
}
