/**
 * Lowers a relational plan to an incremental dataflow: each plan node becomes an operator over
 * change batches; scans become dataflow sources keyed by catalog id.
 */
import { SetOperation, type SetOperationKind } from '../../runtime/dataflow/operators/set-operation.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { TopN } from '../../runtime/dataflow/operators/top-n.js';
import type { Row } from '../../runtime/sql/values.js';
import { newEvalContext, type EvalContext } from '../../runtime/expr/eval-context.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { forEachChild } from '../../runtime/expr/ir.js';
import { Dataflow, type DataflowNode, type NodeInput } from '../../runtime/dataflow/graph.js';
import { Filter } from '../../runtime/dataflow/operators/filter.js';
import { Project } from '../../runtime/dataflow/operators/project.js';
import { ProjectSet } from '../../runtime/dataflow/operators/project-set.js';
import { WindowRecompute } from '../../runtime/dataflow/operators/window-recompute.js';
import { windowEvaluator } from '../../runtime/batch/window.js';
import { HashAggregate } from '../../runtime/dataflow/operators/hash-aggregate.js';
import { lowerJoin } from './lower-join.js';
import { isAppendOnly } from './append-only.js';
import { Distinct } from '../../runtime/dataflow/operators/distinct.js';
import { UnionAll } from '../../runtime/dataflow/operators/union-all.js';
import { ConstantSource } from '../../runtime/dataflow/operators/constant-source.js';
import { findTopNs, lowerTopN } from './top-n-pattern.js';
import { TimeWindow } from '../../runtime/dataflow/operators/time-window.js';
import { SessionWindow } from '../../runtime/dataflow/operators/session-window.js';
import { lowerSessionAggregate } from './session-aggregate.js';
import { WindowCloseBuffer } from '../../runtime/dataflow/operators/window-close-buffer.js';
import type { WatermarkFn } from '../../runtime/dataflow/operator.js';
import type { CatalogReader } from '../../runtime/catalog/catalog.js';
import { deriveWatermarks, type ColumnWatermarks } from './watermarks.js';
import { explainPlan } from '../logical/explain.js';
import { describeBounds, splitTemporalBounds } from './temporal-bounds.js';
import { TemporalFilter } from '../../runtime/dataflow/operators/temporal-filter.js';
import { subqueriesToJoins } from '../rules/subquery-to-join.js';

export interface LowerOptions {
  /** Resolves sources' watermarks (streams' event time, MVs' window columns). */
  catalog?: CatalogReader;
  /** EMIT ON WINDOW CLOSE: the output passes through a WindowCloseBuffer. */
  emitOnWindowClose?: boolean;
  ctx?: EvalContext;
}

