/**
 * INSERT INTO t [AS a] [(cols)] { VALUES ... | query | DEFAULT VALUES }
 *   [ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET c = expr, ... [WHERE ...]] [RETURNING ...]
 *
 * EXCLUDED.col in DO UPDATE is an ordinary ColumnRef with table 'excluded'.
 *
 *   "insert into kv values (1, 'a') on conflict (k) do update set v = excluded.v"
 *     -> Insert kv, source Values [[1, 'a']], onConflict { target: ['k'], action: update [v = excluded.v] }
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { OnConflict, Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { parseQuery, parseTargetList } from '../query/select.js';
import { parseAssignments } from './assignments.js';
import { parseDmlTarget } from './target.js';

type Insert = Extract<Statement, { kind: 'Insert' }>;

/** After INSERT. */
export function parseInsert(c: Cursor, pos: number): Insert {
  c.expectKw('into');
  const target = parseDmlTarget(c);
  const stmt: Insert = { kind: 'Insert', table: target.name, pos };
  if (c.acceptKw('as')) stmt.alias = c.colId();
  if (c.isPunct('(') && !c.isAnyKw(['select', 'values', 'with', 'table'], 1) && !c.isPunct('(', 1)) {
    c.next();
    const columns: string[] = [];
    do {
      columns.push(c.colId());
      if (c.isPunct('.') || c.isPunct('[')) throw featureNotSupported('INSERT into a field or element', c.pos());
    } while (c.acceptPunct(','));
    c.expectPunct(')');
    stmt.columns = columns;
  }
  if (c.isKw('overriding')) throw featureNotSupported('OVERRIDING', c.pos());
  if (!c.acceptKws('default', 'values')) stmt.source = parseQuery(c);
  if (c.isKw('on') && c.isKw('conflict', 1)) stmt.onConflict = parseOnConflict(c);
  if (c.acceptKw('returning')) stmt.returning = parseTargetList(c);
  return stmt;
}

function parseOnConflict(c: Cursor): OnConflict {
  const onTok = c.next();
  c.next(); // conflict
  const target: string[] = [];
  if (c.isKws('on', 'constraint')) throw featureNotSupported('ON CONFLICT ON CONSTRAINT', c.pos());
  if (c.acceptPunct('(')) {
    do {
      if (!c.isColId() || !(c.isPunct(',', 1) || c.isPunct(')', 1))) throw featureNotSupported('ON CONFLICT on an expression', c.pos());
      target.push(c.colId());
    } while (c.acceptPunct(','));
    c.expectPunct(')');
    if (c.isKw('where')) throw featureNotSupported('ON CONFLICT ... WHERE (partial index inference)', c.pos());
  }
  c.expectKw('do');
  if (c.acceptKw('nothing')) return { target, action: { kind: 'nothing' } };
  c.expectKw('update');
  if (target.length === 0) {
    throw new SqlError(SqlState.SyntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      position: onTok.start + 1,
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  c.expectKw('set');
  const set = parseAssignments(c);
  const action: OnConflict['action'] = { kind: 'update', set };
  if (c.acceptKw('where')) action.where = parseExpr(c);
  return { target, action };
}
