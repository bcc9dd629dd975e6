/**
 * The engine facade: owns the catalog, base tables, stream logs, MV dataflows and live tables,
 * and runs epochs. Statements that change data are queued as work items; the scheduler runs all
 * items queued in one event-loop turn as one epoch, synchronously: apply the items, run every
 * dataflow in dependency order, then commit everything in ONE SQLite transaction. Readers run
 * between epochs, so they always see the last committed epoch, all MVs at the same point.
 */
import type { Row, Value } from './sql/values.js';
import { SqlError, InternalError } from './sql/errors.js';
import { SqlState } from './sql/sqlstate.js';
import { Catalog, type CatalogObject } from './catalog/catalog.js';
import type { ChangeBatch } from './dataflow/change-batch.js';
import type { Dataflow } from './dataflow/graph.js';
import type { OperatorContext } from './dataflow/operator.js';
import { LiveTable } from './live/live-table.js';
import { TableStore, type RowKey } from './tables/table-store.js';
import { openDatabase, storageError, type SqliteDb } from './storage/database.js';
import { ChunkedInsert } from './storage/chunked-insert.js';
import { encodeRow, decodeRow } from './storage/value-codec.js';
import { JSON_NULL } from './sql/values.js';
import { Decimal } from './sql/decimal.js';
import { Interval } from './sql/interval.js';
import type { ScanSource } from './plan/plan.js';
import type { BatchDataAccess } from './batch/executor.js';

export interface EngineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Builds an MV's dataflow from its catalog entry (the planner, injected by server/main). */
export type DataflowBuilder = (mv: CatalogObject, catalog: Catalog) => Dataflow;

export interface EngineOptions {
  dataDir: string;
  synchronous?: 'normal' | 'full';
  logger: EngineLogger;
  buildDataflow: DataflowBuilder;
}

export interface MvRuntime {
  obj: CatalogObject;
  dataflow: Dataflow;
  live: LiveTable;
  /** Source ids (catalog ids as strings) the dataflow reads. */
  inputs: Set<string>;
}

interface WorkItem {
  run: (tx: EpochTx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** DDL items run alone in an epoch of their own. */
  exclusive: boolean;
}

export interface ErrorRecord {
  object: string;
  epoch: number;
  sqlstate: string;
  message: string;
  row: string | null;
}

/** What a work item may do inside an epoch. */
export class EpochTx {
  /** Changes per source id produced by this epoch's statements. */
  readonly deltas = new Map<string, ChangeBatch>();
  readonly streamAppends = new Map<number, Row[]>();
  readonly catalogWrites: CatalogObject[] = [];
  readonly catalogDeletes: number[] = [];
  constructor(readonly engine: Engine, readonly epoch: number) {}

  delta(objectId: number): ChangeBatch {
    const k = String(objectId);
    let b = this.deltas.get(k);
    if (!b) this.deltas.set(k, (b = { rows: [], weights: [] }));
    return b;
  }
}

export class Engine implements BatchDataAccess {
  readonly catalog = new Catalog();
  readonly tables = new Map<number, TableStore>();
  readonly mvs = new Map<number, MvRuntime>();
  private streamCounts = new Map<number, number>();
  private streamNextSeq = new Map<number, number>();
  private db!: SqliteDb;
  private queue: WorkItem[] = [];
  private scheduled = false;
  private running = false;
  private closed = false;
  private epochValue = 0;
  /** Bumped by every DDL; cached plans from an older version are re-planned. */
  catalogVersion = 0;
  private pendingErrors: ErrorRecord[] = [];
  private idleWaiters: (() => void)[] = [];
  readonly log: EngineLogger;
  private stmts!: ReturnType<Engine['prepareStatements']>;

  constructor(readonly opts: EngineOptions) {
    this.log = opts.logger;
  }

  get epoch(): number {
    return this.epochValue;
  }

  // ------------------------------------------------------------------ startup

