import type { SqlType } from '../../sql/types.js';
import type { Row } from '../../sql/values.js';
import { decodeRow, encodeRow } from '../../storage/value-codec.js';
import { passesResidual } from '../join-residual.js';
import type { ChangeBatch } from '../change-batch.js';
import { keyNormalizer } from '../key-codec.js';
import type { KeyNormalizer, KeyPart } from '../key-codec.js';
import { KeyIndex } from '../key-index.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { sameRow } from '../row-identity.js';
import { TimeHeap } from '../time-heap.js';

export type JoinType = 'inner' | 'left' | 'right' | 'full';

export interface SymmetricHashJoinOptions {
  leftKeys: CompiledExpr[];
  rightKeys: CompiledExpr[];
  joinType: JoinType;
  leftWidth: number;
  rightWidth: number;
  /** Extra join condition over the concatenated row (left ++ right); must be === true to match. */
  residual?: CompiledExpr;
  /** Key types (for bpchar/jsonb equality, see key-codec.ts); representation-driven when absent. */
  keyTypes?: SqlType[];
  /** An interval (or window) join: the bound every match satisfies; advance() frees stored rows by it. */
  timeBound?: JoinTimeBound;
  /** Per key: NULL matches NULL (null-safe equality); by default a NULL key never matches. */
  nullSafe?: boolean[];
}

/**
 * Every matching pair (l, r) satisfies lo <= r[rightTime] - l[leftTime] <= hi (µs; ±Infinity when
 * unbounded), as the planner proved from the join condition (planner/physical/interval-join.ts).
 * With the watermark W of the other side's time column, a stored row no future row can match is
 * freed: a left row once l.t + hi < W(r.t), a right row once r.t - lo < W(l.t). A NULL time never
 * matches, so such rows go at the first finite threshold.
 */
export interface JoinTimeBound {
  leftTime: number;
  rightTime: number;
  lo: number;
  hi: number;
  /** Watermark of the left input's leftTime column (frees right rows), if it has one. */
  leftWatermark?: WatermarkFn;
  /** Watermark of the right input's rightTime column (frees left rows), if it has one. */
  rightWatermark?: WatermarkFn;
}

/** One distinct stored row of one side. */
interface Entry {
  row: Row;
  /** Multiplicity (may be transiently negative within a batch). */
  mult: number;
  /** Outer-preserved sides only: Σ multiplicity of the other side's rows it matches. */
  matches: number;
  bucket: Bucket;
  /** Position in bucket.entries. */
  pos: number;
  dirty: boolean;
  /** No longer in its bucket (multiplicity 0 or purged); a TimeHeap may still hold it. */
  removed: boolean;
  /** Freed by the time bound: its persisted entry is deleted. */
  purged: boolean;
}

/** All stored rows of one side with one join key. */
interface Bucket {
  parts: KeyPart[];
  entries: Entry[];
  /** encodeRow -> entry, built once the bucket is large (small buckets are scanned). */
  byRow: Map<string, Entry> | null;
}

const INDEX_THRESHOLD = 16;

class Side {
  readonly index: KeyIndex<Bucket>;
  readonly norms: KeyNormalizer[];
  readonly parts: KeyPart[];
  readonly dirty: Entry[] = [];
  size = 0;
  /** Interval joins: stored rows by their time column, for purging in time order. */
  heap: TimeHeap<Entry> | null = null;
  timeCol = -1;

  constructor(
    readonly tag: 'L' | 'R',
    readonly keyExprs: CompiledExpr[],
    keyTypes: SqlType[] | undefined,
    /** Whether unmatched rows of this side appear null-padded (left side of a LEFT join...). */
    readonly preserved: boolean,
    readonly width: number,
    private readonly nullSafe: boolean[] = [],
  ) {
    this.index = new KeyIndex<Bucket>(keyExprs.length);
    this.norms = keyExprs.map((_, i) => keyNormalizer(keyTypes?.[i]));
    this.parts = new Array(keyExprs.length).fill(null);
  }

