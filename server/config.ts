/** Server configuration from flags and EDDY_* environment variables (flags win). */
import { AUTH_METHODS, AuthMethod } from './pgwire/auth.js';

export interface ServerConfig {
  host: string;
  pgPort: number;
  httpPort: number;
  dataDir: string;
  synchronous: 'normal' | 'full';
  logLevel: string;
  /** How often streams with a retention are trimmed (ms; EDDY_RETENTION_CHECK_MS). */
  retentionCheckMs: number;
  /** Caps the database at this many 4 KiB pages (EDDY_MAX_DB_PAGES; for testing a full disk). */
  maxDbPages?: number;
  /** HTTP ingest: required bearer token (EDDY_HTTP_TOKEN; unset = no token needed). */
  httpToken?: string;
  /** HTTP ingest: largest accepted request body in bytes (EDDY_HTTP_MAX_BODY, default 64 MiB). */
  httpMaxBody: number;
  /** How PostgreSQL clients authenticate (EDDY_AUTH, default auto: loopback trusted, others SCRAM). */
  auth: AuthMethod;
  /** PEM certificate and key files for TLS (EDDY_TLS_CERT / EDDY_TLS_KEY); unset = no TLS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Refuse PostgreSQL connections that did not negotiate TLS (EDDY_REQUIRE_TLS=1). */
  requireTls: boolean;
  /** Most concurrent PostgreSQL sessions (EDDY_MAX_CONNECTIONS, default 100). */
  maxConnections: number;
  /** EDDY_PASSWORD: at every start, make role `superuserName` a LOGIN SUPERUSER with this password. */
  superuserPassword?: string;
  /** EDDY_USER (default eddy): the role EDDY_PASSWORD sets up. */
  superuserName: string;
}

export class ConfigError extends Error {}

const HELP = `Usage: eddy start [options]

Options:
  --host <addr>        listen address (EDDY_HOST, default 127.0.0.1)
  --pg-port <port>     PostgreSQL wire port (EDDY_PG_PORT, default 4566; 0 = any free port)
  --http-port <port>   HTTP port (EDDY_HTTP_PORT, default 4567; 0 = any free port)
  --data-dir <dir>     data directory (EDDY_DATA_DIR, default ./eddy-data)
  --fsync              fsync every epoch commit: power-loss durability (EDDY_FSYNC=1)
  --log-level <level>  pino level (EDDY_LOG_LEVEL, default info)
  --http-token <token> require 'Authorization: Bearer <token>' for HTTP ingest (EDDY_HTTP_TOKEN)
  --http-max-body <n>  largest HTTP ingest body in bytes (EDDY_HTTP_MAX_BODY, default 67108864)
  --auth <method>      client authentication (EDDY_AUTH, default auto):
                         auto           loopback clients trusted, others need a password (SCRAM)
                         trust          everyone trusted, no password asked
                         scram-sha-256  password required, SCRAM-SHA-256
                         md5            password required; md5 for roles stored with md5, else SCRAM
  --tls-cert <file>    PEM certificate: accept TLS (sslmode=require) (EDDY_TLS_CERT)
  --tls-key <file>     PEM private key for --tls-cert (EDDY_TLS_KEY)
  --require-tls        refuse clients that do not use TLS (EDDY_REQUIRE_TLS=1)
  --max-connections <n> most concurrent PostgreSQL sessions (EDDY_MAX_CONNECTIONS, default 100)

Environment only:
  EDDY_PASSWORD        at start, create (or update) superuser EDDY_USER (default eddy) with this
                       password, so password-authenticated clients can log in on a fresh server
`;

export function helpText(): string {
  return HELP;
}

function port(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`invalid ${name}: "${v}"`);
  return n;
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`invalid ${name}: "${v}"`);
  return n;
}

function authMethod(v: string, name: string): AuthMethod {
  const m = AUTH_METHODS.find((a) => a === v.toLowerCase());
  if (m === undefined) throw new ConfigError(`invalid ${name}: "${v}" (expected ${AUTH_METHODS.join(', ')})`);
  return m;
}

export function parseConfig(args: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const cfg: ServerConfig = {
    host: env.EDDY_HOST ?? '127.0.0.1',
    pgPort: port(env.EDDY_PG_PORT ?? '4566', 'EDDY_PG_PORT'),
    httpPort: port(env.EDDY_HTTP_PORT ?? '4567', 'EDDY_HTTP_PORT'),
    dataDir: env.EDDY_DATA_DIR ?? './eddy-data',
    synchronous: env.EDDY_FSYNC === '1' || env.EDDY_FSYNC === 'true' ? 'full' : 'normal',
    retentionCheckMs: positiveInt(env.EDDY_RETENTION_CHECK_MS ?? '10000', 'EDDY_RETENTION_CHECK_MS'),
    maxDbPages: env.EDDY_MAX_DB_PAGES === undefined ? undefined : positiveInt(env.EDDY_MAX_DB_PAGES, 'EDDY_MAX_DB_PAGES'),
    logLevel: env.EDDY_LOG_LEVEL ?? 'info',
    httpToken: env.EDDY_HTTP_TOKEN || undefined,
    httpMaxBody: positiveInt(env.EDDY_HTTP_MAX_BODY ?? String(64 * 1024 * 1024), 'EDDY_HTTP_MAX_BODY'),
    auth: authMethod(env.EDDY_AUTH ?? AuthMethod.Auto, 'EDDY_AUTH'),
    tlsCert: env.EDDY_TLS_CERT || undefined,
    tlsKey: env.EDDY_TLS_KEY || undefined,
    requireTls: env.EDDY_REQUIRE_TLS === '1' || env.EDDY_REQUIRE_TLS === 'true',
    maxConnections: positiveInt(env.EDDY_MAX_CONNECTIONS ?? '100', 'EDDY_MAX_CONNECTIONS'),
    superuserPassword: env.EDDY_PASSWORD || undefined,
    superuserName: env.EDDY_USER || 'eddy',
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new ConfigError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--host': cfg.host = value(); break;
      case '--pg-port': cfg.pgPort = port(value(), '--pg-port'); break;
      case '--http-port': cfg.httpPort = port(value(), '--http-port'); break;
      case '--data-dir': cfg.dataDir = value(); break;
      case '--fsync': cfg.synchronous = 'full'; break;
      case '--log-level': cfg.logLevel = value(); break;
      case '--http-token': cfg.httpToken = value(); break;
      case '--http-max-body': cfg.httpMaxBody = positiveInt(value(), '--http-max-body'); break;
      case '--auth': cfg.auth = authMethod(value(), '--auth'); break;
      case '--tls-cert': cfg.tlsCert = value(); break;
      case '--tls-key': cfg.tlsKey = value(); break;
      case '--require-tls': cfg.requireTls = true; break;
      case '--max-connections': cfg.maxConnections = positiveInt(value(), '--max-connections'); break;
      default: throw new ConfigError(`unknown option ${a}`);
    }
  }
  if ((cfg.tlsCert === undefined) !== (cfg.tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key must be given together');
  if (cfg.requireTls && cfg.tlsCert === undefined) throw new ConfigError('--require-tls needs --tls-cert and --tls-key');
  return cfg;
}
