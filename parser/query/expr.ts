/**
 * Scalar expressions: a precedence-climbing parser with PostgreSQL 15's operator precedence
 * (gram.y), including its non-associative levels (`a = b = c` is a syntax error at the second
 * `=`, as in PostgreSQL).
 *
 *   "a + 1 * 2 > 3 AND NOT b"  ->  AND(>(+(a, *(1, 2)), 3), NOT(b))
 *   "-9223372036854775808"     ->  Literal integer '-9223372036854775808' (minus folded, as PostgreSQL does)
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Expr, Query } from '../ast.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { parsePrimary } from './primary.js';
import { parseQuery } from './select.js';
import { parseTypeName } from './type-name.js';

/** Binding strength, weakest first (PostgreSQL's %left/%nonassoc order). */
export const Prec = {
  None: 0,
  Or: 1,
  And: 2,
  Not: 3,
  Is: 4,
  Cmp: 5,
  Like: 6, // BETWEEN IN LIKE ILIKE SIMILAR, NOT BETWEEN ...
  Escape: 7,
  Op: 8, // any other operator: || -> ->> @> ~ & ...
  Add: 9,
  Mul: 10,
  Exp: 11,
  At: 12,
  Collate: 13,
  UMinus: 14,
  Postfix: 15, // [ ] and ::
} as const;

const CMP_OPS = new Set(['<', '>', '=', '<=', '>=', '<>']);
const LIKE_WORDS = ['between', 'in', 'like', 'ilike', 'similar'] as const;

function opPrec(op: string): number {
  switch (op) {
    case '+': case '-': return Prec.Add;
    case '*': case '/': case '%': return Prec.Mul;
    case '^': return Prec.Exp;
    case ':=': case '=>': return Prec.None;
    default: return CMP_OPS.has(op) ? Prec.Cmp : Prec.Op;
  }
}

/** The precedence of the infix/postfix operator at the cursor, or 0 if there is none. */
function infixPrec(c: Cursor): number {
  const t = c.tok;
  switch (t.kind) {
    case 'punct':
      return t.value === '::' || t.value === '[' ? Prec.Postfix : Prec.None;
    case 'op':
      return opPrec(t.value);
    case 'ident':
      switch (t.value) {
        case 'or': return Prec.Or;
        case 'and': return Prec.And;
        case 'is': case 'isnull': case 'notnull': return Prec.Is;
        case 'between': case 'in': case 'like': case 'ilike': case 'similar': return Prec.Like;
        case 'not': return c.isAnyKw(LIKE_WORDS, 1) ? Prec.Like : Prec.None;
        case 'at': return c.isKw('time', 1) && c.isKw('zone', 2) ? Prec.At : Prec.None;
        case 'collate': return Prec.Collate;
        case 'operator': return c.isPunct('(', 1) ? Prec.Op : Prec.None;
        default: return Prec.None;
      }
    default:
      return Prec.None;
  }
}

/** Parses an expression whose operators all bind at least as tightly as `minPrec`. */
export function parseExpr(c: Cursor, minPrec: number = Prec.None): Expr {
  let left = parsePrefix(c);
  for (;;) {
    const prec = infixPrec(c);
    if (prec === Prec.None || prec < minPrec) return left;
    left = parseInfix(c, left, prec);
  }
}

/** A comma-separated expression list (at least one). */
export function parseExprList(c: Cursor): Expr[] {
  const list: Expr[] = [];
  do list.push(parseExpr(c));
  while (c.acceptPunct(','));
  return list;
}

/** PostgreSQL's non-associative levels: `a < b = c` is a syntax error at `=`. */
function rejectSameLevel(c: Cursor, prec: number): void {
  if (infixPrec(c) === prec) c.fail();
}

