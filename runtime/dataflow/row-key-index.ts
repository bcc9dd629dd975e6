import type { SqlType } from '../sql/types.js';
import type { Row } from '../sql/values.js';
import { keyNormalizer, type KeyNormalizer, type KeyPart } from './key-codec.js';
import { KeyIndex } from './key-index.js';

/**
 * Entries keyed by a whole row under SQL equality (numeric 1.5 = 1.50, see key-codec.ts), as
 * Distinct and SetOperation keep them. The width is the first row's when no types are given.
 */
export class RowKeyIndex<E extends { parts: KeyPart[] }> {
  private index: KeyIndex<E> | null = null;
  private norms: KeyNormalizer[] = [];
  private parts: KeyPart[] = [];

  /** `types`: the row's column types (for bpchar/jsonb equality); representation-driven when absent. */
  constructor(
    private readonly types: SqlType[] | undefined,
    /** A new entry for a row not seen yet, holding a copy of its key parts. */
    private readonly create: (row: Row, parts: KeyPart[]) => E,
  ) {
    if (types !== undefined) this.setup(types.length);
  }

  private setup(width: number): KeyIndex<E> {
    this.norms = [];
    for (let i = 0; i < width; i++) this.norms.push(keyNormalizer(this.types?.[i]));
    this.parts = new Array(width).fill(null);
    this.index = new KeyIndex<E>(width);
    return this.index;
  }

  /** The entry of `row`'s key, created if absent. */
  entryFor(row: Row): E {
    const index = this.index ?? this.setup(row.length);
    const { norms, parts } = this;
    for (let i = 0; i < parts.length; i++) parts[i] = norms[i](row[i]);
    let e = index.get(parts);
    if (e === undefined) {
      e = this.create(row, parts.slice());
      index.set(parts, e);
    }
    return e;
  }

  delete(e: E): void {
    this.index?.delete(e.parts);
  }

  get size(): number {
    return this.index?.size ?? 0;
  }
}
