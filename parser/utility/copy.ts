/**
 * COPY, both PostgreSQL option syntaxes:
 *
 *   "copy t (a, b) from stdin with (format csv, header)" -> Copy from, relation t [a, b], { format: 'csv', header: 'true' }
 *   "copy t from stdin csv header delimiter ';'"         -> the same options, pre-9.0 syntax (psql's \copy sends it)
 *   "copy (select 1) to stdout"                          -> Copy to, query
 *   "copy (subscribe v) to stdout"                       -> Copy to, subscribe
 *
 * Files and programs parse (so the session can refuse them with PostgreSQL's error) but never run.
 */
import type { CopyStatement, Options } from '../ast.js';
import type { Cursor } from '../cursor.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { parseObjectName, parseOptionValue } from '../ddl/common.js';
import { parseQuery } from '../query/select.js';
import { parseSubscribe } from '../streaming/subscribe.js';

/** After COPY. */
export function parseCopy(c: Cursor, pos: number): CopyStatement {
  let source: CopyStatement['source'];
  if (c.acceptPunct('(')) {
    if (c.isKw('subscribe')) {
      const at = c.pos();
      c.next();
      source = { kind: 'subscribe', statement: parseSubscribe(c, at) };
    } else {
      source = { kind: 'query', query: parseQuery(c) };
    }
    c.expectPunct(')');
  } else {
    const name = parseObjectName(c).name;
    source = { kind: 'relation', name };
    if (c.isPunct('(')) source.columns = c.parenNameList();
  }
  let direction: CopyStatement['direction'];
  if (c.acceptKw('from')) direction = 'from';
  else {
    c.expectKw('to');
    direction = 'to';
  }
  if (direction === 'from' && source.kind !== 'relation') c.fail(c.peek(-1));
  let endpoint: CopyStatement['endpoint'];
  const t = c.tok;
  if (c.acceptKw('stdin') || c.acceptKw('stdout')) {
    if ((t.value === 'stdin') !== (direction === 'from')) c.fail(t);
    endpoint = 'stdio';
  } else if (c.acceptKw('program')) {
    if (c.next().kind !== 'string') c.fail(c.peek(-1));
    endpoint = 'program';
  } else {
    if (c.next().kind !== 'string') c.fail(c.peek(-1));
    endpoint = 'file';
  }
  let options: Options = {};
  if (c.isKw('with') && c.isPunct('(', 1)) {
    c.next();
    options = parseOptionList(c);
  } else if (c.isPunct('(')) {
    options = parseOptionList(c);
  } else {
    c.acceptKw('with');
    options = parseLegacyOptions(c);
  }
  return { kind: 'Copy', direction, source, endpoint, options, pos };
}

/** ( name [value], ... ) after an optional WITH: PostgreSQL's copy_generic_opt_list. */
function parseOptionList(c: Cursor): Options {
  c.expectPunct('(');
  const o: Options = {};
  do {
    const key = c.colLabel().toLowerCase();
    let value = 'true';
    if (!c.isPunct(',') && !c.isPunct(')')) value = parseOptionValue(c);
    if (Object.prototype.hasOwnProperty.call(o, key)) throw new SqlError(SqlState.SyntaxError, 'conflicting or redundant options', { position: c.pos(c.peek(-1)) });
    o[key] = value;
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return o;
}

/** [BINARY] [CSV] [HEADER] [DELIMITER [AS] 'x'] [NULL [AS] 'x'] [QUOTE [AS] 'x'] [ESCAPE [AS] 'x'] [FORCE ...] [ENCODING 'x'] */
function parseLegacyOptions(c: Cursor): Options {
  const o: Options = {};
  for (;;) {
    if (c.acceptKw('binary')) o['format'] = 'binary';
    else if (c.acceptKw('csv')) o['format'] = 'csv';
    else if (c.acceptKw('header')) o['header'] = 'true';
    else if (c.isAnyKw(['delimiter', 'null', 'quote', 'escape', 'encoding'])) {
      const key = c.next().value;
      c.acceptKw('as');
      const v = c.next();
      if (v.kind !== 'string') c.fail(v);
      o[key] = v.value;
    } else if (c.acceptKw('force')) {
      // FORCE QUOTE {* | cols} / FORCE [NOT] NULL cols: accepted and ignored.
      if (c.acceptKw('quote')) {
        if (c.acceptOp('*')) continue;
      } else if (!c.acceptKws('not', 'null')) c.expectKw('null');
      do c.colId();
      while (c.acceptPunct(','));
    } else break;
  }
  return o;
}
