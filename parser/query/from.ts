/**
 * FROM lists: tables, subqueries, table functions (TUMBLE/HOP/SESSION, generate_series ...)
 * and joins (left-associative; a qualified join's right side may itself be a join, as in
 * PostgreSQL: `a JOIN b JOIN c ON p1 ON p2`).
 *
 *   "from t1 natural join t2, lateral (select 1) s(x)"
 *     -> [Join(inner, natural, Table t1, Table t2), Subquery(lateral, alias s, columns [x])]
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { FromItem } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { parseExpr, tryParenQuery } from './expr.js';
import { parseFuncCall } from './func-call.js';

type JoinType = Extract<FromItem, { kind: 'Join' }>['joinType'];

export function parseFromList(c: Cursor): FromItem[] {
  const items: FromItem[] = [];
  do items.push(parseJoins(c, parseTablePrimary(c)));
  while (c.acceptPunct(','));
  return items;
}

/** Join type keywords at the cursor, consumed up to and including JOIN; undefined if none. */
function acceptJoin(c: Cursor): { joinType: JoinType; natural: boolean; pos: number } | undefined {
  const pos = c.pos();
  const save = c.i;
  if (c.acceptKws('cross', 'join')) return { joinType: 'cross', natural: false, pos };
  const natural = c.acceptKw('natural');
  let joinType: JoinType = 'inner';
  if (c.acceptKw('inner')) joinType = 'inner';
  else if (c.acceptKw('left')) joinType = 'left';
  else if (c.acceptKw('right')) joinType = 'right';
  else if (c.acceptKw('full')) joinType = 'full';
  if (joinType !== 'inner') c.acceptKw('outer');
  if (!c.acceptKw('join')) {
    if (c.i !== save) c.fail();
    return undefined;
  }
  return { joinType, natural, pos };
}

function parseJoins(c: Cursor, left: FromItem): FromItem {
  for (;;) {
    const j = acceptJoin(c);
    if (!j) return left;
    let right = parseTablePrimary(c);
    const join: Extract<FromItem, { kind: 'Join' }> = { kind: 'Join', joinType: j.joinType, left, right, natural: j.natural, pos: j.pos };
    if (j.joinType !== 'cross' && !j.natural) {
      // PostgreSQL shifts: `a JOIN b JOIN c ON x ON y` joins b and c first
      if (!c.isKw('on') && !c.isKw('using')) right = parseJoins(c, right);
      join.right = right;
      if (c.acceptKw('on')) join.on = parseExpr(c);
      else if (c.acceptKw('using')) join.using = c.parenNameList();
      else c.fail();
    }
    left = join;
  }
}

function parseTablePrimary(c: Cursor): FromItem {
  const t = c.tok;
  const pos = t.start + 1;
  const lateral = c.acceptKw('lateral');
  if (c.isPunct('(')) {
    const save = c.i;
    let query;
    try {
      query = tryParenQuery(c);
    } catch (err) {
      // `((select ...) s JOIN t ON ...)`: a parenthesized join whose first item is a subquery.
      if (lateral || !c.isPunct('(', 1)) throw err;
      c.i = save;
    }
    if (query) {
      const item: FromItem = { kind: 'Subquery', query, pos };
      if (lateral) item.lateral = true;
      parseAlias(c, item);
      return item;
    }
    if (lateral) c.fail();
    c.next();
    const inner = parseJoins(c, parseTablePrimary(c));
    c.expectPunct(')');
    if (c.isKw('as') || (c.isColId() && !c.isEmitClause())) throw featureNotSupported('an alias on a parenthesized join', c.pos());
    return inner;
  }
  if (c.isKw('rows') && c.isKw('from', 1)) throw featureNotSupported('ROWS FROM', pos);
  c.acceptKw('only');
  const nameTok = c.tok;
  if (!c.isColId() && !(c.isTypeFuncName() && c.isPunct('(', 1))) c.fail();
  const first = c.next().value;
  let schema: string | undefined;
  let name = first;
  if (c.isPunct('.')) {
    if (!c.isColLabel(1)) c.fail(c.peek(1));
    c.next();
    schema = first;
    name = c.next().value;
    if (c.isPunct('.')) throw featureNotSupported('a cross-database reference', c.pos());
  }
  if (c.isPunct('(')) {
    const fc = parseFuncCall(c, name, schema, nameTok.start + 1);
    if (c.isKw('with') && c.isKw('ordinality', 1)) throw featureNotSupported('WITH ORDINALITY', c.pos());
    const item: FromItem = { kind: 'TableFunction', name: fc.schema ? `${fc.schema}.${fc.name}` : fc.name, args: fc.args, pos: nameTok.start + 1 };
    parseAlias(c, item);
    return item;
  }
  if (lateral) c.fail(nameTok);
  c.acceptOp('*');
  const item: FromItem = { kind: 'Table', name, pos: nameTok.start + 1 };
  if (schema !== undefined) item.schema = schema;
  if (c.isKw('tablesample')) throw featureNotSupported('TABLESAMPLE', c.pos());
  parseSystemTime(c, item);
  parseAlias(c, item);
  if (item.systemTime === undefined) parseSystemTime(c, item);
  return item;
}

/** `FOR SYSTEM_TIME AS OF PROCTIME()` (Flink's processing-time temporal join), before or after the alias. */
function parseSystemTime(c: Cursor, item: Extract<FromItem, { kind: 'Table' }>): void {
  if (!c.isKws('for', 'system_time')) return;
  c.next();
  c.next();
  c.expectKw('as');
  c.expectKw('of');
  const pos = c.pos();
  if (!(c.isKw('proctime') && c.isPunct('(', 1) && c.isPunct(')', 2))) throw featureNotSupported('FOR SYSTEM_TIME AS OF other than PROCTIME()', pos);
  c.next();
  c.next();
  c.next();
  item.systemTime = 'proctime';
}

/** [AS] alias [(col, ...)]; a bare alias must be a ColId (and not Eddy's EMIT clause). */
function parseAlias(c: Cursor, item: FromItem & { alias?: string; columnAliases?: string[] }): void {
  if (c.acceptKw('as')) item.alias = c.colId();
  else if (c.isColId() && !c.isEmitClause()) item.alias = c.next().value;
  else return;
  if (c.isPunct('(')) item.columnAliases = c.parenNameList();
}
