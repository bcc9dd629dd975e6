/**
 * Aggregate resolution: name + argument types -> result type, the argument types to cast to, and
 * an accumulator factory. PostgreSQL's signatures and result types:
 *
 *   count(*) / count(any)                       -> int8
 *   sum(int2|int4) -> int8, sum(int8|numeric) -> numeric, sum(float4) -> float4,
 *   sum(float8) -> float8, sum(interval) -> interval
 *   avg(int2|int4|int8|numeric) -> numeric, avg(float4|float8) -> float8, avg(interval) -> interval
 *   min/max(int2|int4|int8|float4|float8|numeric|text|bpchar|date|timestamp|timestamptz|interval)
 *                                               -> the argument type (varchar/unknown -> text)
 *   bool_and/every/bool_or(bool)                -> bool
 *   string_agg(text, text [ORDER BY ...])       -> text (varchar/bpchar/unknown cast to text)
 *   bit_and/bit_or/bit_xor(int2|int4|int8)       -> the argument type
 *   jsonb_agg/json_agg(any [ORDER BY ...])       -> jsonb (json is stored as jsonb)
 *   jsonb_object_agg/json_object_agg(any, any)   -> jsonb
 *   ordered-set, `f(direct) WITHIN GROUP (ORDER BY x)` (options.orderBy holds x's single key):
 *     percentile_cont(float8) (ORDER BY float8-like|interval) -> float8|interval
 *     percentile_disc(float8) (ORDER BY any sortable)         -> x's type
 *     percentile_cont/percentile_disc(float8[])                -> an array of those
 *     mode() (ORDER BY any sortable)                          -> x's type
 *
 *   resolveAggregate('avg', [T.int4])  // { name: 'avg', returnType: numeric, argTypes: [int4], create }
 *   resolveAggregate('sum', [T.text])  // null: the caller reports 42883 undefined_function
 *
 * DISTINCT is applied by the caller with distinctAccumulator (distinct.ts).
 */
import { arrayOf, sqlType, T, TypeId } from '../../sql/types.js';
import { ArrayAgg } from './array-agg.js';
import { BitAggregate, type BitKind } from './bit.js';
import { JsonbAgg, JsonbObjectAgg } from './json-agg.js';
import { OrderedSetAggregate } from './ordered-set.js';
import type { SqlType } from '../../sql/types.js';
import type { Accumulator, AccumulatorColumn, AggregateOptions, AggOrderBy, ResolvedAggregate } from './accumulator.js';
import { BoolColumn, CountColumn, IntSumColumn } from './columns.js';
import { AvgFloat, AvgInt, AvgInt8, AvgInterval, AvgNumeric } from './avg.js';
import { BoolAggregate } from './bool.js';
import { CountStar, CountValue } from './count.js';
import { AppendOnlyMinMax, MinMax } from './min-max.js';
import { StringAgg } from './string-agg.js';
import { SumFloat, SumInt, SumInt8, SumInterval, SumNumeric } from './sum.js';
import { FloatVariance, NumericVariance, type VarianceKind } from './variance.js';

export type { Accumulator, AccumulatorColumn, AggregateOptions, AggOrderBy, ElementState, ResolvedAggregate } from './accumulator.js';
export { distinctAccumulator, DistinctAccumulator } from './distinct.js';

function resolved(name: string, returnType: SqlType, argTypes: SqlType[], create: () => Accumulator, orderBy?: AggOrderBy[]): ResolvedAggregate {
  const r: ResolvedAggregate = { name, returnType, argTypes, create };
  if (orderBy !== undefined && orderBy.length > 0) r.orderBy = orderBy;
  return r;
}

function withColumn(r: ResolvedAggregate, createColumn: () => AccumulatorColumn): ResolvedAggregate {
  r.createColumn = createColumn;
  return r;
}

function withAppendOnly(r: ResolvedAggregate, createAppendOnly: () => Accumulator): ResolvedAggregate {
  r.createAppendOnly = createAppendOnly;
  return r;
}

function isStringType(id: TypeId): boolean {
  return id === TypeId.Text || id === TypeId.Varchar || id === TypeId.Bpchar || id === TypeId.Unknown;
}

/** Aggregate names this registry knows (for the planner's "is this an aggregate" test). */
export const AGGREGATE_NAMES: ReadonlySet<string> = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop',
  'bit_and', 'bit_or', 'bit_xor', 'jsonb_agg', 'json_agg', 'jsonb_object_agg', 'json_object_agg',
  'percentile_cont', 'percentile_disc', 'mode',
]);

