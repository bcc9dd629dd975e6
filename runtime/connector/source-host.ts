/**
 * Runs the sources of streams declared WITH (connector = ...): starts them from the position
 * committed with the last epoch, turns their batches into work items for the next epoch, and
 * applies backpressure. A batch's rows and the source's new position commit in the same epoch.
 *
 * Instances are generations: when an epoch fails (the engine reloads the last commit) or a stream
 * is dropped, the instance is stopped and every batch it still has queued is refused, so a later
 * batch can never commit a position past rows that were lost with the failed epoch.
 */
import type { Row, JsonValue } from '../sql/values.js';
import type { CatalogObject } from '../catalog/catalog.js';
import type { EngineLogger } from '../engine-logger.js';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import { crashPoint } from '../crash-point.js';
import type { ConnectorRegistry } from './sink.js';
import type { MalformedRecord, RunningSource, SourceBatch, SourceContext, SourceStatus } from './source.js';

/** Rows a source may have queued but not yet committed before push() makes it wait. */
const MAX_INFLIGHT_ROWS = 50_000;
/** How long stop() waits for a connector to wind down before leaving it behind. */
export const STOP_TIMEOUT_MS = 2_000;
/** At most this many malformed records per stream per minute are copied into eddy_errors. */
const MALFORMED_SAMPLES_PER_MINUTE = 100;

/** What the host needs of the engine (kept narrow so the host can be tested alone). */
export interface SourceEngine {
  readonly log: EngineLogger;
  stream(id: number): CatalogObject | undefined;
  committedPosition(id: number): JsonValue | undefined;
  /**
   * Queues the batch for the next epoch; resolves once that epoch committed. `isCurrent` is
   * asked when the epoch runs: a batch of a stopped instance is refused.
   */
  ingest(streamId: number, batch: SourceBatch, sampled: MalformedRecord[], isCurrent: () => boolean): Promise<void>;
}

class SourceInstance implements SourceContext {
  stopped = false;
  status: SourceStatus = { state: 'starting' };
  private inflight = 0;
  private waiters: (() => void)[] = [];
  running: RunningSource | undefined;
  readonly log: EngineLogger;
  private sampleWindowStart = 0;
  /** Positions of the stream's NOT NULL columns, checked per row. */
  private readonly notNull: number[];
  private samplesInWindow = 0;

  constructor(private readonly host: SourceHost, readonly stream: CatalogObject, readonly position: JsonValue | undefined) {
    this.notNull = stream.columns.flatMap((c, i) => (c.notNull ? [i] : []));
    this.log = host.engine.log.child?.({ source: stream.name, connector: stream.options.connector }) ?? host.engine.log;
  }

  push(batch: SourceBatch): Promise<void> {
    if (this.stopped) return Promise.reject(new SqlError(SqlState.QueryCanceled, `source of stream "${this.stream.name}" was stopped`));
    screenRows(this.stream, this.notNull, batch);
    const n = batch.rows.length + (batch.malformed?.length ?? 0);
    this.inflight += n;
    this.host.engine
      .ingest(this.stream.id, batch, this.sample(batch.malformed), () => !this.stopped)
      .then(() => crashPoint('source-batch-committed'))
      .catch((e: unknown) => {
        // The epoch failed; the engine reloads and restarts every source from its committed position.
        if (!this.stopped) this.log.warn({ err: (e as Error).message }, 'source batch not committed');
      })
      .finally(() => {
        this.inflight -= n;
        if (this.inflight < MAX_INFLIGHT_ROWS) this.wake();
      });
    if (this.inflight < MAX_INFLIGHT_ROWS) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push(() => (this.stopped ? reject(new SqlError(SqlState.QueryCanceled, 'source stopped')) : resolve()));
    });
  }

  committedPosition(): JsonValue | undefined {
    return this.host.engine.committedPosition(this.stream.id);
  }

  setStatus(status: SourceStatus): void {
    if (status.state !== this.status.state || status.message !== this.status.message) {
      this.status = status;
      const level = status.state === 'retrying' || status.state === 'failed' ? 'warn' : 'info';
      this.log[level]({ state: status.state, detail: status.message }, 'source status');
    }
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The malformed records worth a row in eddy_errors (all are counted). */
  private sample(malformed: MalformedRecord[] | undefined): MalformedRecord[] {
    if (malformed === undefined || malformed.length === 0) return [];
    const now = Date.now();
    if (now - this.sampleWindowStart > 60_000) {
      this.sampleWindowStart = now;
      this.samplesInWindow = 0;
    }
    const take = Math.max(0, Math.min(malformed.length, MALFORMED_SAMPLES_PER_MINUTE - this.samplesInWindow));
    this.samplesInWindow += take;
    return malformed.slice(0, take);
  }
}

