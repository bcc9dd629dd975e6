/**
 * `FROM s JOIN t FOR SYSTEM_TIME AS OF PROCTIME() ON ...`: where the clause may appear. The join
 * is bound as an ordinary Join marked `lookup: 'right'` (runtime/plan/plan.ts): a batch query runs
 * it as an ordinary join with t's current contents; a materialized view joins each stream row with
 * t as it is when the row is processed (runtime/dataflow/operators/lookup-join.ts).
 */
import type { FromItem } from '../../parser/ast.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import { childrenOf } from '../../runtime/plan/plan.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

type TableItem = Extract<FromItem, { kind: 'Table' }>;

/** The table of a lookup join, if `item` is one (`JOIN t FOR SYSTEM_TIME AS OF PROCTIME()`). */
export function lookupTable(item: Extract<FromItem, { kind: 'Join' }>): TableItem | undefined {
  return item.right.kind === 'Table' && item.right.systemTime !== undefined ? item.right : undefined;
}

/** Checks a lookup join once both sides are bound. */
export function checkLookupJoin(item: Extract<FromItem, { kind: 'Join' }>, table: TableItem, right: RelPlan): void {
  if (item.joinType !== 'inner' && item.joinType !== 'left') {
    throw new SqlError(SqlState.FeatureNotSupported, `${item.joinType.toUpperCase()} JOIN with FOR SYSTEM_TIME AS OF PROCTIME() is not supported`, {
      position: item.pos,
      hint: 'Use JOIN or LEFT JOIN with the table on the right.',
    });
  }
  const stream = streamScanned(right);
  if (stream !== undefined) {
    throw new SqlError(SqlState.FeatureNotSupported, `FOR SYSTEM_TIME AS OF PROCTIME() needs a table or materialized view, but "${table.name}" reads stream "${stream}"`, { position: table.pos });
  }
}

/** FOR SYSTEM_TIME outside the right side of a join. */
export function misplacedSystemTime(table: TableItem): SqlError {
  return new SqlError(SqlState.FeatureNotSupported, 'FOR SYSTEM_TIME AS OF PROCTIME() is only supported on the right side of a JOIN', { position: table.pos });
}

function streamScanned(p: RelPlan): string | undefined {
  if ((p.kind === 'Scan' || p.kind === 'IndexLookup') && p.source.kind === 'stream') return p.source.name;
  for (const c of childrenOf(p)) {
    const s = streamScanned(c);
    if (s !== undefined) return s;
  }
  return undefined;
}
