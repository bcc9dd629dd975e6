/**
 * The Nexmark event generator (/work/shared/peer/nexmark/SPEC.md §3), as a pure function of
 * (config, event number). One global sequence of events: in every block of 50 event ids, offset 0
 * is a person, 1-3 are auctions, 4-49 are bids. Each event draws from a PRNG seeded with
 * hash(seed, eventId), in the order of the spec's §3.6/§3.7, so the person, auction and bid
 * streams generated separately with the same seed and options are consistent with each other.
 *
 * Follows the Flink reference for value shapes (capitalised names, cities and states;
 * nextString of length 3..max-1 with spaces, trimmed), and nexmark-rs where Flink has a quirk:
 * eventId starts at 0 (person 1000 first), bidder ids are offset by 1000 once, padding is a-z.
 */
import type { Row } from '../../runtime/sql/values.js';
import { Prng } from './prng.js';

export type NexmarkTable = 'person' | 'auction' | 'bid';
export const NEXMARK_TABLES: readonly NexmarkTable[] = ['person', 'auction', 'bid'];

export type NexmarkColType = 'BIGINT' | 'VARCHAR' | 'TIMESTAMP';
export const NEXMARK_COLUMNS: Record<NexmarkTable, readonly { name: string; type: NexmarkColType }[]> = {
  person: [
    { name: 'id', type: 'BIGINT' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'email_address', type: 'VARCHAR' },
    { name: 'credit_card', type: 'VARCHAR' },
    { name: 'city', type: 'VARCHAR' },
    { name: 'state', type: 'VARCHAR' },
    { name: 'date_time', type: 'TIMESTAMP' },
    { name: 'extra', type: 'VARCHAR' },
  ],
  auction: [
    { name: 'id', type: 'BIGINT' },
    { name: 'item_name', type: 'VARCHAR' },
    { name: 'description', type: 'VARCHAR' },
    { name: 'initial_bid', type: 'BIGINT' },
    { name: 'reserve', type: 'BIGINT' },
    { name: 'date_time', type: 'TIMESTAMP' },
    { name: 'expires', type: 'TIMESTAMP' },
    { name: 'seller', type: 'BIGINT' },
    { name: 'category', type: 'BIGINT' },
    { name: 'extra', type: 'VARCHAR' },
  ],
  bid: [
    { name: 'auction', type: 'BIGINT' },
    { name: 'bidder', type: 'BIGINT' },
    { name: 'price', type: 'BIGINT' },
    { name: 'channel', type: 'VARCHAR' },
    { name: 'url', type: 'VARCHAR' },
    { name: 'date_time', type: 'TIMESTAMP' },
    { name: 'extra', type: 'VARCHAR' },
  ],
};

export interface NexmarkConfig {
  seed: number;
  /** Event-time rate of the whole sequence, events per second (firstEventRate). */
  eventRate: number;
  /** Event time of event number 0, ms since 1970. */
  baseTimeMs: number;
  /** outOfOrderGroupSize (1 = in order). */
  outOfOrderGroupSize: number;
}

/** 2015-07-15 00:00:00 UTC, RisingWave's base time for per-table Nexmark sources. */
export const NEXMARK_BASE_TIME_MS = 1436918400000;
export const DEFAULT_NEXMARK: NexmarkConfig = { seed: 0, eventRate: 10_000, baseTimeMs: NEXMARK_BASE_TIME_MS, outOfOrderGroupSize: 1 };

const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const TOTAL_PROPORTION = 50;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const HOT_BLOCK = 100;
const HOT_AUCTION_RATIO = 2;
const HOT_BIDDERS_RATIO = 4;
const HOT_SELLERS_RATIO = 4;
const HOT_CHANNEL_RATIO = 2;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const NUM_ACTIVE_PEOPLE = 1000;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
const CHANNELS = 10_000;

const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];

/** PRNG salts: per-event draws, the 4 hot URLs, the 10 000 channel URLs. */
const SALT_EVENT = 1;
const SALT_HOT_URL = 2;
const SALT_CHANNEL_URL = 3;

