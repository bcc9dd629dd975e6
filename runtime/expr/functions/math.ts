/**
 * Mathematical functions (PostgreSQL 15 float.c, int.c, int8.c, numeric.c): one FunctionDef per
 * pg_proc overload over Eddy's types. Numeric work is delegated to Decimal.
 *
 *   round(2.5::numeric) = 3, round(2.5::float8) = 2 (rint), round(1234.5678, -2) = 1200
 */
import { Decimal } from '../../sql/decimal.js';
import { rint } from '../../sql/interval.js';
import { T, type SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { aliases, fn, type FunctionDef } from './function-def.js';
import {
  divisionByZero,
  floatOverflow,
  floatUnderflow,
  inputOutOfRange,
  int2OutOfRange,
  int4OutOfRange,
  int8OutOfRange,
  logOfNegative,
  logOfZero,
  outOfRange,
  powerError,
  widthBucketError,
} from './function-errors.js';

const INT2_MIN = -32768;
const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
const RADIANS_PER_DEGREE = 0.0174532925199432957692;

// ------------------------------------------------------------------ float8 helpers (float.c)

/** check_float8_val: an infinite result from finite inputs is an overflow, 0 from non-zero an underflow. */
function checkFloat(result: number, infInputs: boolean, zeroOk: boolean): number {
  if (!Number.isFinite(result) && !Number.isNaN(result) && !infInputs) throw floatOverflow();
  if (result === 0 && !zeroOk) throw floatUnderflow();
  return result;
}

function floatDiv(a: number, b: number): number {
  if (b === 0 && !Number.isNaN(a)) throw divisionByZero();
  const r = a / b;
  return checkFloat(r, !Number.isFinite(a) || !Number.isFinite(b), a === 0 || !Number.isFinite(b));
}

function floatMul(a: number, b: number): number {
  const r = a * b;
  return checkFloat(r, !Number.isFinite(a) || !Number.isFinite(b), a === 0 || b === 0);
}

function dsqrt(x: number): number {
  if (x < 0) throw powerError('cannot take square root of a negative number');
  return Math.sqrt(x);
}

/** dpow: C pow() semantics plus PostgreSQL's errors. */
function dpow(x: number, y: number): number {
  if (Number.isNaN(x)) return Number.isNaN(y) || y !== 0 ? NaN : 1;
  if (Number.isNaN(y)) return x !== 1 ? NaN : 1;
  if (x === 0 && y < 0) throw powerError('zero raised to a negative power is undefined');
  if (x < 0 && Math.floor(y) !== y) {
    throw powerError('a negative number raised to a non-integer power yields a complex result');
  }
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    if (y > 0) return ax > 1 ? y : 0;
    return ax < 1 ? -y : 0;
  }
  if (!Number.isFinite(x)) {
    if (y === 0) return 1;
    if (x > 0) return y > 0 ? x : 0;
    const oddInteger = Math.abs(y) < 2 ** 53 && Math.abs(y % 2) === 1;
    if (y > 0) return oddInteger ? x : -x;
    return oddInteger ? -0 : 0;
  }
  const r = Math.pow(x, y);
  if (!Number.isFinite(r)) throw floatOverflow();
  if (r === 0 && x !== 0) throw floatUnderflow();
  return r;
}

function dexp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return x > 0 ? x : 0;
  const r = Math.exp(x);
  if (r === 0) throw floatUnderflow();
  if (!Number.isFinite(r)) throw floatOverflow();
  return r;
}

function dlog(x: number, f: (v: number) => number): number {
  if (x === 0) throw logOfZero();
  if (x < 0) throw logOfNegative();
  return f(x);
}

/** sin/cos/tan/cot: infinite input is out of range, NaN passes through. */
function trig(f: (v: number) => number): (x: number) => number {
  return (x) => {
    if (Number.isNaN(x)) return NaN;
    if (!Number.isFinite(x)) throw inputOutOfRange();
    return f(x);
  };
}

