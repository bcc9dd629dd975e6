/**
 * What a batch of epochs does to a keyed target table: per key, the net effect of all its changes.
 * The batch is applied in one transaction, so netting over the whole batch (rather than epoch by
 * epoch) yields the same final state with fewer statements:
 *
 *   key k: -r0 +r1 (epoch 1), -r1 +r2 (epoch 2)   -> upsert r2
 *   key k: +r1 (epoch 1), -r1 (epoch 2)           -> nothing (k was absent before and after)
 *   key k: -r0 (epoch 1)                          -> delete k
 *
 * Keys whose changes cancel out entirely are skipped.
 */
import type { SinkBatch } from '../runtime/connector/sink.js';
import type { Row } from '../runtime/sql/values.js';
import { encodeRow } from '../runtime/storage/value-codec.js';

export interface NetChanges {
  /** Rows to insert or overwrite, one per key. */
  upserts: Row[];
  /** Key values (in key column order) to delete. */
  deletes: Row[];
}

export function netByKey(batch: SinkBatch, key: readonly number[]): NetChanges {
  const byKey = new Map<string, { keyRow: Row; net: Map<string, { row: Row; w: number }> }>();
  for (const { changes } of batch.epochs) {
    for (const c of changes) {
      const keyRow = key.map((i) => c.row[i]);
      const k = encodeRow(keyRow);
      let e = byKey.get(k);
      if (e === undefined) byKey.set(k, (e = { keyRow, net: new Map() }));
      const rk = encodeRow(c.row);
      const n = e.net.get(rk);
      if (n === undefined) e.net.set(rk, { row: c.row, w: c.weight });
      else n.w += c.weight;
    }
  }
  const out: NetChanges = { upserts: [], deletes: [] };
  for (const e of byKey.values()) {
    let row: Row | null = null;
    let changed = false;
    for (const n of e.net.values()) {
      if (n.w !== 0) changed = true;
      if (n.w > 0) row = n.row;
    }
    if (!changed) continue;
    if (row !== null) out.upserts.push(row);
    else out.deletes.push(e.keyRow);
  }
  return out;
}

/** Append mode: every inserted row (weight n: n copies), epoch by epoch; retractions are ignored. */
export function appendedRows(batch: SinkBatch): Row[] {
  const rows: Row[] = [];
  for (const { changes } of batch.epochs) for (const c of changes) for (let w = 0; w < c.weight; w++) rows.push(c.row);
  return rows;
}