export function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let off = eventId % TOTAL_PROPORTION;
  if (off >= PERSON_PROPORTION) off = PERSON_PROPORTION - 1;
  return epoch * PERSON_PROPORTION + off;
}

export function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / TOTAL_PROPORTION);
  let off = eventId % TOTAL_PROPORTION;
  if (off < PERSON_PROPORTION) {
    epoch -= 1;
    off = AUCTION_PROPORTION - 1;
  } else if (off >= PERSON_PROPORTION + AUCTION_PROPORTION) off = AUCTION_PROPORTION - 1;
  else off -= PERSON_PROPORTION;
  return epoch * AUCTION_PROPORTION + off;
}

function nextBase0PersonId(eventId: number, rng: Prng): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const active = Math.min(numPeople, NUM_ACTIVE_PEOPLE);
  return numPeople - active + rng.int(active + PERSON_ID_LEAD);
}

function nextBase0AuctionId(eventId: number, rng: Prng): number {
  const maxA = lastBase0AuctionId(eventId);
  const minA = Math.max(maxA - NUM_IN_FLIGHT_AUCTIONS, 0);
  return minA + rng.int(maxA - minA + 1 + AUCTION_ID_LEAD);
}

/** Java Math.round. */
function jround(x: number): number {
  return Math.floor(x + 0.5);
}

function nextPrice(rng: Prng): number {
  return jround(Math.pow(10, rng.next() * 6) * 100);
}

function nextString(rng: Prng, maxLen: number, special = ' '): string {
  const len = 3 + rng.int(maxLen - 3);
  let s = '';
  for (let i = 0; i < len; i++) s += rng.int(13) === 0 ? special : String.fromCharCode(97 + rng.int(26));
  return special === ' ' ? s.trim() : s;
}

function nextExactString(rng: Prng, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + rng.int(26));
  return s;
}

function nextExtra(rng: Prng, currentSize: number, desiredAvg: number): string {
  if (currentSize > desiredAvg) return '';
  const d = desiredAvg - currentSize;
  const delta = jround(d * 0.2);
  const size = d - delta + (delta === 0 ? 0 : rng.int(2 * delta));
  return nextExactString(rng, size);
}

/** Java Integer.reverse as a signed int. */
function reverse32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) | 0;
}

function baseUrl(rng: Prng): string {
  return `https://www.nexmark.com/${nextString(rng, 5, '_')}/${nextString(rng, 5, '_')}/${nextString(rng, 5, '_')}/item.htm?query=1`;
}

export class NexmarkGenerator {
  private readonly delayUs: number;
  private readonly hotUrls: string[];
  private readonly channelUrls = new Map<number, string>();

  constructor(readonly cfg: NexmarkConfig) {
    this.delayUs = 1_000_000 / cfg.eventRate;
    this.hotUrls = HOT_CHANNELS.map((_c, i) => baseUrl(new Prng(cfg.seed, i, SALT_HOT_URL)));
  }

  /** Event number -> adjusted event number (the out-of-order permutation, §3.5); eventId = adjusted number. */
  eventId(n: number): number {
    const g = this.cfg.outOfOrderGroupSize;
    if (g <= 1) return n;
    return Math.floor(n / g) * g + ((n * 953) % g);
  }

  /** Event time of an (adjusted) event number, ms. */
  timestampMs(n: number): number {
    return this.cfg.baseTimeMs + Math.floor(Math.floor(n * this.delayUs) / 1000);
  }

  static kindOf(eventId: number): NexmarkTable {
    const rem = eventId % TOTAL_PROPORTION;
    return rem < PERSON_PROPORTION ? 'person' : rem < PERSON_PROPORTION + AUCTION_PROPORTION ? 'auction' : 'bid';
  }

  kindAt(n: number): NexmarkTable {
    return NexmarkGenerator.kindOf(this.eventId(n));
  }

  /** The event at event number n, as a row of its table's canonical columns (NEXMARK_COLUMNS). */
  event(n: number): { table: NexmarkTable; row: Row } {
    const table = this.kindAt(n);
    return { table, row: this.row(table, n) };
  }

