/**
 * The INSERT fast path (PERFORMANCE.md lesson 7): `INSERT INTO name [(cols)] VALUES (...), ...`
 * whose values are all plain literals is scanned character by character, without tokens or
 * the general grammar, into exactly the AST the general path builds (positions included).
 *
 *   "insert into t (a, b) values (1, 'x'), (-2.5, null)"
 *     -> Insert t, columns [a, b], source Values [[1, 'x'], [-2.5, NULL]]
 *
 * Accepted values: integers and decimals (optionally negative), '...' and E'...' strings, NULL,
 * TRUE, FALSE, DEFAULT, $n, each optionally cast with `::name` or `::name(n[, m])`. Anything
 * else (expressions, ON CONFLICT, RETURNING, schema-qualified names, comments, unusual
 * spacing of strings ...) returns undefined and the caller takes the general path, which also
 * produces every error message.
 */
import type { Expr, Statement, TypeName } from './ast.js';
import { COL_NAME, RESERVED, TYPE_FUNC_NAME } from './keywords.js';
import { foldIdentifier, isIdentCont, isIdentStart, scanEscapeString, scanPlainQuoted } from './lexer.js';

type Insert = Extract<Statement, { kind: 'Insert' }>;

/** Keyword type names (column-name keywords) that are a whole type name by themselves. */
const WITH_MODIFIERS = new Set(['varchar', 'float', 'numeric', 'decimal', 'dec']);
const NO_MODIFIERS = new Set(['int', 'integer', 'smallint', 'bigint', 'real', 'boolean']);
/** Unreserved words that begin multi-word type names: left to the general path. */
const MULTI_WORD = new Set(['double', 'national']);

class Bail extends Error {}
const BAIL = new Bail();

