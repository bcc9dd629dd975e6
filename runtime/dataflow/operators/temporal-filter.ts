import type { Row } from '../../sql/values.js';
import { deserialize, encodeRow, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry } from '../operator.js';

/** `time(row) <op> now() + offset` (offset in µs; now() is the epoch's processing time). */
export interface TemporalBound {
  time: CompiledExpr;
  op: '<' | '<=' | '>' | '>=' | '=';
  offset: number;
}

interface Entry {
  key: string;
  row: Row;
  /** Multiplicity (may be transiently negative if a retraction arrives before its insertion). */
  n: number;
  /** The row is visible while validFrom <= processing time < validUntil (µs, ±Infinity allowed). */
  validFrom: number;
  validUntil: number;
  /** Emitted downstream (invariant after every tick: shown <=> validFrom <= clock). */
  shown: boolean;
  /** Removed from the index (heap items pointing at it are stale). */
  dead: boolean;
  dirty: boolean;
}

interface Wakeup {
  at: number;
  entry: Entry;
}

const CLOCK_KEY = 'clock';

/**
 * TemporalFilter: the conjuncts `time <op> now() ± interval` of a materialized view's WHERE, with
 * now() the processing time P of the epoch (ctx.processingTime). Each row's bounds give a validity
 * interval [validFrom, validUntil) in µs; the row is emitted while validFrom <= P < validUntil,
 * held (not emitted) while P < validFrom, and retracted once P >= validUntil, with no further input:
 * nextWakeup() is the earliest pending validFrom/validUntil, and the engine runs an epoch then.
 * So the MV equals its query evaluated at the processing time of the last epoch.
 *
 *   ts > now() - 1 h, P = 10:00:   [(ts 09:30, +1)]                -> [(ts 09:30, +1)]
 *   advance at P = 10:30:00.000001                                  -> [(ts 09:30, -1)]
 *   ts <= now(), P = 10:00:        [(ts 10:05, +1)]                 -> []   (held)
 *   advance at P = 10:05                                            -> [(ts 10:05, +1)]
 *   a retraction of a held row drops it; of a shown row retracts it; of an expired row is ignored.
 *
 * The clock is the largest processing time seen (a wall clock stepping back never un-shows rows);
 * time moves before a batch's rows are applied. Rows whose time is NULL, or whose interval is
 * empty or already over, are dropped. Held: rows still to appear, and shown rows still to expire
 * (a shown row with no upper limit passes through and is forgotten). State: key = encodeRow(row), value = serialize([row, n,
 * validFrom, validUntil]), plus key 'clock' = the clock.
 */
export class TemporalFilter implements Operator {
  readonly arity = 1;
  private readonly index = new Map<string, Entry>();
  /** Min-heap of the next event (validFrom if not shown, else validUntil) of live entries; lazily cleaned. */
  private readonly heap: Wakeup[] = [];
  private clock = -Infinity;
  private clockDirty = false;
  private readonly dirty: Entry[] = [];

  constructor(private readonly bounds: TemporalBound[]) {}

  /** [validFrom, validUntil) of a row; null when its time is NULL. Throws what a bound's expression throws. */
  private validity(row: Row): [number, number] | null {
    let from = -Infinity;
    let until = Infinity;
    for (const b of this.bounds) {
      const t = b.time(row);
      if (t === null) return null;
      const x = (t as number) - b.offset; // time op P + offset  <=>  P op' x
      switch (b.op) {
        case '>': until = Math.min(until, x); break; // P < x
        case '>=': until = Math.min(until, x + 1); break; // P <= x
        case '<': from = Math.max(from, x + 1); break; // P > x
        case '<=': from = Math.max(from, x); break; // P >= x
        case '=': from = Math.max(from, x); until = Math.min(until, x + 1); break;
      }
    }
    return [from, until];
  }

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const out = this.tick(ctx.processingTime);
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const row = rows[i];
      let v: [number, number] | null;
      try {
        v = this.validity(row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      if (v === null) continue;
      const [from, until] = v;
      // Never visible from now on: not stored (a later retraction of it is ignored the same way).
      if (until <= this.clock || from >= until) continue;
      if (from <= this.clock && until === Infinity) {
        // Visible from now on: nothing to remember (a retraction of it passes through the same way).
        out.rows.push(row);
        out.weights.push(w);
        continue;
      }
      const key = encodeRow(row);
      let e = this.index.get(key);
      if (e === undefined) {
        e = { key, row, n: 0, validFrom: from, validUntil: until, shown: from <= this.clock, dead: false, dirty: false };
        this.index.set(key, e);
        this.schedule(e);
      }
      e.n += w;
      if (e.shown) {
        out.rows.push(row);
        out.weights.push(w);
      }
      if (e.n === 0) this.remove(e);
      this.markDirty(e);
    }
    return out;
  }

