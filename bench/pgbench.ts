/**
 * Point lookups over the wire with pgbench: the script
 *
 *   \set k random(1, 10000)
 *   SELECT n, s FROM agg WHERE k = :k;
 *
 * with `-n -c 8 -j 2 -T <s>` in each protocol mode (simple, extended, prepared), against Eddy's
 * MV `agg` (10,000 groups, filled through the stream) and against the PostgreSQL on
 * 127.0.0.1:5432 (user postgres, database test) over a table `bench_agg(k int primary key,
 * n bigint, s numeric)` holding the same 10,000 rows, copied from Eddy's MV. Runs alternate
 * between the two servers so drift in machine speed hits both; the median TPS per mode is kept.
 *
 * In simple mode pgbench sends the key as a literal, so every statement text is different
 * (10,000 distinct texts): that is what a simple-protocol client does, and what is measured.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EddyProcess } from '../tests/support/server-process.js';
import { insertSql, processCpuSeconds, verifyAggregate, MV_DDL, STREAM_DDL, type Workload } from './workload.js';
import { median, progress } from './report.js';

export const PGBENCH = '/usr/bin/pgbench';
export const MODES = ['simple', 'extended', 'prepared'] as const;
export type Mode = (typeof MODES)[number];

export interface PgbenchOptions {
  seconds: number;
  reps: number;
  clients: number;
  threads: number;
  postgres: { host: string; port: number; user: string; database: string };
}

export interface PgbenchRun {
  tps: number;
  transactions: number;
  latencyMs?: number;
  /** Server CPU (user+system) µs per transaction; measured for Eddy only (one process). */
  serverCpuUsPerQuery?: number;
}

export interface PgbenchTarget {
  /** Per mode: the runs, in order. */
  runs: Record<Mode, PgbenchRun[]>;
  /** Per mode: the error of the first failed run, if any. */
  errors: Partial<Record<Mode, string>>;
}

export interface PgbenchResult {
  eddy: PgbenchTarget;
  /** undefined when PostgreSQL was not reachable (see postgresError). */
  postgres?: PgbenchTarget;
  postgresError?: string;
}

