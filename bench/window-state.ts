/**
 * Bounded state: a long run of generated bids (bench/nexmark-bids.ts, event time advancing
 * steadily at 10 000 events/s) through a 10 s TUMBLE, engine alone. Every `sampleEvery` events it
 * flushes and samples the operator state (eddy_operator_state: state_rows and approximate
 * state_bytes per node), the MV's row count, and the process's memory after a full GC (heapUsed,
 * RSS). After every batch it also reads the dataflow's total state entries, to catch the maximum
 * between samples.
 *
 * Two MVs, each in a run of its own:
 *   tumble      SELECT auction, window_start, count(*) AS n, max(price) AS top
 *               FROM TUMBLE(bids, date_time, INTERVAL '10 seconds') GROUP BY auction, window_start
 *               The operator state is bounded, but the MV keeps a row per (auction, window)
 *               forever, so the process's memory grows with the MV (about 6 000 rows per window).
 *   tumble_top  SELECT window_start, count(*) AS auctions, max(n) AS top_bids FROM (SELECT auction,
 *               window_start, count(*) AS n FROM TUMBLE(...) GROUP BY auction, window_start) w
 *               GROUP BY window_start
 *               The inner half of Nexmark q5: the same per-(auction, window) state, but one output
 *               row per window, so the whole process should stay flat.
 *
 * The rows are generated batch by batch inside the run (not pre-built), so the input does not
 * weigh on the heap; the rates therefore include the generator. Each run is a child process of
 * its own (runWindowStateIsolated), so its heap and RSS owe nothing to what ran before (a closed
 * Engine stayed reachable for a few seconds after close() when two runs shared a process).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Row } from '../runtime/sql/values.js';
import { openInProcess } from './in-process.js';
import { BIDS_DDL, BidGenerator, bidGenConfig, type Bid } from './nexmark-bids.js';

export interface StateVariant {
  name: string;
  query: string;
  /** Output rows stay bounded (one per window) rather than one per (auction, window). */
  boundedOutput: boolean;
}

export const STATE_VARIANTS: StateVariant[] = [
  {
    name: 'tumble',
    query: "SELECT auction, window_start, count(*) AS n, max(price) AS top FROM TUMBLE(bids, date_time, INTERVAL '10 seconds') GROUP BY auction, window_start",
    boundedOutput: false,
  },
  {
    name: 'tumble_top',
    query: "SELECT window_start, count(*) AS auctions, max(n) AS top_bids FROM (SELECT auction, window_start, count(*) AS n FROM TUMBLE(bids, date_time, INTERVAL '10 seconds') GROUP BY auction, window_start) AS w GROUP BY window_start",
    boundedOutput: true,
  },
];

export interface StateSample {
  events: number;
  /** Seconds since the start of the run (generation included). */
  seconds: number;
  /** Events per second over the chunk since the previous sample. */
  chunkRate: number;
  /** Process CPU per event over that chunk, µs (robust to contention, unlike chunkRate). */
  chunkCpuUsPerEvent: number;
  stateRows: number;
  /** Largest total state entries after any batch of the chunk since the previous sample. */
  chunkMaxStateRows: number;
  stateBytes: number;
  /** Per stateful node: "node label: rows". */
  nodes: string[];
  mvRows: number;
  heapUsedMB: number;
  rssMB: number;
}

export interface StateRun {
  variant: string;
  events: number;
  late: number;
  seconds: number;
  /** Process CPU (user + system) over the run, generator included. */
  cpuSeconds: number;
  samples: StateSample[];
  /** Largest total state entries seen after any batch. */
  maxStateRows: number;
  /** Distinct (auction, window) groups per full 10 s window of the input (inner windows). */
  groupsPerWindow: number;
  windows: number;
}

const WINDOW_US = 10_000_000;

