/**
 * Deterministic Nexmark-like bids for the windowed benchmarks, and the expected window
 * aggregates to check the results against.
 *
 * The generator follows the Nexmark bid rules loosely (/work/shared/peer/nexmark/SPEC.md §3):
 * one global sequence of event numbers, of which every block of 50 holds 1 person, 3 auctions and
 * 46 bids; only the bids are produced, but event time advances for all 50 (at `eventsPerSecond`
 * of event time, Nexmark's default 10 000/s, so a 10 s window holds about 92 000 bids).
 *
 *   auction: p = 1/2 the current hot auction (a multiple of 100, hot for about 1 667 events),
 *            otherwise uniform over the last 100 auctions plus 10 ids ahead; + 1000
 *   bidder:  p = 3/4 the current hot bidder, otherwise one of the 1 000 active people; + 1000
 *   price:   round(10^(6U) * 100) cents, log-uniform over $1..$1M
 *   time:    baseTime + floor(n * 1e6 / eventsPerSecond µs) truncated to ms (Nexmark has ms times)
 *
 * Out-of-orderness, drawn from the same seeded PRNG (tests/support/rng.ts):
 *   - `jitterShare` of the bids are shifted back by up to `jitterMs` (< the 4 s watermark delay,
 *     so they are out of order but never late);
 *   - `lateShare` of the bids, once the stream is `lateAfterMs` old, are shifted back by
 *     `lateDelayMs` .. `lateDelayMs + 5 s`. That is more than the watermark delay plus the
 *     watermark's lag behind the input (the batches that can be in flight: see lateBounds), so
 *     each of them is certainly late however the engine cuts epochs. In the engine alone (one
 *     FIFO queue) no other row is late, and a run checks exactly that. Over the wire the server
 *     may run one connection's INSERT before another's that was sent earlier, so a jittered row
 *     can also meet a watermark that later rows already moved: the check then takes the rows
 *     the server actually diverted (eddy_late_rows), requires them to include every generated
 *     late row, and leaves them out of the expected result (see matchDiverted).
 */
import { Rng } from '../tests/support/rng.js';
import { hopStartWatermark } from '../runtime/time/windows.js';

/** The bid stream as the benchmarks declare it (Nexmark's 4 s watermark delay). */
export const BIDS_DDL =
  "CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4 seconds')";
export const WATERMARK_DELAY_US = 4_000_000;
/** 2015-07-15 00:00:00 UTC, the base time of RisingWave's Nexmark sources. */
export const NEXMARK_BASE_MS = 1436918400000;

export interface BidGenConfig {
  seed: number;
  /** Event-time rate of all Nexmark events (persons + auctions + bids), events per second. */
  eventsPerSecond: number;
  baseTimeMs: number;
  jitterShare: number;
  jitterMs: number;
  lateShare: number;
  /** Late rows are shifted back by lateDelayMs + U * 5 s. */
  lateDelayMs: number;
  /** No late rows before the stream is this old (the watermark must exist first). */
  lateAfterMs: number;
}

/**
 * Late-row delay and warm-up that make the late rows certainly late: a row appended while at
 * most `inFlight` batches of `batchRows` are in flight sees a watermark at most
 * 2 * inFlight * batchRows bids (in event time) behind the newest bid, minus the 4 s delay.
 */
export function lateBounds(inFlight: number, batchRows: number, eventsPerSecond: number): { lateDelayMs: number; lateAfterMs: number } {
  const lagMs = Math.ceil(((2 * inFlight * batchRows * 50) / 46 / eventsPerSecond) * 1000);
  return { lateDelayMs: WATERMARK_DELAY_US / 1000 + lagMs + 2000, lateAfterMs: lagMs + 1000 };
}

export function bidGenConfig(seed: number, inFlight: number, batchRows: number, eventsPerSecond = 10_000): BidGenConfig {
  return { seed, eventsPerSecond, baseTimeMs: NEXMARK_BASE_MS, jitterShare: 0.05, jitterMs: 2000, lateShare: 0.001, ...lateBounds(inFlight, batchRows, eventsPerSecond) };
}

/** One bid as the generator produces it. */
export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  /** Event time, µs since 1970 (the timestamp representation). */
  timeUs: number;
  /** Shifted back far enough to be late for certain. */
  late: boolean;
}

const PROPORTION = 50; // 1 person + 3 auctions + 46 bids
const FIRST_ID = 1000;

/** Nexmark's lastBase0PersonId. */
function lastPerson(eventId: number): number {
  return Math.floor(eventId / PROPORTION);
}

