/**
 * Queries: WITH, SELECT, VALUES, TABLE, set operations (INTERSECT binds tighter than
 * UNION/EXCEPT), ORDER BY, LIMIT/OFFSET/FETCH FIRST, named WINDOWs.
 *
 *   "select 1 union select 2 intersect select 3 order by 1"
 *     -> SetOp(union, Select(1), SetOp(intersect, Select(2), Select(3)), orderBy [1])
 */
import { SqlError, featureNotSupported } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Cte, Expr, OrderItem, Query, Select, SelectItem, Values, WindowSpec } from '../ast.js';
import type { Cursor, PendingWindowRef } from '../cursor.js';
import type { Token } from '../lexer.js';
import { parseExpr, parseExprList, Prec } from './expr.js';
import { parseFromList } from './from.js';
import { parseWindowBody } from './func-call.js';

/** What may follow a query body: the clauses shared by SELECT, set operations and VALUES. */
interface QueryTail {
  orderBy?: { items: OrderItem[]; tok: Token };
  limit?: { expr?: Expr; tok: Token; withTies?: boolean };
  offset?: { expr: Expr; tok: Token };
}

/** select_stmt: [WITH ...] body [ORDER BY ...] [LIMIT | OFFSET | FETCH ...]. */
export function parseQuery(c: Cursor): Query {
  let withTok: Token | undefined;
  let ctes: Cte[] | undefined;
  if (c.isKw('with')) {
    withTok = c.tok;
    ctes = parseWith(c);
    if (c.isAnyKw(['insert', 'update', 'delete'])) throw featureNotSupported(`WITH on ${c.tok.value.toUpperCase()}`, c.pos(withTok));
  }
  const body = parseSetExpr(c, 0);
  // ORDER BY belongs to the body's SELECT: `... WINDOW w AS (...) ORDER BY rank() OVER w` is valid
  const defs = body.kind === 'Select' ? c.lastWindowDefs : new Map<string, WindowSpec>();
  const refs: PendingWindowRef[] = [];
  c.windowScopes.push(refs);
  let tail: QueryTail;
  try {
    tail = parseQueryTail(c);
  } finally {
    c.windowScopes.pop();
  }
  resolveWindows(refs, defs);
  attachTail(c, body, tail);
  if (ctes && withTok) {
    if (body.kind === 'Values') throw featureNotSupported('WITH on VALUES', c.pos(withTok));
    if (body.with) throw new SqlError(SqlState.SyntaxError, 'multiple WITH clauses not allowed', { position: c.pos(withTok) });
    body.with = ctes;
  }
  skipLockingClauses(c);
  return body;
}

/**
 * FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED], repeatable:
 * accepted and ignored. Eddy applies every write as one atomic epoch, so there are no row locks
 * to take; ORMs and drivers send these routinely.
 */
function skipLockingClauses(c: Cursor): void {
  while (c.isKw('for') && c.isAnyKw(['update', 'share', 'no', 'key'], 1)) {
    c.next();
    if (c.acceptKw('no')) c.expectKw('key');
    else c.acceptKw('key');
    if (!c.acceptKw('update')) c.expectKw('share');
    if (c.acceptKw('of')) {
      do {
        c.colId();
        if (c.acceptPunct('.')) c.colId();
      } while (c.acceptPunct(','));
    }
    if (!c.acceptKw('nowait') && c.acceptKw('skip')) c.expectKw('locked');
  }
}

function parseWith(c: Cursor): Cte[] {
  c.expectKw('with');
  const recursive = c.acceptKw('recursive');
  const ctes: Cte[] = [];
  do {
    const name = c.colId();
    const cte: Cte = { name, query: undefined as unknown as Query };
    if (c.isPunct('(')) cte.columnAliases = c.parenNameList();
    c.expectKw('as');
    if (!c.acceptKw('materialized')) c.acceptKws('not', 'materialized');
    c.expectPunct('(');
    cte.query = parseQuery(c);
    c.expectPunct(')');
    if (recursive) cte.recursive = true;
    ctes.push(cte);
  } while (c.acceptPunct(','));
  return ctes;
}

const SET_PREC: Record<string, number> = { union: 1, except: 1, intersect: 2 };

function parseSetExpr(c: Cursor, minPrec: number): Query {
  let left = parseSetPrimary(c);
  for (;;) {
    const t = c.tok;
    const prec = t.kind === 'ident' ? SET_PREC[t.value] : undefined;
    if (prec === undefined || prec <= minPrec) return left;
    c.next();
    let all = false;
    if (c.acceptKw('all')) all = true;
    else c.acceptKw('distinct');
    let corresponding: { by?: string[] } | undefined;
    if (c.acceptKw('corresponding')) corresponding = c.acceptKw('by') ? { by: c.parenNameList() } : {};
    const right = parseSetExpr(c, prec);
    left = { kind: 'SetOp', op: t.value as 'union' | 'intersect' | 'except', all, left, right, orderBy: [], pos: t.start + 1 };
    if (corresponding) left.corresponding = corresponding;
  }
}

