/**
 * Decimal: the runtime value of SQL `numeric`, with PostgreSQL 15 semantics.
 *
 * Immutable. A finite value is `coef / 10^scale` where `coef` is a bigint and `scale` >= 0 is the
 * display scale (PostgreSQL's dscale: 1.50 has coef 150, scale 2 and prints as "1.50").
 * Besides finite values there are NaN, +Infinity and -Infinity, ordered as in PostgreSQL:
 * -Infinity < finite < +Infinity < NaN, and NaN = NaN.
 *
 *   Decimal.fromString('1.50').add(Decimal.fromString('2')).toString()   // '3.50'
 *   Decimal.fromInt(1).div(Decimal.fromInt(3)).toString()                 // '0.33333333333333333333'
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import { numericExp, numericLn, numericLog, numericPower, numericSqrt } from './decimal-math.js';

const enum Kind {
  Finite = 0,
  NaN = 1,
  PosInf = 2,
  NegInf = 3,
}

/** PostgreSQL limits (numeric.c). */
export const NUMERIC_MIN_SIG_DIGITS = 16;
export const NUMERIC_MAX_DISPLAY_SCALE = 1000;
export const NUMERIC_MAX_RESULT_SCALE = NUMERIC_MAX_DISPLAY_SCALE * 2;
/** Digits before the decimal point a numeric can hold (NUMERIC_WEIGHT_MAX + 1) * DEC_DIGITS. */
const MAX_INTEGER_DIGITS = 131072;
const MAX_DSCALE = 16383;

const POW10: bigint[] = [1n];
/** 10^n as a bigint (cached for small n). */
export function pow10(n: number): bigint {
  if (n < 64) {
    while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
    return POW10[n];
  }
  return 10n ** BigInt(n);
}

/** Coefficients beyond this may break the digit limits; smaller ones cannot. */
const BIG_COEF = 10n ** 300n;

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** Number of decimal digits of |x| (0 has 1 digit). */
export function digitCount(x: bigint): number {
  if (x < 0n) x = -x;
  if (x < 10n) return 1;
  if (x < 10000000000000000n) {
    // Fast path for values that fit a double exactly enough for digit counting.
    let n = 1;
    let p = 10n;
    while (x >= p) {
      n++;
      p *= 10n;
    }
    return n;
  }
  const s = x.toString();
  return s.length;
}

/** Divides with rounding half away from zero (PostgreSQL's round_var behaviour). */
export function divRoundHalfAway(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  if (absBig(r) * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

export function overflow(msg = 'value overflows numeric format'): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, msg);
}

function invalidNumeric(s: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, `invalid input syntax for type numeric: "${s}"`);
}

export class Decimal {
  /** Unscaled value (0n for the special values). */
  private readonly c: bigint;
  private readonly s: number;
  private readonly k: Kind;

  private constructor(coef: bigint, scale: number, kind: Kind) {
    this.c = coef;
    this.s = scale;
    this.k = kind;
  }

  static readonly NaN = new Decimal(0n, 0, Kind.NaN);
  static readonly POSITIVE_INFINITY = new Decimal(0n, 0, Kind.PosInf);
  static readonly NEGATIVE_INFINITY = new Decimal(0n, 0, Kind.NegInf);
  static readonly ZERO = new Decimal(0n, 0, Kind.Finite);
  static readonly ONE = new Decimal(1n, 0, Kind.Finite);

  // ---------------------------------------------------------------- construction

  /** A finite decimal `coef / 10^scale`; checks PostgreSQL's storage limits. */
  static of(coef: bigint, scale = 0): Decimal {
    if (scale < 0) {
      coef *= pow10(-scale);
      scale = 0;
    }
    const d = new Decimal(coef, scale, Kind.Finite);
    d.checkLimits();
    return d;
  }

  static fromBigInt(b: bigint): Decimal {
    return new Decimal(b, 0, Kind.Finite);
  }

  static fromInt(n: number): Decimal {
    if (!Number.isInteger(n)) return Decimal.fromNumber(n);
    return new Decimal(BigInt(n), 0, Kind.Finite);
  }

