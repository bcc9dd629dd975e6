/**
 * A recording TCP proxy between an external client (JDBC, ODBC) and the server: it forwards bytes
 * unchanged and notes the SQL of every Query and Parse message and the errors that answered them,
 * so a test can say exactly which statement a driver sent that the server rejected.
 */
import net from 'node:net';

export interface RecordedError {
  /** The SQL of the last Query/Parse sent before the error. */
  sql: string;
  sqlstate: string;
  message: string;
}

/** Cuts a byte stream into protocol messages; the first `startupFrames` frames have no type byte. */
class FrameSplitter {
  private buf = Buffer.alloc(0);
  constructor(private startupFrames: number, private readonly onFrame: (type: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const startup = this.startupFrames > 0;
      // The server answers SSLRequest with one unframed byte, 'N' or 'S'.
      if (!startup && this.expectEncryptionReply > 0 && this.buf.length > 0) {
        this.expectEncryptionReply--;
        this.buf = this.buf.subarray(1);
        continue;
      }
      const header = startup ? 4 : 5;
      if (this.buf.length < header) return;
      const len = this.buf.readInt32BE(header - 4);
      if (len < 4 || this.buf.length < header - 4 + len) return;
      const body = this.buf.subarray(header, header - 4 + len);
      const type = startup ? 0 : this.buf[0];
      this.buf = this.buf.subarray(header - 4 + len);
      if (startup) {
        // An SSLRequest is followed by another startup packet.
        if (body.length === 4 && body.readInt32BE(0) === 80877103) this.startupFrames++;
        this.startupFrames--;
      }
      this.onFrame(type, body);
    }
  }

  expectEncryptionReply = 0;
}

function bindAsksBinaryResults(body: Buffer): boolean {
  let p = body.indexOf(0) + 1;
  p = body.indexOf(0, p) + 1;
  const nf = body.readInt16BE(p);
  p += 2 + 2 * nf;
  const np = body.readInt16BE(p);
  p += 2;
  for (let i = 0; i < np; i++) {
    const len = body.readInt32BE(p);
    p += 4 + Math.max(0, len);
  }
  const nr = body.readInt16BE(p);
  p += 2;
  for (let i = 0; i < nr; i++) if (body.readInt16BE(p + 2 * i) === 1) return true;
  return false;
}

export class SqlRecorder {
  readonly errors: RecordedError[] = [];
  readonly statements: string[] = [];
  /** Bind messages that asked for at least one result column in binary format. */
  binaryResultBinds = 0;
  /** PortalSuspended messages: an Execute with a row limit stopped before the end of its result. */
  suspendedPortals = 0;
  private server: net.Server;
  port = 0;

  private constructor(private readonly target: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<SqlRecorder> {
    const r = new SqlRecorder(targetPort);
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.port = (r.server.address() as net.AddressInfo).port;
    return r;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target, '127.0.0.1');
    let lastSql = '';
    let sslRequests = 0;
    const fromClient = new FrameSplitter(1, (type, body) => {
      if (type === 0 && body.length === 4 && body.readInt32BE(0) === 80877103) sslRequests++;
      if (type === 0x51) lastSql = body.toString('utf8', 0, body.indexOf(0));
      if (type === 0x50) {
        const nameEnd = body.indexOf(0);
        lastSql = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
      }
      if (type === 0x51 || type === 0x50) this.statements.push(lastSql);
      if (type === 0x42 && bindAsksBinaryResults(body)) this.binaryResultBinds++;
    });
    const fromServer = new FrameSplitter(0, (type, body) => {
      if (type === 0x73) this.suspendedPortals++;
      if (type !== 0x45) return;
      const fields = new Map<string, string>();
      let p = 0;
      while (p < body.length && body[p] !== 0) {
        const z = body.indexOf(0, p + 1);
        fields.set(String.fromCharCode(body[p]), body.toString('utf8', p + 1, z));
        p = z + 1;
      }
      this.errors.push({ sql: lastSql, sqlstate: fields.get('C') ?? '', message: fields.get('M') ?? '' });
    });
    // Recording is best effort: bytes it cannot follow (TLS, say) are still forwarded.
    let recording = true;
    const record = (f: () => void): void => {
      if (!recording) return;
      try {
        f();
      } catch {
        recording = false;
      }
    };
    client.on('data', (d: Buffer) => {
      record(() => {
        fromClient.push(d);
        fromServer.expectEncryptionReply += sslRequests;
        sslRequests = 0;
      });
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      record(() => fromServer.push(d));
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  }

  /** The recorded errors as an annotated SQL script. */
  errorsAsSql(): string {
    return this.errors.map((e) => `-- ${e.sqlstate} ${e.message}\n${e.sql.trim()};\n`).join('\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
