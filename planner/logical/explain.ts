/** EXPLAIN text for a relational (batch) plan: one node per line, children indented. */
import type { RelPlan } from '../../runtime/plan/plan.js';
import { childrenOf } from '../../runtime/plan/plan.js';
import { Interval } from '../../runtime/sql/interval.js';

function label(p: RelPlan): string {
  const cols = (n: number) => p.fields.slice(0, n).map((f) => f.name).join(', ');
  switch (p.kind) {
    case 'Scan': return `Scan ${p.source.kind} ${p.source.name}`;
    case 'IndexLookup': return `Index Lookup on ${p.source.kind} ${p.source.name} (key: ${p.keyColumns.map((k) => p.fields[k].name).join(', ')})`;
    case 'Values': return `Values (${p.rows.length} rows)`;
    case 'TableFunction': return `Function Scan on ${p.name}`;
    case 'ProjectSet': return `ProjectSet (${p.functions.map((f) => f.name).join(', ')})`;
    case 'Filter': return 'Filter';
    case 'Project': return `Project (${cols(p.fields.length)})`;
    case 'Aggregate': return `HashAggregate (keys: ${p.groupKeys.length}, aggregates: ${p.aggregates.map((a) => a.agg.name).join(', ') || 'none'}${p.groupingSets ? `, grouping sets: ${p.groupingSets.length}` : ''})`;
    case 'Join': return `HashJoin (${p.joinType}, keys: ${p.leftKeys.length}${p.nullSafe?.some((x) => x) ? ', null-safe' : ''}${p.residual ? ', residual filter' : ''})`;
    case 'Apply': return `Lateral (${p.joinType}, per left row${p.residual ? ', residual filter' : ''})`;
    case 'Distinct': return 'Distinct';
    case 'UnionAll': return 'Union All';
    case 'SetOp': return `${p.op === 'intersect' ? 'Intersect' : 'Except'}${p.all ? ' All' : ''}`;
    case 'Sort': return `Sort (${p.keys.length} keys)`;
    case 'Limit': return 'Limit';
    case 'Window': return `WindowAgg (partition keys: ${p.partitionBy.length}, order keys: ${p.orderBy.length}, functions: ${p.functions.map((f) => f.name).join(', ')})`;
    case 'TimeWindow': return p.window === 'tumble' ? `Tumble (${p.fields[p.timeColumn].name}, size ${micros(p.size)})` : `Hop (${p.fields[p.timeColumn].name}, slide ${micros(p.slide)}, size ${micros(p.size)})`;
    case 'SessionWindow': return `Session (${p.fields[p.timeColumn].name}, gap ${micros(p.gap)}, partitions: ${p.partitionBy.length} keys)`;
  }
}

function micros(us: number): string {
  return Interval.fromMicros(us).toString();
}

export function explainPlan(plan: RelPlan): string[] {
  const lines: string[] = [];
  const visit = (p: RelPlan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${depth === 0 ? '' : '-> '}${label(p)}`);
    for (const c of childrenOf(p)) visit(c, depth + 1);
  };
  visit(plan, 0);
  return lines;
}