function parseSetPrimary(c: Cursor): Query {
  const t = c.tok;
  if (t.kind === 'punct' && t.value === '(') {
    c.next();
    const q = parseQuery(c);
    c.expectPunct(')');
    return q;
  }
  if (t.kind === 'ident') {
    switch (t.value) {
      case 'select':
        return parseSimpleSelect(c);
      case 'values':
        return parseValues(c);
      case 'table': {
        c.next();
        c.lastWindowDefs = new Map();
        const nameTok = c.tok;
        const name = c.colId();
        const item: Select['from'][number] = { kind: 'Table', name, pos: nameTok.start + 1 };
        if (c.isPunct('.') && c.isColLabel(1)) {
          c.next();
          item.schema = name;
          item.name = c.next().value;
        }
        return {
          kind: 'Select', distinct: false, items: [{ kind: 'Star', pos: t.start + 1 }], from: [item],
          groupBy: [], orderBy: [], pos: t.start + 1,
        };
      }
      default:
        break;
    }
  }
  return c.fail();
}

/** VALUES (a, b), (c, d): rows of expressions (DEFAULT allowed as a whole element). */
export function parseValues(c: Cursor): Values {
  const t = c.expectKw('values');
  const rows: Expr[][] = [];
  let width = -1;
  do {
    c.expectPunct('(');
    const row: Expr[] = [];
    do {
      if (c.isKw('default') && (c.isPunct(',', 1) || c.isPunct(')', 1))) {
        row.push({ kind: 'Default', pos: c.pos(c.next()) });
      } else {
        row.push(parseExpr(c));
      }
    } while (c.acceptPunct(','));
    c.expectPunct(')');
    if (width < 0) width = row.length;
    else if (row.length !== width) {
      throw new SqlError(SqlState.SyntaxError, 'VALUES lists must all be the same length', { position: row[0].pos });
    }
    rows.push(row);
  } while (c.acceptPunct(','));
  return { kind: 'Values', rows, orderBy: [], pos: t.start + 1 };
}

function parseSimpleSelect(c: Cursor): Select {
  const t = c.expectKw('select');
  const sel: Select = { kind: 'Select', distinct: false, items: [], from: [], groupBy: [], orderBy: [], pos: t.start + 1 };
  const windows: PendingWindowRef[] = [];
  c.windowScopes.push(windows);
  try {
    if (c.acceptKw('distinct')) {
      sel.distinct = true;
      if (c.acceptKw('on')) {
        c.expectPunct('(');
        sel.distinctOn = parseExprList(c);
        c.expectPunct(')');
      }
    } else {
      c.acceptKw('all');
    }
    if (!endsTargetList(c)) sel.items = parseTargetList(c);
    if (c.isKw('into')) throw featureNotSupported('SELECT INTO', c.pos());
    if (c.acceptKw('from')) sel.from = parseFromList(c);
    if (c.acceptKw('where')) sel.where = parseExpr(c);
    if (c.acceptKws('group', 'by')) {
      const distinctSets = !c.acceptKw('all') && c.acceptKw('distinct');
      const g = parseGroupBy(c);
      sel.groupBy = g.exprs;
      if (g.sets) sel.groupingSets = g.sets;
      if (distinctSets) sel.groupByDistinct = true;
    }
    if (c.acceptKw('having')) sel.having = parseExpr(c);
    const defs = c.isKw('window') ? parseWindowClause(c) : new Map<string, WindowSpec>();
    resolveWindows(windows, defs);
    c.lastWindowDefs = defs;
  } finally {
    c.windowScopes.pop();
  }
  return sel;
}

/** Tokens that end an empty target list (`SELECT FROM t`, `SELECT;`). */
function endsTargetList(c: Cursor): boolean {
  const t = c.tok;
  if (t.kind === 'eof') return true;
  if (t.kind === 'punct') return t.value === ')' || t.value === ';';
  if (t.kind !== 'ident') return false;
  switch (t.value) {
    case 'from': case 'where': case 'group': case 'having': case 'window': case 'order': case 'limit':
    case 'offset': case 'fetch': case 'union': case 'intersect': case 'except': case 'into': case 'for':
      return true;
    default:
      return c.isEmitClause();
  }
}

