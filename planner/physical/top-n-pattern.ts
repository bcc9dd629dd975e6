/**
 * Recognises the top-N / dedup shape of a query so a materialized view can maintain it with the
 * incremental TopN operator instead of a Window (which has no incremental form here):
 *
 *   SELECT ... FROM (SELECT ..., row_number() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM s) t
 *   WHERE rn <= 3            (also rn < 4, rn = 1, 3 >= rn; other conjuncts stay a Filter above)
 *
 *   Filter(rn <= 3) <- Project* <- Window(row_number)   becomes   Project* <- TopN(limit 3)
 *
 * The row number is appended by TopN only when something above reads it (so a dedup view that
 * does not select rn never emits rank changes); otherwise the column is NULL and unread.
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import { childrenOf } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { forEachChild, isConstant } from '../../runtime/expr/ir.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import type { Value } from '../../runtime/sql/values.js';
import { T } from '../../runtime/sql/types.js';
import type { DataflowNode, NodeInput } from '../../runtime/dataflow/graph.js';
import type { CompiledExpr } from '../../runtime/dataflow/operator.js';
import { TopN, type TopNOptions } from '../../runtime/dataflow/operators/top-n.js';
import { Project } from '../../runtime/dataflow/operators/project.js';
import { Filter } from '../../runtime/dataflow/operators/filter.js';
import { columnsUsed, conjuncts } from '../rules/columns.js';

type FilterPlan = Extract<RelPlan, { kind: 'Filter' }>;
type ProjectPlan = Extract<RelPlan, { kind: 'Project' }>;
type WindowPlan = Extract<RelPlan, { kind: 'Window' }>;

export interface TopNMatch {
  filter: FilterPlan;
  /** The Projects between the Filter and the Window, top-down. */
  chain: ProjectPlan[];
  window: WindowPlan;
  /** Rows numbered 1..limit are kept. */
  limit: number;
  /** The Filter's other conjuncts, applied above the TopN. */
  rest: ScalarExpr[];
  /** Whether anything reads the row number. */
  emitRank: boolean;
  /** The row number's positions in the Filter's output (pure column copies of it). */
  rnColumns: Set<number>;
}

type Used = Set<number> | 'all';

/** Every Filter of the plan that is a top-N over row_number(), keyed by the Filter node. */
export function findTopNs(plan: RelPlan): Map<RelPlan, TopNMatch> {
  const found = new Map<RelPlan, TopNMatch>();
  const visit = (p: RelPlan, used: Used) => {
    switch (p.kind) {
      case 'Filter': {
        const m = matchTopN(p, used);
        if (m) found.set(p, m);
        visit(p.input, used === 'all' ? 'all' : columnsUsed(p.predicate, new Set(used)));
        return;
      }
      case 'Project': {
        const u = new Set<number>();
        p.exprs.forEach((e, i) => {
          if (used === 'all' || used.has(i)) columnsUsed(e, u);
        });
        visit(p.input, u);
        return;
      }
      case 'Sort': {
        if (used === 'all') return visit(p.input, 'all');
        const u = new Set(used);
        for (const k of p.keys) columnsUsed(k.expr, u);
        visit(p.input, u);
        return;
      }
      default:
        for (const c of childrenOf(p)) visit(c, 'all');
    }
  };
  visit(plan, 'all');
  return found;
}

/** The Filter as a top-N, given which of its output columns are read above it. */
export function matchTopN(filter: FilterPlan, usedAbove: Used): TopNMatch | undefined {
  const chain: ProjectPlan[] = [];
  let node = filter.input;
  while (node.kind === 'Project') {
    chain.push(node);
    node = node.input;
  }
  if (node.kind !== 'Window') return undefined;
  const window = node;
  if (window.functions.length !== 1 || (window.functions[0].kind !== 'row_number' && window.functions[0].kind !== 'rank')) return undefined;
  // Follow the row number up through the Projects (pure column copies only).
  let rn = new Set([window.input.fields.length]);
  let emitRank = false;
  for (let i = chain.length - 1; i >= 0; i--) {
    const next = new Set<number>();
    chain[i].exprs.forEach((e, j) => {
      if (e.kind === 'Column') {
        if (rn.has(e.index)) next.add(j);
      } else if ([...columnsUsed(e)].some((c) => rn.has(c))) {
        emitRank = true; // an expression over rn (conservatively: read)
      }
    });
    rn = next;
  }
  let limit: number | undefined;
  const rest: ScalarExpr[] = [];
  for (const c of conjuncts(filter.predicate)) {
    const b = rowNumberBound(c, rn);
    if (b === undefined) rest.push(c);
    else limit = limit === undefined ? b : Math.min(limit, b);
  }
  if (limit === undefined) return undefined;
  if (rest.some((c) => [...columnsUsed(c)].some((x) => rn.has(x)))) emitRank = true;
  if (usedAbove === 'all' || [...rn].some((x) => usedAbove.has(x))) emitRank = true;
  return { filter, chain, window, limit: Math.max(0, limit), rest, emitRank, rnColumns: rn };
}

