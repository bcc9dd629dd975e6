/**
 * The sink side of the connector interface. Every committed epoch's changes to a sink's object
 * are first written to the sink's outbox inside the epoch's own SQLite transaction; a
 * SinkRunner then hands them, whole epochs at a time, to the connector's writer, which applies
 * them to the external system in ONE external transaction that also records the last epoch it
 * contains. After a crash the writer reports that epoch and the runner resumes after it, so every
 * epoch is written exactly once.
 */
import type { Row } from '../sql/values.js';
import type { CatalogObject, ColumnSchema } from '../catalog/catalog.js';
import type { EngineLogger } from '../engine-logger.js';
import type { SourceConnector } from './source.js';

/** One change: +1 inserts `row`, -1 retracts it. */
export interface SinkChange {
  row: Row;
  weight: number;
}

/** Consecutive committed epochs, in order, to be written in one external transaction. */
export interface SinkBatch {
  epochs: { epoch: number; changes: SinkChange[] }[];
  /** The last epoch of the batch: the writer records it with the data. */
  lastEpoch: number;
}

export interface SinkStatus {
  state: 'starting' | 'running' | 'retrying' | 'failed';
  message?: string;
}

export interface SinkContext {
  readonly sink: CatalogObject;
  /** The columns of the sink's object (the rows' shape). */
  readonly columns: readonly ColumnSchema[];
  /** Key column positions for upserts (the object's key); null: the object has none. */
  readonly keyColumns: readonly number[] | null;
  readonly log: EngineLogger;
}

export interface SinkWriter {
  /** Connects and returns the last epoch the external system already holds (0 = none). */
  open(): Promise<number>;
  /** Applies the batch atomically with its lastEpoch; on failure nothing of it may be visible. */
  write(batch: SinkBatch): Promise<void>;
  close(): Promise<void>;
}

export interface SinkConnector {
  readonly name: string;
  /**
   * Checks the sink's WITH options against its object at CREATE time (22023 bad option, 08001
   * unreachable with validate=true). May fill in defaults by returning the options to store.
   */
  validate(sink: CatalogObject, columns: readonly ColumnSchema[], keyColumns: readonly number[] | null, appendOnly: boolean): Promise<Record<string, string>>;
  writer(ctx: SinkContext): SinkWriter;
}

export interface ConnectorRegistry {
  source(name: string): SourceConnector | undefined;
  sink(name: string): SinkConnector | undefined;
  /** Names for error hints. */
  sourceNames(): string[];
  sinkNames(): string[];
}
