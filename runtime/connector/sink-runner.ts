/**
 * Delivers a sink's outbox to its connector's writer, whole epochs at a time, exactly once.
 *
 *   starting --open()--> running --write(batch) ok--> running (outbox trimmed up to lastEpoch)
 *       ^                   |
 *       +--- backoff <------+ open() or write() failed: status "retrying", reopen (the writer
 *                              reports again which epoch the external system holds, so a write
 *                              whose commit was lost in the failure is never repeated)
 */
import type { EngineLogger } from '../engine-logger.js';
import type { CatalogObject } from '../catalog/catalog.js';
import type { SinkBatch, SinkConnector, SinkStatus, SinkWriter } from './sink.js';

/** At most this many changes go into one external transaction (whole epochs; one big epoch may exceed it). */
const MAX_BATCH_CHANGES = 20_000;
const MAX_BACKOFF_MS = 30_000;

/** What the runner needs of the engine: the sink's durable outbox. */
export interface SinkOutbox {
  /** Whole epochs after `afterEpoch`, oldest first, up to about maxChanges changes. */
  read(sinkId: number, afterEpoch: number, maxChanges: number): SinkBatch | undefined;
  /** The external system holds everything up to `epoch`: drop it from the outbox. */
  ack(sinkId: number, epoch: number): void;
}

export class SinkRunner {
  status: SinkStatus = { state: 'starting' };
  /** The last epoch the external system holds (0 = none yet / unknown until opened). */
  writtenEpoch = 0;
  private writer: SinkWriter | undefined;
  private stopped = false;
  private wakeup: (() => void) | undefined;
  private pendingSignal = true;
  private done: Promise<void>;
  private readonly log: EngineLogger;

  constructor(readonly sink: CatalogObject, private readonly connector: SinkConnector, private readonly outbox: SinkOutbox, private readonly ctxFor: () => Parameters<SinkConnector['writer']>[0], log: EngineLogger) {
    this.log = log;
    this.done = this.loop();
  }

  /** New epochs were committed to the outbox. */
  notify(): void {
    this.pendingSignal = true;
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    this.cancelSleep?.();
    await this.done;
  }

  private cancelSleep: (() => void) | undefined;

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        if (this.writer === undefined) {
          const w = this.connector.writer(this.ctxFor());
          this.writer = w;
          this.writtenEpoch = await w.open();
          this.outbox.ack(this.sink.id, this.writtenEpoch);
          this.setStatus({ state: 'running' });
        }
        const batch = this.outbox.read(this.sink.id, this.writtenEpoch, MAX_BATCH_CHANGES);
        if (batch === undefined) {
          await this.waitForSignal();
          continue;
        }
        await this.writer.write(batch);
        this.writtenEpoch = batch.lastEpoch;
        this.outbox.ack(this.sink.id, batch.lastEpoch);
        attempt = 0;
        if (this.status.state !== 'running') this.setStatus({ state: 'running' });
      } catch (e) {
        if (this.stopped) break;
        attempt++;
        const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 6));
        this.setStatus({ state: 'retrying', message: `${(e as Error).message} (attempt ${attempt}, next in ${Math.round(delay / 100) / 10} s)` });
        const w = this.writer;
        this.writer = undefined;
        await w?.close().catch(() => undefined);
        await this.sleep(delay);
      }
    }
    await this.writer?.close().catch(() => undefined);
    this.writer = undefined;
  }

  private setStatus(s: SinkStatus): void {
    this.status = s;
    if (s.state === 'retrying') this.log.warn({ state: s.state, detail: s.message }, 'sink status');
    else this.log.info({ state: s.state }, 'sink status');
  }

  private waitForSignal(): Promise<void> {
    if (this.pendingSignal || this.stopped) {
      this.pendingSignal = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.wakeup = () => { this.pendingSignal = false; resolve(); }));
  }

  /** Backoff: new epochs do not cut it short, only stop() does. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.cancelSleep = undefined; resolve(); }, ms);
      this.cancelSleep = () => { clearTimeout(t); resolve(); };
    });
  }
}
