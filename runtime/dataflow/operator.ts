import type { Row, Value } from '../sql/values.js';
import type { ChangeBatch } from './change-batch.js';

/** An expression compiled once per plan into a closure (runtime/expr/compile.ts). May throw SqlError. */
export type CompiledExpr = (row: Row) => Value;

export interface OperatorContext {
  readonly epoch: number;
  /**
   * A per-row evaluation error inside a continuous query: the row is skipped for this view and the
   * error is recorded in eddy_errors (view, epoch, SQLSTATE, message, row as JSON). Never throw it on.
   */
  reportRowError(error: unknown, row: Row): void;
  /**
   * The current watermark of a source column (key from catalog.watermarkKey): no change to a row
   * whose value in that column is below it will ever arrive again. -Infinity when unknown.
   */
  watermark(key: string): number;
  /** Processing time of this epoch (µs since 1970, wall clock at the epoch's start). */
  readonly processingTime: number;
}

/** A column's watermark as a function of the source watermarks (built by the planner). */
export type WatermarkFn = (ctx: OperatorContext) => number;

/** One persisted piece of operator state: key -> serialized value, or null to delete the key. */
export interface StateEntry {
  key: string;
  value: string | null;
}

/**
 * An incremental operator. Every operator is deterministic: the same input batches in the same
 * order produce the same outputs, so an MV equals its query run as a batch over the same input.
 */
export interface Operator {
  /** Number of input ports. */
  readonly arity: number;
  /**
   * Output emitted before any input (e.g. a global aggregate's initial row `count = 0`).
   * Called once when a dataflow is first created, never after a restore.
   */
  init?(ctx: OperatorContext): ChangeBatch;
  /** Consume one input batch on `port` and return the output changes. */
  push(port: number, batch: ChangeBatch, ctx: OperatorContext): ChangeBatch;
  /**
   * Called once per step after the pushes, and in watermark-only steps: closes what the current
   * watermarks (ctx.watermark) make final, frees its state, and returns what that emits.
   */
  advance?(ctx: OperatorContext): ChangeBatch;
  /**
   * False when this instance's advance() never closes anything (e.g. an aggregate without a
   * window key): watermark-only passes then skip the dataflow. Omitted = true when advance exists.
   */
  readonly closesOnWatermarks?: boolean;
  /**
   * Processing time (µs) at which advance() will have something to do without new input (e.g. a
   * temporal filter's next expiry); Infinity for never. The engine runs an epoch then.
   */
  nextWakeup?(): number;
  /** State changed since the last call, to be written in the epoch commit. Stateless operators omit it. */
  takeDirty?(): StateEntry[];
  /** Rebuild in-memory state from persisted entries (after a restart). */
  restore?(entries: Iterable<StateEntry>): void;
  /** Number of state entries held (for SHOW/metrics). */
  stateSize?(): number;
  /**
   * Approximate bytes of the state held, for operators whose persisted entries differ widely in
   * size (e.g. one entry per partition holding many rows). Without it, Dataflow.stateStats
   * estimates stateSize() × the mean size of the entries persisted recently.
   */
  stateBytes?(): number;
}