/** The ordered-set aggregates: called only as `f(direct args) WITHIN GROUP (ORDER BY x)`. */
export const ORDERED_SET_AGGREGATES: ReadonlySet<string> = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** The aggregates whose result depends on the input order (their ORDER BY is honoured). */
export const ORDER_SENSITIVE_AGGREGATES: ReadonlySet<string> = new Set(['array_agg', 'string_agg', 'jsonb_agg', 'json_agg', 'jsonb_object_agg', 'json_object_agg']);

/** Sort key types percentile_cont interpolates as float8. */
function isFloatLike(id: TypeId): boolean {
  return id === TypeId.Int2 || id === TypeId.Int4 || id === TypeId.Int8 || id === TypeId.Float4 || id === TypeId.Float8 || id === TypeId.Numeric;
}

/** Types a sort key may have (comparable by compareValues). */
function isSortable(id: TypeId): boolean {
  return id !== TypeId.Jsonb && id !== TypeId.Record && id !== TypeId.Array;
}

/** The variance family: which form each name computes. */
const VARIANCE_KINDS: Record<string, VarianceKind> = {
  variance: { population: false, root: false }, var_samp: { population: false, root: false }, var_pop: { population: true, root: false },
  stddev: { population: false, root: true }, stddev_samp: { population: false, root: true }, stddev_pop: { population: true, root: true },
};

export function isAggregateName(name: string): boolean {
  return AGGREGATE_NAMES.has(name.toLowerCase());
}

/**
 * Resolves an aggregate call, or returns null when no signature matches (42883). ORDER BY
 * (options.orderBy) is honoured by string_agg and accepted (ignored, order-insensitive) by the
 * others, as PostgreSQL allows `sum(x ORDER BY y)`.
 */
