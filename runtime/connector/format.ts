/**
 * Record formats, separate from transports: a Kafka message, a file line or an HTTP body item is
 * decoded by the stream's format into a row of the stream's payload columns, and a sink's rows
 * are encoded by the sink's format. Implementations live in connectors/formats/.
 */
import type { Row } from '../sql/values.js';
import type { SqlType } from '../sql/types.js';

/** A payload column: the stream's columns minus metadata columns (`_key`, `_partition`, ...). */
export interface FormatColumn {
  name: string;
  type: SqlType;
}

/** One record that could not be decoded: skipped, counted and sampled into eddy_errors. */
export interface DecodeError {
  /** Index of the record in the batch given to decodeBatch. */
  index: number;
  /** Clear message, e.g. `invalid JSON at position 12` or `column "n": invalid input syntax for type integer: "x"`. */
  message: string;
  /** SQLSTATE for the error (22P02 bad text, 22023 bad structure, 22003 out of range ...). */
  sqlstate: string;
}

export interface DecodedBatch {
  /** rows[i] is the row of record i, or undefined when record i failed (see errors) or was skipped. */
  rows: (Row | undefined)[];
  errors: DecodeError[];
  /**
   * Indexes of records deliberately dropped without an error (rows[i] undefined, not counted as
   * errors), e.g. a CSV header line with `csv.header = 'true'`. Absent when none were.
   */
  skipped?: number[];
}

export interface RecordDecoder {
  /** Decodes a batch of record payloads (null = empty payload, e.g. a Kafka tombstone). Never throws for a bad record. */
  decodeBatch(payloads: readonly (Buffer | null)[]): Promise<DecodedBatch>;
}

export interface RecordEncoder {
  /** Encodes rows of the sink's columns, in order. */
  encodeBatch(rows: readonly Row[]): Promise<Buffer[]>;
  /** Content type for transports that carry one (HTTP). */
  readonly contentType: string;
}

/** Options a format reads from the WITH (...) list, already lower-cased keys. */
export type FormatOptions = Readonly<Record<string, string>>;

export interface FormatFactory {
  readonly name: string;
  /** Option keys this format accepts (e.g. 'csv.delimiter', 'schema.registry'), for 22023 on unknown keys. */
  readonly options: readonly string[];
  /** Throws SqlError 22023 for a bad option or a column type the format cannot carry. */
  validate(columns: readonly FormatColumn[], options: FormatOptions): void;
  decoder(columns: readonly FormatColumn[], options: FormatOptions, subject?: string): RecordDecoder;
  encoder(columns: readonly FormatColumn[], options: FormatOptions, subject?: string): RecordEncoder;
}
