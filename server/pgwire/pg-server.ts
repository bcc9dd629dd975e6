/**
 * PgServer: the PostgreSQL wire protocol listener. Accepts TCP connections, gives each one a
 * Connection (the per-client state machine), routes CancelRequests by BackendKeyData, and on
 * shutdown tells every client FATAL 57P01 before closing.
 *
 *   const server = new PgServer({ host: '127.0.0.1', port: 0, sessions, logger });
 *   const port = await server.listen();   // psql -h 127.0.0.1 -p $port
 *   await server.shutdown();
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { SessionFactory } from '../session/session-api.js';
import { CancelRegistry } from './cancel.js';
import { Connection, type ConnectionHost } from './connection.js';
import type { AuthMethod } from './auth.js';
import type { ConnectionSecurity, RoleDirectory } from './login.js';

/** Who may connect, and how. */
export interface PgSecurityOptions {
  auth: AuthMethod;
  roles: RoleDirectory;
  /** PEM certificate and key: SSLRequest is answered 'S' and the connection continues over TLS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Refuse sessions that did not negotiate TLS. */
  requireTls?: boolean;
  /** Most concurrent sessions; one more gets FATAL 53300. */
  maxConnections: number;
}

export interface PgServerOptions {
  host: string;
  port: number;
  sessions: SessionFactory;
  logger: Logger;
  /** Largest frontend message accepted; larger ones are a FATAL protocol violation. Default 1 GiB. */
  maxMessageBytes?: number;
  /** Authentication, TLS and the session limit; absent = everyone trusted, no TLS, no limit. */
  security?: PgSecurityOptions;
}

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
/** How long shutdown waits for clients to hang up after the FATAL before destroying sockets. */
const SHUTDOWN_GRACE_MS = 2000;
/** PostgreSQL's authentication_timeout default. */
const AUTHENTICATION_TIMEOUT_MS = 60_000;

export class PgServer implements ConnectionHost {
  readonly sessions: SessionFactory;
  readonly cancels = new CancelRegistry();
  readonly maxMessageBytes: number;
  private readonly log: Logger;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private shuttingDown = false;
  readonly security?: ConnectionSecurity;
  private sessionSlots = 0;

  constructor(private readonly opts: PgServerOptions) {
    this.sessions = opts.sessions;
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.log = opts.logger.child({ component: 'pgwire' });
    const sec = opts.security;
    if (sec !== undefined) {
      this.security = {
        login: { method: sec.auth, roles: sec.roles },
        tls: sec.tls === undefined ? undefined : { context: tls.createSecureContext({ cert: sec.tls.cert, key: sec.tls.key }), required: sec.requireTls ?? false },
        acquireSessionSlot: () => {
          if (this.sessionSlots >= sec.maxConnections) return false;
          this.sessionSlots++;
          return true;
        },
        releaseSessionSlot: () => {
          this.sessionSlots--;
        },
      };
    }
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'listener error'));
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address() as net.AddressInfo;
        this.log.info({ host: this.opts.host, port: addr.port }, 'pgwire listening');
        resolve(addr.port);
      });
    });
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** Sends FATAL 57P01 to every client, closes every connection and stops listening. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const conns = [...this.connections];
    for (const c of conns) {
      c.terminate(new SqlError(SqlState.AdminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
    }
    const allClosed = Promise.all(conns.map((c) => c.closed));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), SHUTDOWN_GRACE_MS)));
    if ((await Promise.race([allClosed, grace])) === 'timeout') {
      for (const c of this.connections) c.destroy();
      await allClosed;
    }
    clearTimeout(timer);
    await listenerClosed;
    this.log.info({ connections: conns.length }, 'pgwire shut down');
  }

  connectionClosed(conn: Connection): void {
    this.connections.delete(conn);
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const conn = new Connection(socket, this, this.log);
    this.connections.add(conn);
    // PostgreSQL's authentication_timeout: a client that has not logged in by then is dropped.
    const authTimer = setTimeout(() => {
      if (conn.processId === null && !conn.isClosed) conn.destroy();
    }, AUTHENTICATION_TIMEOUT_MS);
    authTimer.unref();
    void conn.closed.then(() => clearTimeout(authTimer));
  }
}
