/**
 * SQL-level cursors (used by psqlODBC's UseDeclareFetch, Tableau, psycopg2 named cursors):
 *
 *   DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query
 *   FETCH [NEXT | FORWARD [n | ALL] | n | ALL] [FROM | IN] name        MOVE ... likewise
 *   CLOSE name | ALL
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseQuery } from '../query/select.js';

export function parseDeclareCursor(c: Cursor, pos: number): Statement {
  const name = c.colId();
  if (c.acceptKw('binary')) throw featureNotSupported('binary cursors', c.pos());
  c.acceptKw('asensitive') || c.acceptKw('insensitive');
  if (c.acceptKw('no')) c.expectKw('scroll');
  else c.acceptKw('scroll');
  c.expectKw('cursor');
  let hold = false;
  if (c.acceptKw('with')) {
    c.expectKw('hold');
    hold = true;
  } else if (c.acceptKw('without')) {
    c.expectKw('hold');
  }
  c.expectKw('for');
  return { kind: 'DeclareCursor', name, hold, query: parseQuery(c), pos };
}

/** FETCH / MOVE: count is the number of rows forward (Infinity for ALL). */
export function parseFetch(c: Cursor, pos: number, move: boolean): Statement {
  let count = 1;
  if (c.acceptKw('next')) count = 1;
  else if (c.acceptKw('all')) count = Infinity;
  else if (c.acceptKw('forward')) {
    if (c.acceptKw('all')) count = Infinity;
    else if (c.tok.kind === 'integer') count = Number(c.next().value);
  } else if (c.isKw('prior') || c.isKw('first') || c.isKw('last') || c.isKw('absolute') || c.isKw('relative') || c.isKw('backward')) {
    throw featureNotSupported(`FETCH ${c.tok.value.toUpperCase()} (cursors only move forward)`, c.pos());
  } else if (c.tok.kind === 'integer') {
    count = Number(c.next().value);
  }
  if (!c.acceptKw('from')) c.acceptKw('in');
  return { kind: 'Fetch', name: c.colId(), count, move, pos };
}

export function parseClose(c: Cursor, pos: number): Statement {
  if (c.acceptKw('all')) return { kind: 'CloseCursor', name: 'all', pos };
  return { kind: 'CloseCursor', name: c.colId(), pos };
}
