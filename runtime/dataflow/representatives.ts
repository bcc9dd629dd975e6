/**
 * Representations of one SQL-equal value. Grouping equality is coarser than identity (numeric
 * 1.5 = 1.50, float -0 = 0, bpchar 'a ' = 'a', interval '1 mon' = '30 days'), so a group, a
 * DISTINCT value or a min/max entry may be fed several representations. PostgreSQL shows
 * whichever its plan met first, which depends on row order; an incremental operator fed the same
 * rows in other epoch splits must not depend on order, so the holder keeps every representation's
 * multiplicity and shows the *canonical* one among those present: the shortest encoding
 * (value-codec), then the lexicographically smallest. That picks 1.5 over 1.50, 0 over -0, 'a' over
 * 'a  ', and is the same whatever the arrival order. Almost always the list has one element.
 *
 *   reps [] ; add(1.50,+1) ; add(1.5,+1)  ->  shows 1.5 ;  add(1.5,-1)  ->  shows 1.50
 *
 * A batch executor that groups rows itself should pick representatives with `preferRepresentation`
 * to show exactly what the incremental operators show.
 */
import type { Row, Value } from '../sql/values.js';
import { encodeRow } from '../storage/value-codec.js';

export interface Rep<T> {
  value: T;
  n: number;
}

/**
 * Adds w copies of `value` (matched by `same`); drops representations whose count reaches 0.
 * A new representation is stored as copy(value) (e.g. to copy a reused scratch array).
 */
export function addRep<T>(reps: Rep<T>[], value: T, w: number, same: (a: T, b: T) => boolean, copy?: (v: T) => T): void {
  for (let i = 0; i < reps.length; i++) {
    const r = reps[i];
    if (same(r.value, value)) {
      r.n += w;
      if (r.n === 0) reps.splice(i, 1);
      return;
    }
  }
  reps.push({ value: copy ? copy(value) : value, n: w });
}

/** Orders two encodings: shorter first, then lexicographically. */
function compareEncodings(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True if representation `a` is preferred over the SQL-equal `b` (see the module comment). */
export function preferRepresentation(a: Row, b: Row): boolean {
  return compareEncodings(encodeRow(a), encodeRow(b)) < 0;
}

/** The canonical representation among those with a positive count, or undefined if none. */
export function shownRep<T extends Value | Row>(reps: readonly Rep<T>[], isRow: boolean): T | undefined {
  let best: T | undefined = undefined;
  let bestEnc: string | undefined = undefined;
  for (let i = 0; i < reps.length; i++) {
    const r = reps[i];
    if (r.n <= 0) continue;
    if (best === undefined) {
      best = r.value;
      continue;
    }
    if (bestEnc === undefined) bestEnc = encodeRow(isRow ? (best as Row) : [best as Value]);
    const enc = encodeRow(isRow ? (r.value as Row) : [r.value as Value]);
    if (compareEncodings(enc, bestEnc) < 0) {
      best = r.value;
      bestEnc = enc;
    }
  }
  return best;
}
