/**
 * SET lists of UPDATE and ON CONFLICT DO UPDATE:
 *   c = expr | c = DEFAULT | (a, b) = (x, y) | (a, b) = ROW(x, y) | (a, b) = (SELECT ...)
 *
 *   "set a = 1, (b, c) = (2, default)" -> [a = 1, b = 2, c = DEFAULT]
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Assignment, Expr } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { parseQuery } from '../query/select.js';

/** An expression or a bare DEFAULT. */
function parseValueOrDefault(c: Cursor): Expr {
  if (c.isKw('default')) return { kind: 'Default', pos: c.pos(c.next()) };
  return parseExpr(c);
}

/** After SET. */
export function parseAssignments(c: Cursor): Assignment[] {
  const out: Assignment[] = [];
  do {
    if (c.isPunct('(')) {
      c.next();
      const targets: { column: string; pos: number }[] = [];
      do {
        const t = c.tok;
        targets.push({ column: c.colId(), pos: t.start + 1 });
      } while (c.acceptPunct(','));
      c.expectPunct(')');
      c.expectOp('=');
      const rhsTok = c.tok;
      c.acceptKw('row');
      if (!c.isPunct('(')) throw new SqlError(SqlState.SyntaxError, 'source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression', { position: rhsTok.start + 1 });
      if (c.isAnyKw(['select', 'values', 'with'], 1)) {
        c.next();
        const query = parseQuery(c);
        c.expectPunct(')');
        targets.forEach((t, index) => out.push({ column: t.column, expr: { kind: 'Default', pos: t.pos }, pos: t.pos, fromQuery: { query, index, count: targets.length, pos: rhsTok.start + 1 } }));
        continue;
      }
      c.next();
      const values: Expr[] = [];
      do values.push(parseValueOrDefault(c));
      while (c.acceptPunct(','));
      c.expectPunct(')');
      if (values.length !== targets.length) {
        throw new SqlError(SqlState.SyntaxError, 'number of columns does not match number of values', { position: rhsTok.start + 1 });
      }
      targets.forEach((t, k) => out.push({ column: t.column, expr: values[k], pos: t.pos }));
      continue;
    }
    const t = c.tok;
    const column = c.colId();
    if (c.isPunct('.') || c.isPunct('[')) throw featureNotSupported('assignment to a field or element', c.pos());
    c.expectOp('=');
    out.push({ column, expr: parseValueOrDefault(c), pos: t.start + 1 });
  } while (c.acceptPunct(','));
  return out;
}
