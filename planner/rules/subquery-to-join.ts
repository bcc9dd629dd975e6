/**
 * Rewrites subqueries in a plan's expressions into joins, so that a materialized view can keep
 * them up to date with its ordinary incremental operators (batch queries keep running subqueries
 * directly; both give the same rows):
 *
 *   WHERE [NOT] EXISTS (subquery), WHERE x IN (subquery)      -> semi join / anti join
 *   a scalar subquery that returns at most one row (a global aggregate), uncorrelated, in WHERE
 *   or the select list                                         -> LEFT JOIN ... ON TRUE
 *
 * A correlated subquery is decorrelated through the domain of its outer values (Neumann and
 * Kemper, "Unnesting Arbitrary Queries"): D = DISTINCT (the outer expressions over the outer
 * rows); D is joined in at the subquery's leftmost leaf so that every condition reading an outer
 * value reads D's column instead; the subquery's rows per D row then join back to the outer rows
 * on D with null-safe keys (an outer NULL is a value the subquery saw, not a non-match). Equality
 * conditions between D and the subquery become hash-join keys (pushDownFilter).
 *
 *   SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.x = t1.x)
 *     -> t1 SEMI JOIN (DISTINCT d.x FROM (DISTINCT t1.x) d JOIN t2 ON t2.x = d.x) ON t1.x = d.x
 *
 * It also expands an aggregate's grouping sets (ROLLUP, CUBE) into a union of plain aggregates.
 *
 * Shapes it cannot rewrite (NOT IN, a correlated subquery under an aggregate without GROUP BY, a
 * LIMIT, an outer reference on the inner side of a join...) are left alone; lowering then refuses
 * them with 0A000.
 */
import { childrenOf, expandGroupingSets, type AggCall, type RelPlan, type SortKey } from '../../runtime/plan/plan.js';
import type { AggOrderBy } from '../../runtime/expr/aggregates/accumulator.js';
import { SqlArray } from '../../runtime/sql/array.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { forEachChild, hasSubquery, mapChildren, mapColumns } from '../../runtime/expr/ir.js';
import { T } from '../../runtime/sql/types.js';
import { conjuncts } from './columns.js';
import { pushDownFilter } from './push-down-filter.js';
import { resolveBinaryOperator } from '../../runtime/sql/operators.js';
import { resolveAggregate } from '../../runtime/expr/aggregates/registry.js';

export function subqueriesToJoins(p: RelPlan): RelPlan {
  const q = mapInputs(p, subqueriesToJoins);
  if (q.kind === 'Apply') return applyAsJoin(q) ?? q;
  // ROLLUP / CUBE / GROUPING SETS: one aggregate per set, unioned (incremental operators as they are).
  if (q.kind === 'Aggregate' && q.groupingSets) return expandGroupingSets(q);
  if (q.kind === 'Filter') return rewriteFilter(q);
  if (q.kind === 'Project' && q.exprs.some(hasSubquery)) {
    const { plan, exprs } = joinScalarSubqueries(q.input, q.exprs);
    return plan === q.input ? q : { ...q, input: plan, exprs };
  }
  return q;
}

function rewriteFilter(f: Extract<RelPlan, { kind: 'Filter' }>): RelPlan {
  const preds = conjuncts(f.predicate);
  if (!preds.some(hasSubquery)) return f;
  let cur = f.input;
  const rest: ScalarExpr[] = [];
  for (const c of preds) {
    const joined = semiJoin(cur, c) ?? notIn(cur, c);
    if (joined) cur = joined;
    else rest.push(c);
  }
  const scalar = joinScalarSubqueries(cur, rest);
  cur = scalar.plan;
  if (scalar.exprs.length > 0) {
    const predicate = scalar.exprs.length === 1 ? scalar.exprs[0] : { kind: 'And' as const, args: scalar.exprs, type: T.bool };
    cur = { kind: 'Filter', input: cur, predicate, fields: cur.fields };
  }
  return narrow(cur, f.fields.length, f);
}

/** The plan's first `width` columns, as `like`'s fields (a projection when it is wider). */
function narrow(p: RelPlan, width: number, like: RelPlan): RelPlan {
  if (p.fields.length === width) return p;
  return { kind: 'Project', input: p, exprs: like.fields.map((fl, i) => ({ kind: 'Column', index: i, type: fl.type })), fields: like.fields };
}

