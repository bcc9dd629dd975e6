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
    const why = notAppendOnly(p.left);
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
  });
  let label = `SymmetricHashJoin (${p.joinType}, keys: ${p.leftKeys.length})`;
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

/** Why `p` may retract rows (as a short phrase), or null if its output is insert-only. */
function notAppendOnly(p: RelPlan): string | null {
  switch (p.kind) {
    case 'Scan': return p.source.kind === 'stream' ? null : `reads ${p.source.kind === 'mv' ? 'materialized view' : p.source.kind} "${p.source.name}", which can change`;
    case 'Values': return null;
    case 'Filter': return timeDependent(p.predicate) ? 'filters on the current time' : notAppendOnly(p.input);
    case 'Project': return p.exprs.some(timeDependent) ? 'computes with the current time' : notAppendOnly(p.input);
    case 'TimeWindow': case 'Sort': return notAppendOnly(p.input);
    case 'UnionAll': {
      for (const i of p.inputs) {
        const w = notAppendOnly(i);
        if (w !== null) return w;
      }
      return null;
    }
    case 'Join': return p.lookup === 'right' ? notAppendOnly(p.left) : 'is a join, whose rows can be retracted';
    case 'Aggregate': return 'is an aggregate, whose rows are updated';
    default: return `contains ${p.kind}, whose rows can be retracted`;
  }
}

const TIME_DEPENDENT = new Set(['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'current_date', 'localtimestamp']);

function timeDependent(e: ScalarExpr): boolean {
  switch (e.kind) {
    case 'Call': return TIME_DEPENDENT.has(e.name) || e.volatility === 'volatile' || e.args.some(timeDependent);
    case 'Column': case 'Literal': case 'Param': return false;
    case 'And': case 'Or': case 'Coalesce': case 'GreatestLeast': return e.args.some(timeDependent);
    case 'BinaryOp': case 'IsDistinct': case 'NullIf': return timeDependent(e.left) || timeDependent(e.right);
    case 'UnaryOp': case 'Not': case 'IsNull': case 'IsBool': return timeDependent(e.arg);
    case 'Case': return e.whens.some((w) => timeDependent(w.cond) || timeDependent(w.result)) || timeDependent(e.else);
    case 'InList': return timeDependent(e.arg) || e.list.some(timeDependent);
    default: return true;
  }
}
