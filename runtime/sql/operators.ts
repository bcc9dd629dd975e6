/**
 * Operator resolution for the binder, with PostgreSQL's operator set, result types, unknown-literal
 * rules and errors. The binder casts operands to leftType/rightType, then calls impl per row with
 * non-null values (NULL strictness is the caller's job).
 *
 *   resolveBinaryOperator('+', T.int4, T.numeric)   -> numeric + numeric -> numeric
 *   resolveBinaryOperator('+', T.timestamp, T.unknown) -> timestamp + interval -> timestamp
 *   resolveBinaryOperator('||', T.int4, T.unknown)  -> int4 || text -> text
 */
import { datePlusTime, timeMinusTime, timePlusInterval } from './time.js';
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { T, TypeId, isOidLike, typeCategory, type SqlType } from './types.js';
import { SqlArray } from './array.js';
import type { Value } from './values.js';
import { Decimal } from './decimal.js';
import type { Interval } from './interval.js';
import { canCoerceImplicitly, floatOverflow, floatUnderflow, typeDisplayName } from './cast.js';
import { compareBpchar, compareFloat, compareJsonb, compareText, compareValues, rtrimSpaces } from './compare.js';
import { formatText } from './text-io.js';
import {
  dateDiff,
  datePlusDays,
  datePlusInterval,
  timestampDiff,
  timestampMinusInterval,
  timestampPlusInterval,
} from './datetime.js';
import {
  jsonbConcat,
  jsonbContains,
  jsonbDeleteIndex,
  jsonbDeleteKey,
  jsonbExists,
  jsonbExistsAll,
  jsonbExistsAny,
  jsonbGetIndex,
  jsonbGetKey,
  jsonbGetPath,
  jsonbToText,
} from './jsonb-ops.js';
import { likeMatch, regexMatch } from './pattern.js';

export type BinaryImpl = (a: Value, b: Value) => Value;
export type UnaryImpl = (a: Value) => Value;

export interface ResolvedBinaryOperator {
  leftType: SqlType;
  rightType: SqlType;
  resultType: SqlType;
  impl: BinaryImpl;
}

export interface ResolvedUnaryOperator {
  argType: SqlType;
  resultType: SqlType;
  impl: UnaryImpl;
}

// ------------------------------------------------------------------------------ errors

const int2Range = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'smallint out of range');
const int4Range = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'integer out of range');
const int8Range = (): SqlError => new SqlError(SqlState.NumericValueOutOfRange, 'bigint out of range');
const divZero = (): SqlError => new SqlError(SqlState.DivisionByZero, 'division by zero');

// ------------------------------------------------------------------------------ integer arithmetic

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function intOps(min: number, max: number, range: () => SqlError): Record<string, BinaryImpl> {
  return {
    '+': (a, b) => {
      const r = (a as number) + (b as number);
      if (r > max || r < min) throw range();
      return r;
    },
    '-': (a, b) => {
      const r = (a as number) - (b as number);
      if (r > max || r < min) throw range();
      return r;
    },
    '*': (a, b) => {
      const r = (a as number) * (b as number);
      if (r > max || r < min) throw range();
      return r === 0 ? 0 : r;
    },
    '/': (a, b) => {
      if (b === 0) throw divZero();
      const r = Math.trunc((a as number) / (b as number));
      if (r > max) throw range();
      return r === 0 ? 0 : r;
    },
    '%': (a, b) => {
      if (b === 0) throw divZero();
      if (b === -1) return 0;
      const r = (a as number) % (b as number);
      return r === 0 ? 0 : r;
    },
    '&': (a, b) => (a as number) & (b as number),
    '|': (a, b) => (a as number) | (b as number),
    '#': (a, b) => (a as number) ^ (b as number),
    '<<': (a, b) => wrapInt((a as number) << ((b as number) & 31), min),
    '>>': (a, b) => wrapInt((a as number) >> ((b as number) & 31), min),
  };
}

/** Shifts wrap like C on the type's width (int2 results keep 16 bits). */
function wrapInt(v: number, min: number): number {
  if (min === -32768) return (v << 16) >> 16;
  return v;
}

const INT2_OPS = intOps(-32768, 32767, int2Range);
const INT4_OPS = intOps(-2147483648, 2147483647, int4Range);

function checkInt8(r: bigint): bigint {
  if (r > INT8_MAX || r < INT8_MIN) throw int8Range();
  return r;
}

