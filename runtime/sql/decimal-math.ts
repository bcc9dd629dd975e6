/**
 * Transcendental numeric functions with PostgreSQL 15's result scales and special cases:
 * sqrt, ln, log, exp and power (numeric_power / power_var / power_var_int).
 *
 * Fixed-point bigint arithmetic with guard digits; results are rounded half away from zero at the
 * scale PostgreSQL selects, so they print like PostgreSQL's:
 *   numericSqrt(2.0) -> 1.414213562373095      numericLn(2.0) -> 0.6931471805599453
 *   numericPower(2.0, 3) -> 8.0000000000000000
 *
 * Note: decimal.ts imports this module and vice versa; nothing here touches Decimal at load time.
 */
import { SqlError } from './errors.js';
import { SqlState } from './sqlstate.js';
import {
  Decimal,
  NUMERIC_MAX_DISPLAY_SCALE,
  NUMERIC_MAX_RESULT_SCALE,
  NUMERIC_MIN_SIG_DIGITS,
  digitCount,
  divRoundHalfAway,
  divisionByZero,
  nbaseLeading,
  nbaseWeight,
  overflow,
  pow10,
} from './decimal.js';

function clampScale(s: number): number {
  return Math.max(0, Math.min(NUMERIC_MAX_DISPLAY_SCALE, s));
}

function negativeSqrt(): SqlError {
  return new SqlError(SqlState.InvalidArgumentForPowerFunction, 'cannot take square root of a negative number');
}

function logNegative(): SqlError {
  return new SqlError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
}

function logZero(): SqlError {
  return new SqlError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of zero');
}

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** PostgreSQL's estimate_ln_dweight (x finite and > 0). */
function estimateLnDweight(x: Decimal): number {
  if (x.sign() <= 0) return 0;
  // 0.9 <= x <= 1.1: ln(x) ~ x - 1
  const c = x.coefficient;
  const s = x.scale;
  const p = pow10(s);
  if (c * 10n >= 9n * p && c * 10n <= 11n * p) {
    const d = c - p; // (x - 1) * 10^s
    if (d === 0n) return 0;
    return digitCount(d) - 1 - s;
  }
  const l = nbaseLeading(x, 2);
  let digits = l.digits[0];
  let dweight = l.weight * 4;
  if (l.digits[1] !== 0 || l.more) {
    digits = digits * 10000 + l.digits[1];
    dweight -= 4;
  }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

// ------------------------------------------------------------------------------ fixed point core

const lnCache = new Map<string, bigint>();

/** atanh(1/k) * 10^p for an integer k >= 2. */
function atanhInv(k: bigint, p: number): bigint {
  const k2 = k * k;
  let term = pow10(p) / k;
  let sum = term;
  for (let n = 1n; ; n++) {
    term /= k2;
    if (term === 0n) break;
    sum += term / (2n * n + 1n);
  }
  return sum;
}

function ln2Fixed(p: number): bigint {
  const key = `2:${p}`;
  let v = lnCache.get(key);
  if (v === undefined) {
    v = (2n * atanhInv(3n, p + 10)) / pow10(10); // ln 2 = 2 atanh(1/3)
    lnCache.set(key, v);
  }
  return v;
}

function ln10Fixed(p: number): bigint {
  const key = `10:${p}`;
  let v = lnCache.get(key);
  if (v === undefined) {
    const g = p + 10;
    // ln 10 = 3 ln 2 + ln(5/4) = 3 ln 2 + 2 atanh(1/9)
    v = (3n * ln2Fixed(g) + 2n * atanhInv(9n, g)) / pow10(10);
    lnCache.set(key, v);
  }
  return v;
}

/** ln(x) * 10^g for finite x > 0 (truncated, accurate to a few units in the last place). */
function lnScaled(x: Decimal, g: number): bigint {
  const e = digitCount(x.coefficient) - 1 - x.scale; // x = m * 10^e, 1 <= m < 10
  const sh = g - x.scale - e;
  let m = sh >= 0 ? x.coefficient * pow10(sh) : x.coefficient / pow10(-sh);
  const one = pow10(g);
  // Bring m into [0.75, 1.5) with powers of two.
  let k = 0;
  const hi = (one * 3n) / 2n;
  while (m > hi) {
    m /= 2n;
    k++;
  }
  // ln(m) = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.2
  const z = ((m - one) * one) / (m + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = z;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * z2) / one;
    sum += term / (2n * n + 1n);
  }
  return 2n * sum + BigInt(k) * ln2Fixed(g) + BigInt(e) * ln10Fixed(g);
}

