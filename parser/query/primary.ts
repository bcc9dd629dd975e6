/**
 * Primary expressions: literals, parameters, parenthesized expressions, rows and scalar
 * subqueries, CASE, CAST, ARRAY[...], typed literals (DATE '...', INTERVAL '1' DAY, jsonb '{}'),
 * SQL special forms, column references and function calls.
 *
 *   "interval '90' minute"     -> TypedLiteral interval '90 minute'
 *   "s.t.c" / "t.*"            -> ColumnRef (public schema only) / Star
 */
import { featureNotSupported } from '../../runtime/sql/errors.js';
import type { Expr } from '../ast.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { parseExpr, parseExprList, tryParenQuery } from './expr.js';
import { parseFuncCall, parseSpecialForm, parseSqlValueFunction, SPECIAL_FORMS, SQL_VALUE_FUNCTIONS } from './func-call.js';
import { isIntervalField, parseTypeName, skipIntervalFields, startsTypeName } from './type-name.js';

export function parsePrimary(c: Cursor): Expr {
  const t = c.tok;
  const pos = t.start + 1;
  switch (t.kind) {
    case 'integer':
    case 'decimal':
      c.next();
      return { kind: 'Literal', literal: t.kind, value: t.value, pos };
    case 'string':
      c.next();
      return { kind: 'Literal', literal: 'string', value: t.value, pos };
    case 'bitstring':
      throw featureNotSupported('a bit string literal', pos);
    case 'param':
      c.next();
      return { kind: 'Param', index: Number(t.value), pos };
    case 'punct':
      if (t.value === '(') return parseParenthesized(c);
      return c.fail();
    case 'qident':
      return parseNameExpr(c);
    case 'ident':
      return parseWord(c, t);
    default:
      return c.fail();
  }
}

/** `(expr)`, `(a, b)` (a row), or `(query)` (a scalar subquery). */
function parseParenthesized(c: Cursor): Expr {
  const open = c.tok;
  const query = tryParenQuery(c);
  if (query) return { kind: 'ScalarSubquery', query, pos: open.start + 1 };
  c.next();
  const first = parseExpr(c);
  if (c.acceptPunct(',')) {
    const elements = [first, ...parseExprList(c)];
    c.expectPunct(')');
    return { kind: 'Row', elements, pos: open.start + 1 };
  }
  c.expectPunct(')');
  if (c.isPunct('.')) {
    // (expr).field: a field of a composite value (records returned by set-returning functions)
    const dot = c.next();
    if (c.isPunct('*')) throw featureNotSupported('(expr).* field expansion', c.pos());
    const field = c.colLabel();
    return { kind: 'FieldSelect', arg: first, field, pos: dot.start + 1 };
  }
  return first;
}

/** Words: keywords with special syntax, typed literals, function calls and column references. */
function parseWord(c: Cursor, t: Token): Expr {
  const pos = t.start + 1;
  const nextIsParen = c.isPunct('(', 1);
  switch (t.value) {
    case 'null':
      c.next();
      return { kind: 'Literal', literal: 'null', value: null, pos };
    case 'true':
    case 'false':
      c.next();
      return { kind: 'Literal', literal: 'boolean', value: t.value === 'true', pos };
    case 'case':
      return parseCase(c);
    case 'cast': {
      c.next();
      c.expectPunct('(');
      const arg = parseExpr(c);
      c.expectKw('as');
      const typeName = parseTypeName(c);
      c.expectPunct(')');
      return { kind: 'Cast', arg, typeName, pos };
    }
    case 'exists':
      if (!nextIsParen) break;
      c.next();
      {
        const query = tryParenQuery(c);
        if (!query) return c.fail(c.peek(1));
        return { kind: 'Exists', query, negated: false, pos };
      }
    case 'array':
      return parseArray(c);
    case 'row':
      if (!nextIsParen) break;
      c.next();
      c.next();
      if (c.acceptPunct(')')) return { kind: 'Row', elements: [], pos };
      {
        const elements = parseExprList(c);
        c.expectPunct(')');
        return { kind: 'Row', elements, pos };
      }
    case 'interval':
      if (c.peek(1).kind === 'string' || nextIsParen) return parseIntervalLiteral(c);
      break;
    case 'default':
      return c.fail();
    default:
      if (nextIsParen && SPECIAL_FORMS.has(t.value)) return parseSpecialForm(c);
      if (SQL_VALUE_FUNCTIONS.has(t.value) && !(t.value === 'current_schema' && nextIsParen)) return parseSqlValueFunction(c);
      break;
  }
  const typed = tryTypedLiteral(c);
  if (typed) return typed;
  return parseNameExpr(c);
}

/** `type 'string'`: DATE '2024-01-01', TIMESTAMP(3) WITH TIME ZONE '...', jsonb '{}', int4 '1' ... */
function tryTypedLiteral(c: Cursor): Expr | undefined {
  if (!typedLiteralAhead(c)) return undefined;
  const t = c.tok;
  const save = c.i;
  try {
    const typeName = parseTypeName(c);
    if (c.tok.kind === 'string') {
      const value = c.next().value;
      return { kind: 'TypedLiteral', typeName, value, pos: t.start + 1 };
    }
  } catch {
    // not a type name after all
  }
  c.i = save;
  return undefined;
}