function inverseTrig(f: (v: number) => number): (x: number) => number {
  return (x) => {
    if (Number.isNaN(x)) return NaN;
    if (x < -1 || x > 1) throw inputOutOfRange();
    return f(x);
  };
}

function floatWidthBucket(op: number, b1: number, b2: number, count: number): number {
  if (count <= 0) throw widthBucketError('count must be greater than zero');
  if (Number.isNaN(op) || Number.isNaN(b1) || Number.isNaN(b2)) {
    throw widthBucketError('operand, lower bound, and upper bound cannot be NaN');
  }
  if (!Number.isFinite(b1) || !Number.isFinite(b2)) throw widthBucketError('lower and upper bounds must be finite');
  if (b1 === b2) throw widthBucketError('lower bound cannot equal upper bound');
  let r: number;
  if (b1 < b2) {
    if (op < b1) return 0;
    if (op >= b2) return count === INT4_MAX ? raise(int4OutOfRange()) : count + 1;
    r = Number.isFinite(b2 - b1) ? count * ((op - b1) / (b2 - b1)) : count * ((op / 2 - b1 / 2) / (b2 / 2 - b1 / 2));
  } else {
    if (op > b1) return 0;
    if (op <= b2) return count === INT4_MAX ? raise(int4OutOfRange()) : count + 1;
    r = Number.isFinite(b1 - b2) ? count * ((b1 - op) / (b1 - b2)) : count * ((b1 / 2 - op / 2) / (b1 / 2 - b2 / 2));
  }
  if (r >= count) r = count - 1;
  return Math.trunc(r) + 1;
}

function raise(e: Error): never {
  throw e;
}

// ------------------------------------------------------------------ integer helpers (int.c, int8.c)

function absInt(x: number, min: number, err: () => Error): number {
  if (x === min) throw err();
  return Math.abs(x);
}

function modInt(a: number, b: number): number {
  if (b === 0) throw divisionByZero();
  if (b === -1) return 0;
  const r = a % b;
  return r === 0 ? 0 : r; // no -0
}

function modInt8(a: bigint, b: bigint): bigint {
  if (b === 0n) throw divisionByZero();
  if (b === -1n) return 0n;
  return a % b;
}

function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function gcdInt(a: bigint, b: bigint, min: bigint, err: () => Error): bigint {
  const g = gcdBig(a, b);
  if (g === -min) throw err(); // gcd(INT_MIN, 0) and gcd(INT_MIN, INT_MIN) do not fit
  return g;
}

function lcmInt(a: bigint, b: bigint, min: bigint, err: () => Error): bigint {
  if (a === 0n || b === 0n) return 0n;
  const g = gcdBig(a, b);
  let r = (a / g) * b;
  if (r < 0n) r = -r;
  if (r > -min - 1n) throw err();
  return r;
}

// ------------------------------------------------------------------ numeric helpers (numeric.c)

function numericGcd(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) return Decimal.NaN;
  const s = Math.max(a.scale, b.scale);
  const ca = a.coefficient * 10n ** BigInt(s - a.scale);
  const cb = b.coefficient * 10n ** BigInt(s - b.scale);
  return Decimal.of(gcdBig(ca, cb), s);
}

function numericLcm(a: Decimal, b: Decimal): Decimal {
  if (!a.isFinite() || !b.isFinite()) return Decimal.NaN;
  const s = Math.max(a.scale, b.scale);
  let ca = a.coefficient * 10n ** BigInt(s - a.scale);
  let cb = b.coefficient * 10n ** BigInt(s - b.scale);
  if (ca === 0n || cb === 0n) return Decimal.of(0n, s);
  if (ca < 0n) ca = -ca;
  if (cb < 0n) cb = -cb;
  // lcm(ca/10^s, cb/10^s) = (ca * cb / gcd) / 10^s
  return Decimal.of((ca / gcdBig(ca, cb)) * cb, s);
}

