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
import tls from 'node:tls';
import type { Logger } from 'pino';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Row } from '../../runtime/sql/values.js';
import type { Notice, Session, SessionFactory, StatementResult } from '../session/session-api.js';
import { BackendType, BackendWriter } from './backend.js';
import type { BackendKey, Cancellable, CancelRegistry } from './cancel.js';
import { errorFields, isFatal, noticeFields, toSqlError } from './error-response.js';
import { ExtendedQuery, type StatementCancel } from './extended.js';
import { FrameReader, protocolViolation, type Frame } from './framing.js';
import { decodeFrontend, decodeStartup, type FrontendMessage } from './frontend.js';
import { RowCursor } from './row-cursor.js';
import { copyData, copyDone, CopyFrontend, copyInResponse, copyOutResponse } from './copy-protocol.js';
import type { CopyInReceiver } from '../session/session-api.js';
import { fieldDescription, fieldWriter, Format, type FieldWriter } from './wire-format.js';
import { Login, type ConnectionSecurity } from './login.js';
import { idleInTransactionTimeout, idleSessionTimeout, StatementSignal, statementTimeout } from './statement-signal.js';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly sessions: SessionFactory;
  readonly cancels: CancelRegistry;
  readonly maxMessageBytes: number;
  /** TLS, session slots and authentication; absent = no TLS, no limit, everyone trusted. */
  readonly security?: ConnectionSecurity;
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
 *      +--> Startup --SSLRequest (once): 'S' + TLS handshake, or 'N'; GSSENCRequest (once): 'N'--+
 *      |       |  \                                                                             |
 *      +-------|---\----------------------------------------------------------------------------+
 *              |    \--CancelRequest: flip the named connection's CancelSignal--> Closed
 *              | StartupMessage 3.0 (TLS required? session slot free?)
 *              v
 *        Authenticating --password / SASL messages (login.ts); failure: FATAL 28P01 --> Closed
 *              | AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery
 *              v                                      (other versions: FATAL --> Closed)
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
  Authenticating: 'Authenticating',
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
    private socket: net.Socket,
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
    if (this.idleTimer !== null) this.clearIdleTimer();
    this.frames.push(chunk);
    if (this.frameWaiter !== null) this.wakeFrameWaiter();
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
    this.clearIdleTimer();
    if (this.holdsSessionSlot) this.host.security?.releaseSessionSlot();
    this.holdsSessionSlot = false;
    if (this.frameWaiter !== null) this.wakeFrameWaiter();
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
    if (this.phase === Phase.Authenticating) return this.authenticate(frame);
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
      case 'CopyDone':
      case 'CopyFail':
        // Outside COPY these are ignored, per the protocol (a failed COPY leaves the client sending).
        return;
      case 'FunctionCall': {
        this.sendError(new SqlError(SqlState.FeatureNotSupported, 'function call protocol is not supported'));
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

  /** Negotiated TLS on this connection. */
  private tls = false;
  private login: Login | null = null;
  private startupParams: Record<string, string> | null = null;
  private holdsSessionSlot = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** The signal of the statement started last (kept after it ends, to word its cancel error). */
  private lastSignal: StatementSignal | null = null;

  private startup(frame: Frame): void {
    const p = decodeStartup(frame.body);
    const security = this.host.security;
    switch (p.kind) {
      case 'SSLRequest':
        if (this.sslDone) throw unsupportedProtocol(1234, 5679);
        this.sslDone = true;
        if (security?.tls === undefined) {
          this.out.refuseEncryption();
          return;
        }
        // Bytes after the SSLRequest and before the handshake could be injected by a man in the middle.
        if (this.frames.buffered > 0) throw protocolViolation('received unencrypted data after SSL request');
        this.out.u8(0x53); // 'S'
        this.flush();
        this.upgradeToTls(security.tls.context);
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
    this.startupParams = params;
    if (security !== undefined) {
      if (security.tls?.required && !this.tls) {
        throw new SqlError(SqlState.InvalidAuthorizationSpecification, 'connection requires TLS (sslmode=require)', { severity: 'FATAL' });
      }
      if (!security.acquireSessionSlot()) {
        throw new SqlError(SqlState.TooManyConnections, 'sorry, too many clients already', { severity: 'FATAL' });
      }
      this.holdsSessionSlot = true;
      this.login = new Login(security.login, user, this.socket.remoteAddress);
      if (!this.login.begin(this.out)) {
        this.phase = Phase.Authenticating;
        return;
      }
    }
    this.completeStartup();
  }

  /** A password / SASL message while authenticating. */
  private authenticate(frame: Frame): void {
    if (frame.type !== 0x70) throw protocolViolation(`expected password response, got message type ${frame.type}`);
    let done: boolean;
    try {
      done = this.login!.step(frame.body, this.out);
    } catch (e) {
      this.log.info({ user: this.startupParams?.['user'], address: this.socket.remoteAddress, reason: (e as Error).message }, 'authentication failed');
      throw e;
    }
    if (done) this.completeStartup();
  }

  /** After authentication: the session, AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery. */
  private completeStartup(): void {
    const params = this.startupParams!;
    const user = params['user'];
    const role = this.login?.role;
    if (role !== undefined && !role.canLogin) {
      throw new SqlError(SqlState.InvalidAuthorizationSpecification, `role "${user}" is not permitted to log in`, { severity: 'FATAL' });
    }
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
    this.out.authenticationOk();
    const status = session.parameterStatus();
    for (const name of Object.keys(status)) this.out.parameterStatus(name, status[name]);
    this.key = this.host.cancels.register(this);
    this.log = this.log.child({ pid: this.key.processId });
    this.out.backendKeyData(this.key.processId, this.key.secretKey);
    this.phase = Phase.Ready;
    this.log.debug({ user, database: params['database'], application: params['application_name'], tls: this.tls }, 'connection ready');
    this.readyForQuery();
  }

  /** Continues the connection over TLS: from now on bytes come from and go to the TLS socket. */
  private upgradeToTls(context: tls.SecureContext): void {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.off('close', this.onClose);
    // raw keeps its 'error' listener: an unhandled error event would crash the process.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
    secure.on('data', this.onData);
    secure.on('error', this.onError);
    secure.on('close', this.onClose);
    this.socket = secure;
    this.tls = true;
  }

  /** Arms idle_session_timeout / idle_in_transaction_session_timeout after ReadyForQuery. */
  private armIdleTimer(): void {
    this.clearIdleTimer();
    const session = this.session;
    const limits = session?.timeouts?.();
    if (session === null || limits === undefined || this.phase === Phase.Closed) return;
    const idle = session.txStatus() === 'I';
    const ms = idle ? limits.idleSessionMs : limits.idleInTransactionMs;
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.running || this.phase === Phase.Closed) return;
      this.log.info({ idle_ms: ms }, idle ? 'idle session timeout' : 'idle in transaction timeout');
      this.fatal(idle ? idleSessionTimeout() : idleInTransactionTimeout());
    }, ms);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer === null) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = null;
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
        // Each statement of a query string gets its own statement_timeout, as set by the ones before it (PostgreSQL 13+).
        if (cancel instanceof StatementSignal) cancel.limit(session.timeouts?.().statementMs ?? 0);
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
      case 'copyIn':
        copyInResponse(this.out, result.columnCount);
        this.flush();
        await this.receiveCopy(result.receiver, cancel);
        return;
      case 'copyOut': {
        this.sendNotices(result.notices);
        copyOutResponse(this.out, result.columnCount);
        if (result.header !== undefined) copyData(this.out, result.header);
        if (result.onFailure !== undefined) {
          result.onFailure((err) => this.sendError(err));
          // An endless result may wait long for its first row: the client should know it started.
          this.flush();
        }
        const cursor = new RowCursor(result.rows);
        const encode = result.encode;
        try {
          const n = await cursor.fetch(Infinity, (row) => copyData(this.out, encode(row)), () => this.pace(cancel));
          copyDone(this.out);
          this.out.commandComplete(`COPY ${n}`);
        } finally {
          cursor.close();
        }
        return;
      }
      case 'rows': {
        this.sendNotices(result.notices);
        const cols = result.columns;
        this.out.rowDescription(cols.map((c) => fieldDescription(c, Format.Text)));
        if (result.onFailure !== undefined) {
          result.onFailure((err) => this.sendError(err));
          // An endless result may wait long for its first row: the client should know it started.
          this.flush();
        }
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

  // ------------------------------------------------------------------------ COPY FROM STDIN

  /** Resolves the frame loop's wait for input inside COPY FROM STDIN. */
  private frameWaiter: (() => void) | null = null;

  private wakeFrameWaiter(): void {
    const w = this.frameWaiter!;
    this.frameWaiter = null;
    w();
  }

  /** The next complete message, waiting for input as needed; null once the connection closed. */
  private async nextFrame(): Promise<Frame | null> {
    for (;;) {
      if (this.phase === Phase.Closed) return null;
      const f = this.frames.next(false);
      if (f !== null) return f;
      if (this.inputPaused) {
        this.inputPaused = false;
        this.socket.resume();
      }
      this.flush();
      await new Promise<void>((resolve) => (this.frameWaiter = resolve));
    }
  }

  /**
   * The COPY-in sub-protocol: CopyData goes to the receiver as it arrives (a bad row fails at
   * once; the client's remaining CopyData is then ignored by the frame loop, as in PostgreSQL),
   * CopyDone commits, CopyFail aborts with 57014. Flush and Sync are ignored meanwhile.
   */
  private async receiveCopy(receiver: CopyInReceiver, cancel: StatementCancel): Promise<void> {
    try {
      for (;;) {
        // Frames already received are handled without a turn of the event loop each (psql sends a CopyData per line).
        let frame = this.frames.next(false);
        if (frame === null) {
          receiver.inputIdle();
          frame = await this.nextFrame();
        }
        if (frame === null) throw connectionGone();
        if (cancel.cancelled) throw queryCanceled();
        switch (frame.type) {
          case CopyFrontend.Data:
            receiver.data(frame.body);
            break;
          case CopyFrontend.Done: {
            const result = await receiver.done();
            if (result.kind === 'command') this.out.commandComplete(result.tag);
            return;
          }
          case CopyFrontend.Fail: {
            const m = decodeFrontend(frame);
            const why = m.kind === 'CopyFail' ? m.message : '';
            throw new SqlError(SqlState.QueryCanceled, `COPY from stdin failed: ${why}`);
          }
          case CopyFrontend.Flush:
          case CopyFrontend.Sync:
            break;
          default:
            throw new SqlError(SqlState.ProtocolViolation, `unexpected message type 0x${frame.type.toString(16).toUpperCase()} during COPY from stdin`, { severity: 'FATAL' });
        }
      }
    } catch (e) {
      receiver.abort();
      throw e;
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
    } else {
      this.flush();
    }
    // Earlier output still queued (a slow client, or an endless SUBSCRIBE): wait, so unread
    // rows pile up at their source, which bounds them, not in the socket.
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
    // Every signal handed out is a StatementSignal, so a resumed portal keeps its own.
    const c = resume instanceof StatementSignal ? resume : new StatementSignal();
    c.limit(this.session?.timeouts?.().statementMs ?? 0);
    this.activeCancel = c;
    this.lastSignal = c;
    return c;
  }

  endStatement(): void {
    this.activeCancel = null;
  }

  /** Sends an ErrorResponse; a FATAL one also closes the connection. */
  sendError(err: SqlError): void {
    if (this.phase === Phase.Closed) return;
    if (err.code === SqlState.QueryCanceled && this.lastSignal?.timedOut) err = statementTimeout();
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
    else this.armIdleTimer();
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