  /**
   * float8 -> numeric as PostgreSQL does it: the value printed with `digits` significant digits
   * (DBL_DIG = 15 for float8, FLT_DIG = 6 for float4), then parsed.
   */
  static fromNumber(n: number, digits = 15): Decimal {
    if (Number.isNaN(n)) return Decimal.NaN;
    if (n === Infinity) return Decimal.POSITIVE_INFINITY;
    if (n === -Infinity) return Decimal.NEGATIVE_INFINITY;
    if (Number.isInteger(n) && Math.abs(n) < 1e15) return new Decimal(BigInt(n), 0, Kind.Finite);
    return Decimal.fromString(formatG(n, digits));
  }

  /** numeric_in: PostgreSQL text input. */
  static fromString(str: string): Decimal {
    const r = Decimal.tryParse(str);
    if (r === null) throw invalidNumeric(str);
    return r;
  }

  /** Like fromString but returns null on a syntax error (range errors still throw). */
  static tryParse(str: string): Decimal | null {
    let i = 0;
    const n = str.length;
    while (i < n && isSpace(str.charCodeAt(i))) i++;
    let end = n;
    while (end > i && isSpace(str.charCodeAt(end - 1))) end--;
    if (i >= end) return null;
    let neg = false;
    let ch = str.charCodeAt(i);
    if (ch === 43 /* + */ || ch === 45 /* - */) {
      neg = ch === 45;
      i++;
    }
    if (i >= end) return null;
    ch = str.charCodeAt(i);
    if (!((ch >= 48 && ch <= 57) || ch === 46)) {
      const word = str.slice(i, end).toLowerCase();
      if (word === 'nan') {
        // PostgreSQL accepts only an unsigned NaN.
        return i === skipSpaces(str) ? Decimal.NaN : null;
      }
      if (word === 'infinity' || word === 'inf') return neg ? Decimal.NEGATIVE_INFINITY : Decimal.POSITIVE_INFINITY;
      return null;
    }
    let digits = '';
    let sawDigit = false;
    let sawPoint = false;
    let fracDigits = 0;
    for (; i < end; i++) {
      ch = str.charCodeAt(i);
      if (ch >= 48 && ch <= 57) {
        sawDigit = true;
        digits += str[i];
        if (sawPoint) fracDigits++;
      } else if (ch === 46) {
        if (sawPoint) return null;
        sawPoint = true;
      } else break;
    }
    if (!sawDigit) return null;
    let exponent = 0;
    if (i < end) {
      ch = str.charCodeAt(i);
      if (ch !== 101 && ch !== 69) return null;
      i++;
      let eneg = false;
      if (i < end && (str[i] === '+' || str[i] === '-')) {
        eneg = str[i] === '-';
        i++;
      }
      const start = i;
      let e = 0;
      while (i < end && str.charCodeAt(i) >= 48 && str.charCodeAt(i) <= 57) {
        if (e < 1e10) e = e * 10 + (str.charCodeAt(i) - 48);
        i++;
      }
      if (i === start || i !== end) return null;
      if (e >= 1073741823) throw overflow();
      exponent = eneg ? -e : e;
    }
    let scale = fracDigits - exponent;
    let coef = BigInt(digits);
    if (scale < 0) {
      if (coef === 0n) scale = 0;
      else {
        if (digits.length + -scale > MAX_INTEGER_DIGITS + 10) throw overflow();
        coef *= pow10(-scale);
        scale = 0;
      }
    }
    if (neg) coef = -coef;
    const d = new Decimal(coef, scale, Kind.Finite);
    d.checkLimits();
    return d;
  }

  // ---------------------------------------------------------------- inspection

  /** Display scale (digits after the decimal point); 0 for the special values. */
  get scale(): number {
    return this.s;
  }

  /** The unscaled integer (value = coefficient / 10^scale); 0n for special values. */
  get coefficient(): bigint {
    return this.c;
  }

