/**
 * KeyIndex: a map from a composite key of normalised parts (key-codec.ts) to a value, held as
 * nested Maps so that no string is built per lookup (PERFORMANCE.md, design lesson 1):
 *
 *   arity 0  -> one slot (global aggregate, cross join)
 *   arity 1  -> Map<part, V>
 *   arity n  -> Map<part0, Map<part1, ... Map<partN-1, V>>>, with the last outer lookup cached
 *               (consecutive events usually share the leading part, e.g. the current window)
 *
 * Parts must already be normalised (KeyNormalizer); the caller passes a reused parts array.
 */
import type { KeyPart } from './key-codec.js';

type Nested = Map<KeyPart, unknown>;

export class KeyIndex<V> {
  readonly arity: number;
  private single: V | undefined = undefined;
  private hasSingle = false;
  private readonly root: Nested = new Map();
  private count = 0;
  /** Cache of root.get(lastPart0) for arity >= 2. */
  private lastPart0: KeyPart | undefined = undefined;
  private lastInner: Nested | undefined = undefined;
  /** Scratch stack of maps visited by delete (arity >= 2). */
  private readonly path: Nested[];

  constructor(arity: number) {
    this.arity = arity;
    this.path = new Array(Math.max(arity, 1));
  }

  get size(): number {
    return this.count;
  }

  get(parts: readonly KeyPart[]): V | undefined {
    const n = this.arity;
    if (n === 0) return this.single;
    if (n === 1) return this.root.get(parts[0]) as V | undefined;
    let m = this.inner0(parts[0], false);
    for (let i = 1; i < n - 1 && m !== undefined; i++) m = m.get(parts[i]) as Nested | undefined;
    return m === undefined ? undefined : (m.get(parts[n - 1]) as V | undefined);
  }

  /** get() for arity 1, without the parts array. */
  get1(part: KeyPart): V | undefined {
    return this.root.get(part) as V | undefined;
  }

  set(parts: readonly KeyPart[], value: V): void {
    const n = this.arity;
    if (n === 0) {
      if (!this.hasSingle) this.count++;
      this.single = value;
      this.hasSingle = true;
      return;
    }
    if (n === 1) {
      const before = this.root.size;
      this.root.set(parts[0], value);
      this.count += this.root.size - before;
      return;
    }
    let m = this.inner0(parts[0], true) as Nested;
    for (let i = 1; i < n - 1; i++) {
      let next = m.get(parts[i]) as Nested | undefined;
      if (next === undefined) {
        next = new Map();
        m.set(parts[i], next);
      }
      m = next;
    }
    const before = m.size;
    m.set(parts[n - 1], value);
    this.count += m.size - before;
  }

  delete(parts: readonly KeyPart[]): boolean {
    const n = this.arity;
    if (n === 0) {
      if (!this.hasSingle) return false;
      this.single = undefined;
      this.hasSingle = false;
      this.count--;
      return true;
    }
    if (n === 1) {
      const ok = this.root.delete(parts[0]);
      if (ok) this.count--;
      return ok;
    }
    const path = this.path;
    path[0] = this.root;
    let m: Nested | undefined = this.root;
    for (let i = 0; i < n - 1; i++) {
      m = m.get(parts[i]) as Nested | undefined;
      if (m === undefined) return false;
      path[i + 1] = m;
    }
    if (!m.delete(parts[n - 1])) return false;
    this.count--;
    // Prune now-empty inner maps, bottom up.
    for (let i = n - 1; i >= 1 && path[i].size === 0; i--) {
      path[i - 1].delete(parts[i - 1]);
      if (i === 1) {
        this.lastPart0 = undefined;
        this.lastInner = undefined;
      }
    }
    return true;
  }

  clear(): void {
    this.single = undefined;
    this.hasSingle = false;
    this.root.clear();
    this.count = 0;
    this.lastPart0 = undefined;
    this.lastInner = undefined;
  }

  /** All values (order: insertion order per level). */
  *values(): IterableIterator<V> {
    if (this.arity === 0) {
      if (this.hasSingle) yield this.single as V;
      return;
    }
    yield* walk<V>(this.root, this.arity);
  }

  private inner0(p0: KeyPart, create: boolean): Nested | undefined {
    if (this.lastInner !== undefined && sameValueZero(this.lastPart0, p0)) return this.lastInner;
    let m = this.root.get(p0) as Nested | undefined;
    if (m === undefined) {
      if (!create) return undefined;
      m = new Map();
      this.root.set(p0, m);
    }
    this.lastPart0 = p0;
    this.lastInner = m;
    return m;
  }
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

function* walk<V>(m: Nested, depth: number): IterableIterator<V> {
  if (depth === 1) {
    yield* m.values() as IterableIterator<V>;
    return;
  }
  for (const inner of m.values()) yield* walk<V>(inner as Nested, depth - 1);
}
