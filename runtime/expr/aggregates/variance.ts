/**
 * var_pop, var_samp (variance), stddev_pop, stddev_samp (stddev), retractable:
 *
 *   over int2|int4|int8|numeric -> numeric: exact running sums of x and x², then PostgreSQL's
 *     numeric_stddev_internal: (N·Σx² − (Σx)²) / (N·(N−1)) (or N·N for the population forms)
 *     with numeric_div's result scale, the square root at that scale; a numerator <= 0 gives 0;
 *     NaN or an infinity among the inputs gives NaN
 *   over float4|float8 -> float8: the live values are kept (a multiset) and the result is
 *     computed from the distances d to one live value (exact sums of d and d²), so no retraction
 *     or distance from zero costs precision (N·Σx² − (Σx)² would cancel catastrophically for
 *     1e15 + small); overflow is 22003 as in PostgreSQL
 *
 * The sample forms are NULL over fewer than two rows, all forms NULL over none.
 *
 *   var_samp(1, 2, 3) = 1.00000000000000000000   stddev_pop(float 1, 3) = 1
 */
import { Decimal } from '../../sql/decimal.js';
import { isqrt } from '../../sql/decimal-math.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';
import { FloatSum, NumericSum } from './exact-sums.js';

export interface VarianceKind {
  /** Population (divide by N·N) rather than sample (N·(N−1)). */
  population: boolean;
  /** Standard deviation (square root of the variance). */
  root: boolean;
}

function toDecimal(v: Value): Decimal {
  if (v instanceof Decimal) return v;
  return typeof v === 'bigint' ? Decimal.fromBigInt(v) : Decimal.fromInt(v as number);
}

/** sqrt(v) rounded to `scale` digits in one step (PostgreSQL's sqrt_var at the variance's scale). */
export function sqrtAtScale(v: Decimal, scale: number): Decimal {
  // sqrt(v) * 10^scale = sqrt(coef * 10^(2 * scale - v.scale)), rounded half up.
  const n = v.coefficient * 10n ** BigInt(2 * scale - v.scale);
  const r = isqrt(n);
  return Decimal.of(n - r * r > r ? r + 1n : r, scale);
}

export class NumericVariance implements Accumulator {
  private n = 0;
  private readonly sx = new NumericSum();
  private readonly sxx = new NumericSum();

  constructor(private readonly kind: VarianceKind) {}

  add(args: readonly Value[], weight: number): void {
    if (args[0] === null) return;
    const d = toDecimal(args[0]);
    this.n += weight;
    this.sx.add(d, weight);
    this.sxx.add(d.isFinite() ? d.mul(d) : d, weight);
  }

  result(): Value {
    const n = this.n;
    if (n <= 0 || (!this.kind.population && n <= 1)) return null;
    const sumX = this.sx.value();
    const sumX2 = this.sxx.value();
    if (!sumX.isFinite() || !sumX2.isFinite()) return Decimal.NaN;
    const N = Decimal.fromInt(n);
    const numerator = N.mul(sumX2).sub(sumX.mul(sumX));
    if (numerator.sign() <= 0) return Decimal.ZERO;
    const variance = numerator.div(this.kind.population ? N.mul(N) : N.mul(Decimal.fromInt(n - 1)));
    return this.kind.root ? sqrtAtScale(variance, variance.scale) : variance;
  }

  save(): unknown {
    return [this.n, this.sx.save(), this.sxx.save()];
  }

  load(state: unknown): void {
    const [n, sx, sxx] = state as [number, unknown, unknown];
    this.n = n;
    this.sx.load(sx);
    this.sxx.load(sxx);
  }
}

export class FloatVariance implements Accumulator {
  /** The live values with their multiplicities (NaN and infinities included). */
  private values = new Map<number, number>();
  private n = 0;
  private cached: Value | undefined = undefined;

  constructor(private readonly kind: VarianceKind) {}

  add(args: readonly Value[], weight: number): void {
    const x = args[0] as number | null;
    if (x === null || weight === 0) return;
    // -0 and 0 are one value here (their squares and sums agree).
    const k = x === 0 ? 0 : x;
    const m = (this.values.get(k) ?? 0) + weight;
    if (m === 0) this.values.delete(k);
    else this.values.set(k, m);
    this.n += weight;
    this.cached = undefined;
  }

  result(): Value {
    if (this.cached !== undefined) return this.cached;
    return (this.cached = this.compute());
  }

  /** Over the live values (exact sums of the distances from one of them). */
  private compute(): Value {
    const n = this.n;
    if (n <= 0 || (!this.kind.population && n <= 1)) return null;
    const sum = new FloatSum();
    for (const [x, m] of this.values) sum.add(x, m);
    const total = sum.value();
    if (!Number.isFinite(total)) {
      if (Number.isNaN(total) || [...this.values.keys()].some((x) => !Number.isFinite(x))) return NaN;
      throw overflow();
    }
    // Distances from a live value K (exact when the values are close): Σd and Σd² exactly,
    // then Σ(x - mean)² = Σd² - (Σd)²/n without the cancellation of Σx² - (Σx)²/n.
    const k = this.values.keys().next().value as number;
    const sd = new FloatSum();
    const sq = new FloatSum();
    for (const [x, m] of this.values) {
      const d = x - k;
      sd.add(d, m);
      sq.add(d * d, m);
    }
    const sumD = sd.value();
    const sxx = Math.max(0, sq.value() - (sumD * sumD) / n);
    if (!Number.isFinite(sxx)) throw overflow();
    const variance = sxx / (this.kind.population ? n : n - 1);
    return this.kind.root ? Math.sqrt(variance) : variance;
  }

  save(): unknown {
    return [this.n, [...this.values]];
  }

  load(state: unknown): void {
    const [n, values] = state as [number, [number, number][]];
    this.n = n;
    this.values = new Map(values);
    this.cached = undefined;
  }
}

function overflow(): SqlError {
  return new SqlError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
}
