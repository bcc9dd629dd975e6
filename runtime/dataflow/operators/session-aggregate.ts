/**
 * SessionAggregate: the incremental form of
 *
 *   Aggregate(groupKeys, aggregates) <- [Filter...] <- SessionWindow(partitionBy, timeColumn, gap)
 *
 * fused, so that a growing session costs O(log n) plus one accumulator change per row instead of
 * re-emitting every row of the session (SessionWindow + HashAggregate does that on every growth
 * or merge, which is quadratic in the session length).
 *
 * State per partition (the values of `partitionBy`): its open sessions sorted by start, each
 * holding its rows sorted by time (equal rows share an entry with a multiplicity), retractable
 * accumulators over the rows that pass the filters, the net count of those rows and the output
 * row currently emitted. Session rule as runtime/time/windows.ts `sessions()`: consecutive times
 * a < b are in one session iff b < a + gap, so a row at t joins a session [first, last] iff
 * first - gap < t < last + gap.
 *
 *   gap 5, count(*) per (k, window_start, window_end)
 *   ((u, 1), +1), ((u, 9), +1)  -> ((u, 1, 6, 1), +1), ((u, 9, 14, 1), +1)
 *   ((u, 5), +1)                -> ((u, 1, 6, 1), -1), ((u, 9, 14, 1), -1), ((u, 1, 14, 3), +1)
 *   ((u, 5), -1)                -> the reverse (the session splits again)
 *
 * - insert at t: no session touched -> new session; one -> add the row; two -> merge the smaller
 *   into the larger (the smaller's rows are added to the larger's accumulators).
 * - a row's multiplicity reaching 0 removes it; if that leaves a gap >= `gap` inside its session,
 *   the session splits and the smaller part's rows move to new accumulators.
 * - per batch, each touched session emits -old/+new output row (nothing when unchanged), and
 *   sessions merged away emit -old. A session none of whose rows passes the filters has no row.
 *
 * Output rows are [...group keys, ...aggregate results] as HashAggregate's. The group keys are
 * evaluated over [...partition values, window_start, window_end] (the planner rewrites them so,
 * see planner/physical/session-aggregate.ts): they are constant within a session. When equal
 * partition values come in several representations (numeric 1.5 / 1.50), the canonical key among
 * the session's rows is shown (dataflow/representatives.ts), as HashAggregate does.
 *
 * Rows with a NULL or infinite time have NULL windows: per partition they form one group that
 * never closes (as SessionWindow + HashAggregate gives).
 *
 * Closing: a session whose end the time column's watermark has reached (end <= W) can no longer
 * change, so its state is dropped (its output row stays downstream); a later change at a time
 * below W is reported and dropped, as SessionWindow does.
 *
 * State: one entry per (partition, row): key = encodeKey(partition values) + U+0001 +
 * encodeRow(row), value = the multiplicity. Only rows changed in an epoch are written; restore
 * rebuilds sessions and accumulators from the rows.
 */
import type { Accumulator } from '../../expr/aggregates/accumulator.js';
import { distinctAccumulator } from '../../expr/aggregates/distinct.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { Row, Value } from '../../sql/values.js';
import { decodeRow, encodeRow } from '../../storage/value-codec.js';
import { TimeHeap } from '../time-heap.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKey, keyOf, makeValuesKeyFn, type Key } from '../key-codec.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { addRep, shownRep, type Rep } from '../representatives.js';
import { sameRow } from '../row-identity.js';
import type { AggregateCall } from './hash-aggregate.js';

export interface SessionAggregateOptions {
  /** Index of the event-time column in the input rows. */
  timeColumn: number;
  /** Session gap (µs). */
  gap: number;
  /** Partition expressions over the input row (the group keys without window columns). */
  partitionBy: CompiledExpr[];
  /** WHERE predicates between the session window and the aggregate, over the input row, innermost first. */
  filters: CompiledExpr[];
  /** Group keys over [...partition values, window_start, window_end]. */
  groupKeys: CompiledExpr[];
  /** Aggregates; arguments and FILTERs over the input row. */
  aggregates: AggregateCall[];
  /** Watermark of the time column; undefined when it has none (sessions then never close). */
  watermark?: WatermarkFn;
}

