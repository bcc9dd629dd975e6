/**
 * WindowCloseBuffer: EMIT ON WINDOW CLOSE. Holds the net changes of each open window (rows keyed
 * by their window column) and emits a window's rows once, when the watermark of that column
 * passes the window's value; after that the window's rows never change.
 *
 *   column 1 = window_start, watermark 12:02
 *   push [((home, 12:00, 3), +1), ((home, 12:02, 1), +1), ((home, 12:00, 3), -1), ((home, 12:00, 4), +1)]
 *   advance -> [((home, 12:00, 4), +1)]      (12:02's row waits for the watermark to pass 12:02)
 *
 * State: one entry per buffered row: key = window value + encoded row, value = [row, weight].
 */
import type { Row } from '../../sql/values.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { deserialize, encodeRow, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import type { Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { WindowIndex } from '../window-index.js';

/** State key of the closed bound (window keys start with a number). */
const CLOSED_KEY = '~closed';

interface Pending {
  key: string;
  row: Row;
  weight: number;
}

export class WindowCloseBuffer implements Operator {
  readonly arity = 1;
  /** Per window value: its buffered rows by encoded row. */
  private readonly open = new Map<number, Map<string, Pending>>();
  private readonly windows = new WindowIndex<number>();
  private dirty = new Map<string, Pending | null>();
  private count = 0;
  /** The watermark windows were last closed at; persisted so a restored buffer still refuses them. */
  private closedBelow = -Infinity;
  private closedDirty = false;

  constructor(private readonly column: number, private readonly watermark: WatermarkFn) {}

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const v = row[this.column];
      if (typeof v !== 'number') {
        ctx.reportRowError(new SqlError(SqlState.NullValueNotAllowed, 'a row without a window value cannot be emitted on window close'), row);
        continue;
      }
      if (this.windows.isClosed(v)) {
        ctx.reportRowError(new SqlError(SqlState.DataException, 'change to a window that was already emitted on window close; the change was dropped'), row);
        continue;
      }
      this.add(v, row, weights[i]);
    }
    return { rows: [], weights: [] };
  }

  private add(v: number, row: Row, weight: number): void {
    let rowsOf = this.open.get(v);
    if (rowsOf === undefined) {
      this.open.set(v, (rowsOf = new Map()));
      this.windows.add(v, v);
    }
    const rk = encodeRow(row);
    const key = `${v}|${rk}`;
    let p = rowsOf.get(rk);
    if (p === undefined) {
      rowsOf.set(rk, (p = { key, row, weight: 0 }));
      this.count++;
    }
    p.weight += weight;
    if (p.weight === 0) {
      rowsOf.delete(rk);
      this.count--;
      this.dirty.set(key, null);
    } else this.dirty.set(key, p);
  }

  advance(ctx: OperatorContext): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    const w = this.watermark(ctx);
    if (w > this.closedBelow) {
      this.closedBelow = w;
      this.closedDirty = true;
    }
    this.windows.close(w, (v) => {
      const rowsOf = this.open.get(v);
      if (rowsOf === undefined) return;
      this.open.delete(v);
      for (const p of rowsOf.values()) {
        out.rows.push(p.row);
        out.weights.push(p.weight);
        this.dirty.set(p.key, null);
        this.count--;
      }
    });
    return out;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const [key, p] of this.dirty) entries.push({ key, value: p === null ? null : serialize([p.row, p.weight]) });
    this.dirty = new Map();
    if (this.closedDirty) {
      entries.push({ key: CLOSED_KEY, value: String(this.closedBelow) });
      this.closedDirty = false;
    }
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    let closed = -Infinity;
    for (const { key, value } of entries) {
      if (value === null) continue;
      if (key === CLOSED_KEY) {
        closed = Number(value);
        continue;
      }
      const [row, weight] = deserialize(value) as [Row, number];
      this.add(Number(key.slice(0, key.indexOf('|'))), row, weight);
    }
    // Restored rows are all of open windows (>= the bound), so this only re-arms isClosed.
    this.closedBelow = closed;
    this.windows.close(closed, () => {});
    this.dirty = new Map();
  }

  stateSize(): number {
    return this.count;
  }
}
