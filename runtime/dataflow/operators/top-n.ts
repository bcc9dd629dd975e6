import type { SqlType } from '../../sql/types.js';
import type { Row, Value } from '../../sql/values.js';
import { decodeRow, encodeRow } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { keyNormalizer } from '../key-codec.js';
import type { KeyNormalizer, KeyPart } from '../key-codec.js';
import { KeyIndex } from '../key-index.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { WindowIndex } from '../window-index.js';
import { compareEncodings, compareSortValues, type SortSpec } from '../sort-order.js';

export interface TopNOptions {
  /** PARTITION BY expressions (grouping equality, NULLs together). */
  partitionBy: CompiledExpr[];
  partitionTypes?: SqlType[];
  /** ORDER BY expressions and their directions. */
  orderBy: CompiledExpr[];
  sort: SortSpec[];
  /** Rows numbered 1..limit in each partition are kept (row_number() <= limit). */
  limit: number;
  /**
   * rank() semantics (FETCH FIRST ... WITH TIES): a row is kept when fewer than `limit` rows sort
   * strictly before it, so ties with the last kept row are kept too; the appended number is the rank.
   */
  withTies?: boolean;
  /**
   * Append the row number (int8) to every output row, so a rank change is -old/+new. When false
   * the appended column is NULL (nothing downstream reads it) and a row whose rank changes
   * without leaving the top emits nothing.
   */
  emitRank: boolean;
  /**
   * A PARTITION BY key that carries a watermark (a window column, for top-N per window): once the
   * watermark passes a partition's value the partition is final and its state is freed.
   */
  closeOn?: { key: number; watermark: WatermarkFn };
  /**
   * The input never retracts (planner/physical/append-only.ts): each partition keeps only the rows
   * of its current top (a row pushed out can never come back), so state is at most `limit` rows
   * per partition. A retraction arriving anyway is reported (ctx.reportRowError) and dropped.
   */
  appendOnly?: boolean;
}

interface Item {
  row: Row;
  /** ORDER BY values of the row. */
  keys: Value[];
  /** encodeRow(row): the tie-break and the persisted state key. */
  enc: string;
  /** Multiplicity (transiently negative inside a batch when a retraction comes first). */
  n: number;
}

/** One output row currently emitted downstream. */
interface Shown {
  /** Identity: `${rank}:${enc}` with ranks, `${copy}#${enc}` without. */
  key: string;
  row: Row;
  rank: number;
  out: Row | undefined;
}

interface Partition {
  parts: KeyPart[];
  /**
   * Every row of the partition (with appendOnly: only those in the top), sorted by
   * (ORDER BY values, encoding); encodings unique.
   */
  items: Item[];
  /** The output rows emitted for this partition (the first `limit` rows of items, by multiplicity). */
  shown: Shown[];
  stamp: number;
}

/**
 * TopN: per partition, the first `limit` rows by ORDER BY (ties broken by the row encoding, as
 * the batch Window does), each with its row_number: the incremental form of
 * `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY k ORDER BY v DESC) rn FROM s) WHERE rn <= N`.
 * Keeps every row of every partition (a retraction may bring a lower row into the top; over
 * append-only input only the top rows, see TopNOptions.appendOnly) and emits,
 * once per batch and partition, the difference between the top before and after:
 *
 *   limit 2, PARTITION BY k ORDER BY v DESC, with ranks
 *   [((a, 5), +1), ((a, 3), +1), ((a, 1), +1)]  ->  [((a, 5, 1), +1), ((a, 3, 2), +1)]
 *   [((a, 9), +1)]                              ->  [((a, 9, 1), +1), ((a, 5, 1), -1), ((a, 5, 2), +1), ((a, 3, 2), -1)]
 *   [((a, 9), -1)]                              ->  the reverse
 *
 * State: key = encodeRow(row), value = its multiplicity as a decimal string (the partition and
 * the sort values are recomputed from the row on restore); with appendOnly, only the kept rows.
 */