  /** Evaluates the key into this.parts; false if a key value is NULL (never matches). May throw. */
  evalKey(row: Row): boolean {
    const { keyExprs, norms, parts } = this;
    for (let k = 0; k < keyExprs.length; k++) {
      const v = keyExprs[k](row);
      if (v === null) {
        if (this.nullSafe[k] !== true) return false;
        parts[k] = null;
        continue;
      }
      parts[k] = norms[k](v);
    }
    return true;
  }

  /** The entry for `row` in the bucket of this.parts, created (mult 0) if absent. */
  entryFor(row: Row, matches: number): Entry {
    let b = this.index.get(this.parts);
    if (b === undefined) {
      b = { parts: this.parts.slice(), entries: [], byRow: null };
      this.index.set(this.parts, b);
    }
    let e: Entry | undefined;
    if (b.byRow !== null) e = b.byRow.get(encodeRow(row));
    else {
      const es = b.entries;
      for (let i = 0; i < es.length; i++) {
        if (sameRow(es[i].row, row)) {
          e = es[i];
          break;
        }
      }
    }
    if (e === undefined) {
      e = { row, mult: 0, matches, bucket: b, pos: b.entries.length, dirty: false, removed: false, purged: false };
      b.entries.push(e);
      if (this.heap !== null) {
        const t = row[this.timeCol];
        this.heap.add(typeof t === 'number' ? t : -Infinity, e);
      }
      if (b.byRow !== null) b.byRow.set(encodeRow(row), e);
      else if (b.entries.length > INDEX_THRESHOLD) {
        b.byRow = new Map();
        for (const x of b.entries) b.byRow.set(encodeRow(x.row), x);
      }
      this.size++;
    }
    return e;
  }

  remove(e: Entry): void {
    const b = e.bucket;
    const es = b.entries;
    const last = es.pop() as Entry;
    if (last !== e) {
      es[e.pos] = last;
      last.pos = e.pos;
    }
    if (b.byRow !== null) b.byRow.delete(encodeRow(e.row));
    if (es.length === 0) this.index.delete(b.parts);
    this.size--;
    e.removed = true;
  }

  /** Frees every stored row whose time is below `threshold` (no future row can match it). */
  purgeBelow(threshold: number): void {
    if (this.heap === null || !(threshold > -Infinity)) return;
    this.heap.popBelow(threshold, (e) => {
      if (e.removed) return;
      this.remove(e);
      e.purged = true;
      this.markDirty(e);
    });
  }

  markDirty(e: Entry): void {
    if (!e.dirty) {
      e.dirty = true;
      this.dirty.push(e);
    }
  }
}

/**
 * SymmetricHashJoin: an equi-join (plus optional residual) with both inputs stored, keyed by the
 * join key. Port 0 is the left input, port 1 the right; output rows are left ++ right, padded with
 * NULLs for the unmatched rows of an outer side. Pushing ΔL then ΔR in one epoch yields
 * ΔL⋈R_old + L_new⋈ΔR, i.e. exactly Δ(L⋈R).
 *
 *   LEFT JOIN ON l.k = r.k,  L = {(1,'a')}, R = {}         (output so far: (1,'a',NULL,NULL))
 *   push port 1: [((1,'x'), +1)]  ->  [((1,'a',1,'x'), +1), ((1,'a',NULL,NULL), -1)]
 *   push port 1: [((1,'x'), -1)]  ->  [((1,'a',1,'x'), -1), ((1,'a',NULL,NULL), +1)]
 *
 * Outer joins keep, per stored row, the number of matches it has (after the residual) and emit or
 * retract its null-padded row when that number moves between 0 and non-zero. A row with a NULL in
 * its join key never matches (SQL `=`): it is not stored; on a preserved side it is emitted
 * null-padded straight away. Empty key lists make a cross join (one bucket). Errors evaluating a
 * key report the row and skip it; an error evaluating the residual reports the joined row and
 * counts as no match.
 *
 * Interval joins (options.timeBound): advance() frees the stored rows that no future row of the
 * other side can match, in time order. For an inner join that is all. An outer join needs nothing
 * more either: an unmatched preserved row's null-padded row was emitted when it arrived and, with
 * no match possible any more, stays final; a later retraction of a freed row (allowed while its
 * own time is at or above its own watermark) still finds every stored row it matched, because
 * those are not yet freed by the same bound. Freed rows of the other side still count in the match
 * counts, which are therefore persisted rather than recomputed on restore.
 *
 *   a JOIN b ON b.t BETWEEN a.t AND a.t + 10,  W(b.t) = 25:  left rows with a.t < 15 are freed
 *
 * State: one entry per distinct stored row, key = 'L' | 'R' + encodeRow(row), value = multiplicity
 * (with a time bound, preserved sides: 'multiplicity:matches'). Without a time bound, match counts
 * are recomputed on restore.
 */
