/**
 * A cursor over one statement's tokens, shared by every grammar module. It knows how to
 * raise PostgreSQL's syntax errors: `syntax error at or near "tok"` at the token's 1-based
 * position, or `syntax error at end of input` at text length + 1.
 */
import { type SqlError, syntaxError } from '../runtime/sql/errors.js';
import { lex, type Token } from './lexer.js';
import { COL_NAME, NON_BARE_LABEL, RESERVED, TYPE_FUNC_NAME } from './keywords.js';
import type { Expr, OrderItem, WindowSpec } from './ast.js';

export type FuncCall = Extract<Expr, { kind: 'FuncCall' }>;

/** A window reference (`OVER w`) waiting for its SELECT's WINDOW clause. */
export interface PendingWindowRef {
  call: FuncCall;
  name: string;
  pos: number;
  /** `OVER (w ORDER BY ...)`: the refinement written after the name. */
  refine?: { orderBy: OrderItem[]; frame?: string };
}

export class Cursor {
  readonly text: string;
  readonly tokens: Token[];
  i: number;
  /** One frame per SELECT being parsed: its window references to resolve. */
  readonly windowScopes: PendingWindowRef[][] = [];
  /** The WINDOW definitions of the SELECT parsed last (its ORDER BY may use them too). */
  lastWindowDefs: ReadonlyMap<string, WindowSpec> = new Map();

  constructor(text: string, tokens: Token[] = lex(text), start = 0) {
    this.text = text;
    this.tokens = tokens;
    this.i = start;
  }

  get tok(): Token {
    return this.tokens[this.i];
  }

  peek(k = 0): Token {
    const j = this.i + k;
    return j < this.tokens.length ? this.tokens[j] : this.tokens[this.tokens.length - 1];
  }

  next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  /** 1-based position of a token (of the current one by default). */
  pos(t: Token = this.tok): number {
    return t.start + 1;
  }

  raw(t: Token): string {
    return this.text.slice(t.start, t.end);
  }

  // ---------------------------------------------------------------- keywords (unquoted words)

  isKw(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.value === word;
  }

  isAnyKw(words: ReadonlySet<string> | readonly string[], k = 0): boolean {
    const t = this.peek(k);
    if (t.kind !== 'ident') return false;
    return Array.isArray(words) ? words.includes(t.value) : (words as ReadonlySet<string>).has(t.value);
  }

  acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Whether the next tokens are exactly this keyword sequence. */
  isKws(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKw(words[k], k)) return false;
    return true;
  }

  /** Accepts a whole keyword sequence or nothing. */
  acceptKws(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKw(words[k], k)) return false;
    this.i += words.length;
    return true;
  }

  expectKw(word: string): Token {
    if (!this.isKw(word)) this.fail();
    return this.next();
  }

  // ---------------------------------------------------------------- punctuation and operators

  isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.value === p;
  }

  acceptPunct(p: string): boolean {
    if (this.isPunct(p)) {
      this.i++;
      return true;
    }
    return false;
  }

  expectPunct(p: string): Token {
    if (!this.isPunct(p)) this.fail();
    return this.next();
  }

  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }

  acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.i++;
      return true;
    }
    return false;
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail();
    return this.next();
  }

  isEof(k = 0): boolean {
    return this.peek(k).kind === 'eof';
  }

  /** End of the statement: end of input, or a final ';' (optionally the last token). */
  atStatementEnd(): boolean {
    return this.isEof() || (this.isPunct(';') && this.isEof(1));
  }

  // ---------------------------------------------------------------- identifiers

  /** ColId: an identifier, a quoted identifier, or an unreserved / column-name keyword. */
  isColId(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'qident') return true;
    return t.kind === 'ident' && !RESERVED.has(t.value) && !TYPE_FUNC_NAME.has(t.value);
  }

  /** type_function_name: identifier or unreserved / type-func keyword. */
  isTypeFuncName(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'qident') return true;
    return t.kind === 'ident' && !RESERVED.has(t.value) && !COL_NAME.has(t.value);
  }

  /** ColLabel: any word at all (after AS, after a dot). */
  isColLabel(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' || t.kind === 'qident';
  }

  /** BareColLabel: a column alias written without AS. */
  isBareLabel(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === 'qident') return true;
    return t.kind === 'ident' && !NON_BARE_LABEL.has(t.value) && !this.isEmitClause(k);
  }

  /** `EMIT CHANGES` / `EMIT ON WINDOW CLOSE` (Eddy): never an alias. */
  isEmitClause(k = 0): boolean {
    return this.isKw('emit', k) && (this.isKw('changes', k + 1) || (this.isKw('on', k + 1) && this.isKw('window', k + 2)));
  }

  colId(): string {
    if (!this.isColId()) this.fail();
    return this.next().value;
  }

  colLabel(): string {
    if (!this.isColLabel()) this.fail();
    return this.next().value;
  }

  /** A comma-separated list of ColIds in parentheses: `(a, b)`. */
  parenNameList(): string[] {
    this.expectPunct('(');
    const names: string[] = [];
    do names.push(this.colId());
    while (this.acceptPunct(','));
    this.expectPunct(')');
    return names;
  }

  // ---------------------------------------------------------------- errors

  /** Throws `syntax error at or near "tok"` (or `at end of input`). */
  fail(t: Token = this.tok): never {
    throw syntaxErrorAt(this.text, t);
  }
}

export function syntaxErrorAt(text: string, t: Token): SqlError {
  if (t.kind === 'eof') return syntaxError('syntax error at end of input', text.length + 1);
  return syntaxError(`syntax error at or near "${text.slice(t.start, t.end)}"`, t.start + 1);
}

