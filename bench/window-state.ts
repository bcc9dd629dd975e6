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
 * weigh on the heap; the rates therefore include the generator.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Row } from '../runtime/sql/values.js';
import { openInProcess } from './in-process.js';
import { BIDS_DDL, BidGenerator, WATERMARK_DELAY_US, bidGenConfig, type Bid } from './nexmark-bids.js';

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
  stateRows: number;
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

  get lastTime(): number {
    return this.maxTime;
  }
}

export async function runWindowState(v: StateVariant, opts: { events: number; sampleEvery: number; batchRows: number; inFlight: number; seed: number }): Promise<StateRun> {
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
    let produced = 0;
    const t0 = performance.now();
    let tPrev = t0;
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
            if (s > maxStateRows) maxStateRows = s;
          }
        }),
      );
      await engine.flush();
      const t = performance.now();
      const ops = await ip.sql("SELECT node, operator, state_rows, state_bytes FROM eddy_operator_state WHERE materialized_view = 'w'");
      const mvRows = Number((await ip.sql('SELECT count(*) FROM w'))[0][0]);
      samples.push({
        events: produced,
        seconds: (t - t0) / 1000,
        chunkRate: (produced - (samples.at(-1)?.events ?? 0)) / ((t - tPrev) / 1000),
        stateRows: ops.reduce((a, r) => a + Number(r[2]), 0),
        stateBytes: ops.reduce((a, r) => a + Number(r[3]), 0),
        nodes: ops.map((r) => `${r[0]} ${String(r[1]).replace(/ \(.*/, '')}: ${r[2]}`),
        mvRows,
        ...memory(),
      });
      tPrev = performance.now();
    }
    const seconds = (performance.now() - t0) / 1000;

    // Checks: the late rows, and (per window, at the end) the groups the windows held.
    const late = Number((await ip.sql("SELECT late_rows FROM eddy_streams WHERE name = 'bids'"))[0][0]);
    if (late !== gen.lateProduced) throw new Error(`the stream counted ${late} late rows, expected ${gen.lateProduced}`);
    tally.finish();
    const finalWatermark = tally.lastTime - WATERMARK_DELAY_US;
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
    void finalWatermark;
    return { variant: v.name, events: opts.events, late, seconds, samples, maxStateRows, groupsPerWindow, windows: windows.length };
  } finally {
    await ip.close();
  }
}
