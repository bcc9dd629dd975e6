/**
 * Process entry: wires the Engine, the planner (as the engine's dataflow builder), the
 * PostgreSQL wire server and the HTTP server, and handles signals.
 */
import pino from 'pino';
import Fastify, { type FastifyInstance } from 'fastify';
import { Engine } from '../runtime/engine.js';
import { DataDirError } from '../runtime/storage/database.js';
import { parseStatement } from '../parser/parse.js';
import type { Query } from '../parser/ast.js';
import { SqlError } from '../runtime/sql/errors.js';
import { SqlState } from '../runtime/sql/sqlstate.js';
import type { BinderEnvironment } from '../planner/bind/bind-select.js';
import { bindQuery, lowerToDataflow } from '../planner/planner.js';
import { PgServer } from './pgwire/pg-server.js';
import { UsersStore } from '../runtime/catalog/users-store.js';
import fs from 'node:fs';
import { AuthMethod, scramSecret } from './pgwire/auth.js';
import { isLoopback } from './pgwire/login.js';
import { SqlSession } from './session/session.js';
import { systemTables } from './session/system-tables.js';
import type { ServerConfig } from './config.js';
import { connectorRegistry } from '../connectors/registry.js';
import { registerIngest } from './http/ingest.js';
import { registerSubscribe } from './http/subscribe.js';

export const SERVER_VERSION = '15.0';

export interface RunningServer {
  pgPort: number;
  httpPort: number;
  shutdown(): Promise<void>;
}

function parseQuery(text: string): Query {
  const s = parseStatement(text);
  if (s.kind !== 'Query') throw new SqlError(SqlState.InvalidObjectDefinition, 'stored view definition is not a query');
  return s.query;
}

export async function startServer(cfg: ServerConfig): Promise<RunningServer> {
  const logger = pino({ level: cfg.logLevel, base: { pid: process.pid } });
  let binderEnv!: BinderEnvironment;
  const engine = new Engine({
    dataDir: cfg.dataDir,
    synchronous: cfg.synchronous,
    retentionCheckMs: cfg.retentionCheckMs,
    maxDbPages: cfg.maxDbPages,
    logger: logger.child({ component: 'engine' }),
    connectors: connectorRegistry,
    buildDataflow: (mv, catalog) => lowerToDataflow(bindQuery(parseQuery(mv.queryText ?? ''), binderEnv).plan, { catalog, emitOnWindowClose: mv.emit === 'window_close' }),
  });
  binderEnv = { catalog: engine.catalog, systemTables: systemTables(engine, () => users), parseQuery };
  // TLS files are read before the data dir is opened: a wrong path fails the start cleanly.
  let tlsFiles: { cert: Buffer; key: Buffer } | undefined;
  if (cfg.tlsCert !== undefined && cfg.tlsKey !== undefined) {
    try {
      tlsFiles = { cert: fs.readFileSync(cfg.tlsCert), key: fs.readFileSync(cfg.tlsKey) };
    } catch (e) {
      throw new DataDirError(`cannot read TLS certificate or key: ${(e as Error).message}`, 2);
    }
  }
  engine.open();
  const users = new UsersStore(engine.sqlite);
  if (cfg.superuserPassword !== undefined) {
    const secret = scramSecret(cfg.superuserPassword);
    const change = { superuser: true, canLogin: true, secret };
    if (users.get(cfg.superuserName) === undefined) users.create({ name: cfg.superuserName, writeAll: [], writeOn: {}, canCreate: false, ...change });
    else users.update(cfg.superuserName, change);
  }
  if (cfg.auth === AuthMethod.Auto && !isLoopback(cfg.host) && !users.all().some((r) => r.canLogin && r.secret !== null)) {
    logger.warn({ host: cfg.host }, 'no role has a password: only loopback clients can log in (set EDDY_PASSWORD or create a user)');
  }

  const pg = new PgServer({
    host: cfg.host,
    port: cfg.pgPort,
    logger,
    sessions: { createSession: (params) => new SqlSession({ engine, binderEnv, serverVersion: SERVER_VERSION, users }, params) },
    security: { auth: cfg.auth, roles: users, tls: tlsFiles, requireTls: cfg.requireTls, maxConnections: cfg.maxConnections },
  });
  const http: FastifyInstance = Fastify({ logger: false, bodyLimit: cfg.httpMaxBody });
  const httpAuth = { token: cfg.httpToken, trustRemote: cfg.auth === 'trust' };
  registerIngest(http, engine, { ...httpAuth, maxBody: cfg.httpMaxBody });
  registerSubscribe(http, engine, binderEnv, httpAuth);
  http.get('/health', async () => ({ status: 'ok', epoch: engine.epoch }));
  let pgPort: number;
  try {
    pgPort = await pg.listen();
    await http.listen({ host: cfg.host, port: cfg.httpPort });
  } catch (e) {
    // Release the data dir (and its lock) before reporting a port that cannot be bound.
    await pg.shutdown().catch(() => undefined);
    await engine.close();
    throw e;
  }
  const addr = http.server.address();
  const httpPort = typeof addr === 'object' && addr ? addr.port : cfg.httpPort;

  logger.info({ pgPort, httpPort, dataDir: cfg.dataDir, host: cfg.host }, 'eddy started');
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      logger.info({}, 'shutting down');
      await engine.close();
      await pg.shutdown();
      await http.close();
      logger.info({}, 'stopped');
    })());
  return { pgPort, httpPort, shutdown };
}

export { DataDirError };
