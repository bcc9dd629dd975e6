/**
 * SUBSCRIBE: a client follows an object's (or a query's) committed changes. Each change is a row
 * (eddy_epoch, eddy_diff, ...columns) delivered after its epoch committed; a query is run as an
 * ephemeral incremental dataflow that lives exactly as long as its subscriber.
 *
 *   SUBSCRIBE TO totals WITH (snapshot = true)
 *   -> (7, +1, 'a', 3)            the current contents, at the last committed epoch
 *      (8, -1, 'a', 3) (8, +1, 'a', 4)   then every change, epoch by epoch, updates as -1/+1
 *
 * The feed buffers what the client has not read yet; once an unread backlog passes
 * SUBSCRIBE_BUFFER_ROWS rows (or SUBSCRIBE_BUFFER_BYTES) the subscriber is dropped with 53400
 * rather than slowing the engine (a single epoch bigger than that still reaches a client that
 * had read everything before it).
 */
import type { Query, SubscribeStatement } from '../../parser/ast.js';
import { parseStatement } from '../../parser/parse.js';
import { SqlError, isSqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId } from '../../runtime/sql/types.js';
import type { Row } from '../../runtime/sql/values.js';
import type { Engine } from '../../runtime/engine.js';
import type { ChangeBatch } from '../../runtime/dataflow/change-batch.js';
import { kindName } from '../../runtime/catalog/catalog.js';
import { startEphemeralView } from '../../runtime/live/ephemeral-view.js';
import type { BinderEnvironment } from '../../planner/bind/bind-select.js';
import { bindQuery, lowerToDataflow } from '../../planner/planner.js';
import type { CancelSignal, ColumnDesc, StatementResult } from './session-api.js';

/**
 * A subscriber may fall this far behind before it is disconnected: 100k changes keep a few seconds
 * of a busy view for a client that is briefly slow, without letting one stuck client hold
 * unbounded memory. EDDY_SUBSCRIBE_BUFFER_ROWS overrides the row limit (tests use a small one).
 */
export const SUBSCRIBE_BUFFER_ROWS = 100_000;
export const SUBSCRIBE_BUFFER_BYTES = 64 * 1024 * 1024;
/** How often a waiting subscription looks at its cancel signal (CancelRequest, disconnect). */
const CANCEL_POLL_MS = 50;

function bufferRowLimit(): number {
  const v = Number(process.env['EDDY_SUBSCRIBE_BUFFER_ROWS']);
  return Number.isInteger(v) && v > 0 ? v : SUBSCRIBE_BUFFER_ROWS;
}

export interface SubscribeTarget {
  /** An object's name, or '' with `query`. */
  name: string;
  query?: Query;
  snapshot: boolean;
}

/** Reads SUBSCRIBE's WITH options: only `snapshot` (boolean). */
export function subscribeTarget(s: SubscribeStatement): SubscribeTarget {
  let snapshot = false;
  for (const [k, v] of Object.entries(s.options)) {
    if (k !== 'snapshot') throw new SqlError(SqlState.InvalidParameterValue, `unrecognized SUBSCRIBE option "${k}"`, { position: s.pos, hint: 'The only option is snapshot.' });
    const b = parseBoolOption(v);
    if (b === null) throw new SqlError(SqlState.InvalidParameterValue, `option "snapshot" requires a Boolean value, not "${v}"`, { position: s.pos });
    snapshot = b;
  }
  return { name: s.name, query: s.query, snapshot };
}

function parseBoolOption(v: string): boolean | null {
  switch (v.toLowerCase()) {
    case 'true': case 'on': case '1': case 'yes': return true;
    case 'false': case 'off': case '0': case 'no': return false;
    default: return null;
  }
}

/** A planned subscription: its columns are known before it starts (Describe needs them). */
export interface PlannedSubscription {
  /** The object's or query's own columns (without eddy_epoch, eddy_diff). */
  readonly dataColumns: ColumnDesc[];
  /** Starts following; the snapshot (if asked for) is buffered at once. */
  start(cancel: CancelSignal): SubscriptionFeed;
}

const META_COLUMNS: ColumnDesc[] = [
  { name: 'eddy_epoch', type: T.int8 },
  { name: 'eddy_diff', type: T.int4 },
];

export function subscriptionColumns(p: PlannedSubscription): ColumnDesc[] {
  return [...META_COLUMNS, ...p.dataColumns];
}

