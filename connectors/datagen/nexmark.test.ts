/** The Nexmark generator against SPEC.md §3: mix, ids, references, distributions, time, determinism, resume. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../../runtime/sql/types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import type { Row } from '../../runtime/sql/values.js';
import { DEFAULT_NEXMARK, NexmarkGenerator, NEXMARK_BASE_TIME_MS, type NexmarkTable } from './nexmark-gen.js';
import { nexmarkSource, parseNexmark } from './nexmark.js';
import { runSource, streamOf } from './test-support.js';

const N = 100_000;
const gen = new NexmarkGenerator({ ...DEFAULT_NEXMARK, seed: 9 });
const all: Record<NexmarkTable, Row[]> = { person: [], auction: [], bid: [] };
for (let n = 0; n < N; n++) {
  const e = gen.event(n);
  all[e.table].push(e.row);
}
const num = (v: unknown) => Number(v);

test('exactly 1:3:46 per block of 50 events, dense ids from 1000', () => {
  assert.equal(all.person.length, N / 50);
  assert.equal(all.auction.length, (3 * N) / 50);
  assert.equal(all.bid.length, (46 * N) / 50);
  for (let b = 0; b < 20; b++) {
    const kinds = Array.from({ length: 50 }, (_x, k) => gen.kindAt(b * 50 + k));
    assert.deepEqual(kinds.slice(0, 4), ['person', 'auction', 'auction', 'auction']);
    assert.ok(kinds.slice(4).every((k) => k === 'bid'));
  }
  assert.deepEqual(all.person.map((r) => num(r[0])), all.person.map((_r, i) => 1000 + i));
  assert.deepEqual(all.auction.map((r) => num(r[0])), all.auction.map((_r, i) => 1000 + i));
});

test('bids and auctions reference people and auctions that exist (within the 10-id lead)', () => {
  // Walk in event order, tracking the newest person and auction so far.
  let maxPerson = -1;
  let maxAuction = -1;
  let hotAuction = 0;
  let hotBidder = 0;
  let bids = 0;
  let auctions = 0;
  let hotSeller = 0;
  for (let n = 0; n < N; n++) {
    const e = gen.event(n);
    if (e.table === 'person') maxPerson = num(e.row[0]);
    else if (e.table === 'auction') {
      maxAuction = num(e.row[0]);
      const seller = num(e.row[7]);
      assert.ok(seller >= 1000 && seller <= maxPerson + 10, `seller ${seller} > ${maxPerson}`);
      if ((seller - 1000) % 100 === 0 && seller === Math.floor((maxPerson - 1000) / 100) * 100 + 1000) hotSeller++;
      auctions++;
    } else {
      const a = num(e.row[0]);
      const b = num(e.row[1]);
      assert.ok(a >= 1000 && a <= maxAuction + 10 && a >= maxAuction - 100, `auction ${a} vs newest ${maxAuction}`);
      assert.ok(b >= 1000 && b <= maxPerson + 10, `bidder ${b} vs newest ${maxPerson}`);
      if (a === Math.floor((maxAuction - 1000) / 100) * 100 + 1000) hotAuction++;
      if (b === Math.floor((maxPerson - 1000) / 100) * 100 + 1001) hotBidder++;
      bids++;
    }
  }
  // Hot shares: auctions 1/2 (+ random picks that land on it), bidders 3/4, sellers 3/4.
  assert.ok(hotAuction / bids > 0.49 && hotAuction / bids < 0.53, `hot auctions ${hotAuction / bids}`);
  assert.ok(hotBidder / bids > 0.74 && hotBidder / bids < 0.77, `hot bidders ${hotBidder / bids}`);
  assert.ok(hotSeller / auctions > 0.73 && hotSeller / auctions < 0.78, `hot sellers ${hotSeller / auctions}`);
});

test('field distributions roughly as specified', () => {
  const prices = all.bid.map((r) => num(r[2])).sort((a, b) => a - b);
  assert.ok(prices[0] >= 100 && prices[prices.length - 1] <= 100_000_000);
  const median = prices[Math.floor(prices.length / 2)];
  assert.ok(median > 80_000 && median < 125_000, `median price ${median}`);
  const tiers = [prices.filter((p) => p < 10_000).length, prices.filter((p) => p >= 10_000 && p < 1_000_000).length, prices.filter((p) => p >= 1_000_000).length];
  for (const t of tiers) assert.ok(Math.abs(t / prices.length - 1 / 3) < 0.02, `price tiers ${tiers}`);
  const hotChannels = all.bid.filter((r) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(r[3] as string));
  assert.ok(Math.abs(hotChannels.length / all.bid.length - 0.5) < 0.02);
  assert.equal(new Set(hotChannels.map((r) => r[3])).size, 4);
  assert.equal(new Set(hotChannels.map((r) => r[4])).size, 4);
  const other = all.bid.filter((r) => (r[3] as string).startsWith('channel-'));
  assert.equal(other.length + hotChannels.length, all.bid.length);
  const withId = other.filter((r) => (r[4] as string).includes('&channel_id=')).length;
  assert.ok(Math.abs(withId / other.length - 0.9) < 0.03, `channel_id share ${withId / other.length}`);
  for (const r of all.bid.slice(0, 5000)) {
    assert.match(r[4] as string, /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1(&channel_id=\d+)?$/);
    const len = (r[6] as string).length;
    assert.ok(len >= 54 && len <= 81, `bid extra ${len}`);
  }
  const categories = new Set(all.auction.map((r) => num(r[8])));
  assert.deepEqual([...categories].sort(), [10, 11, 12, 13, 14]);
  for (const r of all.auction) {
    assert.ok(num(r[4]) > num(r[3]), 'reserve > initial_bid');
    const life = (num(r[6]) - num(r[5])) / 1000;
    assert.ok(life >= 1 && life <= 333, `auction length ${life} ms`); // horizon ≈ 166 ms at 10 000 events/s
    assert.ok((r[1] as string).length <= 19 && (r[2] as string).length <= 99);
  }
  const avgAuction = all.auction.reduce((s, r) => s + (r[1] as string).length + (r[2] as string).length + (r[9] as string).length + 48, 0) / all.auction.length;
  assert.ok(Math.abs(avgAuction - 500) < 25, `auction size ${avgAuction}`);
  for (const r of all.person) {
    assert.match(r[1] as string, /^(Peter|Paul|Luke|John|Saul|Vicky|Kate|Julie|Sarah|Deiter|Walter) (Shultz|Abrams|Spencer|White|Bartels|Walton|Smith|Jones|Noris)$/);
    assert.match(r[2] as string, /^[a-z ]*@[a-z ]*\.com$/);
    assert.match(r[3] as string, /^\d{4} \d{4} \d{4} \d{4}$/);
    assert.ok(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'].includes(r[5] as string));
  }
  assert.equal(new Set(all.person.map((r) => r[4])).size, 10);
});

test('event time: base_time + n / event_rate, truncated to ms', () => {
  assert.equal(num(all.person[0][6]), NEXMARK_BASE_TIME_MS * 1000);
  for (let n = 0; n < 2000; n++) {
    const e = gen.event(n);
    const ts = num(e.row[e.table === 'person' ? 6 : 5]);
    assert.equal(ts, (NEXMARK_BASE_TIME_MS + Math.floor(n / 10)) * 1000);
  }
  const g2 = new NexmarkGenerator({ ...DEFAULT_NEXMARK, eventRate: 3, baseTimeMs: 0 });
  assert.equal(g2.timestampMs(7), 2333);
});

test('deterministic per seed and event; out-of-order groups permute whole events', () => {
  const again = new NexmarkGenerator({ ...DEFAULT_NEXMARK, seed: 9 });
  for (const n of [0, 1, 4, 777, 99_999]) assert.deepEqual(again.event(n), gen.event(n));
  const other = new NexmarkGenerator({ ...DEFAULT_NEXMARK, seed: 10 });
  assert.notDeepEqual(other.event(777).row, gen.event(777).row);
  const ooo = new NexmarkGenerator({ ...DEFAULT_NEXMARK, seed: 9, outOfOrderGroupSize: 16 });
  const ids = Array.from({ length: 1600 }, (_x, n) => ooo.eventId(n));
  assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 1600 }, (_x, n) => n));
  assert.notDeepEqual(ids, Array.from({ length: 1600 }, (_x, n) => n));
  const n = ids.indexOf(777);
  assert.deepEqual(ooo.event(n), gen.event(777));
});

const BID = [
  { name: 'date_time', type: T.timestamp, notNull: false },
  { name: 'auction', type: T.int8, notNull: false },
  { name: 'bidder', type: T.int8, notNull: false },
  { name: 'price', type: T.int8, notNull: false },
  { name: 'channel', type: T.text, notNull: false },
  { name: 'url', type: T.varchar, notNull: false },
  { name: 'extra', type: T.text, notNull: false },
];

test('column checks and options (22023)', () => {
  const ok = parseNexmark(streamOf(BID, { table: 'bid' }));
  assert.deepEqual(ok.map, [5, 0, 1, 2, 3, 4, 6]);
  const cases: [ReturnType<typeof streamOf>, RegExp][] = [
    [streamOf(BID.slice(1), { table: 'bid' }), /missing column "date_time".*auction BIGINT, bidder BIGINT/s],
    [streamOf([...BID, { name: 'x', type: T.int8, notNull: false }], { table: 'bid' }), /unexpected column "x"/],
    [streamOf(BID.map((c) => (c.name === 'price' ? { ...c, type: T.int4 } : c)), { table: 'bid' }), /"price" has type int4, expected BIGINT/],
    [streamOf(BID, {}), /"table"/],
    [streamOf(BID, { table: 'bids' }), /"table"/],
    [streamOf(BID, { table: 'bid', events_per_second: '-3' }), /events_per_second/],
    [streamOf(BID, { table: 'bid', event_rate: 'x' }), /event_rate/],
    [streamOf(BID, { table: 'bid', base_time: 'soon' }), /base_time/],
    [streamOf(BID, { table: 'bid', max_events: '1.5' }), /max_events/],
    [streamOf(BID, { table: 'bid', topic: 'x' }), /topic/],
  ];
  for (const [s, re] of cases) {
    assert.throws(() => parseNexmark(s), (e: unknown) => e instanceof SqlError && e.code === '22023' && re.test(`${e.message} ${e.hint ?? ''}`), JSON.stringify(s.options));
  }
});

test('the source keeps its table, maps columns, and resumes at the committed event number', async () => {
  const stream = streamOf(BID, { table: 'bid', seed: '9', events_per_second: '200000', max_events: '5000' });
  const full = await runSource(nexmarkSource, stream, undefined);
  assert.equal(full.rows.length, 4600);
  const expected = all.bid.slice(0, 4600).map((r) => [r[5], r[0], r[1], r[2], r[3], r[4], r[6]]);
  assert.deepEqual(full.rows, expected);
  const first = await runSource(nexmarkSource, stream, undefined, 1500);
  const rest = await runSource(nexmarkSource, stream, first.positions[first.positions.length - 1]);
  assert.deepEqual([...first.rows, ...rest.rows], full.rows);
  const persons = await runSource(nexmarkSource, streamOf([
    { name: 'id', type: T.int8, notNull: false }, { name: 'name', type: T.text, notNull: false }, { name: 'email_address', type: T.text, notNull: false },
    { name: 'credit_card', type: T.text, notNull: false }, { name: 'city', type: T.text, notNull: false }, { name: 'state', type: T.text, notNull: false },
    { name: 'date_time', type: T.timestamptz, notNull: false }, { name: 'extra', type: T.text, notNull: false },
  ], { table: 'person', seed: '9', events_per_second: '200000', max_events: '5000' }), undefined);
  assert.deepEqual(persons.rows, all.person.slice(0, 100));
});
