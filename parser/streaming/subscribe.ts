/**
 * SUBSCRIBE [TO] object [WITH (...)] | SUBSCRIBE [TO] (query) [WITH (...)]
 *
 *   "subscribe to page_minute with (snapshot = true)" -> Subscribe page_minute, options { snapshot: 'true' }
 *   "subscribe (select page from pv where n > 1)"      -> Subscribe '', query set
 */
import type { SubscribeStatement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseObjectName, parseOptions } from '../ddl/common.js';
import { parseQuery } from '../query/select.js';

/** After SUBSCRIBE. */
export function parseSubscribe(c: Cursor, pos: number): SubscribeStatement {
  // `TO` is optional; `subscribe to` where `to` is an object's name needs quoting, as in Materialize.
  c.acceptKw('to');
  const stmt: SubscribeStatement = { kind: 'Subscribe', name: '', options: {}, pos };
  if (c.acceptPunct('(')) {
    stmt.query = parseQuery(c);
    c.expectPunct(')');
  } else {
    stmt.name = parseObjectName(c).name;
  }
  if (c.isKw('with')) stmt.options = parseOptions(c);
  return stmt;
}
