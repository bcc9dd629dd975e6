/**
 * A durable partition log: one append-only file of magic v2 record batches, stored exactly as
 * produced except for the baseOffset, which is rewritten to the assigned offset (that is the
 * on-disk format of a Kafka segment, too). An in-memory index of batch positions serves fetches.
 *
 * Writes are synchronous `write(2)`s without fsync: the data is in the page cache as soon as the
 * produce is acknowledged, which survives kill -9 of the broker (not a power loss). On open, the
 * file is scanned and a torn or corrupt tail (a write cut short by the kill) is truncated away.
 */
import fs from 'node:fs';
import { ProducerStateTable, lastSequence } from './producer-state.js';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  readBatchHeader,
  recordStamps,
  validateBatch,
  withBaseOffset,
} from './record-batch.js';

interface IndexEntry {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
  maxTimestamp: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

export class PartitionLog {
  private readonly index: IndexEntry[] = [];
  private endPosition = 0;
  private nextOffset = 0;
  /** Sequence numbers of idempotent producers, rebuilt from batch headers on open. */
  readonly producers = new ProducerStateTable();
  /** Bytes cut from the end of the file when it was opened (a torn last write). */
  truncatedOnOpen = 0;

  private constructor(readonly file: string, private fd: number) {}

  static open(file: string): PartitionLog {
    if (!fs.existsSync(file)) fs.writeFileSync(file, '');
    const log = new PartitionLog(file, fs.openSync(file, 'r+'));
    log.recover();
    return log;
  }

  get logStartOffset(): number {
    return 0;
  }

  /** Everything in the log is committed (transactions are buffered elsewhere), so HW = LEO = LSO. */
  get highWatermark(): number {
    return this.nextOffset;
  }

  private recover(): void {
    const size = fs.fstatSync(this.fd).size;
    const header = Buffer.alloc(BATCH_HEADER_SIZE);
    let pos = 0;
    while (pos + BATCH_HEADER_SIZE <= size) {
      this.readFully(header, pos);
      const batchSize = LOG_OVERHEAD + header.readInt32BE(8);
      if (batchSize < BATCH_HEADER_SIZE || pos + batchSize > size) break;
      const batch = Buffer.alloc(batchSize);
      this.readFully(batch, pos);
      if (validateBatch(batch) !== null) break;
      const h = readBatchHeader(batch);
      if (h.baseOffset !== this.nextOffset) break;
      this.addToIndex(h.baseOffset, h.lastOffsetDelta, pos, batchSize, h.maxTimestamp);
      if (h.producerId >= 0) {
        const last = lastSequence(h.baseSequence, h.lastOffsetDelta);
        this.producers.record(h.producerId, h.producerEpoch, h.baseSequence, last, h.baseOffset, true);
      }
      pos += batchSize;
    }
    if (pos < size) {
      fs.ftruncateSync(this.fd, pos);
      this.truncatedOnOpen = size - pos;
    }
    this.endPosition = pos;
  }

  private addToIndex(baseOffset: number, lastOffsetDelta: number, position: number, size: number, maxTimestamp: number): void {
    this.index.push({ baseOffset, lastOffset: baseOffset + lastOffsetDelta, position, size, maxTimestamp });
    this.nextOffset = baseOffset + lastOffsetDelta + 1;
  }

  private readFully(buf: Buffer, position: number): void {
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(this.fd, buf, done, buf.length - done, position + done);
      if (n === 0) throw new Error(`unexpected end of ${this.file}`);
      done += n;
    }
  }

  /** Appends one validated batch, assigning offsets from the log end. */
  append(batch: Buffer): AppendResult {
    const baseOffset = this.nextOffset;
    const stored = withBaseOffset(batch, baseOffset);
    const h = readBatchHeader(stored);
    let done = 0;
    try {
      while (done < stored.length) {
        done += fs.writeSync(this.fd, stored, done, stored.length - done, this.endPosition + done);
      }
    } catch (err) {
      // Leave no partial batch behind that a later append would be written after.
      fs.ftruncateSync(this.fd, this.endPosition);
      throw err;
    }
    this.addToIndex(baseOffset, h.lastOffsetDelta, this.endPosition, stored.length, h.maxTimestamp);
    this.endPosition += stored.length;
    return { baseOffset, lastOffset: this.nextOffset - 1 };
  }

  /** Index of the first batch whose last offset is >= offset (index.length if none). */
  private findBatch(offset: number): number {
    let lo = 0;
    let hi = this.index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.index[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whole batches starting with the one containing fetchOffset, up to maxBytes; with atLeastOne
   * the first batch is returned even when it alone exceeds maxBytes (so a consumer never stalls).
   */
  read(fetchOffset: number, maxBytes: number, atLeastOne: boolean): Buffer {
    const first = this.findBatch(fetchOffset);
    let total = 0;
    for (let i = first; i < this.index.length; i++) {
      const size = this.index[i]!.size;
      if (total + size > maxBytes && !(i === first && atLeastOne)) break;
      total += size;
    }
    if (total === 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(total);
    this.readFully(buf, this.index[first]!.position);
    return buf;
  }

  /** Bytes available from fetchOffset to the end of the log (for Fetch minBytes). */
  bytesAfter(fetchOffset: number): number {
    const first = this.findBatch(fetchOffset);
    return first < this.index.length ? this.endPosition - this.index[first]!.position : 0;
  }

  /** The earliest record with timestamp >= ts, as ListOffsets defines it; null if there is none. */
  lookupTimestamp(ts: number): { offset: number; timestamp: number } | null {
    for (const e of this.index) {
      if (e.maxTimestamp < ts) continue;
      const batch = Buffer.alloc(e.size);
      this.readFully(batch, e.position);
      const hit = recordStamps(batch).find((r) => r.timestamp >= ts);
      if (hit) return hit;
    }
    return null;
  }

  /** Drops every batch at or after `offset` (which must be a batch boundary); used by txn recovery. */
  truncateTo(offset: number): void {
    if (offset >= this.nextOffset) return;
    const i = this.findBatch(offset);
    const entry = this.index[i];
    if (!entry || entry.baseOffset !== offset) throw new Error(`truncateTo(${offset}) is not a batch boundary of ${this.file}`);
    fs.ftruncateSync(this.fd, entry.position);
    this.index.length = i;
    this.endPosition = entry.position;
    this.nextOffset = offset;
  }

  close(): void {
    if (this.fd >= 0) {
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}
