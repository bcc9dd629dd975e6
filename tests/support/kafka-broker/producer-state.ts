/**
 * Idempotent-producer bookkeeping for one partition: the last sequence per producer id and a small
 * cache of recent batches, so a retried batch is acknowledged with its original offset instead of
 * being appended twice (what Kafka does for the last 5 batches per producer).
 */
import { ErrorCode } from './errors.js';

const CACHED_BATCHES = 5;
const INT32_MAX = 2147483647;

interface RecentBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  recent: RecentBatch[];
  /**
   * Rebuilt from the log at startup. Aborted transactional batches never reach the log here, so
   * the producer may legitimately continue after a gap; the first batch after a restart may skip.
   */
  recovered: boolean;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; code: ErrorCode };

function nextSeq(seq: number): number {
  return seq >= INT32_MAX ? 0 : seq + 1;
}

export function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  const last = firstSeq + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const p = this.producers.get(producerId);
    if (!p) return { kind: 'append' };
    if (epoch < p.epoch) return { kind: 'error', code: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (epoch > p.epoch) {
      return firstSeq === 0 ? { kind: 'append' } : { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const dup = p.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    if (firstSeq === nextSeq(p.lastSeq)) return { kind: 'append' };
    if (p.recovered && firstSeq > p.lastSeq) return { kind: 'append' };
    if (firstSeq <= p.lastSeq) return { kind: 'error', code: ErrorCode.DUPLICATE_SEQUENCE_NUMBER };
    return { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  /** baseOffset is -1 for transactional batches that are still buffered. */
  record(producerId: number, epoch: number, firstSeq: number, lastSeq: number, baseOffset: number, recovered = false): void {
    let p = this.producers.get(producerId);
    if (!p || p.epoch !== epoch) {
      p = { epoch, lastSeq, recent: [], recovered };
      this.producers.set(producerId, p);
    }
    p.lastSeq = lastSeq;
    p.recovered = recovered;
    p.recent.push({ firstSeq, lastSeq, baseOffset });
    if (p.recent.length > CACHED_BATCHES) p.recent.shift();
  }
}
