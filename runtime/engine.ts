/**
 * The engine facade: owns the catalog, base tables, stream logs, MV dataflows and live tables,
 * and runs epochs. Statements that change data are queued as work items; the scheduler runs all
 * items queued in one event-loop turn as one epoch, synchronously: apply the items, run every
 * dataflow in dependency order, then commit everything in ONE SQLite transaction. Readers run
 * between epochs, so they always see the last committed epoch, all MVs at the same point.
 */
import type { EvalContext } from './expr/eval-context.js';
import type { Row, Value } from './sql/values.js';
import { SqlError, InternalError } from './sql/errors.js';
import { SqlState } from './sql/sqlstate.js';
import { Catalog, watermarkKey, type CatalogObject } from './catalog/catalog.js';
import { PARTITION_IDLE_MS, StreamClock, type StreamClockState } from './time/stream-clock.js';
import type { ChangeBatch } from './dataflow/change-batch.js';
import type { Dataflow } from './dataflow/graph.js';
import type { OperatorContext } from './dataflow/operator.js';
import { LiveTable } from './live/live-table.js';
import { SubscriptionHub } from './live/subscriptions.js';
import { TableStore, type RowKey } from './tables/table-store.js';
import { DataDirError, openDatabase, storageError, type SqliteDb } from './storage/database.js';
import { ChunkedInsert } from './storage/chunked-insert.js';
import { encodeRow, decodeRow } from './storage/value-codec.js';
import { JSON_NULL } from './sql/values.js';
import { Decimal } from './sql/decimal.js';
import { Interval } from './sql/interval.js';
import { formatText } from './sql/text-io.js';
import { TypeId, type SqlType } from './sql/types.js';
import type { ScanSource } from './plan/plan.js';
import type { BatchDataAccess } from './batch/executor.js';
import { SourceHost, STOP_TIMEOUT_MS } from './connector/source-host.js';
import { SinkRunner } from './connector/sink-runner.js';
import type { SinkBatch, SinkChange } from './connector/sink.js';
import type { MalformedRecord, SourceBatch } from './connector/source.js';
import type { ConnectorRegistry } from './connector/sink.js';
import type { JsonValue } from './sql/values.js';

import type { EngineLogger } from './engine-logger.js';
export type { EngineLogger } from './engine-logger.js';

/** Builds an MV's dataflow from its catalog entry (the planner, injected by server/main). */
export type DataflowBuilder = (mv: CatalogObject, catalog: Catalog) => Dataflow;

export interface EngineOptions {
  dataDir: string;
  synchronous?: 'normal' | 'full';
  /** How often streams with a retention are trimmed (ms, default 10 s). */
  retentionCheckMs?: number;
  /** Caps the database size in pages (EDDY_MAX_DB_PAGES): simulates a full disk in tests. */
  maxDbPages?: number;
  logger: EngineLogger;
  buildDataflow: DataflowBuilder;
  /** Source and sink connectors (server/main registers them; runtime never imports connectors). */
  connectors?: ConnectorRegistry;
}

export interface MvRuntime {
  obj: CatalogObject;
  dataflow: Dataflow;
  live: LiveTable;
  /** Source ids (catalog ids as strings) the dataflow reads. */
  inputs: Set<string>;
  /** While the MV is still reading its input streams' retained history (see backfillStep). */
  backfill?: Backfill;
}

/**
 * A backfill in progress: the next stream sequence number to read per input stream. While it
 * runs, the MV ignores those streams' live changes (it reaches them through the log) and sees no
 * watermarks (nothing closes early); it switches to live input in the epoch where every cursor
 * has reached the committed end of its stream, so no row is missed or read twice.
 */
export interface Backfill {
  cursors: Map<number, number>;
  rowsDone: number;
  done: Promise<void>;
  finish: () => void;
  fail: (e: Error) => void;
}

const RETRY_AFTER_FAILURE_MS = 1000;

/** Stream rows a backfill reads per epoch; other epochs run in between. */
const BACKFILL_CHUNK = 20_000;
/** Streams with at most this many retained rows are backfilled at once, in the CREATE's epoch. */
const BACKFILL_AT_ONCE = 20_000;

interface WorkItem {
  run: (tx: EpochTx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** DDL items run alone in an epoch of their own. */
  exclusive: boolean;
}

/** A row dropped because its event time was below its stream's watermark. */
export interface LateRow {
  stream: string;
  eventTime: number;
  watermark: number;
  /** The row as a JSON object by column name, values as PostgreSQL prints them. */
  rowJson: string;
}

/** How many late rows eddy_late_rows keeps (the newest); older ones are trimmed at commit. */
export const LATE_ROWS_RETAINED = 100_000;

/** At most this many stream rows are trimmed per stream per epoch (retention), so epochs stay short. */
const TRIM_CHUNK = 50_000;

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
  readonly lateRows: LateRow[] = [];
  /** Streams whose clock (counts, watermark) changed in this epoch. */
  readonly clocksTouched = new Set<number>();
  /** Streams to trim in this epoch's commit: rows with seq below the value are deleted. */
  readonly streamTrims = new Map<number, number>();
  /** MVs whose backfill progressed in this epoch (their cursors are committed with it). */
  readonly backfills = new Set<MvRuntime>();
  readonly backfillsFinished: Backfill[] = [];
  /** Run a watermark-only pass even if no stream's watermark moved (idle advance, DDL). */
  watermarkPass = false;
  /** Source positions (JSON) committed with this epoch's source rows. */
  readonly sourcePositions = new Map<number, string>();
  /** Sinks created in this epoch: their object's current content goes to their outbox first. */
  readonly sinkSnapshots = new Set<number>();
  /** Sinks whose outbox received changes in this epoch (their runners are woken after commit). */
  readonly sinksFed = new Set<number>();
  /** Run after the epoch committed (start a new stream's source, ...). */
  readonly afterCommit: (() => void)[] = [];
  /** Wall clock at the epoch's start (µs): the processing time operators see. */
  readonly processingTime = Date.now() * 1000;
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
  /** Event-time clocks of every stream (with or without a watermark: they also count rows). */
  readonly clocks = new Map<number, StreamClock>();
  /** Current watermark per source column (catalog.watermarkKey): streams' own, MVs' derived. */
  readonly watermarks = new Map<string, number>();
  /** Clients following committed changes (SUBSCRIBE): told after each commit, never awaited. */
  readonly subscriptions = new SubscriptionHub((e) => this.log.error({ err: (e as Error)?.message }, 'subscription listener failed'));
  private clockTimer: NodeJS.Timeout | undefined;
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
  /** Committed position of every connector-fed stream's source. */
  private readonly sourcePositions = new Map<number, JsonValue>();
  readonly sources: SourceHost;
  readonly sinks = new Map<number, SinkRunner>();