  /** The row of event number n, which must be of kind `table`. */
  row(table: NexmarkTable, n: number): Row {
    const eventId = this.eventId(n);
    const ts = this.timestampMs(eventId);
    const rng = new Prng(this.cfg.seed, eventId, SALT_EVENT);
    switch (table) {
      case 'person':
        return this.person(eventId, ts, rng);
      case 'auction':
        return this.auction(eventId, ts, rng);
      case 'bid':
        return this.bid(eventId, ts, rng);
    }
  }

  private person(eventId: number, ts: number, rng: Prng): Row {
    const id = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[rng.int(FIRST_NAMES.length)]} ${LAST_NAMES[rng.int(LAST_NAMES.length)]}`;
    const email = `${nextString(rng, 7)}@${nextString(rng, 5)}.com`;
    const cc: string[] = [];
    for (let i = 0; i < 4; i++) cc.push(String(rng.int(10000)).padStart(4, '0'));
    const creditCard = cc.join(' ');
    const city = CITIES[rng.int(CITIES.length)];
    const state = STATES[rng.int(STATES.length)];
    const size = 8 + name.length + email.length + creditCard.length + city.length + state.length;
    const extra = nextExtra(rng, size, AVG_PERSON_BYTES);
    return [BigInt(id), name, email, creditCard, city, state, ts * 1000, extra];
  }

  private auction(eventId: number, ts: number, rng: Prng): Row {
    const id = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    let seller: number;
    if (rng.int(HOT_SELLERS_RATIO) > 0) seller = Math.floor(lastBase0PersonId(eventId) / HOT_BLOCK) * HOT_BLOCK;
    else seller = nextBase0PersonId(eventId, rng);
    seller += FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + rng.int(NUM_CATEGORIES);
    const initialBid = nextPrice(rng);
    // nextAuctionLengthMs: auctions live about as long as it takes for numInFlightAuctions new ones.
    const ahead = Math.floor((NUM_IN_FLIGHT_AUCTIONS * TOTAL_PROPORTION) / AUCTION_PROPORTION);
    const horizon = this.timestampMs(eventId + ahead) - ts;
    const expires = ts + 1 + rng.int(Math.max(horizon * 2, 1));
    const itemName = nextString(rng, 20);
    const description = nextString(rng, 100);
    const reserve = initialBid + nextPrice(rng);
    const extra = nextExtra(rng, 8 + itemName.length + description.length + 40, AVG_AUCTION_BYTES);
    return [BigInt(id), itemName, description, BigInt(initialBid), BigInt(reserve), ts * 1000, expires * 1000, BigInt(seller), BigInt(category), extra];
  }

  private bid(eventId: number, ts: number, rng: Prng): Row {
    let auction: number;
    if (rng.int(HOT_AUCTION_RATIO) > 0) auction = Math.floor(lastBase0AuctionId(eventId) / HOT_BLOCK) * HOT_BLOCK;
    else auction = nextBase0AuctionId(eventId, rng);
    auction += FIRST_AUCTION_ID;
    let bidder: number;
    if (rng.int(HOT_BIDDERS_RATIO) > 0) bidder = Math.floor(lastBase0PersonId(eventId) / HOT_BLOCK) * HOT_BLOCK + 1;
    else bidder = nextBase0PersonId(eventId, rng);
    bidder += FIRST_PERSON_ID;
    const price = nextPrice(rng);
    let channel: string;
    let url: string;
    if (rng.int(HOT_CHANNEL_RATIO) > 0) {
      const i = rng.int(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i];
      url = this.hotUrls[i];
    } else {
      const c = rng.int(CHANNELS);
      channel = `channel-${c}`;
      url = this.channelUrl(c);
    }
    const extra = nextExtra(rng, 32, AVG_BID_BYTES);
    return [BigInt(auction), BigInt(bidder), BigInt(price), channel, url, ts * 1000, extra];
  }

  private channelUrl(c: number): string {
    let u = this.channelUrls.get(c);
    if (u === undefined) {
      const rng = new Prng(this.cfg.seed, c, SALT_CHANNEL_URL);
      u = baseUrl(rng);
      if (rng.int(10) > 0) u += `&channel_id=${Math.abs(reverse32(c))}`;
      this.channelUrls.set(c, u);
    }
    return u;
  }
}
