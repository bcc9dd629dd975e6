/**
 * CREATE SINK [IF NOT EXISTS] name FROM object WITH (...)
 * CREATE SINK [IF NOT EXISTS] name AS query WITH (...)
 *
 *   "create sink out from page_minute with (connector = 'mysql')"
 *     -> CreateSink out, from 'page_minute', options { connector: 'mysql' }
 *   "create sink out as select * from s with (...)"  ->  from '' and query set
 */
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { acceptIfNotExists, parseObjectName, parseOptions, parseQueryWithText } from '../ddl/common.js';

type CreateSink = Extract<Statement, { kind: 'CreateSink' }>;

/** After CREATE SINK. */
export function parseCreateSink(c: Cursor, pos: number): CreateSink {
  const ifNotExists = acceptIfNotExists(c);
  const name = parseObjectName(c);
  const stmt: CreateSink = { kind: 'CreateSink', name: name.name, ifNotExists, from: '', options: {}, pos };
  if (c.acceptKw('from')) {
    stmt.from = parseObjectName(c).name;
  } else {
    c.expectKw('as');
    const { query, queryText } = parseQueryWithText(c);
    stmt.query = query;
    stmt.queryText = queryText;
  }
  if (c.isKw('with')) stmt.options = parseOptions(c);
  return stmt;
}
