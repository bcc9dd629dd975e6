/**
 * Append-only analysis: whether the incremental operator a plan node lowers to can only ever emit
 * insertions (every output weight positive), whatever its inputs receive. Operators above such a
 * node may then keep insert-only state: HashAggregate's min/max keep only the current extreme
 * instead of every value (aggregates/min-max.ts), and a processing-time LookupJoin requires it of
 * its stream side (lower-join.ts).
 *
 *   Scan of a stream (streams refuse UPDATE/DELETE; late rows are diverted, never retracted) or of
 *     a table created APPEND ONLY (no UPDATE/DELETE, duplicate keys ignored)
 *   Values, Filter / Project / Sort / TUMBLE / HOP over append-only input
 *   UNION ALL of append-only inputs
 *   INNER join (plain or interval) of two append-only inputs: a match is emitted once with the
 *     product of two positive multiplicities; purging unmatchable rows emits nothing
 *   JOIN / LEFT JOIN ... FOR SYSTEM_TIME AS OF PROCTIME() with an append-only stream side: results
 *     are never rewritten when the table changes (runtime LookupJoin)
 *
 * Everything else is not append-only: tables and MVs (they change), aggregates (rows are
 * updated), outer joins (NULL-padded rows are retracted when a match arrives), DISTINCT, set
 * operations, top-N (Window), SESSION windows (sessions merge), filters on the current time
 * (TemporalFilter retracts rows as time passes). Conservative by design: a false "append-only"
 * would be a wrong answer, a false "not" only costs state.
 */
import type { RelPlan } from '../../runtime/plan/plan.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import type { CatalogReader } from '../../runtime/catalog/catalog.js';
import { hasSubquery } from '../../runtime/expr/ir.js';

export function isAppendOnly(p: RelPlan, catalog?: CatalogReader): boolean {
  return whyNotAppendOnly(p, catalog) === null;
}

/** Why `p` may retract rows (a short phrase completing "it ..."), or null if its output is insert-only. */
export function whyNotAppendOnly(p: RelPlan, catalog?: CatalogReader): string | null {
  switch (p.kind) {
    case 'Scan':
    case 'IndexLookup': {
      // The catalog, when given, has the last word on the object's kind.
      const obj = catalog?.getById(p.source.objectId);
      const kind = obj?.kind ?? p.source.kind;
      if (kind === 'stream' && p.source.kind === 'stream') return null;
      // A keyed APPEND ONLY table refuses UPDATE/DELETE and never overwrites a key.
      if (kind === 'table' && obj?.appendOnlyTable === true) return null;
      return `reads ${p.source.kind === 'mv' ? 'materialized view' : p.source.kind} "${p.source.name}", which can change`;
    }
    case 'Values': case 'TableFunction': return null;
    case 'ProjectSet': return whyNotAppendOnly(p.input, catalog);
    case 'Filter':
      if (hasSubquery(p.predicate)) return 'filters with a subquery, whose answer can change';
      return timeDependent(p.predicate) ? 'filters on the current time' : whyNotAppendOnly(p.input, catalog);
    case 'Project':
      if (p.exprs.some(hasSubquery)) return 'computes with a subquery, whose answer can change';
      return p.exprs.some(timeDependent) ? 'computes with the current time' : whyNotAppendOnly(p.input, catalog);
    case 'TimeWindow': case 'Sort': return whyNotAppendOnly(p.input, catalog);
    case 'UnionAll': {
      for (const i of p.inputs) {
        const w = whyNotAppendOnly(i, catalog);
        if (w !== null) return w;
      }
      return null;
    }
    case 'Join':
      if (p.lookup === 'right') return p.joinType === 'inner' || p.joinType === 'left' ? whyNotAppendOnly(p.left, catalog) : `is a ${p.joinType} join`;
      if (p.joinType !== 'inner') return `is a ${p.joinType} outer join, whose NULL-padded rows are retracted when a match arrives`;
      return whyNotAppendOnly(p.left, catalog) ?? whyNotAppendOnly(p.right, catalog);
    case 'Aggregate': return 'is an aggregate, whose rows are updated';
    case 'Apply': return 'is a LATERAL join, whose rows change with both sides';
    default: return `contains ${p.kind}, whose rows can be retracted`;
  }
}

const TIME_DEPENDENT = new Set(['now', 'current_timestamp', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp', 'current_date', 'localtimestamp', 'timeofday']);

/** True if `e` may depend on the current time (or is a kind of expression not inspected here). */
function timeDependent(e: ScalarExpr): boolean {
  switch (e.kind) {
    case 'Call': return TIME_DEPENDENT.has(e.name) || e.volatility === 'volatile' || (e.name === 'age' && e.args.length === 1) || e.args.some(timeDependent);
    case 'Column': case 'Literal': case 'Param': return false;
    case 'And': case 'Or': case 'Coalesce': case 'GreatestLeast': return e.args.some(timeDependent);
    case 'BinaryOp': case 'IsDistinct': case 'NullIf': return timeDependent(e.left) || timeDependent(e.right);
    case 'UnaryOp': case 'Not': case 'IsNull': case 'IsBool': return timeDependent(e.arg);
    case 'Case': return e.whens.some((w) => timeDependent(w.cond) || timeDependent(w.result)) || timeDependent(e.else);
    case 'InList': return timeDependent(e.arg) || e.list.some(timeDependent);
    default: return true;
  }
}