export class SourceHost {
  private readonly instances = new Map<number, SourceInstance>();

  constructor(readonly engine: SourceEngine, private readonly registry: ConnectorRegistry | undefined) {}

  /** Starts the source of a stream with a connector (no-op for other objects). */
  start(stream: CatalogObject): void {
    const name = stream.options.connector;
    if (stream.kind !== 'stream' || name === undefined || this.registry === undefined) return;
    const connector = this.registry.source(name);
    if (connector === undefined) {
      this.engine.log.error({ stream: stream.name, connector: name }, 'no such source connector; the stream receives no input');
      return;
    }
    const inst = new SourceInstance(this, stream, this.engine.committedPosition(stream.id));
    this.instances.set(stream.id, inst);
    try {
      inst.running = connector.start(inst);
    } catch (e) {
      inst.setStatus({ state: 'failed', message: (e as Error).message });
    }
  }

  async stop(streamId: number): Promise<void> {
    const inst = this.instances.get(streamId);
    if (inst === undefined) return;
    this.instances.delete(streamId);
    inst.stopped = true;
    inst.wake();
    // A connector stuck on an unresponsive system (a frozen broker) must not hold up shutdown:
    // once stopped, nothing it pushes is applied anyway.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([inst.running?.stop(), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
    } catch (e) {
      inst.log.warn({ err: (e as Error).message }, 'source stop failed');
    } finally {
      clearTimeout(timer);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((id) => this.stop(id)));
  }

  /** After the engine reloaded the last commit: every source restarts from its committed position. */
  restartAll(streams: CatalogObject[]): void {
    const old = [...this.instances.keys()];
    for (const id of old) {
      const inst = this.instances.get(id)!;
      inst.stopped = true;
      inst.wake();
      void inst.running?.stop().catch(() => {});
      this.instances.delete(id);
    }
    for (const s of streams) this.start(s);
  }

  status(streamId: number): SourceStatus | undefined {
    return this.instances.get(streamId)?.status;
  }
}

/**
 * Rows a stream cannot take (NULL in a NOT NULL column, such as a missing event time, or an
 * infinite event time) become malformed records instead of failing the whole batch.
 */
function screenRows(stream: CatalogObject, notNull: readonly number[], batch: SourceBatch): void {
  const cols = stream.columns;
  const et = stream.eventTime?.column;
  let bad: number[] | undefined;
  for (let r = 0; r < batch.rows.length; r++) {
    const row = batch.rows[r];
    let msg: string | undefined;
    let sqlstate: string = SqlState.NotNullViolation;
    for (const i of notNull) {
      if (row[i] === null) {
        msg = `null value in column "${cols[i].name}" of relation "${stream.name}" violates not-null constraint`;
        break;
      }
    }
    if (msg === undefined && et !== undefined && !Number.isFinite(row[et] as number)) {
      msg = `event time "${cols[et].name}" must be finite`;
      sqlstate = SqlState.DatetimeFieldOverflow;
    }
    if (msg !== undefined) {
      (bad ??= []).push(r);
      (batch.malformed ??= []).push({ message: msg, sqlstate, raw: rowText(cols, row) });
    }
  }
  if (bad !== undefined) {
    const drop = new Set(bad);
    batch.rows = batch.rows.filter((_, i) => !drop.has(i));
  }
}

function rowText(cols: CatalogObject['columns'], row: Row): string {
  const o: Record<string, string | null> = {};
  cols.forEach((c, i) => (o[c.name] = row[i] === null ? null : String(row[i])));
  return JSON.stringify(o);
}
