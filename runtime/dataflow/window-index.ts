/**
 * Open windows by their window value (a timestamp, µs), for closing them in order as the
 * watermark passes: close(w) hands over every item whose value is < w, oldest first, and from
 * then on isClosed(v) is true for any v < w. Values that are not numbers (NULL) never close.
 *
 * The number of distinct open window values is small (windows in flight), so a sorted array of
 * them with a Map of items per value is enough.
 */
import type { Value } from '../sql/values.js';

export class WindowIndex<T> {
  private readonly byValue = new Map<number, T[]>();
  /** Distinct open values, ascending. */
  private readonly values: number[] = [];
  private closedBelow = -Infinity;

  /** Whether a window with value v has closed already. */
  isClosed(v: Value): boolean {
    return typeof v === 'number' && v < this.closedBelow;
  }

  add(v: Value, item: T): void {
    if (typeof v !== 'number') return;
    const list = this.byValue.get(v);
    if (list !== undefined) {
      list.push(item);
      return;
    }
    this.byValue.set(v, [item]);
    const vs = this.values;
    let lo = 0;
    let hi = vs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vs[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    vs.splice(lo, 0, v);
  }

  /** Closes every window with value < w (w never goes back; a lower w is ignored). */
  close(w: number, onClose: (item: T, value: number) => void): void {
    if (!(w > this.closedBelow)) return;
    this.closedBelow = w;
    const vs = this.values;
    let n = 0;
    while (n < vs.length && vs[n] < w) {
      const v = vs[n];
      const items = this.byValue.get(v) as T[];
      this.byValue.delete(v);
      for (const it of items) onClose(it, v);
      n++;
    }
    if (n > 0) vs.splice(0, n);
  }
}