interface SemiJoinShape {
  sub: RelPlan;
  outer: ScalarExpr[];
  negated: boolean;
  /** x IN (subquery): x, compared with the subquery's only column. */
  inArg?: ScalarExpr;
}

function semiJoinShape(c: ScalarExpr): SemiJoinShape | null {
  if (c.kind === 'Not') {
    const s = semiJoinShape(c.arg);
    return s && !s.inArg ? { ...s, negated: !s.negated } : null;
  }
  if (c.kind === 'Subquery' && c.mode === 'exists') return { sub: c.plan, outer: c.outer ?? [], negated: c.negated };
  // NOT IN is not an anti join: a NULL on either side makes it NULL, not true.
  if (c.kind === 'InSubquery' && !c.negated) return { sub: c.plan, outer: c.outer ?? [], negated: false, inArg: c.arg };
  return null;
}

/** `o` keeping the rows for which conjunct `c` ([NOT] EXISTS / IN) holds, or null if `c` is not one. */
function semiJoin(o: RelPlan, c: ScalarExpr): RelPlan | null {
  const shape = semiJoinShape(c);
  if (!shape) return null;
  const sub = subqueriesToJoins(shape.inArg ? shape.sub : withoutRowLimit(shape.sub));
  // E: one row per (outer values) for which the subquery has rows, plus a non-NULL marker.
  let e: RelPlan;
  let leftKeys: ScalarExpr[];
  let nullSafe: boolean[];
  if (shape.outer.length === 0) {
    const keep: ScalarExpr[] = shape.inArg ? [col(sub, 0)] : [];
    e = distinct(project(sub, [...keep, TRUE]));
    leftKeys = shape.inArg ? [shape.inArg] : [];
    nullSafe = leftKeys.map(() => false);
  } else {
    const outerValues = shape.inArg ? [...shape.outer, shape.inArg] : shape.outer;
    const k = outerValues.length;
    const domain = distinct(project(o, outerValues));
    let inner = withDomain(sub, domain, k);
    if (!inner) return null;
    if (shape.inArg) {
      const match = eq(col(inner, k), col(inner, k - 1));
      if (!match) return null;
      inner = pushDownFilter({ kind: 'Filter', input: inner, predicate: match, fields: inner.fields });
    }
    e = distinct(project(inner, [...domain.fields.map((_, i) => col(inner!, i)), TRUE]));
    leftKeys = outerValues;
    nullSafe = outerValues.map((_, i) => !(shape.inArg && i === k - 1));
  }
  const width = o.fields.length;
  const rightKeys = leftKeys.map((_, i) => col(e, i));
  const join: RelPlan = {
    kind: 'Join', joinType: shape.negated ? 'left' : 'inner', left: o, right: e, leftKeys, rightKeys,
    ...(nullSafe.some((x) => x) ? { nullSafe } : {}),
    fields: [...o.fields, ...e.fields],
  };
  if (!shape.negated) return narrow(join, width, o);
  const marker: ScalarExpr = { kind: 'Column', index: width + e.fields.length - 1, type: T.bool };
  const anti: RelPlan = { kind: 'Filter', input: join, predicate: { kind: 'IsNull', arg: marker, negated: false, type: T.bool }, fields: join.fields };
  return narrow(anti, width, o);
}

/**
 * `x NOT IN (uncorrelated subquery)` as a conjunct: true when the subquery has no rows, or when x
 * is not NULL, matches no row, and the subquery holds no NULL (else the answer is NULL or false).
 * The outer rows LEFT JOIN the distinct subquery values on x and join the one-row counts
 * (rows, NULL rows) of the subquery; a filter decides.
 */
