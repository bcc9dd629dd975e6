/**
 * CREATE TABLE [IF NOT EXISTS] name ( col type [NOT NULL|NULL] [PRIMARY KEY] [DEFAULT expr], ...,
 *   [CONSTRAINT x] PRIMARY KEY (a, b) ) [APPEND ONLY] [WITH (...)]
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
    } else if (c.isKw('with') && c.isPunct('(', 1)) {
      stmt.options = parseOptions(c);
    } else {
      return stmt;
    }
  }
}
