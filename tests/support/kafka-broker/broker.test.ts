/**
 * Tests of the Kafka test broker, driven by kafkajs (the client the product uses) against an
 * in-process broker, plus raw-protocol checks and a kill -9 / restart test of the CLI process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AssignerProtocol,
  CompressionTypes,
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type KafkaMessage,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { KafkaTestBroker } from './broker.js';
import { Reader, Writer } from './codec.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.js');

// ------------------------------------------------------------------ helpers

let counter = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(20);
  }
}

function client(brokers: string): Kafka {
  return new Kafka({
    clientId: 'broker-test',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 50, maxRetryTime: 300, retries: 8 },
  });
}

const CONSUMER_DEFAULTS: Partial<ConsumerConfig> = {
  maxWaitTimeInMs: 100,
  heartbeatInterval: 200,
  sessionTimeout: 6000,
  rebalanceTimeout: 4000,
  retry: { initialRetryTime: 50, maxRetryTime: 300, retries: 8 },
};

interface Received {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: number;
}

function toReceived(topic: string, partition: number, m: KafkaMessage): Received {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key?.toString() ?? null,
    value: m.value?.toString() ?? null,
    headers,
    timestamp: Number(m.timestamp),
  };
}

/** Disconnects every client a test created, even when the test fails. */
class Scope {
  private readonly items: { disconnect(): Promise<void> }[] = [];
  add<T extends { disconnect(): Promise<void> }>(x: T): T {
    this.items.push(x);
    return x;
  }
  async close(): Promise<void> {
    await Promise.allSettled(this.items.reverse().map((x) => x.disconnect()));
  }
}

async function producer(scope: Scope, kafka: Kafka, config: ProducerConfig = {}): Promise<Producer> {
  const p = scope.add(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config }));
  await p.connect();
  return p;
}

async function consumer(
  scope: Scope,
  kafka: Kafka,
  config: Partial<ConsumerConfig> & { groupId: string },
  topics: string[],
  opts: { fromBeginning?: boolean; mode?: 'message' | 'batch' } = {},
): Promise<{ consumer: Consumer; received: Received[] }> {
  const c = scope.add(kafka.consumer({ ...CONSUMER_DEFAULTS, ...config }));
  await c.connect();
  await c.subscribe({ topics, fromBeginning: opts.fromBeginning ?? true });
  const received: Received[] = [];
  if (opts.mode === 'batch') {
    await c.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) received.push(toReceived(batch.topic, batch.partition, m));
      },
    });
  } else {
    await c.run({ eachMessage: async ({ topic, partition, message }) => void received.push(toReceived(topic, partition, message)) });
  }
  return { consumer: c, received };
}