function notIn(o: RelPlan, conjunct: ScalarExpr): RelPlan | null {
  const c: ScalarExpr = conjunct.kind === 'Not' && conjunct.arg.kind === 'InSubquery' ? { ...conjunct.arg, negated: !conjunct.arg.negated } : conjunct;
  if (c.kind !== 'InSubquery' || !c.negated || c.outer?.length) return null;
  const count = resolveAggregate('count', []);
  if (!count) return null;
  const sub = subqueriesToJoins(c.plan);
  const values = distinct(project(sub, [col(sub, 0), TRUE]));
  const width = o.fields.length;
  const matched: RelPlan = {
    kind: 'Join', joinType: 'left', left: o, right: values, leftKeys: [c.arg], rightKeys: [col(values, 0)], fields: [...o.fields, ...values.fields],
  };
  const isNull: ScalarExpr = { kind: 'IsNull', arg: col(sub, 0), negated: false, type: T.bool };
  const counts: RelPlan = {
    kind: 'Aggregate', input: sub, groupKeys: [],
    aggregates: [{ agg: count, args: [], distinct: false }, { agg: count, args: [], distinct: false, filter: isNull }],
    fields: [{ name: 'rows', type: T.int8 }, { name: 'null_rows', type: T.int8 }],
  };
  const all: RelPlan = { kind: 'Join', joinType: 'inner', left: matched, right: counts, leftKeys: [], rightKeys: [], fields: [...matched.fields, ...counts.fields] };
  const zero: ScalarExpr = { kind: 'Literal', value: 0n, type: T.int8 };
  const rows = col(all, width + 2);
  const nullRows = col(all, width + 3);
  const predicate: ScalarExpr = {
    kind: 'Or', type: T.bool, args: [
      eq(rows, zero)!,
      { kind: 'And', type: T.bool, args: [
        { kind: 'IsNull', arg: c.arg, negated: true, type: T.bool },
        { kind: 'IsNull', arg: col(all, width + 1), negated: false, type: T.bool },
        eq(nullRows, zero)!,
      ] },
    ],
  };
  return narrow({ kind: 'Filter', input: all, predicate, fields: all.fields }, width, o);
}

/**
 * A LATERAL join as an ordinary join: the right side evaluated per distinct outer value (the
 * domain joined in, as for a correlated subquery), joined to the left rows on those values
 * null-safe; the domain columns are projected away. Null when the right side's shape does not
 * allow it.
 */
function applyAsJoin(a: Extract<RelPlan, { kind: 'Apply' }>): RelPlan | null {
  const lw = a.left.fields.length;
  // A global aggregate has exactly one row per left row: grouped by the outer values, joined back.
  const perRow = correlatedAggregate(a.left, a.right, a.outer);
  if (perRow) {
    let values = perRow.values;
    const overValues = (e: ScalarExpr): ScalarExpr => mapColumns(e, (c) => (c.index >= lw ? values[c.index - lw] : c));
    const leftCols = a.left.fields.map((f, i): ScalarExpr => ({ kind: 'Column', index: i, type: f.type }));
    let plan: RelPlan = perRow.plan;
    if (a.residual) {
      const cond = overValues(a.residual);
      if (a.joinType === 'inner') plan = { kind: 'Filter', input: plan, predicate: cond, fields: plan.fields };
      else values = values.map((v) => ({ kind: 'Case', whens: [{ cond, result: v }], else: { kind: 'Literal', value: null, type: v.type }, type: v.type }));
    }
    return { kind: 'Project', input: plan, exprs: [...leftCols, ...values], fields: a.fields };
  }
  const k = a.outer.length;
  const domain = distinct(project(a.left, a.outer));
  const inner = withDomain(a.right, domain, k);
  if (!inner) return null;
  // The ON condition reads left ++ right; in the join, right's columns come after the domain's.
  const residual = a.residual && mapColumns(a.residual, (c) => (c.index >= lw ? { ...c, index: c.index + k } : c));
  const join: RelPlan = {
    kind: 'Join', joinType: a.joinType, left: a.left, right: inner, leftKeys: a.outer, rightKeys: domain.fields.map((_, i) => col(inner, i)),
    nullSafe: a.outer.map(() => true), ...(residual ? { residual } : {}), fields: [...a.left.fields, ...inner.fields],
  };
  const exprs: ScalarExpr[] = [
    ...a.left.fields.map((f, i): ScalarExpr => ({ kind: 'Column', index: i, type: f.type })),
    ...a.right.fields.map((f, i): ScalarExpr => ({ kind: 'Column', index: lw + k + i, type: f.type })),
  ];
  return { kind: 'Project', input: join, exprs, fields: a.fields };
}

/** EXISTS (... LIMIT n), n >= 1 without OFFSET, asks the same as without the limit (and its ORDER BY). */
function withoutRowLimit(p: RelPlan): RelPlan {
  // ORDER BY a column outside the select list puts the limit under the final projection.
  if (p.kind === 'Project') {
    const input = withoutRowLimit(p.input);
    return input === p.input ? p : { ...p, input };
  }
  if (p.kind === 'Limit' && !p.offset && p.limit?.kind === 'Literal' && p.limit.value !== null && Number(p.limit.value) >= 1) {
    return p.input.kind === 'Sort' ? p.input.input : p.input;
  }
  return p;
}