/** Resolves the target now (42P01, 42809, 0A000 for what cannot run incrementally). */
export function planSubscription(engine: Engine, env: BinderEnvironment, target: SubscribeTarget, pos?: number): PlannedSubscription {
  let query = target.query;
  if (query === undefined) {
    const obj = engine.catalog.get(target.name);
    if (obj === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${target.name}" does not exist`, { position: pos });
    if (obj.kind === 'stream' || obj.kind === 'table' || obj.kind === 'mv') {
      const id = obj.id;
      const kind = obj.kind;
      return {
        dataColumns: obj.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: id, columnAttr: i + 1 })),
        start: (cancel) => {
          const feed = new SubscriptionFeed(cancel);
          const live = engine.catalog.getById(id);
          if (live === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${target.name}" does not exist`);
          // Snapshot and registration happen in one synchronous step between epochs: no change is missed or seen twice.
          if (target.snapshot) {
            const rows = [...engine.scan({ kind, objectId: id, name: live.name })];
            feed.push(engine.epoch, { rows, weights: rows.map(() => 1) });
          }
          feed.attach(engine.subscriptions.subscribe(id, (epoch, changes) => feed.push(epoch, changes)));
          endWhenDropped(engine, feed, [id]);
          return feed;
        },
      };
    }
    if (obj.kind !== 'view') {
      throw new SqlError(SqlState.WrongObjectType, `cannot subscribe to ${kindName(obj.kind)} "${obj.name}"`, { position: pos, hint: 'Subscribe to a stream, table, materialized view or view.' });
    }
    const stmt = parseStatement(`SELECT * FROM "${obj.name.replace(/"/g, '""')}"`);
    if (stmt.kind !== 'Query') throw new SqlError(SqlState.InternalError, 'view query did not parse');
    query = stmt.query;
  }
  const q = query;
  const bound = bindQuery(q, env);
  if (bound.params.types.length > 0) throw new SqlError(SqlState.UndefinedParameter, 'there is no parameter $1', { position: pos });
  const emitOnWindowClose = q.kind === 'Select' && q.emit === 'window_close';
  // Lowered once now so a query that cannot run incrementally fails before any row is sent.
  lowerToDataflow(bound.plan, { catalog: engine.catalog, emitOnWindowClose });
  const inputs = [...bound.dependencies].filter((d) => {
    const k = engine.catalog.getById(d)?.kind;
    return k === 'stream' || k === 'table' || k === 'mv';
  });
  return {
    dataColumns: bound.plan.fields.map((f) => ({ name: f.name, type: f.type.id === TypeId.Unknown ? T.text : f.type })),
    start: (cancel) => {
      for (const d of inputs) if (engine.catalog.getById(d) === undefined) throw new SqlError(SqlState.UndefinedTable, 'a relation used by the query was dropped');
      const feed = new SubscriptionFeed(cancel);
      const df = lowerToDataflow(bound.plan, { catalog: engine.catalog, emitOnWindowClose });
      const view = startEphemeralView(engine, df, inputs, (epoch, changes) => feed.push(epoch, changes), (e) => {
        feed.abort(isSqlError(e) ? e : new SqlError(SqlState.InternalError, `subscription query failed: ${(e as Error)?.message ?? String(e)}`));
      });
      if (target.snapshot) feed.push(view.epoch, view.snapshot);
      feed.attach(view.stop);
      endWhenDropped(engine, feed, inputs);
      return feed;
    },
  };
}

/** A subscription ends with 42P01 in the epoch that drops what it reads. */
function endWhenDropped(engine: Engine, feed: SubscriptionFeed, ids: readonly number[]): void {
  const names = ids.map((id) => engine.catalog.getById(id)?.name ?? String(id));
  feed.attach(engine.subscriptions.subscribeEpochs(() => {
    const gone = ids.findIndex((id) => engine.catalog.getById(id) === undefined);
    if (gone >= 0) feed.abort(new SqlError(SqlState.UndefinedTable, `relation "${names[gone]}" was dropped while subscribed to`));
  }));
}

/** Plans `SUBSCRIBE ...` as an endless rows result. */
export function subscribeResult(p: PlannedSubscription, cancel: CancelSignal): StatementResult {
  const feed = p.start(cancel);
  return { kind: 'rows', columns: subscriptionColumns(p), rows: feed, tagPrefix: 'SUBSCRIBE', onFailure: (abort) => feed.onFailure(abort) };
}

/**
 * The buffered changes of one subscriber, read as an async iterator of row batches (one batch per
 * read: everything buffered so far). Pushes never block; overflow fails the feed. Ends (return())
 * when the consumer leaves, which unsubscribes from the engine.
 */
