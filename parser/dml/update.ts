/**
 * UPDATE [ONLY] t [[AS] a] SET c = expr, ... [FROM ...] [WHERE ...] [RETURNING ...]
 *
 *   "update t set v = v + 1 where k = $1" -> Update t, set [v = v + 1], where k = $1
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { parseFromList } from '../query/from.js';
import { parseTargetList } from '../query/select.js';
import { parseAssignments } from './assignments.js';
import { parseDmlAlias, parseDmlTarget } from './target.js';

type Update = Extract<Statement, { kind: 'Update' }>;

/** After UPDATE. */
export function parseUpdate(c: Cursor, pos: number): Update {
  c.acceptKw('only');
  const target = parseDmlTarget(c);
  c.acceptOp('*');
  const stmt: Update = { kind: 'Update', table: target.name, set: [], from: [], pos };
  const alias = parseDmlAlias(c, ['set']);
  if (alias !== undefined) stmt.alias = alias;
  c.expectKw('set');
  stmt.set = parseAssignments(c);
  if (c.acceptKw('from')) stmt.from = parseFromList(c);
  if (c.acceptKw('where')) {
    if (c.isKws('current', 'of')) throw featureNotSupported('WHERE CURRENT OF', c.pos());
    stmt.where = parseExpr(c);
  }
  if (c.acceptKw('returning')) stmt.returning = parseTargetList(c);
  return stmt;
}
