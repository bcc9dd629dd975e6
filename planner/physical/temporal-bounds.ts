/**
 * Temporal filters in materialized views: the conjuncts of a WHERE (or HAVING) of the form
 * `expr <op> now() ± constant interval` (either operand order, op one of < <= > >= =) become a
 * TemporalFilter (runtime/dataflow/operators/temporal-filter.ts) evaluated at each epoch's
 * processing time; every other use of now() in an MV stays an error (0A000).
 *
 *   WHERE page = 'x' AND ts > now() - INTERVAL '1 hour'
 *     -> rest: page = 'x'        bounds: [ts > now() + (-3600000000 µs)]
 */
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { forEachChild, isConstant } from '../../runtime/expr/ir.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import type { Field } from '../../runtime/plan/plan.js';
import { TypeId } from '../../runtime/sql/types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { Interval } from '../../runtime/sql/interval.js';
import type { WatermarkFn } from '../../runtime/dataflow/operator.js';
import type { TemporalBound } from '../../runtime/dataflow/operators/temporal-filter.js';
import { USECS_PER_DAY } from '../../runtime/sql/calendar.js';

/** A bound before compilation: `time <op> now() + offset` (µs). */
export interface TemporalBoundExpr {
  time: ScalarExpr;
  op: TemporalBound['op'];
  offset: number;
}

/** now() and its aliases without arguments: all read the statement (here: processing) time. */
const NOW_CALLS = new Set(['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'localtimestamp']);
const TS_TYPES: ReadonlySet<string> = new Set([TypeId.Timestamp, TypeId.Timestamptz]);
const FLIP: Record<string, TemporalBound['op']> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** Splits a predicate into temporal bounds and the remaining conjuncts (null when none remain). */
export function splitTemporalBounds(predicate: ScalarExpr): { bounds: TemporalBoundExpr[]; rest: ScalarExpr | null } {
  const bounds: TemporalBoundExpr[] = [];
  const rest: ScalarExpr[] = [];
  const visit = (e: ScalarExpr) => {
    if (e.kind === 'And') {
      e.args.forEach(visit);
      return;
    }
    const b = temporalBound(e);
    if (b) bounds.push(b);
    else rest.push(e);
  };
  visit(predicate);
  if (bounds.length === 0) return { bounds, rest: predicate };
  return { bounds, rest: rest.length === 0 ? null : rest.length === 1 ? rest[0] : { kind: 'And', args: rest, type: predicate.type } };
}

function temporalBound(e: ScalarExpr): TemporalBoundExpr | null {
  if (e.kind !== 'BinaryOp' || FLIP[e.op] === undefined) return null;
  for (const [timeSide, nowSide, op] of [[e.left, e.right, e.op], [e.right, e.left, FLIP[e.op]]] as const) {
    if (!TS_TYPES.has(timeSide.type.id) || readsClock(timeSide)) continue;
    const offset = nowOffset(nowSide);
    if (offset !== null) return { time: timeSide, op: op as TemporalBound['op'], offset };
  }
  return null;
}

/** `now() [± const interval ...]` (with casts between timestamp types): the offset in µs, else null. */
function nowOffset(e: ScalarExpr): number | null {
  switch (e.kind) {
    case 'Call':
      return NOW_CALLS.has(e.name) && e.args.length === 0 ? 0 : null;
    case 'UnaryOp':
      // timestamp <-> timestamptz casts are the identity on µs (TimeZone is UTC).
      return e.op.startsWith('::') && TS_TYPES.has(e.type.id) && TS_TYPES.has(e.arg.type.id) ? nowOffset(e.arg) : null;
    case 'BinaryOp': {
      if (e.op === '+' || e.op === '-') {
        const l = nowOffset(e.left);
        if (l !== null) {
          const iv = constInterval(e.right);
          return iv === null ? null : e.op === '+' ? l + iv : l - iv;
        }
        if (e.op === '+') {
          const r = nowOffset(e.right);
          const iv = constInterval(e.left);
          return r === null || iv === null ? null : r + iv;
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** A constant non-NULL interval without months, in µs (days are 24 h: TimeZone is UTC). */
function constInterval(e: ScalarExpr): number | null {
  if (e.type.id !== TypeId.Interval || !isConstant(e) || readsClock(e)) return null;
  const v = compileExpr(e, { ctx: newEvalContext() })([]);
  if (!(v instanceof Interval)) return null;
  if (v.months !== 0) {
    throw new SqlError(SqlState.InvalidParameterValue, 'an interval with months or years is not supported in a temporal filter of a materialized view', {
      hint: "Use days instead, e.g. now() - INTERVAL '30 days'.",
    });
  }
  return v.days * USECS_PER_DAY + v.micros;
}

function readsClock(e: ScalarExpr): boolean {
  if (e.kind === 'Call' && e.volatility !== 'immutable') return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && readsClock(c)) found = true;
  });
  return found;
}

/** The column a time expression is (seen through casts between timestamp types), or null. */
function timeColumn(e: ScalarExpr): number | null {
  if (e.kind === 'Column') return e.index;
  if (e.kind === 'UnaryOp' && e.op.startsWith('::') && TS_TYPES.has(e.type.id) && TS_TYPES.has(e.arg.type.id)) return timeColumn(e.arg);
  return null;
}

/**
 * Output watermarks of a temporal filter. Held rows appear or expire later, so no watermark of the
 * input survives, except on the bounded time column itself: every row still to appear or expire at
 * processing time P has time >= P + min(offset), so W' = min(W, P + min(offset)).
 */
export function temporalFilterWatermarks(bounds: TemporalBoundExpr[], input: (WatermarkFn | null)[]): (WatermarkFn | null)[] {
  const out: (WatermarkFn | null)[] = input.map(() => null);
  const col = timeColumn(bounds[0].time);
  if (col === null || bounds.some((b) => timeColumn(b.time) !== col)) return out;
  const w = input[col];
  if (w === null) return out;
  const minOffset = Math.min(...bounds.map((b) => b.offset));
  out[col] = (ctx) => Math.min(w(ctx), ctx.processingTime + minOffset);
  return out;
}

/** EXPLAIN text of the bounds: `ts > now() - interval '01:00:00', ...`. */
export function describeBounds(bounds: TemporalBoundExpr[], fields: Field[]): string {
  return bounds
    .map((b) => {
      const col = timeColumn(b.time);
      const name = col !== null ? fields[col]?.name ?? `#${col}` : 'expr';
      const abs = Math.abs(b.offset);
      const iv = new Interval(0, Math.floor(abs / USECS_PER_DAY), abs % USECS_PER_DAY);
      const off = b.offset === 0 ? '' : ` ${b.offset > 0 ? '+' : '-'} interval '${iv.toString()}'`;
      return `${name} ${b.op} now()${off}`;
    })
    .join(', ');
}