const INT8_OPS: Record<string, BinaryImpl> = {
  '+': (a, b) => checkInt8((a as bigint) + (b as bigint)),
  '-': (a, b) => checkInt8((a as bigint) - (b as bigint)),
  '*': (a, b) => checkInt8((a as bigint) * (b as bigint)),
  '/': (a, b) => {
    if (b === 0n) throw divZero();
    return checkInt8((a as bigint) / (b as bigint));
  },
  '%': (a, b) => {
    if (b === 0n) throw divZero();
    return (a as bigint) % (b as bigint);
  },
  '&': (a, b) => (a as bigint) & (b as bigint),
  '|': (a, b) => (a as bigint) | (b as bigint),
  '#': (a, b) => (a as bigint) ^ (b as bigint),
  '<<': (a, b) => BigInt.asIntN(64, (a as bigint) << BigInt((b as number) & 63)),
  '>>': (a, b) => (a as bigint) >> BigInt((b as number) & 63),
};

// ------------------------------------------------------------------------------ float arithmetic

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

/** PostgreSQL dpow. */
export function floatPow(x: number, y: number): number {
  if (x !== x) return y !== y || y !== 0 ? NaN : 1;
  if (y !== y) return x !== 1 ? NaN : 1;
  if (x === 0 && y < 0) {
    throw new SqlError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
  }
  if (x < 0 && Math.floor(y) !== y) {
    throw new SqlError(
      SqlState.InvalidArgumentForPowerFunction,
      'a negative number raised to a non-integer power yields a complex result',
    );
  }
  if (isInf(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    if (y > 0) return ax > 1 ? Infinity : 0;
    return ax > 1 ? 0 : Infinity;
  }
  if (isInf(x)) {
    if (y === 0) return 1;
    if (x > 0) return y > 0 ? Infinity : 0;
    const oddInt = Number.isInteger(y) && Math.abs(y % 2) === 1;
    if (y > 0) return oddInt ? -Infinity : Infinity;
    return oddInt ? -0 : 0;
  }
  const r = Math.pow(x, y);
  if (isInf(r)) throw floatOverflow();
  if (r === 0 && x !== 0) throw floatUnderflow();
  return r;
}

function floatOps(round: (x: number) => number): Record<string, BinaryImpl> {
  return {
    '+': (a, b) => {
      const r = round((a as number) + (b as number));
      if (isInf(r) && !isInf(a as number) && !isInf(b as number)) throw floatOverflow();
      return r;
    },
    '-': (a, b) => {
      const r = round((a as number) - (b as number));
      if (isInf(r) && !isInf(a as number) && !isInf(b as number)) throw floatOverflow();
      return r;
    },
    '*': (a, b) => {
      const r = round((a as number) * (b as number));
      if (isInf(r) && !isInf(a as number) && !isInf(b as number)) throw floatOverflow();
      if (r === 0 && a !== 0 && b !== 0) throw floatUnderflow();
      return r;
    },
    '/': (a, b) => {
      if (b === 0 && a === a) throw divZero();
      const r = round((a as number) / (b as number));
      if (isInf(r) && !isInf(a as number)) throw floatOverflow();
      if (r === 0 && a !== 0 && !isInf(b as number)) throw floatUnderflow();
      return r;
    },
    '^': (a, b) => round(floatPow(a as number, b as number)),
  };
}

const FLOAT8_OPS = floatOps((x) => x);
const FLOAT4_OPS = floatOps(Math.fround);

const NUMERIC_OPS: Record<string, BinaryImpl> = {
  '+': (a, b) => (a as Decimal).add(b as Decimal),
  '-': (a, b) => (a as Decimal).sub(b as Decimal),
  '*': (a, b) => (a as Decimal).mul(b as Decimal),
  '/': (a, b) => (a as Decimal).div(b as Decimal),
  '%': (a, b) => (a as Decimal).mod(b as Decimal),
  '^': (a, b) => Decimal.pow(a as Decimal, b as Decimal),
};

// ------------------------------------------------------------------------------ comparisons

const COMPARISON_OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

function cmpImpl(op: string, cmp: (a: Value, b: Value) => number): BinaryImpl {
  switch (op) {
    case '=': return (a, b) => cmp(a, b) === 0;
    case '<>': case '!=': return (a, b) => cmp(a, b) !== 0;
    case '<': return (a, b) => cmp(a, b) < 0;
    case '<=': return (a, b) => cmp(a, b) <= 0;
    case '>': return (a, b) => cmp(a, b) > 0;
    default: return (a, b) => cmp(a, b) >= 0;
  }
}

/** Primitive comparisons (numbers, bigints, booleans compared with JS operators). */
function primitiveCmpImpl(op: string): BinaryImpl {
  switch (op) {
    case '=': return (a, b) => a === b;
    case '<>': case '!=': return (a, b) => a !== b;
    case '<': return (a, b) => (a as number) < (b as number);
    case '<=': return (a, b) => (a as number) <= (b as number);
    case '>': return (a, b) => (a as number) > (b as number);
    default: return (a, b) => (a as number) >= (b as number);
  }
}

function floatCmpImpl(op: string): BinaryImpl {
  const f = (a: Value, b: Value): number => compareFloat(a as number, b as number);
  switch (op) {
    case '=': return (a, b) => a === b || (a !== a && b !== b);
    case '<>': case '!=': return (a, b) => !(a === b || (a !== a && b !== b));
    default: return cmpImpl(op, f);
  }
}

/** The comparison impl for two values of one type id. */
function comparisonFor(op: string, id: TypeId): BinaryImpl | null {
  switch (id) {
    case TypeId.Int2: case TypeId.Int4: case TypeId.Int8: case TypeId.Date: case TypeId.Time:
    case TypeId.Timestamp: case TypeId.Timestamptz: case TypeId.Bool:
      return primitiveCmpImpl(op);
    case TypeId.Float4: case TypeId.Float8:
      return floatCmpImpl(op);
    case TypeId.Numeric:
      return cmpImpl(op, (a, b) => (a as Decimal).cmp(b as Decimal));
    case TypeId.Text: case TypeId.Varchar: case TypeId.Unknown:
      if (op === '=') return (a, b) => a === b;
      if (op === '<>' || op === '!=') return (a, b) => a !== b;
      return cmpImpl(op, (a, b) => compareText(a as string, b as string));
    case TypeId.Bpchar:
      return cmpImpl(op, (a, b) => compareBpchar(a as string, b as string));
    case TypeId.Interval:
      return cmpImpl(op, (a, b) => (a as Interval).cmp(b as Interval));
    case TypeId.Jsonb:
      return cmpImpl(op, (a, b) => compareJsonb(a as never, b as never));
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole:
      return primitiveCmpImpl(op);
    case TypeId.Array: case TypeId.Record:
      return cmpImpl(op, (a, b) => compareValues(id, a, b));
  }
}

// ------------------------------------------------------------------------------ type promotion

const NUMERIC_RANK: Partial<Record<TypeId, number>> = {
  [TypeId.Int2]: 0,
  [TypeId.Int4]: 1,
  [TypeId.Int8]: 2,
  [TypeId.Numeric]: 3,
  [TypeId.Float4]: 4,
  [TypeId.Float8]: 5,
};

/**
 * The type two numeric operands are evaluated in, as PostgreSQL's operator resolution ends up
 * choosing: the wider integer; numeric over integers; float8 whenever a float meets anything but
 * float4 (float4 op float4 stays real).
 */
function numericPromotion(a: TypeId, b: TypeId): TypeId {
  if (a === b) return a;
  const ra = NUMERIC_RANK[a]!;
  const rb = NUMERIC_RANK[b]!;
  if (ra >= 4 || rb >= 4) return TypeId.Float8;
  return ra > rb ? a : b;
}

function isNumericId(id: TypeId): boolean {
  return NUMERIC_RANK[id] !== undefined;
}

function isStringId(id: TypeId): boolean {
  return id === TypeId.Text || id === TypeId.Varchar || id === TypeId.Bpchar;
}

function isIntId(id: TypeId): boolean {
  return id === TypeId.Int2 || id === TypeId.Int4 || id === TypeId.Int8;
}

function plainType(id: TypeId): SqlType {
  return T[id as keyof typeof T];
}

function bin(left: TypeId, right: TypeId, result: TypeId, impl: BinaryImpl): ResolvedBinaryOperator {
  return { leftType: plainType(left), rightType: plainType(right), resultType: plainType(result), impl };
}

// ------------------------------------------------------------------------------ families

function resolveArithmetic(op: string, l: TypeId, r: TypeId): ResolvedBinaryOperator | null {
  if (!isNumericId(l) || !isNumericId(r)) return null;
  let t = numericPromotion(l, r);
  switch (op) {
    case '^':
      // Only float8 ^ float8 and numeric ^ numeric exist.
      t = t === TypeId.Numeric || (isIntId(t) && (l === TypeId.Numeric || r === TypeId.Numeric)) ? TypeId.Numeric : TypeId.Float8;
      return bin(t, t, t, t === TypeId.Numeric ? NUMERIC_OPS['^'] : FLOAT8_OPS['^']);
    case '%':
      if (t === TypeId.Float4 || t === TypeId.Float8) return null;
      break;
    case '&': case '|': case '#':
      if (!isIntId(t)) return null;
      break;
    case '<<': case '>>':
      if (!isIntId(l) || !(r === TypeId.Int4 || r === TypeId.Int2)) return null;
      return bin(l, TypeId.Int4, l, (l === TypeId.Int2 ? INT2_OPS : l === TypeId.Int4 ? INT4_OPS : INT8_OPS)[op]);
  }
  const table =
    t === TypeId.Int2 ? INT2_OPS
    : t === TypeId.Int4 ? INT4_OPS
    : t === TypeId.Int8 ? INT8_OPS
    : t === TypeId.Float4 ? FLOAT4_OPS
    : t === TypeId.Float8 ? FLOAT8_OPS
    : NUMERIC_OPS;
  const impl = table[op];
  return impl ? bin(t, t, t, impl) : null;
}

function datetimeRank(id: TypeId): number {
  return id === TypeId.Date ? 0 : id === TypeId.Timestamp ? 1 : id === TypeId.Timestamptz ? 2 : -1;
}

function resolveComparison(op: string, l: TypeId, r: TypeId): ResolvedBinaryOperator | null {
  let t: TypeId;
  if (l === r) t = l === TypeId.Varchar ? TypeId.Text : l;
  else if (isNumericId(l) && isNumericId(r)) t = numericPromotion(l, r);
  else if (isStringId(l) && isStringId(r)) t = TypeId.Text;
  else if (datetimeRank(l) >= 0 && datetimeRank(r) >= 0) t = datetimeRank(l) > datetimeRank(r) ? l : r;
  // oid = int4 (the integer becomes an oid), regclass = oid (binary coercible)
  else if ((isOidLike(l) || isIntId(l)) && (isOidLike(r) || isIntId(r)) && (isOidLike(l) || isOidLike(r))) {
    t = l === TypeId.Int8 || r === TypeId.Int8 ? TypeId.Int8 : TypeId.Oid;
  } else return null;
  const impl = comparisonFor(op, t);
  return impl ? bin(t, t, TypeId.Bool, impl) : null;
}

function resolveDatetimeArithmetic(op: string, l: TypeId, r: TypeId): ResolvedBinaryOperator | null {
  const isTs = (x: TypeId): boolean => x === TypeId.Timestamp || x === TypeId.Timestamptz;
  if (op === '+') {
    if (l === TypeId.Time && r === TypeId.Interval) return bin(l, r, l, (a, b) => timePlusInterval(a as number, b as Interval));
    if (l === TypeId.Interval && r === TypeId.Time) return bin(l, r, r, (a, b) => timePlusInterval(b as number, a as Interval));
    if (l === TypeId.Date && r === TypeId.Time) return bin(l, r, TypeId.Timestamp, (a, b) => datePlusTime(a as number, b as number));
    if (l === TypeId.Time && r === TypeId.Date) return bin(l, r, TypeId.Timestamp, (a, b) => datePlusTime(b as number, a as number));
    if (isTs(l) && r === TypeId.Interval) return bin(l, r, l, (a, b) => timestampPlusInterval(a as number, b as Interval));
    if (l === TypeId.Interval && isTs(r)) return bin(l, r, r, (a, b) => timestampPlusInterval(b as number, a as Interval));
    if (l === TypeId.Date && r === TypeId.Interval) return bin(l, r, TypeId.Timestamp, (a, b) => datePlusInterval(a as number, b as Interval));
    if (l === TypeId.Interval && r === TypeId.Date) return bin(l, r, TypeId.Timestamp, (a, b) => datePlusInterval(b as number, a as Interval));
    if (l === TypeId.Date && (r === TypeId.Int4 || r === TypeId.Int2)) return bin(l, TypeId.Int4, l, (a, b) => datePlusDays(a as number, b as number));
    if ((l === TypeId.Int4 || l === TypeId.Int2) && r === TypeId.Date) return bin(TypeId.Int4, r, r, (a, b) => datePlusDays(b as number, a as number));
    if (l === TypeId.Interval && r === TypeId.Interval) return bin(l, r, l, (a, b) => (a as Interval).add(b as Interval));
    return null;
  }
  if (op === '-') {
    if (l === TypeId.Time && r === TypeId.Interval) return bin(l, r, l, (a, b) => timePlusInterval(a as number, (b as Interval).neg()));
    if (l === TypeId.Time && r === TypeId.Time) return bin(l, r, TypeId.Interval, (a, b) => timeMinusTime(a as number, b as number));
    if (isTs(l) && r === TypeId.Interval) return bin(l, r, l, (a, b) => timestampMinusInterval(a as number, b as Interval));
    if (l === TypeId.Date && r === TypeId.Interval) return bin(l, r, TypeId.Timestamp, (a, b) => datePlusInterval(a as number, (b as Interval).neg()));
    if (l === TypeId.Date && (r === TypeId.Int4 || r === TypeId.Int2)) return bin(l, TypeId.Int4, l, (a, b) => datePlusDays(a as number, -(b as number)));
    if (l === TypeId.Date && r === TypeId.Date) return bin(l, r, TypeId.Int4, (a, b) => dateDiff(a as number, b as number));
    if (datetimeRank(l) >= 0 && datetimeRank(r) >= 0) {
      const t = datetimeRank(l) > datetimeRank(r) ? l : r === TypeId.Date ? TypeId.Timestamp : r;
      const tt = t === TypeId.Date ? TypeId.Timestamp : t;
      return bin(tt, tt, TypeId.Interval, (a, b) => timestampDiff(a as number, b as number));
    }
    if (l === TypeId.Interval && r === TypeId.Interval) return bin(l, r, l, (a, b) => (a as Interval).sub(b as Interval));
    return null;
  }
  if (op === '*') {
    if (l === TypeId.Interval && isNumericId(r)) return bin(l, TypeId.Float8, l, (a, b) => (a as Interval).mulNumber(b as number));
    if (isNumericId(l) && r === TypeId.Interval) return bin(TypeId.Float8, r, r, (a, b) => (b as Interval).mulNumber(a as number));
    return null;
  }
  if (op === '/') {
    if (l === TypeId.Interval && isNumericId(r)) return bin(l, TypeId.Float8, l, (a, b) => (a as Interval).divNumber(b as number));
  }
  return null;
}

function textOf(type: SqlType): (v: Value) => string {
  if (type.id === TypeId.Text || type.id === TypeId.Varchar || type.id === TypeId.Unknown) return (v) => v as string;
  if (type.id === TypeId.Bpchar) return (v) => rtrimSpaces(v as string);
  // anytextcat casts with ::text, which for boolean is 'true'/'false' rather than the output 't'/'f'
  if (type.id === TypeId.Bool) return (v) => (v ? 'true' : 'false');
  return (v) => formatText(type, v);
}

function resolveConcat(left: SqlType, right: SqlType): ResolvedBinaryOperator | null {
  const l = left.id;
  const r = right.id;
  if (l === TypeId.Jsonb && r === TypeId.Jsonb) return bin(l, r, l, jsonbConcat);
  const ls = isStringId(l);
  const rs = isStringId(r);
  if (ls && rs) {
    // text || text (varchar and bpchar become text; bpchar loses its padding)
    const lf = textOf(left);
    const rf = textOf(right);
    if (l === TypeId.Bpchar || r === TypeId.Bpchar) return bin(TypeId.Text, TypeId.Text, TypeId.Text, (a, b) => lf(a) + rf(b));
    return bin(TypeId.Text, TypeId.Text, TypeId.Text, (a, b) => (a as string) + (b as string));
  }
  // anynonarray || text and text || anynonarray: the other side goes through its output function
  if (ls && r !== TypeId.Unknown) {
    const rf = textOf(right);
    return { leftType: T.text, rightType: right, resultType: T.text, impl: (a, b) => (a as string) + rf(b) };
  }
  if (rs && l !== TypeId.Unknown) {
    const lf = textOf(left);
    return { leftType: left, rightType: T.text, resultType: T.text, impl: (a, b) => lf(a) + (b as string) };
  }
  return null;
}

/** Operators on arrays: comparisons, || (concatenation, append, prepend), @>, <@, &&. */
function resolveArrayOperator(op: string, left: SqlType, right: SqlType): ResolvedBinaryOperator | null {
  const la = left.id === TypeId.Array;
  const ra = right.id === TypeId.Array;
  if (la && ra) {
    if (COMPARISON_OPS.has(op)) {
      const impl = comparisonFor(op === '!=' ? '<>' : op, TypeId.Array)!;
      return { leftType: left, rightType: right, resultType: T.bool, impl };
    }
    const has = (arr: SqlArray, v: Value) => v !== null && arr.items.some((x) => x !== null && compareValues(TypeId.Array, new SqlArray([x]), new SqlArray([v])) === 0);
    switch (op) {
      case '||':
        return { leftType: left, rightType: right, resultType: left, impl: (a, b) => new SqlArray([...(a as SqlArray).items, ...(b as SqlArray).items], (a as SqlArray).lower) };
      case '@>':
        return { leftType: left, rightType: right, resultType: T.bool, impl: (a, b) => (b as SqlArray).items.every((v) => has(a as SqlArray, v)) };
      case '<@':
        return { leftType: left, rightType: right, resultType: T.bool, impl: (a, b) => (a as SqlArray).items.every((v) => has(b as SqlArray, v)) };
      case '&&':
        return { leftType: left, rightType: right, resultType: T.bool, impl: (a, b) => (a as SqlArray).items.some((v) => has(b as SqlArray, v)) };
    }
    return null;
  }
  if (op !== '||') return null;
  if (la && right.id !== TypeId.Unknown) {
    return { leftType: left, rightType: left.elem!, resultType: left, impl: (a, b) => new SqlArray([...(a as SqlArray).items, b], (a as SqlArray).lower) };
  }
  if (ra && left.id !== TypeId.Unknown) {
    return { leftType: right.elem!, rightType: right, resultType: right, impl: (a, b) => new SqlArray([a, ...(b as SqlArray).items]) };
  }
  if (la) return { leftType: left, rightType: left, resultType: left, impl: (a, b) => new SqlArray([...(a as SqlArray).items, ...(b as SqlArray).items], (a as SqlArray).lower) };
  return { leftType: right, rightType: right, resultType: right, impl: (a, b) => new SqlArray([...(a as SqlArray).items, ...(b as SqlArray).items], (a as SqlArray).lower) };
}

function resolvePattern(op: string, l: TypeId, r: TypeId): ResolvedBinaryOperator | null {
  if (!isStringId(l) || !isStringId(r)) return null;
  const lt = l === TypeId.Bpchar ? TypeId.Bpchar : TypeId.Text;
  switch (op) {
    case '~~': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => likeMatch(a as string, b as string, false));
    case '!~~': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => !likeMatch(a as string, b as string, false));
    case '~~*': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => likeMatch(a as string, b as string, true));
    case '!~~*': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => !likeMatch(a as string, b as string, true));
    case '~': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => regexMatch(a as string, b as string, false));
    case '!~': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => !regexMatch(a as string, b as string, false));
    case '~*': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => regexMatch(a as string, b as string, true));
    case '!~*': return bin(lt, TypeId.Text, TypeId.Bool, (a, b) => !regexMatch(a as string, b as string, true));
  }
  return null;
}