export function lowerToDataflow(bound: RelPlan, opts: LowerOptions = {}): Dataflow {
  const ctx = opts.ctx ?? newEvalContext();
  // EXISTS / IN / scalar subqueries become joins the operators below maintain.
  const plan = subqueriesToJoins(bound);
  const wms = deriveWatermarks(plan, opts.catalog, ctx);
  const wmOf = (p: RelPlan) => wms.get(p) as ColumnWatermarks;
  const nodes: DataflowNode[] = [];
  const topNs = findTopNs(plan);
  const compile = (e: ScalarExpr) => {
    rejectSubqueries(e);
    return compileExpr(e, { ctx });
  };
  const add = (n: DataflowNode): NodeInput => {
    nodes.push(n);
    return { kind: 'node', node: nodes.length - 1 };
  };
  // EMIT ON WINDOW CLOSE buffers at the highest node with a window column; only per-row
  // operators (projections, filters) may sit above it, so what it emits is final.
  let closeAt: RelPlan | undefined;
  if (opts.emitOnWindowClose) {
    let n: RelPlan = plan;
    for (;;) {
      if (wmOf(n).some((w) => w !== null)) { closeAt = n; break; }
      // A temporal filter retracts rows later: nothing below it is final.
      if (n.kind === 'Project' || n.kind === 'Sort' || (n.kind === 'Filter' && splitTemporalBounds(n.predicate).bounds.length === 0)) n = n.input;
      else break;
    }
    if (closeAt === undefined) {
      throw new SqlError(SqlState.FeatureNotSupported, 'EMIT ON WINDOW CLOSE needs a window column in the output whose watermark closes it (a window over a stream with a WATERMARK, below any ORDER BY ... LIMIT)', {
        hint: 'Group by window_start or window_end of TUMBLE/HOP/SESSION, or by a date_trunc/date_bin of the event-time column of a stream with a WATERMARK.',
      });
    }
  }
  const lower = (p: RelPlan): NodeInput => {
    const out = lowerNode(p);
    if (p !== closeAt) return out;
    const w = wmOf(p);
    const col = w.findIndex((x) => x !== null);
    return add({ operator: new WindowCloseBuffer(col, w[col] as WatermarkFn), inputs: [out], label: `EmitOnWindowClose (${p.fields[col].name})` });
  };
  const lowerNode = (p: RelPlan): NodeInput => {
    switch (p.kind) {
      case 'Scan':
        if (p.source.kind === 'system') throw new SqlError(SqlState.FeatureNotSupported, `materialized views over system table "${p.source.name}" are not supported`);
        return { kind: 'source', sourceId: String(p.source.objectId) };
      case 'IndexLookup':
        return { kind: 'source', sourceId: String(p.source.objectId) };
      case 'ProjectSet': {
        const rec = p.functions.find((f) => f.record);
        if (rec) throw new SqlError(SqlState.FeatureNotSupported, `materialized views with the multi-column set-returning function ${rec.name} in the select list are not supported`);
        const input = lower(p.input);
        const fns = p.functions.map((f) => ({ args: f.args.map(compile), rows: f.rows, record: false }));
        return add({ operator: new ProjectSet(fns), inputs: [input], label: `ProjectSet (${p.functions.map((f) => f.name).join(', ')})` });
      }
      case 'TableFunction': {
        // FROM generate_series(1, 10): constant arguments give a constant set of rows.
        if (!p.args.every(isConstant)) throw new SqlError(SqlState.FeatureNotSupported, `materialized views over table function ${p.name} with non-constant arguments are not supported`);
        const rows = p.rows(p.args.map((e) => compile(e)([])));
        return add({ operator: new ConstantSource(rows), inputs: [], label: `${p.name} (${rows.length} rows)` });
      }
      case 'Values': {
        const rows = p.rows.map((r) => r.map((e) => compile(e)([])));
        return add({ operator: new ConstantSource(rows), inputs: [], label: `Values (${rows.length} rows)` });
      }
      case 'Filter': {
        const topN = topNs.get(p);
        if (topN) {
          // Top-N per window: a partition key with a watermark lets closed windows free their state.
          const inWms = wmOf(topN.window.input);
          const k = topN.window.partitionBy.findIndex((e) => e.kind === 'Column' && inWms[e.index] !== null);
          const part = topN.window.partitionBy[k];
          const closeOn = k >= 0 && part.kind === 'Column' ? { key: k, watermark: inWms[part.index] as WatermarkFn } : undefined;
          // Over append-only input each partition keeps only its top rows (TopNOptions.appendOnly).
          return lowerTopN(topN, lower(topN.window.input), compile, add, closeOn, isAppendOnly(topN.window.input, opts.catalog));
        }
        const input = lower(p.input);
        // Conjuncts `col <op> now() ± interval` become a TemporalFilter (temporal-bounds.ts).
        const { bounds, rest } = splitTemporalBounds(p.predicate);
        const filtered = rest === null ? input : add({ operator: new Filter(compile(rest)), inputs: [input], label: 'Filter' });
        if (bounds.length === 0) return filtered;
        const op = new TemporalFilter(bounds.map((b) => ({ time: compile(b.time), op: b.op, offset: b.offset })));
        return add({ operator: op, inputs: [filtered], label: `TemporalFilter (${describeBounds(bounds, p.input.fields)})` });
      }
      case 'Project': {
        const input = lower(p.input);
        return add({ operator: new Project(p.exprs.map(compile)), inputs: [input], label: `Project (${p.fields.map((f) => f.name).join(', ')})` });
      }
      case 'Aggregate': {
        // Aggregate <- [Filter...] <- SessionWindow: one SessionAggregate when it applies (session-aggregate.ts).
        const fused = lowerSessionAggregate(p, compile, wmOf, (n) => n === closeAt || topNs.has(n));
        if (fused !== null) return add({ operator: fused.operator, inputs: [lower(fused.input)], label: fused.label });
        const input = lower(p.input);
        const keyWms = wmOf(p);
        const closeKey = p.groupKeys.findIndex((_, i) => keyWms[i] !== null);
        const op = new HashAggregate({
          groupKeys: p.groupKeys.map(compile),
          keyTypes: p.groupKeys.map((k) => k.type),
          aggregates: p.aggregates.map((a) => ({ agg: a.agg, args: a.args.map(compile), distinct: a.distinct, filter: a.filter ? compile(a.filter) : undefined })),
          closeOn: closeKey >= 0 ? { key: closeKey, watermark: keyWms[closeKey] as WatermarkFn } : undefined,
          appendOnly: isAppendOnly(p.input, opts.catalog),
        });
        const closes = closeKey >= 0 ? `, closes on ${p.fields[closeKey].name}` : '';
        const insertOnly = op.usesInsertOnlyState ? ', append-only input' : '';
        return add({ operator: op, inputs: [input], label: `HashAggregate (keys: ${p.groupKeys.length}, aggregates: ${p.aggregates.map((a) => a.agg.name).join(', ')}${closes}${insertOnly})` });
      }
      case 'TimeWindow': {
        const input = lower(p.input);
        const op = new TimeWindow(p.timeColumn, p.slide, p.size, p.offset);
        return add({ operator: op, inputs: [input], label: explainPlan({ ...p, input: p.input })[0] });
      }
      case 'SessionWindow': {
        const input = lower(p.input);
        const t = wmOf(p.input)[p.timeColumn] ?? (() => -Infinity);
        const op = new SessionWindow(p.timeColumn, p.gap, p.partitionBy.map(compile), t);
        return add({ operator: op, inputs: [input], label: explainPlan({ ...p, input: p.input })[0] });
      }
      case 'Join': {
        const l = lower(p.left);
        const r = lower(p.right);
        return add(lowerJoin(p, [l, r], compile, wmOf(p.left), wmOf(p.right), ctx));
      }
      case 'Window': {
        // Other than the top-N shape (TopN above): each touched partition is recomputed.
        const input = lower(p.input);
        const op = new WindowRecompute(p.partitionBy.map(compile), p.partitionBy.map((e) => e.type), windowEvaluator(p, compile, () => undefined));
        return add({ operator: op, inputs: [input], label: `WindowRecompute (partition keys: ${p.partitionBy.length}, order keys: ${p.orderBy.length}, functions: ${p.functions.map((f) => f.name).join(', ')})` });
      }
      case 'Distinct': {
        const input = lower(p.input);
        return add({ operator: new Distinct(), inputs: [input], label: 'Distinct' });
      }
      case 'UnionAll': {
        const inputs = p.inputs.map(lower);
        return add({ operator: new UnionAll(inputs.length), inputs, label: 'UnionAll' });
      }
      case 'Sort':
        // Row order is not part of a live table; ORDER BY without LIMIT has no incremental meaning.
        return lower(p.input);
      case 'SetOp': {
        const inputs = [lower(p.left), lower(p.right)];
        const kind = `${p.op}${p.all ? ' all' : ''}` as SetOperationKind;
        return add({ operator: new SetOperation(kind, p.fields.map((f) => f.type)), inputs, label: kind.toUpperCase() });
      }
      case 'Limit': {
        // ORDER BY ... LIMIT n [OFFSET m]: an unpartitioned TopN keeping the first n + m rows; the
        // rank it appends drops the first m and is then projected away.
        const constant = (e: ScalarExpr | undefined): number | null | undefined => {
          if (e === undefined) return undefined;
          if (!isConstant(e)) return null;
          const v = compileExpr(e, { ctx })([]);
          return v === null ? undefined : Number(v);
        };
        const limit = constant(p.limit);
        const offset = constant(p.offset) ?? 0;
        if (p.input.kind !== 'Sort' || limit === null || offset === null) {
          throw new SqlError(SqlState.FeatureNotSupported, 'LIMIT/OFFSET in a materialized view needs ORDER BY and constant bounds');
        }
        const sort = p.input;
        const width = p.fields.length;
        const keep = limit === undefined ? Number.MAX_SAFE_INTEGER : limit + offset;
        const input = lower(sort.input);
        let out = add({
          operator: new TopN({ partitionBy: [], orderBy: sort.keys.map((k) => compile(k.expr)), sort: sort.keys, limit: keep, emitRank: offset > 0, withTies: p.withTies === true, appendOnly: isAppendOnly(sort.input, opts.catalog) }),
          inputs: [input],
          label: `TopN (limit: ${limit ?? 'none'}, offset: ${offset}, order keys: ${sort.keys.length})`,
        });
        if (offset > 0) out = add({ operator: new Filter((row) => (row[width] as bigint) > BigInt(offset)), inputs: [out], label: `Filter (offset ${offset})` });
        return add({ operator: new Project(p.fields.map((_f, i) => (row: Row) => row[i])), inputs: [out], label: 'Project (drop rank)' });
      }
      case 'Apply':
        throw new SqlError(SqlState.FeatureNotSupported, 'this LATERAL subquery is not supported in a materialized view', {
          hint: 'Views keep LATERAL subqueries of filters, projections, joins, GROUP BY aggregates, global aggregates and set-returning functions; a LIMIT (top-N per row) is ad hoc only.',
        });
      default:
        throw new SqlError(SqlState.FeatureNotSupported, `${(p as RelPlan).kind} in a materialized view is not supported yet`);
    }
  };
  let out = lower(plan);
  if (out.kind === 'source') {
    // A bare scan: pass rows through a projection so the dataflow has an output node.
    out = add({ operator: new Project(plan.fields.map((_, i) => (row) => row[i])), inputs: [out], label: 'Scan' });
  }
  return new Dataflow(nodes, (out as { node: number }).node, wmOf(plan));
}