export function pgbenchAvailable(): boolean {
  try {
    fs.accessSync(PGBENCH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function emptyTarget(): PgbenchTarget {
  return { runs: { simple: [], extended: [], prepared: [] }, errors: {} };
}

export function medianTps(t: PgbenchTarget | undefined, mode: Mode): number | undefined {
  if (!t || t.runs[mode].length === 0) return undefined;
  return median(t.runs[mode].map((r) => r.tps));
}

export function medianCpuUs(t: PgbenchTarget | undefined, mode: Mode): number | undefined {
  const xs = (t?.runs[mode] ?? []).map((r) => r.serverCpuUsPerQuery).filter((x): x is number => x !== undefined);
  return xs.length > 0 ? median(xs) : undefined;
}

interface Conn { host: string; port: number; user: string; database: string }

function runPgbench(conn: Conn, script: string, mode: Mode, o: PgbenchOptions): Promise<{ stdout: string; stderr: string; code: number }> {
  const args = ['-n', '-f', script, '-c', String(o.clients), '-j', String(o.threads), '-T', String(o.seconds), '-M', mode,
    '-h', conn.host, '-p', String(conn.port), '-U', conn.user, conn.database];
  return new Promise((resolve) => {
    execFile(PGBENCH, args, { env: { ...process.env, PGOPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/** Parses pgbench's summary; throws with its output when it failed or processed nothing. */
export function parsePgbench(out: { stdout: string; stderr: string; code: number }): PgbenchRun {
  const tps = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(out.stdout);
  const processed = /number of transactions actually processed: (\d+)/.exec(out.stdout);
  const failed = /number of failed transactions: (\d+)/.exec(out.stdout);
  const latency = /latency average = ([\d.]+) ms/.exec(out.stdout);
  if (out.code !== 0 || !tps || !processed || Number(processed[1]) === 0 || (failed && Number(failed[1]) > 0)) {
    const tail = (s: string) => s.trim().split('\n').slice(-8).join(' | ');
    throw new Error(`pgbench exit ${out.code}; stdout: ${tail(out.stdout)}; stderr: ${tail(out.stderr)}`);
  }
  return { tps: Number(tps[1]), transactions: Number(processed[1]), latencyMs: latency ? Number(latency[1]) : undefined };
}

/** Fills Eddy's MV from the workload and returns its rows (k, n, s as text). */
async function loadEddy(server: EddyProcess, w: Workload): Promise<[number, string, string][]> {
  const c = await server.client();
  try {
    await c.query(STREAM_DDL);
    await c.query(MV_DDL);
    for (const b of w.batches) await c.query(insertSql(w, b));
    await c.query('FLUSH');
    const r = await c.query({ text: 'SELECT k, n, s FROM agg', rowMode: 'array' });
    const rows = r.rows as [number, string, string][];
    const problems = verifyAggregate(w, rows);
    if (problems.length > 0) throw new Error(`the MV does not hold the expected totals: ${problems.join('; ')}`);
    return rows;
  } finally {
    await c.end();
  }
}

/** Creates bench_agg in PostgreSQL with the given rows. */
async function loadPostgres(conn: Conn, rows: [number, string, string][]): Promise<void> {
  const c = new pg.Client(conn);
  await c.connect();
  try {
    await c.query('DROP TABLE IF EXISTS bench_agg');
    await c.query('CREATE TABLE bench_agg (k int PRIMARY KEY, n bigint, s numeric)');
    await c.query('INSERT INTO bench_agg SELECT * FROM unnest($1::int[], $2::bigint[], $3::numeric[])', [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])]);
    await c.query('VACUUM ANALYZE bench_agg');
    const n = await c.query('SELECT count(*)::int AS n FROM bench_agg');
    if (n.rows[0].n !== rows.length) throw new Error(`bench_agg holds ${n.rows[0].n} rows, expected ${rows.length}`);
  } finally {
    await c.end();
  }
}

export async function runPgbenchLookups(w: Workload, o: PgbenchOptions): Promise<PgbenchResult> {
  if (!pgbenchAvailable()) throw new Error(`${PGBENCH} is missing; install it with: apt-get install -y postgresql-client`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-pgbench-'));
  const server = await EddyProcess.start();
  const result: PgbenchResult = { eddy: emptyTarget() };
  try {
    progress(`pgbench: loading ${w.cfg.rows.toLocaleString('en-US')} rows into Eddy's agg`);
    const rows = await loadEddy(server, w);
    const eddyScript = path.join(dir, 'eddy.sql');
    const pgScript = path.join(dir, 'postgres.sql');
    fs.writeFileSync(eddyScript, `\\set k random(1, ${w.cfg.keys})\nSELECT n, s FROM agg WHERE k = :k;\n`);
    fs.writeFileSync(pgScript, `\\set k random(1, ${w.cfg.keys})\nSELECT n, s FROM bench_agg WHERE k = :k;\n`);
    try {
      await loadPostgres(o.postgres, rows);
      result.postgres = emptyTarget();
    } catch (e) {
      result.postgresError = `PostgreSQL on ${o.postgres.host}:${o.postgres.port} not usable: ${(e as Error).message}`;
      progress(result.postgresError);
    }
    const eddyConn: Conn = { host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'eddy' };

    const once = async (target: 'eddy' | 'postgres', mode: Mode, rep: number) => {
      const t = target === 'eddy' ? result.eddy : result.postgres;
      if (!t || t.errors[mode]) return;
      const cpu0 = target === 'eddy' ? processCpuSeconds(server.child.pid) : undefined;
      const out = await runPgbench(target === 'eddy' ? eddyConn : o.postgres, target === 'eddy' ? eddyScript : pgScript, mode, o);
      const cpu1 = target === 'eddy' ? processCpuSeconds(server.child.pid) : undefined;
      try {
        const run = parsePgbench(out);
        if (cpu0 !== undefined && cpu1 !== undefined) run.serverCpuUsPerQuery = ((cpu1 - cpu0) * 1e6) / run.transactions;
        t.runs[mode].push(run);
        progress(`pgbench ${target} ${mode} #${rep + 1}: ${Math.round(run.tps)} TPS`);
      } catch (e) {
        t.errors[mode] = (e as Error).message;
        progress(`pgbench ${target} ${mode} #${rep + 1} FAILED: ${(e as Error).message}`);
      }
    };
    for (let rep = 0; rep < o.reps; rep++) {
      for (const mode of MODES) {
        // alternate which server goes first so slow drift of the machine does not favour one
        const order: ('eddy' | 'postgres')[] = rep % 2 === 0 ? ['eddy', 'postgres'] : ['postgres', 'eddy'];
        for (const target of order) await once(target, mode, rep);
      }
    }
    if (!server.running) throw new Error(`the Eddy server exited during pgbench; last logs:\n${server.logs.slice(-20).join('\n')}`);
    return result;
  } finally {
    await server.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
    if (result.postgres) await dropPostgresTable(o.postgres);
  }
}

async function dropPostgresTable(conn: Conn): Promise<void> {
  const c = new pg.Client(conn);
  try {
    await c.connect();
    await c.query('DROP TABLE IF EXISTS bench_agg');
  } catch {
    /* best effort: the table is recreated by the next run anyway */
  } finally {
    await c.end().catch(() => undefined);
  }
}