/**
 * Uncorrelated scalar subqueries returning at most one row, in `exprs` over `input`: each joins
 * the input (LEFT JOIN ON TRUE: no row reads as NULL) and is replaced by its column. Others stay.
 */
function joinScalarSubqueries(input: RelPlan, exprs: ScalarExpr[]): { plan: RelPlan; exprs: ScalarExpr[] } {
  let plan = input;
  const replace = (e: ScalarExpr): ScalarExpr => {
    if (e.kind === 'Subquery' && e.mode === 'array') {
      const agg = arrayAggregate(e.plan);
      if (!agg) return e;
      // ARRAY(subquery) over no rows is an empty array, where array_agg gives NULL.
      const empty: ScalarExpr = { kind: 'Literal', value: new SqlArray([]), type: e.type };
      if (e.outer?.length) {
        const joined = correlatedAggregate(plan, agg, e.outer);
        if (!joined) return e;
        plan = joined.plan;
        return { kind: 'Coalesce', args: [joined.value, empty], type: e.type };
      }
      const sub = subqueriesToJoins(agg);
      const at = plan.fields.length;
      plan = { kind: 'Join', joinType: 'left', left: plan, right: sub, leftKeys: [], rightKeys: [], fields: [...plan.fields, ...sub.fields] };
      return { kind: 'Coalesce', args: [{ kind: 'Column', index: at, type: e.type }, empty], type: e.type };
    }
    if (e.kind === 'Subquery' && e.mode === 'scalar' && e.outer?.length) {
      const joined = e.plan.fields.length === 1 ? correlatedAggregate(plan, e.plan, e.outer) : null;
      if (joined) {
        plan = joined.plan;
        return joined.value;
      }
      return e;
    }
    if (e.kind === 'Subquery' && e.mode === 'scalar' && atMostOneRow(e.plan)) {
      const sub = subqueriesToJoins(e.plan);
      const at = plan.fields.length;
      plan = { kind: 'Join', joinType: 'left', left: plan, right: sub, leftKeys: [], rightKeys: [], fields: [...plan.fields, ...sub.fields] };
      return { kind: 'Column', index: at, type: e.type };
    }
    return mapChildren(e, replace);
  };
  const out = exprs.map(replace);
  return { plan, exprs: out };
}

/**
 * A correlated scalar subquery over a global aggregate, `(SELECT f(agg...) FROM x WHERE x.k = o.k)`:
 * the aggregate grouped by the outer values' domain, LEFT JOINed to the outer rows on those values
 * (null-safe); an outer row without a group reads each aggregate's empty-input value (count: 0,
 * others NULL), as the per-row subquery would. Null for other shapes.
 */
function correlatedAggregate(o: RelPlan, s: RelPlan, outer: ScalarExpr[]): { plan: RelPlan; value: ScalarExpr; values: ScalarExpr[] } | null {
  const top = s.kind === 'Project' ? s : null;
  const agg = top ? top.input : s;
  if (agg.kind !== 'Aggregate' || agg.groupKeys.length > 0 || agg.groupingSets) return null;
  const k = outer.length;
  const domain = distinct(project(o, outer));
  const input = withDomain(subqueriesToJoins(agg.input), domain, k);
  if (!input) return null;
  const fx = (e: ScalarExpr) => bindOuter(e, k);
  const aggregates = agg.aggregates.map((a): AggCall => ({ ...a, args: a.args.map(fx), ...(a.filter ? { filter: fx(a.filter) } : {}) }));
  const grouped: RelPlan = {
    kind: 'Aggregate', input, groupKeys: domain.fields.map((_, i) => col(domain, i)), aggregates, fields: [...domain.fields, ...agg.fields],
  };
  const width = o.fields.length;
  const plan: RelPlan = {
    kind: 'Join', joinType: 'left', left: o, right: grouped, leftKeys: outer, rightKeys: domain.fields.map((_, i) => col(grouped, i)),
    nullSafe: outer.map(() => true), fields: [...o.fields, ...grouped.fields],
  };
  // Aggregate output j, as the subquery's own aggregate would give it for this outer row.
  const aggValue = (j: number): ScalarExpr => {
    const c: ScalarExpr = { kind: 'Column', index: width + k + j, type: agg.fields[j].type };
    const empty = agg.aggregates[j].agg.create().result();
    return empty === null ? c : { kind: 'Coalesce', args: [c, { kind: 'Literal', value: empty, type: c.type }], type: c.type };
  };
  // The select item reads aggregate outputs as columns and the outer row as OuterRefs.
  const overJoined = (e: ScalarExpr): ScalarExpr => {
    if (e.kind === 'Column') return aggValue(e.index);
    if (e.kind === 'OuterRef') return outer[e.slot];
    return mapChildren(e, overJoined);
  };
  const values = top ? top.exprs.map(overJoined) : agg.fields.map((_, j) => aggValue(j));
  return { plan, value: values[0], values };
}

