/**
 * StreamClock: the late rule (judged against the watermark in force at the epoch's start, moved
 * only by endEpoch and never back), the idle rule, and load/state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../tests/support/rng.js';
import type { EventTimeDef } from '../catalog/catalog.js';
import { StreamClock } from './stream-clock.js';

const def = (delayMicros: number, idleTimeoutMs?: number): EventTimeDef => ({ column: 1, delayMicros, idleTimeoutMs, exprSql: 'ts' });
const row = (t: number) => ['x', t];

test('no event time: nothing is late and the watermark never moves', () => {
  const c = new StreamClock(undefined);
  assert.equal(c.isLate(row(-1e15)), false);
  assert.equal(c.endEpoch(), false);
  assert.equal(c.idleAdvance(1e12), false);
  assert.equal(c.watermark, -Infinity);
  assert.equal(c.nextIdleCheck(), Infinity);
});

test('late rule: rows of one epoch are judged against the same watermark; it moves only in endEpoch', () => {
  const c = new StreamClock(def(10));
  assert.equal(c.isLate(row(100)), false);
  assert.equal(c.isLate(row(50)), false); // watermark is still -Infinity within the epoch
  assert.equal(c.watermark, -Infinity);
  assert.equal(c.endEpoch(), true);
  assert.equal(c.watermark, 90);
  assert.equal(c.maxEventTime, 100);
  // next epoch: 89 is late, 90 is not (late = strictly below), and 200 does not move it yet
  assert.equal(c.isLate(row(200)), false);
  assert.equal(c.isLate(row(89)), true);
  assert.equal(c.isLate(row(90)), false);
  assert.equal(c.watermark, 90);
  assert.equal(c.endEpoch(), true);
  assert.equal(c.watermark, 190);
  // an epoch of only late rows, or of no rows, does not move it
  assert.equal(c.isLate(row(0)), true);
  assert.equal(c.endEpoch(), false);
  assert.equal(c.endEpoch(), false);
  // an epoch whose rows are all below the max keeps it (never backwards)
  assert.equal(c.isLate(row(195)), false);
  assert.equal(c.endEpoch(), false);
  assert.equal(c.watermark, 190);
  assert.equal(c.maxEventTime, 200);
});

test('late rule: random epochs against a model (seeded)', () => {
  const rng = new Rng(0xc10c);
  for (let run = 0; run < 200; run++) {
    const delay = rng.int(0, 50);
    const c = new StreamClock(def(delay));
    let wm = -Infinity;
    let max = -Infinity;
    for (let e = 0; e < 20; e++) {
      let epochMax = -Infinity;
      const n = rng.int(0, 6);
      for (let i = 0; i < n; i++) {
        const t = rng.int(-200, 200) + e * 20;
        const late = t < wm;
        assert.equal(c.isLate(row(t)), late, `run ${run} epoch ${e} t=${t} wm=${wm}`);
        if (!late) epochMax = Math.max(epochMax, t);
        assert.equal(c.watermark, wm);
      }
      const before = c.watermark;
      if (epochMax > max) max = epochMax;
      const next = max === -Infinity ? wm : Math.max(wm, max - delay);
      assert.equal(c.endEpoch(), next > wm);
      wm = next;
      assert.equal(c.watermark, wm);
      assert.ok(c.watermark >= before);
    }
  }
});

test('idleAdvance: nothing before idle_timeout, then maxEventTime + (idle - timeout) µs; nextIdleCheck', () => {
  const c = new StreamClock(def(5_000_000, 1000));
  assert.equal(c.nextIdleCheck(), Infinity); // no input yet
  assert.equal(c.idleAdvance(1e9), false);
  c.isLate(row(1_000_000_000));
  c.count(1, 0, 50_000);
  c.endEpoch();
  assert.equal(c.watermark, 995_000_000);
  assert.equal(c.nextIdleCheck(), 51_000);
  assert.equal(c.idleAdvance(50_999), false);
  assert.equal(c.watermark, 995_000_000);
  // at the timeout the delay is waived: watermark = max event time
  assert.equal(c.idleAdvance(51_000), true);
  assert.equal(c.watermark, 1_000_000_000);
  assert.equal(c.idleAdvance(51_250), true);
  assert.equal(c.watermark, 1_000_250_000);
  // never backwards (an earlier wall clock)
  assert.equal(c.idleAdvance(51_100), false);
  assert.equal(c.watermark, 1_000_250_000);
  // new input resets the idle clock; late rows do not count as input
  c.count(0, 3, 60_000);
  assert.equal(c.lastInputAt, 50_000);
  assert.equal(c.late, 3);
  c.isLate(row(1_000_300_000));
  c.count(1, 0, 60_000);
  assert.equal(c.endEpoch(), false); // 1_000_300_000 - 5 s is below the idle-advanced watermark
  assert.equal(c.maxEventTime, 1_000_300_000);
  assert.equal(c.nextIdleCheck(), 61_000);
  assert.equal(c.idleAdvance(60_999), false);
  assert.equal(c.idleAdvance(61_002), true);
  assert.equal(c.watermark, 1_000_302_000);
  assert.equal(c.accepted, 2);
});

test('idleAdvance: no idle timeout means no move', () => {
  const c = new StreamClock(def(0));
  c.isLate(row(10));
  c.count(1, 0, 1);
  c.endEpoch();
  assert.equal(c.idleAdvance(1e12), false);
  assert.equal(c.nextIdleCheck(), Infinity);
  assert.equal(c.watermark, 10);
});

test('load/state round trip', () => {
  const a = new StreamClock(def(10, 500));
  a.isLate(row(1000));
  a.count(1, 0, 7000);
  a.endEpoch();
  a.isLate(row(5));
  a.count(0, 1, 7100);
  const s = a.state();
  assert.deepEqual(s, { watermark: 990, maxEventTime: 1000, accepted: 1, late: 1, lastInputAt: 7000 });
  const b = new StreamClock(def(10, 500));
  b.load(JSON.parse(JSON.stringify(s)));
  assert.deepEqual(b.state(), s);
  assert.equal(b.isLate(row(989)), true);
  assert.equal(b.isLate(row(990)), false);
  assert.equal(b.nextIdleCheck(), 7500);
  assert.equal(b.idleAdvance(7600), true);
  assert.equal(b.watermark, 1000 + 100_000);
  // -Infinity survives state() -> load() in memory
  const c = new StreamClock(def(10));
  const fresh = c.state();
  const d = new StreamClock(def(10));
  d.load(fresh);
  assert.equal(d.watermark, -Infinity);
  assert.equal(d.isLate(row(-1e15)), false);
});

test('partitions: the watermark follows the slowest active partition; an idle one stops holding it', () => {
  const d: EventTimeDef = { column: 1, delayMicros: 10, partitionIdleMs: 1000, exprSql: 'ts' };
  const c = new StreamClock(d);
  const batch = (p: string, ts: number[], at: number) => {
    c.setPartition(p);
    let late = 0;
    for (const t of ts) if (c.isLate(row(t))) late++;
    c.count(ts.length - late, late, at);
    return late;
  };
  batch('0', [100], 0);
  batch('1', [5000], 0);
  c.endEpoch(0);
  assert.equal(c.watermark, 90, 'min over partitions (100) - delay');
  assert.equal(c.maxEventTime, 5000);
  // A row of the slow partition just above its own watermark is on time, not late.
  assert.equal(batch('0', [95, 200], 10), 0);
  c.endEpoch(10);
  assert.equal(c.watermark, 190);
  // Partition 0 falls silent: after partition_idle_timeout it no longer holds the watermark.
  assert.ok(c.nextIdleCheck() <= 1010);
  assert.equal(c.partitionIdleAdvance(500), false);
  assert.equal(c.partitionIdleAdvance(1010), true);
  assert.equal(c.watermark, 4990);
  assert.equal(c.nextIdleCheck(), Infinity, 'nothing more to wait for');
  // Its rows are late now against the faster partition's time; it holds again once it is active.
  assert.equal(batch('0', [300], 1020), 1);
  // The partitions survive a restart.
  const again = new StreamClock(d);
  again.load(JSON.parse(JSON.stringify(c.state())) as ReturnType<StreamClock['state']>);
  assert.deepEqual(again.state(), c.state());
});

test('partitions: with every partition idle, the overall maximum counts', () => {
  const c = new StreamClock({ column: 1, delayMicros: 0, partitionIdleMs: 100, exprSql: 'ts' });
  c.setPartition('a');
  c.isLate(row(10));
  c.count(1, 0, 0);
  c.setPartition('b');
  c.isLate(row(20));
  c.count(1, 0, 0);
  c.endEpoch(1000);
  assert.equal(c.watermark, 20);
});
