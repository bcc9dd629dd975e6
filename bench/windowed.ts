/**
 * Windowed counts over generated Nexmark-like bids (bench/nexmark-bids.ts), against a
 * non-windowed GROUP BY auction over the same stream measured in the same run.
 *
 * Every variant is one MV over `CREATE STREAM bids (... WATERMARK FOR date_time AS date_time -
 * INTERVAL '4 seconds')`, each selecting `count(*) AS n, max(price) AS top` (the baseline too, so
 * the ratio isolates the windowing):
 *
 *   plain        GROUP BY auction                                   (the baseline)
 *   tumble       TUMBLE(bids, date_time, 10 s) GROUP BY auction, window_start
 *   tumble_eowc  the same, EMIT ON WINDOW CLOSE
 *   hop          HOP(bids, date_time, 2 s, 10 s) GROUP BY auction, window_start
 *   date_trunc   GROUP BY auction, date_trunc('second', date_time)
 *
 * Two paths, as for the foundation's ingest benchmark:
 *   - engine alone: an Engine in a fresh child process per variant (bench/in-process.ts), rows
 *     pushed through `engine.submit(tx => engine.appendToStream(...))`, `inFlight` batches at
 *     once, then flush (see runWindowedEngine for how the rows are built);
 *   - over the wire: a spawned server per variant, `pg` clients sending multi-row INSERTs on
 *     `connections` connections, then FLUSH. INSERT texts are built before the clock starts.
 * Each run then checks every group of the MV (n and max) against the expected aggregate of the
 * rows the stream accepted, and that it diverted every generated late row (and, engine alone,
 * no other; see nexmark-bids.ts for why the wire may divert a few more).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Row } from '../runtime/sql/values.js';
import { EddyProcess } from '../tests/support/server-process.js';
import { openInProcess } from './in-process.js';
import { processCpuSeconds } from './workload.js';
import { percentile } from './report.js';
import {
  BIDS_DDL, PLAIN, WINDOWED, bidGenConfig, bidsInsertSql, expectedGroups, makeBids, matchDiverted, parseTimestampText, verifyGroups,
  type BidSet, type Expected, type WindowedVariant,
} from './nexmark-bids.js';

export interface WindowedRun {
  variant: string;
  /** Rows offered (late ones included). */
  rows: number;
  seconds: number;
  rowsPerSec: number;
  /** CPU seconds of the process doing the engine work (this one, or the server) during the timed part. */
  cpuSeconds?: number;
  epochs?: number;
  late: number;
  /** Late rows beyond the generated ones (wire only: statements of different connections reordered). */
  extraLate: number;
  /** Operator state entries after the run (all stateful nodes). */
  stateRows: number;
  mvRows: number;
  /** Wire only: INSERT latency. */
  insertLatencyMs?: { p50: number; p99: number };
}

/** The check's SELECT list: auction, the window column (if any), n, top. */
function checkSelect(v: WindowedVariant): string {
  return `SELECT auction, ${v.windowColumn ? `${v.windowColumn}, ` : ''}n, top FROM w`;
}

/**
 * Checks the MV against the expected groups, over the rows the stream did not divert as late.
 * Every generated late row must have been diverted; other diverted rows are allowed only when
 * `reordered` (the wire: see nexmark-bids.ts). Returns the number of such extra late rows.
 */
function check(bids: BidSet, v: WindowedVariant, exp: Expected, rows: (readonly unknown[])[], late: number, lateRowJson: string[], opts: { windowAsText: boolean; reordered: boolean }): number {
  const hasWindow = v.windowColumn !== null;
  const quads = rows.map((r) => (hasWindow
    ? [r[0], opts.windowAsText ? parseTimestampText(String(r[1])) : r[1], r[2], r[3]]
    : [r[0], null, r[1], r[2]]) as [unknown, unknown, unknown, unknown]);
  const problems: string[] = [];
  const d = matchDiverted(bids, lateRowJson);
  if (lateRowJson.length !== late) problems.push(`eddy_streams counts ${late} late rows, eddy_late_rows holds ${lateRowJson.length}`);
  if (d.missing > 0) problems.push(`${d.missing} generated late rows were not diverted`);
  if (d.unknown > 0) problems.push(`${d.unknown} diverted rows match no generated row`);
  if (d.extra > 0 && !opts.reordered) problems.push(`${d.extra} rows diverted as late beyond the ${exp.late} generated late ones`);
  problems.push(...verifyGroups(bids, d.extra > 0 ? expectedGroups(bids, v.grouping, d.excluded) : exp, hasWindow, quads));
  if (problems.length > 0) throw new Error(`${v.name}: the MV does not hold the expected groups: ${problems.join('; ')}`);
  return d.extra;
}

/** One batch's rows as the engine takes them: [auction, bidder, price, date_time µs]. */
function batchRows(bids: BidSet, [start, end]: [number, number]): Row[] {
  const rows: Row[] = new Array(end - start);
  for (let i = start; i < end; i++) rows[i - start] = [BigInt(bids.auction[i]), BigInt(bids.bidder[i]), BigInt(bids.price[i]), bids.timeUs[i]];
  return rows;
}

/**
 * The engine alone. Each batch's rows are built from the bid columns just before it is submitted
 * (about 0.3 µs per row, inside the clock and the CPU figure, the same for every variant): rows
 * pre-built for the whole input would stay on the heap during the run and make every major GC
 * mark them, which charged the variants that free state (closed windows) more than the baseline.
 * The expected result is computed after the clock stops. Run it in a process of its own
 * (runWindowedEngineIsolated) so that no other benchmark's heap is marked either.
 */
