/**
 * Connection: one client socket speaking protocol 3.0. A synchronous frame loop decodes every
 * complete message of a received chunk and appends all replies to one BackendWriter; the bytes go
 * to the socket in one write when the chunk is used up, at Sync/Flush, or when the buffer grows
 * past FLUSH_AT while rows stream. The loop awaits only where the session is asynchronous, and
 * reads the next message only after the previous one is fully answered, so pipelined messages are
 * handled strictly in order.
 */
import { rowsTag } from './row-tag.js';
import type net from 'node:net';
import type { Logger } from 'pino';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Row } from '../../runtime/sql/values.js';
import type { Notice, Session, SessionFactory, StatementResult } from '../session/session-api.js';
import { BackendType, BackendWriter } from './backend.js';
import type { BackendKey, Cancellable, CancelRegistry } from './cancel.js';
import { errorFields, isFatal, noticeFields, toSqlError } from './error-response.js';
import { ExtendedQuery, type StatementCancel } from './extended.js';
import { FrameReader, type Frame } from './framing.js';
import { decodeFrontend, decodeStartup, type FrontendMessage } from './frontend.js';
import { RowCursor } from './row-cursor.js';
import { fieldDescription, fieldWriter, Format, type FieldWriter } from './wire-format.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly sessions: SessionFactory;
  readonly cancels: CancelRegistry;
  readonly maxMessageBytes: number;
  connectionClosed(conn: Connection): void;
}

/** Send what is buffered once it exceeds this while rows are streaming. */
const FLUSH_AT = 256 * 1024;
/** Stop reading from the socket while a statement runs and this much input is already queued. */
const PAUSE_INPUT_AT = 4 * 1024 * 1024;
/** How long a closing socket may wait for the peer before it is destroyed. */
const CLOSE_GRACE_MS = 5000;

/**
 * The connection's protocol state. Orthogonal to it, the frame loop is either idle or awaiting
 * the session (a running statement); input arriving meanwhile is queued and handled in order.
 *
 *            accept
 *              |
 *              v
 *      +--> Startup --SSLRequest/GSSENCRequest (once each): reply 'N'--+
 *      |       |  \                                                     |
 *      +-------|---\----------------------------------------------------+
 *              |    \--CancelRequest: flip the named connection's CancelSignal--> Closed
 *              | StartupMessage 3.0: AuthenticationOk, ParameterStatus*, BackendKeyData,
 *              v                     ReadyForQuery          (other versions: FATAL --> Closed)
 *   +-----> Ready <----------------------------------------------+
 *   |          | Q, P, B, D, E, C, S, H: run, reply              |
 *   |          | error in an extended-protocol message           |
 *   |          v                                                 |
 *   |    SkipUntilSync --(discard everything but Sync/X)-- S ----+
 *   |
 *   any state --X / EOF / socket error / FATAL (protocol violation, shutdown)--> Closed
 */
