/**
 * The Kafka sink: each batch of committed epochs is written in ONE Kafka transaction that also
 * commits the batch's last epoch as the offset of a progress consumer group (`sendOffsets`).
 * Both become visible atomically, so after a crash `open()` reads the group's offset and the
 * runner resumes after the last epoch Kafka holds: no epoch is written twice or lost. The
 * producer's transactional id is fixed per sink, so a restarted Eddy fences any zombie producer
 * and aborts its open transaction.
 *
 * upsert (default for keyed objects): the record key is the row's key columns (in the format),
 *   the value the row; a deleted key gets a tombstone (null value). A batch carries each key's
 *   net change only (records are headed with the batch's last epoch, `eddy-epoch`).
 * append (streams, EMIT ON WINDOW CLOSE and other append-only views): one record per inserted row.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Message, Producer } from 'kafkajs';
import type { CatalogObject, ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkBatch, SinkConnector, SinkContext, SinkWriter } from '../../runtime/connector/sink.js';
import type { RecordEncoder } from '../../runtime/connector/format.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { appendedRows, netByKey } from '../sink-changes.js';
import { crashPoint } from '../../runtime/crash-point.js';
import { formatFor } from '../formats/registry.js';
import { bad, checkKnown, parseBool, required, SINK_OPTIONS } from './options.js';
import { kafkaClient } from './client.js';
import { checkReachable } from './source.js';

/** The partition of the progress group's offset that holds the last written epoch. */
const PROGRESS_PARTITION = 0;

export const kafkaSink: SinkConnector = {
  name: 'kafka',
  async validate(sink: CatalogObject, columns: readonly ColumnSchema[], keyColumns: readonly number[] | null, appendOnly: boolean): Promise<Record<string, string>> {
    const o = { ...sink.options };
    const format = formatFor(o.format ?? 'json');
    checkKnown(o, SINK_OPTIONS, format.options);
    required(o, 'topic');
    kafkaClient(o, 'eddy', noLog);
    const fcols = columns.map((c) => ({ name: c.name, type: c.type }));
    format.validate(fcols, o);
    const mode = (o.mode ?? (keyColumns !== null ? 'upsert' : 'append')).toLowerCase();
    if (mode !== 'upsert' && mode !== 'append') throw bad(`option "mode" must be upsert or append, not "${o.mode}"`);
    if (mode === 'upsert' && keyColumns === null) throw bad('mode = upsert needs a key: the object has none', "Add primary_key = 'col1,col2', or use mode = 'append' for an append-only object.");
    if (mode === 'append' && !appendOnly) {
      throw bad('mode = append needs an append-only object, and this one updates or deletes rows', "Use mode = 'upsert', or EMIT ON WINDOW CLOSE in the view so each window is written once.");
    }
    o.mode = mode;
    // Fixed per sink (fencing), unique per creation (a new sink never inherits an old one's progress).
    const id = randomUUID();
    o.transactional_id ??= `eddy-sink-${sink.name}-${id}`;
    o.progress_group ??= `eddy-sink-${sink.name}-${id}`;
    if (parseBool(o, 'validate', false)) await checkReachable(o, sink.name);
    return o;
  },
  writer(ctx: SinkContext): SinkWriter {
    return new KafkaSinkWriter(ctx);
  },
};

const noLog = { info() {}, warn() {}, error() {}, debug() {} };

class KafkaSinkWriter implements SinkWriter {
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private readonly topic: string;
  private readonly mode: 'upsert' | 'append';
  private readonly valueEncoder: RecordEncoder;
  private readonly keyEncoder: RecordEncoder | undefined;
  private readonly key: readonly number[] | null;

  constructor(private readonly ctx: SinkContext) {
    const o = ctx.sink.options;
    this.topic = o.topic;
    this.mode = o.mode === 'append' ? 'append' : 'upsert';
    const format = formatFor(o.format ?? 'json');
    const cols = ctx.columns.map((c) => ({ name: c.name, type: c.type }));
    this.valueEncoder = format.encoder(cols, o, this.topic);
    this.key = ctx.keyColumns;
    this.keyEncoder = this.key !== null ? format.encoder(this.key.map((i) => cols[i]), o, `${this.topic}-key`) : undefined;
  }

  async open(): Promise<number> {
    const o = this.ctx.sink.options;
    const kafka = kafkaClient(o, `eddy-sink-${this.ctx.sink.name}`, this.ctx.log);
    this.admin = kafka.admin();
    await this.admin.connect();
    await this.ensureTopic(this.admin);
    this.producer = kafka.producer({ transactionalId: o.transactional_id, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    // kafkajs sends the transactional InitProducerId at the first transaction(): it fences an older
    // producer with this id (a previous run) and completes or aborts its open transaction, so the
    // progress read next is final. The empty transaction is dropped without a request.
    const fence = await this.producer.transaction();
    await fence.abort();
    const res = await this.admin.fetchOffsets({ groupId: o.progress_group, topics: [this.topic] });
    const p = res.find((t) => t.topic === this.topic)?.partitions.find((x) => x.partition === PROGRESS_PARTITION);
    const epoch = p === undefined ? -1 : Number(p.offset);
    return epoch > 0 ? epoch : 0;
  }

  /** Creates the topic when missing (cluster defaults for partitions and replication). */
  private async ensureTopic(admin: Admin): Promise<void> {
    const topics = await admin.listTopics();
    if (!topics.includes(this.topic)) await admin.createTopics({ topics: [{ topic: this.topic }], waitForLeaders: true }).catch(() => undefined);
  }

  async write(batch: SinkBatch): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) throw new SqlError(SqlState.ConnectionFailure, 'kafka sink is not connected');
    const messages = await this.messages(batch);
    const txn = await producer.transaction();
    try {
      if (messages.length > 0) await txn.send({ topic: this.topic, messages });
      await txn.sendOffsets({
        consumerGroupId: this.ctx.sink.options.progress_group,
        topics: [{ topic: this.topic, partitions: [{ partition: PROGRESS_PARTITION, offset: String(batch.lastEpoch) }] }],
      });
      crashPoint('kafka-sink-before-commit');
      await txn.commit();
      crashPoint('kafka-sink-after-commit');
    } catch (e) {
      await txn.abort().catch(() => undefined);
      throw e;
    }
  }

  /** The batch's records: the net change per key over the batch (upsert) or every inserted row (append). */
  private async messages(batch: SinkBatch): Promise<Message[]> {
    // One transaction carries the whole batch, so only its net effect per key needs writing.
    const headers = { 'eddy-epoch': String(batch.lastEpoch) };
    if (this.mode === 'append' || this.key === null) {
      const values = await this.valueEncoder.encodeBatch(appendedRows(batch));
      return values.map((v) => ({ key: null, value: v, headers }));
    }
    const { upserts, deletes } = netByKey(batch, this.key);
    const key = this.key;
    const upsertKeys = await this.keyEncoder!.encodeBatch(upserts.map((r) => key.map((i) => r[i])));
    const values = await this.valueEncoder.encodeBatch(upserts);
    const deleteKeys = await this.keyEncoder!.encodeBatch(deletes);
    const out: Message[] = upserts.map((_, i) => ({ key: upsertKeys[i], value: values[i], headers }));
    for (const k of deleteKeys) out.push({ key: k, value: null, headers });
    return out;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.admin = undefined;
  }
}