  open(): void {
    this.db = openDatabase({ dataDir: this.opts.dataDir, synchronous: this.opts.synchronous ?? 'normal' });
    this.stmts = this.prepareStatements();
    this.epochValue = Number(this.db.prepare("SELECT value FROM meta WHERE key = 'epoch'").pluck().get());
    const defs = this.db.prepare('SELECT def FROM catalog ORDER BY id').pluck().all() as string[];
    for (const d of defs) this.catalog.add(JSON.parse(d) as CatalogObject);
    for (const obj of this.catalog.all()) {
      if (obj.kind === 'table') {
        const store = new TableStore(obj);
        for (const r of this.db.prepare('SELECT row_key, row FROM table_rows WHERE table_id = ?').iterate(obj.id) as Iterable<{ row_key: string; row: string }>) {
          store.load(decodeRowKey(r.row_key), decodeRow(r.row));
        }
        this.tables.set(obj.id, store);
      } else if (obj.kind === 'stream') {
        const s = this.db.prepare('SELECT count(*) AS n, max(seq) AS m FROM stream_rows WHERE stream_id = ?').get(obj.id) as { n: number; m: number | null };
        this.streamCounts.set(obj.id, s.n);
        this.streamNextSeq.set(obj.id, (s.m ?? 0) + 1);
      }
    }
    for (const obj of this.catalog.mvsInDependencyOrder()) {
      const rt = this.instantiateMv(obj);
      const entries = new Map<number, { key: string; value: string }[]>();
      for (const r of this.db.prepare('SELECT node, key, value FROM op_state WHERE mv_id = ?').iterate(obj.id) as Iterable<{ node: number; key: string; value: string }>) {
        let l = entries.get(r.node);
        if (!l) entries.set(r.node, (l = []));
        l.push({ key: r.key, value: r.value });
      }
      for (const [node, es] of entries) rt.dataflow.restore(node, es);
      const live = (this.db.prepare('SELECT key, row, count FROM mv_rows WHERE mv_id = ?').all(obj.id) as { key: string; row: string; count: number }[]).map((r) => ({
        key: r.key,
        row: decodeRow(r.row),
        count: r.count,
      }));
      rt.live.restore(live);
      this.mvs.set(obj.id, rt);
    }
    this.log.info({ epoch: this.epochValue, objects: this.catalog.all().length }, 'engine opened');
  }

  private prepareStatements() {
    const db = this.db;
    return {
      setEpoch: db.prepare("UPDATE meta SET value = ? WHERE key = 'epoch'"),
      putCatalog: db.prepare('INSERT OR REPLACE INTO catalog (id, name, def) VALUES (?, ?, ?)'),
      delCatalog: db.prepare('DELETE FROM catalog WHERE id = ?'),
      appendStream: new ChunkedInsert(db, 'INSERT INTO stream_rows (stream_id, seq, row)', 3),
      delStream: db.prepare('DELETE FROM stream_rows WHERE stream_id = ?'),
      putTableRow: db.prepare('INSERT OR REPLACE INTO table_rows (table_id, row_key, row) VALUES (?, ?, ?)'),
      delTableRow: db.prepare('DELETE FROM table_rows WHERE table_id = ? AND row_key = ?'),
      delTable: db.prepare('DELETE FROM table_rows WHERE table_id = ?'),
      putMvRow: new ChunkedInsert(db, 'INSERT OR REPLACE INTO mv_rows (mv_id, key, row, count)', 4),
      delMvRow: db.prepare('DELETE FROM mv_rows WHERE mv_id = ? AND key = ?'),
      delMv: db.prepare('DELETE FROM mv_rows WHERE mv_id = ?'),
      putState: new ChunkedInsert(db, 'INSERT OR REPLACE INTO op_state (mv_id, node, key, value)', 4),
      delState: db.prepare('DELETE FROM op_state WHERE mv_id = ? AND node = ? AND key = ?'),
      delMvState: db.prepare('DELETE FROM op_state WHERE mv_id = ?'),
      insError: db.prepare('INSERT INTO errors (object, epoch, sqlstate, message, row, at) VALUES (?, ?, ?, ?, ?, ?)'),
      scanStream: db.prepare('SELECT row FROM stream_rows WHERE stream_id = ? ORDER BY seq').pluck(),
      scanErrors: db.prepare('SELECT id, object, epoch, sqlstate, message, row, at FROM errors ORDER BY id'),
    };
  }