/** ln(x) rounded to `rscale` digits (x finite, > 0). */
function lnVar(x: Decimal, rscale: number): Decimal {
  const guard = 12;
  const g = rscale + guard;
  return Decimal.of(divRoundHalfAway(lnScaled(x, g), pow10(guard)), rscale);
}

/** exp(x) rounded to `rscale` digits (x finite); overflow -> 22003. */
function expVar(x: Decimal, rscale: number): Decimal {
  const approx = x.toNumber();
  if (Math.abs(approx) >= NUMERIC_MAX_RESULT_SCALE * 3) {
    if (approx > 0) throw overflow();
    return Decimal.of(0n, rscale);
  }
  const intDigits = Math.max(0, Math.ceil(approx * 0.4342944819032518)) + 1;
  const g = rscale + intDigits + 12;
  const one = pow10(g);
  const sh = g - x.scale;
  let v = sh >= 0 ? x.coefficient * pow10(sh) : x.coefficient / pow10(-sh);
  const neg = v < 0n;
  if (neg) v = -v;
  // v = n ln2 + r with 0 <= r < ln2, then exp(r) by Taylor series on r / 256 and squaring.
  const ln2 = ln2Fixed(g);
  const n = v / ln2;
  const r = (v - n * ln2) / 256n;
  let term = one;
  let sum = one;
  for (let i = 1n; ; i++) {
    term = (term * r) / (one * i);
    if (term === 0n) break;
    sum += term;
  }
  for (let h = 0; h < 8; h++) sum = (sum * sum) / one;
  let res: bigint;
  if (neg) res = (one * one) / (sum << n);
  else res = sum << n;
  return Decimal.of(divRoundHalfAway(res, pow10(g - rscale)), rscale);
}

// ------------------------------------------------------------------------------ SQL functions

export function numericSqrt(x: Decimal): Decimal {
  if (!x.isFinite()) {
    if (x.isInfinite() && x.sign() < 0) throw negativeSqrt();
    return x;
  }
  if (x.sign() < 0) throw negativeSqrt();
  const w = x.isZero() ? 0 : nbaseWeight(x);
  const sweight = Math.trunc(((w + 1) * 4) / 2) - 1;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - sweight, x.scale));
  // floor(sqrt(x) * 10^(rscale + 1)), then round the extra digit
  const e = 2 * (rscale + 1) - x.scale;
  const n = e >= 0 ? x.coefficient * pow10(e) : x.coefficient / pow10(-e);
  return Decimal.of(divRoundHalfAway(isqrt(n), 10n), rscale);
}

export function numericLn(x: Decimal): Decimal {
  if (!x.isFinite()) {
    if (x.isInfinite() && x.sign() < 0) throw logNegative();
    return x;
  }
  if (x.isZero()) throw logZero();
  if (x.sign() < 0) throw logNegative();
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - estimateLnDweight(x), x.scale));
  return lnVar(x, rscale);
}

export function numericLog(base: Decimal, x: Decimal): Decimal {
  if (base.isNaN() || x.isNaN()) return Decimal.NaN;
  for (const v of [base, x]) {
    if (v.sign() < 0) throw logNegative();
    if (v.isZero()) throw logZero();
  }
  if (base.isInfinite()) return x.isInfinite() ? Decimal.NaN : Decimal.ZERO;
  if (x.isInfinite()) {
    const c = base.cmp(Decimal.ONE);
    if (c === 0) throw divisionByZero();
    return c > 0 ? Decimal.POSITIVE_INFINITY : Decimal.NEGATIVE_INFINITY;
  }
  // log_var
  const lnBaseW = estimateLnDweight(base);
  const lnNumW = estimateLnDweight(x);
  const resultW = lnNumW - lnBaseW;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - resultW, base.scale, x.scale));
  const lnBaseScale = Math.max(rscale + resultW - lnBaseW + 8, 0);
  const lnNumScale = Math.max(rscale + resultW - lnNumW + 8, 0);
  const lb = lnVar(base, lnBaseScale);
  const ln = lnVar(x, lnNumScale);
  if (lb.isZero()) throw divisionByZero();
  // div_var_fast(ln_num, ln_base, rscale, round)
  const shift = rscale - ln.scale + lb.scale;
  let num = ln.coefficient;
  let den = lb.coefficient;
  if (shift >= 0) num *= pow10(shift);
  else den *= pow10(-shift);
  return Decimal.of(divRoundHalfAway(num, den), rscale);
}

