import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import { decodeRow, encodeRow } from '../../storage/value-codec.js';
import { passesResidual } from '../join-residual.js';
import type { ChangeBatch } from '../change-batch.js';
import { keyNormalizer } from '../key-codec.js';
import type { KeyNormalizer, KeyPart } from '../key-codec.js';
import { KeyIndex } from '../key-index.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry } from '../operator.js';

export interface LookupJoinOptions {
  /** Key expressions over a stream (port 0) row. */
  streamKeys: CompiledExpr[];
  /** Key expressions over a table (port 1) row. */
  tableKeys: CompiledExpr[];
  joinType: 'inner' | 'left';
  tableWidth: number;
  /** Extra join condition over stream row ++ table row; must be === true to match. */
  residual?: CompiledExpr;
  keyTypes?: SqlType[];
}

interface Stored {
  row: Row;
  mult: number;
}

/**
 * LookupJoin: `FROM s JOIN t FOR SYSTEM_TIME AS OF PROCTIME() ON s.k = t.id` (processing-time
 * temporal join). Each stream row is joined with the table's contents at the time the row is
 * processed; later changes to the table do not rewrite earlier results, and only the stream drives
 * output. Port 1 receives the table's changes and only updates an index of it; port 0's rows probe
 * it. The stream side keeps no state. The rows of one step probe the index after that step's table
 * changes (advance() runs after all pushes), so the first step of a new view (its backfill) joins
 * the retained stream with the table's current contents, as the batch query does.
 *
 *   table t = {(1,'a')}
 *   push port 0: [((1, x), +1)], advance            -> [((1, x, 1, 'a'), +1)]
 *   push port 1: [((1,'a'), -1), ((1,'b'), +1)]     -> []          (earlier results stay)
 *   push port 0: [((1, y), +1)], advance            -> [((1, y, 1, 'b'), +1)]
 *
 * LEFT: a stream row without a match is emitted NULL-padded (and stays so). The planner only
 * builds this operator over an append-only stream side: a retraction would be joined with the
 * current table, not with the one its insertion saw.
 *
 * State: the table index only, key = encodeRow(row), value = multiplicity.
 */
export class LookupJoin implements Operator {
  readonly arity = 2;
  /** advance() only probes the rows held back within a step; watermarks play no part. */
  readonly closesOnWatermarks = false;
  private readonly index: KeyIndex<Map<string, Stored>>;
  private readonly norms: KeyNormalizer[];
  private readonly parts: KeyPart[];
  private readonly nullsTable: Row;
  private pending: ChangeBatch[] = [];
  private dirty = new Map<string, Stored>();
  private count = 0;

  constructor(private readonly opts: LookupJoinOptions) {
    if (opts.streamKeys.length !== opts.tableKeys.length) throw new Error('LookupJoin: key lists differ in length');
    this.index = new KeyIndex(opts.tableKeys.length);
    this.norms = opts.tableKeys.map((_, i) => keyNormalizer(opts.keyTypes?.[i]));
    this.parts = new Array(opts.tableKeys.length).fill(null);
    this.nullsTable = new Array(opts.tableWidth).fill(null);
  }

  /** Evaluates key expressions into this.parts; false if one is NULL. May throw. */
  private evalKey(keys: CompiledExpr[], row: Row): boolean {
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k](row);
      if (v === null) return false;
      this.parts[k] = this.norms[k](v);
    }
    return true;
  }

  push(port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    if (port === 0) {
      this.pending.push(batch);
      return { rows: [], weights: [] };
    }
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      try {
        if (!this.evalKey(this.opts.tableKeys, row)) continue;
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      this.apply(row, weights[i], encodeRow(row));
    }
    return { rows: [], weights: [] };
  }

  /** Adds `w` copies of the table row whose key is in this.parts. */
  private apply(row: Row, w: number, enc: string): void {
    let bucket = this.index.get(this.parts);
    if (bucket === undefined) {
      bucket = new Map();
      this.index.set(this.parts, bucket);
    }
    let s = bucket.get(enc);
    if (s === undefined) {
      bucket.set(enc, (s = { row, mult: 0 }));
      this.count++;
    }
    s.mult += w;
    this.dirty.set(enc, s);
    if (s.mult === 0) {
      bucket.delete(enc);
      this.count--;
      if (bucket.size === 0) this.index.delete(this.parts);
    }
  }

  advance(ctx: OperatorContext): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    if (this.pending.length === 0) return out;
    const batches = this.pending;
    this.pending = [];
    const { streamKeys, residual, joinType } = this.opts;
    for (const { rows, weights } of batches) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        const w = weights[i];
        if (w === 0) continue;
        let bucket: Map<string, Stored> | undefined;
        try {
          bucket = this.evalKey(streamKeys, row) ? this.index.get(this.parts) : undefined;
        } catch (e) {
          ctx.reportRowError(e, row);
          continue;
        }
        let matched = false;
        if (bucket !== undefined) {
          for (const s of bucket.values()) {
            const joined = row.concat(s.row);
            if (residual !== undefined && !passesResidual(residual, joined, ctx)) continue;
            matched = true;
            out.rows.push(joined);
            out.weights.push(w * s.mult);
          }
        }
        if (!matched && joinType === 'left') {
          out.rows.push(row.concat(this.nullsTable));
          out.weights.push(w);
        }
      }
    }
    return out;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const [key, s] of this.dirty) entries.push({ key, value: s.mult === 0 ? null : String(s.mult) });
    this.dirty = new Map();
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { key, value } of entries) {
      if (value === null) continue;
      const row = decodeRow(key);
      try {
        if (!this.evalKey(this.opts.tableKeys, row)) continue;
      } catch {
        continue;
      }
      this.apply(row, Number(value), key);
    }
    this.dirty = new Map();
  }

  stateSize(): number {
    return this.count;
  }

  /** Table rows indexed (for tests). */
  tableSize(): number {
    return this.count;
  }
}