/** A full GC when the flag can be set at run time; undefined otherwise. */
function gcFunction(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/**
 * Counts the distinct auctions of each window as the bids are generated, retiring windows once
 * they are long past, so the check itself stays small and bounded.
 */
class WindowTally {
  private readonly open = new Map<number, Map<number, number>>();
  readonly closed: { start: number; auctions: number; top: number }[] = [];
  private maxTime = -Infinity;

  add(b: Bid): void {
    if (b.late) return;
    if (b.timeUs > this.maxTime) this.maxTime = b.timeUs;
    const start = Math.floor(b.timeUs / WINDOW_US) * WINDOW_US;
    let m = this.open.get(start);
    if (m === undefined) this.open.set(start, (m = new Map()));
    m.set(b.auction, (m.get(b.auction) ?? 0) + 1);
    // rows shifted back (jitter) stay within the watermark delay: retire windows well behind
    if (this.open.size > 4) this.retire(this.maxTime - 3 * WINDOW_US);
  }

  retire(below: number): void {
    for (const [start, m] of [...this.open.entries()].sort((a, b) => a[0] - b[0])) {
      if (start + WINDOW_US > below) break;
      let top = 0;
      for (const n of m.values()) if (n > top) top = n;
      this.closed.push({ start, auctions: m.size, top });
      this.open.delete(start);
    }
  }

  finish(): void {
    this.retire(Infinity);
  }
}

export interface StateOptions {
  events: number;
  sampleEvery: number;
  batchRows: number;
  inFlight: number;
  seed: number;
}

export async function runWindowState(v: StateVariant, opts: StateOptions): Promise<StateRun> {
  const gc = gcFunction();
  const memory = () => {
    gc?.();
    const m = process.memoryUsage();
    return { heapUsedMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 };
  };
  const ip = await openInProcess();
  try {
    const { engine } = ip;
    await ip.sql(BIDS_DDL);
    await ip.sql(`CREATE MATERIALIZED VIEW w AS ${v.query}`);
    const stream = engine.catalog.get('bids');
    const mv = engine.catalog.get('w');
    if (!stream || !mv) throw new Error('objects missing');
    const df = engine.mvs.get(mv.id)?.dataflow;
    if (!df) throw new Error('no dataflow for w');

    const gen = new BidGenerator(bidGenConfig(opts.seed, opts.inFlight, opts.batchRows));
    const tally = new WindowTally();
    const bid: Bid = { auction: 0, bidder: 0, price: 0, timeUs: 0, late: false };
    const nextBatch = (n: number): Row[] => {
      const rows: Row[] = new Array(n);
      for (let i = 0; i < n; i++) {
        gen.next(bid);
        tally.add(bid);
        rows[i] = [BigInt(bid.auction), BigInt(bid.bidder), BigInt(bid.price), bid.timeUs];
      }
      return rows;
    };

    const samples: StateSample[] = [];
    let maxStateRows = 0;
    let chunkMax = 0;
    let produced = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let tPrev = t0;
    let cpuPrev = process.cpuUsage();
    while (produced < opts.events) {
      const chunkEnd = Math.min(opts.events, produced + opts.sampleEvery);
      await Promise.all(
        Array.from({ length: opts.inFlight }, async () => {
          while (produced < chunkEnd) {
            const n = Math.min(opts.batchRows, chunkEnd - produced);
            produced += n;
            const rows = nextBatch(n);
            await engine.submit((tx) => engine.appendToStream(tx, stream, rows));
            const s = df.stateSize();
            if (s > chunkMax) chunkMax = s;
          }
        }),
      );
      await engine.flush();
      const t = performance.now();
      const c = process.cpuUsage(cpuPrev);
      const ops = await ip.sql("SELECT node, operator, state_rows, state_bytes FROM eddy_operator_state WHERE materialized_view = 'w'");
      const mvRows = Number((await ip.sql('SELECT count(*) FROM w'))[0][0]);
      samples.push({
        events: produced,
        seconds: (t - t0) / 1000,
        chunkRate: (produced - (samples.at(-1)?.events ?? 0)) / ((t - tPrev) / 1000),
        chunkCpuUsPerEvent: (c.user + c.system) / (produced - (samples.at(-1)?.events ?? 0)),
        stateRows: ops.reduce((a, r) => a + Number(r[2]), 0),
        chunkMaxStateRows: chunkMax,
        stateBytes: ops.reduce((a, r) => a + Number(r[3]), 0),
        nodes: ops.map((r) => `${String(r[0])} ${String(r[1]).replace(/ \(.*/, '')}: ${String(r[2])}`),
        mvRows,
        ...memory(),
      });
      if (chunkMax > maxStateRows) maxStateRows = chunkMax;
      chunkMax = 0;
      tPrev = performance.now();
      cpuPrev = process.cpuUsage();
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);

    // Checks: the late rows, and (per window, at the end) the groups the windows held.
    const late = Number((await ip.sql("SELECT late_rows FROM eddy_streams WHERE name = 'bids'"))[0][0]);
    if (late !== gen.lateProduced) throw new Error(`the stream counted ${late} late rows, expected ${gen.lateProduced}`);
    tally.finish();
    const problems: string[] = [];
    let windows: { start: number; auctions: number; top: number }[];
    if (v.boundedOutput) {
      const got = new Map((await ip.sql('SELECT window_start, auctions, top_bids FROM w')).map((r) => [Number(r[0]), [Number(r[1]), Number(r[2])]]));
      for (const x of tally.closed) {
        const g = got.get(x.start);
        if (problems.length < 5 && (g === undefined || g[0] !== x.auctions || g[1] !== x.top)) {
          problems.push(`window ${new Date(x.start / 1000).toISOString()}: got ${g ? `${g[0]} auctions, top ${g[1]}` : 'no row'}, expected ${x.auctions} auctions, top ${x.top}`);
        }
      }
      if (got.size !== tally.closed.length) problems.push(`got ${got.size} windows, expected ${tally.closed.length}`);
      windows = tally.closed;
    } else {
      const got = await ip.sql('SELECT window_start, count(*), sum(n) FROM w GROUP BY window_start');
      const byStart = new Map(got.map((r) => [Number(r[0]), [Number(r[1]), Number(r[2])]]));
      let total = 0;
      for (const [, [, s]] of byStart) total += s;
      if (total !== opts.events - late) problems.push(`sum of n = ${total}, expected ${opts.events - late}`);
      for (const x of tally.closed) {
        const g = byStart.get(x.start);
        if (problems.length < 5 && (g === undefined || g[0] !== x.auctions)) problems.push(`window ${new Date(x.start / 1000).toISOString()}: got ${g ? g[0] : 'no'} groups, expected ${x.auctions}`);
      }
      windows = tally.closed;
    }
    if (problems.length > 0) throw new Error(`${v.name}: wrong result: ${problems.join('; ')}`);
    // Groups per window over the full windows (the first and last are partly filled).
    const inner = windows.length > 2 ? windows.slice(1, -1) : windows;
    const groupsPerWindow = inner.reduce((a, x) => a + x.auctions, 0) / Math.max(1, inner.length);
    return { variant: v.name, events: opts.events, late, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, samples, maxStateRows, groupsPerWindow, windows: windows.length };
  } finally {
    await ip.close();
  }
}

/** Runs one variant in a child process (`node --expose-gc` this file) and returns its result. */
export function runWindowStateIsolated(v: StateVariant, opts: StateOptions): Promise<StateRun> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', self, v.name, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`state run ${v.name} exited with code ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as StateRun);
      } catch (e) {
        reject(new Error(`state run ${v.name}: unreadable result (${(e as Error).message}): ${out.slice(0, 500)}`));
      }
    });
  });
}

// Child-process entry: node --expose-gc dist/bench/window-state.js <variant> '<options JSON>'
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const v = STATE_VARIANTS.find((x) => x.name === process.argv[2]);
  if (!v) {
    process.stderr.write(`window-state: unknown variant "${process.argv[2]}"; choose from ${STATE_VARIANTS.map((x) => x.name).join(', ')}\n`);
    process.exit(2);
  }
  runWindowState(v, JSON.parse(process.argv[3] ?? '{}') as StateOptions).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`window-state ${v.name}: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
