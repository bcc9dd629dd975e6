import type { Accumulator, AccumulatorColumn, ElementState, ResolvedAggregate } from '../../expr/aggregates/accumulator.js';
import { distinctAccumulator } from '../../expr/aggregates/distinct.js';
import type { SqlType } from '../../sql/types.js';
import type { Row, Value } from '../../sql/values.js';
import { deserialize, serialize } from '../../storage/value-codec.js';
import type { ChangeBatch } from '../change-batch.js';
import { encodeKeyParts, isIdentityNormalizer, keyNormalizer, makeValuesKeyFn } from '../key-codec.js';
import type { KeyNormalizer, KeyPart } from '../key-codec.js';
import { KeyIndex } from '../key-index.js';
import type { CompiledExpr, Operator, OperatorContext, StateEntry, WatermarkFn } from '../operator.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { WindowIndex } from '../window-index.js';
import { addRep, shownRep } from '../representatives.js';
import type { Rep } from '../representatives.js';
import { sameRow, sameValue } from '../row-identity.js';
import { TypeId } from '../../sql/types.js';

export interface AggregateCall {
  agg: ResolvedAggregate;
  /** Argument expressions: value args, then (ordered aggregates) the ORDER BY sort keys. */
  args: CompiledExpr[];
  distinct: boolean;
  /** FILTER (WHERE ...): the row feeds this aggregate only when it evaluates to true. */
  filter?: CompiledExpr;
}

export interface HashAggregateOptions {
  groupKeys: CompiledExpr[];
  /** Types of the group keys (for grouping equality of bpchar/jsonb; see key-codec.ts). */
  keyTypes?: SqlType[];
  aggregates: AggregateCall[];
  /**
   * A group key that carries a watermark (a window column): once the watermark passes a group's
   * value the group is final, so its state is freed (its output row stays in the view).
   */
  closeOn?: { key: number; watermark: WatermarkFn };
  /**
   * The input only ever inserts (planner/physical/append-only.ts): aggregates with an insert-only
   * form (min/max, see ResolvedAggregate.createAppendOnly) use it, keeping O(1) state per group
   * instead of every value. A retraction arriving anyway is reported (ctx.reportRowError) and the
   * row dropped, never applied wrongly.
   */
  appendOnly?: boolean;
}

interface Group {
  keyVals: Value[];
  /** Net number of input rows in the group. */
  count: number;
  /** Row accumulators, or null in column mode (state in HashAggregate.columns at `slot`). */
  accs: Accumulator[] | null;
  /** Per-element persistence of the accumulators at HashAggregate.elementAggs, or null if none. */
  elems: ElementState[] | null;
  slot: number;
  /** The output row currently emitted downstream, or null. */
  out: Row | null;
  /** Id of the last batch that touched the group. */
  stamp: number;
  dirty: boolean;
  deleted: boolean;
  persistKey: string | undefined;
  /**
   * Only when rows with differently represented but equal keys are present (numeric 1.5 / 1.50):
   * each representation's row count. keyVals is the canonical one present (representatives.ts).
   */
  reps: Rep<Value[]>[] | null;
}

/** Types whose equal keys are always identically represented (no representation tracking). */
const SINGLE_REPRESENTATION: ReadonlySet<string> = new Set([
  TypeId.Int2, TypeId.Int4, TypeId.Int8, TypeId.Text, TypeId.Varchar, TypeId.Bool, TypeId.Date, TypeId.Timestamp, TypeId.Timestamptz,
]);

const copyKey = (k: Value[]): Value[] => k.slice();

const GLOBAL_KEY = '*';

/**
 * Element entries (ElementState): '#' + aggregate index + ':' + group key length + ':' + group key
 * + element key. Group keys (encodeKeyParts, GLOBAL_KEY) never start with '#'.
 */
const ELEMENT_KEY_TAG = 0x23; // '#'

function elementKey(groupKey: string, agg: number, element: string): string {
  return '#' + agg + ':' + groupKey.length + ':' + groupKey + element;
}

