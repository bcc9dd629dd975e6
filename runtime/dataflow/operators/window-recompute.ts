import type { Row, Value } from '../../sql/values.js';
import type { SqlType } from '../../sql/types.js';
import { deserialize, encodeRow, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKeyParts, keyOf, type Key } from '../key-codec.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry } from '../operator.js';

interface Partition {
  /** The partition's input rows by encoding, with multiplicities. */
  rows: Map<string, { row: Row; n: number }>;
  /** The output last emitted for the partition (after a restore: the evaluation of the restored rows). */
  out: Row[];
  key: Key;
  dirty: boolean;
}

/**
 * WindowRecompute: window functions (lag/lead, ranking, aggregates OVER, frames) in a view,
 * kept up to date by recomputing every partition a batch touches. The partition's input rows
 * are kept; its output is recomputed with the batch evaluator (runtime/batch/window.ts), so the
 * view equals its query run ad hoc, and only the difference to the previous output is emitted.
 * Cost per change: O(rows of its partition). (The row_number top-N shape uses TopN instead.)
 *
 *   lag(v) OVER (PARTITION BY k ORDER BY t), insert (a, t2) between (a, t1) and (a, t3):
 *     -> -(a, t3, lag t1), +(a, t2, lag t1), +(a, t3, lag t2)
 *
 * State: one entry per partition, value = serialize([[row, n], ...]).
 */
export class WindowRecompute implements Operator {
  readonly arity = 1;
  private readonly partitions = new Map<Key, Partition>();
  private readonly dirty = new Set<Partition>();

  constructor(
    private readonly partitionBy: readonly CompiledExpr[],
    private readonly partitionTypes: readonly SqlType[],
    private readonly evaluate: (rows: Row[]) => Row[],
  ) {}

  private keyOfRow(row: Row): Key {
    if (this.partitionBy.length === 0) return 0;
    const vals: Value[] = this.partitionBy.map((f) => f(row));
    return keyOf(vals, this.partitionTypes);
  }

  private partitionFor(key: Key): Partition {
    let p = this.partitions.get(key);
    if (p === undefined) {
      p = { rows: new Map(), out: [], key, dirty: false };
      this.partitions.set(key, p);
    }
    return p;
  }

  private inputRows(p: Partition): Row[] {
    const list: Row[] = [];
    for (const e of p.rows.values()) for (let i = 0; i < e.n; i++) list.push(e.row);
    return list;
  }

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const touched = new Set<Partition>();
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i];
      const w = batch.weights[i];
      let key: Key;
      try {
        key = this.keyOfRow(row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      const p = this.partitionFor(key);
      const enc = encodeRow(row);
      const e = p.rows.get(enc);
      const n = (e?.n ?? 0) + w;
      if (n === 0) p.rows.delete(enc);
      else if (e) e.n = n;
      else p.rows.set(enc, { row, n });
      touched.add(p);
    }
    const out: ChangeBatch = { rows: [], weights: [] };
    for (const p of touched) {
      const list = this.inputRows(p);
      let next: Row[];
      try {
        next = list.length === 0 ? [] : this.evaluate(list);
      } catch (e) {
        // The partition keeps its previous output until a later change makes it computable.
        ctx.reportRowError(e, list[0]);
        continue;
      }
      const before = p.out;
      const delta = new Map<string, { row: Row; w: number }>();
      for (const r of before) {
        const k = encodeRow(r);
        const d = delta.get(k);
        if (d) d.w--;
        else delta.set(k, { row: r, w: -1 });
      }
      for (const r of next) {
        const k = encodeRow(r);
        const d = delta.get(k);
        if (d) d.w++;
        else delta.set(k, { row: r, w: 1 });
      }
      for (const d of delta.values()) {
        if (d.w === 0) continue;
        out.rows.push(d.row);
        out.weights.push(d.w);
      }
      p.out = next;
      if (p.rows.size === 0) this.partitions.delete(p.key);
      this.dirty.add(p);
    }
    return out;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const p of this.dirty) {
      const key = encodeKeyParts([p.key]);
      entries.push({ key, value: p.rows.size === 0 ? null : serialize([...p.rows.values()].map((e) => [e.row, e.n])) });
    }
    this.dirty.clear();
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { value } of entries) {
      if (value === null) continue;
      const rows = deserialize(value) as [Row, number][];
      if (rows.length === 0) continue;
      const p = this.partitionFor(this.keyOfRow(rows[0][0]));
      for (const [row, n] of rows) p.rows.set(encodeRow(row), { row, n });
      p.out = this.evaluate(this.inputRows(p));
    }
  }

  stateSize(): number {
    return this.partitions.size;
  }
}
