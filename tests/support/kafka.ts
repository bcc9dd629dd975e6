/** Kafka helpers for tests: produce with kafkajs, read a topic back, wait for a condition. */
import { Kafka, logLevel, type Message } from 'kafkajs';

export { waitFor } from './wait.js';

export function kafka(brokers: string): Kafka {
  return new Kafka({ brokers: [brokers], clientId: 'eddy-test', logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
}

export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Produces messages; each may name its partition. */
export async function produce(brokers: string, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka(brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, messages: messages.slice(i, i + 500) });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Every committed record of the topic (read_committed), in partition/offset order. */
export async function readTopic(brokers: string, topic: string, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const k = kafka(brokers);
  const admin = k.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const out: ReadRecord[] = [];
  if ([...want.values()].every((h) => h === 0)) return out;
  const consumer = k.consumer({ groupId: `reader-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen = new Map<number, number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`readTopic(${topic}) timed out; have ${JSON.stringify([...seen])}, want ${JSON.stringify([...want])}`)), timeoutMs);
    const check = () => {
      // Transaction markers take offsets too: done once every partition's next offset reached its end.
      if ([...want].every(([p, h]) => h === 0 || (seen.get(p) ?? 0) >= h)) {
        clearTimeout(timer);
        resolve();
      }
    };
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [hk, hv] of Object.entries(m.headers ?? {})) if (hv !== undefined) headers[hk] = hv.toString();
          out.push({ partition: batch.partition, offset: Number(m.offset), key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers });
        }
        seen.set(batch.partition, Math.max(seen.get(batch.partition) ?? 0, Number(batch.lastOffset()) + 1));
        check();
      },
    }).catch(reject);
    check();
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
