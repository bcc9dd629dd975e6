/**
 * A stream's declaration options, checked and reduced to catalog form: its event time
 * (`WATERMARK FOR col AS col - INTERVAL 'd'` and `idle_timeout`, an EventTimeDef) and its
 * `retention`.
 *
 *   WATERMARK FOR ts AS ts - INTERVAL '5 seconds'  ->  { column: 2, delayMicros: 5_000_000 }
 *   WATERMARK FOR ts AS ts                          ->  { column: 2, delayMicros: 0 }
 */
import type { WatermarkDef } from '../../parser/ast.js';
import type { ColumnSchema, EventTimeDef } from '../../runtime/catalog/catalog.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { TypeId } from '../../runtime/sql/types.js';
import { Interval } from '../../runtime/sql/interval.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { bindExpr } from './bind-expr.js';
import { ParamTypes } from './coerce.js';
import { Scope } from './scope.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { USECS_PER_DAY } from '../../runtime/sql/calendar.js';


/** An interval without months as µs (a day counts as 24 hours); 22023 otherwise. */
export function fixedIntervalMicros(iv: Interval, what: string, pos?: number): number {
  if (iv.months !== 0) throw new SqlError(SqlState.InvalidParameterValue, `${what} must not contain months or years (its length varies)`, { position: pos });
  return iv.days * USECS_PER_DAY + iv.micros;
}

export function bindEventTime(streamName: string, columns: ColumnSchema[], wm: WatermarkDef, options: Record<string, string>): EventTimeDef {
  const column = columns.findIndex((c) => c.name === wm.column);
  if (column < 0) throw new SqlError(SqlState.UndefinedColumn, `column "${wm.column}" named in WATERMARK does not exist`, { position: wm.pos });
  const type = columns[column].type;
  if (type.id !== TypeId.Timestamp && type.id !== TypeId.Timestamptz) {
    throw new SqlError(SqlState.DatatypeMismatch, `the WATERMARK column "${wm.column}" must be of type timestamp or timestamptz, not ${typeDisplayName(type)}`, { position: wm.pos });
  }
  const scope = new Scope(columns.map((c, i) => ({ name: c.name, type: c.type, index: i, tableAlias: streamName })));
  const params = new ParamTypes();
  const e = bindExpr(wm.expr, {
    services: { params, bindSubquery: () => { throw new SqlError(SqlState.FeatureNotSupported, 'a subquery in a WATERMARK expression is not allowed', { position: wm.pos }); } },
    scope,
    clause: 'WATERMARK expressions',
  });
  const shape = () => new SqlError(SqlState.FeatureNotSupported, `a WATERMARK expression must be "${wm.column}" or "${wm.column} - INTERVAL '...'"`, { position: wm.pos });
  let delayMicros = 0;
  if (e.kind === 'Column') {
    if (e.index !== column) throw shape();
  } else if (e.kind === 'BinaryOp' && e.op === '-' && e.left.kind === 'Column' && e.left.index === column && isConstant(e.right) && e.right.type.id === TypeId.Interval) {
    const iv = compileExpr(e.right, { ctx: newEvalContext() })([]);
    if (!(iv instanceof Interval)) throw shape();
    delayMicros = fixedIntervalMicros(iv, 'the WATERMARK delay', wm.pos);
    if (delayMicros < 0) throw new SqlError(SqlState.InvalidParameterValue, 'the WATERMARK delay must not be negative', { position: wm.pos });
  } else throw shape();
  const def: EventTimeDef = { column, delayMicros, exprSql: wm.exprSql ?? '' };
  const idle = options.idle_timeout;
  if (idle !== undefined) def.idleTimeoutMs = parseDurationOption('idle_timeout', idle);
  const partitionIdle = options.partition_idle_timeout;
  if (partitionIdle !== undefined) def.partitionIdleMs = parseDurationOption('partition_idle_timeout', partitionIdle);
  return def;
}

/** A duration option ('30 seconds', '500 milliseconds', '1 minute') as ms; 22023 when invalid. */
export function parseDurationOption(name: string, text: string): number {
  let iv: Interval;
  try {
    iv = Interval.parse(text);
  } catch {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid value for option "${name}": "${text}" (expected an interval such as '30 seconds')`);
  }
  const micros = fixedIntervalMicros(iv, `option "${name}"`);
  if (micros <= 0) throw new SqlError(SqlState.InvalidParameterValue, `option "${name}" must be a positive interval, not "${text}"`);
  return micros / 1000;
}

/**
 * A stream's `retention` option: an interval of arrival time ('7 days'), a row count
 * ('1000000 rows'), or 'unlimited' (the default). Returns undefined for unlimited.
 */
export function parseRetention(text: string): { ms?: number; rows?: number } | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'unlimited') return undefined;
  const rows = /^(\d+)\s*rows?$/.exec(t);
  if (rows) {
    const n = Number(rows[1]);
    if (!Number.isSafeInteger(n) || n <= 0) throw new SqlError(SqlState.InvalidParameterValue, `option "retention" must keep at least one row, not "${text}"`);
    return { rows: n };
  }
  return { ms: parseDurationOption('retention', text) };
}
