/**
 * The aggregate contract shared by the batch executor and the incremental HashAggregate.
 *
 * An Accumulator folds argument tuples with integer weights: weight +1 adds a row, -1 retracts it,
 * ±n adds/retracts n copies. The batch executor only ever calls add(args, +1); the streaming
 * operator calls it with both signs, and within one batch a retraction may arrive before the
 * insertion it cancels, so every accumulator tolerates transiently negative multiplicities.
 * count/sum/avg/bool_and/bool_or are O(1) per change (PERFORMANCE.md, design lesson 6).
 *
 *   const acc = resolveAggregate('sum', [T.int4])!.create();
 *   acc.add([5], 1); acc.add([7], 1); acc.add([5], -1);
 *   acc.result();  // 7n (sum(int4) is int8)
 *
 * `args` is owned by the caller and reused between calls: accumulators copy the values they
 * keep, never the array. NULL arguments are ignored as in PostgreSQL (count(*) takes no args).
 */
import type { SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';

export interface Accumulator {
  add(args: readonly Value[], weight: number): void;
  /** The aggregate's current value (may throw SqlError, e.g. an out-of-range sum). */
  result(): Value;
  /** A snapshot of the state, serialisable with runtime/storage/value-codec. */
  save(): unknown;
  /** Replaces the state with a snapshot taken by save() of an accumulator of the same kind. */
  load(state: unknown): void;
  /**
   * Switches the accumulator to per-element persistence (ElementState) and returns it. Only the
   * accumulators whose state is a set of elements that grows with the input have it.
   */
  persistElements?(): ElementState;
}

/**
 * Per-element persistence, for accumulators whose state is a large set of elements (min/max's
 * value multiset, a DISTINCT aggregate's value set). HashAggregate stores the small rest of the
 * state (the head) in the group's state entry and every element in a state entry of its own, so
 * an epoch writes the elements it changed rather than the whole set: save() of a long-lived
 * group made each epoch's cost grow with the group's history. save()/load() keep exchanging the
 * whole state.
 *
 *   acc.persistElements(); acc.add([5], 1); acc.add([7], 1); epoch ends:
 *   saveHead() -> null; takeChangedElements -> ('5', [[5, 1]]), ('7', [[7, 1]])
 *   next epoch, acc.add([5], -1):  takeChangedElements -> ('5', null)
 */
export interface ElementState {
  /** The state without its elements (small). */
  saveHead(): unknown;
  /** Replaces the state with a head saved by saveHead(), no elements yet (loadElement adds them). */
  loadHead(head: unknown): void;
  /** Adds an element reported by takeChangedElements (after loadHead; not recorded as a change). */
  loadElement(key: string, state: unknown): void;
  /** Reports every element changed since the last call (state null: gone) and forgets the record. */
  takeChangedElements(fn: (key: string, state: unknown) => void): void;
  /** Reports the key of every element present. */
  forEachElementKey(fn: (key: string) => void): void;
  /** Records every element present as changed (after load() of a whole snapshot). */
  markAllChanged(): void;
  /** Number of elements present (each one a state entry). */
  elementCount(): number;
}

/** One ORDER BY item of an ordered aggregate (string_agg(x, ',' ORDER BY y DESC)). */
export interface AggOrderBy {
  type: SqlType;
  desc: boolean;
  nullsFirst: boolean;
}

export interface AggregateOptions {
  orderBy?: AggOrderBy[];
}

/**
 * Optional columnar form of an aggregate's state for many groups at once, indexed by a dense slot
 * number (PERFORMANCE.md: dense typed arrays beat one object per group by a wide margin).
 * HashAggregate uses it on its hot path when every aggregate of the operator offers one. It must
 * compute exactly what the row Accumulator does, and save()/load() exchange the same state format
 * as the row Accumulator's, so persisted state does not depend on the form used.
 */
export interface AccumulatorColumn {
  /** Makes `slot` usable and empty (slots of dropped groups are reused). */
  reset(slot: number): void;
  add(slot: number, args: readonly Value[], weight: number): void;
  result(slot: number): Value;
  save(slot: number): unknown;
  load(slot: number, state: unknown): void;
}

export interface ResolvedAggregate {
  name: string;
  returnType: SqlType;
  /**
   * The types the arguments must be cast to (value arguments only). For an ordered aggregate the
   * caller passes args = [...valueArgs, ...sortKeys] to add().
   */
  argTypes: SqlType[];
  /** The ORDER BY the accumulator was built for (ordered aggregates only). */
  orderBy?: AggOrderBy[];
  create(): Accumulator;
  /** The columnar form, for the aggregates that have one (count, sum/avg of int2/int4, bool_and/or). */
  createColumn?(): AccumulatorColumn;
  /**
   * An insert-only form with O(1) state, for the aggregates whose retractable state is a multiset
   * of the values (min/max). Used when the planner proved the input append-only
   * (planner/physical/append-only.ts). Its add() throws a SqlError (XX000) on a negative weight
   * instead of computing a wrong result; save()/load() use their own, smaller format.
   */
  createAppendOnly?(): Accumulator;
}