/** Target list items: `*`, `t.*`, `expr [AS label | label]`. */
export function parseTargetList(c: Cursor): SelectItem[] {
  const items: SelectItem[] = [];
  do {
    const t = c.tok;
    const pos = t.start + 1;
    if (t.kind === 'op' && t.value === '*') {
      c.next();
      items.push({ kind: 'Star', pos });
      continue;
    }
    const expr = parseExpr(c);
    if (expr.kind === 'Star') {
      items.push(expr.table === undefined ? { kind: 'Star', pos } : { kind: 'Star', table: expr.table, pos });
      continue;
    }
    const item: SelectItem = { kind: 'Expr', expr, pos };
    if (c.acceptKw('as')) item.alias = c.colLabel();
    else if (c.isBareLabel()) item.alias = c.next().value;
    items.push(item);
  } while (c.acceptPunct(','));
  return items;
}

/**
 * GROUP BY items: expressions, `()`, ROLLUP (...), CUBE (...), GROUPING SETS (...). With any of the
 * last three the result carries the grouping sets: the cross product of every item's sets (a plain
 * expression is the one set {e}).
 */
function parseGroupBy(c: Cursor): { exprs: Expr[]; sets?: Expr[][] } {
  let sets: Expr[][] = [[]];
  let grouped = false;
  do {
    const item = parseGroupingElement(c);
    if (item.grouped) grouped = true;
    const next: Expr[][] = [];
    for (const a of sets) for (const b of item.sets) next.push([...a, ...b]);
    sets = next;
  } while (c.acceptPunct(','));
  const exprs: Expr[] = [];
  for (const set of sets) for (const e of set) if (!exprs.includes(e)) exprs.push(e);
  return grouped ? { exprs, sets } : { exprs };
}

/** One GROUP BY element as its grouping sets. */
function parseGroupingElement(c: Cursor): { sets: Expr[][]; grouped: boolean } {
  if (c.isPunct('(') && c.isPunct(')', 1)) {
    c.next();
    c.next();
    return { sets: [[]], grouped: false };
  }
  if (c.isAnyKw(['rollup', 'cube']) && c.isPunct('(', 1)) {
    const cube = c.next().value === 'cube';
    c.expectPunct('(');
    const parts: Expr[][] = [];
    do parts.push(parseGroupingParts(c));
    while (c.acceptPunct(','));
    c.expectPunct(')');
    const sets: Expr[][] = [];
    if (cube) {
      // Every subset, the full set first (PostgreSQL's order).
      for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) sets.push(parts.flatMap((p, i) => (mask & (1 << (parts.length - 1 - i)) ? p : [])));
    } else {
      for (let n = parts.length; n >= 0; n--) sets.push(parts.slice(0, n).flat());
    }
    return { sets, grouped: true };
  }
  if (c.isKw('grouping') && c.isKw('sets', 1)) {
    c.next();
    c.next();
    c.expectPunct('(');
    const sets: Expr[][] = [];
    do for (const s of parseGroupingElement(c).sets) sets.push(s);
    while (c.acceptPunct(','));
    c.expectPunct(')');
    return { sets, grouped: true };
  }
  // `(a, b)` is one set of two columns, inside ROLLUP/CUBE/GROUPING SETS as at the top level.
  return { sets: [parseGroupingParts(c)], grouped: false };
}

/** `e` or `(e1, e2, ...)`: the expressions of one grouping unit. */
function parseGroupingParts(c: Cursor): Expr[] {
  if (c.isPunct('(')) {
    const save = c.i;
    c.next();
    if (c.acceptPunct(')')) return [];
    const list = parseExprList(c);
    if (c.acceptPunct(')') && list.length !== 1) return list;
    c.i = save;
  }
  return [parseExpr(c)];
}

/** WINDOW w AS (...), ... */
function parseWindowClause(c: Cursor): Map<string, WindowSpec> {
  c.expectKw('window');
  const defs = new Map<string, WindowSpec>();
  do {
    const nameTok = c.tok;
    const name = c.colId();
    c.expectKw('as');
    c.expectPunct('(');
    let base: WindowSpec | undefined;
    if (c.isColId() && !c.isAnyKw(['partition', 'order', 'rows', 'range', 'groups'])) {
      const refTok = c.next();
      base = defs.get(refTok.value);
      if (!base) throw new SqlError(SqlState.UndefinedObject, `window "${refTok.value}" does not exist`, { position: refTok.start + 1 });
    }
    const body = parseWindowBody(c);
    c.expectPunct(')');
    if (defs.has(name)) throw new SqlError(SqlState.WindowingError, `window "${name}" is already defined`, { position: nameTok.start + 1 });
    if (base) {
      // a window built on another keeps its partitioning (and its ordering unless it adds one)
      const spec: WindowSpec = { partitionBy: base.partitionBy, orderBy: body.orderBy.length ? body.orderBy : base.orderBy };
      if (body.frame !== undefined) spec.frame = body.frame;
      defs.set(name, spec);
    } else {
      defs.set(name, body);
    }
  } while (c.acceptPunct(','));
  return defs;
}

