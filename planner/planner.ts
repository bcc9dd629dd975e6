/**
 * The planner's entry points: a query becomes a batch plan (ad hoc) or an incremental dataflow
 * (materialized view) from the same bound relational plan.
 */
import { regColumnsAsNames } from './bind/bind-array.js';
import type { Query } from '../parser/ast.js';
import type { RelPlan } from '../runtime/plan/plan.js';
import type { CatalogObject } from '../runtime/catalog/catalog.js';
import type { Dataflow } from '../runtime/dataflow/graph.js';
import type { SqlType } from '../runtime/sql/types.js';
import { QueryBinder, type BinderEnvironment } from './bind/bind-select.js';
import { ParamTypes } from './bind/coerce.js';
import { useIndexLookups } from './rules/index-lookup.js';
import { lowerToDataflow } from './physical/lower-to-dataflow.js';
import { topNLiveKey } from './physical/top-n-pattern.js';

export interface BoundQuery {
  plan: RelPlan;
  params: ParamTypes;
  dependencies: Set<number>;
}

export function bindQuery(query: Query, env: BinderEnvironment, paramTypes: (SqlType | null)[] = []): BoundQuery {
  const params = new ParamTypes([...paramTypes]);
  const binder = new QueryBinder(env, params);
  const plan = binder.bindQuery(query);
  return { plan, params, dependencies: binder.dependencies };
}

/** Batch plan for an ad-hoc query: point lookups on keys become index lookups. */
export function planBatch(query: Query, env: BinderEnvironment, paramTypes: (SqlType | null)[] = []): BoundQuery {
  const b = bindQuery(query, env, paramTypes);
  const plan = useIndexLookups(b.plan, (src) => {
    const obj = env.catalog.getById(src.objectId);
    if (!obj) return null;
    if (obj.kind === 'mv') return obj.liveKey;
    if (obj.kind === 'table') return obj.primaryKey;
    return null;
  });
  return { ...b, plan: regColumnsAsNames(plan) };
}

/**
 * The live table's key for an MV: the GROUP BY keys when every one of them is an output column
 * (Project over Aggregate, or the Aggregate itself); otherwise null (rows carry multiplicities).
 */
export function liveKeyOf(plan: RelPlan): number[] | null {
  const topN = topNLiveKey(plan);
  if (topN !== undefined) return topN;
  let p = plan;
  while (p.kind === 'Sort') p = p.input;
  while (p.kind === 'Filter') p = p.input;
  // Grouping sets repeat key values across sets ((a, NULL) from (a, b) and from (a)): no unique key.
  if (p.kind === 'Aggregate') return p.groupingSets ? null : p.groupKeys.length === 0 ? [] : p.groupKeys.map((_, i) => i);
  let inner = p.kind === 'Project' ? p.input : p;
  while (inner.kind === 'Filter') inner = inner.input;
  if (p.kind === 'Project' && inner.kind === 'Aggregate') {
    const agg = inner;
    if (agg.groupingSets) return null;
    if (agg.groupKeys.length === 0) return [];
    const positions: number[] = [];
    for (let k = 0; k < agg.groupKeys.length; k++) {
      const at = p.exprs.findIndex((e) => e.kind === 'Column' && e.index === k);
      if (at < 0) return null;
      positions.push(at);
    }
    return positions;
  }
  return null;
}

export function planDataflow(mv: CatalogObject, query: Query, env: BinderEnvironment): Dataflow {
  const b = bindQuery(query, env);
  return lowerToDataflow(b.plan, { catalog: env.catalog, emitOnWindowClose: mv.emit === 'window_close' });
}

export { lowerToDataflow };