export const Phase = {
  Startup: 'Startup',
  Ready: 'Ready',
  SkipUntilSync: 'SkipUntilSync',
  Closed: 'Closed',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export function queryCanceled(): SqlError {
  return new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
}

function connectionGone(): SqlError {
  return new SqlError(SqlState.ConnectionFailure, 'connection closed by client');
}

function unsupportedProtocol(major: number, minor: number): SqlError {
  return new SqlError(
    SqlState.FeatureNotSupported,
    `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`,
    { severity: 'FATAL' },
  );
}

export class Connection implements Cancellable {
  private phase: Phase = Phase.Startup;
  private sslDone = false;
  private gssDone = false;
  private readonly frames: FrameReader;
  /** Replies not yet written to the socket. */
  readonly out = new BackendWriter();
  private session: Session | null = null;
  private key: BackendKey | null = null;
  private extended: ExtendedQuery | null = null;
  /** True while the frame loop runs (including while it awaits the session). */
  private running = false;
  private inputPaused = false;
  /** The CancelSignal of the statement running now, if any. */
  private activeCancel: StatementCancel | null = null;
  private destroyTimer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private log: Logger;
  private resolveClosed!: () => void;
  /** Resolves once the socket is closed and the session released. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly host: ConnectionHost,
    logger: Logger,
  ) {
    this.log = logger;
    this.frames = new FrameReader(host.maxMessageBytes);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  get processId(): number | null {
    return this.key?.processId ?? null;
  }

  // ------------------------------------------------------------------------ socket events

  private readonly onData = (chunk: Buffer): void => {
    if (this.phase === Phase.Closed) return;
    this.frames.push(chunk);
    if (!this.running) {
      void this.pump();
    } else if (!this.inputPaused && this.frames.buffered > PAUSE_INPUT_AT) {
      this.inputPaused = true;
      this.socket.pause();
    }
  };

  private readonly onError = (err: Error): void => {
    // Resets and writes after the peer left are routine; 'close' follows and cleans up.
    this.log.debug({ err: err.message }, 'connection socket error');
  };

  private readonly onClose = (): void => {
    this.phase = Phase.Closed;
    if (this.destroyTimer !== null) clearTimeout(this.destroyTimer);
    this.cancelRunningStatement();
    if (this.key !== null) this.host.cancels.unregister(this.key.processId);
    this.extended?.closeAll();
    if (this.session !== null) {
      try {
        this.session.close();
      } catch (e) {
        this.log.error({ err: e }, 'session close failed');
      }
    }
    this.log.debug('connection closed');
    this.host.connectionClosed(this);
    this.resolveClosed();
  };

  // ------------------------------------------------------------------------ the frame loop

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.phase !== Phase.Closed) {
        let frame: Frame | null;
        try {
          frame = this.frames.next(this.phase === Phase.Startup);
          if (frame === null) break;
          const pending = this.dispatch(frame);
          if (pending !== undefined) await pending;
        } catch (e) {
          // Handlers report their own statement errors; what arrives here is a protocol
          // violation or a bug, and either way the stream can no longer be trusted.
          const err = toSqlError(e, this.log);
          if (err.code === SqlState.ProtocolViolation) this.log.warn({ message: err.message }, 'protocol violation');
          err.severity = 'FATAL';
          this.fatal(err);
          break;
        }
        if (this.out.length >= FLUSH_AT) this.flush();
      }
      this.flush();
    } catch (e) {
      this.log.error({ err: e }, 'connection loop failed');
      this.socket.destroy();
    } finally {
      this.running = false;
    }
    if (this.inputPaused && this.phase !== Phase.Closed) {
      this.inputPaused = false;
      this.socket.resume();
    }
  }

  private dispatch(frame: Frame): Promise<void> | void {
    if (this.phase === Phase.Startup) return this.startup(frame);
    const m = decodeFrontend(frame);
    if (this.phase === Phase.SkipUntilSync) {
      // After an error in an extended-protocol message, PostgreSQL discards input up to Sync.
      if (m.kind === 'Sync') {
        this.phase = Phase.Ready;
        return this.sync();
      }
      if (m.kind === 'Terminate') return this.close();
      return;
    }
    return this.message(m);
  }

  private message(m: FrontendMessage): Promise<void> | void {
    const ext = this.extended!;
    switch (m.kind) {
      case 'Query':
        return this.simpleQuery(m.sql);
      case 'Parse':
        return this.extendedStep(() => ext.parse(m));
      case 'Bind':
        return this.extendedStep(() => ext.bind(m));
      case 'Describe':
        return this.extendedStep(() => ext.describe(m));
      case 'Execute':
        return this.extendedStep(() => ext.execute(m));
      case 'Close':
        return this.extendedStep(() => ext.close(m));
      case 'Sync':
        return this.sync();
      case 'Flush':
        this.flush();
        return;
      case 'Terminate':
        this.close();
        return;
      case 'CopyData':
        // Outside COPY these are ignored, per the protocol (a failed COPY leaves the client sending).
        return;
      case 'CopyDone':
      case 'CopyFail':
      case 'FunctionCall': {
        const what = m.kind === 'FunctionCall' ? 'function call protocol' : 'COPY protocol';
        this.sendError(new SqlError(SqlState.FeatureNotSupported, `${what} is not supported`));
        this.readyForQuery();
        return;
      }
      default: {
        const unknown: never = m;
        throw new Error(`unhandled frontend message ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Runs one extended-protocol message; an error enters SkipUntilSync. */
  private extendedStep(step: () => Promise<void> | void): Promise<void> | void {
    try {
      const r = step();
      if (r !== undefined) return r.catch((e: unknown) => this.extendedError(e));
    } catch (e) {
      this.extendedError(e);
    }
  }

  private extendedError(e: unknown): void {
    if (this.phase === Phase.Closed) return;
    this.sendError(toSqlError(e, this.log));
    this.sendParameterChanges();
    if (!this.isClosed) this.phase = Phase.SkipUntilSync;
  }

  // ------------------------------------------------------------------------ startup

  private startup(frame: Frame): void {
    const p = decodeStartup(frame.body);
    switch (p.kind) {
      case 'SSLRequest':
        if (this.sslDone) throw unsupportedProtocol(1234, 5679);
        this.sslDone = true;
        this.out.refuseEncryption();
        return;
      case 'GSSENCRequest':
        if (this.gssDone) throw unsupportedProtocol(1234, 5680);
        this.gssDone = true;
        this.out.refuseEncryption();
        return;
      case 'CancelRequest': {
        const matched = this.host.cancels.cancel(p.processId, p.secretKey);
        this.log.info({ processId: p.processId, matched }, 'cancel request');
        this.close();
        return;
      }
      case 'Startup':
        break;
    }
    if (p.major !== 3) throw unsupportedProtocol(p.major, p.minor);
    if (p.minor > 0 || p.protocolOptions.length > 0) {
      this.out.negotiateProtocolVersion(0, p.protocolOptions);
    }
    const user = p.params['user'];
    if (user === undefined || user === '') {
      throw new SqlError(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet', {
        severity: 'FATAL',
      });
    }
    const params: Record<string, string> = { ...p.params };
    // Eddy's default database is `eddy` (any name is accepted).
    if (params['database'] === undefined || params['database'] === '') params['database'] = 'eddy';
    let session: Session;
    try {
      session = this.host.sessions.createSession(params);
    } catch (e) {
      const err = toSqlError(e, this.log);
      err.severity = 'FATAL';
      throw err;
    }
    this.session = session;
    this.extended = new ExtendedQuery(session, this);
    // Trust authentication.
    this.out.authenticationOk();
    const status = session.parameterStatus();
    for (const name of Object.keys(status)) this.out.parameterStatus(name, status[name]);
    this.key = this.host.cancels.register(this);
    this.log = this.log.child({ pid: this.key.processId });
    this.out.backendKeyData(this.key.processId, this.key.secretKey);
    this.phase = Phase.Ready;
    this.log.debug({ user, database: params['database'], application: params['application_name'] }, 'connection ready');
    this.readyForQuery();
  }

  // ------------------------------------------------------------------------ simple query

  private async simpleQuery(sql: string): Promise<void> {
    const session = this.session!;
    const ext = this.extended!;
    ext.dropUnnamed();
    const cancel = this.beginStatement();
    let results = 0;
    try {
      for await (const result of session.simpleQuery(sql, cancel)) {
        results++;
        try {
          await this.sendResult(result, cancel);
        } finally {
          this.sendParameterChanges();
        }
        if (this.phase === Phase.Closed) return;
      }
      if (results === 0) this.out.emptyQueryResponse();
    } catch (e) {
      this.sendError(toSqlError(e, this.log, sql));
      this.sendParameterChanges();
    } finally {
      this.endStatement();
    }
    if (this.phase === Phase.Closed) return;
    ext.closePortalsIfIdle();
    this.readyForQuery();
  }

  /** Sends one statement's result in text format (simple query protocol). */
  private async sendResult(result: StatementResult, cancel: StatementCancel): Promise<void> {
    switch (result.kind) {
      case 'empty':
        this.out.emptyQueryResponse();
        return;
      case 'command':
        this.sendNotices(result.notices);
        this.out.commandComplete(result.tag);
        return;
      case 'rows': {
        this.sendNotices(result.notices);
        const cols = result.columns;
        this.out.rowDescription(cols.map((c) => fieldDescription(c, Format.Text)));
        const writers = cols.map((c) => fieldWriter(c.type, Format.Text));
        const cursor = new RowCursor(result.rows);
        try {
          const n = await this.streamRows(cursor, writers, Infinity, cancel);
          this.out.commandComplete(rowsTag(result.tagPrefix, n));
        } finally {
          cursor.close();
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------------ services for ExtendedQuery

  /** Emits up to `limit` DataRows from `cursor`; flushes and observes cancellation between batches. */
  streamRows(cursor: RowCursor, writers: FieldWriter[], limit: number, cancel: StatementCancel): Promise<number> {
    return cursor.fetch(
      limit,
      (row) => this.writeRow(writers, row),
      () => this.pace(cancel),
    );
  }

  private writeRow(writers: FieldWriter[], row: Row): void {
    const out = this.out;
    const start = out.length;
    try {
      const at = out.begin(BackendType.DataRow);
      const n = writers.length;
      out.i16(n);
      for (let i = 0; i < n; i++) {
        const v = row[i];
        if (v === null || v === undefined) out.i32(-1);
        else writers[i](out, v);
      }
      out.end(at);
    } catch (e) {
      out.truncate(start);
      throw e;
    }
  }

  private pace(cancel: StatementCancel): Promise<void> | void {
    if (this.phase === Phase.Closed) throw connectionGone();
    if (cancel.cancelled) throw queryCanceled();
    if (this.out.length < FLUSH_AT) {
      // A slow producer's rows must not wait for the buffer to fill: send them once this turn of
      // the event loop is over (batches produced within one turn still share a write).
      this.scheduleFlush();
      return;
    }
    this.flush();
    if (!this.socket.writableNeedDrain) return;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  sendNotices(notices: readonly Notice[] | undefined): void {
    if (notices === undefined) return;
    for (const n of notices) this.out.noticeResponse(noticeFields(n));
  }

  sendParameterChanges(): void {
    if (this.session === null || this.phase === Phase.Closed) return;
    const changes = this.session.takeParameterChanges();
    for (const name of Object.keys(changes)) this.out.parameterStatus(name, changes[name]);
  }

  /** Starts a statement, or resumes one (a portal's later Execute) with its original signal. */
  beginStatement(resume?: StatementCancel): StatementCancel {
    const c = resume ?? { cancelled: false };
    this.activeCancel = c;
    return c;
  }

  endStatement(): void {
    this.activeCancel = null;
  }

  /** Sends an ErrorResponse; a FATAL one also closes the connection. */
  sendError(err: SqlError): void {
    if (this.phase === Phase.Closed) return;
    if (isFatal(err)) {
      this.fatal(err);
      return;
    }
    this.out.errorResponse(errorFields(err));
  }

  // ------------------------------------------------------------------------ sync, close

  private sync(): void {
    this.extended!.closePortalsIfIdle();
    this.readyForQuery();
    this.flush();
  }

  private readyForQuery(): void {
    this.out.readyForQuery(this.session!.txStatus());
    if (this.pendingFatal !== null) this.fatal(this.pendingFatal);
  }

  /** A FATAL that waits for the running statement's result to be sent (see terminate). */
  private pendingFatal: SqlError | null = null;

  /**
   * Administrator shutdown: an idle connection gets the FATAL now; one running a statement gets
   * it right after that statement's result and ReadyForQuery, so a statement that committed is
   * never reported as failed (a client retrying it would write it twice). Called once the
   * engine has committed every queued epoch.
   */
  terminate(err: SqlError): void {
    if (this.phase === Phase.Closed) return;
    if (this.activeCancel === null) {
      this.fatal(err);
      return;
    }
    // The engine has finished every epoch by now, so what still runs is a read or a wait
    // (pg_sleep): cancel it so shutdown is prompt.
    this.pendingFatal = err;
    this.cancelRunningStatement();
  }

  cancelRunningStatement(): void {
    if (this.activeCancel !== null) this.activeCancel.cancelled = true;
  }

  /** Sends a FATAL error and closes (protocol violation, administrator shutdown). */
  fatal(err: SqlError): void {
    if (this.phase === Phase.Closed) return;
    this.out.errorResponse(errorFields(err));
    this.close();
  }

  /** Sends what is pending, stops reading, and ends the socket (destroyed if the peer lingers). */
  close(): void {
    if (this.phase === Phase.Closed) return;
    this.flush();
    this.phase = Phase.Closed;
    this.cancelRunningStatement();
    this.socket.end();
    this.destroyTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.destroyTimer.unref();
  }

  /** Destroys the socket at once (shutdown grace period over). */
  destroy(): void {
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.phase === Phase.Closed;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (this.out.length === 0) return;
    const bytes = this.out.take();
    if (this.phase === Phase.Closed || this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(bytes);
  }
}
