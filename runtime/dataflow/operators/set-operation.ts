import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import { deserialize, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKeyParts } from '../key-codec.js';
import type { KeyPart } from '../key-codec.js';
import { RowKeyIndex } from '../row-key-index.js';
import type { Operator, OperatorContext, StateEntry } from '../operator.js';

export type SetOperationKind = 'intersect' | 'intersect all' | 'except' | 'except all';

interface Entry {
  /** The row as first seen (its representation is the one emitted). */
  row: Row;
  /** Multiplicity on the left (port 0) and right (port 1) input. */
  l: number;
  r: number;
  /** Output multiplicity at the start of the current batch. */
  before: number;
  stamp: number;
  dirty: boolean;
  parts: KeyPart[];
}

/** The output multiplicity of a row present l times on the left and r times on the right (SQL's rules). */
function multiplicity(kind: SetOperationKind, l: number, r: number): number {
  switch (kind) {
    case 'intersect': return l > 0 && r > 0 ? 1 : 0;
    case 'intersect all': return Math.max(0, Math.min(l, r));
    case 'except': return l > 0 && r <= 0 ? 1 : 0;
    case 'except all': return Math.max(0, l - r);
  }
}

/**
 * INTERSECT / EXCEPT [ALL], incrementally: per distinct row (SQL equality) the multiplicity on
 * each input; a change on either side emits the difference of the output multiplicity.
 *
 *   EXCEPT: left +a, right +a  ->  +a then -a      INTERSECT ALL: left +a +a, right +a -> +a
 *
 * State: key = encoded row key, value = serialize([row, l, r]).
 */
export class SetOperation implements Operator {
  readonly arity = 2;
  private readonly entries: RowKeyIndex<Entry>;
  private readonly touched: Entry[] = [];
  private readonly dirty: Entry[] = [];
  private stamp = 0;

  constructor(private readonly kind: SetOperationKind, types?: SqlType[]) {
    this.entries = new RowKeyIndex<Entry>(types, (row, parts) => ({ row, l: 0, r: 0, before: 0, stamp: 0, dirty: false, parts }));
  }

  push(port: number, batch: ChangeBatch, _ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    if (rows.length === 0) return batch;
    const stamp = ++this.stamp;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const e = this.entries.entryFor(rows[i]);
      if (e.stamp !== stamp) {
        e.stamp = stamp;
        e.before = multiplicity(this.kind, e.l, e.r);
        this.touched.push(e);
      }
      if (port === 0) e.l += w;
      else e.r += w;
    }
    const out: ChangeBatch = { rows: [], weights: [] };
    for (const e of this.touched) {
      const d = multiplicity(this.kind, e.l, e.r) - e.before;
      if (d !== 0) {
        out.rows.push(e.row);
        out.weights.push(d);
      }
      if (e.l === 0 && e.r === 0) this.entries.delete(e);
      if (!e.dirty) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
    this.touched.length = 0;
    return out;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const e of this.dirty) if (e.l === 0 && e.r === 0) entries.push({ key: encodeKeyParts(e.parts), value: null });
    for (const e of this.dirty) {
      e.dirty = false;
      if (e.l !== 0 || e.r !== 0) entries.push({ key: encodeKeyParts(e.parts), value: serialize([e.row, e.l, e.r]) });
    }
    this.dirty.length = 0;
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { value } of entries) {
      if (value === null) continue;
      const [row, l, r] = deserialize(value) as [Row, number, number];
      const e = this.entries.entryFor(row);
      e.l = l;
      e.r = r;
    }
  }

  stateSize(): number {
    return this.entries.size;
  }
}
