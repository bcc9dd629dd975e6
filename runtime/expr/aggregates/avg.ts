/**
 * avg(x) with PostgreSQL's result types and scales; NULL over no non-NULL rows.
 *
 *   avg(int2|int4|int8) -> numeric   avg(numeric) -> numeric   (sum / count with numeric_div's
 *                                    result scale: avg(1, 2) = 1.5000000000000000)
 *   avg(float4|float8) -> float8     avg(interval) -> interval (interval_div by the count)
 *
 * O(1) per change: a running exact sum and a count.
 */
import { Decimal } from '../../sql/decimal.js';
import type { Interval } from '../../sql/interval.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';
import { FloatSum, IntSum, NumericSum } from './exact-sums.js';
import { IntervalSum } from './sum.js';

/** avg(int2|int4) -> numeric. */
export class AvgInt implements Accumulator {
  private readonly sum = new IntSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as number, weight);
  }
  result(): Value {
    return this.n > 0 ? Decimal.fromBigInt(this.sum.value()).div(Decimal.fromInt(this.n)) : null;
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

/** avg(int8) -> numeric. */
export class AvgInt8 implements Accumulator {
  private sum = 0n;
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum += weight === 1 ? (v as bigint) : (v as bigint) * BigInt(weight);
  }
  result(): Value {
    return this.n > 0 ? Decimal.fromBigInt(this.sum).div(Decimal.fromInt(this.n)) : null;
  }
  save(): unknown {
    return [this.n, this.sum];
  }
  load(state: unknown): void {
    [this.n, this.sum] = state as [number, bigint];
  }
}

/** avg(numeric) -> numeric. */
export class AvgNumeric implements Accumulator {
  private readonly sum = new NumericSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as Decimal, weight);
  }
  result(): Value {
    return this.n > 0 ? this.sum.value().div(Decimal.fromInt(this.n)) : null;
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

/** avg(float4|float8) -> float8. */
export class AvgFloat implements Accumulator {
  private readonly sum = new FloatSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as number, weight);
  }
  result(): Value {
    return this.n > 0 ? this.sum.value() / this.n : null;
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

/** avg(interval) -> interval. */
export class AvgInterval implements Accumulator {
  private readonly sum = new IntervalSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as Interval, weight);
  }
  result(): Value {
    return this.n > 0 ? this.sum.value().divNumber(this.n) : null;
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
