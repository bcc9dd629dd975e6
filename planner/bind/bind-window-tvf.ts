/**
 * The window table functions in FROM: TUMBLE(rel, col, size [, offset]), HOP(rel, col, slide,
 * size [, offset]) and SESSION(rel, col, gap). Each yields rel's columns plus window_start and
 * window_end (of col's type).
 *
 *   FROM TUMBLE(pageviews, ts, INTERVAL '1 minute')
 *     -> TimeWindow(tumble, slide = size = 60 s) over Scan pageviews; columns page, ts, window_start, window_end
 */
import type { Expr, FromItem } from '../../parser/ast.js';
import type { Field, RelPlan } from '../../runtime/plan/plan.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { TypeId } from '../../runtime/sql/types.js';
import { Interval } from '../../runtime/sql/interval.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { bindExpr } from './bind-expr.js';
import { ParamTypes, coerce } from './coerce.js';
import { Scope, type ScopeColumn } from './scope.js';
import { fixedIntervalMicros } from './stream-options.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { T } from '../../runtime/sql/types.js';

const MAX_WINDOWS_PER_ROW = 10_000;

export const WINDOW_FUNCTIONS = new Set(['tumble', 'hop', 'session']);

type TableFunctionItem = Extract<FromItem, { kind: 'TableFunction' }>;
type Bound = { plan: RelPlan; cols: ScopeColumn[] };

const ARITY: Record<string, [number, number, string]> = {
  tumble: [3, 4, 'TUMBLE(relation, time_column, size [, offset])'],
  hop: [4, 5, 'HOP(relation, time_column, slide, size [, offset])'],
  session: [3, 3, 'SESSION(relation, time_column, gap)'],
};

export function bindWindowTableFunction(item: TableFunctionItem, bindRelation: (item: Extract<FromItem, { kind: 'Table' }>) => Bound): Bound {
  const name = item.name.toLowerCase();
  const [min, max, usage] = ARITY[name];
  if (item.args.length < min || item.args.length > max) {
    throw new SqlError(SqlState.UndefinedFunction, `wrong number of arguments to ${name.toUpperCase()}: expected ${usage}`, { position: item.pos });
  }
  const relArg = item.args[0];
  if (relArg.kind !== 'ColumnRef') throw new SqlError(SqlState.SyntaxError, `the first argument of ${name.toUpperCase()} must name a stream, table or view`, { position: relArg.pos ?? item.pos });
  const alias = item.alias ?? relArg.column;
  const rel = bindRelation({ kind: 'Table', name: relArg.column, schema: relArg.table, alias, pos: relArg.pos ?? item.pos });
  const colArg = item.args[1];
  if (colArg.kind !== 'ColumnRef' || (colArg.table !== undefined && colArg.table !== relArg.column && colArg.table !== alias)) throw new SqlError(SqlState.SyntaxError, `the second argument of ${name.toUpperCase()} must be a column of ${relArg.column}`, { position: colArg.pos ?? item.pos });
  const timeCol = new Scope(rel.cols).resolve(undefined, colArg.column, colArg.pos);
  if (timeCol.type.id !== TypeId.Timestamp && timeCol.type.id !== TypeId.Timestamptz) {
    throw new SqlError(SqlState.DatatypeMismatch, `the time column of ${name.toUpperCase()} must be of type timestamp or timestamptz, not ${typeDisplayName(timeCol.type)}`, { position: colArg.pos });
  }
  const durations = item.args.slice(2).map((a, i) => constantInterval(a, `argument ${i + 3} of ${name.toUpperCase()}`, item.pos));
  const fields: Field[] = [...rel.plan.fields, { name: 'window_start', type: timeCol.type }, { name: 'window_end', type: timeCol.type }];
  const width = rel.plan.fields.length;
  let plan: RelPlan;
  if (name === 'session') {
    const gap = positive(durations[0], 'the session gap', item.pos);
    plan = { kind: 'SessionWindow', input: rel.plan, timeColumn: timeCol.index, gap, partitionBy: [], fields };
  } else {
    const slide = positive(durations[0], name === 'tumble' ? 'the window size' : 'the hop slide', item.pos);
    const size = name === 'tumble' ? slide : positive(durations[1], 'the window size', item.pos);
    const offset = durations[name === 'tumble' ? 1 : 2] ?? 0;
    // Each row is copied into size / slide windows: refuse what would multiply the input absurdly.
    if (size / slide > MAX_WINDOWS_PER_ROW) {
      throw new SqlError(SqlState.ProgramLimitExceeded, `HOP would put each row into ${Math.ceil(size / slide)} windows (more than ${MAX_WINDOWS_PER_ROW})`, { position: item.pos, hint: 'Use a larger slide or a smaller size.' });
    }
    plan = { kind: 'TimeWindow', window: name as 'tumble' | 'hop', input: rel.plan, timeColumn: timeCol.index, slide, size, offset, fields };
  }
  const names = item.columnAliases;
  const cols: ScopeColumn[] = fields.map((f, i) => ({
    name: names?.[i] ?? (i < width ? rel.cols[i].name : f.name),
    type: f.type,
    index: i,
    tableAlias: alias,
    hidden: i < width ? rel.cols[i].hidden : undefined,
    tableOid: f.tableOid,
    columnAttr: f.columnAttr,
  }));
  return { plan, cols };
}

function constantInterval(e: Expr, what: string, pos?: number): number {
  const params = new ParamTypes();
  const bound = bindExpr(e, { services: { params, bindSubquery: () => { throw new SqlError(SqlState.FeatureNotSupported, `a subquery as ${what} is not allowed`, { position: e.pos ?? pos }); } }, scope: Scope.empty(), clause: 'window table function arguments' });
  if (!isConstant(bound) || params.types.length > 0) throw new SqlError(SqlState.FeatureNotSupported, `${what} must be a constant interval (not a column or a $n parameter)`, { position: e.pos ?? pos });
  const v = compileExpr(coerce(bound, T.interval, 'explicit', params, e.pos ?? pos), { ctx: newEvalContext() })([]);
  if (!(v instanceof Interval)) throw new SqlError(SqlState.InvalidParameterValue, `${what} must not be NULL`, { position: e.pos ?? pos });
  return fixedIntervalMicros(v, what, e.pos ?? pos);
}

function positive(us: number, what: string, pos?: number): number {
  if (!(us > 0)) throw new SqlError(SqlState.InvalidParameterValue, `${what} must be greater than zero`, { position: pos });
  return us;
}
