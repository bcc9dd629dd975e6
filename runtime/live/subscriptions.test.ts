import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionHub } from './subscriptions.js';
import type { ChangeBatch } from '../dataflow/change-batch.js';

const batch = (...rows: number[]): ChangeBatch => ({ rows: rows.map((r) => [r]), weights: rows.map(() => 1) });

test('listeners get only their object, after publish; unsubscribing leaves nothing behind', () => {
  const hub = new SubscriptionHub();
  const seen: string[] = [];
  const off7 = hub.subscribe(7, (e, b) => seen.push(`7@${e}:${b.rows.length}`));
  const off8 = hub.subscribe(8, (e, b) => seen.push(`8@${e}:${b.rows.length}`));
  const offAll = hub.subscribeEpochs((e, d) => seen.push(`all@${e}:${d.size}`));
  assert.equal(hub.size, 3);
  hub.publish(3, new Map([['7', batch(1, 2)], ['9', batch(5)], ['8', batch()]]));
  assert.deepEqual(seen, ['7@3:2', 'all@3:3']);
  off7();
  off8();
  offAll();
  off7();
  assert.equal(hub.size, 0);
});

test('a throwing listener is dropped and reported; the others still run', () => {
  const errors: unknown[] = [];
  const hub = new SubscriptionHub((e) => errors.push(e));
  let calls = 0;
  hub.subscribe(1, () => {
    throw new Error('boom');
  });
  hub.subscribe(1, () => calls++);
  hub.publish(1, new Map([['1', batch(1)]]));
  hub.publish(2, new Map([['1', batch(1)]]));
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);
  assert.equal(hub.size, 1);
});
