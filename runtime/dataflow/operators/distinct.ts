import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import { deserialize, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKeyParts, keyNormalizer } from '../key-codec.js';
import type { KeyNormalizer, KeyPart } from '../key-codec.js';
import { KeyIndex } from '../key-index.js';
import type { Operator, OperatorContext, StateEntry } from '../operator.js';

interface Entry {
  /** Representative row (the first seen of its SQL-equal class). */
  row: Row;
  n: number;
  /** Count at the start of the current batch. */
  n0: number;
  stamp: number;
  dirty: boolean;
}

/**
 * Distinct: set semantics over whole rows. Keeps the multiplicity of every distinct row (by SQL
 * equality, so numeric 1.5 and 1.50 are one row) and emits a change only when the row's presence
 * flips, once per batch.
 *
 *   [(a, +1), (a, +1), (b, +1)]  ->  [(a, +1), (b, +1)]
 *   [(a, -1)]                    ->  []            (a still has multiplicity 1)
 *   [(a, -1), (b, -1), (b, +1)]  ->  [(a, -1)]
 *
 * State: key = encoded row key, value = serialize([row, multiplicity]).
 */
export class Distinct implements Operator {
  readonly arity = 1;
  private index: KeyIndex<Entry> | null = null;
  private norms: KeyNormalizer[] = [];
  private parts: KeyPart[] = [];
  private readonly touched: Entry[] = [];
  private readonly dirty: Entry[] = [];
  private stamp = 0;

  /** `types`: the row's column types (for bpchar/jsonb equality); representation-driven when absent. */
  constructor(private readonly types?: SqlType[]) {
    if (types !== undefined) this.setup(types.length);
  }

  private setup(width: number): KeyIndex<Entry> {
    this.norms = [];
    for (let i = 0; i < width; i++) this.norms.push(keyNormalizer(this.types?.[i]));
    this.parts = new Array(width).fill(null);
    this.index = new KeyIndex<Entry>(width);
    return this.index;
  }

  private keyParts(row: Row): KeyPart[] {
    const { norms, parts } = this;
    for (let i = 0; i < parts.length; i++) parts[i] = norms[i](row[i]);
    return parts;
  }

  push(_port: number, batch: ChangeBatch, _ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    if (rows.length === 0) return batch;
    const index = this.index ?? this.setup(rows[0].length);
    const stamp = ++this.stamp;
    const touched = this.touched;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const parts = this.keyParts(rows[i]);
      let e = index.get(parts);
      if (e === undefined) {
        e = { row: rows[i], n: 0, n0: 0, stamp: 0, dirty: false };
        index.set(parts, e);
      }
      if (e.stamp !== stamp) {
        e.stamp = stamp;
        e.n0 = e.n;
        touched.push(e);
      }
      e.n += w;
    }
    const out: ChangeBatch = { rows: [], weights: [] };
    for (const e of touched) {
      const d = (e.n > 0 ? 1 : 0) - (e.n0 > 0 ? 1 : 0);
      if (d !== 0) {
        out.rows.push(e.row);
        out.weights.push(d);
      }
      if (e.n === 0) index.delete(this.keyParts(e.row));
      if (!e.dirty) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
    touched.length = 0;
    return out;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const e of this.dirty) if (e.n === 0) entries.push({ key: encodeKeyParts(this.keyParts(e.row)), value: null });
    for (const e of this.dirty) {
      e.dirty = false;
      if (e.n !== 0) entries.push({ key: encodeKeyParts(this.keyParts(e.row)), value: serialize([e.row, e.n]) });
    }
    this.dirty.length = 0;
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { value } of entries) {
      if (value === null) continue;
      const [row, n] = deserialize(value) as [Row, number];
      const index = this.index ?? this.setup(row.length);
      index.set(this.keyParts(row), { row, n, n0: n, stamp: 0, dirty: false });
    }
  }

  stateSize(): number {
    return this.index?.size ?? 0;
  }
}