export function numericExp(x: Decimal): Decimal {
  if (!x.isFinite()) {
    if (x.isNaN()) return x;
    return x.sign() < 0 ? Decimal.ZERO : x;
  }
  let val = x.toNumber() * 0.434294481903252;
  val = Math.max(-NUMERIC_MAX_RESULT_SCALE, Math.min(NUMERIC_MAX_RESULT_SCALE, val));
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(val), x.scale));
  return expVar(x, rscale);
}

function powerNegativeNonInteger(): SqlError {
  return new SqlError(
    SqlState.InvalidArgumentForPowerFunction,
    'a negative number raised to a non-integer power yields a complex result',
  );
}

function zeroToNegative(): SqlError {
  return new SqlError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
}

function isInteger(d: Decimal): boolean {
  return d.isFinite() && d.trunc(0).eq(d);
}

/** numeric_power (PostgreSQL 15). */
export function numericPower(base: Decimal, exp: Decimal): Decimal {
  if (!base.isFinite() || !exp.isFinite()) {
    // NaN ^ 0 = 1, 1 ^ NaN = 1, other NaN cases NaN
    if (base.isNaN()) return exp.isZero() ? Decimal.ONE : Decimal.NaN;
    if (exp.isNaN()) return base.eq(Decimal.ONE) ? Decimal.ONE : Decimal.NaN;
    if (base.isZero() && exp.sign() < 0) throw zeroToNegative();
    if (exp.isInfinite()) {
      // base is finite or infinite; |base| compared to 1
      if (base.isFinite()) {
        if (base.eq(Decimal.ONE) || base.eq(Decimal.fromInt(-1))) return Decimal.ONE;
      }
      const absGt1 = base.isInfinite() || base.abs().cmp(Decimal.ONE) > 0;
      if (exp.sign() > 0) return absGt1 ? Decimal.POSITIVE_INFINITY : Decimal.ZERO;
      return absGt1 ? Decimal.ZERO : Decimal.POSITIVE_INFINITY;
    }
    // base = +/-Infinity, exp finite
    const es = exp.sign();
    if (es === 0) return Decimal.ONE;
    if (base.sign() > 0) return es > 0 ? Decimal.POSITIVE_INFINITY : Decimal.ZERO;
    if (!isInteger(exp)) {
      // -Inf ^ non-integer: PostgreSQL treats it like a negative base
      if (es > 0) return Decimal.POSITIVE_INFINITY;
      return Decimal.ZERO;
    }
    const odd = exp.mod(Decimal.fromInt(2)).abs().eq(Decimal.ONE);
    if (es > 0) return odd ? Decimal.NEGATIVE_INFINITY : Decimal.POSITIVE_INFINITY;
    return Decimal.ZERO;
  }
  if (base.isZero() && exp.sign() < 0) throw zeroToNegative();
  const expInt = isInteger(exp);
  if (base.sign() < 0 && !expInt) throw powerNegativeNonInteger();
  if (expInt) {
    const ev = exp.trunc(0).coefficient;
    if (ev >= -2147483648n && ev <= 2147483647n) {
      const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS, base.scale));
      return powerVarInt(base, Number(ev), rscale);
    }
  }
  return powerVar(base, exp);
}

