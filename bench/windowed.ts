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
 *   - engine alone: an in-process Engine (bench/in-process.ts), pre-built rows pushed through
 *     `engine.submit(tx => engine.appendToStream(...))`, `inFlight` batches at once, then flush;
 *   - over the wire: a spawned server per variant, `pg` clients sending multi-row INSERTs on
 *     `connections` connections, then FLUSH. INSERT texts are built before the clock starts.
 * Each run then checks every group of the MV (n and max) against the expected aggregate of the
 * non-late rows, and that the stream counted exactly the generated late rows as late.
 */
import pg from 'pg';
import type { Row } from '../runtime/sql/values.js';
import { EddyProcess } from '../tests/support/server-process.js';
import { openInProcess } from './in-process.js';
import { processCpuSeconds } from './workload.js';
import { percentile } from './report.js';
import {
  BIDS_DDL, bidsInsertSql, expectedGroups, parseTimestampText, verifyGroups,
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

function check(bids: BidSet, v: WindowedVariant, exp: Expected, rows: (readonly unknown[])[], late: number, windowAsText: boolean): void {
  const hasWindow = v.windowColumn !== null;
  const quads = rows.map((r) => (hasWindow
    ? [r[0], windowAsText ? parseTimestampText(String(r[1])) : r[1], r[2], r[3]]
    : [r[0], null, r[1], r[2]]) as [unknown, unknown, unknown, unknown]);
  const problems = verifyGroups(bids, exp, hasWindow, quads);
  if (late !== exp.late) problems.push(`the stream counted ${late} late rows, expected ${exp.late}`);
  if (problems.length > 0) throw new Error(`${v.name}: the MV does not hold the expected groups: ${problems.join('; ')}`);
}

/** The rows of every batch as the engine takes them: [auction, bidder, price, date_time µs]. */
export function bidRows(bids: BidSet): Row[][] {
  return bids.batches.map(([start, end]) => {
    const rows: Row[] = new Array(end - start);
    for (let i = start; i < end; i++) rows[i - start] = [BigInt(bids.auction[i]), BigInt(bids.bidder[i]), BigInt(bids.price[i]), bids.timeUs[i]];
    return rows;
  });
}

export async function runWindowedEngine(bids: BidSet, batches: Row[][], v: WindowedVariant, exp: Expected, opts: { inFlight: number }): Promise<WindowedRun> {
  const ip = await openInProcess();
  try {
    const { engine } = ip;
    await ip.sql(BIDS_DDL);
    await ip.sql(`CREATE MATERIALIZED VIEW w AS ${v.query}`);
    const stream = engine.catalog.get('bids');
    if (!stream) throw new Error('no stream bids');

    let next = 0;
    const epoch0 = engine.epoch;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        while (next < batches.length) {
          const rows = batches[next++];
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
    check(bids, v, exp, rows, late, false);
    const seconds = (t1 - t0) / 1000;
    return {
      variant: v.name, rows: bids.count, seconds, rowsPerSec: bids.count / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, epochs,
      late, stateRows: Number(state[0]?.[0] ?? 0), mvRows: rows.length,
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
    check(bids, v, exp, rows, late, true);
    const seconds = (t1 - t0) / 1000;
    return {
      variant: v.name, rows: bids.count, seconds, rowsPerSec: bids.count / seconds,
      cpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      late, stateRows: Number(state[0]?.[0] ?? 0), mvRows: rows.length,
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

export { expectedGroups };
