/**
 * Function calls: aggregates (DISTINCT, ORDER BY, FILTER), window calls (OVER), and the SQL
 * special forms PostgreSQL rewrites into plain calls:
 *
 *   EXTRACT(year FROM ts)          -> extract('year', ts)
 *   SUBSTRING(s FROM 2 FOR 3)      -> substring(s, 2, 3)
 *   POSITION('a' IN s)             -> position('a', s)        (the argument order as written)
 *   TRIM(LEADING 'x' FROM s)       -> ltrim(s, 'x')
 *   OVERLAY(s PLACING 'x' FROM 2)  -> overlay(s, 'x', 2)
 *   CURRENT_TIMESTAMP(3)           -> current_timestamp(3)
 */
import { featureNotSupported, SqlError, syntaxError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Expr, OrderItem, WindowSpec } from '../ast.js';
import type { Cursor, FuncCall } from '../cursor.js';
import { parseExpr, parseExprList, Prec } from './expr.js';
import { parseOrderByList } from './select.js';

export const SPECIAL_FORMS: ReadonlySet<string> = new Set([
  'extract', 'substring', 'position', 'trim', 'overlay', 'coalesce', 'nullif', 'greatest', 'least', 'grouping',
]);

/** Keywords that are niladic functions (CURRENT_DATE ...); some take an optional precision. */
export const SQL_VALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_role',
  'current_user', 'session_user', 'user', 'current_catalog', 'current_schema',
]);
const WITH_PRECISION = new Set(['current_time', 'current_timestamp', 'localtime', 'localtimestamp']);

function call(name: string, args: Expr[], pos: number): FuncCall {
  return { kind: 'FuncCall', name, args, star: false, distinct: false, pos };
}

export function parseSqlValueFunction(c: Cursor): Expr {
  const t = c.next();
  const pos = t.start + 1;
  const args: Expr[] = [];
  if (WITH_PRECISION.has(t.value) && c.acceptPunct('(')) {
    const p = c.tok;
    if (p.kind !== 'integer') c.fail();
    c.next();
    args.push({ kind: 'Literal', literal: 'integer', value: p.value, pos: p.start + 1 });
    c.expectPunct(')');
  }
  return call(t.value, args, pos);
}

/** At a special-form keyword followed by '('. */
export function parseSpecialForm(c: Cursor): Expr {
  const t = c.next();
  const pos = t.start + 1;
  switch (t.value) {
    case 'extract':
      return parseExtract(c, pos);
    case 'substring':
      return parseSubstring(c, pos);
    case 'position': {
      c.expectPunct('(');
      const needle = parseExpr(c, Prec.Like + 1);
      c.expectKw('in');
      const haystack = parseExpr(c, Prec.Like + 1);
      c.expectPunct(')');
      return call('position', [needle, haystack], pos);
    }
    case 'trim':
      return parseTrim(c, pos);
    case 'overlay': {
      c.expectPunct('(');
      const target = parseExpr(c);
      if (c.acceptPunct(',')) {
        const rest = parseExprList(c);
        c.expectPunct(')');
        return call('overlay', [target, ...rest], pos);
      }
      c.expectKw('placing');
      const args = [target, parseExpr(c)];
      c.expectKw('from');
      args.push(parseExpr(c));
      if (c.acceptKw('for')) args.push(parseExpr(c));
      c.expectPunct(')');
      return call('overlay', args, pos);
    }
    default:
      // coalesce, nullif, greatest, least, grouping: ordinary argument lists
      return parseFuncCall(c, t.value, undefined, pos);
  }
}

function parseExtract(c: Cursor, pos: number): Expr {
  c.expectPunct('(');
  const f = c.tok;
  let field: string;
  if (f.kind === 'ident' || f.kind === 'qident' || f.kind === 'string') field = f.kind === 'ident' ? f.value : f.value.toLowerCase();
  else return c.fail();
  c.next();
  c.expectKw('from');
  const source = parseExpr(c);
  c.expectPunct(')');
  return call('extract', [{ kind: 'Literal', literal: 'string', value: field, pos: f.start + 1 }, source], pos);
}

function parseSubstring(c: Cursor, pos: number): Expr {
  c.expectPunct('(');
  const s = parseExpr(c);
  let from: Expr | undefined;
  let len: Expr | undefined;
  if (c.acceptPunct(',')) {
    const rest = parseExprList(c);
    c.expectPunct(')');
    return call('substring', [s, ...rest], pos);
  }
  if (c.isKw('similar')) throw featureNotSupported('SUBSTRING ... SIMILAR', c.pos());
  for (let k = 0; k < 2; k++) {
    if (!from && c.acceptKw('from')) from = parseExpr(c);
    else if (!len && c.acceptKw('for')) len = parseExpr(c);
  }
  c.expectPunct(')');
  const args = [s];
  if (from) args.push(from);
  else if (len) args.push({ kind: 'Literal', literal: 'integer', value: '1', pos });
  if (len) args.push(len);
  return call('substring', args, pos);
}

/** TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) | TRIM([...] s [, chars]) */
function parseTrim(c: Cursor, pos: number): Expr {
  c.expectPunct('(');
  let name = 'btrim';
  if (c.acceptKw('leading')) name = 'ltrim';
  else if (c.acceptKw('trailing')) name = 'rtrim';
  else c.acceptKw('both');
  let args: Expr[];
  if (c.acceptKw('from')) {
    args = parseExprList(c);
  } else {
    const first = parseExpr(c);
    if (c.acceptKw('from')) {
      // TRIM(chars FROM s) -> btrim(s, chars)
      args = [...parseExprList(c), first];
    } else if (c.acceptPunct(',')) {
      args = [first, ...parseExprList(c)];
    } else {
      args = [first];
    }
  }
  c.expectPunct(')');
  return call(name, args, pos);
}