/** power_var for a non-integer (or huge) exponent: exp(ln(base) * exp). */
function powerVar(base: Decimal, exp: Decimal): Decimal {
  if (base.isZero()) return Decimal.of(0n, NUMERIC_MIN_SIG_DIGITS);
  const lnDweight = estimateLnDweight(base);
  let localRscale = Math.max(8 - lnDweight, 0);
  const lnBase0 = lnVar(base, localRscale);
  const lnNum0 = lnBase0.mul(exp).round(localRscale);
  let val = lnNum0.toNumber();
  if (Math.abs(val) > NUMERIC_MAX_RESULT_SCALE * 3) {
    if (val > 0) throw overflow();
    return Decimal.of(0n, NUMERIC_MAX_DISPLAY_SCALE);
  }
  val *= 0.434294481903252;
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.trunc(val), base.scale, exp.scale));
  const sigDigits = Math.max(rscale + Math.trunc(val), 0);
  localRscale = Math.max(sigDigits - lnDweight + 8, 0);
  const lnBase = lnVar(base, localRscale);
  const lnNum = lnBase.mul(exp).round(localRscale);
  return expVar(lnNum, rscale);
}

/** power_var_int (PostgreSQL 15): repeated squaring at working scales chosen like PostgreSQL's. */
function powerVarInt(base: Decimal, exp: number, rscale: number): Decimal {
  switch (exp) {
    case 0:
      return Decimal.of(pow10(rscale), rscale);
    case 1:
      return base.round(rscale);
    case -1:
      return divRound(Decimal.ONE, base, rscale);
    case 2:
      return base.mul(base).round(rscale);
  }
  if (base.isZero()) {
    if (exp < 0) throw divisionByZero();
    return Decimal.of(0n, rscale);
  }
  // Estimate log10 of the result: base ~= f * 10^p using up to four NBASE digits.
  const l = nbaseLeading(base, 4);
  let f = l.digits[0];
  let p = l.weight * 4;
  for (let i = 1; i < 4; i++) {
    const moreDigits = l.digits.slice(i).some((d) => d !== 0) || l.more;
    if (!moreDigits) break;
    f = f * 10000 + l.digits[i];
    p -= 4;
  }
  const est = exp * (Math.log10(f) + p);
  if (est > 3 * 32767 * 4) throw overflow();
  if (est + 1 < -rscale || est + 1 < -NUMERIC_MAX_DISPLAY_SCALE) return Decimal.of(0n, rscale);
  let sigDigits = 1 + rscale + Math.trunc(est);
  sigDigits += Math.trunc(Math.log(Math.abs(exp))) + 8;
  const neg = exp < 0;
  let mask = Math.abs(exp);
  let baseProd = base;
  let result = mask & 1 ? base : Decimal.ONE;
  while ((mask = Math.floor(mask / 2)) > 0) {
    let localRscale = sigDigits - 2 * weightOf(baseProd) * 4;
    localRscale = Math.max(Math.min(localRscale, 2 * baseProd.scale), 0);
    baseProd = baseProd.mul(baseProd).round(localRscale);
    if (mask & 1) {
      localRscale = sigDigits - (weightOf(baseProd) + weightOf(result)) * 4;
      localRscale = Math.max(Math.min(localRscale, baseProd.scale + result.scale), 0);
      result = baseProd.mul(result).round(localRscale);
    }
    if (weightOf(baseProd) > 32767 || weightOf(result) > 32767) {
      if (!neg) throw overflow();
      return Decimal.of(0n, rscale);
    }
  }
  if (neg) return divRound(Decimal.ONE, result, rscale);
  return result.round(rscale);
}

/** NBASE weight of a value, 0 for zero (as a stripped NumericVar). */
function weightOf(x: Decimal): number {
  return x.isZero() ? 0 : nbaseWeight(x);
}

/** a / b rounded to exactly `rscale` digits. */
function divRound(a: Decimal, b: Decimal, rscale: number): Decimal {
  if (b.isZero()) throw divisionByZero();
  const shift = rscale - a.scale + b.scale;
  let num = a.coefficient;
  let den = b.coefficient;
  if (shift >= 0) num *= pow10(shift);
  else den *= pow10(-shift);
  return Decimal.of(divRoundHalfAway(num, den), rscale);
}
