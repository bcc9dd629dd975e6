/**
 * Exact, retraction-safe running sums used by sum() and avg().
 *
 * Retraction safety means: after add(x, +1) ... add(x, -1) the state is exactly as if x had never
 * been added, so an incrementally maintained sum equals the sum recomputed from scratch, whatever
 * the epoch split. All three sums below are exact:
 *
 * - IntSum: integers in a double while |sum| <= 2^52 (the fast path), spilling into a bigint.
 *   BigIntSum (int8 inputs) is a plain bigint; IntervalSum is three IntSums, one per field.
 * - NumericSum: a bigint coefficient at the largest scale seen, plus a count of values per display
 *   scale so the result carries the scale PostgreSQL would show for the rows still present.
 * - FloatSum: Shewchuk's non-overlapping partials (Python's math.fsum). The result is the exact sum
 *   of the doubles rounded once, so it does not depend on arrival order. PostgreSQL adds naively in
 *   arrival order, so for long sums of inexact fractions the last bit can differ from PostgreSQL's
 *   (whose own result depends on the plan's row order); for sums that are exact in double
 *   (integers, halves...) both agree. A compensated (Kahan/Neumaier) sum was rejected: it is not
 *   exactly retraction-safe (adding then retracting 1e300 can leave a residue).
 */
import { Decimal, pow10 } from '../../sql/decimal.js';
import { Interval } from '../../sql/interval.js';

const SPILL = 2 ** 52;

/** Exact integer sum (inputs: integral numbers or bigints). */
export class IntSum {
  private small = 0;
  private big = 0n;

  add(v: number, w: number): void {
    const d = v * w;
    if (d <= SPILL && d >= -SPILL) {
      const s = this.small + d;
      if (s > SPILL || s < -SPILL) {
        this.big += BigInt(s);
        this.small = 0;
      } else this.small = s;
    } else this.big += BigInt(v) * BigInt(w);
  }

  addBig(v: bigint, w: number): void {
    this.big += w === 1 ? v : w === -1 ? -v : v * BigInt(w);
  }

  value(): bigint {
    return this.big + BigInt(this.small);
  }

  /** The sum as a number when it is a safe integer, else NaN (callers then use value()). */
  fastValue(): number {
    return this.big === 0n ? this.small : NaN;
  }

  save(): unknown {
    return this.value();
  }

  load(state: unknown): void {
    this.big = state as bigint;
    this.small = 0;
  }
}

/** Exact sum of bigints (int8 inputs). */
export class BigIntSum {
  private sum = 0n;

  add(v: bigint, w: number): void {
    this.sum += w === 1 ? v : v * BigInt(w);
  }

  value(): bigint {
    return this.sum;
  }

  save(): unknown {
    return this.sum;
  }

  load(state: unknown): void {
    this.sum = state as bigint;
  }
}

/** Exact component-wise interval sum (months, days, micros), as interval_pl. */
export class IntervalSum {
  private readonly months = new IntSum();
  private readonly days = new IntSum();
  private readonly micros = new IntSum();
  add(v: Interval, w: number): void {
    this.months.add(v.months, w);
    this.days.add(v.days, w);
    this.micros.add(v.micros, w);
  }
  /** The sum; 22008 "interval out of range" when a field overflows (as PostgreSQL). */
  value(): Interval {
    return Interval.ZERO.add(new Interval(Number(this.months.value()), Number(this.days.value()), Number(this.micros.value())));
  }
  save(): unknown {
    return [this.months.save(), this.days.save(), this.micros.save()];
  }
  load(state: unknown): void {
    const [m, d, us] = state as [unknown, unknown, unknown];
    this.months.load(m);
    this.days.load(d);
    this.micros.load(us);
  }
}

/** Exact sum of numeric values with PostgreSQL's special values and display scale. */
export class NumericSum {
  private coef = 0n;
  private scale = 0;
  /** Count of finite values per display scale (weighted). */
  private scales = new Map<number, number>();
  private maxScale = 0;
  private maxStale = false;
  private nan = 0;
  private pinf = 0;
  private ninf = 0;

  add(d: Decimal, w: number): void {
    if (!d.isFinite()) {
      if (d.isNaN()) this.nan += w;
      else if (d.sign() > 0) this.pinf += w;
      else this.ninf += w;
      return;
    }
    const s = d.scale;
    if (s > this.scale) {
      this.coef *= pow10(s - this.scale);
      this.scale = s;
    }
    let c = d.coefficient;
    if (s < this.scale) c *= pow10(this.scale - s);
    this.coef += w === 1 ? c : w === -1 ? -c : c * BigInt(w);
    const n = (this.scales.get(s) ?? 0) + w;
    if (n === 0) {
      this.scales.delete(s);
      if (s === this.maxScale) this.maxStale = true;
    } else {
      this.scales.set(s, n);
      if (n > 0 && s > this.maxScale) this.maxScale = s;
      else if (n < 0 && s === this.maxScale) this.maxStale = true;
    }
  }

