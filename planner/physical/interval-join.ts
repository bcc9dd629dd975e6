/**
 * Interval and window joins: the time bound a join condition puts on every matching pair, so the
 * incremental join can free stored rows no future row can match, and the join's output keeps
 * watermarks on its time columns.
 *
 *   a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '10 minutes'
 *     -> { leftTime: a.ts, rightTime: b.ts, lo: 0, hi: 600 s }         (b.ts - a.ts ∈ [0, 10 min])
 *   a JOIN b ON a.ts > b.ts - INTERVAL '1 hour' AND a.ts <= b.ts      -> b.ts - a.ts ∈ [0, 1 h]
 *   TUMBLE(a ..) x JOIN TUMBLE(b ..) y ON x.window_start = y.window_start  -> [0, 0]
 *
 * Conjuncts considered: the equi keys and the residual's top-level AND terms of the form
 * `col [± const interval ...] op col [± const interval ...]` or `col - col op const interval`
 * (either way round) with op in < <= > >= =, one time column (timestamp/timestamptz) of each side. Strict and non-strict bounds are treated alike,
 * which is conservative (a row is freed a little later, never too early). Intervals with months
 * count as 28..31 days per month, the wider end for each bound; days are 24 h (TimeZone is UTC).
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import { Interval } from '../../runtime/sql/interval.js';
import { TypeId } from '../../runtime/sql/types.js';
import type { JoinTimeBound } from '../../runtime/dataflow/operators/symmetric-hash-join.js';
import type { OperatorContext, WatermarkFn } from '../../runtime/dataflow/operator.js';
import { conjuncts } from '../rules/columns.js';
import { USECS_PER_DAY } from '../../runtime/sql/calendar.js';

type JoinPlan = Extract<RelPlan, { kind: 'Join' }>;
type ColumnWatermarks = (WatermarkFn | null)[];

/** lo <= right[rightTime] - left[leftTime] <= hi (µs) for every matching pair. */
export interface TimeBound {
  leftTime: number;
  rightTime: number;
  lo: number;
  hi: number;
}

const TIME_TYPES: ReadonlySet<string> = new Set([TypeId.Timestamp, TypeId.Timestamptz]);

/** A time column plus a constant offset known to lie in [min, max] (µs). */
interface Term {
  col: number;
  min: number;
  max: number;
}

