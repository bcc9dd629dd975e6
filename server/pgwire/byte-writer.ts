/**
 * ByteWriter: a reusable, growable big-endian output buffer. The backend message writer and the
 * binary value encoders both write into it, so a whole reply (many messages) is assembled in one
 * buffer and handed to the socket with a single write.
 */

const INITIAL_CAPACITY = 16 * 1024;
/** Replies smaller than this are copied out so the big buffer can be reused; larger ones are handed over. */
const HAND_OVER_THRESHOLD = 64 * 1024;

export class ByteWriter {
  protected buf: Buffer;
  protected len = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.len;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  i16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  i64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.len);
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.len);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** UTF-8 bytes of `s`, no terminator, no length prefix. */
  utf8(s: string): this {
    // Worst case 3 bytes per UTF-16 code unit; avoids a Buffer.byteLength pass.
    this.ensure(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
    return this;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    this.utf8(s);
    return this.u8(0);
  }

  /** Reserves a 4-byte length slot and returns its offset, for `patchLength`. */
  reserveLength(): number {
    this.ensure(4);
    const at = this.len;
    this.len += 4;
    return at;
  }

  /** Writes into the slot at `at` the number of bytes from `at` to the end (slot included). */
  patchLength(at: number): void {
    this.buf.writeInt32BE(this.len - at, at);
  }

  /** Writes into the slot at `at` the number of bytes after the slot (slot excluded). */
  patchPayloadLength(at: number): void {
    this.buf.writeInt32BE(this.len - at - 4, at);
  }

  /** Drops everything written after `length` (used to roll back a half-written message). */
  truncate(length: number): void {
    if (length < this.len) this.len = length;
  }

  /** Returns the written bytes and empties the writer. The returned buffer is never reused. */
  take(): Buffer {
    const n = this.len;
    this.len = 0;
    if (n < HAND_OVER_THRESHOLD) return Buffer.from(this.buf.subarray(0, n));
    const out = this.buf.subarray(0, n);
    this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
    return out;
  }
}
