/**
 * The relational plan the planner emits: typed, names resolved, expressions in scalar IR.
 * The batch executor (runtime/batch) runs it directly over committed data; the planner lowers
 * the same tree to an incremental dataflow (planner/physical/lower-to-dataflow.ts) for MVs.
 */
import type { Row, Value } from '../sql/values.js';
import type { SqlType } from '../sql/types.js';
import type { ScalarExpr, CompareFn } from '../expr/ir.js';
import type { ResolvedAggregate } from '../expr/aggregates/registry.js';

export interface Field {
  name: string;
  type: SqlType;
  /** Catalog object id and 1-based column number when the field is a stored column (RowDescription). */
  tableOid?: number;
  columnAttr?: number;
}

export type SourceKind = 'table' | 'stream' | 'mv' | 'system';

export interface ScanSource {
  kind: SourceKind;
  objectId: number;
  name: string;
}

export interface AggCall {
  agg: ResolvedAggregate;
  /** Argument expressions over the aggregate's input (for ordered aggregates: value args, then sort keys). */
  args: ScalarExpr[];
  distinct: boolean;
  filter?: ScalarExpr;
  /** GROUPING(args): the arguments' positions among the group keys (the slot is filled per grouping set). */
  groupingArgs?: number[];
}

export interface SortKey {
  expr: ScalarExpr;
  desc: boolean;
  nullsFirst: boolean;
  cmp: CompareFn;
}

/**
 * The frame of a window function (only frames starting at UNBOUNDED PRECEDING are supported):
 * 'range' = RANGE UNBOUNDED PRECEDING .. CURRENT ROW including peers (PostgreSQL's default; the
 * whole partition when there is no ORDER BY), 'rows' = up to the current row, 'partition' = the
 * whole partition (.. UNBOUNDED FOLLOWING).
 */
/**
 * 'range': PostgreSQL's default (partition start to the current row's last peer); 'rows': to the
 * current row; 'partition': the whole partition; { start, end }: ROWS BETWEEN with offsets relative
 * to the current row (negative: preceding; ±Infinity: unbounded).
 */
export type WindowFrame = 'range' | 'rows' | 'partition' | { start: number; end: number };

export type WindowFuncKind =
  | 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile'
  | 'lag' | 'lead' | 'first_value' | 'last_value' | 'nth_value' | 'aggregate';