/** Nexmark's lastBase0AuctionId. */
function lastAuction(eventId: number): number {
  let epoch = Math.floor(eventId / PROPORTION);
  let off = eventId % PROPORTION;
  if (off < 1) {
    epoch -= 1;
    off = 2;
  } else if (off >= 4) off = 2;
  else off -= 1;
  return epoch * 3 + off;
}

export class BidGenerator {
  private readonly rng: Rng;
  private readonly delayUs: number;
  /** Next event number (0-based, persons and auctions included). */
  private n = 0;
  /** Bids produced so far. */
  produced = 0;
  lateProduced = 0;

  constructor(readonly cfg: BidGenConfig) {
    this.rng = new Rng(cfg.seed);
    this.delayUs = 1e6 / cfg.eventsPerSecond;
  }

  /** The next bid, written into `out` (no allocation). */
  next(out: Bid): Bid {
    while (this.n % PROPORTION < 4) this.n++;
    const id = this.n++;
    const rnd = this.rng;
    const maxA = lastAuction(id);
    let auction: number;
    if (rnd.next() < 0.5) auction = Math.floor(maxA / 100) * 100;
    else {
      const minA = Math.max(maxA - 100, 0);
      auction = minA + Math.floor(rnd.next() * (maxA - minA + 1 + 10));
    }
    const people = lastPerson(id) + 1;
    let bidder: number;
    if (rnd.next() < 0.75) bidder = Math.floor((people - 1) / 100) * 100 + 1;
    else {
      const active = Math.min(people, 1000);
      bidder = people - active + Math.floor(rnd.next() * (active + 10));
    }
    const price = Math.round(Math.pow(10, rnd.next() * 6) * 100);
    const c = this.cfg;
    const sinceMs = Math.floor(Math.floor(id * this.delayUs) / 1000);
    let ms = c.baseTimeMs + sinceMs;
    let late = false;
    const u = rnd.next();
    if (u < c.lateShare && sinceMs >= c.lateAfterMs) {
      ms -= c.lateDelayMs + Math.floor(rnd.next() * 5000);
      late = true;
      this.lateProduced++;
    } else if (u < c.lateShare + c.jitterShare) ms -= Math.floor(rnd.next() * c.jitterMs);
    out.auction = auction + FIRST_ID;
    out.bidder = bidder + FIRST_ID;
    out.price = price;
    out.timeUs = ms * 1000;
    out.late = late;
    this.produced++;
    return out;
  }
}

/** `count` bids in columns, cut into batches. */
export interface BidSet {
  cfg: BidGenConfig;
  count: number;
  auction: Float64Array;
  bidder: Float64Array;
  price: Float64Array;
  timeUs: Float64Array;
  late: Uint8Array;
  lateCount: number;
  batches: [number, number][];
}