/** Cheap look-ahead (no exceptions) for the shapes a typed literal can take. */
function typedLiteralAhead(c: Cursor): boolean {
  if (!startsTypeName(c)) return false;
  const next = c.peek(1);
  if (next.kind === 'string') return true;
  if (next.kind === 'punct') {
    if (next.value === '.') return c.isColLabel(2) && c.peek(3).kind === 'string';
    if (next.value !== '(') return false;
    // name ( int [, int] ) 'string'
    let k = 2;
    for (;;) {
      if (c.isOp('-', k) || c.isOp('+', k)) k++;
      if (c.peek(k).kind !== 'integer') return false;
      k++;
      if (c.isPunct(',', k)) {
        k++;
        continue;
      }
      if (!c.isPunct(')', k)) return false;
      k++;
      break;
    }
    const after = c.peek(k);
    return after.kind === 'string' || (after.kind === 'ident' && (after.value === 'with' || after.value === 'without'));
  }
  if (next.kind !== 'ident') return false;
  switch (c.tok.value) {
    case 'double': case 'character': case 'char': case 'national': case 'nchar': case 'bit': case 'timestamp': case 'time':
      return true;
    default:
      return false;
  }
}

/** INTERVAL 'value' [fields] | INTERVAL (p) 'value'. A bare number takes the last field as unit. */
function parseIntervalLiteral(c: Cursor): Expr {
  const t = c.next();
  const modifiers: number[] = [];
  if (c.acceptPunct('(')) {
    if (c.tok.kind !== 'integer') c.fail();
    modifiers.push(Number(c.next().value));
    c.expectPunct(')');
  }
  if (c.tok.kind !== 'string') c.fail();
  let value = c.next().value;
  if (isIntervalField(c)) {
    const fields = skipIntervalFields(c);
    if (c.acceptPunct('(')) {
      const p = c.tok;
      if (p.kind !== 'integer') c.fail();
      c.next();
      c.expectPunct(')');
    }
    const unit = fields.split(' ').pop() as string;
    if (/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) value = `${value.trim()} ${unit}`;
  }
  return { kind: 'TypedLiteral', typeName: { name: 'interval', modifiers, pos: t.start + 1 }, value, pos: t.start + 1 };
}

function parseCase(c: Cursor): Expr {
  const pos = c.pos();
  c.next();
  const operand = c.isKw('when') ? undefined : parseExpr(c);
  const whens: { when: Expr; then: Expr }[] = [];
  while (c.acceptKw('when')) {
    const when = parseExpr(c);
    c.expectKw('then');
    whens.push({ when, then: parseExpr(c) });
  }
  if (whens.length === 0) c.fail();
  const elseExpr = c.acceptKw('else') ? parseExpr(c) : undefined;
  c.expectKw('end');
  const e: Expr = { kind: 'Case', whens, pos };
  if (operand) e.operand = operand;
  if (elseExpr) e.else = elseExpr;
  return e;
}

function parseArray(c: Cursor): Expr {
  const pos = c.pos();
  c.next();
  if (c.isPunct('(')) {
    const query = tryParenQuery(c);
    if (!query) c.fail();
    return { kind: 'ArraySubquery', query: query!, pos };
  }
  return parseArrayBrackets(c, pos);
}

function parseArrayBrackets(c: Cursor, pos: number): Expr {
  const open = c.expectPunct('[');
  const elements: Expr[] = [];
  if (!c.isPunct(']')) {
    do {
      // nested ARRAY[[1,2],[3,4]]: inner brackets without the keyword
      elements.push(c.isPunct('[') ? parseArrayBrackets(c, c.pos()) : parseExpr(c));
    } while (c.acceptPunct(','));
  }
  c.expectPunct(']');
  return { kind: 'Array', elements, pos: pos ?? open.start + 1 };
}

/**
 * Identifier chains: `col`, `t.col`, `schema.t.col`, `t.*`, and function calls `f(...)`,
 * `schema.f(...)`.
 */
function parseNameExpr(c: Cursor): Expr {
  const first = c.tok;
  const pos = first.start + 1;
  if (c.isPunct('(', 1)) {
    if (!c.isTypeFuncName()) c.fail();
    c.next();
    return parseFuncCall(c, first.value, undefined, pos);
  }
  if (!c.isColId()) c.fail();
  const parts = [c.next().value];
  while (c.isPunct('.')) {
    if (c.isOp('*', 1)) {
      c.next();
      c.next();
      if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'public')) throw featureNotSupported('a schema-qualified column reference', pos);
      return { kind: 'Star', table: parts[parts.length - 1], pos };
    }
    if (!c.isColLabel(1)) c.fail(c.peek(1));
    c.next();
    const part = c.next();
    if (c.isPunct('(') && parts.length === 1) return parseFuncCall(c, part.value, parts[0], pos);
    parts.push(part.value);
  }
  switch (parts.length) {
    case 1:
      return { kind: 'ColumnRef', column: parts[0], pos };
    case 2:
      return { kind: 'ColumnRef', table: parts[0], column: parts[1], pos };
    default:
      if (parts.length === 3 && parts[0] === 'public') return { kind: 'ColumnRef', table: parts[1], column: parts[2], pos };
      throw featureNotSupported('a schema-qualified column reference', pos);
  }
}
