/**
 * Type names in every PostgreSQL spelling, kept as written (lower-case, single-spaced):
 *
 *   "DOUBLE  PRECISION"            -> { name: 'double precision', modifiers: [] }
 *   "varchar(20)"                  -> { name: 'varchar', modifiers: [20] }
 *   "timestamp(3) with time zone"  -> { name: 'timestamp with time zone', modifiers: [3] }
 *   "numeric(10,2)[]"              -> { name: 'numeric', modifiers: [10, 2], array: true }
 *
 * The planner maps names to types; this module only knows the grammar.
 */
import type { TypeName } from '../ast.js';
import type { Cursor } from '../cursor.js';

/** Words that begin a multi-word or keyword type name (checked before generic names). */
const KEYWORD_TYPES = new Set([
  'double', 'character', 'char', 'nchar', 'national', 'varchar', 'bit', 'timestamp', 'time', 'interval',
  'float', 'numeric', 'decimal', 'dec', 'int', 'integer', 'smallint', 'bigint', 'real', 'boolean',
]);

const INTERVAL_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);

/** Whether the current token can start a type name. */
export function startsTypeName(c: Cursor, k = 0): boolean {
  const t = c.peek(k);
  if (t.kind === 'qident') return true;
  if (t.kind !== 'ident') return false;
  return KEYWORD_TYPES.has(t.value) || c.isTypeFuncName(k);
}

export function parseTypeName(c: Cursor): TypeName {
  const first = c.tok;
  const pos = c.pos(first);
  let name: string;
  let modifiers: number[] = [];
  let allowMods = true;

  if (first.kind === 'ident' && KEYWORD_TYPES.has(first.value)) {
    c.next();
    switch (first.value) {
      case 'double':
        // `double` alone (as in RisingWave, MySQL) means double precision.
        c.acceptKw('precision');
        name = 'double precision';
        allowMods = false;
        break;
      case 'national':
        if (!c.isKw('character') && !c.isKw('char')) c.fail();
        name = `national ${c.next().value}`;
        if (c.acceptKw('varying')) name += ' varying';
        break;
      case 'character':
      case 'char':
      case 'nchar':
        name = first.value;
        if (c.acceptKw('varying')) name += ' varying';
        break;
      case 'bit':
        name = 'bit';
        if (c.acceptKw('varying')) name += ' varying';
        break;
      case 'timestamp':
      case 'time': {
        name = first.value;
        if (c.isPunct('(')) modifiers = parseModifiers(c);
        if (c.acceptKws('with', 'time', 'zone')) name += ' with time zone';
        else if (c.acceptKws('without', 'time', 'zone')) name += ' without time zone';
        allowMods = false;
        break;
      }
      case 'interval': {
        name = 'interval';
        // INTERVAL [fields] [(p)]: fields restrict the value; the planner gets the plain type
        skipIntervalFields(c);
        if (c.isPunct('(')) modifiers = parseModifiers(c);
        allowMods = false;
        break;
      }
      case 'int':
      case 'integer':
      case 'smallint':
      case 'bigint':
      case 'real':
      case 'boolean':
        name = first.value;
        allowMods = false;
        break;
      default:
        // varchar, float, numeric, decimal, dec
        name = first.value;
    }
  } else if (c.isTypeFuncName()) {
    name = c.next().value;
    if (c.isPunct('.') && c.isColLabel(1)) {
      c.next();
      const attr = c.next().value;
      name = name === 'pg_catalog' || name === 'public' ? attr : `${name}.${attr}`;
    }
  } else {
    c.fail();
  }

  if (allowMods && c.isPunct('(')) modifiers = parseModifiers(c);

  let array = false;
  for (;;) {
    if (c.isPunct('[')) {
      c.next();
      if (c.tok.kind === 'integer') c.next();
      c.expectPunct(']');
      array = true;
    } else if (c.isKw('array')) {
      c.next();
      if (c.acceptPunct('[')) {
        if (c.tok.kind !== 'integer') c.fail();
        c.next();
        c.expectPunct(']');
      }
      array = true;
    } else {
      break;
    }
  }
  const out: TypeName = { name, modifiers, pos };
  if (array) out.array = true;
  return out;
}

/** `(10, 2)` -> [10, 2]; signed integers only. */
function parseModifiers(c: Cursor): number[] {
  c.expectPunct('(');
  const mods: number[] = [];
  do {
    let sign = 1;
    if (c.isOp('-')) {
      c.next();
      sign = -1;
    } else if (c.isOp('+')) {
      c.next();
    }
    if (c.tok.kind !== 'integer') c.fail();
    mods.push(sign * Number(c.next().value));
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return mods;
}

/** YEAR | MONTH | DAY | HOUR | MINUTE | SECOND [(p)] | X TO Y. Returns the fields text or ''. */
export function skipIntervalFields(c: Cursor): string {
  if (!c.isAnyKw(INTERVAL_FIELDS)) return '';
  let text = c.next().value;
  if (c.acceptKw('to')) {
    if (!c.isAnyKw(INTERVAL_FIELDS)) c.fail();
    text += ` to ${c.next().value}`;
  }
  return text;
}

export function isIntervalField(c: Cursor, k = 0): boolean {
  return c.isAnyKw(INTERVAL_FIELDS, k);
}