  isNaN(): boolean {
    return this.k === Kind.NaN;
  }
  isFinite(): boolean {
    return this.k === Kind.Finite;
  }
  isInfinite(): boolean {
    return this.k === Kind.PosInf || this.k === Kind.NegInf;
  }
  isZero(): boolean {
    return this.k === Kind.Finite && this.c === 0n;
  }
  /** -1, 0 or 1; NaN for NaN (as PostgreSQL's sign(numeric)). */
  sign(): number {
    switch (this.k) {
      case Kind.NaN: return NaN;
      case Kind.PosInf: return 1;
      case Kind.NegInf: return -1;
      default: return this.c > 0n ? 1 : this.c < 0n ? -1 : 0;
    }
  }
  /** sign() as a Decimal, as PostgreSQL's sign(numeric) returns. */
  signDecimal(): Decimal {
    if (this.k === Kind.NaN) return Decimal.NaN;
    const s = this.sign();
    return s === 0 ? Decimal.ZERO : s > 0 ? Decimal.ONE : Decimal.fromInt(-1);
  }

  private checkLimits(): void {
    if (this.s > MAX_DSCALE) throw overflow();
    if (this.c !== 0n && digitCount(this.c) - this.s > MAX_INTEGER_DIGITS) throw overflow();
  }

  /** Coefficient rescaled to `scale` (must be >= this.s). */
  private coefAt(scale: number): bigint {
    return scale === this.s ? this.c : this.c * pow10(scale - this.s);
  }

  // ---------------------------------------------------------------- comparison

  /** PostgreSQL ordering: -Infinity < finite < +Infinity < NaN; NaN equals NaN. */
  cmp(o: Decimal): -1 | 0 | 1 {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      const ra = rank(this.k);
      const rb = rank(o.k);
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    }
    let a = this.c;
    let b = o.c;
    if (this.s !== o.s) {
      if (this.s < o.s) a *= pow10(o.s - this.s);
      else b *= pow10(this.s - o.s);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(o: Decimal): boolean {
    return this.cmp(o) === 0;
  }

  // ---------------------------------------------------------------- arithmetic

  add(o: Decimal): Decimal {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      if (this.k === Kind.NaN || o.k === Kind.NaN) return Decimal.NaN;
      if (this.k === Kind.Finite) return o;
      if (o.k === Kind.Finite) return this;
      return this.k === o.k ? this : Decimal.NaN;
    }
    if (this.s === o.s) return Decimal.checked(this.c + o.c, this.s);
    const s = this.s > o.s ? this.s : o.s;
    return Decimal.checked(this.coefAt(s) + o.coefAt(s), s);
  }

  sub(o: Decimal): Decimal {
    return this.add(o.neg());
  }

