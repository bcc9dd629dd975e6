/**
 * count(*) and count(x): int8 (bigint) results, NULL arguments ignored by count(x).
 *
 *   count(*) over +r1 +r2 -r1 -> 1n
 */
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';

/** count(*): counts rows (args = []). */
export class CountStar implements Accumulator {
  private n = 0;
  add(_args: readonly Value[], weight: number): void {
    this.n += weight;
  }
  result(): Value {
    return BigInt(this.n);
  }
  save(): unknown {
    return this.n;
  }
  load(state: unknown): void {
    this.n = state as number;
  }
}

/** count(x): counts non-NULL values. */
export class CountValue implements Accumulator {
  private n = 0;
  add(args: readonly Value[], weight: number): void {
    if (args[0] !== null) this.n += weight;
  }
  result(): Value {
    return BigInt(this.n);
  }
  save(): unknown {
    return this.n;
  }
  load(state: unknown): void {
    this.n = state as number;
  }
}
