/**
 * Transaction coordinator plus producer-id allocation.
 *
 * Model (simpler than Kafka, but sound for clients): the batches a transaction produces and the
 * offsets it commits are buffered here and reach the partition logs / group offsets only at
 * EndTxn(commit); EndTxn(abort) discards them. Consequently no control records or aborted data
 * ever appear in a log, the last stable offset equals the high watermark, and read_uncommitted
 * consumers also see committed data only. Produce responses for transactional batches carry
 * baseOffset -1 because offsets are assigned at commit.
 *
 * Durability: transactions.json (atomic rewrite) keeps the producer-id counter and each
 * transactional id's producer id/epoch and whether a transaction is open. A commit first writes
 * a journal (the buffered batches, the log end offset of each partition, the offsets), then
 * applies it; after a crash the journal is re-applied (logs truncated back to the recorded ends
 * first), so a commit is all-or-nothing. Transactions that were open without a journal are
 * aborted at startup and their producers fenced (epoch bump), as if their timeout had expired.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppendNotifier } from './append-notifier.js';
import { ErrorCode } from './errors.js';
import type { GroupCoordinator } from './group-coordinator.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import type { PartitionLog } from './partition-log.js';
import { lastSequence } from './producer-state.js';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  EndTxnRequest,
  InitProducerIdResponse,
  PartitionErrors,
  TxnIdentity,
  TxnOffsetCommitRequest,
} from './protocol.js';
import type { BatchHeader } from './record-batch.js';
import type { TopicRegistry } from './topics.js';

const MAX_EPOCH = 32766;
const MAX_TIMEOUT_MS = 900_000; // Kafka's transaction.max.timeout.ms default

interface PendingOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

interface Txn {
  transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  ongoing: boolean;
  startedAt: number;
  partitions: Set<string>;
  groups: Set<string>;
  batches: { topic: string; partition: number; batch: Buffer }[];
  /** groupId → "topic\0partition" → offset; the last commit for a partition wins. */
  offsets: Map<string, Map<string, PendingOffset>>;
  lastResult: 'commit' | 'abort' | null;
}

interface TxnFile {
  version: 1;
  nextProducerId: number;
  txns: Record<string, { producerId: number; epoch: number; timeoutMs: number; ongoing: boolean }>;
}

interface Journal {
  transactionalId: string;
  partitions: { topic: string; partition: number; startOffset: number; batches: string[] }[];
  offsets: { groupId: string; entries: PendingOffset[] }[];
}

