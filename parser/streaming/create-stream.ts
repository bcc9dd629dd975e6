/**
 * CREATE STREAM [IF NOT EXISTS] name ( col type [NOT NULL] [DEFAULT expr], ...,
 *   [WATERMARK FOR col AS expr] ) [WITH (k = 'v', ...)]
 * CREATE STREAM [IF NOT EXISTS] name [WITH (...)] AS query
 *
 *   "create stream pv (page text, ts timestamptz, watermark for ts as ts - interval '5 seconds')"
 *     -> CreateStream pv, columns [page, ts], watermark { column: 'ts', expr: ts - '5 seconds' }
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Statement, WatermarkDef } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { acceptIfNotExists, parseColumnDef, parseObjectName, parseOptions, parseCreateAsTail } from '../ddl/common.js';
import { parseExpr } from '../query/expr.js';

type CreateStream = Extract<Statement, { kind: 'CreateStream' }>;

/** After CREATE STREAM. */
export function parseCreateStream(c: Cursor, pos: number): CreateStream {
  const ifNotExists = acceptIfNotExists(c);
  const name = parseObjectName(c);
  const stmt: CreateStream = { kind: 'CreateStream', name: name.name, ifNotExists, columns: [], options: {}, pos };
  if (!c.isPunct('(')) {
    const tail = parseCreateAsTail(c);
    return { ...stmt, options: tail.options, as: tail.query, queryText: tail.queryText };
  }
  c.expectPunct('(');
  if (!c.isPunct(')')) {
    do {
      if (c.isKw('watermark') && c.isKw('for', 1)) {
        const wmTok = c.tok;
        const wm = parseWatermark(c);
        if (stmt.watermark) {
          throw new SqlError(SqlState.InvalidTableDefinition, `multiple watermarks for stream "${name.name}" are not allowed`, { position: wmTok.start + 1 });
        }
        stmt.watermark = wm;
        continue;
      }
      if (c.isAnyKw(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude', 'like'])) {
        throw featureNotSupported('a table constraint on a stream', c.pos());
      }
      stmt.columns.push(parseColumnDef(c, name.name));
    } while (c.acceptPunct(','));
  }
  c.expectPunct(')');
  if (c.isKw('with') && c.isPunct('(', 1)) stmt.options = parseOptions(c);
  return stmt;
}

/** WATERMARK FOR col AS expr */
export function parseWatermark(c: Cursor): WatermarkDef {
  const t = c.next();
  c.expectKw('for');
  const column = c.colId();
  c.expectKw('as');
  const start = c.tok;
  const expr = parseExpr(c);
  return { column, expr, exprSql: c.text.slice(start.start, c.peek(-1).end), pos: t.start + 1 };
}