export class SymmetricHashJoin implements Operator {
  readonly arity = 2;
  private readonly left: Side;
  private readonly right: Side;
  private readonly residual: CompiledExpr | undefined;
  private readonly nullsLeft: Row;
  private readonly nullsRight: Row;
  private readonly timeBound: JoinTimeBound | undefined;
  /** Only with a time bound: frees what the watermarks make unmatchable. */
  readonly advance?: (ctx: OperatorContext) => ChangeBatch;

  constructor(opts: SymmetricHashJoinOptions) {
    if (opts.leftKeys.length !== opts.rightKeys.length) throw new Error('SymmetricHashJoin: key lists differ in length');
    const jt = opts.joinType;
    this.left = new Side('L', opts.leftKeys, opts.keyTypes, jt === 'left' || jt === 'full', opts.leftWidth, opts.nullSafe);
    this.right = new Side('R', opts.rightKeys, opts.keyTypes, jt === 'right' || jt === 'full', opts.rightWidth, opts.nullSafe);
    this.residual = opts.residual;
    this.nullsLeft = new Array(opts.leftWidth).fill(null);
    this.nullsRight = new Array(opts.rightWidth).fill(null);
    const tb = (this.timeBound = opts.timeBound);
    if (tb !== undefined) {
      // A side gets a heap only if purge() can ever free it (else the heap would only grow).
      if (tb.rightWatermark !== undefined && tb.hi < Infinity) this.left.heap = new TimeHeap();
      this.left.timeCol = tb.leftTime;
      if (tb.leftWatermark !== undefined && tb.lo > -Infinity) this.right.heap = new TimeHeap();
      this.right.timeCol = tb.rightTime;
      this.advance = (ctx) => this.purge(ctx);
    }
  }

  private purge(ctx: OperatorContext): ChangeBatch {
    const tb = this.timeBound as JoinTimeBound;
    // l.t + hi < W(r.t)  <=>  l.t < W(r.t) - hi;   r.t - lo < W(l.t)  <=>  r.t < W(l.t) + lo
    if (tb.rightWatermark !== undefined && tb.hi < Infinity) this.left.purgeBelow(tb.rightWatermark(ctx) - tb.hi);
    if (tb.leftWatermark !== undefined && tb.lo > -Infinity) this.right.purgeBelow(tb.leftWatermark(ctx) + tb.lo);
    return { rows: [], weights: [] };
  }

