/**
 * LiveTable: the in-memory contents of a materialized view, kept up to date by applying the
 * dataflow's output change batches, with an O(1) index on the view's key.
 *
 * Keyed (keyColumns = e.g. the GROUP BY columns): at most one row per key. Within one batch the
 * retraction of a key's old row and the insertion of its new row may come in either order:
 *
 *   keyColumns [0]:  {('a', 1)}  apply [(('a', 2), +1), (('a', 1), -1)]  ->  {('a', 2)}
 *
 * Unkeyed (keyColumns = null): the whole row is the identity and rows carry multiplicities:
 *
 *   {('x') x2}  apply [(('x'), -1), (('y'), +1)]  ->  {('x'), ('y')}
 *
 * At the end of a batch a multiplicity below zero, or two rows under one key, is an engine bug
 * and throws InternalError (inside a batch, transient negative counts are fine).
 *
 * Persistence: takeDirty() lists the keys changed since the last call with their current row and
 * count (row null / count 0 = deleted); restore() loads such entries back.
 */
import type { ChangeBatch } from '../dataflow/change-batch.js';
import { encodeKeyParts, keyNormalizer } from '../dataflow/key-codec.js';
import type { KeyNormalizer, KeyPart } from '../dataflow/key-codec.js';
import { KeyIndex } from '../dataflow/key-index.js';
import { sameRow } from '../dataflow/row-identity.js';
import { InternalError } from '../sql/errors.js';
import type { SqlType } from '../sql/types.js';
import type { Row, Value } from '../sql/values.js';
import { encodeRow } from '../storage/value-codec.js';

export interface LiveTableOptions {
  /** Output positions forming a unique key, or null: the whole row is the identity. */
  keyColumns: number[] | null;
  /** Types of the key columns (grouping equality for bpchar/jsonb; see key-codec.ts). */
  keyTypes?: SqlType[];
}

export interface LiveTableEntry {
  key: string;
  row: Row | null;
  count: number;
}

interface Item {
  row: Row;
  count: number;
}

/** All rows under one key of a keyed table (one at rest; more only transiently within a batch). */
interface Slot {
  parts: KeyPart[];
  items: Item[];
  stamp: number;
  dirty: boolean;
  deleted: boolean;
}

export class LiveTable {
  readonly keyColumns: readonly number[] | null;
  private readonly norms: KeyNormalizer[];
  private readonly parts: KeyPart[];
  private readonly slots: KeyIndex<Slot> | null;
  private readonly dirtySlots: Slot[] = [];
  private readonly touched: Slot[] = [];
  private readonly items: Map<string, Item> | null;
  private readonly dirtyRows = new Set<string>();
  private readonly touchedRows = new Set<string>();
  private total = 0;
  private stamp = 0;

  constructor(opts: LiveTableOptions) {
    this.keyColumns = opts.keyColumns;
    const nk = opts.keyColumns?.length ?? 0;
    this.norms = [];
    for (let i = 0; i < nk; i++) this.norms.push(keyNormalizer(opts.keyTypes?.[i]));
    this.parts = new Array(nk).fill(null);
    this.slots = opts.keyColumns !== null ? new KeyIndex<Slot>(nk) : null;
    this.items = opts.keyColumns === null ? new Map() : null;
  }

  apply(batch: ChangeBatch): void {
    if (this.slots !== null) this.applyKeyed(batch, this.slots);
    else this.applyUnkeyed(batch, this.items as Map<string, Item>);
  }

  private keyPartsOfRow(row: Row): KeyPart[] {
    const cols = this.keyColumns as readonly number[];
    for (let i = 0; i < cols.length; i++) this.parts[i] = this.norms[i](row[cols[i]]);
    return this.parts;
  }

