import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serialize } from 'pg-protocol';
import { SqlError } from '../../runtime/sql/errors.js';
import { FrameReader, type Frame } from './framing.js';
import { decodeFrontend, decodeStartup, type FrontendMessage } from './frontend.js';

function drain(r: FrameReader, startup = false): Frame[] {
  const out: Frame[] = [];
  for (let f = r.next(startup); f !== null; f = r.next(startup)) out.push({ type: f.type, body: Buffer.from(f.body) });
  return out;
}

const pipeline = Buffer.concat([
  serialize.parse({ name: 's1', text: 'select $1, $2', types: [23, 0] }),
  serialize.bind({ statement: 's1', portal: 'p1', values: ['1', null] }),
  serialize.describe({ type: 'P', name: 'p1' }),
  serialize.execute({ portal: 'p1', rows: 2 }),
  serialize.flush(),
  serialize.close({ type: 'S', name: 's1' }),
  serialize.sync(),
  serialize.query("select 1; select 'é'"),
  serialize.end(),
]);

describe('FrameReader', () => {
  const reference = (() => {
    const r = new FrameReader(1 << 20);
    r.push(pipeline);
    return drain(r);
  })();

  it('reads many messages from one chunk', () => {
    assert.equal(reference.length, 9);
    assert.deepEqual(
      reference.map((f) => decodeFrontend(f).kind),
      ['Parse', 'Bind', 'Describe', 'Execute', 'Flush', 'Close', 'Sync', 'Query', 'Terminate'],
    );
    const p = decodeFrontend(reference[0]) as Extract<FrontendMessage, { kind: 'Parse' }>;
    assert.deepEqual(p, { kind: 'Parse', name: 's1', sql: 'select $1, $2', paramOids: [23, 0] });
    const b = decodeFrontend(reference[1]) as Extract<FrontendMessage, { kind: 'Bind' }>;
    assert.equal(b.portal, 'p1');
    assert.equal(b.statement, 's1');
    assert.deepEqual(b.params, [Buffer.from('1'), null]);
    assert.deepEqual(decodeFrontend(reference[3]), { kind: 'Execute', portal: 'p1', maxRows: 2 });
    assert.deepEqual(decodeFrontend(reference[7]), { kind: 'Query', sql: "select 1; select 'é'" });
  });

  it('splits at every byte boundary into two chunks', () => {
    for (let i = 1; i < pipeline.length; i++) {
      const r = new FrameReader(1 << 20);
      const frames: Frame[] = [];
      r.push(pipeline.subarray(0, i));
      frames.push(...drain(r));
      r.push(pipeline.subarray(i));
      frames.push(...drain(r));
      assert.deepEqual(frames, reference, `split at ${i}`);
    }
  });

  it('reads one byte at a time', () => {
    const r = new FrameReader(1 << 20);
    const frames: Frame[] = [];
    for (let i = 0; i < pipeline.length; i++) {
      r.push(pipeline.subarray(i, i + 1));
      frames.push(...drain(r));
    }
    assert.deepEqual(frames, reference);
    assert.equal(r.buffered, 0);
  });

  it('splits at every pair of boundaries into three chunks', () => {
    const small = pipeline.subarray(0, 80);
    const ref = (() => {
      const r = new FrameReader(1 << 20);
      r.push(small);
      return drain(r);
    })();
    for (let i = 1; i < small.length; i++) {
      for (let j = i + 1; j < small.length; j++) {
        const r = new FrameReader(1 << 20);
        const frames: Frame[] = [];
        for (const part of [small.subarray(0, i), small.subarray(i, j), small.subarray(j)]) {
          r.push(part);
          frames.push(...drain(r));
        }
        assert.deepEqual(frames, ref, `split at ${i},${j}`);
      }
    }
  });

  it('assembles a large message from many chunks', () => {
    const sql = 'select ' + 'x'.repeat(300_000);
    const msg = Buffer.concat([serialize.query(sql), serialize.sync()]);
    const r = new FrameReader(1 << 20);
    const frames: Frame[] = [];
    for (let i = 0; i < msg.length; i += 1000) {
      r.push(msg.subarray(i, i + 1000));
      frames.push(...drain(r));
    }
    assert.equal(frames.length, 2);
    assert.deepEqual(decodeFrontend(frames[0]), { kind: 'Query', sql });
  });

  it('reads startup-phase frames', () => {
    const r = new FrameReader(1 << 20);
    const bytes = Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'u', database: 'd' })]);
    for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
    const ssl = r.next(true)!;
    assert.deepEqual(decodeStartup(ssl.body), { kind: 'SSLRequest' });
    const st = decodeStartup(r.next(true)!.body);
    assert.equal(st.kind, 'Startup');
    if (st.kind === 'Startup') {
      assert.equal(st.major, 3);
      assert.equal(st.minor, 0);
      assert.equal(st.params['user'], 'u');
      assert.equal(st.params['database'], 'd');
    }
    assert.deepEqual(decodeStartup(serialize.cancel(1234, -5).subarray(4)), { kind: 'CancelRequest', processId: 1234, secretKey: -5 });
  });

  it('rejects unknown type bytes, bad lengths and oversized messages before buffering', () => {
    const expectFatal = (bytes: Buffer, max: number, message: RegExp, startup = false) => {
      const r = new FrameReader(max);
      r.push(bytes);
      assert.throws(
        () => r.next(startup),
        (e: unknown) => e instanceof SqlError && e.code === '08P01' && e.severity === 'FATAL' && message.test(e.message),
      );
    };
    expectFatal(Buffer.from('z\0\0\0\x04'), 1 << 20, /invalid frontend message type 122/);
    expectFatal(Buffer.from('z'), 1 << 20, /invalid frontend message type/);
    expectFatal(Buffer.from([0x51, 0, 0, 0, 2]), 1 << 20, /invalid message length/);
    expectFatal(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]), 1 << 20, /invalid message length/);
    expectFatal(serialize.query('x'.repeat(200)), 100, /invalid message length/);
    expectFatal(Buffer.from([0x53, 0, 0, 0x40, 0]), 1 << 30, /invalid message length/); // Sync is small
    expectFatal(Buffer.from([0, 0, 0, 2, 0, 0, 0, 0]), 1 << 20, /invalid length of startup packet/, true);
    expectFatal(Buffer.from([0, 1, 0, 0]), 1 << 20, /invalid length of startup packet/, true);
  });

  it('rejects truncated and overlong bodies when decoding', () => {
    const isFatal = (e: unknown) => e instanceof SqlError && e.code === '08P01' && e.severity === 'FATAL';
    // Bind claiming 5 parameters with none present.
    const body = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0, 5])]);
    assert.throws(() => decodeFrontend({ type: 0x42, body }), isFatal);
    // Query without its terminator.
    assert.throws(() => decodeFrontend({ type: 0x51, body: Buffer.from('select 1') }), isFatal);
    // Sync with a body.
    assert.throws(() => decodeFrontend({ type: 0x53, body: Buffer.from([1]) }), isFatal);
    // Describe with a bad subtype.
    assert.throws(() => decodeFrontend({ type: 0x44, body: Buffer.from('X\0') }), isFatal);
    // Negative parameter length other than -1.
    const bind = Buffer.from([0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 0]);
    assert.throws(() => decodeFrontend({ type: 0x42, body: bind }), isFatal);
  });
});