  push(port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const own = port === 0 ? this.left : this.right;
    const other = port === 0 ? this.right : this.left;
    const isLeft = port === 0;
    const residual = this.residual;
    const out: ChangeBatch = { rows: [], weights: [] };
    const { rows, weights } = batch;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const row = rows[i];
      let keyed: boolean;
      try {
        keyed = own.evalKey(row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      if (!keyed) {
        if (own.preserved) this.emitPadded(out, isLeft, row, w);
        continue;
      }
      // Probe the other side with the key in own.parts.
      let matched = 0;
      const bucket = other.index.get(own.parts);
      if (bucket !== undefined) {
        const es = bucket.entries;
        for (let j = 0; j < es.length; j++) {
          const o = es[j];
          if (o.mult === 0) continue;
          const joined = isLeft ? row.concat(o.row) : o.row.concat(row);
          if (residual !== undefined && !passesResidual(residual, joined, ctx)) continue;
          out.rows.push(joined);
          out.weights.push(w * o.mult);
          matched += o.mult;
          if (other.preserved) {
            const before = o.matches === 0 ? o.mult : 0;
            o.matches += w;
            if (this.timeBound !== undefined) other.markDirty(o);
            const after = o.matches === 0 ? o.mult : 0;
            if (after !== before) this.emitPadded(out, !isLeft, o.row, after - before);
          }
        }
      }
      if (!own.preserved && other.preserved === false) {
        // Inner join: store the row; matches are not tracked.
        const e = own.entryFor(row, 0);
        e.mult += w;
        own.markDirty(e);
        if (e.mult === 0) own.remove(e);
        continue;
      }
      const e = own.entryFor(row, matched);
      if (own.preserved) {
        const before = e.matches === 0 ? e.mult : 0;
        e.mult += w;
        const after = e.matches === 0 ? e.mult : 0;
        if (after !== before) this.emitPadded(out, isLeft, row, after - before);
      } else e.mult += w;
      own.markDirty(e);
      if (e.mult === 0) own.remove(e);
    }
    return out;
  }

  private emitPadded(out: ChangeBatch, isLeftRow: boolean, row: Row, w: number): void {
    out.rows.push(isLeftRow ? row.concat(this.nullsRight) : this.nullsLeft.concat(row));
    out.weights.push(w);
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const side of [this.left, this.right]) {
      // Deletions first: a row removed and re-added within an epoch is two Entry objects.
      const withMatches = side.preserved && this.timeBound !== undefined;
      for (const e of side.dirty) if (e.mult === 0 || e.purged) entries.push({ key: side.tag + encodeRow(e.row), value: null });
      for (const e of side.dirty) {
        e.dirty = false;
        if (e.mult !== 0 && !e.purged) entries.push({ key: side.tag + encodeRow(e.row), value: withMatches ? `${e.mult}:${e.matches}` : String(e.mult) });
      }
      side.dirty.length = 0;
    }
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    for (const { key, value } of entries) {
      if (value === null) continue;
      const side = key.charCodeAt(0) === 76 /* L */ ? this.left : this.right;
      const row = decodeRow(key.slice(1));
      try {
        if (!side.evalKey(row)) continue;
      } catch {
        continue;
      }
      const e = side.entryFor(row, 0);
      const colon = value.indexOf(':');
      if (colon < 0) e.mult = Number(value);
      else {
        e.mult = Number(value.slice(0, colon));
        e.matches = Number(value.slice(colon + 1));
      }
    }
    // Recompute match counts of the outer-preserved sides (persisted with a time bound: rows they
    // matched may have been freed).
    if (this.timeBound !== undefined) return;
    for (const [side, other, isLeft] of [[this.left, this.right, true], [this.right, this.left, false]] as const) {
      if (!side.preserved) continue;
      for (const b of side.index.values()) {
        const ob = other.index.get(b.parts);
        for (const e of b.entries) {
          let m = 0;
          if (ob !== undefined) {
            for (const o of ob.entries) if (this.matches(isLeft ? e.row : o.row, isLeft ? o.row : e.row)) m += o.mult;
          }
          e.matches = m;
        }
      }
    }
  }

  private matches(l: Row, r: Row): boolean {
    if (this.residual === undefined) return true;
    try {
      return this.residual(l.concat(r)) === true;
    } catch {
      return false;
    }
  }

  stateSize(): number {
    return this.left.size + this.right.size;
  }

  /** Rows stored per side (for tests and metrics). */
  sideSizes(): { left: number; right: number } {
    return { left: this.left.size, right: this.right.size };
  }
}

