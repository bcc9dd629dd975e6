/**
 * CREATE [OR REPLACE] MATERIALIZED VIEW [IF NOT EXISTS] name [(cols)] [WITH (...)] AS query
 *   [EMIT ON WINDOW CLOSE | EMIT CHANGES]   (or the EMIT clause before AS, as RisingWave writes it)
 *
 * queryText is the query exactly as written (without the EMIT clause); the emit mode goes into
 * the query's Select (`emit`).
 *
 *   "create materialized view m as select count(*) from s emit on window close"
 *     -> CreateMaterializedView m, query Select{..., emit: 'window_close'}, queryText 'select count(*) from s'
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { acceptIfNotExists, parseObjectName, parseOptions, parseQueryWithText } from '../ddl/common.js';

type CreateMv = Extract<Statement, { kind: 'CreateMaterializedView' }>;

/** After CREATE [OR REPLACE] MATERIALIZED VIEW. */
export function parseCreateMaterializedView(c: Cursor, pos: number, orReplace: boolean): CreateMv {
  const ifNotExists = acceptIfNotExists(c);
  const name = parseObjectName(c);
  const stmt: CreateMv = {
    kind: 'CreateMaterializedView', name: name.name, ifNotExists, orReplace, query: undefined as never, queryText: '', options: {}, pos,
  };
  if (c.isPunct('(')) stmt.columns = c.parenNameList();
  if (c.isKw('with')) stmt.options = parseOptions(c);
  // RisingWave also writes the clause before AS: CREATE MATERIALIZED VIEW m EMIT ON WINDOW CLOSE AS ...
  const earlyTok = c.tok;
  const early = parseEmit(c);
  c.expectKw('as');
  const { query, queryText } = parseQueryWithText(c);
  stmt.query = query;
  stmt.queryText = queryText;
  let emitTok = c.tok;
  let emit = parseEmit(c);
  if (early !== undefined) {
    if (emit !== undefined) throw new SqlError(SqlState.SyntaxError, 'EMIT given twice', { position: emitTok.start + 1 });
    emit = early;
    emitTok = earlyTok;
  }
  if (emit) {
    if (query.kind !== 'Select') throw featureNotSupported('EMIT on a set operation or VALUES', emitTok.start + 1);
    query.emit = emit;
  }
  // WITH [NO] DATA: PostgreSQL's population clause; a materialized view is always populated
  if (c.isKw('with') && (c.isKw('data', 1) || (c.isKw('no', 1) && c.isKw('data', 2)))) {
    c.next();
    if (c.acceptKw('no')) throw featureNotSupported('WITH NO DATA', emitTok.start + 1);
    c.next();
  }
  return stmt;
}

/** EMIT CHANGES | EMIT ON WINDOW CLOSE */
export function parseEmit(c: Cursor): 'changes' | 'window_close' | undefined {
  if (!c.isKw('emit')) return undefined;
  c.next();
  if (c.acceptKw('changes')) return 'changes';
  c.expectKw('on');
  c.expectKw('window');
  c.expectKw('close');
  return 'window_close';
}