function parseInfix(c: Cursor, left: Expr, prec: number): Expr {
  const t = c.next();
  const pos = t.start + 1;
  if (t.kind === 'punct') {
    if (t.value === '::') return { kind: 'Cast', arg: left, typeName: parseTypeName(c), pos };
    const index = parseExpr(c);
    if (c.isPunct(':')) throw featureNotSupported('array slice syntax', c.pos());
    c.expectPunct(']');
    return { kind: 'Subscript', arg: left, index, pos };
  }
  if (t.kind === 'op') {
    if ((prec === Prec.Cmp || prec === Prec.Op) && isQuantifier(c)) return parseQuantified(c, t.value, left, pos);
    const right = parseExpr(c, prec + 1);
    if (prec === Prec.Cmp) rejectSameLevel(c, Prec.Cmp);
    return { kind: 'Binary', op: t.value, left, right, pos };
  }
  switch (t.value) {
    case 'or':
    case 'and':
      return { kind: 'Binary', op: t.value.toUpperCase(), left, right: parseExpr(c, prec + 1), pos };
    case 'isnull':
      return { kind: 'IsNull', arg: left, negated: false, pos };
    case 'notnull':
      return { kind: 'IsNull', arg: left, negated: true, pos };
    case 'is':
      return parseIs(c, left, pos);
    case 'at': {
      c.next(); // time
      c.next(); // zone
      const zone = parseExpr(c, Prec.At + 1);
      return { kind: 'FuncCall', name: 'timezone', args: [zone, left], star: false, distinct: false, pos };
    }
    case 'collate':
      return parseCollate(c, left, pos);
    case 'operator': {
      const op = parseOperatorSpec(c);
      if (isQuantifier(c)) return parseQuantified(c, op, left, pos);
      return { kind: 'Binary', op, left, right: parseExpr(c, Prec.Op + 1), pos };
    }
    case 'not':
      return parseLikeLevel(c, c.next(), left, true, pos);
    default:
      return parseLikeLevel(c, t, left, false, pos);
  }
}

/** After OPERATOR: `( [schema .] op )` -> the operator. */
function parseOperatorSpec(c: Cursor): string {
  c.expectPunct('(');
  if (c.isColId() && c.isPunct('.', 1)) {
    c.next();
    c.next();
  }
  const t = c.tok;
  if (t.kind !== 'op') c.fail();
  c.next();
  c.expectPunct(')');
  return t.value;
}

/** Collations that change nothing for Eddy (byte-order comparison) are accepted and dropped. */
const NEUTRAL_COLLATIONS = new Set(['default', 'c', 'posix', 'ucs_basic']);

function parseCollate(c: Cursor, left: Expr, pos: number): Expr {
  let name = c.colLabel();
  if (c.isPunct('.') && c.isColLabel(1)) {
    c.next();
    const schema = name;
    name = c.next().value;
    if (schema !== 'pg_catalog') throw featureNotSupported(`collation "${schema}.${name}"`, pos);
  }
  if (!NEUTRAL_COLLATIONS.has(name.toLowerCase())) throw featureNotSupported(`collation "${name}"`, pos);
  return left;
}

function parseIs(c: Cursor, left: Expr, pos: number): Expr {
  const negated = c.acceptKw('not');
  const t = c.tok;
  if (t.kind === 'ident') {
    switch (t.value) {
      case 'null':
        c.next();
        return { kind: 'IsNull', arg: left, negated, pos };
      case 'true':
      case 'false':
        c.next();
        return { kind: 'IsBool', arg: left, value: t.value === 'true', negated, pos };
      case 'unknown':
        c.next();
        return { kind: 'IsBool', arg: left, value: null, negated, pos };
      case 'distinct': {
        c.next();
        c.expectKw('from');
        const right = parseExpr(c, Prec.Is + 1);
        rejectSameLevel(c, Prec.Is);
        return { kind: 'IsDistinct', left, right, negated, pos };
      }
      default:
        break;
    }
  }
  return c.fail();
}

/** BETWEEN / IN / LIKE / ILIKE / SIMILAR TO, after the (optional NOT and) keyword. */
function parseLikeLevel(c: Cursor, kw: Token, arg: Expr, negated: boolean, pos: number): Expr {
  switch (kw.value) {
    case 'between': {
      let symmetric = false;
      if (c.acceptKw('symmetric')) symmetric = true;
      else c.acceptKw('asymmetric');
      const low = parseExpr(c, Prec.Escape);
      c.expectKw('and');
      const high = parseExpr(c, Prec.Escape);
      rejectSameLevel(c, Prec.Like);
      return { kind: 'Between', arg, low, high, negated, symmetric, pos };
    }
    case 'in': {
      if (!c.isPunct('(')) c.fail();
      const query = tryParenQuery(c);
      if (query) return { kind: 'InSubquery', arg, query, negated, pos };
      c.expectPunct('(');
      const list = parseExprList(c);
      c.expectPunct(')');
      return { kind: 'InList', arg, list, negated, pos };
    }
    case 'like':
    case 'ilike': {
      const caseInsensitive = kw.value === 'ilike';
      if (isQuantifier(c)) {
        const op = (negated ? '!' : '') + (caseInsensitive ? '~~*' : '~~');
        return parseQuantified(c, op, arg, pos);
      }
      const pattern = parseExpr(c, Prec.Escape);
      const escape = c.acceptKw('escape') ? parseExpr(c, Prec.Escape) : undefined;
      rejectSameLevel(c, Prec.Like);
      const like: Expr = { kind: 'Like', arg, pattern, caseInsensitive, negated, pos };
      if (escape) like.escape = escape;
      return like;
    }
    case 'similar': {
      c.expectKw('to');
      const pattern = parseExpr(c, Prec.Escape);
      const args = [pattern];
      if (c.acceptKw('escape')) args.push(parseExpr(c, Prec.Escape));
      rejectSameLevel(c, Prec.Like);
      // PostgreSQL itself rewrites SIMILAR TO into a regex match
      const regex: Expr = { kind: 'FuncCall', name: 'similar_to_escape', args, star: false, distinct: false, pos };
      return { kind: 'Binary', op: negated ? '!~' : '~', left: arg, right: regex, pos };
    }
    default:
      return c.fail(kw);
  }
}