export async function runWindowedEngine(bids: BidSet, v: WindowedVariant, opts: { inFlight: number }): Promise<WindowedRun> {
  const ip = await openInProcess();
  try {
    const { engine } = ip;
    await ip.sql(BIDS_DDL);
    await ip.sql(`CREATE MATERIALIZED VIEW w AS ${v.query}`);
    const stream = engine.catalog.get('bids');
    if (!stream) throw new Error('no stream bids');

    const batches = bids.batches;
    let next = 0;
    const epoch0 = engine.epoch;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        while (next < batches.length) {
          const rows = batchRows(bids, batches[next++]);
          await engine.submit((tx) => engine.appendToStream(tx, stream, rows));
        }
      }),
    );
    await engine.flush();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const epochs = engine.epoch - epoch0;

    const late = Number((await ip.sql("SELECT late_rows FROM eddy_streams WHERE name = 'bids'"))[0]?.[0]);
    const state = await ip.sql("SELECT sum(state_rows) FROM eddy_operator_state WHERE materialized_view = 'w'");
    const rows = await ip.sql(checkSelect(v));
    const lateRows = (await ip.sql("SELECT row FROM eddy_late_rows WHERE stream = 'bids'")).map((r) => String(r[0]));
    const extraLate = check(bids, v, expectedGroups(bids, v.grouping), rows, late, lateRows, { windowAsText: false, reordered: false });
    const seconds = (t1 - t0) / 1000;
    return {
      variant: v.name, rows: bids.count, seconds, rowsPerSec: bids.count / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, epochs,
      late, extraLate, stateRows: Number(state[0]?.[0] ?? 0), mvRows: rows.length,
    };
  } finally {
    await ip.close();
  }
}

/** Text of every value: BIGINT and TIMESTAMP as the server sends them. */
const rawText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

export async function runWindowedWire(bids: BidSet, texts: string[], v: WindowedVariant, exp: Expected, opts: { connections: number }): Promise<WindowedRun> {
  const server = await EddyProcess.start();
  const clients: pg.Client[] = [];
  try {
    const admin = await server.client();
    clients.push(admin);
    await admin.query(BIDS_DDL);
    await admin.query(`CREATE MATERIALIZED VIEW w AS ${v.query}`);
    for (let i = 1; i < opts.connections; i++) clients.push(await server.client());

    const latencies: number[] = new Array(texts.length);
    let next = 0;
    const cpu0 = processCpuSeconds(server.child.pid);
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        while (next < texts.length) {
          const i = next++;
          const s = performance.now();
          await c.query(texts[i]);
          latencies[i] = performance.now() - s;
        }
      }),
    );
    await admin.query('FLUSH');
    const t1 = performance.now();
    const cpu1 = processCpuSeconds(server.child.pid);

    const q = async (text: string) => (await admin.query({ text, rowMode: 'array', types: rawText })).rows as unknown[][];
    const late = Number((await q("SELECT late_rows FROM eddy_streams WHERE name = 'bids'"))[0]?.[0]);
    const state = await q("SELECT sum(state_rows) FROM eddy_operator_state WHERE materialized_view = 'w'");
    const rows = await q(checkSelect(v));
    const lateRows = (await q("SELECT row FROM eddy_late_rows WHERE stream = 'bids'")).map((r) => String(r[0]));
    const extraLate = check(bids, v, exp, rows, late, lateRows, { windowAsText: true, reordered: true });
    const seconds = (t1 - t0) / 1000;
    return {
      variant: v.name, rows: bids.count, seconds, rowsPerSec: bids.count / seconds,
      cpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      late, extraLate, stateRows: Number(state[0]?.[0] ?? 0), mvRows: rows.length,
      insertLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await server.stop();
    await server.cleanup();
  }
}

/** INSERT texts of every batch (built once, before any clock starts). */
export function bidInsertTexts(bids: BidSet): string[] {
  return bids.batches.map((b) => bidsInsertSql(bids, b));
}

export interface EngineChildOptions {
  /** Bids to generate (the child generates them itself, deterministically, from the seed). */
  count: number;
  seed: number;
  batchRows: number;
  inFlight: number;
}

/** runWindowedEngine in a child process of its own (`node` this file); returns its result. */
export function runWindowedEngineIsolated(variant: string, opts: EngineChildOptions): Promise<WindowedRun> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, variant, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`engine run ${variant} exited with code ${code}: ${err.trim()}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as WindowedRun);
      } catch (e) {
        reject(new Error(`engine run ${variant}: unreadable result (${(e as Error).message}): ${out.slice(0, 500)}`));
      }
    });
  });
}

// Child-process entry: node dist/bench/windowed.js <variant> '<EngineChildOptions JSON>'
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const v = [PLAIN, ...WINDOWED].find((x) => x.name === process.argv[2]);
  if (!v) {
    process.stderr.write(`windowed: unknown variant "${process.argv[2]}"\n`);
    process.exit(2);
  }
  const o = JSON.parse(process.argv[3] ?? '{}') as EngineChildOptions;
  const bids = makeBids(bidGenConfig(o.seed, o.inFlight, o.batchRows), o.count, o.batchRows);
  runWindowedEngine(bids, v, { inFlight: o.inFlight }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
