/**
 * DELETE FROM [ONLY] t [[AS] a] [WHERE ...] [RETURNING ...]
 *
 *   "delete from t where k = 1 returning *" -> Delete t, where k = 1, returning [*]
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { parseTargetList } from '../query/select.js';
import { parseDmlAlias, parseDmlTarget } from './target.js';

type Delete = Extract<Statement, { kind: 'Delete' }>;

/** After DELETE. */
export function parseDelete(c: Cursor, pos: number): Delete {
  c.expectKw('from');
  c.acceptKw('only');
  const target = parseDmlTarget(c);
  c.acceptOp('*');
  const stmt: Delete = { kind: 'Delete', table: target.name, pos };
  const alias = parseDmlAlias(c, []);
  if (alias !== undefined) stmt.alias = alias;
  if (c.isKw('using')) throw featureNotSupported('DELETE ... USING', c.pos());
  if (c.acceptKw('where')) {
    if (c.isKws('current', 'of')) throw featureNotSupported('WHERE CURRENT OF', c.pos());
    stmt.where = parseExpr(c);
  }
  if (c.acceptKw('returning')) stmt.returning = parseTargetList(c);
  return stmt;
}