function parseElementKey(key: string): { agg: number; groupKey: string; element: string } {
  const c1 = key.indexOf(':');
  const c2 = key.indexOf(':', c1 + 1);
  const len = Number(key.slice(c1 + 1, c2));
  return { agg: Number(key.slice(1, c1)), groupKey: key.slice(c2 + 1, c2 + 1 + len), element: key.slice(c2 + 1 + len) };
}

/**
 * [...keys, ...results] as a packed array. Array literals are several times cheaper to build than
 * `new Array(n)` filled afterwards (holey, then an elements-kind transition), and this runs once
 * per changed group per batch.
 */
function buildRow(k: readonly Value[], nk: number, r: readonly Value[], na: number): Row {
  switch (na < 8 ? nk * 8 + na : -1) {
    case 1: return [r[0]];
    case 2: return [r[0], r[1]];
    case 3: return [r[0], r[1], r[2]];
    case 9: return [k[0], r[0]];
    case 10: return [k[0], r[0], r[1]];
    case 11: return [k[0], r[0], r[1], r[2]];
    case 12: return [k[0], r[0], r[1], r[2], r[3]];
    case 17: return [k[0], k[1], r[0]];
    case 18: return [k[0], k[1], r[0], r[1]];
    case 19: return [k[0], k[1], r[0], r[1], r[2]];
    case 20: return [k[0], k[1], r[0], r[1], r[2], r[3]];
    default: {
      const row: Row = [];
      for (let i = 0; i < nk; i++) row.push(k[i]);
      for (let i = 0; i < na; i++) row.push(r[i]);
      return row;
    }
  }
}

/**
 * HashAggregate: GROUP BY with retractable accumulators, O(1) per change for count/sum/avg.
 * Output rows are [...groupKeyValues, ...aggregateResults]. For every group a batch touches it
 * emits the retraction of the group's previous output row and the insertion of the new one, and
 * nothing when the row did not change; a group whose row count drops to 0 is deleted. With no
 * group keys it is a global aggregate: exactly one output row always exists (emitted by init()).
 *
 *   GROUP BY k, count(*), sum(v)
 *   batch 1: [((a, 1), +1), ((a, 2), +1), ((b, 5), +1)]  ->  [((a, 2, 3), +1), ((b, 1, 5), +1)]
 *   batch 2: [((a, 1), -1), ((b, 5), -1)]                ->  [((a, 2, 3), -1), ((a, 1, 2), +1), ((b, 1, 5), -1)]
 *
 * Errors evaluating a row's keys, FILTERs or arguments report the row and skip it as a whole (no
 * accumulator sees part of a row). An error computing a result (e.g. sum out of range) reports
 * the group key and leaves the group without an output row until it is computable again.
 *
 * Group keys that are equal but differently represented (numeric 1.5 and 1.50) form one group
 * whose output shows the canonical representation among those present (representatives.ts), so
 * the result does not depend on arrival order or epoch splits.
 *
 * State: one entry per group, key = encoded group key, value = serialize([keyValues, rowCount,
 * accumulatorStates, representations?]).
 */
export class HashAggregate implements Operator {
  readonly arity = 1;
  private readonly keyExprs: CompiledExpr[];
  private readonly keyTypes: SqlType[] | undefined;
  private readonly norms: KeyNormalizer[];
  private readonly normIsIdentity: boolean[];
  /** Whether equal keys may differ in representation (see Group.reps). */
  private readonly trackReps: boolean;
  private readonly calls: AggregateCall[];
  private readonly nk: number;
  private readonly na: number;
  private readonly index: KeyIndex<Group>;
  private readonly global: Group | null;
  // Per-row scratch (allocation-free hot path).
  private readonly parts: KeyPart[];
  private readonly keyBuf: Value[];
  private readonly argBufs: Value[][];
  private readonly active: boolean[];
  private readonly hasFilters: boolean;
  private readonly resBuf: Value[];
  private readonly touched: Group[] = [];
  private readonly dirty: Group[] = [];
  private stamp = 0;
  /**
   * Column mode: when every aggregate has a columnar form (count, sum/avg of int2/int4...) and
   * none is DISTINCT, accumulator state lives in slot-indexed arrays; groups own a slot.
   */
  private readonly columns: AccumulatorColumn[] | null;
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private readonly closeKey: number;
  readonly closesOnWatermarks: boolean;
  private readonly closeWatermark: WatermarkFn | undefined;
  /** Open groups by the value of the close key (only with closeOn). */
  private readonly windows = new WindowIndex<Group>();
  /** Per aggregate: uses its insert-only form (options.appendOnly); then retractions are refused. */
  private readonly insertOnly: boolean[];
  /** Whether any aggregate uses its insert-only form. */
  readonly usesInsertOnlyState: boolean;
  /** Aggregates persisted one state entry per element (ElementState): min/max multisets, DISTINCT value sets. */
  private readonly elementAggs: number[];

