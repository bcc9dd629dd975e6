/**
 * SourceHost: backpressure (push waits once too many rows are uncommitted), rows a stream cannot
 * take become malformed records, and a stopped instance's batches are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogObject } from '../catalog/catalog.js';
import { T } from '../sql/types.js';
import type { JsonValue } from '../sql/values.js';
import { SourceHost, type SourceEngine } from './source-host.js';
import type { ConnectorRegistry } from './sink.js';
import type { MalformedRecord, SourceBatch, SourceContext } from './source.js';

const stream: CatalogObject = {
  id: 1, name: 's', kind: 'stream', columns: [{ name: 'x', type: T.int4, notNull: true }], primaryKey: [], liveKey: null,
  createSql: '', dependsOn: [], options: { connector: 'fake' }, createdEpoch: 0,
};

function setup() {
  const pending: { batch: SourceBatch; sampled: MalformedRecord[]; isCurrent: () => boolean; resolve: () => void }[] = [];
  const engine: SourceEngine = {
    log: { info() {}, warn() {}, error() {}, debug() {} },
    stream: () => stream,
    committedPosition: (): JsonValue | undefined => undefined,
    ingest: (_id, batch, sampled, isCurrent) => new Promise<void>((resolve) => pending.push({ batch, sampled, isCurrent, resolve })),
  };
  let ctx!: SourceContext;
  const registry: ConnectorRegistry = {
    source: () => ({ name: 'fake', validate: async () => {}, start: (c) => { ctx = c; return { stop: async () => {} }; } }),
    sink: () => undefined,
    sourceNames: () => ['fake'],
    sinkNames: () => [],
  };
  const host = new SourceHost(engine, registry);
  host.start(stream);
  return { host, pending, ctx: () => ctx };
}

test('push resolves at once below the in-flight bound and waits above it until epochs commit', async () => {
  const { pending, ctx } = setup();
  const rows = Array.from({ length: 30_000 }, (_, i) => [i]);
  await ctx().push({ rows, position: 1 });
  let second = false;
  const p = ctx().push({ rows: rows.slice(), position: 2 }).then(() => (second = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(second, false, '60k rows in flight: the source must wait');
  pending[0].resolve();
  await p;
  assert.equal(second, true);
});

test('NULL in a NOT NULL column becomes a malformed record; a stopped instance is refused', async () => {
  const { host, pending, ctx } = setup();
  const c = ctx();
  await c.push({ rows: [[1], [null], [3]], position: 'p' });
  assert.deepEqual(pending[0].batch.rows, [[1], [3]]);
  assert.equal(pending[0].batch.malformed?.length, 1);
  assert.match(pending[0].sampled[0].message, /not-null/);
  assert.equal(pending[0].isCurrent(), true);
  await host.stop(stream.id);
  assert.equal(pending[0].isCurrent(), false, 'queued batches of a stopped source are refused when their epoch runs');
  await assert.rejects(c.push({ rows: [[4]], position: 'q' }));
});