export type ProduceOutcome = { errorCode: ErrorCode; baseOffset: number };

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class TransactionCoordinator {
  private readonly txns = new Map<string, Txn>();
  private nextProducerId = 1;
  private readonly stateFile: string;
  private readonly journalFile: string;

  constructor(
    dataDir: string,
    private readonly topics: TopicRegistry,
    private readonly groups: GroupCoordinator,
    private readonly notifier: AppendNotifier,
    private readonly now: () => number = Date.now,
  ) {
    this.stateFile = path.join(dataDir, 'transactions.json');
    this.journalFile = path.join(dataDir, 'txn-commit.journal');
    const state = readJson<TxnFile>(this.stateFile, { version: 1, nextProducerId: 1, txns: {} });
    this.nextProducerId = state.nextProducerId;
    for (const [id, t] of Object.entries(state.txns)) {
      const txn = this.newTxn(id, t.producerId, t.epoch, t.timeoutMs);
      txn.ongoing = t.ongoing;
      this.txns.set(id, txn);
    }
    const journal = readJson<Journal | null>(this.journalFile, null);
    if (journal) {
      this.applyJournal(journal);
      const t = this.txns.get(journal.transactionalId);
      if (t) {
        t.ongoing = false;
        t.lastResult = 'commit';
      }
    }
    for (const t of this.txns.values()) if (t.ongoing) this.abort(t, true);
    this.persist();
    fs.rmSync(this.journalFile, { force: true });
  }

  private newTxn(transactionalId: string, producerId: number, epoch: number, timeoutMs: number): Txn {
    return {
      transactionalId,
      producerId,
      epoch,
      timeoutMs,
      ongoing: false,
      startedAt: 0,
      partitions: new Set(),
      groups: new Set(),
      batches: [],
      offsets: new Map(),
      lastResult: null,
    };
  }

  private persist(): void {
    const txns: TxnFile['txns'] = {};
    for (const t of this.txns.values()) txns[t.transactionalId] = { producerId: t.producerId, epoch: t.epoch, timeoutMs: t.timeoutMs, ongoing: t.ongoing };
    writeJsonAtomic(this.stateFile, { version: 1, nextProducerId: this.nextProducerId, txns } satisfies TxnFile);
  }

  initProducerId(transactionalId: string | null, timeoutMs: number): InitProducerIdResponse {
    if (transactionalId === null || transactionalId === '') {
      const producerId = this.nextProducerId++;
      this.persist();
      return { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    }
    if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    let t = this.txns.get(transactionalId);
    if (!t) {
      t = this.newTxn(transactionalId, this.nextProducerId++, 0, timeoutMs);
      this.txns.set(transactionalId, t);
    } else {
      // A new producer instance fences the previous one: its open transaction is aborted and the
      // epoch bumped, so the old instance gets INVALID_PRODUCER_EPOCH from then on.
      if (t.ongoing) this.abort(t, false);
      if (t.epoch >= MAX_EPOCH) {
        t.producerId = this.nextProducerId++;
        t.epoch = 0;
      } else t.epoch++;
      t.timeoutMs = timeoutMs;
      t.lastResult = null;
    }
    this.persist();
    return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.epoch };
  }

  private lookup(id: TxnIdentity): Txn | ErrorCode {
    const t = this.txns.get(id.transactionalId);
    if (!t || t.producerId !== id.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (t.epoch !== id.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return t;
  }

  private begin(t: Txn): void {
    if (t.ongoing) return;
    t.ongoing = true;
    t.startedAt = this.now();
    t.lastResult = null;
    this.persist();
  }

  addPartitions(req: AddPartitionsToTxnRequest): PartitionErrors {
    const t = this.lookup(req);
    const unknown = (name: string, p: number) => !this.topics.log(name, p);
    const anyUnknown = req.topics.some((tp) => tp.partitions.some((p) => unknown(tp.name, p)));
    const codeFor = (name: string, p: number): ErrorCode => {
      if (typeof t === 'number') return t;
      if (unknown(name, p)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return anyUnknown ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.NONE;
    };
    if (typeof t !== 'number' && !anyUnknown) {
      for (const tp of req.topics) for (const p of tp.partitions) t.partitions.add(key(tp.name, p));
      this.begin(t);
    }
    return { topics: req.topics.map((tp) => ({ name: tp.name, partitions: tp.partitions.map((p) => ({ partition: p, errorCode: codeFor(tp.name, p) })) })) };
  }

  addOffsets(req: AddOffsetsToTxnRequest): ErrorCode {
    const t = this.lookup(req);
    if (typeof t === 'number') return t;
    if (!req.groupId) return ErrorCode.INVALID_GROUP_ID;
    t.groups.add(req.groupId);
    this.begin(t);
    return ErrorCode.NONE;
  }

  txnOffsetCommit(req: TxnOffsetCommitRequest): PartitionErrors {
    const t = this.lookup(req);
    let error: ErrorCode = typeof t === 'number' ? t : ErrorCode.NONE;
    if (typeof t !== 'number' && (!t.ongoing || !t.groups.has(req.groupId))) error = ErrorCode.INVALID_TXN_STATE;
    if (typeof t !== 'number' && error === ErrorCode.NONE) {
      let pending = t.offsets.get(req.groupId);
      if (!pending) t.offsets.set(req.groupId, (pending = new Map()));
      for (const tp of req.topics) {
        for (const p of tp.partitions) pending.set(key(tp.name, p.partition), { topic: tp.name, partition: p.partition, offset: p.offset, metadata: p.metadata });
      }
    }
    return { topics: req.topics.map((tp) => ({ name: tp.name, partitions: tp.partitions.map((p) => ({ partition: p.partition, errorCode: error })) })) };
  }

  /** A transactional batch: validated against the coordinator and the sequence state, then buffered. */
  produce(transactionalId: string | null, topic: string, partition: number, batch: Buffer, h: BatchHeader, log: PartitionLog): ProduceOutcome {
    const fail = (errorCode: ErrorCode): ProduceOutcome => ({ errorCode, baseOffset: -1 });
    if (!transactionalId) return fail(ErrorCode.INVALID_REQUEST);
    const t = this.lookup({ transactionalId, producerId: h.producerId, producerEpoch: h.producerEpoch });
    if (typeof t === 'number') return fail(t);
    if (!t.ongoing || !t.partitions.has(key(topic, partition))) return fail(ErrorCode.INVALID_TXN_STATE);
    const last = lastSequence(h.baseSequence, h.lastOffsetDelta);
    const check = log.producers.check(h.producerId, h.producerEpoch, h.baseSequence, last);
    if (check.kind === 'error') return fail(check.code);
    if (check.kind === 'duplicate') return { errorCode: ErrorCode.NONE, baseOffset: -1 };
    t.batches.push({ topic, partition, batch: Buffer.from(batch) });
    log.producers.record(h.producerId, h.producerEpoch, h.baseSequence, last, -1);
    return { errorCode: ErrorCode.NONE, baseOffset: -1 };
  }

  endTxn(req: EndTxnRequest): ErrorCode {
    const t = this.lookup(req);
    if (typeof t === 'number') return t;
    if (!t.ongoing) {
      // A retried EndTxn whose first attempt succeeded is answered with success, as in Kafka.
      return t.lastResult === (req.commit ? 'commit' : 'abort') ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    }
    if (req.commit) this.commit(t);
    else this.abort(t, false);
    return ErrorCode.NONE;
  }

  private commit(t: Txn): void {
    const byPartition = new Map<string, Journal['partitions'][number]>();
    for (const b of t.batches) {
      const log = this.topics.log(b.topic, b.partition);
      if (!log) continue; // the topic was deleted meanwhile
      const k = key(b.topic, b.partition);
      let entry = byPartition.get(k);
      if (!entry) byPartition.set(k, (entry = { topic: b.topic, partition: b.partition, startOffset: log.highWatermark, batches: [] }));
      entry.batches.push(b.batch.toString('base64'));
    }
    const journal: Journal = {
      transactionalId: t.transactionalId,
      partitions: [...byPartition.values()],
      offsets: [...t.offsets].map(([groupId, entries]) => ({ groupId, entries: [...entries.values()] })),
    };
    writeJsonAtomic(this.journalFile, journal);
    this.applyJournal(journal);
    this.finish(t, 'commit');
    fs.rmSync(this.journalFile, { force: true });
  }

  /** Idempotent: logs are first cut back to where the commit started. */
  private applyJournal(journal: Journal): void {
    for (const p of journal.partitions) {
      const log = this.topics.log(p.topic, p.partition);
      if (!log) continue;
      log.truncateTo(p.startOffset);
      for (const b of p.batches) log.append(Buffer.from(b, 'base64'));
      this.notifier.notify(p.topic, p.partition);
    }
    for (const o of journal.offsets) this.groups.applyOffsets(o.groupId, o.entries);
  }

  /** fence = the producer loses its epoch (timeouts and restarts), as Kafka does. */
  private abort(t: Txn, fence: boolean): void {
    if (fence) {
      if (t.epoch >= MAX_EPOCH) {
        t.producerId = this.nextProducerId++;
        t.epoch = 0;
      } else t.epoch++;
    }
    this.finish(t, 'abort');
  }

  private finish(t: Txn, result: 'commit' | 'abort'): void {
    t.ongoing = false;
    t.lastResult = result;
    t.partitions.clear();
    t.groups.clear();
    t.batches = [];
    t.offsets.clear();
    this.persist();
  }

  /** Aborts transactions that outlived their timeout. */
  tick(): void {
    const now = this.now();
    for (const t of this.txns.values()) if (t.ongoing && now - t.startedAt > t.timeoutMs) this.abort(t, true);
  }
}
