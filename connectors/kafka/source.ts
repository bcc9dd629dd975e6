/**
 * The Kafka source: reads every partition of a topic through a consumer group, decodes records
 * with the stream's format and pushes them with its position (next offset per partition).
 *
 * Positions live in Eddy's epoch commit, not in Kafka: at start, the consumer seeks each
 * partition to the committed position, and any record below it (a fetch that raced the seek, a
 * rebalance) is dropped, so a record is never counted twice. Partitions without a position start
 * at `startup` (earliest, latest, a timestamp); partitions added later are picked up from their
 * start.
 *
 * The consumer group is only used to get every partition assigned (and new ones noticed), so each
 * consumer joins a group of its own (`<group_id>-<random>`): after a kill -9 the dead member of
 * the previous run would otherwise stall the new one's join for a whole session timeout. The
 * committed positions are copied to the stable group `group_id` (default `eddy-<stream>`) with
 * admin offset commits, so Kafka tools show the stream's lag; Eddy never reads them back.
 *
 *   starting --connected, joined--> running --broker gone / consumer crashed--> retrying
 *       ^                                                                        |
 *       +----------------------- backoff (0.5 s doubling to 30 s) --------------+
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { CatalogObject } from '../../runtime/catalog/catalog.js';
import type { MalformedRecord, RunningSource, SourceConnector, SourceContext } from '../../runtime/connector/source.js';
import type { FormatColumn, RecordDecoder } from '../../runtime/connector/format.js';
import type { JsonValue, Row, Value } from '../../runtime/sql/values.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { formatFor } from '../formats/registry.js';
import { checkKnown, parseBool, parseMs, parseStartup, required, SOURCE_OPTIONS, type Startup } from './options.js';
import { errorText, kafkaClient } from './client.js';
import { checkMetadataColumns, isMetadataColumn, metadataReader, type MetadataReader } from './metadata-columns.js';

const MAX_BACKOFF_MS = 30_000;
/** How often the committed position is copied to the Kafka group (informational). */
const KAFKA_COMMIT_INTERVAL_MS = 5_000;
/** While a push waits for room, heartbeats keep the group membership alive. */
const HEARTBEAT_MS = 3_000;
const RAW_SAMPLE_CHARS = 1_000;

interface Position {
  topic: string;
  offsets: Record<string, number>;
}

/** How each stream column is filled: from the payload's column i, or from record metadata. */
type ColumnFill = { payload: number } | { meta: MetadataReader };

export const kafkaSource: SourceConnector = {
  name: 'kafka',
  async validate(stream: CatalogObject): Promise<void> {
    const o = stream.options;
    const format = formatFor(o.format ?? 'json');
    checkKnown(o, SOURCE_OPTIONS, format.options);
    required(o, 'topic');
    kafkaClient(o, 'eddy', noLog); // checks brokers, TLS and SASL options
    parseStartup(o.startup);
    parseMs(o, 'metadata_refresh', 30_000);
    checkMetadataColumns(stream);
    const payload = payloadColumns(stream);
    if (payload.length === 0 && format.name !== 'json') throw new SqlError(SqlState.InvalidParameterValue, 'the stream has no payload columns (only Kafka metadata columns)');
    format.validate(payload, o);
    if (parseBool(o, 'validate', false)) await checkReachable(o, stream.name);
  },
  start(ctx: SourceContext): RunningSource {
    return new KafkaSource(ctx);
  },
};

const noLog = { info() {}, warn() {}, error() {}, debug() {} };

function payloadColumns(stream: CatalogObject): FormatColumn[] {
  return stream.columns.filter((c) => !isMetadataColumn(c.name)).map((c) => ({ name: c.name, type: c.type }));
}

