/**
 * bit_and, bit_or, bit_xor over int2|int4|int8 -> the argument type; NULL over no non-NULL rows.
 *
 * Retractable through per-bit counts: `ones[i]` counts the live non-NULL rows with bit i set and
 * `n` the live non-NULL rows, so bit i of the result is set when ones[i] == n (bit_and),
 * ones[i] > 0 (bit_or) or ones[i] is odd (bit_xor). Negative values are two's complement in the
 * type's width (int2 16 bits, int4 32, int8 64).
 *
 *   bit_and(12, 10) = 8   bit_or(12, 10) = 14   bit_xor(12, 10) = 6; retract 10 -> 12, 12, 12
 */
import type { Value } from '../../sql/values.js';
import type { Accumulator } from './accumulator.js';

export type BitKind = 'and' | 'or' | 'xor';

export class BitAggregate implements Accumulator {
  private n = 0;
  private ones: number[];

  constructor(
    private readonly kind: BitKind,
    /** 16, 32 or 64. */
    private readonly width: number,
  ) {
    this.ones = new Array<number>(width).fill(0);
  }

  add(args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null || weight === 0) return;
    this.n += weight;
    const ones = this.ones;
    if (this.width === 64) {
      let b = BigInt.asUintN(64, v as bigint);
      for (let i = 0; b !== 0n; i++, b >>= 1n) if ((b & 1n) !== 0n) ones[i] += weight;
    } else {
      // int2/int4 values are JS numbers; >>> 0 gives the 32-bit two's complement pattern.
      let b = (v as number) >>> 0;
      if (this.width === 16) b &= 0xffff;
      for (let i = 0; b !== 0; i++, b >>>= 1) if ((b & 1) !== 0) ones[i] += weight;
    }
  }

  private bitSet(c: number): boolean {
    switch (this.kind) {
      case 'and': return c === this.n;
      case 'or': return c > 0;
      default: return (c & 1) !== 0;
    }
  }

  result(): Value {
    if (this.n <= 0) return null;
    const ones = this.ones;
    if (this.width === 64) {
      let r = 0n;
      for (let i = 63; i >= 0; i--) r = (r << 1n) | (this.bitSet(ones[i]) ? 1n : 0n);
      return BigInt.asIntN(64, r);
    }
    let r = 0;
    for (let i = this.width - 1; i >= 0; i--) r = (r << 1) | (this.bitSet(ones[i]) ? 1 : 0);
    // Sign-extend from the type's width.
    return this.width === 16 ? (r << 16) >> 16 : r | 0;
  }

  save(): unknown {
    return [this.n, this.ones.slice()];
  }

  load(state: unknown): void {
    const [n, ones] = state as [number, number[]];
    this.n = n;
    this.ones = ones.slice();
  }
}
