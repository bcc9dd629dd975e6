/**
 * SessionWindow: assigns each row its session [window_start, window_end) within its partition
 * (the GROUP BY keys above), and re-assigns rows when an out-of-order row bridges two sessions
 * (retracting the old assignment, inserting the new). Downstream, a HashAggregate grouped by the
 * partition and the window columns then sees sessions merge as ordinary retractions.
 *
 *   gap 5: ((u, 1), +1), ((u, 9), +1)  -> ((u, 1, 1, 6), +1), ((u, 9, 9, 14), +1)
 *   then ((u, 5), +1)                   -> retract both, insert (u,1,1,14), (u,5,1,14), (u,9,1,14)
 *
 * State: per partition, the rows of its open sessions. A session whose end the time column's
 * watermark has passed can no longer grow or merge (any later row is at or after the
 * watermark), so its rows are dropped from state: state holds only open sessions.
 */
import type { Row, Value } from '../../sql/values.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { deserialize, encodeRow, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { keyOf, type Key } from '../key-codec.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { sessions } from '../../time/windows.js';

interface Entry {
  time: number;
  row: Row;
  weight: number;
}

interface Partition {
  mapKey: Key;
  key: string;
  values: Value[];
  entries: Entry[];
}

export class SessionWindow implements Operator {
  readonly arity = 1;
  private readonly partitions = new Map<Key, Partition>();
  private readonly dirty = new Set<Partition>();
  private closedBelow = -Infinity;
  private rowCount = 0;
  /** Size of each partition's persisted entry, and their sum (for stateBytes). */
  private readonly entryBytes = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly timeColumn: number,
    private readonly gap: number,
    private readonly partitionBy: CompiledExpr[],
    private readonly watermark: WatermarkFn,
  ) {}

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    const touched = new Map<Partition, Map<string, [Row, number]>>();
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const t = r[this.timeColumn];
      if (typeof t !== 'number' || !Number.isFinite(t)) {
        out.rows.push([...r, null, null]);
        out.weights.push(weights[i]);
        continue;
      }
      if (t < this.closedBelow) {
        ctx.reportRowError(new SqlError(SqlState.DataException, 'change to a session that has already closed; the change was dropped'), r);
        continue;
      }
      let values: Value[];
      try {
        values = this.partitionBy.map((f) => f(r));
      } catch (e) {
        ctx.reportRowError(e, r);
        continue;
      }
      const k = keyOf(values);
      let p = this.partitions.get(k);
      if (p === undefined) {
        p = { mapKey: k, key: typeof k === 'string' ? k : `#${String(k)}`, values, entries: [] };
        this.partitions.set(k, p);
      }
      if (!touched.has(p)) touched.set(p, this.assignment(p));
      this.change(p, t, r, weights[i]);
    }
    for (const [p, before] of touched) {
      diff(before, this.assignment(p), out);
      this.dirty.add(p);
      if (p.entries.length === 0) this.partitions.delete(p.mapKey);
    }
    return out;
  }

  private change(p: Partition, time: number, row: Row, weight: number): void {
    const es = p.entries;
    // Entries stay sorted by time; equal rows share one entry with a multiplicity.
    let lo = 0;
    let hi = es.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (es[mid].time < time) lo = mid + 1;
      else hi = mid;
    }
    const rk = encodeRow(row);
    for (let j = lo; j < es.length && es[j].time === time; j++) {
      if (encodeRow(es[j].row) === rk) {
        es[j].weight += weight;
        if (es[j].weight === 0) {
          es.splice(j, 1);
          this.rowCount--;
        }
        return;
      }
    }
    es.splice(lo, 0, { time, row, weight });
    this.rowCount++;
  }

  /** The partition's current output: encoded output row -> [row, weight]. */
  private assignment(p: Partition): Map<string, [Row, number]> {
    const m = new Map<string, [Row, number]>();
    const es = p.entries;
    if (es.length === 0) return m;
    const { start, end } = sessions(es.map((e) => e.time), this.gap);
    for (let i = 0; i < es.length; i++) {
      const row = [...es[i].row, start[i], end[i]];
      m.set(encodeRow(row), [row, es[i].weight]);
    }
    return m;
  }

  /** Drops the rows of sessions the watermark has closed; emits nothing (they were emitted). */
  advance(ctx: OperatorContext): ChangeBatch {
    const w = this.watermark(ctx);
    if (w > this.closedBelow) {
      this.closedBelow = w;
      for (const [k, p] of this.partitions) {
        const es = p.entries;
        if (es.length === 0 || es[0].time + this.gap > w) continue;
        const { end } = sessions(es.map((e) => e.time), this.gap);
        let n = 0;
        while (n < es.length && end[n] <= w) n++;
        if (n === 0) continue;
        es.splice(0, n);
        this.rowCount -= n;
        this.dirty.add(p);
        if (es.length === 0) this.partitions.delete(k);
      }
    }
    return { rows: [], weights: [] };
  }

  takeDirty(): StateEntry[] {
    const out: StateEntry[] = [];
    for (const p of this.dirty) {
      const value = p.entries.length === 0 ? null : serialize([p.values, p.entries.map((e) => [e.row, e.weight])]);
      out.push({ key: p.key, value });
      this.trackBytes(p.key, value);
    }
    this.dirty.clear();
    return out;
  }

  private trackBytes(key: string, value: string | null): void {
    this.bytes -= this.entryBytes.get(key) ?? 0;
    if (value === null) this.entryBytes.delete(key);
    else {
      const b = key.length + value.length;
      this.entryBytes.set(key, b);
      this.bytes += b;
    }
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { key, value } of entries) {
      if (value === null) continue;
      this.trackBytes(key, value);
      const [values, list] = deserialize(value) as [Value[], [Row, number][]];
      const mapKey = keyOf(values);
      const p: Partition = { mapKey, key, values, entries: list.map(([row, weight]) => ({ time: row[this.timeColumn] as number, row, weight })) };
      p.entries.sort((a, b) => a.time - b.time);
      this.rowCount += p.entries.length;
      this.partitions.set(mapKey, p);
    }
  }

  stateSize(): number {
    return this.rowCount;
  }

  /** One persisted entry per partition holds all its rows: the sum of their sizes, not rows × mean entry. */
  stateBytes(): number {
    return this.bytes;
  }
}

/** Emits the change from one assignment of a partition to the next. */
function diff(before: Map<string, [Row, number]>, after: Map<string, [Row, number]>, out: ChangeBatch): void {
  for (const [k, [row, w]] of before) {
    const a = after.get(k);
    const d = (a === undefined ? 0 : a[1]) - w;
    if (d !== 0) {
      out.rows.push(row);
      out.weights.push(d);
    }
  }
  for (const [k, [row, w]] of after) {
    if (before.has(k)) continue;
    out.rows.push(row);
    out.weights.push(w);
  }
}
