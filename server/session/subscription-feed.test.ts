import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionFeed } from './subscribe.js';
import type { SqlError } from '../../runtime/sql/errors.js';

test('the feed orders retractions first, waits for rows, and unsubscribes on return()', async () => {
  const cancel = { cancelled: false };
  const feed = new SubscriptionFeed(cancel);
  let detached = 0;
  feed.attach(() => detached++);
  feed.push(4, { rows: [['new'], ['old'], ['two']], weights: [1, -1, 2] });
  assert.deepEqual((await feed.next()).value, [[4n, -1, 'old'], [4n, 1, 'new'], [4n, 1, 'two'], [4n, 1, 'two']]);
  const pending = feed.next();
  feed.push(5, { rows: [['x']], weights: [1] });
  assert.deepEqual((await pending).value, [[5n, 1, 'x']]);
  await feed.return();
  assert.equal(detached, 1);
  assert.equal((await feed.next()).done, true);
});

test('a cancelled wait rejects with 57014; an unread backlog over the limit fails with FATAL 53400', async () => {
  const cancel = { cancelled: false };
  const feed = new SubscriptionFeed(cancel);
  const waiting = feed.next();
  cancel.cancelled = true;
  await assert.rejects(waiting, (e: SqlError) => e.code === '57014');

  process.env['EDDY_SUBSCRIBE_BUFFER_ROWS'] = '3';
  const slow = new SubscriptionFeed({ cancelled: false });
  delete process.env['EDDY_SUBSCRIBE_BUFFER_ROWS'];
  const state: { failed?: SqlError } = {};
  const failure = (): SqlError | undefined => state.failed;
  let detached = false;
  slow.onFailure((e) => (state.failed = e));
  slow.attach(() => (detached = true));
  // One epoch bigger than the limit reaches a subscriber that had read everything...
  slow.push(1, { rows: [[1], [2], [3], [4]], weights: [1, 1, 1, 1] });
  assert.equal(failure(), undefined);
  // ...but a second one on top of the unread backlog overflows.
  slow.push(2, { rows: [[5]], weights: [1] });
  assert.equal(failure()?.code, '53400');
  assert.equal(failure()?.severity, 'FATAL');
  assert.match(failure()!.message, /subscriber could not keep up: 5 changes buffered/);
  assert.ok(detached);
  await assert.rejects(slow.next(), (e: SqlError) => e.code === '53400');
});
