/**
 * KafkaTestBroker: a single-node Kafka broker speaking the subset of the wire protocol kafkajs
 * 2.2.4 uses (see README.md). Node 0 is leader of every partition, controller, and group and
 * transaction coordinator. State lives in dataDir and survives kill -9.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { AppendNotifier, partitionKey } from './append-notifier.js';
import { lockDataDir, unlockDataDir } from './dir-lock.js';
import { Connection, type Response } from './connection.js';
import { ErrorCode } from './errors.js';
import { GroupCoordinator } from './group-coordinator.js';
import * as P from './protocol.js';
import { ApiKey, Reader, Writer } from './protocol.js';
import { lastSequence } from './producer-state.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, readBatchHeader, splitBatches } from './record-batch.js';
import { TopicRegistry } from './topics.js';
import { TransactionCoordinator } from './transactions.js';
import { authenticate, handshake, type SaslUsers } from './sasl.js';

export interface KafkaTestBrokerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listening host, also advertised to clients (0.0.0.0/:: advertise 127.0.0.1). Default 127.0.0.1. */
  host?: string;
  /** Default: a new temporary directory. */
  dataDir?: string;
  /** Partitions of auto-created topics and of CreateTopics with numPartitions -1. Default 1. */
  defaultPartitions?: number;
  /** Create unknown topics on Metadata requests that allow it. Default true. */
  autoCreateTopics?: boolean;
  /**
   * Delete dataDir on stop(). Default false, so a stopped broker can be restarted on
   * `broker.dataDir` (also when that is the temporary directory made because dataDir was omitted).
   */
  removeDataDirOnStop?: boolean;
  /** Serve TLS with this PEM key and certificate instead of plain TCP. */
  tls?: { key: string; cert: string };
  /** Require SASL/PLAIN authentication with these users (user -> password). */
  saslPlain?: SaslUsers;
  /** Diagnostics such as malformed requests or truncated logs; silent by default. */
  log?: (message: string) => void;
}

const NODE_ID = 0;
const CLUSTER_ID = 'eddy-kafka-test-broker';
const TICK_MS = 100;

export class KafkaTestBroker {
  readonly host: string;
  readonly advertisedHost: string;
  port = 0;
  private readonly notifier = new AppendNotifier();
  private readonly topics: TopicRegistry;
  private readonly groups: GroupCoordinator;
  private readonly txns: TransactionCoordinator;
  private readonly connections = new Set<Connection>();
  private readonly authenticated = new WeakSet<Connection>();
  private readonly server: net.Server;
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly log: (message: string) => void;