/** Substitutes the WINDOW definitions into every `OVER w` / `OVER (w ...)`. */
function resolveWindows(refs: PendingWindowRef[], defs: ReadonlyMap<string, WindowSpec>): void {
  for (const ref of refs) {
    const def = defs.get(ref.name);
    if (!def) throw new SqlError(SqlState.UndefinedObject, `window "${ref.name}" does not exist`, { position: ref.pos });
    const spec: WindowSpec = { partitionBy: def.partitionBy, orderBy: def.orderBy };
    if (def.frame !== undefined) spec.frame = def.frame;
    if (ref.refine) {
      if (ref.refine.orderBy.length) spec.orderBy = ref.refine.orderBy;
      if (ref.refine.frame !== undefined) spec.frame = ref.refine.frame;
    }
    ref.call.over = spec;
  }
}

/** ORDER BY items (after the BY). */
export function parseOrderByList(c: Cursor): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const expr = parseExpr(c);
    const item: OrderItem = { expr, desc: false };
    if (c.acceptKw('desc')) item.desc = true;
    else if (!c.acceptKw('asc') && c.isKw('using')) throw featureNotSupported('ORDER BY ... USING', c.pos());
    if (c.isKw('nulls') && (c.isKw('first', 1) || c.isKw('last', 1))) {
      c.next();
      if (c.acceptKw('first')) item.nullsFirst = true;
      else {
        c.expectKw('last');
        item.nullsFirst = false;
      }
    }
    items.push(item);
  } while (c.acceptPunct(','));
  return items;
}

/** ORDER BY, then LIMIT / OFFSET / FETCH in any order, each at most once. */
function parseQueryTail(c: Cursor): QueryTail {
  const tail: QueryTail = {};
  if (c.isKw('order') && c.isKw('by', 1)) {
    const tok = c.next();
    c.next();
    tail.orderBy = { items: parseOrderByList(c), tok };
  }
  for (;;) {
    const tok = c.tok;
    if (c.isKw('limit') && !tail.limit) {
      c.next();
      if (c.acceptKw('all')) {
        tail.limit = { tok };
      } else {
        const expr = parseExpr(c);
        if (c.isPunct(',')) {
          throw new SqlError(SqlState.SyntaxError, 'LIMIT #,# syntax is not supported', {
            position: tok.start + 1,
            hint: 'Use separate LIMIT and OFFSET clauses.',
          });
        }
        tail.limit = { expr, tok };
      }
    } else if (c.isKw('offset') && !tail.offset) {
      c.next();
      const expr = parseExpr(c);
      if (!c.acceptKw('row')) c.acceptKw('rows');
      tail.offset = { expr, tok };
    } else if (c.isKw('fetch') && !tail.limit) {
      c.next();
      if (!c.acceptKw('first')) c.expectKw('next');
      let expr: Expr;
      if (c.isKw('row') || c.isKw('rows')) expr = { kind: 'Literal', literal: 'integer', value: '1', pos: tok.start + 1 };
      else expr = parseExpr(c, Prec.UMinus);
      if (!c.acceptKw('row')) c.expectKw('rows');
      let withTies = false;
      if (c.acceptKw('with')) {
        c.expectKw('ties');
        withTies = true;
      } else c.expectKw('only');
      tail.limit = { expr, tok, withTies };
    } else {
      return tail;
    }
  }
}

/** Attaches ORDER BY / LIMIT / OFFSET to a body that may already carry them (from parentheses). */
function attachTail(c: Cursor, body: Query, tail: QueryTail): void {
  // PostgreSQL reports these at the second clause's (first) expression
  if (tail.orderBy) {
    if (body.orderBy.length > 0) throw clauseTwice('ORDER BY', tail.orderBy.items[0].expr.pos);
    body.orderBy = tail.orderBy.items;
  }
  if (tail.offset) {
    if (body.offset) throw clauseTwice('OFFSET', tail.offset.expr.pos);
    body.offset = tail.offset.expr;
  }
  if (tail.limit) {
    if (body.limit) throw clauseTwice('LIMIT', tail.limit.expr?.pos ?? c.pos(tail.limit.tok));
    if (tail.limit.expr) body.limit = tail.limit.expr;
    if (tail.limit.withTies) {
      if (!tail.orderBy && body.orderBy.length === 0) throw new SqlError(SqlState.SyntaxError, 'WITH TIES cannot be specified without ORDER BY clause', { position: c.pos(tail.limit.tok) });
      body.limitWithTies = true;
    }
  }
}

function clauseTwice(what: string, pos: number | undefined): SqlError {
  return new SqlError(SqlState.SyntaxError, `multiple ${what} clauses not allowed`, { position: pos });
}