  private instantiateMv(obj: CatalogObject): MvRuntime {
    const dataflow = this.opts.buildDataflow(obj, this.catalog);
    const live = new LiveTable({ keyColumns: obj.liveKey });
    return { obj, dataflow, live, inputs: new Set(obj.dependsOn.map(String)) };
  }

  // ------------------------------------------------------------------ epochs

  /** Queues work for the next epoch; resolves with its result once that epoch has committed. */
  submit<T>(run: (tx: EpochTx) => T, opts: { exclusive?: boolean } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new SqlError(SqlState.AdminShutdown, 'the server is shutting down'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject, exclusive: opts.exclusive ?? false });
      this.schedule();
    });
  }

  /** Resolves once every write submitted before the call is committed and reflected in every MV. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    return this.submit(() => undefined);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runEpochs();
    });
  }

  private runEpochs(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Take items up to (not including) the next exclusive one; an exclusive item runs alone.
        let n = 0;
        if (this.queue[0].exclusive) n = 1;
        else while (n < this.queue.length && !this.queue[n].exclusive) n++;
        const items = this.queue.splice(0, n);
        this.runEpoch(items);
      }
    } finally {
      this.running = false;
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private runEpoch(items: WorkItem[]): void {
    const started = performance.now();
    const epoch = this.epochValue + 1;
    const tx = new EpochTx(this, epoch);
    const results: { item: WorkItem; ok: boolean; value: unknown }[] = [];
    for (const item of items) {
      try {
        results.push({ item, ok: true, value: item.run(tx) });
      } catch (e) {
        results.push({ item, ok: false, value: e });
      }
    }
    let rows = 0;
    try {
      rows = this.propagate(tx);
      this.commit(tx);
    } catch (e) {
      // The in-memory state may now be ahead of the disk: fail every item and stop accepting work.
      const err = e instanceof SqlError ? e : storageError(e);
      this.log.error({ err: (e as Error).message, stack: (e as Error).stack, epoch }, 'epoch commit failed');
      for (const r of results) r.item.reject(err);
      if (!(e instanceof SqlError)) this.fatal(e);
      return;
    }
    this.epochValue = epoch;
    for (const r of results) (r.ok ? r.item.resolve : r.item.reject)(r.value);
    const ms = performance.now() - started;
    if (rows > 0 || tx.catalogWrites.length > 0) this.log.debug({ epoch, rows, durationMs: Math.round(ms * 100) / 100 }, 'epoch committed');
  }

  private fatal(e: unknown): void {
    this.closed = true;
    this.log.error({ err: (e as Error).message }, 'engine stopped after a failed commit; restart to recover the last committed epoch');
  }

  /** Runs every MV's dataflow over this epoch's changes, in dependency order. */
  private propagate(tx: EpochTx): number {
    let total = 0;
    for (const b of tx.deltas.values()) total += b.rows.length;
    if (tx.deltas.size === 0) return 0;
    const order = this.catalog.mvsInDependencyOrder();
    for (const obj of order) {
      const rt = this.mvs.get(obj.id);
      if (!rt) continue;
      let relevant = false;
      for (const k of rt.inputs) if (tx.deltas.has(k)) { relevant = true; break; }
      if (!relevant) continue;
      const out = rt.dataflow.step(tx.deltas, this.operatorContext(tx, obj));
      if (out.rows.length > 0) {
        rt.live.apply(out);
        const d = tx.delta(obj.id);
        for (let i = 0; i < out.rows.length; i++) {
          d.rows.push(out.rows[i]);
          d.weights.push(out.weights[i]);
        }
      }
    }
    return total;
  }

  operatorContext(tx: EpochTx, obj: CatalogObject): OperatorContext {
    return {
      epoch: tx.epoch,
      reportRowError: (error: unknown, row: Row) => {
        const e = error instanceof SqlError ? error : new SqlError(SqlState.InternalError, (error as Error)?.message ?? String(error));
        let rowJson: string | null = null;
        try {
          rowJson = rowToJson(row);
        } catch {
          rowJson = null;
        }
        this.pendingErrors.push({ object: obj.name, epoch: tx.epoch, sqlstate: e.code, message: e.message, row: rowJson });
      },
    };
  }

  private commit(tx: EpochTx): void {
    const s = this.stmts;
    const run = this.db.transaction(() => {
      s.setEpoch.run(String(tx.epoch));
      for (const id of tx.catalogDeletes) {
        s.delCatalog.run(id);
        s.delStream.run(id);
        s.delTable.run(id);
        s.delMv.run(id);
        s.delMvState.run(id);
      }
      for (const obj of tx.catalogWrites) s.putCatalog.run(obj.id, obj.name, JSON.stringify(obj));
      for (const [id, rows] of tx.streamAppends) {
        let seq = this.streamNextSeq.get(id) ?? 1;
        for (const r of rows) s.appendStream.add(id, seq++, encodeRow(r));
        this.streamNextSeq.set(id, seq);
        this.streamCounts.set(id, (this.streamCounts.get(id) ?? 0) + rows.length);
      }
      for (const [id, t] of this.tables) {
        if (t.dirty.size === 0) continue;
        for (const k of t.dirty) {
          const r = t.rows.get(k);
          const ks = encodeRowKey(k);
          if (r === undefined) s.delTableRow.run(id, ks);
          else s.putTableRow.run(id, ks, encodeRow(r));
        }
        t.dirty.clear();
      }
      for (const [id, rt] of this.mvs) {
        for (const { node, entries } of rt.dataflow.takeDirty()) {
          for (const e of entries) {
            // Pending chunked puts go first, so a put and a delete of one key keep their order.
            if (e.value === null) { s.putState.flush(); s.delState.run(id, node, e.key); }
            else s.putState.add(id, node, e.key, e.value);
          }
        }
        for (const e of rt.live.takeDirty()) {
          if (e.row === null || e.count === 0) { s.putMvRow.flush(); s.delMvRow.run(id, e.key); }
          else s.putMvRow.add(id, e.key, encodeRow(e.row), e.count);
        }
      }
      s.appendStream.flush();
      s.putState.flush();
      s.putMvRow.flush();
      const now = Date.now();
      for (const e of this.pendingErrors) s.insError.run(e.object, e.epoch, e.sqlstate, e.message, e.row, now);
    });
    try {
      run();
    } finally {
      this.pendingErrors = [];
    }
  }

  // ------------------------------------------------------------------ DDL (inside work items)

  createObject(tx: EpochTx, obj: CatalogObject): void {
    this.catalogVersion++;
    if (this.catalog.get(obj.name)) throw new InternalError(`object ${obj.name} exists`);
    this.catalog.add(obj);
    tx.catalogWrites.push(obj);
    if (obj.kind === 'table') this.tables.set(obj.id, new TableStore(obj));
    if (obj.kind === 'stream') {
      this.streamCounts.set(obj.id, 0);
      this.streamNextSeq.set(obj.id, 1);
    }
    if (obj.kind === 'mv') {
      let rt: MvRuntime;
      try {
        rt = this.instantiateMv(obj);
      } catch (e) {
        this.catalog.remove(obj.id);
        tx.catalogWrites.pop();
        throw e;
      }
      // Backfill: the MV starts from its inputs' current contents, so it equals its query over all accepted input.
      const ctx = this.operatorContext(tx, obj);
      const initial = rt.dataflow.init(ctx);
      const sources = new Map<string, ChangeBatch>();
      for (const id of obj.dependsOn) {
        const dep = this.catalog.getById(id);
        if (!dep || dep.kind === 'view') continue;
        const rows = [...this.scan({ kind: dep.kind === 'mv' ? 'mv' : dep.kind, objectId: dep.id, name: dep.name })];
        sources.set(String(id), { rows, weights: rows.map(() => 1) });
      }
      const out = rt.dataflow.step(sources, ctx);
      rt.live.apply(initial);
      rt.live.apply(out);
      this.mvs.set(obj.id, rt);
    }
  }

  dropObject(tx: EpochTx, id: number): void {
    this.catalogVersion++;
    this.catalog.remove(id);
    this.tables.delete(id);
    this.mvs.delete(id);
    this.streamCounts.delete(id);
    this.streamNextSeq.delete(id);
    tx.catalogDeletes.push(id);
  }

  // ------------------------------------------------------------------ DML (inside work items)

  appendToStream(tx: EpochTx, stream: CatalogObject, rows: Row[]): void {
    const cols = stream.columns;
    for (const r of rows) {
      for (let i = 0; i < cols.length; i++) {
        if (r[i] === null && cols[i].notNull) {
          throw new SqlError(SqlState.NotNullViolation, `null value in column "${cols[i].name}" of relation "${stream.name}" violates not-null constraint`, { table: stream.name, column: cols[i].name });
        }
      }
    }
    let l = tx.streamAppends.get(stream.id);
    if (!l) tx.streamAppends.set(stream.id, (l = []));
    const d = tx.delta(stream.id);
    for (const r of rows) {
      l.push(r);
      d.rows.push(r);
      d.weights.push(1);
    }
  }

  table(id: number): TableStore {
    const t = this.tables.get(id);
    if (!t) throw new InternalError(`no table store for ${id}`);
    return t;
  }

  // ------------------------------------------------------------------ reads (between epochs)

  scan(source: ScanSource): Iterable<Row> {
    switch (source.kind) {
      case 'table': return this.table(source.objectId).rows.values();
      case 'mv': {
        const rt = this.mvs.get(source.objectId);
        if (!rt) throw new InternalError(`no live table for ${source.name}`);
        return rt.live.rows();
      }
      case 'stream': return this.scanStream(source.objectId);
      case 'system': return this.scanSystem(source);
    }
  }

  private *scanStream(id: number): Iterable<Row> {
    for (const r of this.stmts.scanStream.iterate(id) as Iterable<string>) yield decodeRow(r);
  }

  /** System relations registered by the server (eddy_errors is the engine's own). */
  systemScanners = new Map<number, () => Iterable<Row>>();

  private scanSystem(source: ScanSource): Iterable<Row> {
    const f = this.systemScanners.get(source.objectId);
    if (!f) throw new InternalError(`no system table ${source.name}`);
    return f();
  }

  /** Rows of eddy_errors: id, object, epoch, sqlstate, message, row (JSON text), at (µs). */
  *scanErrors(): Iterable<Row> {
    for (const r of this.stmts.scanErrors.iterate() as Iterable<{ id: number; object: string; epoch: number; sqlstate: string; message: string; row: string | null; at: number }>) {
      yield [BigInt(r.id), r.object, BigInt(r.epoch), r.sqlstate, r.message, r.row, r.at * 1000];
    }
  }

  lookup(source: ScanSource, keyColumns: number[], keyValues: Value[]): Iterable<Row> {
    if (source.kind === 'mv') {
      const rt = this.mvs.get(source.objectId);
      if (!rt) throw new InternalError(`no live table for ${source.name}`);
      return rt.live.lookup(keyValues);
    }
    if (source.kind === 'table') return this.table(source.objectId).lookup(keyColumns, keyValues);
    throw new InternalError(`index lookup on ${source.kind}`);
  }

  streamRowCount(id: number): number {
    return this.streamCounts.get(id) ?? 0;
  }

  // ------------------------------------------------------------------ shutdown

  /** Finishes queued work (the current epoch included), then closes the database. */
  async close(): Promise<void> {
    if (this.queue.length > 0 || this.running || this.scheduled) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        this.schedule();
      });
    }
    this.closed = true;
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
    this.log.info({ epoch: this.epochValue }, 'engine closed');
  }
}

function encodeRowKey(k: RowKey): string {
  return typeof k === 'number' ? `#${k}` : `s${k}`;
}

function decodeRowKey(s: string): RowKey {
  return s[0] === '#' ? Number(s.slice(1)) : s.slice(1);
}

/** A row as plain JSON for eddy_errors: numbers stay numbers; exact values (bigint, numeric, interval) become strings. */
function rowToJson(row: Row): string {
  return JSON.stringify(
    row.map((v) => {
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
      if (typeof v === 'bigint') return v.toString();
      if (v === JSON_NULL) return null;
      if (v instanceof Decimal || v instanceof Interval) return v.toString();
      return v;
    }),
  );
}