  private applyKeyed(batch: ChangeBatch, slots: KeyIndex<Slot>): void {
    const stamp = ++this.stamp;
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const row = rows[i];
      const parts = this.keyPartsOfRow(row);
      let slot = slots.get(parts);
      if (slot === undefined) {
        slot = { parts: parts.slice(), items: [], stamp: 0, dirty: false, deleted: false };
        slots.set(parts, slot);
      }
      if (slot.stamp !== stamp) {
        slot.stamp = stamp;
        this.touched.push(slot);
      }
      const items = slot.items;
      let j = 0;
      while (j < items.length && !sameRow(items[j].row, row)) j++;
      if (j === items.length) items.push({ row, count: w });
      else if ((items[j].count += w) === 0) items.splice(j, 1);
      this.total += w;
    }
    for (const slot of this.touched) {
      let n = 0;
      for (const it of slot.items) {
        if (it.count < 0) throw new InternalError(`live table: negative multiplicity ${it.count} for key ${encodeKeyParts(slot.parts)}`);
        n += it.count;
      }
      if (n > 1) throw new InternalError(`live table: ${n} rows for key ${encodeKeyParts(slot.parts)}`);
      if (n === 0) {
        slots.delete(slot.parts);
        slot.deleted = true;
      }
      if (!slot.dirty) {
        slot.dirty = true;
        this.dirtySlots.push(slot);
      }
    }
    this.touched.length = 0;
  }

  private applyUnkeyed(batch: ChangeBatch, items: Map<string, Item>): void {
    const { rows, weights } = batch;
    const touched = this.touchedRows;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const k = encodeRow(rows[i]);
      const it = items.get(k);
      if (it === undefined) items.set(k, { row: rows[i], count: w });
      else if ((it.count += w) === 0) items.delete(k);
      this.total += w;
      touched.add(k);
    }
    for (const k of touched) {
      const it = items.get(k);
      if (it !== undefined && it.count < 0) throw new InternalError(`live table: negative multiplicity ${it.count} for row ${k}`);
      this.dirtyRows.add(k);
    }
    touched.clear();
  }

  /** Every row, repeated by its multiplicity. */
  *rows(): IterableIterator<Row> {
    if (this.slots !== null) {
      for (const slot of this.slots.values()) for (const it of slot.items) for (let i = 0; i < it.count; i++) yield it.row;
    } else {
      for (const it of (this.items as Map<string, Item>).values()) for (let i = 0; i < it.count; i++) yield it.row;
    }
  }

  /**
   * Rows whose key columns equal keyValues (SQL equality: numeric 1.5 finds 1.50), O(1). For an
   * unkeyed table keyValues is a whole row, matched by identity.
   */
  lookup(keyValues: readonly Value[]): Row[] {
    if (this.slots !== null) {
      const nk = this.parts.length;
      if (keyValues.length !== nk) return [];
      for (let i = 0; i < nk; i++) this.parts[i] = this.norms[i](keyValues[i]);
      const slot = this.slots.get(this.parts);
      if (slot === undefined) return [];
      const out: Row[] = [];
      for (const it of slot.items) for (let i = 0; i < it.count; i++) out.push(it.row);
      return out;
    }
    const it = (this.items as Map<string, Item>).get(encodeRow(keyValues as Row));
    if (it === undefined) return [];
    return new Array<Row>(Math.max(it.count, 0)).fill(it.row);
  }

  /** Number of rows (with multiplicities). */
  size(): number {
    return this.total;
  }

  /** Keys changed since the last call: current row and count, or row null / count 0 if gone. */
  takeDirty(): LiveTableEntry[] {
    const out: LiveTableEntry[] = [];
    if (this.slots !== null) {
      for (const s of this.dirtySlots) if (s.deleted) out.push({ key: encodeKeyParts(s.parts), row: null, count: 0 });
      for (const s of this.dirtySlots) {
        s.dirty = false;
        if (s.deleted) continue;
        const it = s.items[0];
        out.push({ key: encodeKeyParts(s.parts), row: it.row, count: it.count });
      }
      this.dirtySlots.length = 0;
    } else {
      const items = this.items as Map<string, Item>;
      for (const k of this.dirtyRows) {
        const it = items.get(k);
        out.push(it === undefined ? { key: k, row: null, count: 0 } : { key: k, row: it.row, count: it.count });
      }
      this.dirtyRows.clear();
    }
    return out;
  }

  /** Loads persisted entries (as produced by takeDirty) into the table. */
  restore(entries: Iterable<{ key: string; row: Row | null; count: number }>): void {
    for (const { key, row, count } of entries) {
      if (row === null || count === 0) continue;
      if (this.slots !== null) {
        const parts = this.keyPartsOfRow(row);
        const old = this.slots.get(parts);
        if (old !== undefined) for (const it of old.items) this.total -= it.count;
        this.slots.set(parts, { parts: parts.slice(), items: [{ row, count }], stamp: 0, dirty: false, deleted: false });
      } else {
        const items = this.items as Map<string, Item>;
        const old = items.get(key);
        if (old !== undefined) this.total -= old.count;
        items.set(key, { row, count });
      }
      this.total += count;
    }
  }
}
