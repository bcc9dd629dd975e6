/**
 * One client connection: splits the byte stream into size-prefixed request frames and handles
 * them strictly one after another, so pipelined requests are answered in order (Kafka also
 * processes one request per connection at a time). A handler error closes this connection only.
 */
import type net from 'node:net';

export interface Response {
  correlationId: number;
  body: Buffer;
}

/** Returns null for requests that get no response (produce with acks=0). */
export type FrameHandler = (frame: Buffer, conn: Connection) => Promise<Response | null>;

const MAX_FRAME = 100 * 1024 * 1024;
const PAUSE_AT = 64;

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly queue: Buffer[] = [];
  private busy = false;
  closed = false;
  readonly clientHost: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly handler: FrameHandler,
    private readonly onError: (err: unknown) => void,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) {
        this.onError(new Error(`invalid frame size ${size}`));
        this.close();
        return;
      }
      if (this.buffered < 4 + size) break;
      const frame = this.take(4 + size).subarray(4);
      this.queue.push(frame);
    }
    if (this.queue.length >= PAUSE_AT) this.socket.pause();
    void this.drain();
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift()!;
        if (this.queue.length < PAUSE_AT / 4 && this.socket.isPaused()) this.socket.resume();
        let res: Response | null;
        try {
          res = await this.handler(frame, this);
        } catch (err) {
          this.onError(err);
          this.close();
          return;
        }
        if (res && !this.closed) await this.write(res);
      }
    } finally {
      this.busy = false;
    }
  }

  private write(res: Response): Promise<void> {
    const head = Buffer.alloc(8);
    head.writeInt32BE(4 + res.body.length, 0);
    head.writeInt32BE(res.correlationId, 4);
    this.socket.cork();
    this.socket.write(head);
    const flushed = this.socket.write(res.body);
    this.socket.uncork();
    if (flushed) return Promise.resolve();
    // Respect backpressure so a slow reader cannot make the broker buffer without bound.
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