/** After the name (and optional schema): `( [DISTINCT] args [ORDER BY ...] ) [WITHIN GROUP (ORDER BY ...)] [FILTER (...)] [OVER ...]`. */
export function parseFuncCall(c: Cursor, name: string, schema: string | undefined, pos: number): FuncCall {
  c.expectPunct('(');
  const fc = call(name, [], pos);
  if (schema !== undefined && schema !== 'pg_catalog') fc.schema = schema;
  if (c.isOp('*')) {
    c.next();
    fc.star = true;
    c.expectPunct(')');
  } else if (!c.acceptPunct(')')) {
    if (c.acceptKw('distinct')) fc.distinct = true;
    else c.acceptKw('all');
    if (c.isKw('variadic')) throw featureNotSupported('VARIADIC', c.pos());
    for (;;) {
      if (c.isOp('=>', 1) || c.isOp(':=', 1)) {
        throw featureNotSupported('named function argument syntax', c.pos());
      }
      fc.args.push(parseExpr(c));
      if (!c.acceptPunct(',')) break;
    }
    if (c.acceptKws('order', 'by')) fc.orderBy = parseOrderByList(c);
    c.expectPunct(')');
  }
  if (c.isKw('within') && c.isKw('group', 1)) {
    // Ordered-set aggregate: `f(direct args) WITHIN GROUP (ORDER BY x)`; the sort keys go to orderBy.
    const at = c.pos();
    if (fc.orderBy) throw syntaxError('cannot use multiple ORDER BY clauses with WITHIN GROUP', at);
    if (fc.distinct) throw syntaxError('cannot use DISTINCT with WITHIN GROUP', at);
    if (fc.star) throw syntaxError('cannot use * with WITHIN GROUP', at);
    c.next();
    c.next();
    c.expectPunct('(');
    c.expectKw('order');
    c.expectKw('by');
    fc.orderBy = parseOrderByList(c);
    c.expectPunct(')');
    fc.withinGroup = true;
  }
  if (c.isKw('filter')) {
    c.next();
    c.expectPunct('(');
    c.expectKw('where');
    fc.filter = parseExpr(c);
    c.expectPunct(')');
  }
  if (c.isKw('over')) {
    if (fc.withinGroup) throw new SqlError(SqlState.FeatureNotSupported, `OVER is not supported for ordered-set aggregate ${name}`, { position: pos });
    c.next();
    parseOver(c, fc);
  }
  return fc;
}

/** OVER name | OVER ( [name] [PARTITION BY ...] [ORDER BY ...] [frame] ) */
function parseOver(c: Cursor, fc: FuncCall): void {
  const scope = c.windowScopes[c.windowScopes.length - 1];
  if (c.isColId()) {
    const t = c.next();
    if (!scope) throw featureNotSupported('a window name outside SELECT', t.start + 1);
    scope.push({ call: fc, name: t.value, pos: t.start + 1 });
    fc.over = { partitionBy: [], orderBy: [] };
    return;
  }
  c.expectPunct('(');
  let refName: { name: string; pos: number } | undefined;
  if (c.isColId() && !c.isKw('partition') && !c.isKw('order') && !c.isKw('rows') && !c.isKw('range') && !c.isKw('groups')) {
    const t = c.next();
    refName = { name: t.value, pos: t.start + 1 };
  }
  const spec = parseWindowBody(c);
  c.expectPunct(')');
  fc.over = spec;
  if (refName) {
    if (!scope) throw featureNotSupported('a window name outside SELECT', refName.pos);
    scope.push({ call: fc, name: refName.name, pos: refName.pos, refine: { orderBy: spec.orderBy, frame: spec.frame } });
  }
}

/** The inside of a window definition, up to (not including) the closing ')'. */
export function parseWindowBody(c: Cursor): WindowSpec {
  const spec: WindowSpec = { partitionBy: [], orderBy: [] };
  if (c.acceptKws('partition', 'by')) spec.partitionBy = parseExprList(c);
  if (c.acceptKws('order', 'by')) spec.orderBy = parseOrderByList(c);
  if (c.isAnyKw(['rows', 'range', 'groups'])) spec.frame = parseFrame(c);
  return spec;
}

/** ROWS|RANGE|GROUPS { bound | BETWEEN bound AND bound } [EXCLUDE ...]; returns the text as written. */
function parseFrame(c: Cursor): string {
  const first = c.next();
  const bound = (): void => {
    if (c.acceptKw('unbounded')) {
      if (!c.acceptKw('preceding') && !c.acceptKw('following')) c.fail();
    } else if (c.acceptKw('current')) {
      c.expectKw('row');
    } else {
      parseExpr(c);
      if (!c.acceptKw('preceding') && !c.acceptKw('following')) c.fail();
    }
  };
  if (c.acceptKw('between')) {
    bound();
    c.expectKw('and');
    bound();
  } else {
    bound();
  }
  if (c.acceptKw('exclude')) {
    if (c.acceptKw('current')) c.expectKw('row');
    else if (!c.acceptKw('group') && !c.acceptKw('ties') && !c.acceptKws('no', 'others')) c.fail();
  }
  const last = c.peek(-1);
  return c.text.slice(first.start, last.end);
}

export type { OrderItem };