/** Functions whose result depends on when they are evaluated: a live table could never equal its query. */
const TIME_DEPENDENT = new Set(['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'current_date', 'localtimestamp', 'timeofday']);

function rejectSubqueries(e: ScalarExpr): void {
  if (e.kind === 'Subquery' || e.kind === 'InSubquery') {
    throw new SqlError(SqlState.FeatureNotSupported, 'this subquery is not supported in a materialized view (EXISTS, IN, NOT IN and scalar subqueries over an aggregate are, as conjuncts of WHERE or, scalar ones, in the select list)');
  }
  if (e.kind === 'Call' && (e.volatility === 'volatile' || TIME_DEPENDENT.has(e.name) || (e.name === 'age' && e.args.length === 1))) {
    throw new SqlError(SqlState.FeatureNotSupported, `function ${e.name}() is not supported in a materialized view: its result depends on when it is evaluated`);
  }
  forEachChild(e, rejectSubqueries);
}

/** EXPLAIN text of an incremental plan: one operator per line, inputs indented below. */
export function explainDataflow(df: Dataflow, sourceName: (id: string) => string = (id) => id): string[] {
  const nodes = df.nodes;
  const lines: string[] = [];
  const visit = (input: NodeInput, depth: number) => {
    const pad = '  '.repeat(depth);
    if (input.kind === 'source') {
      lines.push(`${pad}-> Source ${sourceName(input.sourceId)}`);
      return;
    }
    const n = nodes[input.node];
    lines.push(`${pad}${depth === 0 ? '' : '-> '}${n.label}`);
    for (const i of n.inputs) visit(i, depth + 1);
  };
  visit({ kind: 'node', node: df.outputNode }, 0);
  return lines;
}
