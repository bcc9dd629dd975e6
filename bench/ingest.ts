/**
 * Ingest + incremental GROUP BY over the wire: a spawned Eddy server, `pg` clients sending
 * multi-row `INSERT INTO ev VALUES ...` statements on a few concurrent connections into
 * `CREATE STREAM ev` feeding `CREATE MATERIALIZED VIEW agg ... GROUP BY k`. The clock runs from
 * the first INSERT until FLUSH returns; then every group of the MV is checked against the
 * expected aggregate, so a benchmark that silently dropped rows fails instead of looking fast.
 *
 * The INSERT texts are built before the clock starts: the client shares the machine's two
 * cores with the server, and building strings is not what is being measured.
 */
import pg from 'pg';
import { EddyProcess } from '../tests/support/server-process.js';
import { insertSql, processCpuSeconds, verifyAggregate, MV_DDL, STREAM_DDL, type Workload } from './workload.js';
import { percentile } from './report.js';

export interface WireIngestOptions {
  connections: number;
  /** Extra environment for the server process (e.g. NODE_OPTIONS=--cpu-prof). */
  serverEnv?: Record<string, string>;
}

export interface WireIngestResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  insertLatencyMs: { p50: number; p99: number; max: number };
  flushMs: number;
  /** Server process CPU (user+system) during the timed part, if /proc is readable. */
  serverCpuSeconds?: number;
  /** This (client) process's CPU during the timed part: the pg clients share the machine. */
  clientCpuSeconds: number;
  /** Epochs the server committed during the timed part (from GET /health). */
  epochs?: number;
}

async function healthEpoch(httpPort: number): Promise<number | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${httpPort}/health`);
    const j = (await r.json()) as { epoch?: number };
    return j.epoch;
  } catch {
    return undefined;
  }
}

export async function runWireIngest(w: Workload, opts: WireIngestOptions): Promise<WireIngestResult> {
  const server = await EddyProcess.start({ env: opts.serverEnv });
  const clients: pg.Client[] = [];
  try {
    const admin = await server.client();
    clients.push(admin);
    await admin.query(STREAM_DDL);
    await admin.query(MV_DDL);
    for (let i = 1; i < opts.connections; i++) clients.push(await server.client());

    const texts = w.batches.map((b) => insertSql(w, b));
    const latencies: number[] = new Array(texts.length);
    let next = 0;
    const epoch0 = await healthEpoch(server.httpPort);
    const cpu0 = processCpuSeconds(server.child.pid);
    const clientCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (next < texts.length) {
          const i = next++;
          const s = performance.now();
          const r = await c.query(texts[i]);
          latencies[i] = performance.now() - s;
          const expected = w.batches[i][1] - w.batches[i][0];
          if (r.rowCount !== expected) throw new Error(`INSERT of batch ${i} reported ${r.rowCount} rows, expected ${expected}`);
        }
      }),
    );
    const tFlush = performance.now();
    await admin.query('FLUSH');
    const t1 = performance.now();
    const cpu1 = processCpuSeconds(server.child.pid);
    const clientCpu = process.cpuUsage(clientCpu0);
    const epoch1 = await healthEpoch(server.httpPort);

    const res = await admin.query({ text: 'SELECT k, n, s FROM agg', rowMode: 'array' });
    const problems = verifyAggregate(w, res.rows as [unknown, unknown, unknown][]);
    if (problems.length > 0) throw new Error(`the MV does not hold the expected totals: ${problems.join('; ')}`);

    const seconds = (t1 - t0) / 1000;
    return {
      rows: w.cfg.rows,
      seconds,
      rowsPerSec: w.cfg.rows / seconds,
      insertLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
      flushMs: t1 - tFlush,
      serverCpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
      epochs: epoch0 !== undefined && epoch1 !== undefined ? epoch1 - epoch0 : undefined,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    // SIGTERM (not kill -9) so a --cpu-prof server writes its profile on exit.
    await server.stop();
    await server.cleanup();
  }
}