  constructor(readonly opts: EngineOptions) {
    this.log = opts.logger;
    this.sources = new SourceHost({
      log: this.log,
      stream: (id) => this.catalog.getById(id),
      committedPosition: (id) => this.sourcePositions.get(id),
      ingest: (id, batch, sampled, isCurrent) => this.submit((tx) => {
        if (!isCurrent()) throw new SqlError(SqlState.QueryCanceled, 'source stopped');
        this.ingestSourceBatch(tx, id, batch, sampled);
      }),
    }, opts.connectors);
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** The SQLite handle, for small stores kept outside the epoch commit (roles); valid while open. */
  get sqlite(): SqliteDb {
    return this.db;
  }

  // ------------------------------------------------------------------ startup

  open(): void {
    this.db = openDatabase({ dataDir: this.opts.dataDir, synchronous: this.opts.synchronous ?? 'normal', maxPages: this.opts.maxDbPages });
    try {
      this.stmts = this.prepareStatements();
      this.loadState();
    } catch (e) {
      this.db.close();
      const code = (e as { code?: string }).code ?? '';
      const what = code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' ? 'is damaged' : 'cannot be loaded';
      throw new DataDirError(`data directory "${this.opts.dataDir}" ${what}: ${(e as Error).message}; restore it from a backup, or move it away to start empty`, 3);
    }
    this.startClockTimer();
    this.scheduleWakeup();
    this.startRetentionTimer();
    for (const obj of this.catalog.all()) {
      this.sources.start(obj);
      this.startSink(obj);
    }
    this.log.info({ epoch: this.epochValue, objects: this.catalog.all().length }, 'engine opened');
  }

  /** Loads the last committed epoch: catalog, tables, stream positions and clocks, MV state and live tables. */
  private loadState(): void {
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
        // Trimmed streams may hold no rows: the segments remember where the sequence stands.
        const seg = this.db.prepare('SELECT max(first_seq + n) FROM stream_segments WHERE stream_id = ?').pluck().get(obj.id) as number | null;
        this.streamCounts.set(obj.id, s.n);
        this.streamNextSeq.set(obj.id, Math.max((s.m ?? 0) + 1, seg ?? 1));
        const clock = new StreamClock(obj.eventTime);
        const st = this.db.prepare('SELECT state FROM stream_state WHERE stream_id = ?').pluck().get(obj.id) as string | undefined;
        if (st !== undefined) clock.load(JSON.parse(st, reviveInfinity) as StreamClockState);
        else clock.accepted = s.n;
        this.clocks.set(obj.id, clock);
        const pos = this.db.prepare('SELECT position FROM source_positions WHERE stream_id = ?').pluck().get(obj.id) as string | undefined;
        if (pos !== undefined) this.sourcePositions.set(obj.id, JSON.parse(pos) as JsonValue);
      }
    }
    this.refreshWatermarks();
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
      const bf = this.db.prepare('SELECT state FROM mv_backfill WHERE mv_id = ?').pluck().get(obj.id) as string | undefined;
      if (bf !== undefined) {
        const st = JSON.parse(bf) as { cursors: [number, number][]; rowsDone: number };
        rt.backfill = newBackfill(new Map(st.cursors), st.rowsDone);
        this.scheduleBackfill(rt);
      }
      this.refreshMvWatermarks(rt);
    }
  }

  /**
   * After a failed epoch (disk full, I/O error, a bug in an operator) the in-memory state may be
   * ahead of the disk: drop it and load the last committed epoch again, as a restart would.
   */
  private reload(): void {
    // CREATEs waiting for a backfill keep waiting for the reloaded one (or fail if it is gone).
    const waiting = new Map<number, Backfill>();
    for (const rt of this.mvs.values()) if (rt.backfill !== undefined) waiting.set(rt.obj.id, rt.backfill);
    this.catalog.clear();
    this.tables.clear();
    this.mvs.clear();
    this.clocks.clear();
    this.watermarks.clear();
    this.streamCounts.clear();
    this.streamNextSeq.clear();
    this.sourcePositions.clear();
    this.pendingErrors = [];
    this.catalogVersion++;
    this.loadState();
    this.scheduleWakeup();
    // Rows of the failed epoch are gone: sources read them again from their committed positions.
    this.sources.restartAll(this.catalog.all());
    for (const [id, b] of waiting) {
      const again = this.mvs.get(id)?.backfill;
      if (again !== undefined) {
        again.done = b.done;
        again.finish = b.finish;
        again.fail = b.fail;
      } else if (this.mvs.has(id)) b.finish();
      else b.fail(new SqlError(SqlState.IoError, 'the view could not be created: its epoch failed'));
    }
  }

  private prepareStatements() {
    const db = this.db;
    return {
      setEpoch: db.prepare("UPDATE meta SET value = ? WHERE key = 'epoch'"),
      putCatalog: db.prepare('INSERT OR REPLACE INTO catalog (id, name, def) VALUES (?, ?, ?)'),
      delCatalog: db.prepare('DELETE FROM catalog WHERE id = ?'),
      appendStream: new ChunkedInsert(db, 'INSERT INTO stream_rows (stream_id, seq, row)', 3),
      putSegment: db.prepare('INSERT OR REPLACE INTO stream_segments (stream_id, first_seq, n, at) VALUES (?, ?, ?, ?)'),
      delSegments: db.prepare('DELETE FROM stream_segments WHERE stream_id = ?'),
      trimStream: db.prepare('DELETE FROM stream_rows WHERE stream_id = ? AND seq < ?'),
      trimSegments: db.prepare('DELETE FROM stream_segments WHERE stream_id = ? AND first_seq + n <= ?'),
      firstSeq: db.prepare('SELECT min(seq) FROM stream_rows WHERE stream_id = ?').pluck(),
      expiredBefore: db.prepare('SELECT min(first_seq) FROM stream_segments WHERE stream_id = ? AND at >= ?').pluck(),
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
      readStream: db.prepare('SELECT seq, row FROM stream_rows WHERE stream_id = ? AND seq >= ? ORDER BY seq LIMIT ?'),
      putBackfill: db.prepare('INSERT OR REPLACE INTO mv_backfill (mv_id, state) VALUES (?, ?)'),
      delBackfill: db.prepare('DELETE FROM mv_backfill WHERE mv_id = ?'),
      scanErrors: db.prepare('SELECT id, object, epoch, sqlstate, message, row, at FROM errors ORDER BY id'),
      putStreamState: db.prepare('INSERT OR REPLACE INTO stream_state (stream_id, state) VALUES (?, ?)'),
      delStreamState: db.prepare('DELETE FROM stream_state WHERE stream_id = ?'),
      insLateRow: new ChunkedInsert(db, 'INSERT INTO late_rows (stream, epoch, event_time, watermark, row, at)', 6),
      trimLateRows: db.prepare('DELETE FROM late_rows WHERE id <= (SELECT max(id) FROM late_rows) - ?'),
      putOutbox: new ChunkedInsert(db, 'INSERT INTO sink_outbox (sink_id, epoch, seq, row, weight)', 5),
      readOutbox: db.prepare('SELECT epoch, row, weight FROM sink_outbox WHERE sink_id = ? AND epoch > ? ORDER BY epoch, seq LIMIT ?'),
      readOutboxEpoch: db.prepare('SELECT row, weight FROM sink_outbox WHERE sink_id = ? AND epoch = ? ORDER BY seq'),
      ackOutbox: db.prepare('DELETE FROM sink_outbox WHERE sink_id = ? AND epoch <= ?'),
      putSinkProgress: db.prepare('INSERT OR REPLACE INTO sink_progress (sink_id, written_epoch, at) VALUES (?, ?, ?)'),
      delOutbox: db.prepare('DELETE FROM sink_outbox WHERE sink_id = ?'),
      delSinkProgress: db.prepare('DELETE FROM sink_progress WHERE sink_id = ?'),
      sinkProgress: db.prepare('SELECT written_epoch FROM sink_progress WHERE sink_id = ?').pluck(),
      pendingOutbox: db.prepare('SELECT count(DISTINCT epoch) AS epochs, count(*) AS n FROM sink_outbox WHERE sink_id = ?'),
      putPosition: db.prepare('INSERT OR REPLACE INTO source_positions (stream_id, position) VALUES (?, ?)'),
      delPosition: db.prepare('DELETE FROM source_positions WHERE stream_id = ?'),
      scanLateRows: db.prepare('SELECT id, stream, epoch, event_time, watermark, row, at FROM late_rows ORDER BY id'),
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
      this.scheduleWakeup();
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
      rows = this.propagate(tx, tx.deltas, false);
      if (this.endEpochClocks(tx) || tx.watermarkPass) this.propagateWatermarks(tx);
      this.commit(tx);
    } catch (e) {
      // Nothing of this epoch is on disk; the in-memory state may be ahead of it: every item
      // fails, and the state is reloaded from the last committed epoch (reads keep working).
      const err = e instanceof SqlError ? e : storageError(e);
      this.log.error({ err: (e as Error).message, stack: (e as Error).stack, epoch, sqlstate: err.code }, 'epoch failed; reloading the last committed epoch');
      for (const r of results) r.item.reject(err);
      this.lastFailureAt = Date.now();
      try {
        this.reload();
      } catch (re) {
        this.fatal(re);
      }
      return;
    }
    this.epochValue = epoch;
    this.subscriptions.publish(epoch, tx.deltas);
    for (const f of tx.afterCommit) f();
    for (const id of tx.sinksFed) this.sinks.get(id)?.notify();
    for (const b of tx.backfillsFinished) b.finish();
    for (const r of results) (r.ok ? r.item.resolve : r.item.reject)(r.value);
    const ms = performance.now() - started;
    if (rows > 0 || tx.catalogWrites.length > 0) this.log.debug({ epoch, rows, durationMs: Math.round(ms * 100) / 100 }, 'epoch committed');
  }

  /** Wall-clock ms of the last failed epoch: background work (backfill, timers) backs off after it. */
  private lastFailureAt = 0;

  /** How long background work waits after a failed epoch (e.g. a full disk) before trying again. */
  private backoffMs(): number {
    return Math.max(0, this.lastFailureAt + RETRY_AFTER_FAILURE_MS - Date.now());
  }

  private fatal(e: unknown): void {
    this.closed = true;
    this.log.error({ err: (e as Error).message }, 'engine stopped: the last committed epoch could not be reloaded; restart to recover it');
  }

  /**
   * Runs every MV's dataflow over `deltas`, in dependency order; an MV's output joins `deltas` for
   * the MVs that read it. With `watermarkPass`, MVs that close windows step even without input.
   */
  private propagate(tx: EpochTx, deltas: Map<string, ChangeBatch>, watermarkPass: boolean): number {
    let total = 0;
    for (const b of deltas.values()) total += b.rows.length;
    if (deltas.size === 0 && !watermarkPass) return 0;
    const order = this.catalog.mvsInDependencyOrder();
    for (const obj of order) {
      const rt = this.mvs.get(obj.id);
      if (!rt) continue;
      let relevant = watermarkPass && rt.dataflow.usesWatermarks;
      if (!relevant) for (const k of rt.inputs) if (deltas.has(k)) { relevant = true; break; }
      if (!relevant) continue;
      let sources: ReadonlyMap<string, ChangeBatch> = deltas;
      if (rt.backfill !== undefined) {
        // Streams still being read from the log: their live rows come later, through the log.
        const m = new Map(deltas);
        for (const id of rt.backfill.cursors.keys()) m.delete(String(id));
        sources = m;
      }
      const out = rt.dataflow.step(sources, this.operatorContext(tx, obj));
      if (out.rows.length > 0) {
        rt.live.apply(out);
        const k = String(obj.id);
        let d = deltas.get(k);
        if (!d) deltas.set(k, (d = { rows: [], weights: [] }));
        for (let i = 0; i < out.rows.length; i++) {
          d.rows.push(out.rows[i]);
          d.weights.push(out.weights[i]);
        }
      }
    }
    return total;
  }

  /** Folds this epoch's event times into the streams' watermarks; true if one moved. */
  private endEpochClocks(tx: EpochTx): boolean {
    let moved = false;
    for (const [id, c] of this.clocks) {
      if (c.endEpoch()) {
        moved = true;
        tx.clocksTouched.add(id);
      }
    }
    return moved;
  }

  /**
   * The watermark-only step (Spark's no-data micro-batch), inside the same epoch: with the
   * watermarks the epoch's input produced, every windowed operator closes what became final, so
   * FLUSH after an INSERT also waits for the windows that INSERT closed.
   */
  private propagateWatermarks(tx: EpochTx): void {
    this.watermarkTime = tx.processingTime;
    this.refreshWatermarks();
    const closed = new Map<string, ChangeBatch>();
    this.propagate(tx, closed, true);
    // What the pass emitted (closed windows) is part of the epoch's changes: sinks read them.
    for (const [k, b] of closed) {
      const d = tx.deltas.get(k);
      if (d === undefined) tx.deltas.set(k, b);
      else for (let i = 0; i < b.rows.length; i++) { d.rows.push(b.rows[i]); d.weights.push(b.weights[i]); }
    }
  }

  /** Recomputes every stream's and MV's watermark entries. */
  private refreshWatermarks(): void {
    for (const [id, c] of this.clocks) {
      const obj = this.catalog.getById(id);
      if (obj?.eventTime) this.watermarks.set(watermarkKey(id, obj.eventTime.column), c.watermark);
    }
    for (const obj of this.catalog.mvsInDependencyOrder()) {
      const rt = this.mvs.get(obj.id);
      if (rt) this.refreshMvWatermarks(rt);
    }
  }

  private refreshMvWatermarks(rt: MvRuntime): void {
    const ctx = rt.backfill !== undefined ? { ...this.watermarkContext, watermark: noWatermark } : this.watermarkContext;
    rt.dataflow.outputWatermarks.forEach((f, col) => {
      if (f !== null) this.watermarks.set(watermarkKey(rt.obj.id, col), f(ctx));
    });
  }

  /** Processing time (µs) derived watermarks are computed at: the current epoch's. */
  private watermarkTime = -Infinity;

  private readonly watermarkContext: OperatorContext = (() => {
    const engine = this;
    return {
      epoch: 0,
      reportRowError: () => {},
      watermark: (k: string) => engine.watermarks.get(k) ?? -Infinity,
      get processingTime() {
        return engine.watermarkTime;
      },
    };
  })();

  /** Runs idle-timeout watermark epochs for quiet streams (see StreamClock.idleAdvance). */
  private startClockTimer(): void {
    if (this.clockTimer !== undefined) clearInterval(this.clockTimer);
    let minTimeout = Infinity;
    for (const [id, c] of this.clocks) {
      if (c.def === undefined) continue;
      minTimeout = Math.min(minTimeout, c.def.idleTimeoutMs ?? Infinity);
      // Partitioned sources: a partition going idle frees the watermark (partition_idle_timeout).
      if (this.opts.connectors !== undefined && this.catalog.getById(id)?.options.connector !== undefined) {
        minTimeout = Math.min(minTimeout, c.def.partitionIdleMs ?? PARTITION_IDLE_MS);
      }
    }
    if (minTimeout === Infinity) {
      this.clockTimer = undefined;
      return;
    }
    const period = Math.max(20, Math.min(1000, minTimeout / 5));
    this.clockTimer = setInterval(() => this.idleTick(), period);
    this.clockTimer.unref();
  }

  private retentionTimer: NodeJS.Timeout | undefined;

  /** Trims streams with a retention in the background, at most TRIM_CHUNK rows per stream per epoch. */
  private startRetentionTimer(): void {
    this.retentionTimer = setInterval(() => {
      if (this.closed) return;
      if (!this.catalog.all().some((o) => o.kind === 'stream' && o.retention)) return;
      this.submit((tx) => this.planTrims(tx)).catch(() => {});
    }, this.opts.retentionCheckMs ?? 10_000);
    this.retentionTimer.unref();
  }

  private planTrims(tx: EpochTx): void {
    const now = Date.now();
    for (const obj of this.catalog.all()) {
      const r = obj.retention;
      if (obj.kind !== 'stream' || r === undefined) continue;
      const next = this.streamNextSeq.get(obj.id) ?? 1;
      let before = 0;
      if (r.rows !== undefined) before = Math.max(before, next - r.rows);
      if (r.ms !== undefined) before = Math.max(before, (this.stmts.expiredBefore.get(obj.id, now - r.ms) as number | null) ?? next);
      const first = this.stmts.firstSeq.get(obj.id) as number | null;
      if (first === null || before <= first) continue;
      tx.streamTrims.set(obj.id, Math.min(before, first + TRIM_CHUNK));
    }
  }

  private wakeupTimer: NodeJS.Timeout | undefined;
  private wakeupAt = Infinity;

  /** Arms a timer for the earliest processing time an operator asked to be stepped at. */
  private scheduleWakeup(): void {
    let at = Infinity;
    for (const rt of this.mvs.values()) if (rt.dataflow.usesWatermarks) at = Math.min(at, rt.dataflow.nextWakeup());
    if (at === this.wakeupAt || this.closed) return;
    if (this.wakeupTimer !== undefined) clearTimeout(this.wakeupTimer);
    this.wakeupTimer = undefined;
    this.wakeupAt = at;
    if (at === Infinity) return;
    const delayMs = Math.max(this.backoffMs(), Math.min(2 ** 31 - 1, Math.ceil(at / 1000 - Date.now())));
    this.wakeupTimer = setTimeout(() => {
      this.wakeupTimer = undefined;
      this.wakeupAt = Infinity;
      this.submit((tx) => { tx.watermarkPass = true; }).catch(() => {});
    }, delayMs);
    this.wakeupTimer.unref();
  }

  private idleTick(): void {
    if (this.closed || this.running || this.backoffMs() > 0) return;
    const now = Date.now();
    let due = false;
    for (const c of this.clocks.values()) if (c.nextIdleCheck() <= now) { due = true; break; }
    if (!due) return;
    // Alone in its epoch, so the raised watermark applies from the next epoch's start.
    this.submit((tx) => {
      const at = Date.now();
      for (const [id, c] of this.clocks) {
        if (c.idleAdvance(at) || c.partitionIdleAdvance(at)) {
          tx.clocksTouched.add(id);
          tx.watermarkPass = true;
        }
      }
    }, { exclusive: true }).catch(() => {});
  }

  operatorContext(tx: EpochTx, obj: CatalogObject): OperatorContext {
    const backfilling = this.mvs.get(obj.id)?.backfill !== undefined;
    return {
      epoch: tx.epoch,
      watermark: backfilling ? noWatermark : this.watermarkContext.watermark,
      processingTime: tx.processingTime,
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
        s.delStreamState.run(id);
        s.delSegments.run(id);
        s.delBackfill.run(id);
        s.delPosition.run(id);
        s.delOutbox.run(id);
        s.delSinkProgress.run(id);
      }
      for (const obj of tx.catalogWrites) s.putCatalog.run(obj.id, obj.name, JSON.stringify(obj));
      const appendedAt = Date.now();
      for (const [id, rows] of tx.streamAppends) {
        let seq = this.streamNextSeq.get(id) ?? 1;
        if (rows.length > 0) s.putSegment.run(id, seq, rows.length, appendedAt);
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
      for (const [id, before] of tx.streamTrims) {
        const deleted = s.trimStream.run(id, before).changes;
        s.trimSegments.run(id, before);
        this.streamCounts.set(id, (this.streamCounts.get(id) ?? 0) - deleted);
      }
      s.putState.flush();
      s.putMvRow.flush();
      for (const rt of tx.backfills) {
        if (!this.mvs.has(rt.obj.id)) continue;
        const b = rt.backfill;
        if (b === undefined) s.delBackfill.run(rt.obj.id);
        else s.putBackfill.run(rt.obj.id, JSON.stringify({ cursors: [...b.cursors], rowsDone: b.rowsDone }));
      }
      for (const id of tx.clocksTouched) {
        const c = this.clocks.get(id);
        if (c) s.putStreamState.run(id, JSON.stringify(c.state(), replaceInfinity));
      }
      const now = Date.now();
      if (tx.lateRows.length > 0) {
        for (const l of tx.lateRows) s.insLateRow.add(l.stream, tx.epoch, l.eventTime, l.watermark, l.rowJson, now);
        s.insLateRow.flush();
        s.trimLateRows.run(LATE_ROWS_RETAINED);
      }
      for (const e of this.pendingErrors) s.insError.run(e.object, e.epoch, e.sqlstate, e.message, e.row, now);
      for (const [id, p] of tx.sourcePositions) if (this.catalog.getById(id) !== undefined) s.putPosition.run(id, p);
      this.writeOutboxes(tx);
    });
    try {
      run();
      for (const [id, p] of tx.sourcePositions) if (this.catalog.getById(id) !== undefined) this.sourcePositions.set(id, JSON.parse(p) as JsonValue);
    } catch (e) {
      // The transaction rolled back; rows buffered for it must not leak into the next one.
      for (const ins of [s.appendStream, s.putState, s.putMvRow, s.insLateRow, s.putOutbox]) ins.discard();
      throw e;
    } finally {
      this.pendingErrors = [];
    }
  }

  // ------------------------------------------------------------------ DDL (inside work items)

  /** Changes a catalog object's definition in place (its recorded indexes); persisted with the epoch. Call it last in the epoch's work. */
  updateObject(tx: EpochTx, obj: CatalogObject, change: (o: CatalogObject) => void): void {
    change(obj);
    this.catalogVersion++;
    tx.catalogWrites.push(obj);
  }

  createObject(tx: EpochTx, obj: CatalogObject): void {
    this.catalogVersion++;
    if (this.catalog.get(obj.name)) throw new InternalError(`object ${obj.name} exists`);
    this.catalog.add(obj);
    tx.catalogWrites.push(obj);
    if (obj.kind === 'table') this.tables.set(obj.id, new TableStore(obj));
    if (obj.kind === 'sink') {
      if (obj.options.snapshot !== 'false') tx.sinkSnapshots.add(obj.id);
      tx.afterCommit.push(() => this.startSink(obj));
    }
    if (obj.kind === 'stream') {
      this.streamCounts.set(obj.id, 0);
      this.streamNextSeq.set(obj.id, 1);
      this.clocks.set(obj.id, new StreamClock(obj.eventTime));
      tx.clocksTouched.add(obj.id);
      if (obj.eventTime?.idleTimeoutMs !== undefined || obj.options.connector !== undefined) this.startClockTimer();
      tx.afterCommit.push(() => this.sources.start(obj));
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
      // Windows the current watermarks already close are closed by the same step.
      this.refreshWatermarks();
      const ctx = this.operatorContext(tx, obj);
      const initial = rt.dataflow.init(ctx);
      const sources = new Map<string, ChangeBatch>();
      const streams = obj.dependsOn.filter((id) => this.catalog.getById(id)?.kind === 'stream');
      let history = 0;
      for (const id of streams) history += this.streamRowCount(id);
      // Large stream histories are read in chunks, epoch by epoch (backfillStep); tables and MVs
      // are small enough to snapshot here and then follow live.
      const chunked = history > BACKFILL_AT_ONCE;
      if (chunked) rt.backfill = newBackfill(new Map(streams.map((id) => [id, 0])), 0);
      for (const id of obj.dependsOn) {
        const dep = this.catalog.getById(id);
        if (!dep || dep.kind === 'view' || dep.kind === 'sink' || (chunked && dep.kind === 'stream')) continue;
        const rows = [...this.scan({ kind: dep.kind === 'mv' ? 'mv' : dep.kind, objectId: dep.id, name: dep.name })];
        sources.set(String(id), { rows, weights: rows.map(() => 1) });
      }
      this.mvs.set(obj.id, rt);
      const out = rt.dataflow.step(sources, chunked ? this.operatorContext(tx, obj) : ctx);
      rt.live.apply(initial);
      rt.live.apply(out);
      this.refreshMvWatermarks(rt);
      if (rt.backfill !== undefined) {
        tx.backfills.add(rt);
        this.scheduleBackfill(rt);
      } else if (obj.replaces !== undefined) this.takeOver(tx, rt);
    }
  }

  /**
   * CREATE OR REPLACE: the caught-up replacement takes the old view's name in this epoch; the old
   * view is dropped in the same commit, so readers see one or the other, never neither. If the old
   * view gained dependents or was dropped meanwhile, the replacement is abandoned instead.
   */
  private takeOver(tx: EpochTx, rt: MvRuntime): void {
    const obj = rt.obj;
    const old = obj.replaces === undefined ? undefined : this.catalog.getById(obj.replaces);
    if (old === undefined || old.kind !== 'mv' || this.catalog.dependents(old.id).length > 0) {
      this.log.warn({ mv: obj.name }, 'replacement abandoned: the view it replaces was dropped or gained dependents');
      this.dropObject(tx, obj.id);
      return;
    }
    this.dropObject(tx, old.id);
    this.catalog.remove(obj.id);
    obj.name = old.name;
    delete obj.replaces;
    this.catalog.add(obj);
    tx.catalogWrites.push(obj);
    this.catalogVersion++;
  }

  /** Resolves once the MV has caught up with its input streams (at once if it has no backfill). */
  backfillDone(id: number): Promise<void> {
    return this.mvs.get(id)?.backfill?.done ?? Promise.resolve();
  }

  /** Backfill progress: stream rows read so far and rows still to read, or undefined when live. */
  backfillProgress(id: number): { done: number; remaining: number } | undefined {
    const b = this.mvs.get(id)?.backfill;
    if (b === undefined) return undefined;
    let remaining = 0;
    for (const [sid, cursor] of b.cursors) {
      const next = this.streamNextSeq.get(sid) ?? 1;
      const first = (this.stmts.firstSeq.get(sid) as number | null) ?? next;
      remaining += Math.max(0, next - Math.max(cursor, first));
    }
    return { done: b.rowsDone, remaining };
  }

  /** Queues the next chunk after pending network input had a turn (so clients are not starved). */
  private scheduleBackfill(rt: MvRuntime): void {
    const wait = this.backoffMs();
    const next = (f: () => void) => (wait > 0 ? setTimeout(f, wait).unref() : setImmediate(f));
    next(() => {
      if (this.closed || this.mvs.get(rt.obj.id) !== rt || rt.backfill === undefined) return;
      this.submit((tx) => this.backfillStep(tx, rt)).then(
        () => { if (rt.backfill !== undefined) this.scheduleBackfill(rt); },
        () => {},
      );
    });
  }

  /** Reads the next chunk of the MV's input streams from the log; switches it live once caught up. */
  private backfillStep(tx: EpochTx, rt: MvRuntime): void {
    const b = rt.backfill;
    if (b === undefined || this.mvs.get(rt.obj.id) !== rt) return;
    const sources = new Map<string, ChangeBatch>();
    let caughtUp = true;
    let budget = BACKFILL_CHUNK;
    for (const [sid, cursor] of b.cursors) {
      const next = this.streamNextSeq.get(sid) ?? 1;
      if (cursor >= next) continue;
      const got = this.stmts.readStream.all(sid, cursor, Math.max(1, budget)) as { seq: number; row: string }[];
      if (got.length === 0) {
        b.cursors.set(sid, next);
        continue;
      }
      const rows = got.map((g) => decodeRow(g.row));
      sources.set(String(sid), { rows, weights: rows.map(() => 1) });
      const last = got[got.length - 1].seq + 1;
      b.cursors.set(sid, last);
      b.rowsDone += rows.length;
      budget -= rows.length;
      if (last < next) caughtUp = false;
    }
    const out = rt.dataflow.step(sources, this.operatorContext(tx, rt.obj));
    if (out.rows.length > 0) {
      rt.live.apply(out);
      const d = tx.delta(rt.obj.id);
      for (let i = 0; i < out.rows.length; i++) {
        d.rows.push(out.rows[i]);
        d.weights.push(out.weights[i]);
      }
    }
    tx.backfills.add(rt);
    if (caughtUp) {
      // From this epoch on the MV takes its streams' live changes, this epoch's included, and
      // the watermark pass closes whatever the real watermarks make final.
      rt.backfill = undefined;
      tx.watermarkPass = true;
      tx.backfillsFinished.push(b);
      this.log.info({ mv: rt.obj.name, rows: b.rowsDone }, 'backfill finished');
      if (rt.obj.replaces !== undefined) this.takeOver(tx, rt);
    }
  }

  dropObject(tx: EpochTx, id: number): void {
    this.catalogVersion++;
    this.catalog.remove(id);
    this.tables.delete(id);
    this.mvs.get(id)?.backfill?.finish();
    this.mvs.delete(id);
    this.streamCounts.delete(id);
    this.streamNextSeq.delete(id);
    this.clocks.delete(id);
    this.sourcePositions.delete(id);
    void this.sources.stop(id);
    void this.sinks.get(id)?.stop();
    this.sinks.delete(id);
    for (const k of [...this.watermarks.keys()]) if (k.startsWith(`${id}.`)) this.watermarks.delete(k);
    tx.catalogDeletes.push(id);
  }

  // ------------------------------------------------------------------ DML (inside work items)

  /** Appends rows to a stream; late rows (below the watermark) are diverted to eddy_late_rows. Returns the number accepted. */
  /** Appends rows to a stream; returns how many were accepted (late rows are diverted), listing them in `accepted` if given. */
  appendToStream(tx: EpochTx, stream: CatalogObject, rows: Row[], partition?: string, accepted?: Row[]): number {
    const cols = stream.columns;
    for (const r of rows) {
      for (let i = 0; i < cols.length; i++) {
        if (r[i] === null && cols[i].notNull) {
          throw new SqlError(SqlState.NotNullViolation, `null value in column "${cols[i].name}" of relation "${stream.name}" violates not-null constraint`, { table: stream.name, column: cols[i].name });
        }
      }
    }
    const clock = this.clocks.get(stream.id);
    const et = stream.eventTime;
    if (et !== undefined) {
      // An infinite event time would move the watermark to infinity and make every later row late.
      for (const r of rows) {
        if (!Number.isFinite(r[et.column] as number)) {
          throw new SqlError(SqlState.DatetimeFieldOverflow, `event time "${stream.columns[et.column].name}" of stream "${stream.name}" must be finite, not ${String(r[et.column]).replace('Infinity', 'infinity')}`);
        }
      }
    }
    let l = tx.streamAppends.get(stream.id);
    if (!l) tx.streamAppends.set(stream.id, (l = []));
    const d = tx.delta(stream.id);
    let late = 0;
    clock?.setPartition(partition);
    for (const r of rows) {
      if (clock !== undefined && clock.isLate(r)) {
        late++;
        tx.lateRows.push({ stream: stream.name, eventTime: r[clock.def!.column] as number, watermark: clock.watermark, rowJson: namedRowJson(cols, r) });
        continue;
      }
      l.push(r);
      d.rows.push(r);
      d.weights.push(1);
      accepted?.push(r);
    }
    if (clock !== undefined) {
      clock.count(rows.length - late, late, Date.now());
      tx.clocksTouched.add(stream.id);
    }
    return rows.length - late;
  }

  /** A source's batch inside an epoch: its rows, its malformed records and its new position. */
  private ingestSourceBatch(tx: EpochTx, id: number, batch: SourceBatch, sampled: MalformedRecord[]): void {
    const stream = this.catalog.getById(id);
    if (stream === undefined) throw new SqlError(SqlState.UndefinedTable, `stream ${id} was dropped`);
    if (batch.rows.length > 0) this.appendToStream(tx, stream, batch.rows, batch.partition);
    const bad = batch.malformed?.length ?? 0;
    if (bad > 0) {
      const clock = this.clocks.get(id);
      if (clock !== undefined) {
        clock.malformed += bad;
        tx.clocksTouched.add(id);
      }
      for (const m of sampled) this.pendingErrors.push({ object: stream.name, epoch: tx.epoch, sqlstate: m.sqlstate, message: m.message, row: m.raw });
    }
    tx.sourcePositions.set(id, JSON.stringify(batch.position));
  }

  // ------------------------------------------------------------------ sinks

  /** In the commit: each sink's object's changes of this epoch (and a new sink's snapshot) into its outbox. */
  private writeOutboxes(tx: EpochTx): void {
    const s = this.stmts;
    for (const obj of this.catalog.all()) {
      if (obj.kind !== 'sink') continue;
      const from = this.catalog.getById(obj.dependsOn[0]);
      if (from === undefined) continue;
      let seq = 0;
      if (tx.sinkSnapshots.has(obj.id)) {
        const kind = from.kind === 'mv' ? 'mv' : from.kind === 'table' ? 'table' : 'stream';
        // A sink created in this epoch: the snapshot is the content before this epoch's changes,
        // which are appended after it (the CREATE runs alone in its epoch, so there are none).
        // Read first, write after: a stream scan is a cursor on the connection the outbox insert uses.
        const rows = [...this.scan({ kind, objectId: from.id, name: from.name })];
        for (const r of rows) s.putOutbox.add(obj.id, tx.epoch, seq++, encodeRow(r), 1);
      }
      const d = tx.deltas.get(String(from.id));
      if (d !== undefined) for (let i = 0; i < d.rows.length; i++) s.putOutbox.add(obj.id, tx.epoch, seq++, encodeRow(d.rows[i]), d.weights[i]);
      if (seq > 0) tx.sinksFed.add(obj.id);
    }
    s.putOutbox.flush();
  }

  private startSink(obj: CatalogObject): void {
    if (obj.kind !== 'sink' || this.sinks.has(obj.id)) return;
    const name = obj.options.connector;
    const connector = name !== undefined ? this.opts.connectors?.sink(name) : undefined;
    const log = this.log.child?.({ sink: obj.name, connector: name }) ?? this.log;
    if (connector === undefined) {
      this.log.error({ sink: obj.name, connector: name }, 'no such sink connector; the sink writes nothing');
      return;
    }
    const from = this.catalog.getById(obj.dependsOn[0]);
    const keyColumns = obj.primaryKey.length > 0 ? obj.primaryKey : null;
    const runner = new SinkRunner(obj, connector, {
      read: (id, after, max) => this.readOutbox(id, after, max),
      ack: (id, epoch) => {
        if (this.closed || !this.catalog.getById(id)) return;
        this.stmts.ackOutbox.run(id, epoch);
        this.stmts.putSinkProgress.run(id, epoch, Date.now());
      },
    }, () => ({ sink: obj, columns: from?.columns ?? obj.columns, keyColumns, log }), log);
    this.sinks.set(obj.id, runner);
  }

  private readOutbox(sinkId: number, afterEpoch: number, maxChanges: number): SinkBatch | undefined {
    if (this.closed) return undefined;
    const rows = this.stmts.readOutbox.all(sinkId, afterEpoch, maxChanges + 1) as { epoch: number; row: string; weight: number }[];
    if (rows.length === 0) return undefined;
    const epochs: SinkBatch['epochs'] = [];
    if (rows.length > maxChanges) {
      const last = rows[rows.length - 1].epoch;
      if (rows[0].epoch === last) {
        // One epoch larger than a batch: it still goes whole, in one external transaction.
        const all = this.stmts.readOutboxEpoch.all(sinkId, last) as { row: string; weight: number }[];
        return { epochs: [{ epoch: last, changes: all.map((r) => ({ row: decodeRow(r.row), weight: r.weight })) }], lastEpoch: last };
      }
      while (rows.length > 0 && rows[rows.length - 1].epoch === last) rows.pop();
    }
    let cur: SinkChange[] | undefined;
    let curEpoch = -1;
    for (const r of rows) {
      if (r.epoch !== curEpoch) {
        curEpoch = r.epoch;
        epochs.push({ epoch: curEpoch, changes: (cur = []) });
      }
      cur!.push({ row: decodeRow(r.row), weight: r.weight });
    }
    return { epochs, lastEpoch: curEpoch };
  }

  /** Rows of SHOW SINKS / eddy_sinks: name, from, connector, status, written epoch, pending epochs, pending changes. */
  sinkStats(): Row[] {
    const out: Row[] = [];
    for (const obj of this.catalog.all()) {
      if (obj.kind !== 'sink') continue;
      const r = this.sinks.get(obj.id);
      const p = this.stmts.pendingOutbox.get(obj.id) as { epochs: number; n: number };
      const st = r?.status;
      out.push([
        obj.name,
        this.catalog.getById(obj.dependsOn[0])?.name ?? null,
        obj.options.connector ?? null,
        st === undefined ? 'stopped' : st.message !== undefined ? `${st.state}: ${st.message}` : st.state,
        writtenEpoch(r?.writtenEpoch ?? 0, this.stmts.sinkProgress.get(obj.id) as number | undefined),
        BigInt(p.epochs),
        BigInt(p.n),
      ]);
    }
    return out.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
  }

  table(id: number): TableStore {
    const t = this.tables.get(id);
    if (!t) throw new InternalError(`no table store for ${id}`);
    return t;
  }

  // ------------------------------------------------------------------ reads (between epochs)

  scan(source: ScanSource, ctx?: EvalContext): Iterable<Row> {
    switch (source.kind) {
      case 'table': return this.table(source.objectId).rows.values();
      case 'mv': {
        const rt = this.mvs.get(source.objectId);
        if (!rt) throw new InternalError(`no live table for ${source.name}`);
        return rt.live.rows();
      }
      case 'stream': return this.scanStream(source.objectId);
      case 'system': return this.scanSystem(source, ctx);
    }
  }

  private *scanStream(id: number): Iterable<Row> {
    for (const r of this.stmts.scanStream.iterate(id) as Iterable<string>) yield decodeRow(r);
  }

  /** System relations registered by the server (eddy_errors is the engine's own); some read the session through ctx. */
  systemScanners = new Map<number, (ctx?: EvalContext) => Iterable<Row>>();

  private scanSystem(source: ScanSource, ctx?: EvalContext): Iterable<Row> {
    const f = this.systemScanners.get(source.objectId);
    if (!f) throw new InternalError(`no system table ${source.name}`);
    return f(ctx);
  }

  /** Rows of eddy_late_rows: id, stream, epoch, event_time, watermark, row (JSON text), at. */
  *scanLateRows(): Iterable<Row> {
    for (const r of this.stmts.scanLateRows.iterate() as Iterable<{ id: number; stream: string; epoch: number; event_time: number; watermark: number; row: string; at: number }>) {
      yield [BigInt(r.id), r.stream, BigInt(r.epoch), r.event_time, r.watermark, r.row, r.at * 1000];
    }
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

  /** Rows of eddy_streams (see server/session/system-tables.ts). */
  streamStats(): Row[] {
    const rows: Row[] = [];
    for (const obj of this.catalog.all()) {
      if (obj.kind !== 'stream') continue;
      const c = this.clocks.get(obj.id);
      const et = obj.eventTime;
      const finite = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
      rows.push([
        obj.name,
        BigInt(c?.accepted ?? 0),
        BigInt(c?.late ?? 0),
        BigInt(this.streamRowCount(obj.id)),
        obj.options.retention ?? 'unlimited',
        et ? obj.columns[et.column].name : null,
        et ? Interval.fromMicros(et.delayMicros) : null,
        finite(c?.maxEventTime),
        finite(c?.watermark),
        et?.idleTimeoutMs !== undefined ? Interval.fromMicros(et.idleTimeoutMs * 1000) : null,
        c && c.lastInputAt > 0 ? c.lastInputAt * 1000 : null,
        obj.options.connector ?? null,
        this.sourceStatusText(obj.id),
        BigInt(c?.malformed ?? 0),
      ]);
    }
    return rows.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
  }

  /** A connector-fed stream's source status, e.g. "running" or "retrying: connection refused"; null without a connector. */
  sourceStatusText(id: number): string | null {
    const st = this.sources.status(id);
    if (st === undefined) return this.catalog.getById(id)?.options.connector !== undefined ? 'stopped' : null;
    return st.message !== undefined ? `${st.state}: ${st.message}` : st.state;
  }

  streamRowCount(id: number): number {
    return this.streamCounts.get(id) ?? 0;
  }

  // ------------------------------------------------------------------ shutdown

  /** Finishes queued work (the current epoch included), then closes the database. */
  async close(): Promise<void> {
    await this.sources.stopAll();
    // A sink writing to an unresponsive target is left behind after a short wait: its epochs
    // stay in the outbox and are written after the restart.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.sinks.values()].map((r) => r.stop())), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    this.sinks.clear();
    if (this.queue.length > 0 || this.running || this.scheduled) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        this.schedule();
      });
    }
    this.closed = true;
    // A CREATE waiting for its backfill fails: the view exists and resumes backfilling at restart.
    for (const rt of this.mvs.values()) rt.backfill?.fail(new SqlError(SqlState.AdminShutdown, 'the server is shutting down; the view finishes its backfill after the restart'));
    if (this.clockTimer !== undefined) clearInterval(this.clockTimer);
    if (this.wakeupTimer !== undefined) clearTimeout(this.wakeupTimer);
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
    this.log.info({ epoch: this.epochValue }, 'engine closed');
  }
}