/** validate = true: the brokers answer and the topic exists (08001 / 22023). */
export async function checkReachable(o: Readonly<Record<string, string>>, what: string): Promise<void> {
  const admin = kafkaClient(o, 'eddy-validate', noLog, 0, 5_000).admin();
  const topic = o.topic;
  try {
    await withTimeout(admin.connect(), 5_000, 'connecting');
    const topics = await withTimeout(admin.listTopics(), 5_000, 'listing topics');
    if (!topics.includes(topic)) throw new SqlError(SqlState.InvalidParameterValue, `topic "${topic}" does not exist on ${o.brokers}`, { hint: 'Create the topic first, or leave out validate = true.' });
  } catch (e) {
    if (e instanceof SqlError) throw e;
    throw new SqlError(SqlState.SqlclientUnableToEstablishSqlconnection, `cannot reach Kafka at ${o.brokers} for "${what}": ${errorText(e)}`);
  } finally {
    // Not awaited: against a broker that accepts connections but never answers it would hang.
    void admin.disconnect().catch(() => undefined);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`timed out ${what} after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

class KafkaSource implements RunningSource {
  private readonly topic: string;
  private readonly startup: Startup;
  /** Next offset to read per partition: committed positions, then startup offsets, then what was pushed. */
  private readonly offsets = new Map<number, number>();
  private readonly decoder: RecordDecoder;
  private readonly fills: ColumnFill[];
  private consumer: Consumer | undefined;
  private stopRequested = false;
  private wakeStop: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly ctx: SourceContext) {
    const o = ctx.stream.options;
    this.topic = o.topic;
    this.startup = parseStartup(o.startup);
    const pos = ctx.position as Position | undefined;
    if (pos !== undefined && pos !== null && pos.topic === this.topic) for (const [p, off] of Object.entries(pos.offsets)) this.offsets.set(Number(p), off);
    const payload = payloadColumns(ctx.stream);
    this.decoder = formatFor(o.format ?? 'json').decoder(payload, o, this.topic);
    let k = 0;
    this.fills = ctx.stream.columns.map((c) => (isMetadataColumn(c.name) ? { meta: metadataReader(c.name, c.type) } : { payload: k++ }));
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wakeStop?.();
    await this.done;
  }

  private get stopped(): boolean {
    return this.stopRequested || this.ctx.stopped;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let failure: unknown;
      const started = Date.now();
      try {
        failure = await this.runConsumer();
      } catch (e) {
        failure = e;
      }
      if (this.stopped) break;
      // A consumer that ran for a while before failing starts its backoff afresh.
      attempt = Date.now() - started > 60_000 ? 1 : attempt + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt - 1, 6));
      let why = errorText(failure);
      if (/does not host this topic-partition|UNKNOWN_TOPIC/i.test(why)) why = `topic "${this.topic}" does not exist (yet)`;
      this.ctx.setStatus({ state: 'retrying', message: `${why} (attempt ${attempt}, next in ${Math.round(delay / 100) / 10} s)` });
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeStop = () => { clearTimeout(t); resolve(); };
    });
  }

  /** One consumer's life: resolves with the error that ended it (undefined when stopped). */
  private async runConsumer(): Promise<unknown> {
    const o = this.ctx.stream.options;
    const kafka = kafkaClient(o, `eddy-${this.ctx.stream.name}`, this.ctx.log);
    await this.resolveStartup(kafka);
    if (this.stopped) return undefined;
    // Pin where `startup` resolved to (latest / a timestamp): commit it before any record
    // arrives, so a restart does not look "latest" up again and skip what came in between.
    if (this.offsets.size > 0 && this.ctx.committedPosition() === undefined) await this.ctx.push({ rows: [], position: this.position() });
    const consumer = kafka.consumer({
      groupId: `${this.stableGroup}-${randomUUID().slice(0, 8)}`,
      metadataMaxAge: parseMs(o, 'metadata_refresh', 30_000),
      maxWaitTimeInMs: 500,
      sessionTimeout: 30_000,
      heartbeatInterval: HEARTBEAT_MS,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    let ended!: (e: unknown) => void;
    const end = new Promise<unknown>((resolve) => (ended = resolve));
    this.wakeStop = () => ended(undefined);
    consumer.on(consumer.events.CRASH, (e) => ended(e.payload.error ?? new Error('consumer crashed')));
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      // Start every assigned partition at Eddy's position (records below it are dropped anyway).
      for (const p of e.payload.memberAssignment[this.topic] ?? []) {
        const off = this.offsets.get(p);
        if (off !== undefined) consumer.seek({ topic: this.topic, partition: p, offset: String(off) });
      }
      this.ctx.setStatus({ state: 'running' });
    });
    const admin = kafka.admin();
    const committer = setInterval(() => void this.commitToKafka(admin), KAFKA_COMMIT_INTERVAL_MS);
    try {
      // While retrying, the status keeps saying so (with the last error) until the group is joined.
      if (this.ctx.status === undefined || this.ctx.status.state !== 'retrying') this.ctx.setStatus({ state: 'starting', message: `connecting to ${o.brokers}` });
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        // kafkajs fetches on from the offsets resolved in it: without resolving, every fetch
        // would return the same first bytes of each partition. Resolved offsets never reach
        // Kafka (autoCommit off); Eddy's positions come from its own commit.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
      if (this.stopped) return undefined;
      return await end;
    } finally {
      clearInterval(committer);
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Partitions without a position start at the startup rule (earliest needs nothing: fromBeginning). */
  private async resolveStartup(kafka: Kafka): Promise<void> {
    if (this.startup.kind === 'earliest') return;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const found = this.startup.kind === 'latest'
        ? (await admin.fetchTopicOffsets(this.topic)).map((p) => ({ partition: p.partition, offset: p.high }))
        : await admin.fetchTopicOffsetsByTimestamp(this.topic, this.startup.ms);
      for (const p of found) if (!this.offsets.has(p.partition)) this.offsets.set(p.partition, Number(p.offset));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopped || !isRunning() || isStale()) return;
    const partition = batch.partition;
    const from = this.offsets.get(partition) ?? 0;
    const messages: KafkaMessage[] = [];
    for (const m of batch.messages) if (Number(m.offset) >= from) messages.push(m);
    if (messages.length === 0) return;
    const decoded = await this.decoder.decodeBatch(messages.map((m) => m.value));
    const rows: Row[] = [];
    const malformed: MalformedRecord[] = [];
    const failed = new Map<number, { message: string; sqlstate: string }>();
    for (const e of decoded.errors) failed.set(e.index, e);
    for (let i = 0; i < messages.length; i++) {
      const payload = decoded.rows[i];
      const m = messages[i];
      if (payload === undefined) {
        const e = failed.get(i);
        if (e === undefined) continue; // skipped without error (e.g. a CSV header line)
        malformed.push({ message: `partition ${partition} offset ${m.offset}: ${e.message}`, sqlstate: e.sqlstate, raw: rawText(m.value) });
        continue;
      }
      rows.push(this.fullRow(payload, m, partition));
    }
    this.offsets.set(partition, Number(messages[messages.length - 1].offset) + 1);
    const pushed = this.ctx.push({ rows, malformed, partition: String(partition), position: this.position() });
    // Backpressure: wait for room before reading on, keeping the group membership alive meanwhile.
    for (;;) {
      let t: NodeJS.Timeout | undefined;
      const ready = await Promise.race([pushed.then(() => true), new Promise<false>((r) => (t = setTimeout(() => r(false), HEARTBEAT_MS)))]).finally(() => clearTimeout(t));
      if (ready) break;
      await heartbeat().catch(() => undefined);
    }
  }

  private fullRow(payload: Row, m: KafkaMessage, partition: number): Row {
    const fills = this.fills;
    const row: Value[] = new Array(fills.length);
    for (let j = 0; j < fills.length; j++) {
      const f = fills[j];
      row[j] = 'payload' in f ? payload[f.payload] : f.meta(m, partition);
    }
    return row;
  }

  private position(): JsonValue {
    const offsets: Record<string, number> = {};
    for (const [p, o] of this.offsets) offsets[String(p)] = o;
    return { topic: this.topic, offsets };
  }

  private get stableGroup(): string {
    return this.ctx.stream.options.group_id ?? `eddy-${this.ctx.stream.name}`;
  }

  /** Copies the committed position to the stable group, so Kafka tools show the lag (never read back). */
  private lastKafkaCommit = '';
  private async commitToKafka(admin: Admin): Promise<void> {
    const pos = this.ctx.committedPosition() as Position | undefined;
    if (pos === undefined || pos === null || pos.topic !== this.topic) return;
    const text = JSON.stringify(pos.offsets);
    if (text === this.lastKafkaCommit) return;
    try {
      await admin.connect();
      await admin.setOffsets({ groupId: this.stableGroup, topic: this.topic, partitions: Object.entries(pos.offsets).map(([p, off]) => ({ partition: Number(p), offset: String(off) })) });
      this.lastKafkaCommit = text;
    } catch {
      /* informational only; a rebalance or outage makes it fail now and then */
    }
  }
}

function rawText(v: Buffer | null): string | null {
  if (v === null) return null;
  const s = v.toString('utf8', 0, Math.min(v.length, RAW_SAMPLE_CHARS * 4));
  return s.length > RAW_SAMPLE_CHARS ? `${s.slice(0, RAW_SAMPLE_CHARS)}…` : s;
}