function numericWidthBucket(op: Decimal, b1: Decimal, b2: Decimal, count: number): number {
  if (count <= 0) throw widthBucketError('count must be greater than zero');
  if (op.isNaN() || b1.isNaN() || b2.isNaN()) {
    throw widthBucketError('operand, lower bound, and upper bound cannot be NaN');
  }
  if (!b1.isFinite() || !b2.isFinite()) throw widthBucketError('lower and upper bounds must be finite');
  const c = b1.cmp(b2);
  if (c === 0) throw widthBucketError('lower bound cannot equal upper bound');
  const cnt = Decimal.fromInt(count);
  let num: Decimal;
  let den: Decimal;
  if (c < 0) {
    if (op.cmp(b1) < 0) return 0;
    if (op.cmp(b2) >= 0) return count === INT4_MAX ? raise(int4OutOfRange()) : count + 1;
    num = op.sub(b1);
    den = b2.sub(b1);
  } else {
    if (op.cmp(b1) > 0) return 0;
    if (op.cmp(b2) <= 0) return count === INT4_MAX ? raise(int4OutOfRange()) : count + 1;
    num = b1.sub(op);
    den = b1.sub(b2);
  }
  return num.mul(cnt).divTrunc(den).toInt4() + 1;
}

function factorial(n: bigint): Decimal {
  if (n < 0n) throw outOfRange('factorial of a negative number is undefined');
  if (n > 32177n) throw outOfRange('value overflows numeric format');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return Decimal.fromBigInt(r);
}

// ------------------------------------------------------------------ declarations

type F8 = (x: number) => number;
const f8 = (name: string, f: F8): FunctionDef => fn(name, ['float8'], T.float8, (a) => f(a[0] as number));
const num1 = (name: string, ret: SqlType, f: (x: Decimal) => Value): FunctionDef =>
  fn(name, ['numeric'], ret, (a) => f(a[0] as Decimal));
const num2 = (name: string, f: (x: Decimal, y: Decimal) => Value): FunctionDef =>
  fn(name, ['numeric', 'numeric'], T.numeric, (a) => f(a[0] as Decimal, a[1] as Decimal));

const TEN = Decimal.fromInt(10);