export function resolveAggregate(name: string, argTypes: SqlType[], options?: AggregateOptions): ResolvedAggregate | null {
  const n = name.toLowerCase();
  const t0 = argTypes[0];
  const id = t0?.id;
  switch (n) {
    case 'count':
      if (argTypes.length === 0) return withColumn(resolved(n, T.int8, [], () => new CountStar()), () => new CountColumn(true));
      if (argTypes.length === 1) return withColumn(resolved(n, T.int8, [t0], () => new CountValue()), () => new CountColumn(false));
      return null;
    case 'sum':
      if (argTypes.length !== 1) return null;
      switch (id) {
        case TypeId.Int2: case TypeId.Int4: return withColumn(resolved(n, T.int8, [t0], () => new SumInt()), () => new IntSumColumn(false));
        case TypeId.Int8: return resolved(n, T.numeric, [t0], () => new SumInt8());
        case TypeId.Numeric: return resolved(n, T.numeric, [t0], () => new SumNumeric());
        case TypeId.Float4: return resolved(n, T.float4, [t0], () => new SumFloat(true));
        case TypeId.Float8: return resolved(n, T.float8, [t0], () => new SumFloat(false));
        case TypeId.Interval: return resolved(n, T.interval, [t0], () => new SumInterval());
        default: return null;
      }
    case 'variance': case 'var_samp': case 'var_pop': case 'stddev': case 'stddev_samp': case 'stddev_pop': {
      if (argTypes.length !== 1) return null;
      const kind = VARIANCE_KINDS[n];
      switch (id) {
        case TypeId.Int2: case TypeId.Int4: case TypeId.Int8: case TypeId.Numeric: return resolved(n, T.numeric, [t0], () => new NumericVariance(kind));
        case TypeId.Float4: case TypeId.Float8: return resolved(n, T.float8, [T.float8], () => new FloatVariance(kind));
        default: return null;
      }
    }
    case 'avg':
      if (argTypes.length !== 1) return null;
      switch (id) {
        case TypeId.Int2: case TypeId.Int4: return withColumn(resolved(n, T.numeric, [t0], () => new AvgInt()), () => new IntSumColumn(true));
        case TypeId.Int8: return resolved(n, T.numeric, [t0], () => new AvgInt8());
        case TypeId.Numeric: return resolved(n, T.numeric, [t0], () => new AvgNumeric());
        case TypeId.Float4: case TypeId.Float8: return resolved(n, T.float8, [t0], () => new AvgFloat());
        case TypeId.Interval: return resolved(n, T.interval, [t0], () => new AvgInterval());
        default: return null;
      }
    case 'min':
    case 'max': {
      if (argTypes.length !== 1) return null;
      const isMax = n === 'max';
      switch (id) {
        case TypeId.Int2: case TypeId.Int4: case TypeId.Int8: case TypeId.Float4: case TypeId.Float8:
        case TypeId.Numeric: case TypeId.Date: case TypeId.Time: case TypeId.Timestamp: case TypeId.Timestamptz:
        case TypeId.Interval: case TypeId.Text: case TypeId.Bpchar: {
          // The result type carries no typmod (min(numeric(10,2)) is numeric), as in PostgreSQL.
          const t = t0;
          return withAppendOnly(resolved(n, sqlType(t.id), [t], () => new MinMax(t, isMax)), () => new AppendOnlyMinMax(t, isMax));
        }
        case TypeId.Varchar: case TypeId.Unknown:
          return withAppendOnly(resolved(n, T.text, [T.text], () => new MinMax(T.text, isMax)), () => new AppendOnlyMinMax(T.text, isMax));
        default: return null;
      }
    }
    case 'bool_and':
    case 'every':
    case 'bool_or': {
      if (argTypes.length !== 1 || (id !== TypeId.Bool && id !== TypeId.Unknown)) return null;
      const isAnd = n !== 'bool_or';
      return withColumn(resolved(n, T.bool, [T.bool], () => new BoolAggregate(isAnd)), () => new BoolColumn(isAnd));
    }
    case 'array_agg': {
      if (argTypes.length !== 1 || id === TypeId.Array || id === TypeId.Record) return null;
      const t = id === TypeId.Unknown ? T.text : t0;
      const orderBy = options?.orderBy ?? [];
      return resolved(n, arrayOf(t), [t], () => new ArrayAgg(orderBy), orderBy);
    }
    case 'string_agg': {
      if (argTypes.length !== 2 || !isStringType(id as TypeId) || !isStringType(argTypes[1].id)) return null;
      const orderBy = options?.orderBy ?? [];
      return resolved(n, T.text, [T.text, T.text], () => new StringAgg(orderBy), orderBy);
    }
    case 'bit_and': case 'bit_or': case 'bit_xor': {
      if (argTypes.length !== 1) return null;
      const width = id === TypeId.Int2 ? 16 : id === TypeId.Int4 ? 32 : id === TypeId.Int8 ? 64 : 0;
      if (width === 0) return null;
      const kind = n.slice(4) as BitKind;
      return resolved(n, sqlType(t0.id), [t0], () => new BitAggregate(kind, width));
    }
    case 'jsonb_agg': case 'json_agg': {
      if (argTypes.length !== 1) return null;
      const t = id === TypeId.Unknown ? T.text : t0;
      const orderBy = options?.orderBy ?? [];
      return resolved(n, T.jsonb, [t], () => new JsonbAgg(t, orderBy), orderBy);
    }
    case 'jsonb_object_agg': case 'json_object_agg': {
      if (argTypes.length !== 2) return null;
      const kt = id === TypeId.Unknown ? T.text : t0;
      const vt = argTypes[1].id === TypeId.Unknown ? T.text : argTypes[1];
      const orderBy = options?.orderBy ?? [];
      return resolved(n, T.jsonb, [kt, vt], () => new JsonbObjectAgg(kt, vt, orderBy), orderBy);
    }
    case 'percentile_cont': case 'percentile_disc': case 'mode': {
      const orderBy = options?.orderBy ?? [];
      if (orderBy.length !== 1) return null;
      if (n === 'mode' ? argTypes.length !== 0 : argTypes.length !== 1 || id === TypeId.Record) return null;
      const ob = orderBy[0].type.id === TypeId.Unknown ? { ...orderBy[0], type: T.text } : orderBy[0];
      const kid = ob.type.id;
      // percentile_*(float8[]): one result per fraction.
      const many = id === TypeId.Array;
      const direct = n === 'mode' ? [] : [many ? arrayOf(T.float8) : T.float8];
      let rt: SqlType;
      if (n === 'percentile_cont') {
        if (!isFloatLike(kid) && kid !== TypeId.Interval) return null;
        rt = kid === TypeId.Interval ? T.interval : T.float8;
      } else {
        if (!isSortable(kid)) return null;
        rt = ob.type;
      }
      return resolved(n, many ? arrayOf(rt) : rt, direct, () => new OrderedSetAggregate(n, ob), [ob]);
    }
    default:
      return null;
  }
}