  constructor(opts: HashAggregateOptions) {
    this.keyExprs = opts.groupKeys;
    this.keyTypes = opts.keyTypes;
    this.calls = opts.aggregates;
    this.nk = opts.groupKeys.length;
    this.na = opts.aggregates.length;
    this.norms = opts.groupKeys.map((_, i) => keyNormalizer(opts.keyTypes?.[i]));
    this.normIsIdentity = this.norms.map(isIdentityNormalizer);
    this.trackReps = opts.groupKeys.some((_, i) => {
      const t = opts.keyTypes?.[i];
      return t === undefined || !SINGLE_REPRESENTATION.has(t.id);
    });
    this.index = new KeyIndex<Group>(this.nk);
    this.parts = new Array(this.nk).fill(null);
    this.keyBuf = new Array(this.nk).fill(null);
    this.argBufs = this.calls.map((c) => new Array(c.args.length).fill(null));
    this.active = new Array(this.na).fill(true);
    this.hasFilters = this.calls.some((c) => c.filter !== undefined);
    this.resBuf = new Array(this.na).fill(null);
    this.columns = this.calls.every((c) => !c.distinct && c.agg.createColumn !== undefined)
      ? this.calls.map((c) => (c.agg.createColumn as () => AccumulatorColumn)())
      : null;
    // DISTINCT does not change min/max, so their insert-only form serves min(DISTINCT x) too.
    this.insertOnly = this.calls.map((c) => opts.appendOnly === true && this.columns === null && c.agg.createAppendOnly !== undefined
      && (!c.distinct || c.agg.name === 'min' || c.agg.name === 'max'));
    this.usesInsertOnlyState = this.insertOnly.includes(true);
    this.elementAggs = [];
    if (this.columns === null) this.newAccumulators().forEach((acc, a) => { if (acc.persistElements !== undefined) this.elementAggs.push(a); });
    this.closeKey = opts.closeOn?.key ?? -1;
    this.closesOnWatermarks = opts.closeOn !== undefined;
    this.closeWatermark = opts.closeOn?.watermark;
    this.global = this.nk === 0 ? this.newGroup([]) : null;
    if (this.global) this.index.set(this.parts, this.global);
  }

  private newAccumulators(): Accumulator[] {
    return this.calls.map((c, a) => {
      if (this.insertOnly[a]) return (c.agg.createAppendOnly as () => Accumulator)();
      const acc = c.agg.create();
      if (!c.distinct) return acc;
      const nValueArgs = Math.min(c.agg.argTypes.length || c.args.length, c.args.length);
      return distinctAccumulator(acc, makeValuesKeyFn(c.agg.argTypes, Math.max(nValueArgs, 1)));
    });
  }

  private newGroup(keyVals: Value[]): Group {
    let slot = -1;
    let accs: Accumulator[] | null = null;
    const columns = this.columns;
    if (columns !== null) {
      slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.nextSlot++;
      for (let a = 0; a < columns.length; a++) columns[a].reset(slot);
    } else accs = this.newAccumulators();
    let elems: ElementState[] | null = null;
    if (accs !== null && this.elementAggs.length > 0) {
      elems = [];
      for (const a of this.elementAggs) elems[a] = (accs[a].persistElements as () => ElementState).call(accs[a]);
    }
    return { keyVals, count: 0, accs, slot, elems, out: null, stamp: 0, dirty: false, deleted: false, persistKey: undefined, reps: null };
  }

