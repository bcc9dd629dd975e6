/**
 * Columnar (slot-indexed) forms of the hottest aggregates: count(*), count(x), sum(int2|int4),
 * avg(int2|int4), bool_and/bool_or. State lives in Float64Arrays indexed by group slot, so
 * HashAggregate touches a few contiguous arrays per row instead of several objects per group.
 * Each computes exactly what its row Accumulator computes and saves the same state format.
 *
 *   const c = resolveAggregate('sum', [T.int4])!.createColumn!();
 *   c.reset(3); c.add(3, [5], 1); c.add(3, [7], 1); c.result(3)   // 12n
 */
import { Decimal } from '../../sql/decimal.js';
import type { Value } from '../../sql/values.js';
import type { AccumulatorColumn } from './accumulator.js';

const SPILL = 2 ** 52;

/** Growable Float64Array. */
function grow(a: Float64Array<ArrayBuffer>, slot: number): Float64Array<ArrayBuffer> {
  if (slot < a.length) return a;
  let n = a.length * 2;
  while (n <= slot) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

const INITIAL = 64;

/** count(*) (star = true) and count(x). */
export class CountColumn implements AccumulatorColumn {
  private n = new Float64Array(INITIAL);
  constructor(private readonly star: boolean) {}
  reset(slot: number): void {
    this.n = grow(this.n, slot);
    this.n[slot] = 0;
  }
  add(slot: number, args: readonly Value[], weight: number): void {
    if (this.star || args[0] !== null) this.n[slot] += weight;
  }
  result(slot: number): Value {
    return BigInt(this.n[slot]);
  }
  save(slot: number): unknown {
    return this.n[slot];
  }
  load(slot: number, state: unknown): void {
    this.reset(slot);
    this.n[slot] = state as number;
  }
}

/** Exact integer sum per slot + non-NULL count: sum(int2|int4) (avg = false) and avg(int2|int4). */
export class IntSumColumn implements AccumulatorColumn {
  private n = new Float64Array(INITIAL);
  private small = new Float64Array(INITIAL);
  /** Slots whose sum left the exact double range (rare). */
  private readonly big = new Map<number, bigint>();
  constructor(private readonly avg: boolean) {}
  reset(slot: number): void {
    this.n = grow(this.n, slot);
    this.small = grow(this.small, slot);
    this.n[slot] = 0;
    this.small[slot] = 0;
    if (this.big.size > 0) this.big.delete(slot);
  }
  add(slot: number, args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    this.n[slot] += weight;
    const d = (v as number) * weight;
    if (d <= SPILL && d >= -SPILL) {
      const s = this.small[slot] + d;
      if (s > SPILL || s < -SPILL) {
        this.big.set(slot, (this.big.get(slot) ?? 0n) + BigInt(s));
        this.small[slot] = 0;
      } else this.small[slot] = s;
    } else this.big.set(slot, (this.big.get(slot) ?? 0n) + BigInt(v as number) * BigInt(weight));
  }
  private total(slot: number): bigint {
    const s = BigInt(this.small[slot]);
    if (this.big.size === 0) return s;
    const b = this.big.get(slot);
    return b === undefined ? s : b + s;
  }
  result(slot: number): Value {
    const n = this.n[slot];
    if (n <= 0) return null;
    const t = this.total(slot);
    return this.avg ? Decimal.fromBigInt(t).div(Decimal.fromInt(n)) : t;
  }
  save(slot: number): unknown {
    return [this.n[slot], this.total(slot)];
  }
  load(slot: number, state: unknown): void {
    const [n, t] = state as [number, bigint];
    this.reset(slot);
    this.n[slot] = n;
    if (t >= -9007199254740991n && t <= 9007199254740991n && Math.abs(Number(t)) <= SPILL) this.small[slot] = Number(t);
    else this.big.set(slot, t);
  }
}

/** bool_and / every (isAnd) and bool_or. */
export class BoolColumn implements AccumulatorColumn {
  private trues = new Float64Array(INITIAL);
  private falses = new Float64Array(INITIAL);
  constructor(private readonly isAnd: boolean) {}
  reset(slot: number): void {
    this.trues = grow(this.trues, slot);
    this.falses = grow(this.falses, slot);
    this.trues[slot] = 0;
    this.falses[slot] = 0;
  }
  add(slot: number, args: readonly Value[], weight: number): void {
    const v = args[0];
    if (v === null) return;
    if (v === true) this.trues[slot] += weight;
    else this.falses[slot] += weight;
  }
  result(slot: number): Value {
    const t = this.trues[slot];
    const f = this.falses[slot];
    if (t <= 0 && f <= 0) return null;
    return this.isAnd ? f <= 0 : t > 0;
  }
  save(slot: number): unknown {
    return [this.trues[slot], this.falses[slot]];
  }
  load(slot: number, state: unknown): void {
    this.reset(slot);
    [this.trues[slot], this.falses[slot]] = state as [number, number];
  }
}