function isQuantifier(c: Cursor): boolean {
  return c.isAnyKw(['any', 'some', 'all']) && c.isPunct('(', 1);
}

/** `op ANY|SOME|ALL ( query | array-expr )` */
function parseQuantified(c: Cursor, op: string, left: Expr, pos: number): Expr {
  const quantifier = c.next().value === 'all' ? 'all' : 'any';
  const query = tryParenQuery(c);
  let right: Expr | Query;
  if (query) {
    right = query;
  } else {
    c.expectPunct('(');
    right = parseExpr(c);
    c.expectPunct(')');
  }
  return { kind: 'Quantified', op, quantifier, left, right, pos };
}

// ---------------------------------------------------------------- prefix and primary

function parsePrefix(c: Cursor): Expr {
  const t = c.tok;
  if (t.kind === 'op') {
    c.next();
    const pos = t.start + 1;
    if (t.value === '-' || t.value === '+') {
      const arg = parseExpr(c, Prec.UMinus);
      if (t.value === '-' && arg.kind === 'Literal' && (arg.literal === 'integer' || arg.literal === 'decimal')) {
        // PostgreSQL folds the sign into the constant (and reports the '-' as its location)
        const digits = arg.value as string;
        return { kind: 'Literal', literal: arg.literal, value: digits.startsWith('-') ? digits.slice(1) : `-${digits}`, pos };
      }
      return { kind: 'Unary', op: t.value, arg, pos };
    }
    // '=', '<', '*' ... are single-character tokens in PostgreSQL, never prefix operators
    if (opPrec(t.value) !== Prec.Op) c.fail(t);
    return { kind: 'Unary', op: t.value, arg: parseExpr(c, Prec.Op + 1), pos };
  }
  if (t.kind === 'ident' && t.value === 'operator' && c.isPunct('(', 1)) {
    c.next();
    const op = parseOperatorSpec(c);
    return { kind: 'Unary', op, arg: parseExpr(c, Prec.Op + 1), pos: t.start + 1 };
  }
  if (t.kind === 'ident' && t.value === 'not') {
    c.next();
    return { kind: 'Unary', op: 'NOT', arg: parseExpr(c, Prec.Not), pos: t.start + 1 };
  }
  return parsePrimary(c);
}

const QUERY_START = ['select', 'values', 'with', 'table'];

/**
 * At '(': parses `( query )` when the parentheses hold a query, else returns undefined with
 * the cursor unmoved. `((select 1) + 1)` is ambiguous up to the '+', so a query guess that
 * fails is retried as an expression; the error kept is the one that got further.
 */
export function tryParenQuery(c: Cursor): Query | undefined {
  let k = 1;
  while (c.isPunct('(', k)) k++;
  if (!c.isAnyKw(QUERY_START, k)) return undefined;
  const start = c.i;
  if (k === 1) return parseParenQueryAt(c);
  try {
    return parseParenQueryAt(c);
  } catch (queryErr) {
    const reached = c.i;
    c.i = start;
    // try the expression reading; if it fails too, report the query error when it went further
    const save = c.i;
    try {
      c.next();
      parseExpr(c);
      c.expectPunct(')');
    } catch (exprErr) {
      const exprReached = c.i;
      c.i = save;
      throw reached >= exprReached ? queryErr : exprErr;
    }
    c.i = save;
    return undefined;
  }
}

function parseParenQueryAt(c: Cursor): Query {
  c.expectPunct('(');
  const q = parseQuery(c);
  c.expectPunct(')');
  return q;
}