interface Entry {
  p: Partition;
  /** Event time (NaN in the NULL-window group). */
  time: number;
  row: Row;
  /** Multiplicity (transiently negative when a retraction comes first). */
  n: number;
  /**
   * Per aggregate its argument values, or null when its FILTER rejects the row; null as a whole
   * when the row does not reach the aggregate (a WHERE predicate is not true, or evaluation failed).
   */
  args: (Value[] | null)[] | null;
  /** The row's partition values, only when represented differently from Partition.values. */
  pv: Value[] | undefined;
  /** encodeRow(row), once computed. */
  enc: string | undefined;
  /** Size of the persisted state entry (0 when none is persisted). */
  bytes: number;
  /** Whether the entry is held in state (false once its multiplicity is 0 or its session closed). */
  live: boolean;
  dirty: boolean;
}

interface Session {
  p: Partition;
  /** Sorted by time; in the NULL-window group in no particular order. */
  entries: Entry[];
  /** NULL-window group only: entries by encodeRow. */
  byEnc: Map<string, Entry> | null;
  /** Net multiplicity of the rows that reach the aggregate. */
  count: number;
  accs: Accumulator[];
  /** Multiplicities of the partition values' representations, when more than Partition.values occur. */
  reps: Rep<Value[]>[] | null;
  /** The output row currently emitted downstream, or null. */
  out: Row | null;
  stamp: number;
  live: boolean;
  /** The end last pushed onto the closing heap. */
  heapEnd: number;
}

interface Partition {
  mapKey: Key;
  /** Prefix of the persisted keys. */
  pkey: string;
  /** The partition values as first seen (rows whose values are represented so have Entry.pv undefined). */
  values: Value[];
  /** Open sessions, sorted by start (disjoint, at least `gap` apart). */
  sessions: Session[];
  /** The NULL-window group. */
  nulls: Session | null;
}

const SEP = '\u0001';
const NO_ARGS: Value[] = [];
const EMPTY_BATCH = (): ChangeBatch => ({ rows: [], weights: [] });
const SILENT: OperatorContext = { epoch: 0, reportRowError: () => {}, watermark: () => -Infinity, processingTime: 0 };

export class SessionAggregate implements Operator {
  readonly arity = 1;
  private readonly tc: number;
  private readonly gap: number;
  private readonly partitionBy: CompiledExpr[];
  private readonly filters: CompiledExpr[];
  private readonly keyExprs: CompiledExpr[];
  private readonly calls: AggregateCall[];
  private readonly watermark: WatermarkFn | undefined;
  private readonly partitions = new Map<Key, Partition>();
  private readonly touched: Session[] = [];
  private readonly dirty: Entry[] = [];
  private readonly heap = new TimeHeap<Session>();
  private stamp = 0;
  private closedBelow = -Infinity;
  private rowCount = 0;
  private bytes = 0;

  constructor(opts: SessionAggregateOptions) {
    this.tc = opts.timeColumn;
    this.gap = opts.gap;
    this.partitionBy = opts.partitionBy;
    this.filters = opts.filters;
    this.keyExprs = opts.groupKeys;
    this.calls = opts.aggregates;
    this.watermark = opts.watermark;
  }