function resolveJsonb(op: string, l: TypeId, r: TypeId): ResolvedBinaryOperator | null {
  if (l !== TypeId.Jsonb) return null;
  const J = TypeId.Jsonb;
  const textArg = isStringId(r);
  const intArg = r === TypeId.Int4 || r === TypeId.Int2;
  switch (op) {
    case '->':
      if (textArg) return bin(J, TypeId.Text, J, (a, b) => jsonbGetKey(a, b as string));
      if (intArg) return bin(J, TypeId.Int4, J, (a, b) => jsonbGetIndex(a, b as number));
      return null;
    case '->>':
      if (textArg) return bin(J, TypeId.Text, TypeId.Text, (a, b) => jsonbToText(jsonbGetKey(a, b as string)));
      if (intArg) return bin(J, TypeId.Int4, TypeId.Text, (a, b) => jsonbToText(jsonbGetIndex(a, b as number)));
      return null;
    case '#>':
      return textArg ? bin(J, TypeId.Text, J, (a, b) => jsonbGetPath(a, b as string)) : null;
    case '#>>':
      return textArg ? bin(J, TypeId.Text, TypeId.Text, (a, b) => jsonbToText(jsonbGetPath(a, b as string))) : null;
    case '@>':
      return r === J ? bin(J, J, TypeId.Bool, (a, b) => jsonbContains(a, b)) : null;
    case '<@':
      return r === J ? bin(J, J, TypeId.Bool, (a, b) => jsonbContains(b, a)) : null;
    case '?':
      return textArg ? bin(J, TypeId.Text, TypeId.Bool, (a, b) => jsonbExists(a, b as string)) : null;
    case '?|':
      return textArg ? bin(J, TypeId.Text, TypeId.Bool, (a, b) => jsonbExistsAny(a, b as string)) : null;
    case '?&':
      return textArg ? bin(J, TypeId.Text, TypeId.Bool, (a, b) => jsonbExistsAll(a, b as string)) : null;
    case '-':
      if (textArg) return bin(J, TypeId.Text, J, (a, b) => jsonbDeleteKey(a, b as string));
      if (intArg) return bin(J, TypeId.Int4, J, (a, b) => jsonbDeleteIndex(a, b as number));
      return null;
  }
  return null;
}