/** One window function call: `kind` over args (an aggregate when kind = 'aggregate'). */
export interface WindowFunc {
  kind: WindowFuncKind;
  name: string;
  /** Argument expressions over the Window node's input. */
  args: ScalarExpr[];
  agg?: ResolvedAggregate;
  filter?: ScalarExpr;
  frame: WindowFrame;
  type: SqlType;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full';

/** Per join key: NULL matches NULL (IS NOT DISTINCT FROM), as a decorrelated subquery's keys need. */
export type NullSafeKeys = boolean[];

export type RelPlan =
  | { kind: 'Scan'; source: ScanSource; fields: Field[] }
  /** Rows of `source` whose key columns equal keyValues (an index lookup, not a scan). */
  | { kind: 'IndexLookup'; source: ScanSource; keyColumns: number[]; keyValues: ScalarExpr[]; fields: Field[] }
  | { kind: 'Values'; rows: ScalarExpr[][]; fields: Field[] }
  | { kind: 'Filter'; input: RelPlan; predicate: ScalarExpr; fields: Field[] }
  | { kind: 'Project'; input: RelPlan; exprs: ScalarExpr[]; fields: Field[] }
  /** Output: group key values, then aggregate results. No group keys = exactly one output row. */
  /**
   * groupingSets (ROLLUP / CUBE / GROUPING SETS): the output is, for each set (positions in
   * groupKeys), the groups over that set's keys with the other key columns NULL (expandGroupingSets).
   */
  | { kind: 'Aggregate'; input: RelPlan; groupKeys: ScalarExpr[]; aggregates: AggCall[]; groupingSets?: number[][]; fields: Field[] }
  /**
   * Output: left fields then right fields. Equi-join keys plus an optional residual over the concatenated row.
   * lookup 'right': `JOIN t FOR SYSTEM_TIME AS OF PROCTIME()`; incrementally each left (stream) row is
   * joined once with the right side as it is when the row is processed (runtime LookupJoin); in batch
   * it is an ordinary join.
   */
  | { kind: 'Join'; joinType: JoinType; left: RelPlan; right: RelPlan; leftKeys: ScalarExpr[]; rightKeys: ScalarExpr[]; residual?: ScalarExpr; lookup?: 'right'; nullSafe?: NullSafeKeys; fields: Field[] }
  /**
   * A LATERAL join: `right` runs once per left row with that row's `outer` values (OuterRef slots,
   * as a correlated subquery); output left fields then right fields; `residual` (the ON
   * condition) over the concatenation. LEFT keeps unmatched left rows with NULLs. Views
   * decorrelate it into a join (planner/rules/subquery-to-join.ts).
   */
  | { kind: 'Apply'; joinType: 'inner' | 'left'; left: RelPlan; right: RelPlan; outer: ScalarExpr[]; residual?: ScalarExpr; fields: Field[] }
  | { kind: 'Distinct'; input: RelPlan; fields: Field[] }
  | { kind: 'UnionAll'; inputs: RelPlan[]; fields: Field[] }
  /** INTERSECT / EXCEPT [ALL] (UNION is Distinct over UnionAll). */
  | { kind: 'SetOp'; op: 'intersect' | 'except'; all: boolean; left: RelPlan; right: RelPlan; fields: Field[] }
  | { kind: 'Sort'; input: RelPlan; keys: SortKey[]; fields: Field[] }
  /**
   * TUMBLE / HOP: each input row once per window containing its `timeColumn` value (TUMBLE: exactly
   * one, slide = size). Output: input fields, window_start, window_end. Times in µs.
   */
  | { kind: 'TimeWindow'; window: 'tumble' | 'hop'; input: RelPlan; timeColumn: number; slide: number; size: number; offset: number; fields: Field[] }
  /**
   * SESSION: input rows with their session's window_start/window_end; a session is a maximal run
   * of rows of one partition (the GROUP BY keys above it) less than `gap` apart.
   */
  | { kind: 'SessionWindow'; input: RelPlan; timeColumn: number; gap: number; partitionBy: ScalarExpr[]; fields: Field[] }
  /**
   * Window functions sharing one PARTITION BY / ORDER BY. Output: the input fields, then one
   * column per function. Ties in ORDER BY are broken by the row's encoding (value-codec), so
   * row_number() is deterministic and an incremental TopN over the same input agrees with it.
   */
  | { kind: 'Window'; input: RelPlan; partitionBy: ScalarExpr[]; orderBy: SortKey[]; functions: WindowFunc[]; fields: Field[] }
  /** withTies (FETCH FIRST ... WITH TIES, input a Sort): rows equal to the last kept one in the sort keys are kept too. */
  | { kind: 'Limit'; input: RelPlan; limit?: ScalarExpr; offset?: ScalarExpr; withTies?: boolean; fields: Field[] }
  /**
   * A set-returning function in FROM (generate_series, unnest...): its arguments are evaluated
   * once per execution (they may read params and a correlated subquery's outer row), then `rows`
   * gives the output (batch only).
   */
  | { kind: 'TableFunction'; name: string; args: ScalarExpr[]; rows: (args: Value[]) => Row[]; fields: Field[] }
  /**
   * Set-returning functions in a select list (PostgreSQL's ProjectSet): per input row, each
   * function's rows are zipped (the longest decides, shorter ones pad with NULL) and appended as
   * one column each (a multi-column function as a record). Batch only.
   */
  | { kind: 'ProjectSet'; input: RelPlan; functions: { name: string; args: ScalarExpr[]; rows: (args: Value[]) => Row[]; record: boolean }[]; fields: Field[] };

export function childrenOf(p: RelPlan): RelPlan[] {
  switch (p.kind) {
    case 'Scan': case 'IndexLookup': case 'Values': case 'TableFunction': return [];
    case 'Filter': case 'Project': case 'Aggregate': case 'Distinct': case 'Sort': case 'Limit': case 'Window': case 'TimeWindow': case 'SessionWindow': case 'ProjectSet': return [p.input];
    case 'Join': case 'SetOp': case 'Apply': return [p.left, p.right];
    case 'UnionAll': return p.inputs;
  }
}

/**
 * An Aggregate with grouping sets as the UNION ALL of one plain Aggregate per set, each projected
 * to the full layout (every group key, NULL where the set lacks it, then the aggregates), which is
 * how both the batch executor and the incremental lowering run it.
 */
export function expandGroupingSets(p: Extract<RelPlan, { kind: 'Aggregate' }>): RelPlan {
  const sets = p.groupingSets ?? [p.groupKeys.map((_, i) => i)];
  const nk = p.groupKeys.length;
  // GROUPING() slots become per-set constants; the real aggregates keep their order.
  const real = p.aggregates.map((a, i) => i).filter((i) => p.aggregates[i].groupingArgs === undefined);
  const inputs = sets.map((set): RelPlan => {
    const agg: RelPlan = {
      kind: 'Aggregate', input: p.input, groupKeys: set.map((i) => p.groupKeys[i]), aggregates: real.map((i) => p.aggregates[i]),
      fields: [...set.map((i) => p.fields[i]), ...real.map((i) => p.fields[nk + i])],
    };
    const exprs: ScalarExpr[] = p.fields.map((f, i): ScalarExpr => {
      if (i >= nk) {
        const call = p.aggregates[i - nk];
        if (call.groupingArgs !== undefined) {
          const bits = call.groupingArgs.reduce((acc, k) => (acc << 1) | (set.includes(k) ? 0 : 1), 0);
          return { kind: 'Literal', value: bits, type: f.type };
        }
        return { kind: 'Column', index: set.length + real.indexOf(i - nk), type: f.type };
      }
      const at = set.indexOf(i);
      return at >= 0 ? { kind: 'Column', index: at, type: f.type } : { kind: 'Literal', value: null, type: f.type };
    });
    return { kind: 'Project', input: agg, exprs, fields: p.fields };
  });
  return inputs.length === 1 ? inputs[0] : { kind: 'UnionAll', inputs, fields: p.fields };
}
