/**
 * Lowers a Join plan node to its incremental operator:
 *   lookup 'right'               -> LookupJoin (processing-time join against a table / MV)
 *   a time bound with watermarks -> SymmetricHashJoin that frees unmatchable rows (interval-join.ts)
 *   otherwise                    -> SymmetricHashJoin
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import type { CompiledExpr, WatermarkFn } from '../../runtime/dataflow/operator.js';
import type { DataflowNode, NodeInput } from '../../runtime/dataflow/graph.js';
import { SymmetricHashJoin } from '../../runtime/dataflow/operators/symmetric-hash-join.js';
import { LookupJoin } from '../../runtime/dataflow/operators/lookup-join.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { purgeBound } from './interval-join.js';
import { whyNotAppendOnly } from './append-only.js';

type JoinPlan = Extract<RelPlan, { kind: 'Join' }>;

export function lowerJoin(
  p: JoinPlan,
  inputs: [NodeInput, NodeInput],
  compile: (e: ScalarExpr) => CompiledExpr,
  leftWms: (WatermarkFn | null)[],
  rightWms: (WatermarkFn | null)[],
  ctx: EvalContext,
): DataflowNode {
  const residual = p.residual ? compile(p.residual) : undefined;
  if (p.lookup === 'right') {
    if (p.joinType !== 'inner' && p.joinType !== 'left') {
      throw new SqlError(SqlState.FeatureNotSupported, `${p.joinType.toUpperCase()} JOIN ... FOR SYSTEM_TIME AS OF PROCTIME() is not supported`, { hint: 'Use JOIN or LEFT JOIN.' });
    }
    const why = whyNotAppendOnly(p.left);
    if (why !== null) {
      throw new SqlError(SqlState.FeatureNotSupported, `the left side of a FOR SYSTEM_TIME AS OF PROCTIME() join in a materialized view must be an append-only stream (it ${why})`, {
        hint: 'Join the table without FOR SYSTEM_TIME AS OF PROCTIME() to keep the results updated as both sides change.',
      });
    }
    const op = new LookupJoin({ streamKeys: p.leftKeys.map(compile), tableKeys: p.rightKeys.map(compile), joinType: p.joinType, tableWidth: p.right.fields.length, residual });
    return { operator: op, inputs, label: `LookupJoin (${p.joinType}, keys: ${p.leftKeys.length}, processing time)` };
  }
  const bound = purgeBound(p, leftWms, rightWms, ctx);
  const op = new SymmetricHashJoin({
    leftKeys: p.leftKeys.map(compile),
    rightKeys: p.rightKeys.map(compile),
    joinType: p.joinType,
    leftWidth: p.left.fields.length,
    rightWidth: p.right.fields.length,
    residual,
    timeBound: bound ?? undefined,
    nullSafe: p.nullSafe,
  });
  let label = `SymmetricHashJoin (${p.joinType}, keys: ${p.leftKeys.length}${nullSafeLabel(p.nullSafe)})`;
  if (bound !== null) {
    const l = p.left.fields[bound.leftTime].name;
    const r = p.right.fields[bound.rightTime].name;
    label = `IntervalJoin (${p.joinType}, keys: ${p.leftKeys.length}, right.${r} - left.${l} in [${span(bound.lo)}, ${span(bound.hi)}])`;
  }
  return { operator: op, inputs, label };
}

function span(us: number): string {
  if (!Number.isFinite(us)) return us > 0 ? '+inf' : '-inf';
  return `${us / 1e6}s`;
}

function nullSafeLabel(nullSafe: boolean[] | undefined): string {
  return nullSafe?.some((x) => x) ? ', null-safe' : '';
}
