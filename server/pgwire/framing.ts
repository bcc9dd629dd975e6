/**
 * FrameReader: cuts the incoming byte stream into protocol messages, wherever the chunk
 * boundaries fall (one message split over many chunks, many messages in one chunk).
 *
 *   startup frames:  Int32 length (self-inclusive) | body            (no type byte)
 *   regular frames:  Byte1 type | Int32 length (self-inclusive) | body
 *
 * Bodies are views into the received chunks (no copy) unless a message straddles chunks; a large
 * message is assembled into one buffer of its final size, so assembly is linear in its length.
 * Header problems (unknown type byte, bad or oversized length) throw a FATAL 08P01 SqlError
 * before any body is buffered.
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export interface Frame {
  /** The type byte; 0 for startup-phase frames, which have none. */
  type: number;
  body: Buffer;
}

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_BYTES = 10000;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, applied to messages that never carry user data. */
const SMALL_MESSAGE_LIMIT = 10000;

/** Frontend message types accepted after startup, with whether they are small (bounded) messages. */
const FRONTEND_TYPES: ReadonlyMap<number, boolean> = new Map<number, boolean>([
  [0x51, false], // Q Query
  [0x50, false], // P Parse
  [0x42, false], // B Bind
  [0x44, true], // D Describe
  [0x45, true], // E Execute
  [0x43, true], // C Close
  [0x53, true], // S Sync
  [0x48, true], // H Flush
  [0x58, true], // X Terminate
  [0x64, false], // d CopyData
  [0x63, true], // c CopyDone
  [0x66, false], // f CopyFail
  [0x46, false], // F FunctionCall
  [0x70, true], // p PasswordMessage / SASLInitialResponse / SASLResponse (during authentication)
]);

export function protocolViolation(message: string): SqlError {
  return new SqlError(SqlState.ProtocolViolation, message, { severity: 'FATAL' });
}

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  /** Unconsumed received bytes are buf[pos..]. */
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** A message being assembled across chunks: its final buffer and how much of it is filled. */
  private assembling: Buffer | null = null;
  private filled = 0;
  private assemblingType = 0;
  /** A completely assembled message waiting to be returned before buf. */
  private ready: Frame | null = null;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.buf.length - this.pos + (this.assembling ? this.filled : 0) + (this.ready ? this.ready.body.length : 0);
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.assembling !== null) {
      const n = Math.min(chunk.length, this.assembling.length - this.filled);
      chunk.copy(this.assembling, this.filled, 0, n);
      this.filled += n;
      if (this.filled === this.assembling.length) {
        this.ready = { type: this.assemblingType, body: this.assembling };
        this.assembling = null;
        this.filled = 0;
      }
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /**
   * The next complete frame, or null when more bytes are needed.
   * `startup` selects the startup-phase format (no type byte).
   */
  next(startup: boolean): Frame | null {
    if (this.ready !== null) {
      const f = this.ready;
      this.ready = null;
      return f;
    }
    if (this.assembling !== null) return null;
    const avail = this.buf.length - this.pos;
    const headerLen = startup ? 4 : 5;
    let type = 0;
    if (!startup) {
      if (avail < 1) return null;
      type = this.buf[this.pos];
      if (!FRONTEND_TYPES.has(type)) throw protocolViolation(`invalid frontend message type ${type}`);
    }
    if (avail < headerLen) return null;
    const len = this.buf.readInt32BE(this.pos + headerLen - 4);
    const limit = startup ? MAX_STARTUP_PACKET_BYTES : FRONTEND_TYPES.get(type) ? SMALL_MESSAGE_LIMIT : this.maxMessageBytes;
    if (startup && (len < 8 || len > MAX_STARTUP_PACKET_BYTES)) throw protocolViolation('invalid length of startup packet');
    if (len < 4 || len - 4 > limit) throw protocolViolation('invalid message length');
    const bodyLen = len - 4;
    const bodyStart = this.pos + headerLen;
    if (avail - headerLen >= bodyLen) {
      this.pos = bodyStart + bodyLen;
      return { type, body: this.buf.subarray(bodyStart, bodyStart + bodyLen) };
    }
    // Incomplete body: assemble it into a buffer of its final size.
    const have = this.buf.length - bodyStart;
    this.assembling = Buffer.allocUnsafe(bodyLen);
    this.buf.copy(this.assembling, 0, bodyStart);
    this.filled = have;
    this.assemblingType = type;
    this.buf = EMPTY;
    this.pos = 0;
    return null;
  }
}
