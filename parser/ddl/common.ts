/**
 * Pieces shared by CREATE STREAM / TABLE / VIEW / SINK and DROP: object names, WITH (...)
 * options, column definitions and the query that follows AS.
 *
 *   "WITH (connector = 'kafka', topic = 'pv', partitions = 4)"
 *     -> { connector: 'kafka', topic: 'pv', partitions: '4' }
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { ColumnDef, Options, Query } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr } from '../query/expr.js';
import { parseQuery } from '../query/select.js';
import { parseTypeName } from '../query/type-name.js';

export interface ObjectName {
  name: string;
  pos: number;
}

/** name | public.name (other schemas do not exist in Eddy). */
export function parseObjectName(c: Cursor): ObjectName {
  const t = c.tok;
  const first = c.colId();
  if (c.isPunct('.')) {
    if (!c.isColLabel(1)) c.fail(c.peek(1));
    c.next();
    const name = c.next().value;
    if (first !== 'public') {
      throw new SqlError(SqlState.InvalidSchemaName, `schema "${first}" does not exist`, { position: t.start + 1 });
    }
    return { name, pos: t.start + 1 };
  }
  return { name: first, pos: t.start + 1 };
}

/** IF NOT EXISTS */
export function acceptIfNotExists(c: Cursor): boolean {
  return c.acceptKws('if', 'not', 'exists');
}

/** WITH ( key [= value], ... ): keys lower-case (dotted keys allowed), values as text. */
export function parseOptions(c: Cursor): Options {
  c.expectKw('with');
  c.expectPunct('(');
  const options: Options = {};
  if (c.acceptPunct(')')) return options;
  do {
    const keyTok = c.tok;
    let key = c.colLabel();
    while (c.isPunct('.') && c.isColLabel(1)) {
      c.next();
      key += `.${c.next().value}`;
    }
    key = key.toLowerCase();
    let value = 'true';
    if (c.acceptOp('=')) value = parseOptionValue(c);
    else if (!c.isPunct(',') && !c.isPunct(')')) value = parseOptionValue(c);
    if (Object.prototype.hasOwnProperty.call(options, key)) {
      throw new SqlError(SqlState.InvalidParameterValue, `parameter "${key}" specified more than once`, { position: keyTok.start + 1 });
    }
    options[key] = value;
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return options;
}

/** An option or SET value: 'string', [-]number, or a word, all as text. */
export function parseOptionValue(c: Cursor): string {
  const t = c.tok;
  switch (t.kind) {
    case 'string':
    case 'integer':
    case 'decimal':
    case 'ident':
    case 'qident':
      c.next();
      return t.value;
    case 'op':
      if ((t.value === '-' || t.value === '+') && (c.peek(1).kind === 'integer' || c.peek(1).kind === 'decimal')) {
        c.next();
        const n = c.next().value;
        return t.value === '-' ? `-${n}` : n;
      }
      return c.fail();
    default:
      return c.fail();
  }
}

/** name type [CONSTRAINT x] { NOT NULL | NULL | PRIMARY KEY | DEFAULT expr } ... */
export function parseColumnDef(c: Cursor, relation: string, onPrimaryKey?: (pos: number) => void): ColumnDef {
  const nameTok = c.tok;
  const name = c.colId();
  const typeName = parseTypeName(c);
  const col: ColumnDef = { name, typeName, notNull: false, primaryKey: false, pos: nameTok.start + 1 };
  let nullSeen: 'null' | 'not null' | undefined;
  for (;;) {
    const t = c.tok;
    if (c.acceptKw('constraint')) {
      c.colId();
      continue;
    }
    if (c.isKw('not') && c.isKw('null', 1)) {
      c.next();
      c.next();
      if (nullSeen === 'null') throw conflictingNull(name, relation, t.start + 1);
      nullSeen = 'not null';
      col.notNull = true;
    } else if (c.acceptKw('null')) {
      if (nullSeen === 'not null') throw conflictingNull(name, relation, t.start + 1);
      nullSeen = 'null';
    } else if (c.isKw('primary')) {
      c.next();
      c.expectKw('key');
      onPrimaryKey?.(t.start + 1);
      col.primaryKey = true;
    } else if (c.acceptKw('default')) {
      if (col.default) {
        throw new SqlError(SqlState.SyntaxError, `multiple default values specified for column "${name}" of table "${relation}"`, { position: t.start + 1 });
      }
      const start = c.tok;
      col.default = parseExpr(c);
      col.defaultSql = c.text.slice(start.start, c.peek(-1).end);
    } else if (c.isAnyKw(['unique', 'check', 'references', 'generated', 'collate'])) {
      throw featureNotSupported(`${t.value.toUpperCase()} on a column`, t.start + 1);
    } else {
      return col;
    }
  }
}

function conflictingNull(column: string, relation: string, pos: number): SqlError {
  return new SqlError(SqlState.SyntaxError, `conflicting NULL/NOT NULL declarations for column "${column}" of table "${relation}"`, { position: pos });
}

/** The query after AS, with its exact source text (it ends where the query grammar ends: before EMIT, WITH (...), ;). */
export function parseQueryWithText(c: Cursor): { query: Query; queryText: string } {
  const first = c.tok;
  const query = parseQuery(c);
  const last = c.peek(-1);
  return { query, queryText: c.text.slice(first.start, last.end) };
}

/** The `[WITH (...)] AS query` form of CREATE TABLE / CREATE STREAM (no column list). */
export function parseCreateAsTail(c: Cursor): { options: Options; query: Query; queryText: string } {
  const options = c.isKw('with') ? parseOptions(c) : {};
  c.expectKw('as');
  return { options, ...parseQueryWithText(c) };
}