  /** The sum, or null when no special and no finite values are present. */
  value(): Decimal {
    if (this.nan > 0 || (this.pinf > 0 && this.ninf > 0)) return Decimal.NaN;
    if (this.pinf > 0) return Decimal.POSITIVE_INFINITY;
    if (this.ninf > 0) return Decimal.NEGATIVE_INFINITY;
    if (this.maxStale) {
      let m = 0;
      for (const [s, n] of this.scales) if (n > 0 && s > m) m = s;
      this.maxScale = m;
      this.maxStale = false;
    }
    const rs = this.maxScale;
    if (rs >= this.scale) return Decimal.of(this.coef * pow10(rs - this.scale), rs);
    // Every remaining value has scale <= rs, so the division is exact.
    return Decimal.of(this.coef / pow10(this.scale - rs), rs);
  }

  save(): unknown {
    return [this.coef, this.scale, [...this.scales], this.nan, this.pinf, this.ninf];
  }

  load(state: unknown): void {
    const [coef, scale, scales, nan, pinf, ninf] = state as [bigint, number, [number, number][], number, number, number];
    this.coef = coef;
    this.scale = scale;
    this.scales = new Map(scales);
    this.maxStale = true;
    this.maxScale = 0;
    this.nan = nan;
    this.pinf = pinf;
    this.ninf = ninf;
  }
}

/** |x| at or above this goes to the scaled partials, so partial sums never overflow. */
const BIG = 2 ** 500;
const DOWN = 2 ** -600;
const UP = 2 ** 600;
const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/** Exact (correctly rounded once) float sum with retractions; see the module comment. */
export class FloatSum {
  private small: number[] = [];
  private big: number[] = [];
  private nan = 0;
  private pinf = 0;
  private ninf = 0;

  add(x: number, w: number): void {
    if (!Number.isFinite(x)) {
      if (x !== x) this.nan += w;
      else if (x > 0) this.pinf += w;
      else this.ninf += w;
      return;
    }
    if (x === 0 || w === 0) return;
    let parts = this.small;
    if (x >= BIG || x <= -BIG) {
      x *= DOWN; // exact: the result is far above the subnormal range
      parts = this.big;
    }
    if (w === 1) addPartial(parts, x);
    else if (w === -1) addPartial(parts, -x);
    else this.addWeighted(parts, x, w);
  }

  private addWeighted(parts: number[], x: number, w: number): void {
    const aw = w < 0 ? -w : w;
    if (aw <= 8) {
      const v = w < 0 ? -x : x;
      for (let i = 0; i < aw; i++) addPartial(parts, v);
      return;
    }
    if (aw < 67108864) {
      // x * w exactly as xh*w + xl*w: both halves have <= 26 significant bits, w has <= 26.
      const c = SPLITTER * x;
      const xh = c - (c - x);
      const xl = x - xh;
      addPartial(parts, xh * w);
      addPartial(parts, xl * w);
      return;
    }
    // Huge weight: w = hi * 2^26 + lo.
    const lo = w % 67108864;
    const hi = (w - lo) / 67108864;
    this.addWeighted(parts, x * 67108864, hi);
    if (lo !== 0) this.addWeighted(parts, x, lo);
  }

  value(): number {
    if (this.nan > 0 || (this.pinf > 0 && this.ninf > 0)) return NaN;
    if (this.pinf > 0) return Infinity;
    if (this.ninf > 0) return -Infinity;
    const s = roundPartials(this.small);
    if (this.big.length === 0) return s;
    return roundPartials(this.big) * UP + s;
  }

  save(): unknown {
    return [this.small.slice(), this.big.slice(), this.nan, this.pinf, this.ninf];
  }

  load(state: unknown): void {
    const [small, big, nan, pinf, ninf] = state as [number[], number[], number, number, number];
    this.small = small.slice();
    this.big = big.slice();
    this.nan = nan;
    this.pinf = pinf;
    this.ninf = ninf;
  }
}

/** Shewchuk's grow-expansion step: partials stay non-overlapping, in increasing magnitude. */
function addPartial(p: number[], x: number): void {
  let i = 0;
  const n = p.length;
  for (let j = 0; j < n; j++) {
    let y = p[j];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  p.length = i;
  if (x !== 0) p.push(x);
}

/** The partials' exact sum rounded to the nearest double (Python's fsum final step). */
function roundPartials(p: readonly number[]): number {
  let n = p.length;
  if (n === 0) return 0;
  let hi = p[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n];
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}
