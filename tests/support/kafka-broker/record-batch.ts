/**
 * Magic v2 record batches: header parsing, CRC-32C validation, baseOffset rewriting and the
 * per-record timestamp scan that ListOffsets needs. Batches are otherwise kept as opaque bytes.
 */
import zlib from 'node:zlib';
import { ProtocolError, Reader } from './codec.js';

/** Bytes before the records: baseOffset(8) length(4) leaderEpoch(4) magic(1) crc(4) ... count(4). */
export const BATCH_HEADER_SIZE = 61;
/** The length field counts everything after itself. */
export const LOG_OVERHEAD = 12;
const CRC_START = 21;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface BatchHeader {
  baseOffset: number;
  /** Total size of the batch in bytes, including baseOffset and length. */
  size: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC32C_TABLE[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Reads the fixed header at `buf[at..]`; the caller checks that the whole batch is present. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  if (buf.length - at < BATCH_HEADER_SIZE) throw new ProtocolError('record batch header truncated');
  const length = buf.readInt32BE(at + 8);
  return {
    baseOffset: Number(buf.readBigInt64BE(at)),
    size: LOG_OVERHEAD + length,
    magic: buf.readInt8(at + 16),
    crc: buf.readUInt32BE(at + 17),
    attributes: buf.readInt16BE(at + 21),
    lastOffsetDelta: buf.readInt32BE(at + 23),
    firstTimestamp: Number(buf.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
    producerId: Number(buf.readBigInt64BE(at + 43)),
    producerEpoch: buf.readInt16BE(at + 51),
    baseSequence: buf.readInt32BE(at + 53),
    recordCount: buf.readInt32BE(at + 57),
  };
}

/** Why a batch is unacceptable, or null when it is a well-formed v2 batch with a valid CRC. */
export function validateBatch(buf: Buffer, at = 0): string | null {
  if (buf.length - at < BATCH_HEADER_SIZE) return 'batch shorter than its header';
  const h = readBatchHeader(buf, at);
  if (h.size < BATCH_HEADER_SIZE) return `batch length ${h.size} too small`;
  if (at + h.size > buf.length) return 'batch truncated';
  if (h.magic !== 2) return `unsupported magic ${h.magic}`;
  if (h.lastOffsetDelta < 0 || h.recordCount < 0) return 'negative record count';
  if (crc32c(buf, at + CRC_START, at + h.size) !== h.crc) return 'CRC mismatch';
  return null;
}

/**
 * Splits a produce record_set into batches. Kafka requires exactly one batch per partition for
 * produce v3+, but accepting several costs nothing.
 */
export function splitBatches(recordSet: Buffer): Buffer[] | string {
  const out: Buffer[] = [];
  let at = 0;
  while (at < recordSet.length) {
    const problem = validateBatch(recordSet, at);
    if (problem) return problem;
    const size = LOG_OVERHEAD + recordSet.readInt32BE(at + 8);
    out.push(recordSet.subarray(at, at + size));
    at += size;
  }
  return out.length ? out : 'empty record set';
}

/** Returns a copy with the baseOffset replaced; the CRC does not cover it, so it stays valid. */
export function withBaseOffset(batch: Buffer, baseOffset: number): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(baseOffset), 0);
  return copy;
}

export interface RecordStamp {
  offset: number;
  timestamp: number;
}

/**
 * Offsets and timestamps of the records in a batch. Uncompressed and gzip batches are decoded;
 * other codecs (snappy/lz4/zstd need libraries) fall back to one entry for the whole batch
 * carrying its maxTimestamp.
 */
export function recordStamps(batch: Buffer): RecordStamp[] {
  const h = readBatchHeader(batch);
  const fallback = [{ offset: h.baseOffset, timestamp: h.maxTimestamp }];
  if (h.attributes & ATTR_LOG_APPEND_TIME) return fallback;
  let records: Buffer;
  const codec = h.attributes & ATTR_COMPRESSION_MASK;
  if (codec === 0) records = batch.subarray(BATCH_HEADER_SIZE, h.size);
  else if (codec === 1) {
    try {
      records = zlib.gunzipSync(batch.subarray(BATCH_HEADER_SIZE, h.size));
    } catch {
      return fallback;
    }
  } else return fallback;
  const out: RecordStamp[] = [];
  const r = new Reader(records);
  try {
    for (let i = 0; i < h.recordCount; i++) {
      const len = r.varint();
      const end = r.offset + len;
      r.int8(); // record attributes (unused)
      const timestampDelta = Number(r.varlong());
      const offsetDelta = r.varint();
      out.push({ offset: h.baseOffset + offsetDelta, timestamp: h.firstTimestamp + timestampDelta });
      r.offset = end;
    }
  } catch {
    return fallback;
  }
  return out;
}
