/**
 * Decoding of frontend (client -> server) message bodies into a tagged union. A body that does
 * not match its message's layout (truncated, missing terminator, trailing bytes) throws a FATAL
 * 08P01 SqlError: the stream can no longer be trusted, so the connection is closed.
 */
import type { Frame } from './framing.js';
import { protocolViolation } from './framing.js';

export const PROTOCOL_3_0 = 196608; // 3 << 16
export const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234 << 16 | 5680
export const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678

export type StartupPacket =
  | { kind: 'SSLRequest' }
  | { kind: 'GSSENCRequest' }
  | { kind: 'CancelRequest'; processId: number; secretKey: number }
  | { kind: 'Startup'; major: number; minor: number; params: Record<string, string>; protocolOptions: string[] };

export type FrontendMessage =
  | { kind: 'Query'; sql: string }
  | { kind: 'Parse'; name: string; sql: string; paramOids: number[] }
  | {
      kind: 'Bind';
      portal: string;
      statement: string;
      paramFormats: number[];
      /** Raw parameter bytes (views into the received data), null for SQL NULL. */
      params: (Buffer | null)[];
      resultFormats: number[];
    }
  | { kind: 'Describe'; target: 'S' | 'P'; name: string }
  | { kind: 'Execute'; portal: string; maxRows: number }
  | { kind: 'Close'; target: 'S' | 'P'; name: string }
  | { kind: 'Sync' }
  | { kind: 'Flush' }
  | { kind: 'Terminate' }
  | { kind: 'CopyData' }
  | { kind: 'CopyDone' }
  | { kind: 'CopyFail'; message: string }
  | { kind: 'FunctionCall' };

/** Sequential reader over one message body. */
export class BodyReader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.b.length) throw protocolViolation('insufficient data left in message');
  }

  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }

  i16(): number {
    this.need(2);
    const v = this.b.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  cstring(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw protocolViolation('invalid string in message');
    const s = this.b.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  get remaining(): number {
    return this.b.length - this.pos;
  }

  /** PostgreSQL's pq_getmsgend: the message must be fully consumed. */
  end(): void {
    if (this.pos !== this.b.length) throw protocolViolation('invalid message format');
  }
}

function count(r: BodyReader): number {
  const n = r.i16();
  if (n < 0) throw protocolViolation('invalid message format');
  return n;
}

function target(r: BodyReader, what: string): 'S' | 'P' {
  const t = r.u8();
  if (t === 0x53) return 'S';
  if (t === 0x50) return 'P';
  throw protocolViolation(`invalid ${what} message subtype ${t}`);
}

export function decodeStartup(body: Buffer): StartupPacket {
  const r = new BodyReader(body);
  const code = r.i32();
  switch (code) {
    case SSL_REQUEST_CODE:
      r.end();
      return { kind: 'SSLRequest' };
    case GSSENC_REQUEST_CODE:
      r.end();
      return { kind: 'GSSENCRequest' };
    case CANCEL_REQUEST_CODE: {
      const processId = r.i32();
      const secretKey = r.i32();
      r.end();
      return { kind: 'CancelRequest', processId, secretKey };
    }
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const protocolOptions: string[] = [];
  if (major === 3) {
    // Name/value pairs terminated by an empty name (PostgreSQL's ProcessStartupPacket).
    for (;;) {
      if (r.remaining === 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
      const name = r.cstring();
      if (name === '') break;
      if (r.remaining === 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
      const value = r.cstring();
      if (name.startsWith('_pq_.')) protocolOptions.push(name);
      else params[name] = value;
    }
    if (r.remaining !== 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
  }
  return { kind: 'Startup', major, minor, params, protocolOptions };
}

export function decodeFrontend(frame: Frame): FrontendMessage {
  const r = new BodyReader(frame.body);
  let m: FrontendMessage;
  switch (frame.type) {
    case 0x51: // Q
      m = { kind: 'Query', sql: r.cstring() };
      break;
    case 0x50: { // P
      const name = r.cstring();
      const sql = r.cstring();
      const n = count(r);
      const paramOids = new Array<number>(n);
      for (let i = 0; i < n; i++) paramOids[i] = r.i32() >>> 0;
      m = { kind: 'Parse', name, sql, paramOids };
      break;
    }
    case 0x42: { // B
      const portal = r.cstring();
      const statement = r.cstring();
      const nf = count(r);
      const paramFormats = new Array<number>(nf);
      for (let i = 0; i < nf; i++) paramFormats[i] = r.i16();
      const np = count(r);
      const params = new Array<Buffer | null>(np);
      for (let i = 0; i < np; i++) {
        const len = r.i32();
        if (len === -1) params[i] = null;
        else if (len < 0) throw protocolViolation('invalid message format');
        else params[i] = r.bytes(len);
      }
      const nr = count(r);
      const resultFormats = new Array<number>(nr);
      for (let i = 0; i < nr; i++) resultFormats[i] = r.i16();
      m = { kind: 'Bind', portal, statement, paramFormats, params, resultFormats };
      break;
    }
    case 0x44: { // D
      const t = target(r, 'DESCRIBE');
      m = { kind: 'Describe', target: t, name: r.cstring() };
      break;
    }
    case 0x45: { // E
      const portal = r.cstring();
      m = { kind: 'Execute', portal, maxRows: r.i32() };
      break;
    }
    case 0x43: { // C
      const t = target(r, 'CLOSE');
      m = { kind: 'Close', target: t, name: r.cstring() };
      break;
    }
    case 0x53:
      m = { kind: 'Sync' };
      break;
    case 0x48:
      m = { kind: 'Flush' };
      break;
    case 0x58:
      m = { kind: 'Terminate' };
      break;
    case 0x64:
      return { kind: 'CopyData' };
    case 0x63:
      m = { kind: 'CopyDone' };
      break;
    case 0x66:
      m = { kind: 'CopyFail', message: r.cstring() };
      break;
    case 0x46:
      return { kind: 'FunctionCall' };
    default:
      throw protocolViolation(`invalid frontend message type ${frame.type}`);
  }
  r.end();
  return m;
}
