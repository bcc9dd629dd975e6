/**
 * The accumulator shape shared by sum() and avg(): an exact running sum (exact-sums.ts) plus the
 * weighted count of non-NULL rows. NULL arguments are ignored; over no non-NULL rows the result is
 * NULL, otherwise finish(sum, count). The saved state is [count, sum.save()].
 *
 *   class SumNumeric extends CountedSum<Decimal, Decimal> { ... finish(s) { return s; } }
 *   class AvgNumeric extends CountedSum<Decimal, Decimal> { ... finish(s, n) { return s.div(...n); } }
 */
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';

/** An exact, retraction-safe running sum of T whose value is R (IntSum, NumericSum, ...). */
export interface ExactSum<T, R> {
  add(v: T, w: number): void;
  value(): R;
  save(): unknown;
  load(state: unknown): void;
}

export abstract class CountedSum<T, R> implements Accumulator {
  private n = 0;

  protected constructor(private readonly sum: ExactSum<T, R>) {}

  /** The aggregate's value for a sum over n > 0 rows. */
  protected abstract finish(sum: R, n: number): Value;

  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as T, weight);
  }

  result(): Value {
    return this.n > 0 ? this.finish(this.sum.value(), this.n) : null;
  }

  save(): unknown {
    return [this.n, this.sum.save()];
  }

  load(state: unknown): void {
    const [n, s] = state as [number, unknown];
    this.n = n;
    this.sum.load(s);
  }
}
