/** The table named by INSERT / UPDATE / DELETE: `name` or `public.name`. */
import { undefinedTable } from '../../runtime/sql/errors.js';
import type { Cursor } from '../cursor.js';

export function parseDmlTarget(c: Cursor): { name: string; pos: number } {
  const t = c.tok;
  const first = c.colId();
  if (c.isPunct('.')) {
    if (!c.isColLabel(1)) c.fail(c.peek(1));
    c.next();
    const name = c.next().value;
    if (first !== 'public') throw undefinedTable(`${first}.${name}`, t.start + 1);
    return { name, pos: t.start + 1 };
  }
  return { name: first, pos: t.start + 1 };
}

/** [[AS] alias] where a bare alias is any ColId except `stop` words (SET for UPDATE). */
export function parseDmlAlias(c: Cursor, stop: string[]): string | undefined {
  if (c.acceptKw('as')) return c.colId();
  if (c.isColId() && !c.isAnyKw(stop)) return c.next().value;
  return undefined;
}
