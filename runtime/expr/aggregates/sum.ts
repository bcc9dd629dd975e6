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
import type { Interval } from '../../sql/interval.js';
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';
import { CountedSum } from './counted-sum.js';
import { BigIntSum, FloatSum, IntervalSum, NumericSum } from './exact-sums.js';

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
export class SumInt8 extends CountedSum<bigint, bigint> {
  constructor() {
    super(new BigIntSum());
  }
  protected override finish(s: bigint): Value {
    return Decimal.fromBigInt(s);
  }
}

/** sum(numeric) -> numeric (display scale = largest scale among the rows present). */
export class SumNumeric extends CountedSum<Decimal, Decimal> {
  constructor() {
    super(new NumericSum());
  }
  protected override finish(s: Decimal): Value {
    return s;
  }
}

/** sum(float4) -> float4 and sum(float8) -> float8. */
export class SumFloat extends CountedSum<number, number> {
  constructor(private readonly float4: boolean) {
    super(new FloatSum());
  }
  protected override finish(s: number): Value {
    return this.float4 ? Math.fround(s) : s;
  }
}

/** sum(interval) -> interval. */
export class SumInterval extends CountedSum<Interval, Interval> {
  constructor() {
    super(new IntervalSum());
  }
  protected override finish(s: Interval): Value {
    return s;
  }
}