export const MATH_FUNCTIONS: readonly FunctionDef[] = [
  fn('abs', ['int2'], T.int2, (a) => absInt(a[0] as number, INT2_MIN, int2OutOfRange)),
  fn('abs', ['int4'], T.int4, (a) => absInt(a[0] as number, INT4_MIN, int4OutOfRange)),
  fn('abs', ['int8'], T.int8, (a) => {
    const x = a[0] as bigint;
    if (x === INT8_MIN) throw int8OutOfRange();
    return x < 0n ? -x : x;
  }),
  fn('abs', ['float4'], T.float4, (a) => Math.abs(a[0] as number)),
  f8('abs', Math.abs),
  num1('abs', T.numeric, (x) => x.abs()),

  ...aliases([f8('ceil', Math.ceil), num1('ceil', T.numeric, (x) => x.ceil())], ['ceil', 'ceiling']),
  f8('floor', Math.floor),
  num1('floor', T.numeric, (x) => x.floor()),
  f8('round', rint),
  num1('round', T.numeric, (x) => x.round(0)),
  fn('round', ['numeric', 'int4'], T.numeric, (a) => (a[0] as Decimal).round(a[1] as number)),
  f8('trunc', Math.trunc),
  num1('trunc', T.numeric, (x) => x.trunc(0)),
  fn('trunc', ['numeric', 'int4'], T.numeric, (a) => (a[0] as Decimal).trunc(a[1] as number)),
  f8('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  num1('sign', T.numeric, (x) => x.signDecimal()),

  f8('sqrt', dsqrt),
  num1('sqrt', T.numeric, (x) => Decimal.sqrt(x)),
  f8('cbrt', Math.cbrt),
  ...aliases(
    [
      fn('power', ['float8', 'float8'], T.float8, (a) => dpow(a[0] as number, a[1] as number)),
      num2('power', (x, y) => Decimal.pow(x, y)),
    ],
    ['power', 'pow'],
  ),
  f8('exp', dexp),
  num1('exp', T.numeric, (x) => Decimal.exp(x)),
  f8('ln', (x) => dlog(x, Math.log)),
  num1('ln', T.numeric, (x) => Decimal.ln(x)),
  ...aliases([f8('log', (x) => dlog(x, Math.log10)), num1('log', T.numeric, (x) => Decimal.log(TEN, x))], ['log', 'log10']),
  num2('log', (b, x) => Decimal.log(b, x)),

  fn('mod', ['int2', 'int2'], T.int2, (a) => modInt(a[0] as number, a[1] as number)),
  fn('mod', ['int4', 'int4'], T.int4, (a) => modInt(a[0] as number, a[1] as number)),
  fn('mod', ['int8', 'int8'], T.int8, (a) => modInt8(a[0] as bigint, a[1] as bigint)),
  num2('mod', (x, y) => x.mod(y)),
  num2('div', (x, y) => x.divTrunc(y)),
  fn('gcd', ['int4', 'int4'], T.int4, (a) =>
    Number(gcdInt(BigInt(a[0] as number), BigInt(a[1] as number), BigInt(INT4_MIN), int4OutOfRange)),
  ),
  fn('gcd', ['int8', 'int8'], T.int8, (a) => gcdInt(a[0] as bigint, a[1] as bigint, INT8_MIN, int8OutOfRange)),
  num2('gcd', numericGcd),
  fn('lcm', ['int4', 'int4'], T.int4, (a) =>
    Number(lcmInt(BigInt(a[0] as number), BigInt(a[1] as number), BigInt(INT4_MIN), int4OutOfRange)),
  ),
  fn('lcm', ['int8', 'int8'], T.int8, (a) => lcmInt(a[0] as bigint, a[1] as bigint, INT8_MIN, int8OutOfRange)),
  num2('lcm', numericLcm),
  fn('factorial', ['int8'], T.numeric, (a) => factorial(a[0] as bigint)),

  fn('width_bucket', ['float8', 'float8', 'float8', 'int4'], T.int4, (a) =>
    floatWidthBucket(a[0] as number, a[1] as number, a[2] as number, a[3] as number),
  ),
  fn('width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], T.int4, (a) =>
    numericWidthBucket(a[0] as Decimal, a[1] as Decimal, a[2] as Decimal, a[3] as number),
  ),
  num1('trim_scale', T.numeric, (x) => x.trimScale()),
  num1('scale', T.int4, (x) => (x.isFinite() ? x.scale : null)),
  num1('min_scale', T.int4, (x) => (x.isFinite() ? x.minScale() : null)),

  fn('pi', [], T.float8, () => Math.PI),
  f8('degrees', (x) => floatDiv(x, RADIANS_PER_DEGREE)),
  f8('radians', (x) => floatMul(x, RADIANS_PER_DEGREE)),
  f8('sin', trig(Math.sin)),
  f8('cos', trig(Math.cos)),
  f8('tan', trig(Math.tan)),
  f8('cot', trig((x) => 1 / Math.tan(x))),
  f8('asin', inverseTrig(Math.asin)),
  f8('acos', inverseTrig(Math.acos)),
  f8('atan', (x) => Math.atan(x)),
  fn('atan2', ['float8', 'float8'], T.float8, (a) => Math.atan2(a[0] as number, a[1] as number)),
  f8('sinh', Math.sinh),
  f8('cosh', Math.cosh),
  f8('tanh', Math.tanh),
  f8('asinh', Math.asinh),
  f8('acosh', (x) => {
    if (x < 1) throw inputOutOfRange();
    return Math.acosh(x);
  }),
  f8('atanh', (x) => {
    if (x < -1 || x > 1) throw inputOutOfRange();
    return Math.atanh(x);
  }),
  fn('random', [], T.float8, () => Math.random(), { volatility: 'volatile' }),
];
