/**
 * CREATE [OR REPLACE] [TEMP] VIEW [IF NOT EXISTS] name [(cols)] AS query
 *
 *   "create view v (a) as select 1"  ->  CreateView v, columns ['a'], queryText 'select 1'
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { acceptIfNotExists, parseObjectName, parseQueryWithText } from './common.js';

type CreateView = Extract<Statement, { kind: 'CreateView' }>;

/** After CREATE [OR REPLACE] VIEW. */
export function parseCreateView(c: Cursor, pos: number, orReplace: boolean): CreateView {
  const ifNotExists = acceptIfNotExists(c);
  const name = parseObjectName(c);
  const stmt: CreateView = { kind: 'CreateView', name: name.name, ifNotExists, orReplace, query: undefined as never, queryText: '', pos };
  if (c.isPunct('(')) stmt.columns = c.parenNameList();
  if (c.isKw('with')) throw featureNotSupported('WITH (...) on a view', c.pos());
  c.expectKw('as');
  const { query, queryText } = parseQueryWithText(c);
  stmt.query = query;
  stmt.queryText = queryText;
  if (c.isKw('with')) throw featureNotSupported('WITH CHECK OPTION', c.pos());
  return stmt;
}