/**
 * ARRAY(subquery) as a global array_agg over the subquery's rows (its ORDER BY, if any, becomes
 * the aggregate's), so views can keep it like any aggregate. Null for shapes it cannot express.
 */
function arrayAggregate(s: RelPlan): RelPlan | null {
  // An ORDER BY on a column outside the select list sits below a projection: not expressible here.
  if (s.kind === 'Project' && s.input.kind === 'Sort') return null;
  let input = s;
  let keys: SortKey[] = [];
  if (input.kind === 'Sort') {
    keys = input.keys;
    input = input.input;
  }
  if (input.fields.length !== 1) return null;
  const elem = input.fields[0].type;
  const orderBy: AggOrderBy[] = keys.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst }));
  const agg = resolveAggregate('array_agg', [elem], { orderBy });
  if (!agg) return null;
  return {
    kind: 'Aggregate', input, groupKeys: [],
    aggregates: [{ agg, args: [col(input, 0), ...keys.map((k) => k.expr)], distinct: false }],
    fields: [{ name: 'array', type: agg.returnType }],
  };
}

function atMostOneRow(p: RelPlan): boolean {
  if (p.kind === 'Aggregate') return p.groupKeys.length === 0;
  if (p.kind === 'Project' || p.kind === 'Filter' || p.kind === 'Sort') return atMostOneRow(p.input);
  return false;
}

/**
 * `s` evaluated once per row of `domain` (k columns): output = domain columns, then s's columns;
 * s's outer references read the domain row. Null when s's shape does not allow it.
 */
function withDomain(s: RelPlan, domain: RelPlan, k: number): RelPlan | null {
  if (!planReadsOuter(s)) return { kind: 'Join', joinType: 'inner', left: domain, right: s, leftKeys: [], rightKeys: [], fields: [...domain.fields, ...s.fields] };
  const fx = (e: ScalarExpr) => bindOuter(e, k);
  const domainCols = domain.fields.map((f, i): ScalarExpr => ({ kind: 'Column', index: i, type: f.type }));
  switch (s.kind) {
    case 'Filter': {
      const input = withDomain(s.input, domain, k);
      return input && pushDownFilter({ kind: 'Filter', input, predicate: fx(s.predicate), fields: input.fields });
    }
    case 'Project': {
      const input = withDomain(s.input, domain, k);
      return input && { kind: 'Project', input, exprs: [...domainCols, ...s.exprs.map(fx)], fields: [...domain.fields, ...s.fields] };
    }
    case 'Join': {
      // The domain enters on the left: only joins that keep every left row may carry it.
      if (s.lookup || (s.joinType !== 'inner' && s.joinType !== 'left') || planReadsOuter(s.right)) return null;
      const left = withDomain(s.left, domain, k);
      return left && { ...s, left, leftKeys: s.leftKeys.map(fx), residual: s.residual && fx(s.residual), fields: [...domain.fields, ...s.fields] };
    }
    case 'Distinct': {
      const input = withDomain(s.input, domain, k);
      return input && { kind: 'Distinct', input, fields: input.fields };
    }
    // Row order means nothing to EXISTS / IN.
    case 'Sort': return withDomain(s.input, domain, k);
    // f(outer values) in FROM: per domain row, the function's rows (ProjectSet over the domain).
    case 'TableFunction': {
      if (s.fields.length !== 1) return null;
      return { kind: 'ProjectSet', input: domain, functions: [{ name: s.name, args: s.args.map(fx), rows: s.rows, record: false }], fields: [...domain.fields, ...s.fields] };
    }
    case 'Aggregate': {
      // Without GROUP BY an aggregate has a row even for no input: per domain row it would not.
      if (s.groupKeys.length === 0) return null;
      const input = withDomain(s.input, domain, k);
      const aggregates = s.aggregates.map((a): AggCall => ({ ...a, args: a.args.map(fx), ...(a.filter ? { filter: fx(a.filter) } : {}) }));
      return input && { kind: 'Aggregate', input, groupKeys: [...domainCols, ...s.groupKeys.map(fx)], aggregates, fields: [...domain.fields, ...s.fields] };
    }
    case 'UnionAll': {
      const inputs = s.inputs.map((i) => withDomain(i, domain, k));
      if (inputs.some((i) => i === null)) return null;
      return { kind: 'UnionAll', inputs: inputs as RelPlan[], fields: [...domain.fields, ...s.fields] };
    }
    default:
      return null;
  }
}