  mul(o: Decimal): Decimal {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      if (this.k === Kind.NaN || o.k === Kind.NaN) return Decimal.NaN;
      const sa = this.sign();
      const sb = o.sign();
      if (sa === 0 || sb === 0) return Decimal.NaN;
      return sa * sb > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
    }
    let s = this.s + o.s;
    let c = this.c * o.c;
    // PostgreSQL caps the product's scale at NUMERIC_MAX_DISPLAY_SCALE... only via dscale limits;
    // mul_var is exact, so keep it exact and let checkLimits complain.
    if (s > MAX_DSCALE) {
      c = divRoundHalfAway(c, pow10(s - MAX_DSCALE));
      s = MAX_DSCALE;
    }
    return Decimal.checked(c, s);
  }

  /** numeric_div: result scale from PostgreSQL's select_div_scale; division by zero -> 22012. */
  div(o: Decimal): Decimal {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      if (this.k === Kind.NaN || o.k === Kind.NaN) return Decimal.NaN;
      if (this.k !== Kind.Finite) {
        if (o.k !== Kind.Finite) return Decimal.NaN;
        const sb = o.sign();
        if (sb === 0) throw divisionByZero();
        return (this.k === Kind.PosInf) === sb > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
      }
      return Decimal.ZERO;
    }
    if (o.c === 0n) throw divisionByZero();
    return this.divScaled(o, selectDivScale(this, o));
  }

  /** Division rounded (half away from zero) to `rscale` digits; no special values. */
  private divScaled(o: Decimal, rscale: number): Decimal {
    // q = this / o * 10^rscale = (this.c * 10^(rscale - this.s + o.s)) / o.c
    const shift = rscale - this.s + o.s;
    let num = this.c;
    let den = o.c;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return Decimal.checked(divRoundHalfAway(num, den), rscale);
  }

  /** Division truncated to an integer (PostgreSQL's div(numeric, numeric)). */
  divTrunc(o: Decimal): Decimal {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      if (this.k === Kind.NaN || o.k === Kind.NaN) return Decimal.NaN;
      if (this.k !== Kind.Finite) {
        if (o.k !== Kind.Finite) return Decimal.NaN;
        const sb = o.sign();
        if (sb === 0) throw divisionByZero();
        return (this.k === Kind.PosInf) === sb > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
      }
      return Decimal.ZERO;
    }
    if (o.c === 0n) throw divisionByZero();
    const s = this.s > o.s ? this.s : o.s;
    return new Decimal(this.coefAt(s) / o.coefAt(s), 0, Kind.Finite);
  }

  /** numeric_mod: sign follows the dividend; scale is max of the inputs' scales. */
  mod(o: Decimal): Decimal {
    if (this.k !== Kind.Finite || o.k !== Kind.Finite) {
      if (this.k === Kind.NaN || o.k === Kind.NaN) return Decimal.NaN;
      if (this.k !== Kind.Finite) {
        if (o.isZero()) throw divisionByZero();
        return Decimal.NaN;
      }
      return this;
    }
    if (o.c === 0n) throw divisionByZero();
    const s = this.s > o.s ? this.s : o.s;
    return new Decimal(this.coefAt(s) % o.coefAt(s), s, Kind.Finite);
  }

  neg(): Decimal {
    switch (this.k) {
      case Kind.Finite: return this.c === 0n ? this : new Decimal(-this.c, this.s, Kind.Finite);
      case Kind.PosInf: return Decimal.NEGATIVE_INFINITY;
      case Kind.NegInf: return Decimal.POSITIVE_INFINITY;
      default: return this;
    }
  }

  abs(): Decimal {
    if (this.k === Kind.NegInf) return Decimal.POSITIVE_INFINITY;
    if (this.k === Kind.Finite && this.c < 0n) return new Decimal(-this.c, this.s, Kind.Finite);
    return this;
  }

  private static checked(c: bigint, s: number): Decimal {
    const d = new Decimal(c, s, Kind.Finite);
    // Cheap check first: most values are far from the limits.
    if (s > MAX_DSCALE || c > BIG_COEF || c < -BIG_COEF) d.checkLimits();
    return d;
  }

  // ---------------------------------------------------------------- rounding

  /** round(numeric, scale): half away from zero; a negative scale rounds left of the point. */
  round(scale = 0): Decimal {
    if (this.k !== Kind.Finite) return this;
    scale = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, scale));
    if (scale >= this.s) return scale === this.s ? this : new Decimal(this.coefAt(scale), scale, Kind.Finite);
    const c = divRoundHalfAway(this.c, pow10(this.s - scale));
    return scale >= 0 ? Decimal.checked(c, scale) : Decimal.checked(c * pow10(-scale), 0);
  }

  /** trunc(numeric, scale): toward zero. */
  trunc(scale = 0): Decimal {
    if (this.k !== Kind.Finite) return this;
    scale = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, scale));
    if (scale >= this.s) return scale === this.s ? this : new Decimal(this.coefAt(scale), scale, Kind.Finite);
    const c = this.c / pow10(this.s - scale);
    return scale >= 0 ? new Decimal(c, scale, Kind.Finite) : new Decimal(c * pow10(-scale), 0, Kind.Finite);
  }

  /** ceil(numeric): scale 0. */
  ceil(): Decimal {
    if (this.k !== Kind.Finite) return this;
    if (this.s === 0) return this;
    const p = pow10(this.s);
    let q = this.c / p;
    if (this.c > 0n && q * p !== this.c) q += 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  /** floor(numeric): scale 0. */
  floor(): Decimal {
    if (this.k !== Kind.Finite) return this;
    if (this.s === 0) return this;
    const p = pow10(this.s);
    let q = this.c / p;
    if (this.c < 0n && q * p !== this.c) q -= 1n;
    return new Decimal(q, 0, Kind.Finite);
  }

  /** Removes trailing fractional zeros (PostgreSQL's trim_scale). */
  trimScale(): Decimal {
    if (this.k !== Kind.Finite || this.s === 0) return this;
    let c = this.c;
    let s = this.s;
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s--;
    }
    return new Decimal(c, s, Kind.Finite);
  }

  /** PostgreSQL's min_scale(): the smallest scale that represents the value exactly. */
  minScale(): number {
    return this.trimScale().s;
  }

  /**
   * apply_typmod for numeric(precision, scale): rounds to `scale` and checks that the value fits,
   * else 22003 "numeric field overflow" with PostgreSQL's detail.
   */
  applyTypmod(precision: number, scale: number): Decimal {
    if (this.k !== Kind.Finite) {
      if (this.k === Kind.NaN) return this;
      throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const r = this.round(scale);
    const maxdigits = precision - scale;
    if (r.c !== 0n) {
      // Digits left of the decimal point of |r| (negative when |r| < 0.1 etc.).
      const intDigits = digitCount(r.c) - r.s;
      if (intDigits > maxdigits) {
        throw new SqlError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
          detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxdigits ? '10^' : ''}${maxdigits ? maxdigits : 1}.`,
        });
      }
    }
    return r;
  }

  /** applyTypmod with a packed typmod (p * 65536 + s, see types.ts); -1 = no typmod. */
  applyPackedTypmod(typmod: number): Decimal {
    if (typmod < 0) return this;
    return this.applyTypmod(numericTypmodPrecision(typmod), numericTypmodScale(typmod));
  }

  // ---------------------------------------------------------------- conversion

  /** numeric_out. */
  toString(): string {
    switch (this.k) {
      case Kind.NaN: return 'NaN';
      case Kind.PosInf: return 'Infinity';
      case Kind.NegInf: return '-Infinity';
    }
    if (this.s === 0) return this.c.toString();
    const neg = this.c < 0n;
    let digits = (neg ? -this.c : this.c).toString();
    if (digits.length <= this.s) digits = '0'.repeat(this.s - digits.length + 1) + digits;
    const p = digits.length - this.s;
    return (neg ? '-' : '') + digits.slice(0, p) + '.' + digits.slice(p);
  }

  /** Exponential notation with `digits` fractional digits, as to_char's EEEE uses (not PG output). */
  toJSON(): string {
    return this.toString();
  }

  /** numeric_float8: via the text form, so rounding is correct; out of range -> 22003. */
  toNumber(): number {
    switch (this.k) {
      case Kind.NaN: return NaN;
      case Kind.PosInf: return Infinity;
      case Kind.NegInf: return -Infinity;
    }
    if (this.s === 0 && this.c >= -9007199254740991n && this.c <= 9007199254740991n) return Number(this.c);
    const text = this.toString();
    const n = Number(text);
    if (!Number.isFinite(n)) {
      throw new SqlError(SqlState.NumericValueOutOfRange, `"${text}" is out of range for type double precision`);
    }
    return n;
  }

  /** numeric -> float4 (rounds to float32); out of range -> 22003. */
  toFloat4(): number {
    const n = this.toNumber();
    const f = Math.fround(n);
    if (Number.isFinite(n) && !Number.isFinite(f)) {
      throw new SqlError(SqlState.NumericValueOutOfRange, `"${this.toString()}" is out of range for type real`);
    }
    return f;
  }

  /** numeric -> int8: rounds half away from zero; out of range -> 22003 'bigint out of range'. */
  toBigInt(): bigint {
    return this.toIntegral('bigint', INT8_MIN, INT8_MAX, 'bigint out of range');
  }

  /** numeric -> int4. */
  toInt4(): number {
    return Number(this.toIntegral('integer', -2147483648n, 2147483647n, 'integer out of range'));
  }

  /** numeric -> int2. */
  toInt2(): number {
    return Number(this.toIntegral('smallint', -32768n, 32767n, 'smallint out of range'));
  }

  private toIntegral(typeName: string, min: bigint, max: bigint, msg: string): bigint {
    if (this.k === Kind.NaN) {
      throw new SqlError(SqlState.FeatureNotSupported, `cannot convert NaN to ${typeName}`);
    }
    if (this.k !== Kind.Finite) {
      throw new SqlError(SqlState.FeatureNotSupported, `cannot convert infinity to ${typeName}`);
    }
    const v = this.s === 0 ? this.c : divRoundHalfAway(this.c, pow10(this.s));
    if (v < min || v > max) throw new SqlError(SqlState.NumericValueOutOfRange, msg);
    return v;
  }

  // ---------------------------------------------------------------- transcendental functions
  // Implemented in decimal-math.ts (PostgreSQL's sqrt_var, ln_var, log_var, exp_var, power_var).

  /** sqrt(numeric) with PostgreSQL's result scale; negative -> 2201F. */
  static sqrt(x: Decimal): Decimal {
    return numericSqrt(x);
  }

  /** ln(numeric) with PostgreSQL's result scale; 0 or negative -> 2201E. */
  static ln(x: Decimal): Decimal {
    return numericLn(x);
  }

  /** log(base, x) as PostgreSQL's log(numeric, numeric); log(x) is log(10, x). */
  static log(base: Decimal, x: Decimal): Decimal {
    return numericLog(base, x);
  }

  /** exp(numeric) with PostgreSQL's result scale. */
  static exp(x: Decimal): Decimal {
    return numericExp(x);
  }

  /** power(numeric, numeric) and the ^ operator, as PostgreSQL 15's numeric_power. */
  static pow(base: Decimal, exp: Decimal): Decimal {
    return numericPower(base, exp);
  }
}

/** C's printf("%.*g", digits, n) for finite n (trailing zeros removed). */
export function formatG(n: number, digits: number): string {
  let s = n.toPrecision(digits);
  const e = s.indexOf('e');
  let mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? '' : s.slice(e);
  if (mant.includes('.')) {
    mant = mant.replace(/0+$/, '');
    if (mant.endsWith('.')) mant = mant.slice(0, -1);
  }
  s = mant + exp;
  return s;
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

function skipSpaces(s: string): number {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

function rank(k: Kind): number {
  switch (k) {
    case Kind.NegInf: return 0;
    case Kind.Finite: return 1;
    case Kind.PosInf: return 2;
    default: return 3;
  }
}

export function divisionByZero(): SqlError {
  return new SqlError(SqlState.DivisionByZero, 'division by zero');
}

/** Packed numeric typmod (p * 65536 + s, s may be negative in PG 15) -> precision. */
export function numericTypmodPrecision(typmod: number): number {
  const low = ((typmod % 65536) + 65536) % 65536;
  const p = Math.floor(typmod / 65536);
  return low > 32767 ? p + 1 : p;
}

/** Packed numeric typmod -> scale. */
export function numericTypmodScale(typmod: number): number {
  const low = ((typmod % 65536) + 65536) % 65536;
  return low > 32767 ? low - 65536 : low;
}

/**
 * Weight of the most significant base-10000 digit of |x| (x finite, non-zero), as in
 * PostgreSQL's NumericVar: |x| = sum digits[i] * 10000^(weight - i).
 */
export function nbaseWeight(x: Decimal): number {
  const p = digitCount(x.coefficient) - 1 - x.scale; // decimal exponent of the leading digit
  return Math.floor(p / 4);
}

/** The first `n` base-10000 digits of |x| starting at its weight, plus whether more non-zero follow. */
export function nbaseLeading(x: Decimal, n: number): { weight: number; digits: number[]; more: boolean } {
  const weight = nbaseWeight(x);
  const c = absBig(x.coefficient);
  // |x| / 10000^(weight - n + 1) = c * 10^(4(n - 1 - weight) - s)
  const e = 4 * (n - 1 - weight) - x.scale;
  let top: bigint;
  let more: boolean;
  if (e >= 0) {
    top = c * pow10(e);
    more = false;
  } else {
    const p = pow10(-e);
    top = c / p;
    more = top * p !== c;
  }
  const digits: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    digits[i] = Number(top % 10000n);
    top /= 10000n;
  }
  // "more" should also consider whether trailing groups among the first n are zero; callers only
  // need to know if ndigits > 1.
  return { weight, digits, more };
}

/** PostgreSQL's select_div_scale. */
function selectDivScale(a: Decimal, b: Decimal): number {
  let weight1 = 0;
  let first1 = 0;
  if (!a.isZero()) {
    const l = nbaseLeading(a, 1);
    weight1 = l.weight;
    first1 = l.digits[0];
  }
  let weight2 = 0;
  let first2 = 0;
  if (!b.isZero()) {
    const l = nbaseLeading(b, 1);
    weight2 = l.weight;
    first2 = l.digits[0];
  }
  let qweight = weight1 - weight2;
  if (first1 <= first2) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