async function highWatermarks(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

// ------------------------------------------------------------------ raw protocol client

function rawFrame(apiKey: number, version: number, correlationId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const payload = new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString('raw').raw(body).toBuffer();
  return Buffer.concat([new Writer(4).int32(payload.length).toBuffer(), payload]);
}

class RawClient {
  private buf = Buffer.alloc(0);
  private readonly responses: { correlationId: number; body: Buffer }[] = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        this.responses.push({ correlationId: this.buf.readInt32BE(4), body: this.buf.subarray(8, 4 + size) });
        this.buf = this.buf.subarray(4 + size);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  async next(timeoutMs = 5000): Promise<{ correlationId: number; body: Buffer }> {
    await waitUntil(() => this.responses.length > 0 || this.closed, timeoutMs, 'a raw response');
    const r = this.responses.shift();
    if (!r) throw new Error('connection closed');
    return r;
  }

  pending(): number {
    return this.responses.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

// ------------------------------------------------------------------ in-process broker

describe('kafka test broker (in-process, kafkajs)', () => {
  let broker: KafkaTestBroker;
  let kafka: Kafka;
  let admin: Admin;

  before(async () => {
    broker = await KafkaTestBroker.start({ defaultPartitions: 2, removeDataDirOnStop: true });
    kafka = client(broker.brokers);
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  test('produce to 3 partitions and consume everything through a group, keys/headers/timestamps intact', { timeout: 15_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('roundtrip');
      await broker.createTopic(topic, 3);
      const p = await producer(scope, kafka, { idempotent: true });
      const base = Date.UTC(2024, 0, 1);
      const messages = Array.from({ length: 30 }, (_, i) => ({
        partition: i % 3,
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { n: String(i), kind: 'test' },
        timestamp: String(base + i * 1000),
      }));
      // Several sends so that partitions hold several batches.
      for (let i = 0; i < messages.length; i += 7) await p.send({ topic, messages: messages.slice(i, i + 7) });
      assert.deepEqual(await highWatermarks(admin, topic), [10, 10, 10]);

      const group = unique('roundtrip-group');
      const { received } = await consumer(scope, kafka, { groupId: group }, [topic]);
      await waitUntil(() => received.length >= 30, 10_000, '30 messages');
      assert.equal(received.length, 30);
      for (const r of received) {
        const i = Number(r.key!.slice('key-'.length));
        assert.equal(r.partition, i % 3);
        assert.equal(r.value, `value-${i}`);
        assert.deepEqual(r.headers, { n: String(i), kind: 'test' });
        assert.equal(r.timestamp, base + i * 1000);
      }
      for (let partition = 0; partition < 3; partition++) {
        const inPartition = received.filter((r) => r.partition === partition);
        assert.deepEqual(inPartition.map((r) => r.offset), [...Array(10).keys()], `offsets of partition ${partition}`);
        assert.deepEqual(inPartition.map((r) => r.key), messages.filter((m) => m.partition === partition).map((m) => m.key));
      }
      await waitUntil(async () => sum(await committed(admin, group, topic)) === 30, 5000, 'auto-commit of all offsets');
    } finally {
      await scope.close();
    }
  });

  test('per-partition order with eachBatch and tiny maxBytes (a fetch always returns a whole batch)', { timeout: 15_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('order');
      await broker.createTopic(topic, 2);
      const p = await producer(scope, kafka);
      for (let round = 0; round < 5; round++) {
        await p.send({
          topic,
          compression: round % 2 ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, key: `k${i % 2}`, value: String(round * 20 + i) })),
        });
      }
      const { received } = await consumer(scope, kafka, { groupId: unique('order-group'), maxBytesPerPartition: 64, maxBytes: 128 }, [topic], {
        mode: 'batch',
      });
      await waitUntil(() => received.length >= 100, 10_000, '100 messages');
      for (const partition of [0, 1]) {
        const values = received.filter((r) => r.partition === partition).map((r) => Number(r.value));
        assert.equal(values.length, 50);
        assert.deepEqual(values, [...values].sort((a, b) => a - b), `partition ${partition} in produce order`);
      }
    } finally {
      await scope.close();
    }
  });

  test('admin: createTopics/createPartitions/deleteTopics/listTopics; a running consumer picks up new partitions', { timeout: 20_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('grow');
      assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), true);
      assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), false, 'already exists');
      assert.ok((await admin.listTopics()).includes(topic));

      const p1 = await producer(scope, kafka);
      await p1.send({ topic, messages: [{ partition: 0, value: 'p0' }, { partition: 1, value: 'p1' }] });
      const { received } = await consumer(scope, kafka, { groupId: unique('grow-group'), metadataMaxAge: 300 }, [topic]);
      await waitUntil(() => received.length >= 2, 10_000, 'first two messages');

      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(meta.topics[0]!.partitions.length, 4);
      await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] }), /partitions/i);

      const p2 = await producer(scope, kafka);
      await p2.send({ topic, messages: [{ partition: 2, value: 'p2' }, { partition: 3, value: 'p3' }] });
      await waitUntil(() => received.length >= 4, 10_000, 'messages from the new partitions');
      assert.deepEqual(received.map((r) => r.value).sort(), ['p0', 'p1', 'p2', 'p3']);

      // Metadata for an unknown topic auto-creates it (default partitions = 2 here).
      const auto = unique('auto');
      await p2.send({ topic: auto, messages: [{ value: 'x' }] });
      const autoHw = await highWatermarks(admin, auto);
      assert.equal(autoHw.length, 2);
      assert.equal(sum(autoHw), 1);

      await admin.deleteTopics({ topics: [auto] });
      assert.ok(!(await admin.listTopics()).includes(auto));
    } finally {
      await scope.close();
    }
  });

  test('fetchTopicOffsets and fetchTopicOffsetsByTimestamp (plain and gzip batches)', { timeout: 10_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('time');
      await broker.createTopic(topic, 2);
      const p = await producer(scope, kafka);
      const base = Date.UTC(2024, 5, 1);
      for (const [partition, compression] of [
        [0, CompressionTypes.None],
        [1, CompressionTypes.GZIP],
      ] as const) {
        for (let batch = 0; batch < 2; batch++) {
          await p.send({
            topic,
            compression,
            messages: Array.from({ length: 5 }, (_, i) => ({ partition, value: 'v', timestamp: String(base + (batch * 5 + i) * 1000) })),
          });
        }
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      assert.deepEqual(
        offsets.sort((a, b) => a.partition - b.partition).map(({ partition, low, high }) => ({ partition, low, high })),
        [
          { partition: 0, low: '0', high: '10' },
          { partition: 1, low: '0', high: '10' },
        ],
      );
      const at = async (ts: number) =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).sort((a, b) => a.partition - b.partition).map((o) => Number(o.offset));
      assert.deepEqual(await at(base + 3500), [4, 4]);
      assert.deepEqual(await at(base + 7000), [7, 7]);
      assert.deepEqual(await at(0), [0, 0]);
      assert.deepEqual(await at(base + 999_999), [10, 10], 'past the end resolves to the high watermark');
    } finally {
      await scope.close();
    }
  });

  test('seek, pause/resume, and admin setOffsets/resetOffsets/fetchOffsets/describeGroups/listGroups/deleteGroups', { timeout: 20_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('seek');
      await broker.createTopic(topic, 1);
      const p = await producer(scope, kafka);
      await p.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });

      const group = unique('seek-group');
      const { consumer: c, received } = await consumer(scope, kafka, { groupId: group }, [topic]);
      await waitUntil(() => received.length >= 10, 10_000, '10 messages');
      c.seek({ topic, partition: 0, offset: '6' });
      await waitUntil(() => received.length >= 14, 10_000, 'replay after seek');
      assert.deepEqual(received.slice(10).map((r) => r.offset), [6, 7, 8, 9]);

      c.pause([{ topic }]);
      await sleep(300); // let an in-flight fetch finish
      const before = received.length;
      await p.send({ topic, messages: [{ value: 'while-paused' }] });
      await sleep(500);
      assert.equal(received.length, before, 'nothing delivered while paused');
      c.resume([{ topic }]);
      await waitUntil(() => received.some((r) => r.value === 'while-paused'), 10_000, 'delivery after resume');

      const desc = await admin.describeGroups([group]);
      assert.equal(desc.groups[0]!.state, 'Stable');
      assert.equal(desc.groups[0]!.members.length, 1);
      assert.ok((await admin.listGroups()).groups.some((g) => g.groupId === group && g.protocolType === 'consumer'));
      await c.disconnect();
      assert.equal((await admin.describeGroups([group])).groups[0]!.state, 'Empty');

      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '3' }] });
      assert.deepEqual(await committed(admin, group, topic), [3]);
      const again = await consumer(scope, kafka, { groupId: group }, [topic]);
      await waitUntil(() => again.received.length >= 8, 10_000, 'consumption from the set offset');
      assert.equal(again.received[0]!.offset, 3);
      await again.consumer.disconnect();

      // kafkajs commits the sentinel -2 (earliest) as is. setOffsets/resetOffsets each take ~5 s
      // because kafkajs' internal admin consumer sleeps its default maxWaitTimeInMs while all its
      // partitions are paused; fetchOffsets({ resolveOffsets }) would add another 5 s, so it is skipped.
      await admin.resetOffsets({ groupId: group, topic, earliest: true });
      assert.deepEqual(await committed(admin, group, topic), [-2]);

      const all = await admin.fetchOffsets({ groupId: group });
      assert.deepEqual(all.map((t) => t.topic), [topic], 'fetchOffsets without topics lists the group\'s topics');

      await admin.deleteGroups([group]);
      assert.ok(!(await admin.listGroups()).groups.some((g) => g.groupId === group));
      assert.equal((await admin.describeGroups([group])).groups[0]!.state, 'Dead');
    } finally {
      await scope.close();
    }
  });

  test('two consumers in one group split the partitions; the survivor takes over after one leaves', { timeout: 20_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('split');
      await broker.createTopic(topic, 4);
      const group = unique('split-group');
      const a = await consumer(scope, kafka, { groupId: group }, [topic]);
      const b = await consumer(scope, kafka, { groupId: group }, [topic]);

      const assignments = async (): Promise<number[][] | null> => {
        const { groups } = await admin.describeGroups([group]);
        const g = groups[0]!;
        if (g.state !== 'Stable' || g.members.length !== 2) return null;
        return g.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? []);
      };
      await waitUntil(async () => (await assignments())?.every((ps) => ps.length === 2) ?? false, 10_000, 'a stable group of two with 2 partitions each');
      const split = (await assignments())!;
      assert.deepEqual(split.flat().sort(), [0, 1, 2, 3]);

      const p = await producer(scope, kafka);
      await p.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: String(i) })) });
      await waitUntil(() => a.received.length + b.received.length >= 40, 10_000, '40 messages across both members');
      const partsA = new Set(a.received.map((r) => r.partition));
      const partsB = new Set(b.received.map((r) => r.partition));
      assert.equal(partsA.size, 2);
      assert.equal(partsB.size, 2);
      assert.ok([...partsA].every((x) => !partsB.has(x)), 'members consume disjoint partitions');
      assert.equal(new Set([...a.received, ...b.received].map((r) => r.value)).size, 40);

      await b.consumer.disconnect();
      await p.send({ topic, messages: Array.from({ length: 8 }, (_, i) => ({ partition: i % 4, value: `after-${i}` })) });
      await waitUntil(() => a.received.filter((r) => r.value!.startsWith('after-')).length >= 8, 10_000, 'the survivor consuming all partitions');
    } finally {
      await scope.close();
    }
  });

  test('transactions: committed data visible, aborted never, sendOffsets applied only on commit', { timeout: 20_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('txn');
      const source = unique('txn-source');
      const group = unique('txn-group');
      await broker.createTopic(topic, 2);
      await broker.createTopic(source, 1);
      const p = await producer(scope, kafka, { transactionalId: unique('txn-id'), idempotent: true, maxInFlightRequests: 1 });

      const t1 = await p.transaction();
      await t1.send({ topic, messages: [{ partition: 0, value: 'committed-1' }, { partition: 1, value: 'committed-2' }] });
      await t1.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '7' }] }] });
      assert.deepEqual(await highWatermarks(admin, topic), [0, 0], 'nothing visible before commit');
      assert.deepEqual(await committed(admin, group, source), [-1], 'offsets not applied before commit');
      await t1.commit();
      assert.deepEqual(await highWatermarks(admin, topic), [1, 1]);
      assert.deepEqual(await committed(admin, group, source), [7]);

      const t2 = await p.transaction();
      await t2.send({ topic, messages: [{ partition: 0, value: 'aborted' }] });
      await t2.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '9' }] }] });
      await t2.abort();
      assert.deepEqual(await highWatermarks(admin, topic), [1, 1]);
      assert.deepEqual(await committed(admin, group, source), [7]);

      // The producer's sequence numbers continue after the aborted batch.
      const t3 = await p.transaction();
      await t3.send({ topic, messages: [{ partition: 0, value: 'committed-3' }] });
      await t3.commit();

      for (const readUncommitted of [false, true]) {
        const { received } = await consumer(scope, kafka, { groupId: unique('txn-reader'), readUncommitted }, [topic]);
        await waitUntil(() => received.length >= 3, 10_000, 'committed messages');
        await sleep(300);
        assert.deepEqual(received.map((r) => r.value).sort(), ['committed-1', 'committed-2', 'committed-3'], `readUncommitted=${readUncommitted}`);
      }
    } finally {
      await scope.close();
    }
  });

  test('a second producer with the same transactionalId fences the first and aborts its transaction', { timeout: 15_000 }, async () => {
    const scope = new Scope();
    try {
      const topic = unique('fence');
      await broker.createTopic(topic, 1);
      const transactionalId = unique('fence-id');
      const config = { transactionalId, idempotent: true, maxInFlightRequests: 1 };
      const zombie = await producer(scope, kafka, config);
      const fresh = await producer(scope, kafka, config);

      const old = await zombie.transaction();
      await old.send({ topic, messages: [{ value: 'zombie' }] });
      const current = await fresh.transaction(); // InitProducerId bumps the epoch
      await assert.rejects(old.commit(), (err: { type?: string }) => err.type === 'INVALID_PRODUCER_EPOCH');
      await current.send({ topic, messages: [{ value: 'fresh' }] });
      await current.commit();

      const { received } = await consumer(scope, kafka, { groupId: unique('fence-reader') }, [topic]);
      await waitUntil(() => received.length >= 1, 10_000, 'the committed message');
      await sleep(300);
      assert.deepEqual(received.map((r) => r.value), ['fresh']);
    } finally {
      await scope.close();
    }
  });

  test('a member that stops heartbeating is expired by its session timeout and the rebalance goes on without it', { timeout: 15_000 }, async () => {
    const scope = new Scope();
    const raw = await RawClient.connect(broker.port);
    try {
      const topic = unique('expire');
      const group = unique('expire-group');
      await broker.createTopic(topic, 2);
      // A raw member joins (session 1 s), syncs, and then goes silent like a kill -9'd client.
      raw.send(
        rawFrame(11, 1, 1, new Writer()
          .string(group).int32(1000).int32(5000).string('').string('consumer')
          .array(['RoundRobinAssigner'], (w, name) => w.string(name).bytes(Buffer.alloc(0)))
          .toBuffer()),
      );
      const join = new Reader((await raw.next()).body);
      assert.equal(join.int16(), 0);
      const generation = join.int32();
      join.string();
      const leader = join.string();
      assert.equal(join.string(), leader, 'the only member leads');
      raw.send(rawFrame(14, 0, 2, new Writer().string(group).int32(generation).string(leader).array([leader], (w, m) => w.string(m).bytes(Buffer.alloc(0))).toBuffer()));
      assert.equal((await raw.next()).body.readInt16BE(0), 0);
      assert.equal((await admin.describeGroups([group])).groups[0]!.state, 'Stable');

      // kafkajs joins: the join phase waits for the silent member until its session expires.
      const started = Date.now();
      const { received } = await consumer(scope, kafka, { groupId: group }, [topic]);
      const p = await producer(scope, kafka);
      await p.send({ topic, messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] });
      await waitUntil(() => received.length >= 2, 10_000, 'the kafkajs member to own both partitions');
      assert.ok(Date.now() - started >= 500, 'the rebalance waited for the silent member');
      const { groups } = await admin.describeGroups([group]);
      assert.equal(groups[0]!.members.length, 1);
      assert.notEqual(groups[0]!.members[0]!.memberId, leader);
    } finally {
      raw.close();
      await scope.close();
    }
  });

  test('raw protocol: unsupported versions, pipelining, fetch long-poll wake-up, malformed frames', { timeout: 15_000 }, async () => {
    const scope = new Scope();
    const raws: RawClient[] = [];
    try {
      const raw = await RawClient.connect(broker.port);
      raws.push(raw);

      // ApiVersions v3 (flexible) is not supported: a v0-layout answer with UNSUPPORTED_VERSION.
      raw.send(rawFrame(18, 3, 1));
      const unsupported = await raw.next();
      assert.equal(unsupported.correlationId, 1);
      const r = new Reader(unsupported.body);
      assert.equal(r.int16(), 35);
      const apis = r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() }));
      assert.deepEqual(apis.find((a) => a.key === 0), { key: 0, min: 3, max: 3 });

      // Unsupported version of another API and an unknown API key: error code, connection stays up.
      raw.send(rawFrame(0, 9, 2), rawFrame(77, 0, 3));
      for (const id of [2, 3]) {
        const res = await raw.next();
        assert.equal(res.correlationId, id);
        assert.equal(res.body.readInt16BE(0), 35);
      }

      // A long-polling Fetch followed by a pipelined ListGroups: answered in order, the fetch woken by a produce.
      const topic = unique('raw');
      await broker.createTopic(topic, 1);
      const fetchBody = new Writer()
        .int32(-1).int32(5000).int32(1).int32(1 << 20).int8(0)
        .array([topic], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).int64(0).int32(1 << 20)))
        .toBuffer();
      const started = Date.now();
      raw.send(rawFrame(1, 4, 10, fetchBody), rawFrame(16, 0, 11));
      await sleep(200);
      assert.equal(raw.pending(), 0, 'fetch waits for data and ListGroups waits behind it');
      const p = await producer(scope, kafka);
      await p.send({ topic, messages: [{ value: 'wake-up' }] });
      const fetched = await raw.next();
      assert.equal(fetched.correlationId, 10);
      assert.ok(Date.now() - started < 4000, 'woken by the produce, not by maxWait');
      const f = new Reader(fetched.body);
      f.int32(); // throttle
      const [part] = f.array((x) => ({ name: x.string(), partitions: x.array((y) => ({ partition: y.int32(), error: y.int16(), hw: y.int64(), lso: y.int64(), aborted: y.array((z) => z.int64()), records: y.bytes() })) }))[0]!.partitions;
      assert.equal(part!.error, 0);
      assert.equal(part!.hw, 1);
      assert.ok(part!.records.length > 61);
      assert.equal((await raw.next()).correlationId, 11);

      // Garbage closes only that connection.
      const bad = await RawClient.connect(broker.port);
      raws.push(bad);
      bad.send(Buffer.from([0, 0, 0, 3, 0xff, 0xff, 0xff]));
      await waitUntil(() => bad.closed, 5000, 'the malformed connection to close');
      const negative = await RawClient.connect(broker.port);
      raws.push(negative);
      negative.send(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      await waitUntil(() => negative.closed, 5000, 'the negative-size connection to close');
      raw.send(rawFrame(18, 2, 20));
      assert.equal((await raw.next()).correlationId, 20, 'other connections keep working');
      assert.ok((await admin.listTopics()).includes(topic));
    } finally {
      for (const r of raws) r.close();
      await scope.close();
    }
  });
});

