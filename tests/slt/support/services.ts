/**
 * The outside services Eddy's own connector slt files (tests/slt/eddy/conn_*.slt, security.slt)
 * talk to, and the variables that tell the files where they are:
 *
 *   $EDDY_SLT_PG_PORT, $EDDY_SLT_HTTP_PORT   the Eddy server the file runs against (wire / HTTP port)
 *   $EDDY_SLT_HTTP                           http://127.0.0.1:<http port>
 *   $EDDY_SLT_KAFKA                          host:port of the Kafka test broker started for the run
 *   $EDDY_SLT_MYSQL_URL, $EDDY_SLT_PG_URL    sink targets: MariaDB/MySQL and PostgreSQL (database test)
 *   $EDDY_SLT_RUN                            a lower-case id unique to this run (for names in shared databases)
 *   $EDDY_SLT_NODE, $EDDY_SLT_ROOT           node and the repository root (scripts: $EDDY_SLT_ROOT/dist/tests/slt/support/*.js)
 *   $EDDY_SLT_TLS_CERT                       the certificate the server was started with (--tls-cert)
 *
 * Missing tools or databases add a label (`no-mysql-target`, `no-pg-target`, `no-psql`, `no-curl`)
 * that a file can `halt` on, with a warning; under CI=true they are an error instead.
 */
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaTestBroker } from '../../support/kafka-broker/broker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export const TLS_CERT = path.join(root, 'tests/support/fixtures/test-tls.crt');
export const TLS_KEY = path.join(root, 'tests/support/fixtures/test-tls.key');
/** Server arguments the connector/security files rely on: TLS is offered (not required). */
export const SERVER_ARGS = ['--tls-cert', TLS_CERT, '--tls-key', TLS_KEY];

/** Retention trims every 200 ms instead of every 10 s, so retention.slt sees it promptly. */
export const SERVER_ENV: Record<string, string> = { EDDY_RETENTION_CHECK_MS: '200' };

const MYSQL = { host: '127.0.0.1', port: 3306, url: 'mysql://root@127.0.0.1:3306/test' };
const POSTGRES = { host: '127.0.0.1', port: 5432, url: 'postgresql://postgres@127.0.0.1:5432/test' };

export interface SltServices {
  /** Labels for skipif/onlyif describing what is missing. */
  labels: string[];
  /** Warnings about missing services (empty under CI=true, which throws instead). */
  warnings: string[];
  /** The variables for a server with these ports. */
  vars(server: { pgPort: number; httpPort: number }): Record<string, string>;
  stop(): Promise<void>;
}

function reachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}

function hasCommand(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export async function startServices(opts: { ci?: boolean } = {}): Promise<SltServices> {
  const ci = opts.ci ?? process.env.CI === 'true';
  const missing: { label: string; what: string }[] = [];
  if (!(await reachable(MYSQL.host, MYSQL.port))) missing.push({ label: 'no-mysql-target', what: `MariaDB/MySQL on ${MYSQL.host}:${MYSQL.port} (root, database test) is not reachable` });
  if (!(await reachable(POSTGRES.host, POSTGRES.port))) missing.push({ label: 'no-pg-target', what: `PostgreSQL on ${POSTGRES.host}:${POSTGRES.port} (postgres, database test) is not reachable` });
  if (!hasCommand('psql')) missing.push({ label: 'no-psql', what: 'psql is not installed' });
  if (!hasCommand('curl')) missing.push({ label: 'no-curl', what: 'curl is not installed' });
  if (ci && missing.length > 0) {
    throw new Error(`slt: required under CI=true: ${missing.map((m) => m.what).join('; ')}`);
  }
  const broker = await KafkaTestBroker.start({ port: 0, removeDataDirOnStop: true });
  const run = `r${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  return {
    labels: missing.map((m) => m.label),
    warnings: missing.map((m) => `${m.what}: files that need it halt (label ${m.label})`),
    vars: (server) => ({
      EDDY_SLT_PG_PORT: String(server.pgPort),
      EDDY_SLT_HTTP_PORT: String(server.httpPort),
      EDDY_SLT_HTTP: `http://127.0.0.1:${server.httpPort}`,
      EDDY_SLT_KAFKA: broker.brokers,
      EDDY_SLT_MYSQL_URL: MYSQL.url,
      EDDY_SLT_PG_URL: POSTGRES.url,
      EDDY_SLT_RUN: run,
      EDDY_SLT_NODE: process.execPath,
      EDDY_SLT_ROOT: root,
      EDDY_SLT_TLS_CERT: TLS_CERT,
    }),
    stop: () => broker.stop(),
  };
}
