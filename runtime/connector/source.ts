/**
 * The source side of the connector interface. A source (Kafka, files, datagen) reads records,
 * decodes them into rows of its stream and hands them to the engine with its new position. The
 * rows and the position are committed in the same epoch, so after a crash the source resumes
 * from a position that matches exactly the rows the stream holds: nothing lost, nothing twice.
 * Connectors implement SourceConnector; server/main registers them (runtime never imports them).
 */
import type { Row, JsonValue } from '../sql/values.js';
import type { CatalogObject } from '../catalog/catalog.js';
import type { EngineLogger } from '../engine-logger.js';

/** A record that could not be decoded: skipped, counted, sampled into eddy_errors. */
export interface MalformedRecord {
  message: string;
  sqlstate: string;
  /** The record as text (truncated), for eddy_errors; null when not printable. */
  raw: string | null;
}

export interface SourceBatch {
  /** Rows of the stream's full column list (payload and metadata columns). */
  rows: Row[];
  /** The source's position after this batch; committed with the rows (JSON). */
  position: JsonValue;
  /**
   * The source partition the rows came from (a Kafka partition, a file). With event time, each
   * partition keeps its own maximum and the stream's watermark is the minimum over active ones.
   */
  partition?: string;
  malformed?: MalformedRecord[];
}

/** What a source reports about itself, shown in SHOW STREAMS and eddy_streams. */
export interface SourceStatus {
  state: 'starting' | 'running' | 'retrying' | 'paused' | 'failed';
  /** For retrying/failed: what went wrong, e.g. "connection refused (attempt 3, next in 4 s)". */
  message?: string;
}

export interface SourceContext {
  readonly stream: CatalogObject;
  /** The position committed with the last epoch (undefined: the source never committed one). */
  readonly position: JsonValue | undefined;
  readonly log: EngineLogger;
  /**
   * Queues a batch for the next epoch. Resolves when the engine has room for more (backpressure:
   * a source must await it before reading on); the batch commits asynchronously. Rejects if the
   * source was stopped (the stream was dropped, or the engine restarts its sources).
   */
  push(batch: SourceBatch): Promise<void>;
  setStatus(status: SourceStatus): void;
  /** The status last set. */
  readonly status?: SourceStatus;
  /** The position of the last committed batch (what a restart would resume from). */
  committedPosition(): JsonValue | undefined;
  /** True once stop() was called: loops should end. */
  readonly stopped: boolean;
}

export interface RunningSource {
  /** Stops reading; resolves once no further push() will be made. */
  stop(): Promise<void>;
}

export interface SourceConnector {
  readonly name: string;
  /**
   * Checks the WITH options and the stream's columns at CREATE time: SqlError 22023 for a bad
   * option, 08001 when the external system cannot be reached and the options say validate=true.
   */
  validate(stream: CatalogObject): Promise<void>;
  start(ctx: SourceContext): RunningSource;
}
