/**
 * The contract between the wire protocol (server/pgwire) and the SQL session (server/session).
 * The wire layer frames messages, converts values to and from text/binary per type, and maps
 * errors to ErrorResponse; everything SQL happens behind this interface.
 */
import type { SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import type { SqlError } from '../../runtime/sql/errors.js';

export interface ColumnDesc {
  name: string;
  type: SqlType;
  /** OID of the source table and attribute number when the column is a plain column reference, else 0. */
  tableOid?: number;
  columnAttr?: number;
}

/** A notice to send to the client (NoticeResponse) before the statement's result. */
export interface Notice {
  severity: 'NOTICE' | 'WARNING' | 'INFO';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** The result of one executed statement. */
export type StatementResult =
  | {
      kind: 'rows'; columns: ColumnDesc[]; rows: AsyncIterable<Row[]> | Row[]; /** tag prefix, e.g. 'SELECT' (the wire adds the count) */ tagPrefix: string; notices?: Notice[];
      /** Endless results (SUBSCRIBE): registers how to abort the consumer on a FATAL failure of the source, which may come while nobody reads it (its buffer overflowed). */
      onFailure?: FailureHook;
    }
  /** COPY ... TO STDOUT: each row becomes one CopyData message (`encode` gives its line); `header` goes first. */
  | { kind: 'copyOut'; columnCount: number; rows: AsyncIterable<Row[]> | Row[]; encode: (row: Row) => string; header?: string; onFailure?: FailureHook; notices?: Notice[] }
  /** COPY ... FROM STDIN: the wire feeds CopyData to the receiver until CopyDone or CopyFail. */
  | { kind: 'copyIn'; columnCount: number; receiver: CopyInReceiver }
  | { kind: 'command'; tag: string; notices?: Notice[] }
  | { kind: 'empty' };

/** Registers the callback that aborts the consumer of an endless result. */
export type FailureHook = (abort: (err: SqlError) => void) => void;

/** The receiving end of COPY FROM STDIN. */
export interface CopyInReceiver {
  /** One CopyData message's bytes: a view into received bytes that are never reused, so it may be kept. Throws SqlError on a bad row. */
  data(chunk: Uint8Array): void;
  /** No more input has arrived yet: process what was received (a bad row then fails at once). Throws SqlError. */
  inputIdle(): void;
  /** CopyDone: finish and write every row in one epoch; the result is the command tag. */
  done(): Promise<StatementResult>;
  /** CopyFail, an error or a lost connection: discard everything received. */
  abort(): void;
}

/** What Parse + Describe(statement) learn about a statement. */
export interface PreparedInfo {
  /** Parameter types, including inferred ones ($n used but not given a type). */
  paramTypes: SqlType[];
  /** Result columns, or null when the statement returns no rows (NoData). */
  columns: ColumnDesc[] | null;
}

/** A prepared statement handle owned by the session. */
export interface Prepared {
  readonly sql: string;
  readonly info: PreparedInfo;
}

/** Transaction status for ReadyForQuery: I idle, T in a transaction block, E failed transaction block. */
export type TxStatus = 'I' | 'T' | 'E';

export interface CancelSignal {
  readonly cancelled: boolean;
}

export interface Session {
  /** Parameters the client sent in StartupMessage (user, database, application_name, ...). */
  readonly startupParams: Readonly<Record<string, string>>;
  /** Current values to report in ParameterStatus at startup (server_version, TimeZone, ...). */
  parameterStatus(): Record<string, string>;
  /** Split a simple-query string into statements and run them one by one (each yields a result). */
  simpleQuery(sql: string, cancel: CancelSignal): AsyncIterable<StatementResult>;
  /** Parse (and analyse) one statement; paramTypes given by the client, null = infer. Throws SqlError. */
  prepare(sql: string, paramTypes: (SqlType | null)[]): Promise<Prepared>;
  /** Execute a prepared statement with bound parameter values (already decoded to Values). */
  execute(stmt: Prepared, params: Value[], cancel: CancelSignal): Promise<StatementResult>;
  txStatus(): TxStatus;
  /** Parameter changes caused by the last statement (SET ...), to send as ParameterStatus. */
  takeParameterChanges(): Record<string, string>;
  close(): void;
  /** statement_timeout and the idle timeouts in force now (the connection enforces them); absent = none. */
  timeouts?(): SessionTimeouts;
  /** The connection's named prepared statements, so SQL DEALLOCATE / DISCARD ALL can drop them. */
  attachPreparedStatements?(registry: PreparedStatementRegistry): void;
}

/** Named protocol-level prepared statements of one connection (Parse with a name). */
export interface PreparedStatementRegistry {
  /** Drops one statement; false when there is none of that name. */
  deallocate(name: string): boolean;
  deallocateAll(): void;
}

/** Time limits in milliseconds, 0 = off (PostgreSQL's statement_timeout, idle_session_timeout, idle_in_transaction_session_timeout). */
export interface SessionTimeouts {
  statementMs: number;
  idleSessionMs: number;
  idleInTransactionMs: number;
}

export interface SessionFactory {
  createSession(startupParams: Record<string, string>): Session;
}
