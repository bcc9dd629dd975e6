import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import { deserialize, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKeyParts } from '../key-codec.js';
import type { KeyPart } from '../key-codec.js';
import { RowKeyIndex } from '../row-key-index.js';
import type { Operator, OperatorContext, StateEntry } from '../operator.js';
import { addRep, shownRep } from '../representatives.js';
import type { Rep } from '../representatives.js';
import { sameRow } from '../row-identity.js';

interface Entry {
  /** The row's representations (SQL-equal rows, e.g. numeric 1.5 / 1.50) and their counts. */
  reps: Rep<Row>[];
  /** Total multiplicity. */
  n: number;
  /** The row emitted downstream at the start of the current batch (undefined: none). */
  shown: Row | undefined;
  stamp: number;
  dirty: boolean;
  /** Normalised key parts (for deletion and the persisted key). */
  parts: KeyPart[];
}

/**
 * Distinct: set semantics over whole rows. Keeps the multiplicity of every distinct row (by SQL
 * equality, so numeric 1.5 and 1.50 are one row, shown in its canonical representation among
 * those present, see representatives.ts) and emits a change only when the row's presence flips, once per batch.
 *
 *   [(a, +1), (a, +1), (b, +1)]  ->  [(a, +1), (b, +1)]
 *   [(a, -1)]                    ->  []            (a still has multiplicity 1)
 *   [(a, -1), (b, -1), (b, +1)]  ->  [(a, -1)]
 *
 * State: key = encoded row key, value = serialize([[row, count], ...]) (one pair per representation).
 */
export class Distinct implements Operator {
  readonly arity = 1;
  private readonly entries: RowKeyIndex<Entry>;
  private readonly touched: Entry[] = [];
  private readonly dirty: Entry[] = [];
  private stamp = 0;

  /** `types`: the row's column types (for bpchar/jsonb equality); representation-driven when absent. */
  constructor(types?: SqlType[]) {
    this.entries = new RowKeyIndex<Entry>(types, (_row, parts) => ({ reps: [], n: 0, shown: undefined, stamp: 0, dirty: false, parts }));
  }

  push(_port: number, batch: ChangeBatch, _ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    if (rows.length === 0) return batch;
    const stamp = ++this.stamp;
    const touched = this.touched;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const e = this.entries.entryFor(rows[i]);
      if (e.stamp !== stamp) {
        e.stamp = stamp;
        e.shown = e.n > 0 ? shownRep(e.reps, true) : undefined;
        touched.push(e);
      }
      addRep(e.reps, rows[i], w, sameRow);
      e.n += w;
    }
    const out: ChangeBatch = { rows: [], weights: [] };
    for (const e of touched) {
      const now = e.n > 0 ? shownRep(e.reps, true) : undefined;
      if (now !== e.shown) {
        if (e.shown !== undefined) {
          out.rows.push(e.shown);
          out.weights.push(-1);
        }
        if (now !== undefined) {
          out.rows.push(now);
          out.weights.push(1);
        }
      }
      if (e.reps.length === 0) this.entries.delete(e);
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
    // Deletions first: a row removed and re-added within an epoch is two Entry objects.
    for (const e of this.dirty) if (e.reps.length === 0) entries.push({ key: encodeKeyParts(e.parts), value: null });
    for (const e of this.dirty) {
      e.dirty = false;
      if (e.reps.length > 0) entries.push({ key: encodeKeyParts(e.parts), value: serialize(e.reps.map((r) => [r.value, r.n])) });
    }
    this.dirty.length = 0;
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { value } of entries) {
      if (value === null) continue;
      const reps = deserialize(value) as [Row, number][];
      if (reps.length === 0) continue;
      const e = this.entries.entryFor(reps[0][0]);
      for (const [row, n] of reps) {
        e.reps.push({ value: row, n });
        e.n += n;
      }
    }
  }

  stateSize(): number {
    return this.entries.size;
  }
}
