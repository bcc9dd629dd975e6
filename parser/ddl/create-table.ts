/**
 * CREATE TABLE [IF NOT EXISTS] name ( col type [NOT NULL|NULL] [PRIMARY KEY] [DEFAULT expr], ...,
 *   [CONSTRAINT x] PRIMARY KEY (a, b), [WATERMARK FOR col AS expr] ) [APPEND ONLY]
 *   [ON CONFLICT DO NOTHING | DO UPDATE FULL | DO UPDATE IF NOT NULL] [WITH (...)]
 * (APPEND ONLY, WATERMARK and the table-level ON CONFLICT are RisingWave's; see ddl.createRelation.)
 * CREATE TABLE [IF NOT EXISTS] name [WITH (...)] AS query
 *
 *   "create table users (id bigint primary key, country text)"
 *     -> CreateTable users, columns [id bigint pk, country text], primaryKey ['id']
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { ColumnDef, Statement } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { acceptIfNotExists, parseColumnDef, parseObjectName, parseOptions, parseCreateAsTail } from './common.js';
import { parseWatermark } from '../streaming/create-stream.js';

type CreateTable = Extract<Statement, { kind: 'CreateTable' }>;

/** After CREATE TABLE. */
export function parseCreateTable(c: Cursor, pos: number): CreateTable {
  const ifNotExists = acceptIfNotExists(c);
  const name = parseObjectName(c);
  const stmt: CreateTable = { kind: 'CreateTable', name: name.name, ifNotExists, columns: [], appendOnly: false, options: {}, pos };
  if (!c.isPunct('(')) {
    // CREATE TABLE t [WITH (...)] AS query
    const tail = parseCreateAsTail(c);
    return { ...stmt, options: tail.options, as: tail.query, queryText: tail.queryText };
  }
  c.expectPunct('(');
  const setPrimaryKey = (cols: string[], at: number): void => {
    if (stmt.primaryKey) {
      throw new SqlError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${name.name}" are not allowed`, { position: at });
    }
    stmt.primaryKey = cols;
  };
  if (!c.isPunct(')')) {
    do {
      if (c.isKw('watermark') && c.isKw('for', 1)) {
        const at = c.tok.start + 1;
        if (stmt.watermark) throw new SqlError(SqlState.InvalidTableDefinition, `multiple watermarks for table "${name.name}" are not allowed`, { position: at });
        stmt.watermark = parseWatermark(c);
        continue;
      }
      if (c.isAnyKw(['constraint', 'primary', 'unique', 'check', 'foreign', 'exclude', 'like'])) {
        if (c.acceptKw('constraint')) c.colId();
        const kw = c.tok;
        if (c.acceptKws('primary', 'key')) {
          setPrimaryKey(c.parenNameList(), kw.start + 1);
          continue;
        }
        throw featureNotSupported(`${c.tok.value.toUpperCase()} constraint`, kw.start + 1);
      }
      let pkAt = 0;
      const col: ColumnDef = parseColumnDef(c, name.name, (at) => {
        pkAt = at;
      });
      if (col.primaryKey) setPrimaryKey([col.name], pkAt);
      stmt.columns.push(col);
      // A trailing comma before ')' is accepted (RisingWave and MySQL users write it).
    } while (c.acceptPunct(',') && !c.isPunct(')'));
  }
  c.expectPunct(')');
  for (;;) {
    if (c.isKw('append') && c.isKw('only', 1)) {
      c.next();
      c.next();
      stmt.appendOnly = true;
    } else if (c.isKw('on') && c.isKw('conflict', 1)) {
      const at = c.tok.start + 1;
      c.next();
      c.next();
      stmt.onConflict = parseTableConflictPolicy(c, at);
    } else if (c.isKw('with') && c.isPunct('(', 1)) {
      stmt.options = parseOptions(c);
    } else {
      return stmt;
    }
  }
}

/** After ON CONFLICT in CREATE TABLE: what an INSERT of an existing key does when the INSERT says nothing. */
function parseTableConflictPolicy(c: Cursor, at: number): NonNullable<CreateTable['onConflict']> {
  if (c.acceptKw('ignore')) return 'nothing';
  if (c.acceptKw('overwrite')) return 'update_full';
  if (c.acceptKws('do', 'nothing')) return 'nothing';
  if (c.acceptKws('do', 'update')) {
    if (c.acceptKw('full')) return 'update_full';
    if (c.acceptKws('if', 'not', 'null')) return 'update_if_not_null';
  }
  throw new SqlError(SqlState.SyntaxError, 'expected DO NOTHING, DO UPDATE FULL or DO UPDATE IF NOT NULL after ON CONFLICT', { position: at });
}
