/**
 * A base table's rows in memory, indexed by primary key (or a hidden row id for tables without
 * a key). DML validates a whole statement before changing anything, so a failed statement
 * leaves the table untouched; accepted changes are recorded as a change batch for the epoch.
 */
import type { Row, Value } from '../sql/values.js';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import type { CatalogObject } from '../catalog/catalog.js';
import type { ChangeBatch } from '../dataflow/change-batch.js';
import { keyOf, type Key } from '../dataflow/key-codec.js';
import { formatText } from '../sql/text-io.js';

export type RowKey = Key;

export interface ConflictPolicy {
  mode: 'error' | 'nothing' | 'update';
  /** For DO UPDATE: the new row from (existing, excluded), or null when its WHERE rejects it. */
  update?: (existing: Row, excluded: Row) => Row | null;
  /** A key may be updated twice in one statement (the table's own ON CONFLICT policy); else 21000 as in PostgreSQL. */
  repeatable?: boolean;
}

export class TableStore {
  readonly rows = new Map<RowKey, Row>();
  private nextRowId = 1;
  /** Keys written or deleted since the last commit, for persistence. */
  readonly dirty = new Set<RowKey>();

  constructor(readonly obj: CatalogObject) {}

  get keyed(): boolean {
    return this.obj.primaryKey.length > 0;
  }

  keyOfRow(row: Row): RowKey {
    const pk = this.obj.primaryKey;
    if (pk.length === 1) return keyOf([row[pk[0]]]);
    return keyOf(pk.map((i) => row[i]));
  }

  /** Restores a persisted row (startup). */
  load(key: RowKey, row: Row): void {
    this.rows.set(key, row);
    if (typeof key === 'number' && key >= this.nextRowId) this.nextRowId = key + 1;
  }

  private checkNotNull(row: Row): void {
    const cols = this.obj.columns;
    for (let i = 0; i < cols.length; i++) {
      if (row[i] === null && (cols[i].notNull || this.obj.primaryKey.includes(i))) {
        throw new SqlError(SqlState.NotNullViolation, `null value in column "${cols[i].name}" of relation "${this.obj.name}" violates not-null constraint`, {
          table: this.obj.name,
          column: cols[i].name,
          detail: `Failing row contains (${row.map((v, j) => (v === null ? 'null' : formatText(cols[j].type, v))).join(', ')}).`,
        });
      }
    }
  }

  private duplicate(row: Row): SqlError {
    const pk = this.obj.primaryKey;
    const cols = this.obj.columns;
    return new SqlError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${this.obj.name}_pkey"`, {
      table: this.obj.name,
      constraint: `${this.obj.name}_pkey`,
      detail: `Key (${pk.map((i) => cols[i].name).join(', ')})=(${pk.map((i) => (row[i] === null ? 'null' : formatText(cols[i].type, row[i]))).join(', ')}) already exists.`,
    });
  }

  /** INSERT: returns the rows actually written (for RETURNING) and records changes in `out`. */
  insert(rows: Row[], policy: ConflictPolicy, out: ChangeBatch): Row[] {
    for (const r of rows) this.checkNotNull(r);
    if (!this.keyed) {
      for (const r of rows) {
        const id = this.nextRowId++;
        this.rows.set(id, r);
        this.dirty.add(id);
        out.rows.push(r);
        out.weights.push(1);
      }
      return rows;
    }
    // Validate first: a failing statement changes nothing.
    const staged = new Map<RowKey, { old: Row | undefined; row: Row | null }>();
    const written: Row[] = [];
    for (const r of rows) {
      const k = this.keyOfRow(r);
      const prior = staged.get(k);
      const existing = prior ? prior.row ?? undefined : this.rows.get(k);
      if (existing === undefined) {
        staged.set(k, { old: prior ? prior.old : undefined, row: r });
        written.push(r);
        continue;
      }
      if (policy.mode === 'error') throw this.duplicate(r);
      if (policy.mode === 'nothing') continue;
      if (prior && policy.mode === 'update' && policy.repeatable !== true) {
        throw new SqlError(SqlState.CardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
          hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
        });
      }
      const updated = policy.update!(existing, r);
      if (updated === null) continue;
      this.checkNotNull(updated);
      const nk = this.keyOfRow(updated);
      if (nk !== k) throw new SqlError(SqlState.FeatureNotSupported, 'ON CONFLICT DO UPDATE may not change the primary key');
      staged.set(k, { old: prior ? prior.old : existing, row: updated });
      written.push(updated);
    }
    for (const [k, s] of staged) this.write(k, s.old, s.row, out);
    return written;
  }

  /** UPDATE: applies `set` to every row matching `where`. Returns the new rows. */
  update(where: (r: Row) => boolean, set: (r: Row) => Row, out: ChangeBatch): Row[] {
    const changes: { key: RowKey; old: Row; row: Row }[] = [];
    for (const [k, r] of this.rows) {
      if (!where(r)) continue;
      const nr = set(r);
      this.checkNotNull(nr);
      changes.push({ key: k, old: r, row: nr });
    }
    if (this.keyed) {
      // The key may change: check uniqueness against the table after all updates.
      const removed = new Set(changes.map((c) => c.key));
      const added = new Map<RowKey, Row>();
      for (const c of changes) {
        const nk = this.keyOfRow(c.row);
        if (added.has(nk) || (this.rows.has(nk) && !removed.has(nk))) throw this.duplicate(c.row);
        added.set(nk, c.row);
      }
      for (const c of changes) this.write(c.key, c.old, null, out);
      for (const [nk, r] of added) this.write(nk, undefined, r, out);
    } else {
      for (const c of changes) this.write(c.key, c.old, c.row, out);
    }
    return changes.map((c) => c.row);
  }

  /** DELETE: removes every row matching `where`. Returns the deleted rows. */
  delete(where: (r: Row) => boolean, out: ChangeBatch): Row[] {
    const gone: [RowKey, Row][] = [];
    for (const [k, r] of this.rows) if (where(r)) gone.push([k, r]);
    for (const [k, r] of gone) this.write(k, r, null, out);
    return gone.map((g) => g[1]);
  }

  private write(key: RowKey, old: Row | undefined, row: Row | null, out: ChangeBatch): void {
    const current = this.rows.get(key);
    const before = old ?? current;
    if (before !== undefined) {
      out.rows.push(before);
      out.weights.push(-1);
    }
    if (row === null) this.rows.delete(key);
    else {
      this.rows.set(key, row);
      out.rows.push(row);
      out.weights.push(1);
    }
    this.dirty.add(key);
  }

  lookup(keyColumns: number[], values: Value[]): Row[] {
    const pk = this.obj.primaryKey;
    if (pk.length === keyColumns.length && pk.every((c, i) => c === keyColumns[i])) {
      const r = this.rows.get(keyOf(values));
      return r ? [r] : [];
    }
    const out: Row[] = [];
    for (const r of this.rows.values()) if (keyColumns.every((c, i) => keyOf([r[c]]) === keyOf([values[i]]))) out.push(r);
    return out;
  }
}
