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
import { CountedSum } from './counted-sum.js';
import { BigIntSum, FloatSum, IntervalSum, IntSum, NumericSum } from './exact-sums.js';

/** An integer sum over n rows divided as numeric. */
function bigIntAvg(s: bigint, n: number): Decimal {
  return Decimal.fromBigInt(s).div(Decimal.fromInt(n));
}

/** avg(int2|int4) -> numeric. */
export class AvgInt extends CountedSum<number, bigint> {
  constructor() {
    super(new IntSum());
  }
  protected override finish(s: bigint, n: number): Value {
    return bigIntAvg(s, n);
  }
}

/** avg(int8) -> numeric. */
export class AvgInt8 extends CountedSum<bigint, bigint> {
  constructor() {
    super(new BigIntSum());
  }
  protected override finish(s: bigint, n: number): Value {
    return bigIntAvg(s, n);
  }
}

/** avg(numeric) -> numeric. */
export class AvgNumeric extends CountedSum<Decimal, Decimal> {
  constructor() {
    super(new NumericSum());
  }
  protected override finish(s: Decimal, n: number): Value {
    return s.div(Decimal.fromInt(n));
  }
}

/** avg(float4|float8) -> float8. */
export class AvgFloat extends CountedSum<number, number> {
  constructor() {
    super(new FloatSum());
  }
  protected override finish(s: number, n: number): Value {
    return s / n;
  }
}

/** avg(interval) -> interval. */
export class AvgInterval extends CountedSum<Interval, Interval> {
  constructor() {
    super(new IntervalSum());
  }
  protected override finish(s: Interval, n: number): Value {
    return s.divNumber(n);
  }
}