/** Lowers a match: TopN over the Window's (lowered) input, then the Projects, then the rest of the Filter. */
export function lowerTopN(
  m: TopNMatch,
  input: NodeInput,
  compile: (e: ScalarExpr) => CompiledExpr,
  add: (n: DataflowNode) => NodeInput,
  closeOn?: TopNOptions['closeOn'],
  appendOnly = false,
): NodeInput {
  const w = m.window;
  const op = new TopN({
    partitionBy: w.partitionBy.map(compile),
    partitionTypes: w.partitionBy.map((e) => e.type),
    orderBy: w.orderBy.map((k) => compile(k.expr)),
    sort: w.orderBy,
    limit: m.limit,
    emitRank: m.emitRank,
    withTies: w.functions[0].kind === 'rank',
    closeOn,
    appendOnly,
  });
  const label = `TopN (limit: ${m.limit}, partition keys: ${w.partitionBy.length}, order keys: ${w.orderBy.length}${m.emitRank ? ', with row_number' : ''}${appendOnly ? ', append-only input' : ''})`;
  let out = add({ operator: op, inputs: [input], label });
  for (let i = m.chain.length - 1; i >= 0; i--) {
    const proj = m.chain[i];
    out = add({ operator: new Project(proj.exprs.map(compile)), inputs: [out], label: `Project (${proj.fields.map((f) => f.name).join(', ')})` });
  }
  if (m.rest.length > 0) {
    const pred: ScalarExpr = m.rest.length === 1 ? m.rest[0] : { kind: 'And', args: m.rest, type: T.bool };
    out = add({ operator: new Filter(compile(pred)), inputs: [out], label: 'Filter' });
  }
  return out;
}

/** `rn <= c` -> c, `rn < c` -> c - 1, `rn = 1` -> 1 (either operand order); else undefined. */
function rowNumberBound(c: ScalarExpr, rn: Set<number>): number | undefined {
  if (c.kind !== 'BinaryOp') return undefined;
  let op = c.op;
  let value: ScalarExpr;
  if (c.left.kind === 'Column' && rn.has(c.left.index)) value = c.right;
  else if (c.right.kind === 'Column' && rn.has(c.right.index)) {
    value = c.left;
    op = ({ '<=': '>=', '>=': '<=', '<': '>', '>': '<', '=': '=' } as Record<string, string>)[op] ?? op;
  } else return undefined;
  if (!isConstant(value) || hasParam(value)) return undefined;
  const v = toInteger(compileExpr(value, { ctx: newEvalContext() })([]));
  if (v === undefined) return undefined;
  switch (op) {
    case '<=': return v;
    case '<': return v - 1;
    case '=': return v === 1 ? 1 : undefined;
    default: return undefined;
  }
}

function toInteger(v: Value): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  return undefined;
}

function hasParam(e: ScalarExpr): boolean {
  if (e.kind === 'Param') return true;
  let found = false;
  forEachChild(e, (c) => { if (!found && hasParam(c)) found = true; });
  return found;
}

/**
 * The live-table key of a top-N view: the PARTITION BY columns (plain columns of the Window's
 * input that the view outputs), plus the row number unless limit = 1. undefined when the plan is
 * not a top-N view; null when it is but the key columns are not all in the output.
 *
 *   SELECT k, v FROM (... row_number() OVER (PARTITION BY k ...) rn ...) WHERE rn = 1   -> [0]
 *   SELECT k, v, rn FROM (...) WHERE rn <= 3                                              -> [0, 2]
 */
export function topNLiveKey(plan: RelPlan): number[] | null | undefined {
  let p = plan;
  while (p.kind === 'Sort') p = p.input;
  const outer = p.kind === 'Project' ? p : undefined;
  if (outer) p = outer.input;
  if (p.kind !== 'Filter') return undefined;
  const m = matchTopN(p, 'all');
  if (!m) return undefined;
  // rank() keeps ties: several rows per partition even at limit 1, so no key.
  if (m.window.functions[0].kind === 'rank') return null;
  // Positions of window-level column `c` in the view's output (pure column copies).
  const positionsOf = (c: number): number[] => {
    let at = [c];
    const levels = outer ? [...m.chain.slice().reverse(), outer] : m.chain.slice().reverse();
    for (const proj of levels) {
      const next: number[] = [];
      proj.exprs.forEach((e, j) => {
        if (e.kind === 'Column' && at.includes(e.index)) next.push(j);
      });
      at = next;
    }
    return at;
  };
  const key: number[] = [];
  for (const e of m.window.partitionBy) {
    if (e.kind !== 'Column') return null;
    const at = positionsOf(e.index);
    if (at.length === 0) return null;
    key.push(at[0]);
  }
  if (m.limit > 1) {
    const at = positionsOf(m.window.input.fields.length);
    if (at.length === 0) return null;
    key.push(at[0]);
  }
  return key;
}