  private result(g: Group, a: number): Value {
    return g.accs === null ? (this.columns as AccumulatorColumn[])[a].result(g.slot) : g.accs[a].result();
  }

  init(ctx: OperatorContext): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    const g = this.global;
    if (g === null) return out;
    g.out = this.outputRow(g, ctx);
    if (g.out !== null) {
      out.rows.push(g.out);
      out.weights.push(1);
    }
    this.markDirty(g);
    return out;
  }

  /**
   * Evaluates the row's key (into keyBuf/parts), FILTERs (into active) and arguments (into
   * argBufs). False, after reporting, if any of them throws: the row is then skipped as a whole.
   */
  private evalRow(row: Row, ctx: OperatorContext): boolean {
    const nk = this.nk;
    const na = this.na;
    try {
      for (let k = 0; k < nk; k++) {
        const v = this.keyExprs[k](row);
        this.keyBuf[k] = v;
        this.parts[k] = this.normIsIdentity[k] ? (v as KeyPart) : this.norms[k](v);
      }
      for (let a = 0; a < na; a++) {
        const c = this.calls[a];
        if (c.filter !== undefined && c.filter(row) !== true) {
          this.active[a] = false;
          continue;
        }
        this.active[a] = true;
        const args = c.args;
        const buf = this.argBufs[a];
        for (let j = 0; j < args.length; j++) buf[j] = args[j](row);
      }
      return true;
    } catch (e) {
      ctx.reportRowError(e, row);
      return false;
    }
  }

  push(_port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch {
    const { rows, weights } = batch;
    const na = this.na;
    const parts = this.parts;
    const keyBuf = this.keyBuf;
    const argBufs = this.argBufs;
    const active = this.active;
    const hasFilters = this.hasFilters;
    const index = this.index;
    const single = this.nk === 1;
    const trackReps = this.trackReps;
    const columns = this.columns;
    const touched = this.touched;
    const stamp = ++this.stamp;
    const closeKey = this.closeKey;
    const refuseRetractions = this.usesInsertOnlyState;

    for (let i = 0; i < rows.length; i++) {
      const w = weights[i];
      if (w === 0) continue;
      if (w < 0 && refuseRetractions) {
        ctx.reportRowError(new SqlError(SqlState.InternalError, 'retraction reached an aggregate planned over append-only input (its min/max keep only the current extreme); the change was dropped'), rows[i]);
        continue;
      }
      if (!this.evalRow(rows[i], ctx)) continue;
      if (closeKey >= 0 && this.windows.isClosed(keyBuf[closeKey])) {
        ctx.reportRowError(new SqlError(SqlState.DataException, 'change to a window that has already closed (its state was freed); the change was dropped'), rows[i]);
        continue;
      }
      let g = single ? index.get1(parts[0]) : index.get(parts);
      if (g === undefined) {
        g = this.newGroup(keyBuf.slice());
        index.set(parts, g);
        if (closeKey >= 0) this.windows.add(g.keyVals[closeKey], g);
      }
      if (g.stamp !== stamp) {
        g.stamp = stamp;
        touched.push(g);
      }
      if (trackReps && (g.reps !== null || !sameRow(g.keyVals, keyBuf))) {
        if (g.reps === null) g.reps = [{ value: g.keyVals, n: g.count }];
        addRep(g.reps, keyBuf, w, sameRow, copyKey);
      }
      g.count += w;
      const accs = g.accs;
      if (accs === null) {
        const slot = g.slot;
        for (let a = 0; a < na; a++) if (!hasFilters || active[a]) (columns as AccumulatorColumn[])[a].add(slot, argBufs[a], w);
      } else if (hasFilters) {
        for (let a = 0; a < na; a++) if (active[a]) accs[a].add(argBufs[a], w);
      } else {
        for (let a = 0; a < na; a++) accs[a].add(argBufs[a], w);
      }
    }

    const out: ChangeBatch = { rows: [], weights: [] };
    for (let t = 0; t < touched.length; t++) this.finishGroup(touched[t], out, ctx);
    touched.length = 0;
    return out;
  }

  /** After a batch: emits the touched group's change, drops it if empty, marks it dirty. */
  private finishGroup(g: Group, out: ChangeBatch, ctx: OperatorContext): void {
    let keyChanged = false;
    if (g.reps !== null) {
      g.reps = g.reps.filter((x) => x.n !== 0);
      const r = shownRep(g.reps, true);
      if (r !== undefined && r !== g.keyVals) {
        g.keyVals = r;
        keyChanged = true;
      }
      if (g.reps.length <= 1) g.reps = null;
    }
    const live = g.count > 0 || g === this.global;
    const newOut = !live ? null : keyChanged || g.out === null ? this.outputRow(g, ctx) : this.outputRowIfChanged(g, g.out, ctx);
    if (newOut !== g.out) {
      if (g.out !== null) {
        out.rows.push(g.out);
        out.weights.push(-1);
      }
      if (newOut !== null) {
        out.rows.push(newOut);
        out.weights.push(1);
      }
      g.out = newOut;
    }
    if (g.count === 0 && g !== this.global) {
      const parts = this.parts;
      for (let k = 0; k < this.nk; k++) parts[k] = this.norms[k](g.keyVals[k]);
      this.index.delete(parts);
      g.deleted = true;
      if (g.accs === null) this.freeSlots.push(g.slot);
    }
    if (!g.dirty) {
      g.dirty = true;
      this.dirty.push(g);
    }
  }

  /** The group's new output row, or `prev` itself when no result changed (callers compare by ===). */
  private outputRowIfChanged(g: Group, prev: Row, ctx: OperatorContext): Row | null {
    const nk = this.nk;
    const na = this.na;
    const res = this.resBuf;
    let changed = false;
    try {
      for (let a = 0; a < na; a++) {
        const r = this.result(g, a);
        res[a] = r;
        if (!changed && !sameValue(prev[nk + a], r)) changed = true;
      }
    } catch (e) {
      ctx.reportRowError(e, g.keyVals);
      return null;
    }
    if (!changed) return prev;
    return buildRow(g.keyVals, nk, res, na);
  }

  private outputRow(g: Group, ctx: OperatorContext): Row | null {
    const res = this.resBuf;
    try {
      for (let a = 0; a < this.na; a++) res[a] = this.result(g, a);
    } catch (e) {
      ctx.reportRowError(e, g.keyVals);
      return null;
    }
    return buildRow(g.keyVals, this.nk, res, this.na);
  }

  private markDirty(g: Group): void {
    if (!g.dirty) {
      g.dirty = true;
      this.dirty.push(g);
    }
  }

  private persistKey(g: Group): string {
    if (g.persistKey === undefined) {
      if (g === this.global) g.persistKey = GLOBAL_KEY;
      else {
        const parts: KeyPart[] = new Array(this.nk);
        for (let k = 0; k < this.nk; k++) parts[k] = this.norms[k](g.keyVals[k]);
        g.persistKey = encodeKeyParts(parts);
      }
    }
    return g.persistKey;
  }

  takeDirty(): StateEntry[] {
    const entries: StateEntry[] = [];
    const ea = this.elementAggs;
    // Deletions first: a group deleted and re-created in one epoch is two Group objects.
    for (const g of this.dirty) {
      if (!g.deleted) continue;
      const pk = this.persistKey(g);
      entries.push({ key: pk, value: null });
      if (g.elems === null) continue;
      for (const a of ea) {
        const del = (k: string) => void entries.push({ key: elementKey(pk, a, k), value: null });
        g.elems[a].takeChangedElements(del);
        g.elems[a].forEachElementKey(del);
      }
    }
    for (const g of this.dirty) {
      g.dirty = false;
      if (g.deleted) continue;
      const accStates: unknown[] = [];
      for (let a = 0; a < this.na; a++) {
        accStates.push(g.accs === null ? (this.columns as AccumulatorColumn[])[a].save(g.slot) : g.elems !== null && g.elems[a] !== undefined ? g.elems[a].saveHead() : g.accs[a].save());
      }
      const state: unknown[] = [g.keyVals, g.count, accStates];
      if (g.reps !== null || g.elems !== null) state.push(g.reps === null ? null : g.reps.map((r) => [r.value, r.n]));
      // Which accumulators saved a head, their elements being entries of their own.
      if (g.elems !== null) state.push(ea);
      const pk = this.persistKey(g);
      entries.push({ key: pk, value: serialize(state) });
      if (g.elems === null) continue;
      for (const a of ea) g.elems[a].takeChangedElements((k, st) => void entries.push({ key: elementKey(pk, a, k), value: st === null ? null : serialize(st) }));
    }
    this.dirty.length = 0;
    return entries;
  }

  restore(entries: Iterable<StateEntry>): void {
    const ctx: OperatorContext = { epoch: 0, reportRowError: () => {}, watermark: () => -Infinity, processingTime: 0 };
    // Element entries are applied once every group is loaded (they may come first).
    const elementEntries: StateEntry[] = [];
    const byKey = new Map<string, Group>();
    for (const entry of entries) {
      const { key, value } = entry;
      if (value === null) continue;
      if (key.charCodeAt(0) === ELEMENT_KEY_TAG) {
        elementEntries.push(entry);
        continue;
      }
      const [keyVals, count, states, reps, headsAt] = deserialize(value) as [Value[], number, unknown[], [Value[], number][] | null | undefined, number[] | undefined];
      let g: Group;
      if (this.global !== null) g = this.global;
      else {
        for (let k = 0; k < this.nk; k++) this.parts[k] = this.norms[k](keyVals[k]);
        g = this.index.get(this.parts) ?? this.newGroup(keyVals);
        this.index.set(this.parts, g);
      }
      g.keyVals = keyVals;
      g.count = count;
      g.persistKey = key;
      g.reps = reps === undefined || reps === null ? null : reps.map(([v, n]) => ({ value: v, n }));
      for (let a = 0; a < this.na; a++) {
        const es = g.elems?.[a];
        if (g.accs === null) (this.columns as AccumulatorColumn[])[a].load(g.slot, states[a]);
        else if (headsAt !== undefined && headsAt.includes(a)) {
          if (es === undefined) throw new Error(`HashAggregate: aggregate ${a} was saved per element but has no element form`);
          es.loadHead(states[a]);
        } else {
          g.accs[a].load(states[a]);
          // A whole snapshot (saved before per-element persistence): its elements get entries when the group is next saved.
          es?.markAllChanged();
        }
      }
      byKey.set(key, g);
    }
    for (const { key, value } of elementEntries) {
      const at = parseElementKey(key);
      const es = byKey.get(at.groupKey)?.elems?.[at.agg];
      if (es === undefined) throw new Error(`HashAggregate: state entry ${JSON.stringify(key)} belongs to no group`);
      es.loadElement(at.element, deserialize(value as string));
    }
    for (const g of byKey.values()) {
      g.out = g.count > 0 || g === this.global ? this.outputRow(g, ctx) : null;
      if (this.closeKey >= 0 && g !== this.global) this.windows.add(g.keyVals[this.closeKey], g);
    }
    // The global row exists downstream even when no state was persisted for it yet.
    if (this.global !== null && this.global.out === null) this.global.out = this.outputRow(this.global, ctx);
  }

  /** Groups, plus the element entries of per-element persisted aggregates. */
  stateSize(): number {
    let n = this.index.size;
    if (this.elementAggs.length === 0) return n;
    for (const g of this.index.values()) if (g.elems !== null) for (const a of this.elementAggs) n += g.elems[a].elementCount();
    return n;
  }

  /** Frees the state of every group the close key's watermark has passed; emits nothing. */
  advance(ctx: OperatorContext): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    if (this.closeWatermark === undefined) return out;
    this.windows.close(this.closeWatermark(ctx), (g) => {
      if (g.deleted) return;
      const parts = this.parts;
      for (let k = 0; k < this.nk; k++) parts[k] = this.norms[k](g.keyVals[k]);
      this.index.delete(parts);
      g.deleted = true;
      if (g.accs === null) this.freeSlots.push(g.slot);
      this.markDirty(g);
    });
    return out;
  }
}