/** The sink's last written epoch: the runner's, else the last one acknowledged before (e.g. while its target is down after a restart). */
function writtenEpoch(running: number, recorded: number | undefined): bigint | null {
  const e = Math.max(running, recorded ?? 0);
  return e > 0 ? BigInt(e) : null;
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

/** JSON has no Infinity: watermarks of -Infinity (none yet) are stored as strings. */
function replaceInfinity(_k: string, v: unknown): unknown {
  return v === -Infinity ? '-Infinity' : v === Infinity ? 'Infinity' : v;
}

function reviveInfinity(_k: string, v: unknown): unknown {
  return v === '-Infinity' ? -Infinity : v === 'Infinity' ? Infinity : v;
}

/** A row as a JSON object keyed by column name: numbers and booleans as JSON, the rest as PostgreSQL's text. */
function namedRowJson(cols: readonly { name: string; type: SqlType }[], row: Row): string {
  const o: Record<string, unknown> = {};
  cols.forEach((c, i) => {
    const v = row[i];
    o[c.name] = v === null ? null : typeof v === 'boolean' || (typeof v === 'number' && NUMERIC_JSON.has(c.type.id) && Number.isFinite(v)) ? v : formatText(c.type, v);
  });
  return JSON.stringify(o);
}

const NUMERIC_JSON: ReadonlySet<string> = new Set([TypeId.Int2, TypeId.Int4, TypeId.Float4, TypeId.Float8]);

const noWatermark = (): number => -Infinity;

function newBackfill(cursors: Map<number, number>, rowsDone: number): Backfill {
  let finish!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => {}); // nobody may be waiting (a backfill resumed at startup)
  return { cursors, rowsDone, done, finish, fail };
}
