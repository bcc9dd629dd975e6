/**
 * var_pop, var_samp (variance), stddev_pop, stddev_samp (stddev), retractable:
 *
 *   over int2|int4|int8|numeric -> numeric: exact running sums of x and x², then PostgreSQL's
 *     numeric_stddev_internal: (N·Σx² − (Σx)²) / (N·(N−1)) (or N·N for the population forms)
 *     with numeric_div's result scale, the square root at that scale; a numerator <= 0 gives 0;
 *     NaN or an infinity among the inputs gives NaN
 *   over float4|float8 -> float8: the same formula over exact float sums (FloatSum) of x − K,
 *     K the first finite value seen (fixed for the accumulator's life, so retractions subtract
 *     what was added): the variance does not change under a shift, and shifting keeps
 *     N·Σx² − (Σx)² from cancelling catastrophically for values far from zero (1e10 + small)
 *
 * The sample forms are NULL over fewer than two rows, all forms NULL over none.
 *
 *   var_samp(1, 2, 3) = 1.00000000000000000000   stddev_pop(float 1, 3) = 1
 */
import { Decimal } from '../../sql/decimal.js';
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
    if (!this.kind.root) return variance;
    const root = Decimal.sqrt(variance);
    return root.scale > variance.scale ? root.round(variance.scale) : root;
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
  private n = 0;
  private shift: number | null = null;
  private readonly sx = new FloatSum();
  private readonly sxx = new FloatSum();

  constructor(private readonly kind: VarianceKind) {}

  add(args: readonly Value[], weight: number): void {
    const x = args[0] as number | null;
    if (x === null) return;
    if (this.shift === null && Number.isFinite(x)) this.shift = x;
    const d = Number.isFinite(x) ? x - this.shift! : x;
    this.n += weight;
    this.sx.add(d, weight);
    this.sxx.add(d * d, weight);
  }

  result(): Value {
    const n = this.n;
    if (n <= 0 || (!this.kind.population && n <= 1)) return null;
    const sumX = this.sx.value();
    const sumX2 = this.sxx.value();
    if (!Number.isFinite(sumX) || !Number.isFinite(sumX2)) return NaN;
    const numerator = n * sumX2 - sumX * sumX;
    const variance = numerator <= 0 ? 0 : numerator / (this.kind.population ? n * n : n * (n - 1));
    return this.kind.root ? Math.sqrt(variance) : variance;
  }

  save(): unknown {
    return [this.n, this.sx.save(), this.sxx.save(), this.shift];
  }

  load(state: unknown): void {
    const [n, sx, sxx, shift] = state as [number, unknown, unknown, number | null];
    this.n = n;
    this.sx.load(sx);
    this.sxx.load(sxx);
    this.shift = shift;
  }
}