export class SubscriptionFeed implements AsyncIterable<Row[]>, AsyncIterator<Row[]> {
  private queue: Row[] = [];
  private bytes = 0;
  private closed = false;
  private failure: SqlError | null = null;
  private waiter: { resolve: (r: IteratorResult<Row[]>) => void; reject: (e: unknown) => void } | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private detach: (() => void) | null = null;
  private failureHook: ((err: SqlError) => void) | null = null;
  private readonly rowLimit = bufferRowLimit();

  constructor(private readonly cancel: CancelSignal) {}

  [Symbol.asyncIterator](): AsyncIterator<Row[]> {
    return this;
  }

  /** Adds what to undo when the feed ends (unsubscribe from the engine). */
  attach(unsubscribe: () => void): void {
    if (this.closed) {
      unsubscribe();
      return;
    }
    const prev = this.detach;
    this.detach = prev === null ? unsubscribe : () => {
      prev();
      unsubscribe();
    };
  }

  /** Called once if the feed fails with a FATAL error (the consumer may be stuck and not reading). */
  onFailure(hook: (err: SqlError) => void): void {
    this.failureHook = hook;
  }

  /** Buffers one epoch's changes: retractions first, so an update reads -1 old, +1 new. */
  push(epoch: number, changes: ChangeBatch): void {
    if (this.closed) return;
    const backlog = this.queue.length;
    const e = BigInt(epoch);
    const { rows, weights } = changes;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < rows.length; i++) {
        const w = weights[i];
        if (pass === 0 ? w >= 0 : w <= 0) continue;
        const diff = w > 0 ? 1 : -1;
        const r = rows[i];
        for (let k = Math.abs(w); k > 0; k--) {
          const out: Row = new Array(r.length + 2);
          out[0] = e;
          out[1] = diff;
          for (let j = 0; j < r.length; j++) out[j + 2] = r[j];
          this.queue.push(out);
          this.bytes += approxBytes(r);
        }
      }
    }
    // One epoch larger than the limit is still delivered to a subscriber that had caught up;
    // what overflows is a backlog the client has not read.
    if (backlog > 0 && (this.queue.length > this.rowLimit || this.bytes > SUBSCRIBE_BUFFER_BYTES)) {
      this.fail(new SqlError(SqlState.ConfigurationLimitExceeded, `subscriber could not keep up: ${this.queue.length} changes buffered`, { severity: 'FATAL' }));
      return;
    }
    this.wake();
  }

  next(): Promise<IteratorResult<Row[]>> {
    if (this.queue.length > 0) return Promise.resolve({ done: false, value: this.take() });
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    if (this.cancel.cancelled) return Promise.reject(this.cancelled());
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pollTimer = setInterval(() => {
        if (this.cancel.cancelled) this.cancelled();
      }, CANCEL_POLL_MS);
    });
  }

  return(): Promise<IteratorResult<Row[]>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Stops following (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.bytes = 0;
    this.detach?.();
    this.detach = null;
    this.settle({ done: true, value: undefined }, null);
  }

  /** Ends the feed with 57014; a pending read is rejected with it. */
  private cancelled(): SqlError {
    const err = new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
    if (this.failure === null) this.failure = err;
    this.close();
    return err;
  }

  /** Ends the feed with an error (the reader gets it; an idle consumer is told through onFailure). */
  abort(err: SqlError): void {
    this.fail(err);
  }

  private fail(err: SqlError): void {
    this.failure = err;
    this.close();
    // A consumer stuck on a full socket is not reading: a FATAL error must reach it through the
    // hook (which closes the connection). Other errors wait for its next read.
    if (err.severity !== 'FATAL') return;
    const hook = this.failureHook;
    this.failureHook = null;
    hook?.(err);
  }

  private take(): Row[] {
    const rows = this.queue;
    this.queue = [];
    this.bytes = 0;
    return rows;
  }

  private wake(): void {
    if (this.waiter !== null && this.queue.length > 0) this.settle({ done: false, value: this.take() }, null);
  }

  private settle(result: IteratorResult<Row[]> | null, err: unknown): void {
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    if (this.pollTimer !== null) clearInterval(this.pollTimer);
    this.pollTimer = null;
    if (err !== null) w.reject(err);
    else if (this.failure !== null) w.reject(this.failure);
    else w.resolve(result!);
  }
}

/** A cheap upper-bound-ish size of a row for the byte limit (strings dominate; others count 16). */
function approxBytes(r: Row): number {
  let n = 32;
  for (let i = 0; i < r.length; i++) {
    const v = r[i];
    n += typeof v === 'string' ? 2 * v.length : 16;
  }
  return n;
}
