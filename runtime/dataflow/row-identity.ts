/**
 * Representation identity of values and rows: the equality under which a multiset of rows counts
 * copies (an insertion is cancelled only by a retraction of the very same row). It agrees with
 * value-codec's encodeRow: sameRow(a, b) <=> encodeRow(a) === encodeRow(b). Numbers compare with
 * Object.is (NaN is NaN, -0 is not 0), numerics by value and display scale, intervals field by
 * field, jsonb structurally (object key order included).
 *
 * SQL grouping equality (1.5 = 1.50, -0 = 0) is a different, coarser relation: see key-codec.ts.
 */
import { Decimal } from '../sql/decimal.js';
import { Interval } from '../sql/interval.js';
import type { Row, Value } from '../sql/values.js';

export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return typeof a !== 'number' || a !== 0 || Object.is(a, b);
  if (typeof a === 'number') return a !== a && typeof b === 'number' && b !== b;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (a instanceof Decimal) return b instanceof Decimal && a.scale === b.scale && a.cmp(b) === 0;
  if (a instanceof Interval) return b instanceof Interval && a.identical(b);
  return sameJson(a, b);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || a !== 0 || Object.is(a, b);
  if (typeof a === 'number') return a !== a && typeof b === 'number' && b !== b;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  // Numerics and intervals inside arrays and records compare as values do (not as objects).
  if (a instanceof Decimal || a instanceof Interval) return sameValue(a as Value, b as Value);
  if (Array.isArray(b) || b instanceof Decimal || b instanceof Interval) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!sameJson((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

export function sameRow(a: Row, b: Row): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}
