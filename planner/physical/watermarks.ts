/**
 * Which output columns of each plan node carry a watermark, and how to compute it from the
 * source watermarks at run time. A column's watermark W means: no change to a row whose value in
 * that column is below W will ever arrive again. Windowed operators close on it.
 *
 *   stream s (ts, WATERMARK ...)      ts            -> the stream's watermark
 *   TUMBLE(s, ts, 1 min)              window_start  -> the start of the window holding W(ts)
 *   GROUP BY date_trunc('minute', ts) the key       -> date_trunc('minute', W(ts))  (monotone in ts)
 *   a JOIN b ON a.w = b.w             a.w, b.w      -> min(W(a.w), W(b.w))
 *   a JOIN b ON b.t BETWEEN a.t AND a.t + h   a.t -> min(W(a.t), W(b.t) - h)   (interval-join.ts)
 *   UNION ALL                         column i      -> min over the inputs
 *
 * A monotone non-decreasing expression f of one watermarked column keeps a watermark f(W): rows
 * to come have x >= W, hence f(x) >= f(W).
 */
import { childrenOf, type RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import type { Value } from '../../runtime/sql/values.js';
import { TypeId } from '../../runtime/sql/types.js';
import { watermarkKey, type CatalogReader } from '../../runtime/catalog/catalog.js';
import type { OperatorContext, WatermarkFn } from '../../runtime/dataflow/operator.js';
import { hopStartWatermark } from '../../runtime/time/windows.js';
import { intervalJoinWatermarks } from './interval-join.js';
import { splitTemporalBounds, temporalFilterWatermarks } from './temporal-bounds.js';

export type ColumnWatermarks = (WatermarkFn | null)[];

/** Functions monotone non-decreasing in one argument (its index), the others constant. */
const MONOTONE_CALLS: Record<string, number> = { date_trunc: 1, date_bin: 1 };
const TIME_TYPES: ReadonlySet<string> = new Set([TypeId.Timestamp, TypeId.Timestamptz, TypeId.Date]);

const none = (n: number): ColumnWatermarks => new Array(n).fill(null);
const minOf = (a: WatermarkFn, b: WatermarkFn): WatermarkFn => (ctx: OperatorContext) => Math.min(a(ctx), b(ctx));

/** Watermarks of every node's output columns. */
export function deriveWatermarks(plan: RelPlan, catalog: CatalogReader | undefined, ctx: EvalContext): Map<RelPlan, ColumnWatermarks> {
  const memo = new Map<RelPlan, ColumnWatermarks>();
  const of = (p: RelPlan): ColumnWatermarks => {
    let w = memo.get(p);
    if (w === undefined) {
      w = derive(p);
      memo.set(p, w);
    }
    return w;
  };
  const derive = (p: RelPlan): ColumnWatermarks => {
    switch (p.kind) {
      case 'Scan': {
        const obj = catalog?.getById(p.source.objectId);
        const out = none(p.fields.length);
        if (obj?.kind === 'stream' && obj.eventTime) {
          const key = watermarkKey(obj.id, obj.eventTime.column);
          out[obj.eventTime.column] = (c) => c.watermark(key);
        } else if (obj?.kind === 'mv') {
          for (const col of obj.watermarkColumns ?? []) {
            const key = watermarkKey(obj.id, col);
            out[col] = (c) => c.watermark(key);
          }
        }
        return out;
      }
      case 'Filter': {
        // A temporal filter (now() in WHERE) emits and retracts held rows later.
        const { bounds } = splitTemporalBounds(p.predicate);
        return bounds.length === 0 ? of(p.input) : temporalFilterWatermarks(bounds, of(p.input));
      }
      case 'Sort': case 'Distinct':
        return of(p.input);
      // Input columns pass through unchanged; the functions' columns carry no watermark.
      case 'ProjectSet':
        return [...of(p.input), ...none(p.functions.length)];
      case 'Window': {
        // A top-N may emit an old row again when one above it is retracted, but only within its
        // partition: a watermarked partition column (the window, for top-N per window) stays
        // bounded, since a closed window's partition receives no more changes.
        const input = of(p.input);
        const out = none(p.fields.length);
        for (const e of p.partitionBy) if (e.kind === 'Column') out[e.index] = input[e.index];
        return out;
      }
      case 'Project': {
        const input = of(p.input);
        return p.exprs.map((e) => monotoneWatermark(e, input, ctx));
      }
      case 'Aggregate': {
        const input = of(p.input);
        return [...p.groupKeys.map((e) => monotoneWatermark(e, input, ctx)), ...none(p.aggregates.length)];
      }
      case 'Join': {
        const l = of(p.left);
        const r = of(p.right);
        // A processing-time lookup join emits a stream row's matches only when that row arrives.
        if (p.lookup === 'right') return [...l, ...none(r.length)];
        const out = none(p.fields.length);
        const width = p.left.fields.length;
        // Only an equi-key present on both sides bounds every future output row: a new left row
        // (>= W(l)) or a new right row (>= W(r)) joined with stored rows of the same key value.
        p.leftKeys.forEach((lk, i) => {
          const rk = p.rightKeys[i];
          if (lk.kind !== 'Column' || rk.kind !== 'Column') return;
          const lw = l[lk.index];
          const rw = r[rk.index];
          if (lw === null || rw === null || p.joinType !== 'inner') return;
          out[lk.index] = out[width + rk.index] = minOf(lw, rw);
        });
        intervalJoinWatermarks(p, l, r, out, ctx);
        return out;
      }
      case 'UnionAll': {
        const ins = p.inputs.map(of);
        return p.fields.map((_, i) => ins.reduce<WatermarkFn | null>((acc, w, k) => (k === 0 ? w[i] : acc === null || w[i] === null ? null : minOf(acc, w[i] as WatermarkFn)), null));
      }
      case 'TimeWindow': {
        const input = of(p.input);
        const t = input[p.timeColumn];
        if (t === null) return [...input, null, null];
        const { slide, size, offset } = p;
        const start: WatermarkFn = (c) => hopStartWatermark(t(c), slide, size, offset);
        return [...input, start, (c) => start(c) + size];
      }
      case 'SessionWindow': {
        // Rows are re-emitted when sessions merge, so only window_end keeps a watermark: any
        // session still to change ends after the time column's watermark.
        const t = of(p.input)[p.timeColumn];
        return [...none(p.input.fields.length), null, t];
      }
      default:
        // No watermark passes through (LIMIT, set operations, ...), but the inputs get theirs:
        // lowering asks for every node's.
        for (const c of childrenOf(p)) of(c);
        return none(p.fields.length);
    }
  };
  of(plan);
  return memo;
}

/** The column `e` is monotone non-decreasing in, 'const' for constants, null otherwise. */
function monotoneIn(e: ScalarExpr): number | 'const' | null {
  if (isConstant(e)) return 'const';
  switch (e.kind) {
    case 'Column': return e.index;
    case 'Call': {
      const at = MONOTONE_CALLS[e.name];
      if (at === undefined) return null;
      if (!e.args.every((a, i) => i === at || isConstant(a))) return null;
      const m = monotoneIn(e.args[at]);
      return typeof m === 'number' ? m : null;
    }
    case 'BinaryOp': {
      if (e.op !== '+' && e.op !== '-') return null;
      const lConst = isConstant(e.left);
      const rConst = isConstant(e.right);
      if (rConst && e.right.type.id === TypeId.Interval) return monotoneIn(e.left);
      if (e.op === '+' && lConst && e.left.type.id === TypeId.Interval) return monotoneIn(e.right);
      return null;
    }
    case 'UnaryOp': {
      // Casts among timestamp, timestamptz and date keep order.
      const target = e.op.startsWith('::') ? e.op.slice(2) : '';
      if (!TIME_TYPES.has(target) || !TIME_TYPES.has(e.arg.type.id)) return null;
      return monotoneIn(e.arg);
    }
    default: return null;
  }
}

/** The watermark of expression `e` over input columns with watermarks `input`, or null. */
export function monotoneWatermark(e: ScalarExpr, input: ColumnWatermarks, ctx: EvalContext): WatermarkFn | null {
  const col = monotoneIn(e);
  if (typeof col !== 'number') return null;
  const w = input[col];
  if (w === null || w === undefined) return null;
  if (e.kind === 'Column') return w;
  const f = compileExpr(e, { ctx });
  const row: Value[] = new Array(col + 1).fill(null);
  return (c) => {
    const x = w(c);
    if (!Number.isFinite(x)) return x;
    row[col] = x;
    try {
      const v = f(row);
      return typeof v === 'number' ? v : -Infinity;
    } catch {
      return -Infinity;
    }
  };
}