export function makeBids(cfg: BidGenConfig, count: number, batchRows: number): BidSet {
  const g = new BidGenerator(cfg);
  const s: BidSet = {
    cfg, count, auction: new Float64Array(count), bidder: new Float64Array(count), price: new Float64Array(count),
    timeUs: new Float64Array(count), late: new Uint8Array(count), lateCount: 0, batches: [],
  };
  const b: Bid = { auction: 0, bidder: 0, price: 0, timeUs: 0, late: false };
  for (let i = 0; i < count; i++) {
    g.next(b);
    s.auction[i] = b.auction;
    s.bidder[i] = b.bidder;
    s.price[i] = b.price;
    s.timeUs[i] = b.timeUs;
    s.late[i] = b.late ? 1 : 0;
  }
  s.lateCount = g.lateProduced;
  for (let i = 0; i < count; i += batchRows) s.batches.push([i, Math.min(count, i + batchRows)]);
  return s;
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' (UTC) for a µs timestamp with whole milliseconds. */
export function timestampLiteral(us: number): string {
  const iso = new Date(us / 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** `INSERT INTO bids VALUES (auction, bidder, price, 'time'), ...` for one batch. */
export function bidsInsertSql(s: BidSet, [start, end]: [number, number]): string {
  const parts: string[] = new Array(end - start);
  for (let i = start; i < end; i++) parts[i - start] = `(${s.auction[i]},${s.bidder[i]},${s.price[i]},'${timestampLiteral(s.timeUs[i])}')`;
  return `INSERT INTO bids VALUES ${parts.join(',')}`;
}

// ------------------------------------------------------------------------ queries and checks

/** How a query groups: by auction alone, or by auction and a window column. */
export interface Grouping {
  /** null: no window (GROUP BY auction). */
  window: null | { kind: 'hop'; slideUs: number; sizeUs: number } | { kind: 'trunc'; unitUs: number };
  /** Only windows the final watermark closed are in the result (EMIT ON WINDOW CLOSE). */
  closedOnly: boolean;
}

export interface WindowedVariant {
  name: string;
  /** Short label for tables. */
  label: string;
  query: string;
  /** The MV's window column, if any (selected for the check as the second column). */
  windowColumn: string | null;
  grouping: Grouping;
}

const AGGS = 'count(*) AS n, max(price) AS top';

export const PLAIN: WindowedVariant = {
  name: 'plain', label: 'GROUP BY auction (baseline)',
  query: `SELECT auction, ${AGGS} FROM bids GROUP BY auction`, windowColumn: null,
  grouping: { window: null, closedOnly: false },
};

export const WINDOWED: WindowedVariant[] = [
  {
    name: 'tumble', label: 'TUMBLE 10 s, EMIT CHANGES',
    query: `SELECT auction, window_start, ${AGGS} FROM TUMBLE(bids, date_time, INTERVAL '10 seconds') GROUP BY auction, window_start`,
    windowColumn: 'window_start', grouping: { window: { kind: 'hop', slideUs: 10e6, sizeUs: 10e6 }, closedOnly: false },
  },
  {
    name: 'tumble_eowc', label: 'TUMBLE 10 s, EMIT ON WINDOW CLOSE',
    query: `SELECT auction, window_start, ${AGGS} FROM TUMBLE(bids, date_time, INTERVAL '10 seconds') GROUP BY auction, window_start EMIT ON WINDOW CLOSE`,
    windowColumn: 'window_start', grouping: { window: { kind: 'hop', slideUs: 10e6, sizeUs: 10e6 }, closedOnly: true },
  },
  {
    name: 'hop', label: 'HOP slide 2 s, size 10 s',
    query: `SELECT auction, window_start, ${AGGS} FROM HOP(bids, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds') GROUP BY auction, window_start`,
    windowColumn: 'window_start', grouping: { window: { kind: 'hop', slideUs: 2e6, sizeUs: 10e6 }, closedOnly: false },
  },
  {
    name: 'date_trunc', label: "GROUP BY auction, date_trunc('second', date_time)",
    query: `SELECT auction, date_trunc('second', date_time) AS sec, ${AGGS} FROM bids GROUP BY auction, date_trunc('second', date_time)`,
    windowColumn: 'sec', grouping: { window: { kind: 'trunc', unitUs: 1e6 }, closedOnly: false },
  },
];

export interface GroupAgg {
  n: number;
  top: number;
}

/** Group key: window start (µs) and auction, packed in one number (auction ids stay < 2^24). */
const AUCTION_BITS = 2 ** 24;
const windowOrigin = (s: BidSet): number => s.cfg.baseTimeMs * 1000 - 3600e6;

function packKey(origin: number, windowUs: number, auction: number): number {
  return ((windowUs - origin) / 1000) * AUCTION_BITS + auction;
}

export interface Expected {
  groups: Map<number, GroupAgg>;
  /** Rows the engine should accept (all but the late ones). */
  accepted: number;
  late: number;
  /** The stream's final watermark (µs). */
  finalWatermark: number;
  /** Groups (and input rows, counted once per window) per window, averaged over full windows. */
  groupsPerWindow: number;
}

/** The expected result of a grouping over the rows not `excluded` (default: the generated late rows). */
export function expectedGroups(s: BidSet, g: Grouping, excluded: Uint8Array = s.late): Expected {
  const groups = new Map<number, GroupAgg>();
  const origin = windowOrigin(s);
  let maxTime = -Infinity;
  for (let i = 0; i < s.count; i++) if (!excluded[i] && s.timeUs[i] > maxTime) maxTime = s.timeUs[i];
  const finalWatermark = maxTime - WATERMARK_DELAY_US;
  const w = g.window;
  let closedBelow = Infinity;
  if (g.closedOnly && w !== null) closedBelow = w.kind === 'hop' ? hopStartWatermark(finalWatermark, w.slideUs, w.sizeUs, 0) : Math.floor(finalWatermark / w.unitUs) * w.unitUs;
  const add = (key: number, price: number) => {
    const e = groups.get(key);
    if (e === undefined) groups.set(key, { n: 1, top: price });
    else {
      e.n++;
      if (price > e.top) e.top = price;
    }
  };
  let accepted = 0;
  for (let i = 0; i < s.count; i++) {
    if (excluded[i]) continue;
    accepted++;
    const t = s.timeUs[i];
    const a = s.auction[i];
    const p = s.price[i];
    if (w === null) add(a, p);
    else if (w.kind === 'trunc') {
      const start = Math.floor(t / w.unitUs) * w.unitUs;
      if (start < closedBelow) add(packKey(origin, start, a), p);
    } else {
      // starts of the windows [st, st + size) that hold t
      for (let st = Math.floor(t / w.slideUs) * w.slideUs; st + w.sizeUs > t; st -= w.slideUs) if (st < closedBelow) add(packKey(origin, st, a), p);
    }
  }
  return { groups, accepted, late: s.count - accepted, finalWatermark, groupsPerWindow: groupsPerWindow(groups, w) };
}

function groupsPerWindow(groups: Map<number, GroupAgg>, w: Grouping['window']): number {
  if (w === null) return groups.size;
  const perWindow = new Map<number, number>();
  for (const k of groups.keys()) {
    const win = Math.floor(k / AUCTION_BITS);
    perWindow.set(win, (perWindow.get(win) ?? 0) + 1);
  }
  // leave out the first and last windows (partly filled)
  const counts = [...perWindow.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  const inner = counts.length > 2 ? counts.slice(1, -1) : counts;
  return inner.reduce((a, b) => a + b, 0) / Math.max(1, inner.length);
}

/**
 * Compares an MV's rows [auction, window?, n, top] (values as anything whose String() is the
 * number; the window as µs, or null without a window) with the expected groups. Returns the
 * problems found (empty = correct); stops after a few.
 */
export function verifyGroups(s: BidSet, exp: Expected, hasWindow: boolean, rows: Iterable<readonly [unknown, unknown, unknown, unknown]>): string[] {
  const problems: string[] = [];
  const origin = windowOrigin(s);
  let seen = 0;
  let totalN = 0;
  for (const [a, w, n, top] of rows) {
    const auction = Number(a);
    const key = hasWindow ? packKey(origin, Number(w), auction) : auction;
    const e = exp.groups.get(key);
    const nn = Number(n);
    const tt = Number(top);
    seen++;
    totalN += nn;
    if (problems.length < 5 && (e === undefined || e.n !== nn || e.top !== tt)) {
      problems.push(`group (${auction}${hasWindow ? `, ${timestampLiteral(Number(w))}` : ''}): got n=${nn} top=${tt}, expected ${e ? `n=${e.n} top=${e.top}` : 'no such group'}`);
    }
  }
  if (seen !== exp.groups.size) problems.push(`got ${seen} groups, expected ${exp.groups.size}`);
  let expN = 0;
  for (const e of exp.groups.values()) expN += e.n;
  if (totalN !== expN) problems.push(`sum of n = ${totalN}, expected ${expN}`);
  return problems;
}

/**
 * Matches the rows a stream diverted as late (eddy_late_rows.row, JSON with the column names) to
 * generated rows. `excluded` marks them; `extra` counts diverted rows the generator did not make
 * late, `missing` generated late rows that were not diverted, `unknown` diverted rows that match
 * no generated row.
 */
export function matchDiverted(s: BidSet, lateRowJson: string[]): { excluded: Uint8Array; extra: number; missing: number; unknown: number } {
  const key = (a: number, b: number, p: number, t: number) => `${a}|${b}|${p}|${t}`;
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < s.count; i++) {
    const k = key(s.auction[i], s.bidder[i], s.price[i], s.timeUs[i]);
    const l = byKey.get(k);
    if (l) l.push(i);
    else byKey.set(k, [i]);
  }
  const excluded = new Uint8Array(s.count);
  let extra = 0;
  let unknown = 0;
  for (const j of lateRowJson) {
    const o = JSON.parse(j) as { auction: unknown; bidder: unknown; price: unknown; date_time: unknown };
    const l = byKey.get(key(Number(o.auction), Number(o.bidder), Number(o.price), parseTimestampText(String(o.date_time))));
    // prefer a generated-late row among identical ones
    const at = l?.findIndex((i) => !excluded[i] && s.late[i]) ?? -1;
    const i = at >= 0 ? l![at] : l?.find((x) => !excluded[x]);
    if (i === undefined) {
      unknown++;
      continue;
    }
    excluded[i] = 1;
    if (!s.late[i]) extra++;
  }
  let missing = 0;
  for (let i = 0; i < s.count; i++) if (s.late[i] && !excluded[i]) missing++;
  return { excluded, extra, missing, unknown };
}

/** Parses a timestamp's text form ('2015-07-15 00:00:10[.fff]') as UTC µs. */
export function parseTimestampText(t: string): number {
  return Date.parse(`${t.replace(' ', 'T')}Z`) * 1000;
}
