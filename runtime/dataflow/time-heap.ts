/**
 * TimeHeap: items by a time value (µs), for evicting everything older than a threshold in time
 * order as a watermark advances. A binary min-heap: O(log n) per add and per eviction, for any
 * number of distinct times (an interval join stores one per row, so WindowIndex's sorted array of
 * distinct values would cost O(n) per insert).
 *
 *   add(10, a); add(5, b); add(20, c)
 *   popBelow(15, f)  ->  f(b, 5), f(a, 10)      (c stays)
 *
 * Items are never removed early: the owner marks dead items itself and ignores them when popped.
 */
export class TimeHeap<T> {
  private readonly times: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.times.length;
  }

  add(time: number, item: T): void {
    const ts = this.times;
    const xs = this.items;
    let i = ts.length;
    ts.push(time);
    xs.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ts[parent] <= time) break;
      ts[i] = ts[parent];
      xs[i] = xs[parent];
      i = parent;
    }
    ts[i] = time;
    xs[i] = item;
  }

  /** Removes every item with time < threshold, oldest first, handing each to `f`. */
  popBelow(threshold: number, f: (item: T, time: number) => void): void {
    const ts = this.times;
    while (ts.length > 0 && ts[0] < threshold) {
      const time = ts[0];
      f(this.pop(), time);
    }
  }

  /** Removes every item with time <= threshold, oldest first, handing each to `f`. */
  popUpTo(threshold: number, f: (item: T, time: number) => void): void {
    const ts = this.times;
    while (ts.length > 0 && ts[0] <= threshold) {
      const time = ts[0];
      f(this.pop(), time);
    }
  }

  private pop(): T {
    const ts = this.times;
    const xs = this.items;
    const top = xs[0];
    const lastT = ts.pop() as number;
    const lastX = xs.pop() as T;
    const n = ts.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && ts[c + 1] < ts[c]) c++;
      if (ts[c] >= lastT) break;
      ts[i] = ts[c];
      xs[i] = xs[c];
      i = c;
    }
    ts[i] = lastT;
    xs[i] = lastX;
    return top;
  }
}
