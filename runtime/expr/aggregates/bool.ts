/**
 * bool_and(x) / every(x) and bool_or(x): O(1) retractable by counting trues and falses.
 *
 *   bool_and over +true +false -> false; then -false -> true; then -true -> NULL
 */
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';

export class BoolAggregate implements Accumulator {
  private trues = 0;
  private falses = 0;
  constructor(private readonly isAnd: boolean) {}
  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    if (v === true) this.trues += weight;
    else this.falses += weight;
  }
  result(): Value {
    if (this.trues <= 0 && this.falses <= 0) return null;
    return this.isAnd ? this.falses <= 0 : this.trues > 0;
  }
  save(): unknown {
    return [this.trues, this.falses];
  }
  load(state: unknown): void {
    [this.trues, this.falses] = state as [number, number];
  }
}
