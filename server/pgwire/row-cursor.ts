/**
 * RowCursor: a resumable read position over a statement's rows, which come either as an array
 * or as an async iterable of row batches. Execute with a row limit reads a few rows and leaves the
 * cursor where it stopped; the next Execute on the same portal continues from there.
 *
 *   const c = new RowCursor([[1], [2], [3]]);
 *   await c.fetch(2, emit, pace)   // emits [1], [2]; returns 2; c.done === false
 *   await c.fetch(2, emit, pace)   // emits [3];      returns 1; c.done === true
 */
import type { Row } from '../../runtime/sql/values.js';

/** Called after each async batch: flushes output, applies backpressure, observes cancellation. */
export type Pace = () => Promise<void> | void;

/** Rows emitted from an array between two calls of the pace function. */
const ARRAY_SLICE = 4096;

export class RowCursor {
  private readonly array: Row[] | null;
  private readonly iterable: AsyncIterable<Row[]> | null;
  private iterator: AsyncIterator<Row[]> | null = null;
  private batch: Row[] = [];
  private index = 0;
  private finished = false;

  /**
   * `endless` (SUBSCRIBE): a limited fetch returns as soon as it has emitted rows and the batch at
   * hand is used up, instead of waiting for `limit` rows that may come much later (the client
   * gets PortalSuspended and asks again).
   */
  constructor(rows: AsyncIterable<Row[]> | Row[], private readonly endless = false) {
    if (Array.isArray(rows)) {
      this.array = rows;
      this.iterable = null;
    } else {
      this.array = null;
      this.iterable = rows;
    }
  }

  get done(): boolean {
    return this.finished;
  }

  /** Emits up to `limit` rows (Infinity: all). Returns how many rows were emitted. */
  async fetch(limit: number, emit: (row: Row) => void, pace: Pace): Promise<number> {
    if (this.array !== null) return this.fetchArray(this.array, limit, emit, pace);
    let n = 0;
    while (n < limit) {
      if (this.index < this.batch.length) {
        const end = Math.min(this.batch.length, this.index + (limit - n));
        for (let i = this.index; i < end; i++) emit(this.batch[i]);
        n += end - this.index;
        this.index = end;
        continue;
      }
      if (this.finished) break;
      if (this.endless && n > 0) break;
      this.iterator ??= this.iterable![Symbol.asyncIterator]();
      const r = await this.iterator.next();
      if (r.done) {
        this.finished = true;
        this.iterator = null;
        break;
      }
      this.batch = r.value;
      this.index = 0;
      await pace();
    }
    return n;
  }

  /** Arrays are emitted in slices so a huge result still flushes, drains and observes cancel. */
  private async fetchArray(rows: Row[], limit: number, emit: (row: Row) => void, pace: Pace): Promise<number> {
    let n = 0;
    while (n < limit && this.index < rows.length) {
      const end = Math.min(rows.length, this.index + Math.min(limit - n, ARRAY_SLICE));
      for (let i = this.index; i < end; i++) emit(rows[i]);
      n += end - this.index;
      this.index = end;
      if (n < limit && this.index < rows.length) {
        const p = pace();
        if (p !== undefined) await p;
      }
    }
    if (this.index >= rows.length) this.finished = true;
    return n;
  }

  /** Releases the underlying iterator early (portal closed or connection gone). Never throws. */
  close(): void {
    this.finished = true;
    const it = this.iterator;
    this.iterator = null;
    if (it?.return) {
      try {
        void Promise.resolve(it.return()).catch(() => undefined);
      } catch {
        // An iterator whose return() throws synchronously has nothing left to release.
      }
    }
  }
}
