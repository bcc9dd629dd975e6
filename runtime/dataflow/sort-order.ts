/**
 * The total order of rows within a window partition, shared by the batch Window executor and
 * the incremental TopN so that row_number() means the same thing in both: the ORDER BY keys (SQL
 * comparison, NULLS FIRST/LAST as requested), then, among rows the keys do not distinguish, the
 * row's value-codec encoding (a stable, representation-sensitive tie-break).
 *
 *   keys [v DESC]:  (a, 5) < (b, 3);  (a, 5) vs (c, 5) -> tie on v -> encodeRow decides
 */
import type { Value } from '../sql/values.js';
import type { CompareFn } from '../expr/ir.js';

export interface SortSpec {
  desc: boolean;
  nullsFirst: boolean;
  cmp: CompareFn;
}

/** Compares two tuples of sort-key values (one value per spec). */
export function compareSortValues(specs: readonly SortSpec[], a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < specs.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return (x === null) === specs[i].nullsFirst ? -1 : 1;
    }
    const c = specs[i].cmp(x, y);
    if (c !== 0) return specs[i].desc ? -c : c;
  }
  return 0;
}

/** The tie-break between rows equal on the sort keys: their encodings, compared as strings. */
export function compareEncodings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
