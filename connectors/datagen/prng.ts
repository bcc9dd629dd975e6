/**
 * Seeded, index-addressable randomness for the generators: every row (datagen) or event
 * (Nexmark) gets a fresh PRNG seeded from hash(seed, index, salt), so a value depends only on the
 * seed and the index. That is what makes a position a plain counter and a restart exact.
 */

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of (seed, index, salt); seed and index are non-negative safe integers. */
export function hashKey(seed: number, index: number, salt = 0): number {
  const sLo = seed >>> 0;
  const sHi = Math.floor(seed / 4294967296) >>> 0;
  const iLo = index >>> 0;
  const iHi = Math.floor(index / 4294967296) >>> 0;
  let h = mix32((sLo ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ sHi ^ 0x7f4a7c15) >>> 0);
  h = mix32((h ^ iLo) >>> 0);
  h = mix32((h ^ Math.imul(iHi + 1, 0x27d4eb2f)) >>> 0);
  return mix32((h ^ Math.imul(salt + 0x165667b1, 0x9e3779b1)) >>> 0);
}

/** mulberry32 over a hashed seed. */
export class Prng {
  private s: number;
  constructor(seed: number, index: number, salt = 0) {
    this.s = hashKey(seed, index, salt);
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  /** Uniform integer in [0, n) for 0 < n <= 2^53 (`rand n` / `nextLong(n)` of the spec). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Uniform bigint in [0, n) for n > 0 (slightly biased for n near 2^64, irrelevant here). */
  bigint(n: bigint): bigint {
    const x = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    if (n <= 1n << 64n) return x % n;
    const y = (BigInt(this.u32()) << 32n) | BigInt(this.u32());
    return ((x << 64n) | y) % n;
  }
}
