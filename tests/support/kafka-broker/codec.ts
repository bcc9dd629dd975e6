/**
 * Primitive readers/writers of the Kafka wire format (big-endian ints, int16-length strings,
 * int32-length bytes and arrays, zigzag varints). Only the non-flexible (pre-KIP-482) encodings
 * are needed because the broker advertises no flexible API version.
 */

/** Thrown on any malformed input; the broker closes the offending connection. */
export class ProtocolError extends Error {}

export class Reader {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new ProtocolError(`truncated message: need ${n} bytes at ${this.offset} of ${this.buf.length}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** Offsets and ids stay far below 2^53 in a test broker, so plain numbers are used. */
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolError(`invalid string length ${len}`);
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError('unexpected null string');
    return s;
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolError(`invalid bytes length ${len}`);
    this.need(len);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** A null array (length -1) is returned as null; the length is sanity-checked against the input. */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1 || len > this.remaining()) throw new ProtocolError(`invalid array length ${len}`);
    const out: T[] = [];
    for (let i = 0; i < len; i++) out.push(item(this));
    return out;
  }

  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  /** Zigzag varint as used inside record batches. */
  varint(): number {
    return Number(this.varlong());
  }

  varlong(): bigint {
    let raw = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.offset++]!;
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (raw >> 1n) ^ -(raw & 1n);
      shift += 7n;
    }
    throw new ProtocolError('varint too long');
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }
}

export class Writer {
  private buf: Buffer;
  private len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.len);
    this.len += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.len);
    this.len += 8;
    return this;
  }

  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const n = Buffer.byteLength(s);
    this.int16(n);
    this.ensure(n);
    this.buf.write(s, this.len, 'utf8');
    this.len += n;
    return this;
  }

  string(s: string): this {
    return this.nullableString(s);
  }

  nullableBytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  bytes(b: Buffer): this {
    return this.nullableBytes(b);
  }

  raw(b: Buffer): this {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
    return this;
  }

  array<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  size(): number {
    return this.len;
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
