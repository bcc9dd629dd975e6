/**
 * sum(x) with PostgreSQL's result types; the sum of no non-NULL rows is NULL.
 *
 *   sum(int2|int4) -> int8 (bigint)     sum(int8) -> numeric     sum(numeric) -> numeric
 *   sum(float4) -> float4               sum(float8) -> float8    sum(interval) -> interval
 *
 *   sum(int4) over +5 +7 -5 -> 7n;  over +5 -5 -> NULL
 *
 * All sums are exact and retraction-safe (exact-sums.ts explains the float choice).
 */
import { Decimal } from '../../sql/decimal.js';
import { Interval } from '../../sql/interval.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';
import { FloatSum, IntSum, NumericSum } from './exact-sums.js';

const SPILL = 2 ** 52;

/** sum(int2|int4) -> int8. IntSum's algorithm inlined: this is the hottest accumulator. */
export class SumInt implements Accumulator {
  private small = 0;
  private big = 0n;
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    const d = (v as number) * weight;
    if (d <= SPILL && d >= -SPILL) {
      const s = this.small + d;
      if (s > SPILL || s < -SPILL) {
        this.big += BigInt(s);
        this.small = 0;
      } else this.small = s;
    } else this.big += BigInt(v as number) * BigInt(weight);
  }
  result(): Value {
    if (this.n <= 0) return null;
    return this.big === 0n ? BigInt(this.small) : this.big + BigInt(this.small);
  }
  save(): unknown {
    return [this.n, this.big + BigInt(this.small)];
  }
  load(state: unknown): void {
    const [n, s] = state as [number, bigint];
    this.n = n;
    this.big = s;
    this.small = 0;
  }
}

/** sum(int8) -> numeric. */
export class SumInt8 implements Accumulator {
  private sum = 0n;
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum += weight === 1 ? (v as bigint) : (v as bigint) * BigInt(weight);
  }
  result(): Value {
    return this.n > 0 ? Decimal.fromBigInt(this.sum) : null;
  }
  save(): unknown {
    return [this.n, this.sum];
  }
  load(state: unknown): void {
    [this.n, this.sum] = state as [number, bigint];
  }
}

/** sum(numeric) -> numeric (display scale = largest scale among the rows present). */
export class SumNumeric implements Accumulator {
  private readonly sum = new NumericSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as Decimal, weight);
  }
  result(): Value {
    return this.n > 0 ? this.sum.value() : null;
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

/** sum(float4) -> float4 and sum(float8) -> float8. */
export class SumFloat implements Accumulator {
  private readonly sum = new FloatSum();
  private n = 0;
  constructor(private readonly float4: boolean) {}
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as number, weight);
  }
  result(): Value {
    if (this.n <= 0) return null;
    const s = this.sum.value();
    return this.float4 ? Math.fround(s) : s;
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

/** sum(interval) -> interval. */
export class SumInterval implements Accumulator {
  private readonly sum = new IntervalSum();
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n += weight;
    this.sum.add(v as Interval, weight);
  }
  result(): Value {
    return this.n > 0 ? this.sum.value() : null;
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