/** Returns the Insert, or undefined when the text needs the general parser. */
export function tryFastInsert(text: string): Insert | undefined {
  try {
    return new FastInsertScanner(text).scan();
  } catch (e) {
    if (e === BAIL) return undefined;
    // a lexical error inside a string: let the general path report it
    return undefined;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

class FastInsertScanner {
  private i = 0;

  constructor(private readonly text: string) {}

  scan(): Insert {
    this.space();
    const pos = this.i + 1;
    this.keyword('insert');
    this.space();
    this.keyword('into');
    this.space();
    const table = this.name('col');
    this.space();
    const stmt: Insert = { kind: 'Insert', table, pos };
    if (this.ch() === 40) {
      this.i++;
      const columns: string[] = [];
      for (;;) {
        this.space();
        columns.push(this.name('col'));
        this.space();
        const c = this.ch();
        this.i++;
        if (c === 41) break;
        if (c !== 44) throw BAIL;
      }
      stmt.columns = columns;
      this.space();
    }
    const valuesPos = this.i + 1;
    this.keyword('values');
    const rows: Expr[][] = [];
    let width = -1;
    for (;;) {
      this.space();
      if (this.ch() !== 40) throw BAIL;
      this.i++;
      const row: Expr[] = [];
      for (;;) {
        this.space();
        row.push(this.value());
        this.space();
        const c = this.ch();
        this.i++;
        if (c === 41) break;
        if (c !== 44) throw BAIL;
      }
      if (width < 0) width = row.length;
      else if (row.length !== width) throw BAIL;
      rows.push(row);
      this.space();
      if (this.ch() !== 44) break;
      this.i++;
    }
    if (this.ch() === 59) {
      this.i++;
      this.space();
    }
    if (this.i < this.text.length) throw BAIL;
    stmt.source = { kind: 'Values', rows, orderBy: [], pos: valuesPos };
    return stmt;
  }

  private ch(): number {
    return this.text.charCodeAt(this.i);
  }

  /** Whitespace only: comments go to the general path. */
  private space(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12) this.i++;
      else if (c === 45 && t.charCodeAt(this.i + 1) === 45) throw BAIL;
      else if (c === 47 && t.charCodeAt(this.i + 1) === 42) throw BAIL;
      else return;
    }
  }

  /** A case-insensitive keyword followed by a non-identifier character. */
  private keyword(word: string): void {
    const t = this.text;
    const n = word.length;
    for (let k = 0; k < n; k++) {
      if ((t.charCodeAt(this.i + k) | 0x20) !== word.charCodeAt(k)) throw BAIL;
    }
    if (isIdentCont(t.charCodeAt(this.i + n))) throw BAIL;
    this.i += n;
  }

  /** A plain word (no schema): an unquoted or "quoted" ColId, or an unquoted simple type name. */
  private name(kind: 'col' | 'type'): string {
    const t = this.text;
    const start = this.i;
    const c = t.charCodeAt(start);
    let name: string;
    if (c === 34) {
      if (kind === 'type') throw BAIL;
      const close = t.indexOf('"', start + 1);
      if (close < 0 || t.charCodeAt(close + 1) === 34 || close === start + 1) throw BAIL;
      name = t.slice(start + 1, close);
      this.i = close + 1;
    } else {
      if (!isIdentStart(c) || c >= 128) throw BAIL;
      let j = start + 1;
      while (j < t.length && isIdentCont(t.charCodeAt(j))) j++;
      name = foldIdentifier(t.slice(start, j));
      if (RESERVED.has(name)) throw BAIL;
      if (kind === 'col') {
        if (TYPE_FUNC_NAME.has(name)) throw BAIL;
      } else if (COL_NAME.has(name) ? !WITH_MODIFIERS.has(name) && !NO_MODIFIERS.has(name) : MULTI_WORD.has(name)) {
        throw BAIL;
      }
      this.i = j;
    }
    if (t.charCodeAt(this.i) === 46) throw BAIL; // schema.name
    return name;
  }

  private value(): Expr {
    const t = this.text;
    const start = this.i;
    const c = t.charCodeAt(start);
    let e: Expr;
    if (c === 39) {
      const [value, end] = scanPlainQuoted(t, start + 1, start);
      this.i = end;
      e = { kind: 'Literal', literal: 'string', value, pos: start + 1 };
    } else if ((c === 69 || c === 101) && t.charCodeAt(start + 1) === 39) {
      const [value, end] = scanEscapeString(t, start + 2, start);
      this.i = end;
      e = { kind: 'Literal', literal: 'string', value, pos: start + 1 };
    } else if (isDigit(c) || c === 46 || c === 45) {
      e = this.number();
    } else if (c === 36) {
      let j = start + 1;
      while (isDigit(t.charCodeAt(j))) j++;
      if (j === start + 1 || isIdentCont(t.charCodeAt(j))) throw BAIL;
      e = { kind: 'Param', index: Number(t.slice(start + 1, j)), pos: start + 1 };
      this.i = j;
    } else if (isIdentStart(c)) {
      let j = start + 1;
      while (j < t.length && isIdentCont(t.charCodeAt(j))) j++;
      const word = foldIdentifier(t.slice(start, j));
      this.i = j;
      switch (word) {
        case 'null':
          e = { kind: 'Literal', literal: 'null', value: null, pos: start + 1 };
          break;
        case 'true':
        case 'false':
          e = { kind: 'Literal', literal: 'boolean', value: word === 'true', pos: start + 1 };
          break;
        case 'default': {
          const save = this.i;
          this.space();
          const next = this.ch();
          if (next !== 44 && next !== 41) throw BAIL;
          this.i = save;
          return { kind: 'Default', pos: start + 1 };
        }
        default:
          throw BAIL;
      }
    } else {
      throw BAIL;
    }
    return this.casts(e);
  }

  /** [-] digits [. digits] [e [+-] digits] | [-] . digits */
  private number(): Expr {
    const t = this.text;
    const pos = this.i + 1;
    let negative = false;
    if (t.charCodeAt(this.i) === 45) {
      if (t.charCodeAt(this.i + 1) === 45) throw BAIL;
      negative = true;
      this.i++;
      while (t.charCodeAt(this.i) === 32) this.i++;
    }
    const start = this.i;
    let decimal = false;
    while (isDigit(t.charCodeAt(this.i))) this.i++;
    if (t.charCodeAt(this.i) === 46) {
      if (t.charCodeAt(this.i + 1) === 46) throw BAIL;
      decimal = true;
      this.i++;
      while (isDigit(t.charCodeAt(this.i))) this.i++;
    }
    if (this.i === start || (this.i === start + 1 && decimal)) throw BAIL; // no digits at all
    const e = t.charCodeAt(this.i);
    if (e === 69 || e === 101) {
      let j = this.i + 1;
      if (t.charCodeAt(j) === 43 || t.charCodeAt(j) === 45) j++;
      if (!isDigit(t.charCodeAt(j))) throw BAIL;
      while (isDigit(t.charCodeAt(j))) j++;
      this.i = j;
      decimal = true;
    }
    if (isIdentStart(t.charCodeAt(this.i))) throw BAIL;
    const digits = t.slice(start, this.i);
    // the general path folds the sign into the literal (and may cast first: -1::int is -(1::int))
    if (negative && t.charCodeAt(this.i) === 58 && t.charCodeAt(this.i + 1) === 58) throw BAIL;
    return { kind: 'Literal', literal: decimal ? 'decimal' : 'integer', value: negative ? `-${digits}` : digits, pos };
  }

  /** value [::type [(n[, m])]] ... */
  private casts(e: Expr): Expr {
    const t = this.text;
    while (t.charCodeAt(this.i) === 58 && t.charCodeAt(this.i + 1) === 58) {
      const pos = this.i + 1;
      this.i += 2;
      this.space();
      const typePos = this.i + 1;
      const name = this.name('type');
      const typeName: TypeName = { name, modifiers: [], pos: typePos };
      const save = this.i;
      this.space();
      if (this.ch() === 40) {
        if (NO_MODIFIERS.has(name)) throw BAIL;
        this.i++;
        for (;;) {
          this.space();
          const s = this.i;
          while (isDigit(t.charCodeAt(this.i))) this.i++;
          if (this.i === s) throw BAIL;
          typeName.modifiers.push(Number(t.slice(s, this.i)));
          this.space();
          const c = this.ch();
          this.i++;
          if (c === 41) break;
          if (c !== 44) throw BAIL;
        }
      } else {
        this.i = save;
      }
      if (this.ch() === 91) throw BAIL; // arrays
      e = { kind: 'Cast', arg: e, typeName, pos };
    }
    return e;
  }
}