/** Resolution when neither operand is unknown. */
function resolveKnown(op: string, left: SqlType, right: SqlType): ResolvedBinaryOperator | null {
  const l = left.id;
  const r = right.id;
  if (l === TypeId.Array || r === TypeId.Array) return resolveArrayOperator(op, left, right);
  if (COMPARISON_OPS.has(op)) {
    if (l === TypeId.Bpchar && r === TypeId.Bpchar) return bin(l, r, TypeId.Bool, comparisonFor(op, TypeId.Bpchar)!);
    return resolveComparison(op === '!=' ? '<>' : op, l, r);
  }
  switch (op) {
    case '+': case '-': case '*': case '/':
      return resolveArithmetic(op, l, r) ?? resolveDatetimeArithmetic(op, l, r) ?? (op === '-' ? resolveJsonb(op, l, r) : null);
    case '%': case '^': case '&': case '|': case '#': case '<<': case '>>':
      return resolveArithmetic(op, l, r);
    case '||':
      return resolveConcat(left, right);
    case '~~': case '!~~': case '~~*': case '!~~*': case '~': case '!~': case '~*': case '!~*':
      return resolvePattern(op, l, r);
    case '->': case '->>': case '#>': case '#>>': case '@>': case '<@': case '?': case '?|': case '?&':
      return resolveJsonb(op, l, r);
  }
  return null;
}