  private constructor(
    readonly dataDir: string,
    private readonly opts: Required<Pick<KafkaTestBrokerOptions, 'defaultPartitions' | 'autoCreateTopics' | 'removeDataDirOnStop'>> &
      KafkaTestBrokerOptions,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.advertisedHost = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    this.log = opts.log ?? (() => {});
    this.topics = new TopicRegistry(dataDir);
    for (const t of this.topics.truncatedOnOpen) this.log(`truncated a torn tail of ${t.bytes} bytes from ${t.topic}-${t.partition}`);
    this.groups = new GroupCoordinator(dataDir);
    this.txns = new TransactionCoordinator(dataDir, this.topics, this.groups, this.notifier);
    this.server = opts.tls !== undefined
      ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) => this.accept(socket))
      : net.createServer((socket) => this.accept(socket));
  }

  static async start(opts: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
    const dataDir = path.resolve(opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-test-broker-')));
    fs.mkdirSync(dataDir, { recursive: true });
    lockDataDir(dataDir);
    let broker: KafkaTestBroker | undefined;
    try {
      broker = new KafkaTestBroker(dataDir, {
        ...opts,
        defaultPartitions: opts.defaultPartitions ?? 1,
        autoCreateTopics: opts.autoCreateTopics ?? true,
        removeDataDirOnStop: opts.removeDataDirOnStop ?? false,
      });
      await broker.listen(opts.port ?? 0);
      return broker;
    } catch (err) {
      broker?.topics.close();
      unlockDataDir(dataDir);
      throw err;
    }
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as net.AddressInfo).port;
        this.server.on('error', (err) => this.log(`server error: ${err.message}`));
        this.ticker = setInterval(() => {
          try {
            this.groups.tick();
            this.txns.tick();
          } catch (err) {
            this.log(`housekeeping failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }, TICK_MS);
        this.ticker.unref();
        resolve();
      });
    });
  }

  /** "host:port" for kafkajs' `brokers` option. */
  get brokers(): string {
    return `${this.advertisedHost}:${this.port}`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.close();
    this.notifier.notifyAll();
    this.groups.close();
    await closed;
    this.topics.close();
    unlockDataDir(this.dataDir);
    if (this.opts.removeDataDirOnStop) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async createTopic(name: string, partitions: number): Promise<void> {
    this.topics.create(name, partitions);
    this.notifier.notifyAll();
  }

  async addPartitions(name: string, total: number): Promise<void> {
    this.topics.addPartitions(name, total);
    this.notifier.notifyAll();
  }

  // ------------------------------------------------------------ connections & dispatch

  private accept(socket: net.Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const conn = new Connection(
      socket,
      (frame, c) => this.handle(frame, c),
      (err) => this.log(`closing connection from ${socket.remoteAddress}: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.connections.add(conn);
    socket.on('close', () => this.connections.delete(conn));
  }

  private async handle(frame: Buffer, conn: Connection): Promise<Response | null> {
    const r = new Reader(frame);
    const h = P.readRequestHeader(r);
    const reply = (body: Buffer | null): Response | null => (body === null ? null : { correlationId: h.correlationId, body });
    if (this.stopped) throw new Error('broker stopping');
    if (this.opts.saslPlain !== undefined && !this.authenticated.has(conn)) {
      // Before SASL succeeds only the handshake APIs are allowed (as in Kafka).
      if (h.apiKey === ApiKey.SaslHandshake) return reply(handshake(r));
      if (h.apiKey === ApiKey.SaslAuthenticate) {
        const res = authenticate(r, h.apiVersion, this.opts.saslPlain);
        if (res.ok) this.authenticated.add(conn);
        return reply(res.body);
      }
      if (h.apiKey !== ApiKey.ApiVersions) throw new Error(`api ${h.apiKey} before SASL authentication`);
    }
    if (!P.isSupported(h.apiKey, h.apiVersion)) {
      this.log(`unsupported api ${h.apiKey} v${h.apiVersion} from ${h.clientId}`);
      // ApiVersions answers in its v0 layout so the client can retry with a version we list;
      // for other APIs the error code leads the body, where every v0 response has its error.
      if (h.apiKey === ApiKey.ApiVersions) return reply(P.encodeApiVersions(0, { errorCode: ErrorCode.UNSUPPORTED_VERSION }));
      return reply(new Writer(2).int16(ErrorCode.UNSUPPORTED_VERSION).toBuffer());
    }
    return reply(await this.dispatch(h, r, conn));
  }

  private async dispatch(h: P.RequestHeader, r: Reader, conn: Connection): Promise<Buffer | null> {
    const v = h.apiVersion;
    const client = { clientId: h.clientId ?? '', clientHost: conn.clientHost };
    switch (h.apiKey as ApiKey) {
      case ApiKey.SaslHandshake:
        return handshake(r);
      case ApiKey.SaslAuthenticate:
        return authenticate(r, v, this.opts.saslPlain ?? {}).body;
      case ApiKey.ApiVersions:
        return P.encodeApiVersions(v, { errorCode: ErrorCode.NONE });
      case ApiKey.Metadata:
        return P.encodeMetadata(v, this.metadata(P.decodeMetadata(r, v)));
      case ApiKey.Produce:
        return this.produce(v, P.decodeProduce(r));
      case ApiKey.Fetch:
        return P.encodeFetch(v, await this.fetch(P.decodeFetch(r), conn));
      case ApiKey.ListOffsets:
        return P.encodeListOffsets(v, this.listOffsets(P.decodeListOffsets(r, v)));
      case ApiKey.FindCoordinator: {
        const req = P.decodeFindCoordinator(r, v);
        const errorCode = req.keyType === 0 || req.keyType === 1 ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST;
        return P.encodeFindCoordinator(v, { errorCode, nodeId: NODE_ID, host: this.advertisedHost, port: this.port });
      }
      case ApiKey.JoinGroup:
        return P.encodeJoinGroup(v, await this.groups.join(P.decodeJoinGroup(r, v), client));
      case ApiKey.SyncGroup:
        return P.encodeSyncGroup(v, await this.groups.sync(P.decodeSyncGroup(r)));
      case ApiKey.Heartbeat:
        return P.encodeErrorOnly(v, 1, this.groups.heartbeat(P.decodeHeartbeat(r)));
      case ApiKey.LeaveGroup:
        return P.encodeErrorOnly(v, 1, this.groups.leave(P.decodeLeaveGroup(r)));
      case ApiKey.OffsetCommit:
        return P.encodeOffsetCommit(v, this.groups.commitOffsets(P.decodeOffsetCommit(r)));
      case ApiKey.OffsetFetch:
        return P.encodeOffsetFetch(v, this.groups.fetchOffsets(P.decodeOffsetFetch(r)));
      case ApiKey.DescribeGroups:
        return P.encodeDescribeGroups(v, this.groups.describe(P.decodeDescribeGroups(r)));
      case ApiKey.ListGroups:
        return P.encodeListGroups(v, this.groups.list());
      case ApiKey.DeleteGroups:
        return P.encodeDeleteGroups(v, this.groups.deleteGroups(P.decodeDeleteGroups(r)));
      case ApiKey.CreateTopics:
        return P.encodeCreateTopics(v, this.createTopics(P.decodeCreateTopics(r, v)));
      case ApiKey.DeleteTopics:
        return P.encodeDeleteTopics(v, this.deleteTopics(P.decodeDeleteTopics(r)));
      case ApiKey.CreatePartitions:
        return P.encodeCreatePartitions(v, this.createPartitions(P.decodeCreatePartitions(r)));
      case ApiKey.InitProducerId: {
        const req = P.decodeInitProducerId(r);
        return P.encodeInitProducerId(v, this.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs));
      }
      case ApiKey.AddPartitionsToTxn:
        return P.encodeAddPartitionsToTxn(v, this.txns.addPartitions(P.decodeAddPartitionsToTxn(r)));
      case ApiKey.AddOffsetsToTxn:
        return P.encodeErrorOnly(v, 0, this.txns.addOffsets(P.decodeAddOffsetsToTxn(r)));
      case ApiKey.EndTxn:
        return P.encodeErrorOnly(v, 0, this.txns.endTxn(P.decodeEndTxn(r)));
      case ApiKey.TxnOffsetCommit:
        return P.encodeTxnOffsetCommit(v, this.txns.txnOffsetCommit(P.decodeTxnOffsetCommit(r)));
    }
  }

  // ------------------------------------------------------------ topics & metadata

  private metadata(req: P.MetadataRequest): P.MetadataResponse {
    const names = req.topics === null ? this.topics.names() : [...new Set(req.topics)];
    const topics = names.map((name) => {
      if (!this.topics.has(name)) {
        if (!TopicRegistry.isLegalName(name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 };
        if (!(this.opts.autoCreateTopics && req.allowAutoTopicCreation)) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
        this.topics.create(name, this.opts.defaultPartitions);
      }
      return { errorCode: ErrorCode.NONE, name, partitions: this.topics.partitions(name)!.length };
    });
    return { nodeId: NODE_ID, host: this.advertisedHost, port: this.port, clusterId: CLUSTER_ID, topics };
  }

  private createTopics(req: P.CreateTopicsRequest): P.TopicResult[] {
    return req.topics.map(({ name, numPartitions, replicationFactor, assignments }) => {
      const result = (errorCode: ErrorCode, errorMessage: string | null = null): P.TopicResult => ({ name, errorCode, errorMessage });
      if (!TopicRegistry.isLegalName(name)) return result(ErrorCode.INVALID_TOPIC_EXCEPTION, `Illegal topic name '${name}'`);
      if (this.topics.has(name)) return result(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
      const partitions = assignments > 0 ? assignments : numPartitions === -1 ? this.opts.defaultPartitions : numPartitions;
      if (partitions <= 0) return result(ErrorCode.INVALID_PARTITIONS, `Number of partitions must be larger than 0.`);
      if (replicationFactor !== -1 && replicationFactor !== 1) {
        return result(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${replicationFactor} larger than available brokers: 1.`);
      }
      if (!req.validateOnly) this.topics.create(name, partitions);
      return result(ErrorCode.NONE);
    });
  }

  private deleteTopics(names: string[]): P.TopicResult[] {
    const results = names.map((name) => {
      if (!this.topics.has(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
      this.topics.delete(name);
      this.groups.forgetTopic(name);
      return { name, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    this.notifier.notifyAll();
    return results;
  }

  private createPartitions(req: P.CreatePartitionsRequest): P.TopicResult[] {
    const results = req.topics.map(({ name, count }) => {
      const current = this.topics.partitions(name)?.length;
      if (current === undefined) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic '${name}' does not exist.` };
      if (count <= current) {
        return { name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `Topic currently has ${current} partitions, which is higher than or equal to the requested ${count}.` };
      }
      if (!req.validateOnly) this.topics.addPartitions(name, count);
      return { name, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    this.notifier.notifyAll();
    return results;
  }

  // ------------------------------------------------------------ data plane

  private produce(version: number, req: P.ProduceRequest): Buffer | null {
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partition, ...this.producePartition(req, t.name, p.partition, p.records) })),
    }));
    return req.acks === 0 ? null : P.encodeProduce(version, { topics });
  }

  private producePartition(req: P.ProduceRequest, topic: string, partition: number, records: Buffer | null): { errorCode: ErrorCode; baseOffset: number } {
    const fail = (errorCode: ErrorCode) => ({ errorCode, baseOffset: -1 });
    if (req.acks !== -1 && req.acks !== 0 && req.acks !== 1) return fail(ErrorCode.INVALID_REQUIRED_ACKS);
    const log = this.topics.log(topic, partition);
    if (!log) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (!records) return fail(ErrorCode.CORRUPT_MESSAGE);
    const batches = splitBatches(records);
    if (typeof batches === 'string') {
      this.log(`rejecting produce to ${topic}-${partition}: ${batches}`);
      return fail(ErrorCode.CORRUPT_MESSAGE);
    }
    if (batches.length !== 1) return fail(ErrorCode.INVALID_RECORD); // Kafka requires one batch per partition (v3+)
    const batch = batches[0]!;
    const h = readBatchHeader(batch);
    if (h.attributes & ATTR_CONTROL) return fail(ErrorCode.INVALID_RECORD);
    try {
      if (h.attributes & ATTR_TRANSACTIONAL) return this.txns.produce(req.transactionalId, topic, partition, batch, h, log);
      if (h.producerId >= 0) {
        const last = lastSequence(h.baseSequence, h.lastOffsetDelta);
        const check = log.producers.check(h.producerId, h.producerEpoch, h.baseSequence, last);
        if (check.kind === 'error') return fail(check.code);
        if (check.kind === 'duplicate') return { errorCode: ErrorCode.NONE, baseOffset: check.baseOffset };
        const { baseOffset } = log.append(batch);
        log.producers.record(h.producerId, h.producerEpoch, h.baseSequence, last, baseOffset);
        this.notifier.notify(topic, partition);
        return { errorCode: ErrorCode.NONE, baseOffset };
      }
      const { baseOffset } = log.append(batch);
      this.notifier.notify(topic, partition);
      return { errorCode: ErrorCode.NONE, baseOffset };
    } catch (err) {
      this.log(`append to ${topic}-${partition} failed: ${err instanceof Error ? err.message : String(err)}`);
      return fail(ErrorCode.KAFKA_STORAGE_ERROR);
    }
  }

  /** Long-polls until minBytes are available, maxWait passes, or an error must be reported. */
  private async fetch(req: P.FetchRequest, conn: Connection): Promise<P.FetchResponse> {
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    const keys = new Set(req.topics.flatMap((t) => t.partitions.map((p) => partitionKey(t.name, p.partition))));
    for (;;) {
      const { response, bytes, hasError } = this.readFetch(req);
      const remaining = deadline - Date.now();
      if (bytes >= req.minBytes || hasError || remaining <= 0 || conn.closed || this.stopped) return response;
      await this.notifier.wait(keys, remaining);
      if (this.stopped) throw new Error('broker stopping');
    }
  }

  private readFetch(req: P.FetchRequest): { response: P.FetchResponse; bytes: number; hasError: boolean } {
    let bytes = 0;
    let hasError = false;
    const maxTotal = req.maxBytes > 0 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p): P.FetchPartitionResult => {
        const log = this.topics.log(t.name, p.partition);
        const empty = Buffer.alloc(0);
        if (!log) {
          hasError = true;
          return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, lastStableOffset: -1, records: empty };
        }
        const hw = log.highWatermark;
        if (p.fetchOffset < log.logStartOffset || p.fetchOffset > hw) {
          hasError = true;
          return { partition: p.partition, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: hw, lastStableOffset: hw, records: empty };
        }
        const limit = Math.max(0, Math.min(p.maxBytes, maxTotal - bytes));
        // KIP-74: the first batch of the response is returned even if it exceeds the limits.
        const records = log.read(p.fetchOffset, limit, bytes === 0);
        bytes += records.length;
        return { partition: p.partition, errorCode: ErrorCode.NONE, highWatermark: hw, lastStableOffset: hw, records };
      }),
    }));
    return { response: { topics }, bytes, hasError };
  }

  private listOffsets(req: P.ListOffsetsRequest): P.ListOffsetsResponse {
    return {
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map(({ partition, timestamp }) => {
          const log = this.topics.log(t.name, partition);
          if (!log) return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 };
          if (timestamp === -1) return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark };
          if (timestamp === -2) return { partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
          const hit = log.lookupTimestamp(timestamp);
          return { partition, errorCode: ErrorCode.NONE, timestamp: hit?.timestamp ?? -1, offset: hit?.offset ?? -1 };
        }),
      })),
    };
  }
}