/** Bounds per (left time column, right time column) pair, intersected over all conjuncts. */
export function joinTimeBounds(join: JoinPlan, ctx: EvalContext): TimeBound[] {
  const width = join.left.fields.length;
  const byPair = new Map<string, TimeBound>();
  const note = (a: Term, op: string, b: Term) => {
    // Orient so that `l` is the left side's term: l op' r.
    let l = a;
    let r = b;
    let o = op;
    if (a.col >= width && b.col < width) {
      l = b;
      r = a;
      o = FLIP[op];
    } else if (!(a.col < width && b.col >= width)) return;
    // l.t + [lmin,lmax] o r.t + [rmin,rmax]   =>   D = r.t - l.t  vs  l - r offsets
    let lo = -Infinity;
    let hi = Infinity;
    if (o === '<' || o === '<=' || o === '=') lo = l.min - r.max;
    if (o === '>' || o === '>=' || o === '=') hi = l.max - r.min;
    const key = `${l.col},${r.col - width}`;
    const cur = byPair.get(key);
    if (cur === undefined) byPair.set(key, { leftTime: l.col, rightTime: r.col - width, lo, hi });
    else {
      cur.lo = Math.max(cur.lo, lo);
      cur.hi = Math.min(cur.hi, hi);
    }
  };
  join.leftKeys.forEach((lk, i) => {
    const a = term(lk, ctx);
    const b = term(join.rightKeys[i], ctx);
    if (a !== null && b !== null && a.col < width && b.col < join.right.fields.length) note(a, '=', { ...b, col: b.col + width });
  });
  if (join.residual !== undefined) {
    for (const c of conjuncts(join.residual)) {
      if (c.kind !== 'BinaryOp' || FLIP[c.op] === undefined) continue;
      const a = term(c.left, ctx);
      const b = term(c.right, ctx);
      if (a !== null && b !== null) note(a, c.op, b);
      else if (a === null && b === null) {
        // x - y op interval  <=>  x op y + interval   (and interval op x - y)
        const d = difference(c.left, ctx);
        const k = d === null ? null : intervalRange(c.right, ctx);
        if (d !== null && k !== null) note(d[0], c.op, { col: d[1].col, min: d[1].min + k[0], max: d[1].max + k[1] });
        const d2 = difference(c.right, ctx);
        const k2 = d2 === null ? null : intervalRange(c.left, ctx);
        if (d2 !== null && k2 !== null) note({ col: d2[1].col, min: d2[1].min + k2[0], max: d2[1].max + k2[1] }, c.op, d2[0]);
      }
    }
  }
  return [...byPair.values()].filter((b) => b.lo > -Infinity || b.hi < Infinity);
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** `col`, `col ± interval`, `interval + col`, nested; casts between timestamp and timestamptz. */
function term(e: ScalarExpr, ctx: EvalContext): Term | null {
  switch (e.kind) {
    case 'Column':
      return TIME_TYPES.has(e.type.id) ? { col: e.index, min: 0, max: 0 } : null;
    case 'UnaryOp': {
      // With TimeZone UTC these casts keep the µs value.
      if (!TIME_TYPES.has(e.type.id) || !TIME_TYPES.has(e.arg.type.id) || !e.op.startsWith('::')) return null;
      return term(e.arg, ctx);
    }
    case 'BinaryOp': {
      if (e.op !== '+' && e.op !== '-') return null;
      if (!TIME_TYPES.has(e.type.id)) return null;
      let inner: ScalarExpr = e.left;
      let off: ScalarExpr = e.right;
      if (e.op === '+' && isConstant(e.left) && !isConstant(e.right)) {
        inner = e.right;
        off = e.left;
      }
      const t = term(inner, ctx);
      const range = t === null ? null : intervalRange(off, ctx);
      if (t === null || range === null) return null;
      return e.op === '+' ? { col: t.col, min: t.min + range[0], max: t.max + range[1] } : { col: t.col, min: t.min - range[1], max: t.max - range[0] };
    }
    default:
      return null;
  }
}

/** `x - y` of two time terms (an interval), as [x, y]. */
function difference(e: ScalarExpr, ctx: EvalContext): [Term, Term] | null {
  if (e.kind !== 'BinaryOp' || e.op !== '-' || e.type.id !== TypeId.Interval) return null;
  const x = term(e.left, ctx);
  const y = term(e.right, ctx);
  return x === null || y === null ? null : [x, y];
}

/** The µs an interval constant may add to a timestamp, as [min, max]; null if not a constant interval. */
function intervalRange(e: ScalarExpr, ctx: EvalContext): [number, number] | null {
  if (e.type.id !== TypeId.Interval || !isConstant(e) || hasParam(e)) return null;
  let v: unknown;
  try {
    v = compileExpr(e, { ctx })([]);
  } catch {
    return null;
  }
  if (!(v instanceof Interval)) return null;
  const fixed = v.micros + v.days * USECS_PER_DAY;
  const m = v.months * USECS_PER_DAY;
  const lo = fixed + Math.min(m * 28, m * 31);
  const hi = fixed + Math.max(m * 28, m * 31);
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;
}

function hasParam(e: ScalarExpr): boolean {
  if (e.kind === 'Param') return true;
  if (e.kind === 'Literal') return false;
  let found = false;
  const visit = (x: ScalarExpr) => { if (!found && hasParam(x)) found = true; };
  switch (e.kind) {
    case 'Call': case 'And': case 'Or': case 'Coalesce': case 'GreatestLeast': e.args.forEach(visit); break;
    case 'BinaryOp': visit(e.left); visit(e.right); break;
    case 'UnaryOp': visit(e.arg); break;
    default: return true;
  }
  return found;
}

/**
 * The bound the incremental join purges by: among the bounds whose other side's time column has a
 * watermark, the one that frees the most (both sides over one side). Null if nothing can be freed.
 */
export function purgeBound(join: JoinPlan, left: ColumnWatermarks, right: ColumnWatermarks, ctx: EvalContext): JoinTimeBound | null {
  let best: JoinTimeBound | null = null;
  let bestScore = 0;
  for (const b of joinTimeBounds(join, ctx)) {
    const lw = left[b.leftTime] ?? undefined;
    const rw = right[b.rightTime] ?? undefined;
    const frees = (rw !== undefined && b.hi < Infinity ? 1 : 0) + (lw !== undefined && b.lo > -Infinity ? 1 : 0);
    if (frees > bestScore) {
      bestScore = frees;
      best = { ...b, leftWatermark: lw, rightWatermark: rw };
    }
  }
  return best;
}

/**
 * Output watermarks of an inner join from its time bounds (combined into `out` with the larger of
 * two valid bounds). A future output row comes from a new left row (l.t >= W(l.t)) or from a new
 * right row (r.t >= W(r.t)) joined with a stored left row, whose l.t >= r.t - hi. Hence
 *   W(l.t)out = min(W(l.t), W(r.t) - hi),   W(r.t)out = min(W(r.t), W(l.t) + lo).
 */
export function intervalJoinWatermarks(join: JoinPlan, left: ColumnWatermarks, right: ColumnWatermarks, out: ColumnWatermarks, ctx: EvalContext): void {
  if (join.joinType !== 'inner') return;
  const width = join.left.fields.length;
  const raise = (col: number, f: WatermarkFn) => {
    const prev = out[col];
    out[col] = prev === null ? f : (c: OperatorContext) => Math.max(prev(c), f(c));
  };
  for (const b of joinTimeBounds(join, ctx)) {
    const lw = left[b.leftTime];
    const rw = right[b.rightTime];
    if (lw === null || lw === undefined || rw === null || rw === undefined) continue;
    const { lo, hi } = b;
    if (hi < Infinity) raise(b.leftTime, (c) => Math.min(lw(c), rw(c) - hi));
    if (lo > -Infinity) raise(width + b.rightTime, (c) => Math.min(rw(c), lw(c) + lo));
  }
}