/** Columns move right by k (the domain's columns come first); outer reference i reads domain column i. */
function bindOuter(e: ScalarExpr, k: number): ScalarExpr {
  if (e.kind === 'Column') return { ...e, index: e.index + k };
  if (e.kind === 'OuterRef') return { kind: 'Column', index: e.slot, type: e.type };
  return mapChildren(e, (x) => bindOuter(x, k));
}

function planReadsOuter(p: RelPlan): boolean {
  return planExprs(p).some(readsOuter) || childrenOf(p).some(planReadsOuter);
}

function readsOuter(e: ScalarExpr): boolean {
  if (e.kind === 'OuterRef') return true;
  let found = false;
  forEachChild(e, (c) => { if (!found && readsOuter(c)) found = true; });
  return found;
}

/** Every expression a plan node evaluates (not its inputs'). */
function planExprs(p: RelPlan): ScalarExpr[] {
  switch (p.kind) {
    case 'Scan': case 'Distinct': case 'UnionAll': case 'SetOp': case 'TimeWindow': return [];
    case 'IndexLookup': return p.keyValues;
    case 'Values': return p.rows.flat();
    case 'Filter': return [p.predicate];
    case 'Project': return p.exprs;
    case 'Aggregate': return [...p.groupKeys, ...p.aggregates.flatMap((a) => (a.filter ? [...a.args, a.filter] : a.args))];
    case 'Join': return [...p.leftKeys, ...p.rightKeys, ...(p.residual ? [p.residual] : [])];
    case 'Apply': return [...p.outer, ...(p.residual ? [p.residual] : [])];
    case 'Sort': return p.keys.map((k) => k.expr);
    case 'SessionWindow': return p.partitionBy;
    case 'Window': return [...p.partitionBy, ...p.orderBy.map((k) => k.expr), ...p.functions.flatMap((f) => (f.filter ? [...f.args, f.filter] : f.args))];
    case 'Limit': return [...(p.limit ? [p.limit] : []), ...(p.offset ? [p.offset] : [])];
    case 'TableFunction': return p.args;
    case 'ProjectSet': return p.functions.flatMap((f) => f.args);
  }
}

/** `p` with each input replaced by f(input); `p` itself when no input changed. */
function mapInputs(p: RelPlan, f: (c: RelPlan) => RelPlan): RelPlan {
  switch (p.kind) {
    case 'Scan': case 'IndexLookup': case 'Values': case 'TableFunction': return p;
    case 'Join': case 'SetOp': case 'Apply': {
      const left = f(p.left);
      const right = f(p.right);
      return left === p.left && right === p.right ? p : { ...p, left, right };
    }
    case 'UnionAll': {
      const inputs = p.inputs.map(f);
      return inputs.every((x, i) => x === p.inputs[i]) ? p : { ...p, inputs };
    }
    default: {
      const input = f(p.input);
      return input === p.input ? p : ({ ...p, input } as RelPlan);
    }
  }
}

const TRUE: ScalarExpr = { kind: 'Literal', value: true, type: T.bool };

function col(p: RelPlan, i: number): ScalarExpr {
  return { kind: 'Column', index: i, type: p.fields[i].type };
}

function project(p: RelPlan, exprs: ScalarExpr[]): RelPlan {
  return { kind: 'Project', input: p, exprs, fields: exprs.map((e, i) => ({ name: i === exprs.length - 1 && e === TRUE ? 'exists' : `k${i}`, type: e.type })) };
}

function distinct(p: RelPlan): RelPlan {
  return { kind: 'Distinct', input: p, fields: p.fields };
}

function eq(l: ScalarExpr, r: ScalarExpr): ScalarExpr | null {
  const resolved = resolveBinaryOperator('=', l.type, r.type);
  return resolved ? { kind: 'BinaryOp', op: '=', impl: resolved.impl, left: l, right: r, type: T.bool } : null;
}
