/**
 * Eddy's catalog: streams, tables, materialized views and views, their columns and dependencies.
 * Persisted in SQLite (catalog-store.ts) as part of the epoch commit; the planner reads it through
 * the CatalogReader interface only.
 */
import type { SqlType } from '../sql/types.js';

export type ObjectKind = 'stream' | 'table' | 'mv' | 'view' | 'sink';

export interface IndexDef {
  name: string;
  /** Key columns or expressions as written. */
  keys: string[];
  include: string[];
  unique: boolean;
  where?: string;
}

export interface ColumnSchema {
  name: string;
  type: SqlType;
  notNull: boolean;
  /** DEFAULT expression as SQL text, bound by the planner when a row omits the column. */
  defaultSql?: string;
}

export interface CatalogObject {
  /** Stable id; also the object's OID as seen by clients (>= 16384 like user objects in PostgreSQL). */
  id: number;
  name: string;
  kind: ObjectKind;
  columns: ColumnSchema[];
  /** Tables: primary key column positions (empty = no key: a bag with a hidden row identity). */
  primaryKey: number[];
  /**
   * Declared by CREATE TABLE ... APPEND ONLY. Without a key such a table is a stream that answers
   * to TABLE (DROP TABLE, SHOW TABLES); with a key it is a table that refuses UPDATE and DELETE and
   * never overwrites a key (ON CONFLICT DO NOTHING), so views over it see inserts only.
   */
  appendOnlyTable?: boolean;
  /**
   * CREATE INDEX on this relation, recorded: Eddy keeps no secondary indexes (tables and views are
   * in memory and looked up by their keys), so an index changes no plan; it lives and dies with
   * the relation.
   */
  indexes?: IndexDef[];
  /** Tables: what an INSERT of an existing key does when the INSERT has no ON CONFLICT (unset: 23505). */
  onConflict?: 'nothing' | 'update_full' | 'update_if_not_null';
  /** MVs: output columns forming the live table's unique key (null = whole row with multiplicity). */
  liveKey: number[] | null;
  /** MVs and views: the defining query text. */
  queryText?: string;
  /** The full CREATE statement text (for SHOW CREATE / \d+). */
  createSql: string;
  /** Ids of the objects this one reads (MVs, views). */
  dependsOn: number[];
  options: Record<string, string>;
  /** Epoch at which the object was created. */
  createdEpoch: number;
  /** Streams: event time (WATERMARK FOR col AS col - INTERVAL 'd') and the idle_timeout option. */
  eventTime?: EventTimeDef;
  /** Streams: how long rows are kept (ms of arrival time) and/or how many; unset = unlimited. */
  retention?: { ms?: number; rows?: number };
  /** MVs: EMIT ON WINDOW CLOSE (default: changes, the live table updated every epoch). */
  emit?: 'changes' | 'window_close';
  /** MVs: output columns that carry a watermark (window columns), read by MVs over this MV. */
  watermarkColumns?: number[];
  /**
   * CREATE OR REPLACE MATERIALIZED VIEW: the id of the view this one replaces. It is built under
   * a temporary name and takes the old view's name (atomically) once it has caught up.
   */
  replaces?: number;
}

export interface EventTimeDef {
  /** The event-time column (timestamp or timestamptz). */
  column: number;
  /** Allowed lateness: watermark = max event time accepted - delay (µs). */
  delayMicros: number;
  /** After this long without input, the watermark advances with processing time (ms). */
  idleTimeoutMs?: number;
  /**
   * Partitioned sources (Kafka): a partition without input for this long stops holding the
   * stream's watermark back (ms; the partition_idle_timeout option, default 30 s).
   */
  partitionIdleMs?: number;
  /** The watermark expression as written (for SHOW CREATE). */
  exprSql: string;
}

/** Key of a column's watermark in the engine's watermark map: "<object id>.<column>". */
export function watermarkKey(objectId: number, column: number): string {
  return `${objectId}.${column}`;
}

export interface CatalogReader {
  get(name: string): CatalogObject | undefined;
  getById(id: number): CatalogObject | undefined;
  all(): CatalogObject[];
}

export const FIRST_OBJECT_ID = 16384;

const kindNames: Record<ObjectKind, string> = {
  stream: 'stream',
  table: 'table',
  mv: 'materialized view',
  view: 'view',
  sink: 'sink',
};

export function kindName(kind: ObjectKind): string {
  return kindNames[kind];
}

/** The in-memory catalog. Mutations are made by the engine inside an epoch commit. */
export class Catalog implements CatalogReader {
  private byName = new Map<string, CatalogObject>();
  private byId = new Map<number, CatalogObject>();
  private nextIdValue = FIRST_OBJECT_ID;

  get(name: string): CatalogObject | undefined {
    return this.byName.get(name);
  }

  getById(id: number): CatalogObject | undefined {
    return this.byId.get(id);
  }

  all(): CatalogObject[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Forgets every object (before loading the catalog again); ids keep increasing. */
  clear(): void {
    this.byName.clear();
    this.byId.clear();
  }

  allocateId(): number {
    return this.nextIdValue++;
  }

  add(obj: CatalogObject): void {
    this.byName.set(obj.name, obj);
    this.byId.set(obj.id, obj);
    if (obj.id >= this.nextIdValue) this.nextIdValue = obj.id + 1;
  }

  remove(id: number): void {
    const obj = this.byId.get(id);
    if (!obj) return;
    this.byId.delete(id);
    this.byName.delete(obj.name);
  }

  /** Objects that read `id` directly. */
  dependents(id: number): CatalogObject[] {
    return this.all().filter((o) => o.dependsOn.includes(id));
  }

  /** `id` and everything that depends on it, transitively, dependents first (drop order). */
  dropOrder(id: number): CatalogObject[] {
    const out: CatalogObject[] = [];
    const seen = new Set<number>();
    const visit = (oid: number) => {
      if (seen.has(oid)) return;
      seen.add(oid);
      for (const d of this.dependents(oid)) visit(d.id);
      const o = this.byId.get(oid);
      if (o) out.push(o);
    };
    visit(id);
    return out;
  }

  /** MVs in dependency order (an MV after every MV it reads). */
  mvsInDependencyOrder(): CatalogObject[] {
    const out: CatalogObject[] = [];
    const seen = new Set<number>();
    const visit = (o: CatalogObject) => {
      if (seen.has(o.id)) return;
      seen.add(o.id);
      for (const d of o.dependsOn) {
        const dep = this.byId.get(d);
        if (dep) visit(dep);
      }
      if (o.kind === 'mv') out.push(o);
    };
    for (const o of this.all()) visit(o);
    return out;
  }
}

/** A view's definition as shown to users (SHOW, pg_matviews, pg_get_viewdef): the query, with its EMIT clause. */
export function viewDefinition(obj: CatalogObject): string | null {
  if (obj.queryText === undefined) return null;
  return obj.emit === 'window_close' ? `${obj.queryText.trimEnd()}\nEMIT ON WINDOW CLOSE` : obj.queryText;
}