  advance(ctx: OperatorContext): ChangeBatch {
    return this.tick(ctx.processingTime);
  }

  nextWakeup(): number {
    this.cleanTop();
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  /** Moves the clock to `now` (never back) and emits the rows that appear or expire by then. */
  private tick(now: number): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    if (!(now > this.clock)) return out;
    this.clock = now;
    this.clockDirty = true;
    for (;;) {
      this.cleanTop();
      const top = this.heap[0];
      if (top === undefined || top.at > now) break;
      this.pop();
      const e = top.entry;
      if (!e.shown && e.validUntil > now) {
        e.shown = true;
        out.rows.push(e.row);
        out.weights.push(e.n);
        if (e.validUntil !== Infinity) {
          this.schedule(e);
          continue;
        }
        // Visible for good: forget it, as push() does for such rows.
      } else if (e.shown) {
        out.rows.push(e.row);
        out.weights.push(-e.n);
      }
      this.remove(e);
      this.markDirty(e);
    }
    return out;
  }

  private remove(e: Entry): void {
    e.dead = true;
    if (this.index.get(e.key) === e) this.index.delete(e.key);
  }

  private markDirty(e: Entry): void {
    if (e.dirty) return;
    e.dirty = true;
    this.dirty.push(e);
  }

  private nextEvent(e: Entry): number {
    return e.shown ? e.validUntil : e.validFrom;
  }

  private schedule(e: Entry): void {
    const at = this.nextEvent(e);
    if (at === Infinity) return;
    const h = this.heap;
    h.push({ at, entry: e });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Wakeup;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].at < h[m].at) m = l;
      if (r < h.length && h[r].at < h[m].at) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }

  /** Drops heap items of removed entries or of events already handled. */
  private cleanTop(): void {
    while (this.heap.length > 0) {
      const { at, entry } = this.heap[0];
      if (!entry.dead && at === this.nextEvent(entry)) return;
      this.pop();
    }
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    // Deletions first: a row removed and re-added within an epoch is two Entry objects.
    for (const e of this.dirty) if (e.dead) entries.push({ key: e.key, value: null });
    for (const e of this.dirty) {
      e.dirty = false;
      if (!e.dead) entries.push({ key: e.key, value: serialize([e.row, e.n, e.validFrom, e.validUntil]) });
    }
    this.dirty.length = 0;
    if (this.clockDirty) {
      this.clockDirty = false;
      entries.push({ key: CLOCK_KEY, value: serialize(this.clock) });
    }
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    const rows: [string, [Row, number, number, number]][] = [];
    for (const { key, value } of entries) {
      if (value === null) continue;
      if (key === CLOCK_KEY) this.clock = deserialize(value) as number;
      else rows.push([key, deserialize(value) as [Row, number, number, number]]);
    }
    for (const [key, [row, n, validFrom, validUntil]] of rows) {
      const e: Entry = { key, row, n, validFrom, validUntil, shown: validFrom <= this.clock, dead: false, dirty: false };
      this.index.set(key, e);
      this.schedule(e);
    }
  }

  stateSize(): number {
    return this.index.size;
  }
}