  // ---------------------------------------------------------------- input

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    this.stamp++;
    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const r = rows[i];
      const t = r[this.tc];
      const finite = typeof t === 'number' && Number.isFinite(t);
      if (finite && t < this.closedBelow) {
        ctx.reportRowError(new SqlError(SqlState.DataException, 'change to a session that has already closed; the change was dropped'), r);
        continue;
      }
      let values: Value[];
      try {
        values = this.partitionValues(r);
      } catch (e) {
        ctx.reportRowError(e, r);
        continue;
      }
      const p = this.partitionOf(values);
      if (finite) this.change(p, t, r, w, values, ctx);
      else this.changeNull(p, r, w, values, ctx);
    }
    const out = EMPTY_BATCH();
    const touched = this.touched;
    for (let i = 0; i < touched.length; i++) this.finish(touched[i], out, ctx);
    touched.length = 0;
    return out;
  }

  private partitionValues(r: Row): Value[] {
    const fs = this.partitionBy;
    const values = new Array<Value>(fs.length);
    for (let j = 0; j < fs.length; j++) values[j] = fs[j](r);
    return values;
  }

  private partitionOf(values: Value[]): Partition {
    const k = keyOf(values);
    let p = this.partitions.get(k);
    if (p === undefined) {
      p = { mapKey: k, pkey: encodeKey(values), values, sessions: [], nulls: null };
      this.partitions.set(k, p);
    }
    return p;
  }

  private dropIfEmpty(p: Partition): void {
    if (p.sessions.length === 0 && p.nulls === null && this.partitions.get(p.mapKey) === p) this.partitions.delete(p.mapKey);
  }

  /** A new entry: the row's filters and aggregate arguments evaluated once. */
  private newEntry(time: number, row: Row, n: number, values: Value[], p: Partition, ctx: OperatorContext): Entry {
    return {
      p, time, row, n,
      args: this.evalRow(row, ctx),
      pv: sameRow(values, p.values) ? undefined : values,
      enc: undefined, bytes: 0, live: true, dirty: false,
    };
  }

  private evalRow(row: Row, ctx: OperatorContext): (Value[] | null)[] | null {
    try {
      const fs = this.filters;
      for (let i = 0; i < fs.length; i++) if (fs[i](row) !== true) return null;
      const calls = this.calls;
      const args = new Array<Value[] | null>(calls.length);
      for (let a = 0; a < calls.length; a++) {
        const c = calls[a];
        if (c.filter !== undefined && c.filter(row) !== true) {
          args[a] = null;
          continue;
        }
        const n = c.args.length;
        if (n === 0) {
          args[a] = NO_ARGS;
          continue;
        }
        const vs = new Array<Value>(n);
        for (let j = 0; j < n; j++) vs[j] = c.args[j](row);
        args[a] = vs;
      }
      return args;
    } catch (e) {
      ctx.reportRowError(e, row);
      return null;
    }
  }

  private newAccumulators(): Accumulator[] {
    return this.calls.map((c) => {
      const acc = c.agg.create();
      if (!c.distinct) return acc;
      const nValueArgs = Math.min(c.agg.argTypes.length || c.args.length, c.args.length);
      return distinctAccumulator(acc, makeValuesKeyFn(c.agg.argTypes, Math.max(nValueArgs, 1)));
    });
  }

  private newSession(p: Partition, isNull: boolean): Session {
    return { p, entries: [], byEnc: isNull ? new Map() : null, count: 0, accs: this.newAccumulators(), reps: null, out: null, stamp: 0, live: true, heapEnd: NaN };
  }

  private touch(s: Session): void {
    if (s.stamp !== this.stamp) {
      s.stamp = this.stamp;
      this.touched.push(s);
    }
  }

  private markDirty(e: Entry): void {
    if (!e.dirty) {
      e.dirty = true;
      this.dirty.push(e);
    }
  }

  /** Adds w copies of the entry's contribution to the session's count, accumulators and representations. */
  private contribute(s: Session, e: Entry, w: number): void {
    const args = e.args;
    if (args === null || w === 0) return;
    if (e.pv !== undefined || s.reps !== null) {
      if (s.reps === null) s.reps = [{ value: s.p.values, n: s.count }];
      addRep(s.reps, e.pv ?? s.p.values, w, sameRow);
      if (s.reps.length === 0 || (s.reps.length === 1 && s.reps[0].value === s.p.values)) s.reps = null;
    }
    s.count += w;
    const accs = s.accs;
    for (let a = 0; a < args.length; a++) {
      const v = args[a];
      if (v !== null) accs[a].add(v, w);
    }
  }

  /** Index of the first session of p whose start is > t (binary search). */
  private sessionAfter(ss: Session[], t: number): number {
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ss[mid].entries[0].time <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private change(p: Partition, t: number, r: Row, w: number, values: Value[], ctx: OperatorContext): void {
    const ss = p.sessions;
    const gap = this.gap;
    const i = this.sessionAfter(ss, t);
    const a = i > 0 ? ss[i - 1] : undefined;
    if (a !== undefined && t <= a.entries[a.entries.length - 1].time) {
      // Within a's time range: an existing entry, or a new one inside a (no other session is within gap).
      const es = a.entries;
      let lo = 0;
      let hi = es.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (es[mid].time < t) lo = mid + 1;
        else hi = mid;
      }
      for (let j = lo; j < es.length && es[j].time === t; j++) {
        if (sameRow(es[j].row, r)) {
          this.changeEntry(a, j, w);
          return;
        }
      }
      const e = this.newEntry(t, r, w, values, p, ctx);
      es.splice(lo, 0, e);
      this.added(a, e);
      return;
    }
    const b = i < ss.length ? ss[i] : undefined;
    const intoA = a !== undefined && t < a.entries[a.entries.length - 1].time + gap;
    const intoB = b !== undefined && b.entries[0].time < t + gap;
    const e = this.newEntry(t, r, w, values, p, ctx);
    if (!intoA && !intoB) {
      const s = this.newSession(p, false);
      s.entries.push(e);
      ss.splice(i, 0, s);
      this.added(s, e);
    } else if (intoA && !intoB) {
      (a as Session).entries.push(e);
      this.added(a as Session, e);
    } else if (!intoA && intoB) {
      (b as Session).entries.unshift(e);
      this.added(b as Session, e);
    } else {
      // t bridges a and b: the smaller joins the larger (its rows are added to the larger's accumulators).
      const sa = a as Session;
      const sb = b as Session;
      let keep: Session;
      let gone: Session;
      if (sa.entries.length >= sb.entries.length) {
        keep = sa;
        gone = sb;
        const es = sa.entries;
        es.push(e);
        for (const x of sb.entries) es.push(x);
      } else {
        keep = sb;
        gone = sa;
        sb.entries = sa.entries.concat([e], sb.entries);
      }
      for (const x of gone.entries) this.contribute(keep, x, x.n);
      gone.entries = [];
      gone.live = false;
      ss.splice(gone === sa ? i - 1 : i, 1);
      this.touch(gone);
      this.added(keep, e);
    }
  }

  /** Bookkeeping for a new entry already placed in s.entries. */
  private added(s: Session, e: Entry): void {
    this.rowCount++;
    this.contribute(s, e, e.n);
    this.markDirty(e);
    this.touch(s);
  }

  /** Adds w to entry e of session s; true when its multiplicity reached 0 (the caller removes it). */
  private applyWeight(s: Session, e: Entry, w: number): boolean {
    this.contribute(s, e, w);
    e.n += w;
    this.markDirty(e);
    this.touch(s);
    if (e.n !== 0) return false;
    e.live = false;
    this.rowCount--;
    return true;
  }

  /** Adds w to entry j of s; removes it at 0 (shrinking or splitting the session). */
  private changeEntry(s: Session, j: number, w: number): void {
    const es = s.entries;
    const e = es[j];
    if (!this.applyWeight(s, e, w)) return;
    const p = s.p;
    if (es.length === 1) {
      const ss = p.sessions;
      ss.splice(this.sessionAfter(ss, e.time) - 1, 1);
      es.length = 0;
      s.live = false;
      this.dropIfEmpty(p);
      return;
    }
    const first = es[0].time;
    es.splice(j, 1);
    if (j === 0 || j === es.length) return;
    const prev = es[j - 1].time;
    const next = es[j].time;
    if (next < prev + this.gap) return;
    // The removed time held the session together: split at j, moving the smaller part.
    const ss = p.sessions;
    const at = this.sessionAfter(ss, first) - 1;
    const left = es.slice(0, j);
    const right = es.slice(j);
    const ns = this.newSession(p, false);
    let moved: Entry[];
    if (left.length >= right.length) {
      s.entries = left;
      ns.entries = moved = right;
      ss.splice(at + 1, 0, ns);
    } else {
      s.entries = right;
      ns.entries = moved = left;
      ss.splice(at, 0, ns);
    }
    for (const x of moved) {
      this.contribute(s, x, -x.n);
      this.contribute(ns, x, x.n);
    }
    this.touch(ns);
  }

  private changeNull(p: Partition, r: Row, w: number, values: Value[], ctx: OperatorContext): void {
    let s = p.nulls;
    if (s === null) s = p.nulls = this.newSession(p, true);
    const byEnc = s.byEnc as Map<string, Entry>;
    const enc = encodeRow(r);
    let e = byEnc.get(enc);
    if (e === undefined) {
      e = this.newEntry(NaN, r, w, values, p, ctx);
      e.enc = enc;
      byEnc.set(enc, e);
      s.entries.push(e);
      this.added(s, e);
      return;
    }
    if (!this.applyWeight(s, e, w)) return;
    byEnc.delete(enc);
    const i = s.entries.indexOf(e);
    s.entries[i] = s.entries[s.entries.length - 1];
    s.entries.pop();
    if (byEnc.size === 0) {
      s.live = false;
      p.nulls = null;
      this.dropIfEmpty(p);
    }
  }

  // ---------------------------------------------------------------- output

  /** After a batch: emits the session's change against its previous output row. */
  private finish(s: Session, out: ChangeBatch, ctx: OperatorContext): void {
    const next = s.live && s.count > 0 ? this.outputRow(s, ctx) : null;
    const prev = s.out;
    if (next !== null && prev !== null && sameRow(prev, next)) return this.schedule(s);
    if (prev !== null) {
      out.rows.push(prev);
      out.weights.push(-1);
    }
    if (next !== null) {
      out.rows.push(next);
      out.weights.push(1);
    }
    s.out = next;
    this.schedule(s);
  }

  /** Puts the session on the closing heap at its current end (once per end value). */
  private schedule(s: Session): void {
    if (this.watermark === undefined || !s.live || s.byEnc !== null) return;
    const end = s.entries[s.entries.length - 1].time + this.gap;
    if (end !== s.heapEnd) {
      s.heapEnd = end;
      this.heap.add(end, s);
    }
  }

  private outputRow(s: Session, ctx: OperatorContext): Row | null {
    const isNull = s.byEnc !== null;
    const start = isNull ? null : s.entries[0].time;
    const end = isNull ? null : s.entries[s.entries.length - 1].time + this.gap;
    let keys: Value[] | null = null;
    if (s.reps === null) keys = this.keysOf(s.p.values, start, end, ctx);
    else {
      const cands: Rep<Value[]>[] = [];
      for (const r of s.reps) {
        if (r.n <= 0) continue;
        const k = this.keysOf(r.value, start, end, ctx);
        if (k === null) return null;
        cands.push({ value: k, n: r.n });
      }
      keys = cands.length === 0 ? this.keysOf(s.p.values, start, end, ctx) : (shownRep(cands, true) as Value[]);
    }
    if (keys === null) return null;
    const row: Row = keys;
    try {
      for (let a = 0; a < s.accs.length; a++) row.push(s.accs[a].result());
    } catch (e) {
      ctx.reportRowError(e, keys.slice(0, this.keyExprs.length));
      return null;
    }
    return row;
  }

  private keysOf(pv: Value[], start: Value, end: Value, ctx: OperatorContext): Value[] | null {
    const kr: Row = [...pv, start, end];
    const fs = this.keyExprs;
    const keys: Value[] = [];
    try {
      for (let k = 0; k < fs.length; k++) keys.push(fs[k](kr));
    } catch (e) {
      ctx.reportRowError(e, kr);
      return null;
    }
    return keys;
  }

  // ---------------------------------------------------------------- closing

  /** Drops every session whose end the watermark has reached; emits nothing (its row stays). */
  advance(ctx: OperatorContext): ChangeBatch {
    if (this.watermark === undefined) return EMPTY_BATCH();
    const w = this.watermark(ctx);
    if (!(w > this.closedBelow)) return EMPTY_BATCH();
    this.closedBelow = w;
    this.heap.popUpTo(w, (s, end) => {
      if (!s.live || s.heapEnd !== end) return; // merged away, or its end moved on since
      this.close(s);
    });
    return EMPTY_BATCH();
  }

  private close(s: Session): void {
    const p = s.p;
    const ss = p.sessions;
    const at = ss[0] === s ? 0 : ss.indexOf(s);
    if (at >= 0) ss.splice(at, 1);
    for (const e of s.entries) {
      e.live = false;
      this.markDirty(e);
    }
    this.rowCount -= s.entries.length;
    s.entries = [];
    s.live = false;
    this.dropIfEmpty(p);
  }

  // ---------------------------------------------------------------- state

  takeDirty(): StateEntry[] {
    const out: StateEntry[] = [];
    const dirty = this.dirty;
    // Deletions first: a row removed and added again within an epoch is two entries with one key.
    for (const e of dirty) {
      if (e.live || e.bytes === 0) continue;
      out.push({ key: this.persistKey(e), value: null });
      this.bytes -= e.bytes;
      e.bytes = 0;
    }
    for (const e of dirty) {
      e.dirty = false;
      if (!e.live) continue;
      const key = this.persistKey(e);
      const value = String(e.n);
      const bytes = key.length + value.length;
      this.bytes += bytes - e.bytes;
      e.bytes = bytes;
      out.push({ key, value });
    }
    dirty.length = 0;
    return out;
  }

  private persistKey(e: Entry): string {
    if (e.enc === undefined) e.enc = encodeRow(e.row);
    return e.p.pkey + SEP + e.enc;
  }

  restore(entries: Iterable<StateEntry>): void {
    const byPartition = new Map<Partition, Entry[]>();
    for (const { key, value } of entries) {
      if (value === null) continue;
      const enc = key.slice(key.lastIndexOf(SEP) + 1);
      const row = decodeRow(enc);
      let values: Value[];
      try {
        values = this.partitionValues(row);
      } catch {
        continue; // failed the same way when it arrived, so it was never held
      }
      const p = this.partitionOf(values);
      const t = row[this.tc];
      const finite = typeof t === 'number' && Number.isFinite(t);
      const e = this.newEntry(finite ? t : NaN, row, Number(value), values, p, SILENT);
      e.enc = enc;
      e.bytes = key.length + value.length;
      this.bytes += e.bytes;
      this.rowCount++;
      if (!finite) {
        if (p.nulls === null) p.nulls = this.newSession(p, true);
        (p.nulls.byEnc as Map<string, Entry>).set(enc, e);
        p.nulls.entries.push(e);
        this.contribute(p.nulls, e, e.n);
        continue;
      }
      let l = byPartition.get(p);
      if (l === undefined) byPartition.set(p, (l = []));
      l.push(e);
    }
    const gap = this.gap;
    for (const [p, es] of byPartition) {
      es.sort((a, b) => a.time - b.time);
      let cur: Session | null = null;
      for (const e of es) {
        if (cur === null || !(e.time < cur.entries[cur.entries.length - 1].time + gap)) {
          cur = this.newSession(p, false);
          p.sessions.push(cur);
        }
        cur.entries.push(e);
        this.contribute(cur, e, e.n);
      }
    }
    for (const p of this.partitions.values()) {
      for (const s of p.sessions) {
        s.out = s.count > 0 ? this.outputRow(s, SILENT) : null;
        this.schedule(s);
      }
      if (p.nulls !== null) p.nulls.out = p.nulls.count > 0 ? this.outputRow(p.nulls, SILENT) : null;
    }
  }

  /** Rows held (entries with a multiplicity). */
  stateSize(): number {
    return this.rowCount;
  }

  /** Approximate bytes of the persisted state (UTF-16 chars ≈ bytes). */
  stateBytes(): number {
    return this.bytes;
  }
}
