/**
 * Recognises `Aggregate <- [Filter...] <- SessionWindow` that can run as one SessionAggregate
 * (runtime/dataflow/operators/session-aggregate.ts), which keeps per session retractable
 * accumulators instead of re-emitting every row of a session whenever it grows or merges.
 *
 * The fused operator evaluates WHERE predicates and aggregate arguments/FILTERs once per input
 * row (before any session is known) and the group keys once per session, over the key row
 * [...partition values, window_start, window_end]. So it applies only when:
 *   - no Filter predicate, aggregate argument or aggregate FILTER reads window_start/window_end,
 *     and no Filter is a temporal filter (now());
 *   - every group key is either one of the SessionWindow's partition expressions, or reads only
 *     window columns and input columns that are themselves partition expressions (it is then
 *     constant within a session);
 *   - distinct sessions give distinct groups: every partition expression is a group key and
 *     window_start or window_end itself is one (GROUP BY k, date_trunc('hour', window_start)
 *     would put two sessions into one group);
 *   - no partition expression is bpchar (sessions partition by the untyped key normalisation,
 *     under which 'a' and 'a ' differ, while GROUP BY equality makes them one group).
 * Anything else keeps SessionWindow + HashAggregate.
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { mapColumns } from '../../runtime/expr/ir.js';
import { TypeId } from '../../runtime/sql/types.js';
import { Interval } from '../../runtime/sql/interval.js';
import type { CompiledExpr, Operator } from '../../runtime/dataflow/operator.js';
import { SessionAggregate } from '../../runtime/dataflow/operators/session-aggregate.js';
import { columnsUsed } from '../rules/columns.js';
import { splitTemporalBounds } from './temporal-bounds.js';
import type { ColumnWatermarks } from './watermarks.js';

export type SessionWindowPlan = Extract<RelPlan, { kind: 'SessionWindow' }>;
export type AggregatePlan = Extract<RelPlan, { kind: 'Aggregate' }>;

export interface SessionAggregateMatch {
  session: SessionWindowPlan;
  /** Filter predicates between the window and the aggregate, innermost first (over the window's input). */
  filters: ScalarExpr[];
  /** The group keys rewritten over [...partition values, window_start, window_end]. */
  groupKeys: ScalarExpr[];
}

/** The fused form of the aggregate, or null when it does not apply. `skip` vetoes a node (e.g. a top-N filter). */
export function matchSessionAggregate(p: AggregatePlan, skip: (n: RelPlan) => boolean = () => false): SessionAggregateMatch | null {
  const filters: ScalarExpr[] = [];
  let n = p.input;
  while (n.kind === 'Filter') {
    if (skip(n) || splitTemporalBounds(n.predicate).bounds.length > 0) return null;
    filters.unshift(n.predicate);
    n = n.input;
  }
  if (n.kind !== 'SessionWindow' || skip(n)) return null;
  const sw = n;
  const width = sw.input.fields.length;
  const inputOnly = (e: ScalarExpr) => [...columnsUsed(e)].every((c) => c < width);
  if (!filters.every(inputOnly)) return null;
  for (const a of p.aggregates) {
    if (!a.args.every(inputOnly) || (a.filter !== undefined && !inputOnly(a.filter))) return null;
  }
  const parts = sw.partitionBy;
  if (parts.some((e) => e.type.id === TypeId.Bpchar)) return null;
  const np = parts.length;
  const partCol = new Map<number, number>();
  parts.forEach((e, j) => {
    if (e.kind === 'Column' && !partCol.has(e.index)) partCol.set(e.index, j);
  });
  const covered = new Array<boolean>(np).fill(false);
  let windowKey = false;
  const groupKeys: ScalarExpr[] = [];
  for (const g of p.groupKeys) {
    const j = parts.findIndex((e) => e === g || sameExpr(e, g));
    if (j >= 0) {
      covered[j] = true;
      groupKeys.push({ kind: 'Column', index: j, type: g.type });
      continue;
    }
    if (g.kind === 'Column' && (g.index === width || g.index === width + 1)) windowKey = true;
    let ok = true;
    const mapped = mapColumns(g, (c) => {
      if (c.index === width) return { ...c, index: np };
      if (c.index === width + 1) return { ...c, index: np + 1 };
      const at = partCol.get(c.index);
      if (at === undefined) {
        ok = false;
        return c;
      }
      return { ...c, index: at };
    });
    if (!ok) return null;
    groupKeys.push(mapped);
  }
  if (!windowKey || !covered.every(Boolean)) return null;
  return { session: sw, filters, groupKeys };
}

/**
 * The SessionAggregate operator for the aggregate, its input plan (the SessionWindow's input) and
 * EXPLAIN label; null when the fused form does not apply.
 */
export function lowerSessionAggregate(
  p: AggregatePlan,
  compile: (e: ScalarExpr) => CompiledExpr,
  wmOf: (p: RelPlan) => ColumnWatermarks,
  skip?: (n: RelPlan) => boolean,
): { operator: Operator; input: RelPlan; label: string } | null {
  const m = matchSessionAggregate(p, skip);
  if (m === null) return null;
  const sw = m.session;
  const operator = new SessionAggregate({
    timeColumn: sw.timeColumn,
    gap: sw.gap,
    partitionBy: sw.partitionBy.map(compile),
    filters: m.filters.map(compile),
    groupKeys: m.groupKeys.map(compile),
    aggregates: p.aggregates.map((a) => ({ agg: a.agg, args: a.args.map(compile), distinct: a.distinct, filter: a.filter ? compile(a.filter) : undefined })),
    watermark: wmOf(sw.input)[sw.timeColumn] ?? undefined,
  });
  const filtered = m.filters.length > 0 ? `, filters: ${m.filters.length}` : '';
  const label = `SessionAggregate (${sw.fields[sw.timeColumn].name}, gap ${Interval.fromMicros(sw.gap).toString()}, keys: ${p.groupKeys.length}, aggregates: ${p.aggregates.map((a) => a.agg.name).join(', ')}${filtered})`;
  return { operator, input: sw.input, label };
}

/** Structural equality of expressions (functions by identity; source positions and names ignored). */
function sameExpr(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameExpr(x, b[i]));
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const column = ra.kind === 'Column';
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => k !== 'pos' && !(column && k === 'name') && o[k] !== undefined);
  const ka = keys(ra);
  const kb = keys(rb);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameExpr(ra[k], rb[k]));
}