export class TopN implements Operator {
  readonly arity = 1;
  get closesOnWatermarks(): boolean {
    return this.opts.closeOn !== undefined;
  }
  private readonly index: KeyIndex<Partition>;
  private readonly norms: KeyNormalizer[];
  private readonly parts: KeyPart[];
  private readonly touched: Partition[] = [];
  private readonly dirty = new Map<string, Item>();
  private stamp = 0;
  private count = 0;
  private readonly windows = new WindowIndex<Partition>();

  constructor(private readonly opts: TopNOptions) {
    const np = opts.partitionBy.length;
    this.norms = opts.partitionBy.map((_, i) => keyNormalizer(opts.partitionTypes?.[i]));
    this.parts = new Array(np).fill(null);
    this.index = new KeyIndex<Partition>(np);
  }

  /** The row's partition (created if absent) and sort values; throws what the expressions throw. */
  private locate(row: Row): { p: Partition; keys: Value[] } {
    const { partitionBy, orderBy } = this.opts;
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) parts[i] = this.norms[i](partitionBy[i](row));
    const keys = new Array<Value>(orderBy.length);
    for (let i = 0; i < orderBy.length; i++) keys[i] = orderBy[i](row);
    const close = this.opts.closeOn;
    const windowValue = close === undefined ? undefined : partitionBy[close.key](row);
    if (close !== undefined && this.windows.isClosed(windowValue as Value)) {
      throw new SqlError(SqlState.DataException, 'change to a window that has already closed (its state was freed); the change was dropped');
    }
    let p = this.index.get(parts);
    if (p === undefined) {
      p = { parts: parts.slice(), items: [], shown: [], stamp: 0 };
      this.index.set(parts, p);
      if (close !== undefined) this.windows.add(windowValue as Value, p);
    }
    return { p, keys };
  }

  /** Index of the item with (keys, enc) in items, or -(insertion point) - 1. */
  private search(items: Item[], keys: Value[], enc: string): number {
    const sort = this.opts.sort;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = items[mid];
      let c = compareSortValues(sort, it.keys, keys);
      if (c === 0) c = compareEncodings(it.enc, enc);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return mid;
    }
    return -lo - 1;
  }

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    const stamp = ++this.stamp;
    const touched = this.touched;
    const appendOnly = this.opts.appendOnly === true;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const row = rows[i];
      if (w < 0 && appendOnly) {
        ctx.reportRowError(new SqlError(SqlState.InternalError, 'retraction reached a top-N planned over append-only input (it keeps only the current top rows of each partition); the change was dropped'), row);
        continue;
      }
      let located: { p: Partition; keys: Value[] };
      try {
        located = this.locate(row);
      } catch (e) {
        ctx.reportRowError(e, row);
        continue;
      }
      const { p, keys } = located;
      if (p.stamp !== stamp) {
        p.stamp = stamp;
        touched.push(p);
      }
      const enc = encodeRow(row);
      const at = this.search(p.items, keys, enc);
      let item: Item;
      if (at >= 0) {
        item = p.items[at];
        item.n += w;
        if (item.n === 0) {
          p.items.splice(at, 1);
          this.count--;
        }
      } else {
        item = { row, keys, enc, n: w };
        p.items.splice(-at - 1, 0, item);
        this.count++;
      }
      this.dirty.set(enc, item);
      if (appendOnly) this.trim(p);
    }
    const out: ChangeBatch = { rows: [], weights: [] };
    for (const p of touched) {
      this.refresh(p, out);
      if (p.items.length === 0) this.index.delete(p.parts);
    }
    touched.length = 0;
    return out;
  }

  /**
   * appendOnly: drops the items past the partition's first `limit` rows (by multiplicity) and
   * deletes their state; without retractions they can never re-enter the top.
   */
  private trim(p: Partition): void {
    const items = p.items;
    const limit = this.opts.limit;
    let rows = 0;
    let keep = 0;
    if (this.opts.withTies) {
      const sort = this.opts.sort;
      let groupStart = 0;
      while (keep < items.length) {
        if (keep > 0 && compareSortValues(sort, items[keep - 1].keys, items[keep].keys) !== 0) groupStart = rows;
        if (groupStart >= limit) break;
        rows += items[keep++].n;
      }
    } else while (keep < items.length && rows < limit) rows += items[keep++].n;
    if (keep === items.length) return;
    for (let i = keep; i < items.length; i++) this.dirty.set(items[i].enc, { ...items[i], n: 0 });
    this.count -= items.length - keep;
    items.length = keep;
  }

  /** Recomputes the partition's top rows and appends the changes against what was shown. */
  private refresh(p: Partition, out: ChangeBatch | undefined): void {
    const { limit, emitRank, withTies, sort } = this.opts;
    const next: Shown[] = [];
    let rank = 0;
    if (withTies) {
      // rank(): every copy of a row whose group (equal ORDER BY values) starts before `limit`.
      let groupStart = 0;
      let prev: Item | undefined;
      for (const it of p.items) {
        if (prev !== undefined && compareSortValues(sort, prev.keys, it.keys) !== 0) groupStart = rank;
        if (groupStart >= limit) break;
        for (let c = 0; c < it.n; c++) {
          rank++;
          next.push({ key: emitRank ? `${groupStart + 1}:${c}#${it.enc}` : `${c}#${it.enc}`, row: it.row, rank: groupStart + 1, out: undefined });
        }
        prev = it;
      }
    } else {
      for (const it of p.items) {
        if (rank >= limit) break;
        for (let c = 0; c < it.n && rank < limit; c++) {
          rank++;
          next.push({ key: emitRank ? `${rank}:${it.enc}` : `${c}#${it.enc}`, row: it.row, rank, out: undefined });
        }
      }
    }
    const before = p.shown;
    p.shown = next;
    if (out === undefined) {
      for (const s of next) s.out = this.outRow(s);
      return;
    }
    if (before.length === next.length && before.every((s, i) => s.key === next[i].key)) {
      for (let i = 0; i < next.length; i++) next[i].out = before[i].out;
      return;
    }
    const old = new Map<string, Shown>();
    for (const s of before) old.set(s.key, s);
    for (const s of next) {
      const o = old.get(s.key);
      if (o !== undefined) {
        s.out = o.out;
        old.delete(s.key);
      } else {
        s.out = this.outRow(s);
        out.rows.push(s.out);
        out.weights.push(1);
      }
    }
    for (const o of old.values()) {
      out.rows.push(o.out!);
      out.weights.push(-1);
    }
  }

  private outRow(s: Shown): Row {
    const r = s.row.slice();
    r.push(this.opts.emitRank ? BigInt(s.rank) : null);
    return r;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const [enc, it] of this.dirty) entries.push({ key: enc, value: it.n === 0 ? null : String(it.n) });
    this.dirty.clear();
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    const restored = new Set<Partition>();
    for (const { key, value } of entries) {
      if (value === null) continue;
      const row = decodeRow(key);
      let located: { p: Partition; keys: Value[] };
      try {
        located = this.locate(row);
      } catch {
        continue; // the row failed the same way when it arrived, so it was never counted
      }
      located.p.items.push({ row, keys: located.keys, enc: key, n: Number(value) });
      restored.add(located.p);
      this.count++;
    }
    const sort = this.opts.sort;
    for (const p of restored) {
      p.items.sort((a, b) => compareSortValues(sort, a.keys, b.keys) || compareEncodings(a.enc, b.enc));
      if (this.opts.appendOnly === true) this.trim(p);
      this.refresh(p, undefined);
    }
  }

  stateSize(): number {
    return this.count;
  }

  /** Frees the partitions whose window the watermark has closed; their shown rows stay. */
  advance(ctx: OperatorContext): ChangeBatch {
    const close = this.opts.closeOn;
    if (close !== undefined) {
      this.windows.close(close.watermark(ctx), (p) => {
        if (this.index.get(p.parts) !== p) return;
        for (const it of p.items) this.dirty.set(it.enc, { ...it, n: 0 });
        this.count -= p.items.length;
        p.items = [];
        p.shown = [];
        this.index.delete(p.parts);
      });
    }
    return { rows: [], weights: [] };
  }
}