test('stop() and start() on the same port and data dir keep topics, data and offsets', { timeout: 15_000 }, async () => {
  let broker = await KafkaTestBroker.start();
  const { port, dataDir } = broker;
  const scope = new Scope();
  try {
    const kafka = client(broker.brokers);
    const admin = scope.add(kafka.admin());
    await admin.connect();
    await broker.createTopic('kept', 2);
    const p = await producer(scope, kafka, { idempotent: true });
    await p.send({ topic: 'kept', messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] });
    const { consumer: c, received } = await consumer(scope, kafka, { groupId: 'kept-group' }, ['kept']);
    await waitUntil(() => received.length >= 2, 10_000, 'two messages');
    await c.disconnect();

    await broker.stop();
    // Let kafkajs see its sockets end: admin.fetchTopicOffsets does not retry a request that was
    // written to a socket the broker had just closed.
    await sleep(100);
    broker = await KafkaTestBroker.start({ port, dataDir, removeDataDirOnStop: true });
    assert.deepEqual(await highWatermarks(admin, 'kept'), [1, 1]);
    assert.deepEqual(await committed(admin, 'kept-group', 'kept'), [1, 1]);
    await p.send({ topic: 'kept', messages: [{ partition: 0, value: 'c' }] });
    assert.deepEqual(await highWatermarks(admin, 'kept'), [2, 1]);
  } finally {
    await scope.close();
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('transactions across a restart: an open one is aborted and its producer fenced; a half-applied commit is completed', { timeout: 15_000 }, async () => {
  let broker = await KafkaTestBroker.start();
  const { port, dataDir } = broker;
  const scope = new Scope();
  try {
    const kafka = client(broker.brokers);
    const admin = scope.add(kafka.admin());
    await admin.connect();
    await broker.createTopic('tx-restart', 1);
    const p = await producer(scope, kafka, { transactionalId: 'tx-restart-id', idempotent: true, maxInFlightRequests: 1 });
    const committedTxn = await p.transaction();
    await committedTxn.send({ topic: 'tx-restart', messages: [{ value: 'one' }] });
    await committedTxn.commit();
    const open = await p.transaction();
    await open.send({ topic: 'tx-restart', messages: [{ value: 'lost' }] });

    // stop() does not end transactions, so for them it is a crash. Then fake a commit that died
    // after appending its batch but before applying its offsets: the journal must finish it.
    await broker.stop();
    await sleep(100);
    const logFile = path.join(dataDir, 'logs', 'tx-restart', '0.log');
    const batch = fs.readFileSync(logFile);
    const appended = Buffer.from(batch);
    appended.writeBigInt64BE(1n, 0);
    fs.appendFileSync(logFile, appended);
    const journal = {
      transactionalId: 'tx-restart-other',
      partitions: [{ topic: 'tx-restart', partition: 0, startOffset: 1, batches: [batch.toString('base64')] }],
      offsets: [{ groupId: 'tx-restart-group', entries: [{ topic: 'tx-restart', partition: 0, offset: 42, metadata: null }] }],
    };
    fs.writeFileSync(path.join(dataDir, 'txn-commit.journal'), JSON.stringify(journal));
    broker = await KafkaTestBroker.start({ port, dataDir, removeDataDirOnStop: true });

    assert.deepEqual(await highWatermarks(admin, 'tx-restart'), [2], 'the journal batch is in the log exactly once');
    assert.deepEqual(await committed(admin, 'tx-restart-group', 'tx-restart'), [42]);
    assert.ok(!fs.existsSync(path.join(dataDir, 'txn-commit.journal')));
    await assert.rejects(open.commit(), (err: { type?: string }) => err.type === 'INVALID_PRODUCER_EPOCH');
    const { received } = await consumer(scope, kafka, { groupId: unique('tx-restart-reader') }, ['tx-restart']);
    await waitUntil(() => received.length >= 2, 10_000, 'two committed records');
    await sleep(200);
    assert.deepEqual(received.map((r) => r.value), ['one', 'one']);
  } finally {
    await scope.close();
    await broker.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ CLI process, kill -9

interface BrokerProcess {
  child: ChildProcess;
  port: number;
  stderr: string[];
  exited: Promise<number | null>;
}

async function spawnBroker(args: string[]): Promise<BrokerProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr.join('')}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^kafka test broker listening on [^\s:]+:(\d+) \(data: .+\)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}: ${stderr.join('')}`));
    });
  });
  return { child, port, stderr, exited };
}

test('broker process: data and group offsets survive kill -9; clients carry on after the restart', { timeout: 30_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-test-broker-kill9-'));
  const scope = new Scope();
  let proc = await spawnBroker(['--port', '0', '--data-dir', dataDir]);
  try {
    const kafka = client(`127.0.0.1:${proc.port}`);
    const admin = scope.add(kafka.admin());
    await admin.connect();
    const topic = 'durable';
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const p = await producer(scope, kafka, { idempotent: true });
    const base = Date.UTC(2024, 2, 3);
    const message = (i: number) => ({ partition: i % 3, key: `k${i}`, value: `v${i}`, headers: { i: String(i) }, timestamp: String(base + i) });
    await p.send({ topic, messages: Array.from({ length: 30 }, (_, i) => message(i)) });

    const group = 'durable-group';
    const { received } = await consumer(scope, kafka, { groupId: group }, [topic]);
    await waitUntil(() => received.length >= 30, 10_000, 'the first 30 messages');
    await waitUntil(async () => sum(await committed(admin, group, topic)) === 30, 5000, 'offsets committed');

    proc.child.kill('SIGKILL');
    await proc.exited;
    // Simulate a write torn by the kill: half a batch header at the end of a log.
    fs.appendFileSync(path.join(dataDir, 'logs', topic, '0.log'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 7, 7]));
    proc = await spawnBroker(['--port', String(proc.port), '--data-dir', dataDir]);
    assert.match(proc.stderr.join(''), /truncated a torn tail of 14 bytes from durable-0/);

    assert.deepEqual(await highWatermarks(admin, topic), [10, 10, 10]);
    assert.deepEqual(await committed(admin, group, topic), [10, 10, 10]);

    // The same producer and the still-running consumer reconnect and continue.
    await p.send({ topic, messages: Array.from({ length: 30 }, (_, i) => message(30 + i)) });
    await waitUntil(() => new Set(received.map((r) => r.key)).size >= 60, 15_000, 'the running consumer to get the new messages');
    assert.equal(received.filter((r) => Number(r.key!.slice(1)) < 30).length, 30, 'committed messages are not redelivered');
    assert.deepEqual(await highWatermarks(admin, topic), [20, 20, 20], 'no duplicates from idempotent retries');

    const fresh = await consumer(scope, kafka, { groupId: 'durable-reader' }, [topic]);
    await waitUntil(() => fresh.received.length >= 60, 10_000, 'a fresh group to read everything');
    for (const r of fresh.received) {
      const i = Number(r.key!.slice(1));
      assert.deepEqual({ partition: r.partition, value: r.value, headers: r.headers, timestamp: r.timestamp }, {
        partition: i % 3,
        value: `v${i}`,
        headers: { i: String(i) },
        timestamp: base + i,
      });
    }
    await scope.close();
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0, 'SIGTERM stops the broker cleanly');
  } finally {
    await scope.close();
    proc.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