/** Types an unknown operand may turn into when the same-type lookup fails. */
const CANDIDATE_TYPES: TypeId[] = [
  TypeId.Text, TypeId.Bool, TypeId.Int2, TypeId.Int4, TypeId.Int8, TypeId.Float4, TypeId.Float8, TypeId.Numeric,
  TypeId.Date, TypeId.Time, TypeId.Timestamp, TypeId.Timestamptz, TypeId.Interval, TypeId.Jsonb,
];

function notUnique(op: string, left: SqlType, right: SqlType): SqlError {
  return new SqlError(
    SqlState.AmbiguousFunction,
    `operator is not unique: ${typeDisplayName(left)} ${op} ${typeDisplayName(right)}`,
    { hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.' },
  );
}

/**
 * time has an implicit cast to interval (pg_cast), so `time < interval` and `time * 2` resolve as
 * interval operators; the binder casts the time operand.
 */
function timeAsInterval(op: string, left: SqlType, right: SqlType): ResolvedBinaryOperator | null {
  if (left.id === TypeId.Time && right.id !== TypeId.Time) return resolveKnown(op, T.interval, right);
  if (right.id === TypeId.Time && left.id !== TypeId.Time) return resolveKnown(op, left, T.interval);
  return null;
}

/**
 * Resolves `left op right` as PostgreSQL would, or returns null when no operator exists (the
 * binder raises 42883). Throws 42725 when an unknown literal leaves several candidates.
 */
export function resolveBinaryOperator(op: string, left: SqlType, right: SqlType): ResolvedBinaryOperator | null {
  const lu = left.id === TypeId.Unknown;
  const ru = right.id === TypeId.Unknown;
  if (!lu && !ru) return resolveKnown(op, left, right) ?? timeAsInterval(op, left, right);
  if (lu && ru) {
    const r = resolveKnown(op, T.text, T.text);
    if (r === null && (op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^')) {
      throw notUnique(op, left, right);
    }
    return r;
  }
  const known = lu ? right : left;
  // 1. the unknown side takes the other side's type, if such an operator exists as is
  const same = resolveKnown(op, known, known);
  if (same !== null) {
    const t = lu ? same.leftType : same.rightType;
    if (t.id === known.id || (isStringId(t.id) && isStringId(known.id))) return same;
  }
  // 2. any operator taking the known type on its side and exactly some type on the unknown side
  const cands: ResolvedBinaryOperator[] = [];
  for (const c of CANDIDATE_TYPES) {
    const ct = T[c as keyof typeof T];
    const res = lu ? resolveKnown(op, ct, known) : resolveKnown(op, known, ct);
    if (res === null) continue;
    const unknownSide = lu ? res.leftType : res.rightType;
    if (unknownSide.id !== c) continue;
    cands.push(res);
  }
  if (cands.length === 0) return same;
  if (cands.length === 1) return cands[0];
  // Prefer a candidate taking a string type for the unknown input (PostgreSQL's rule).
  const strings = cands.filter((c) => isStringId((lu ? c.leftType : c.rightType).id));
  if (strings.length >= 1) return strings[0];
  throw notUnique(op, left, right);
}

// ------------------------------------------------------------------------------ unary

const NEG: Partial<Record<TypeId, UnaryImpl>> = {
  [TypeId.Int2]: (a) => {
    if (a === -32768) throw int2Range();
    return -(a as number) || 0;
  },
  [TypeId.Int4]: (a) => {
    if (a === -2147483648) throw int4Range();
    return -(a as number) || 0;
  },
  [TypeId.Int8]: (a) => checkInt8(-(a as bigint)),
  [TypeId.Float4]: (a) => -(a as number),
  [TypeId.Float8]: (a) => -(a as number),
  [TypeId.Numeric]: (a) => (a as Decimal).neg(),
  [TypeId.Interval]: (a) => (a as Interval).neg(),
};

const ABS: Partial<Record<TypeId, UnaryImpl>> = {
  [TypeId.Int2]: (a) => {
    if (a === -32768) throw int2Range();
    return Math.abs(a as number);
  },
  [TypeId.Int4]: (a) => {
    if (a === -2147483648) throw int4Range();
    return Math.abs(a as number);
  },
  [TypeId.Int8]: (a) => checkInt8((a as bigint) < 0n ? -(a as bigint) : (a as bigint)),
  [TypeId.Float4]: (a) => Math.abs(a as number),
  [TypeId.Float8]: (a) => Math.abs(a as number),
  [TypeId.Numeric]: (a) => (a as Decimal).abs(),
};

/** Resolves a prefix operator: '-', '+', '@' (abs), '~' (bitwise not), '|/' (sqrt), '||/' (cbrt). */
export function resolveUnaryOperator(op: string, type: SqlType): ResolvedUnaryOperator | null {
  const id = type.id;
  if (id === TypeId.Unknown) {
    if (op === '-' || op === '+' || op === '@') {
      throw new SqlError(SqlState.AmbiguousFunction, `operator is not unique: ${op} unknown`, {
        hint: 'Could not choose a best candidate operator. You might need to add an explicit type cast.',
      });
    }
    if (op === '|/' || op === '||/') return resolveUnaryOperator(op, T.float8);
    if (op === '~') return null;
    return null;
  }
  const t = plainType(id);
  switch (op) {
    case '-': {
      const f = NEG[id];
      return f ? { argType: t, resultType: t, impl: f } : null;
    }
    case '+':
      return isNumericId(id) ? { argType: t, resultType: t, impl: (a) => a } : null;
    case '@': {
      const f = ABS[id];
      return f ? { argType: t, resultType: t, impl: f } : null;
    }
    case '~':
      if (id === TypeId.Int8) return { argType: t, resultType: t, impl: (a) => ~(a as bigint) };
      if (id === TypeId.Int4 || id === TypeId.Int2) return { argType: t, resultType: t, impl: (a) => ~(a as number) };
      return null;
    case '|/':
      if (!isNumericId(id)) return null;
      return {
        argType: T.float8,
        resultType: T.float8,
        impl: (a) => {
          if ((a as number) < 0) {
            throw new SqlError(SqlState.InvalidArgumentForPowerFunction, 'cannot take square root of a negative number');
          }
          return Math.sqrt(a as number);
        },
      };
    case '||/':
      if (!isNumericId(id)) return null;
      return { argType: T.float8, resultType: T.float8, impl: (a) => Math.cbrt(a as number) };
  }
  return null;
}

// ------------------------------------------------------------------------------ common type

const PREFERRED = new Set<TypeId>([TypeId.Float8, TypeId.Text, TypeId.Timestamptz, TypeId.Interval, TypeId.Bool]);

/**
 * PostgreSQL's select_common_type for CASE / COALESCE / UNION / IN / GREATEST: all unknown ->
 * text; otherwise the first type, replaced by a later type of the same category that it casts to
 * implicitly (and not back), unless it is the category's preferred type. A category mismatch is
 * 42804 "<context> types X and Y cannot be matched".
 */
export function commonSupertype(types: SqlType[], context: string): SqlType {
  if (types.length === 0) return T.text;
  const first = types[0];
  if (types.every((t) => t.id === first.id)) {
    if (first.id === TypeId.Unknown) return T.text;
    return types.every((t) => t.typmod === first.typmod) ? first : plainType(first.id);
  }
  let ptype: SqlType | undefined;
  for (const t of types) {
    if (t.id === TypeId.Unknown) continue;
    if (ptype === undefined) {
      ptype = t;
      continue;
    }
    if (t.id === ptype.id) continue;
    const pcat = typeCategory(ptype.id);
    const ncat = typeCategory(t.id);
    if (pcat !== ncat) {
      throw new SqlError(
        SqlState.DatatypeMismatch,
        `${context} types ${typeDisplayName(ptype)} and ${typeDisplayName(t)} cannot be matched`,
      );
    }
    if (!PREFERRED.has(ptype.id) && canCoerceImplicitly(ptype.id, t.id) && !canCoerceImplicitly(t.id, ptype.id)) {
      ptype = t;
    }
  }
  if (ptype === undefined) return T.text;
  // Every input must be implicitly coercible to the result.
  for (const t of types) {
    if (!canCoerceImplicitly(t.id, ptype.id)) {
      throw new SqlError(
        SqlState.CannotCoerce,
        `${context} could not convert type ${typeDisplayName(t)} to ${typeDisplayName(ptype)}`,
      );
    }
  }
  // Keep a typmod only if every input of that type agrees (select_common_typmod).
  const same = types.every((t) => t.id === TypeId.Unknown || (t.id === ptype!.id && t.typmod === ptype!.typmod));
  return same ? ptype : plainType(ptype.id);
}
