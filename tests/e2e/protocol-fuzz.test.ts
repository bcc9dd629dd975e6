/**
 * Protocol fuzzing: random and mutated frontend messages over raw sockets against a real server,
 * while a well-behaved client on another connection keeps querying and must never notice.
 *
 * Reproduce a failure with EDDY_FUZZ_SEED=<seed printed by the test>; soak with
 * EDDY_FUZZ_ROUNDS=<connections> (default 600, about 10 s).
 *
 * protocol-robustness.test.ts holds a few hand-written bad inputs; this file generates them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { Rng } from '../support/rng.js';

const SEED = process.env.EDDY_FUZZ_SEED !== undefined ? Number(process.env.EDDY_FUZZ_SEED) : Date.now() % 2 ** 31;
const ROUNDS = Number(process.env.EDDY_FUZZ_ROUNDS ?? 600);
const PARALLEL = 8;
/** A fuzz connection that neither closes nor is closed within this long counts as hung. */
const CONNECTION_TIMEOUT_MS = 15_000;

let server: EddyProcess;

before(async () => {
  server = await EddyProcess.start();
});

after(async () => {
  await server?.cleanup();
});

// ---------------------------------------------------------------------------- frontend messages

function frame(type: string, body: Buffer): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b.write(type, 0, 'latin1');
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

function cstr(s: string): Buffer {
  return Buffer.from(s + '\0');
}

function i16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

function startupPacket(params: [string, string][], code = 196608): Buffer {
  const body = Buffer.concat([i32(code), ...params.map(([k, v]) => Buffer.concat([cstr(k), cstr(v)])), Buffer.from([0])]);
  return Buffer.concat([i32(body.length + 4), body]);
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
const GSSENC_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]);

const SQL = [
  'SELECT 1',
  'SELECT $1::int + 1',
  'SELECT $1::text',
  "SELECT 'x' || $1",
  'SELECT $1::numeric * 2',
  'SELECT $1::bigint, $2::bool',
  'SELECT $1::timestamptz',
  'SELECT $1::jsonb',
  'SELECT * FROM fuzz_t',
  'SELECT x, count(*) FROM fuzz_t GROUP BY x',
  'INSERT INTO fuzz_t VALUES ($1)',
  'INSERT INTO fuzz_t VALUES (1), (2)',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SELECT 1; SELECT 2',
  '',
  ';',
  'SHOW TABLES',
  'SET application_name = fuzz',
  'SELECT 1/0',
  'SELEC 1',
  "SELECT 'unterminated",
  'SELECT \u00e9\u{1f600}',
  // The COPY sub-protocol: random CopyData/CopyDone/CopyFail messages land inside it.
  'COPY fuzz_t FROM STDIN',
  'COPY fuzz_t FROM STDIN (FORMAT csv)',
  'COPY fuzz_t TO STDOUT',
  'DECLARE c CURSOR FOR SELECT * FROM fuzz_t',
  'FETCH 2 FROM c',
  'CLOSE c',
];

/** Parameter type OIDs: unspecified, int4, int8, float8, bool, numeric, timestamptz, jsonb, text, bytea, and nonsense. */
const OIDS = [0, 23, 20, 701, 16, 1700, 1184, 3802, 25, 17, 0xffffffff, 99999];

function randomBytes(rng: Rng, max: number): Buffer {
  const b = Buffer.alloc(rng.int(0, max));
  for (let i = 0; i < b.length; i++) b[i] = rng.int(0, 255);
  return b;
}

function name(rng: Rng): string {
  return rng.chance(0.5) ? '' : rng.pick(['s1', 's2', 'p1', 'x']);
}

function paramValue(rng: Rng): Buffer | null {
  if (rng.chance(0.15)) return null;
  if (rng.chance(0.5)) return Buffer.from(rng.pick(['1', '-7', '3.25', 'true', 'abc', '2024-01-01 00:00:00+00', '{"a":1}', '', '\u00ff']));
  return randomBytes(rng, 12);
}

/** One syntactically valid frontend message (its contents may still be nonsense). */
function validMessage(rng: Rng): Buffer {
  switch (rng.int(0, 13)) {
    case 0:
    case 1:
      return frame('Q', cstr(rng.pick(SQL)));
    case 2:
    case 3: {
      const oids = Array.from({ length: rng.int(0, 3) }, () => rng.pick(OIDS));
      const oidBytes = oids.map((o) => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(o >>> 0);
        return b;
      });
      return frame('P', Buffer.concat([cstr(name(rng)), cstr(rng.pick(SQL)), i16(oids.length), ...oidBytes]));
    }
    case 4:
    case 5: {
      const formats = Array.from({ length: rng.int(0, 3) }, () => rng.pick([0, 1, 1, 2, -1]));
      const params = Array.from({ length: rng.int(0, 3) }, () => paramValue(rng));
      const results = Array.from({ length: rng.int(0, 2) }, () => rng.pick([0, 1, 7]));
      return frame(
        'B',
        Buffer.concat([
          cstr(name(rng)),
          cstr(name(rng)),
          i16(formats.length),
          ...formats.map(i16),
          i16(params.length),
          ...params.map((p) => (p === null ? i32(-1) : Buffer.concat([i32(p.length), p]))),
          i16(results.length),
          ...results.map(i16),
        ]),
      );
    }
    case 6:
      return frame('D', Buffer.concat([Buffer.from(rng.pick(['S', 'P'])), cstr(name(rng))]));
    case 7:
    case 8:
      return frame('E', Buffer.concat([cstr(name(rng)), i32(rng.pick([0, 1, 2, -1, 1000]))]));
    case 9:
      return frame('C', Buffer.concat([Buffer.from(rng.pick(['S', 'P'])), cstr(name(rng))]));
    case 10:
      return frame('S', Buffer.alloc(0));
    case 11:
      return frame('H', Buffer.alloc(0));
    case 12:
      return rng.pick([frame('d', randomBytes(rng, 20)), frame('c', Buffer.alloc(0)), frame('f', cstr('stop'))]);
    default:
      return frame('F', randomBytes(rng, 16));
  }
}

/** Flips, inserts, deletes or overwrites bytes, or rewrites the length field. */
function mutate(rng: Rng, m: Buffer, lengthAt: number): Buffer {
  let b = Buffer.from(m);
  const edits = rng.int(1, 3);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, Math.max(0, b.length - 1));
    switch (rng.int(0, 4)) {
      case 0:
        if (b.length > 0) b[at] ^= 1 << rng.int(0, 7);
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), randomBytes(rng, 4), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + rng.int(1, 4))]);
        break;
      case 3:
        if (b.length > 0) b[at] = rng.pick([0, 0xff, 0x7f, 0x80]);
        break;
      default:
        if (b.length >= lengthAt + 4) b.writeInt32BE(rng.pick([0, 3, 4, -1, -0x80000000, 0x7fffffff, b.length + 1, b.length - 6]) | 0, lengthAt);
    }
  }
  return b;
}

interface FuzzCase {
  what: string;
  /** Bytes to send, in the chunks to send them in. */
  chunks: Buffer[];
  /** Single-byte answers to SSLRequest/GSSENCRequest expected before the first framed reply. */
  encryptionReplies: number;
  /** The server must close the connection by itself (a FATAL error), without the client closing. */
  expectFatal: boolean;
  /** The server must close the connection by itself, with or without an error. */
  expectClose?: boolean;
  /** The last message sent is Sync/Query on an intact pipeline: the reply must end with ReadyForQuery. */
  expectReady: boolean;
}

function chunked(rng: Rng, bytes: Buffer): Buffer[] {
  if (bytes.length === 0 || rng.chance(0.5)) return [bytes];
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = rng.int(1, Math.max(1, Math.min(bytes.length - at, rng.pick([1, 3, 7, 64]))));
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function login(rng: Rng): Buffer {
  const params: [string, string][] = [['user', 'fuzz']];
  if (rng.chance(0.5)) params.push(['database', rng.pick(['eddy', 'other', ''])]);
  if (rng.chance(0.3)) params.push(['application_name', 'fuzz\u00e9']);
  if (rng.chance(0.1)) params.push(['_pq_.option', 'x']);
  return startupPacket(params, rng.chance(0.1) ? 196609 : 196608);
}

function fuzzCase(rng: Rng): FuzzCase {
  const kind = rng.int(0, 10);
  const base = { encryptionReplies: 0, expectFatal: false, expectReady: false };
  switch (kind) {
    case 0: {
      // A header with an impossible or huge length, after a good login.
      const type = rng.pick(['Q', 'P', 'B', 'E', 'S', 'd']);
      const len = rng.pick([-1, -0x80000000, 0, 3, 0x7fffffff, 0x40000005, 0x10000000 + (type === 'E' || type === 'S' ? 0 : 0x40000000)]);
      const header = Buffer.concat([Buffer.from(type), i32(len)]);
      return { ...base, what: `bad length ${len} on ${type}`, chunks: [login(rng), header, randomBytes(rng, 8)], expectFatal: true };
    }
    case 1: {
      // An unknown message type.
      let t = rng.int(0, 255);
      while ('QPBDECSHXdcfF'.includes(String.fromCharCode(t))) t = rng.int(0, 255);
      return { ...base, what: `unknown type ${t}`, chunks: [login(rng), Buffer.concat([Buffer.from([t]), i32(4)])], expectFatal: true };
    }
    case 2: {
      // Garbage instead of a startup packet.
      const g = rng.pick([
        () => randomBytes(rng, 40),
        () => Buffer.concat([i32(rng.pick([0, 4, 7, 10001, 0x7fffffff, -5])), randomBytes(rng, 8)]),
        () => startupPacket([['user', 'fuzz']], rng.pick([0, 0x00020000, 0x00040000, 1234 << 16])),
        () => mutate(rng, login(rng), 0),
      ])();
      const closes = g.length >= 4 && (g.readInt32BE(0) < 8 || g.readInt32BE(0) > 10000);
      return { ...base, what: 'garbage startup', chunks: chunked(rng, g), expectFatal: closes };
    }
    case 3: {
      // SSLRequest or GSSENCRequest twice: the second one is FATAL.
      const first = rng.pick([SSL_REQUEST, GSSENC_REQUEST]);
      return { ...base, what: 'encryption request twice', chunks: [first, first], encryptionReplies: 1, expectFatal: true };
    }
    case 4: {
      // A truncated frame, then the client goes away.
      const m = validMessage(rng);
      return { ...base, what: 'truncated frame', chunks: [login(rng), m.subarray(0, rng.int(1, Math.max(1, m.length - 1)))] };
    }
    case 5:
    case 6: {
      // One valid message mutated.
      const m = validMessage(rng);
      const prefix = rng.chance(0.2) ? [SSL_REQUEST] : [];
      return {
        ...base,
        what: 'mutated message',
        chunks: [...prefix, login(rng), ...chunked(rng, mutate(rng, m, 1))],
        encryptionReplies: prefix.length,
      };
    }
    case 7: {
      if (rng.chance(0.3)) {
        // A CancelRequest for a random backend: no reply, the connection is closed.
        const cancel = Buffer.concat([i32(16), i32(80877102), i32(rng.int(0, 2 ** 31 - 1)), i32(rng.int(0, 2 ** 31 - 1))]);
        return { ...base, what: 'cancel request', chunks: [cancel], expectClose: true };
      }
      // A mutated startup packet followed by a query.
      return { ...base, what: 'mutated startup', chunks: [mutate(rng, login(rng), 0), frame('Q', cstr('SELECT 1'))] };
    }
    case 10: {
      // The COPY FROM STDIN sub-protocol: good and bad rows, then CopyDone, CopyFail or an
      // unexpected message; a query after it must be answered.
      const msgs = [frame('Q', cstr(rng.pick(['COPY fuzz_t FROM STDIN', 'COPY fuzz_t FROM STDIN (FORMAT csv)', 'COPY fuzz_t (x) FROM STDIN'])))];
      for (let i = rng.int(0, 5); i > 0; i--) {
        msgs.push(frame('d', rng.chance(0.6) ? Buffer.from(rng.pick(['1\n', '2\n3\n', '\\N\n', 'x\n', '1\t2\n', '4'])) : randomBytes(rng, 24)));
        if (rng.chance(0.1)) msgs.push(frame(rng.pick(['S', 'H']), Buffer.alloc(0)));
      }
      msgs.push(rng.pick([frame('c', Buffer.alloc(0)), frame('c', Buffer.alloc(0)), frame('f', cstr('client gave up')), frame('Q', cstr('SELECT 1'))]));
      msgs.push(frame('Q', cstr('SELECT 2')));
      const mutated = rng.chance(0.2);
      if (mutated) {
        const i = rng.int(1, msgs.length - 1);
        msgs[i] = mutate(rng, msgs[i], 1);
      }
      return { ...base, what: `copy in${mutated ? ' (mutated)' : ''}`, chunks: chunked(rng, Buffer.concat([login(rng), ...msgs])), expectReady: !mutated };
    }
    default: {
      // A pipelined random sequence of valid messages, ending in Sync.
      const n = rng.int(1, 12);
      const msgs = Array.from({ length: n }, () => validMessage(rng));
      const intact = rng.chance(0.7);
      if (!intact) {
        const i = rng.int(0, n - 1);
        msgs[i] = mutate(rng, msgs[i], 1);
      }
      msgs.push(frame('S', Buffer.alloc(0)));
      const bytes = Buffer.concat([login(rng), ...msgs]);
      // COPY FROM STDIN waits for CopyDone/CopyFail, which a random pipeline need not send.
      const copyIn = bytes.includes('FROM STDIN');
      return { ...base, what: `pipeline of ${n + 1}${intact ? '' : ' (one mutated)'}`, chunks: chunked(rng, bytes), expectReady: intact && !copyIn };
    }
  }
}

// ---------------------------------------------------------------------------- the replies

const BACKEND_TYPES = new Set('RSKZTDCIEN123ntsvAGHWdc'.split('').map((c) => c.charCodeAt(0)));

interface Reply {
  types: string[];
  errors: Map<string, string>[];
}

/** Parses the server's byte stream; throws if it is not a sequence of well-formed backend messages. */
function parseReply(bytes: Buffer, encryptionReplies: number): Reply {
  let off = 0;
  for (let i = 0; i < encryptionReplies && off < bytes.length; i++) {
    assert.equal(bytes[off], 0x4e, 'an encryption request is refused with N');
    off++;
  }
  const types: string[] = [];
  const errors: Map<string, string>[] = [];
  while (off < bytes.length) {
    assert.ok(BACKEND_TYPES.has(bytes[off]), `unknown backend message type ${bytes[off]} at ${off}`);
    assert.ok(off + 5 <= bytes.length, 'truncated backend message header');
    const len = bytes.readInt32BE(off + 1);
    assert.ok(len >= 4 && off + 1 + len <= bytes.length, `bad backend message length ${len}`);
    const type = String.fromCharCode(bytes[off]);
    types.push(type);
    if (type === 'E') {
      const fields = new Map<string, string>();
      let p = off + 5;
      const end = off + 1 + len;
      while (p < end && bytes[p] !== 0) {
        const z = bytes.indexOf(0, p + 1);
        assert.ok(z >= 0 && z < end, 'unterminated error field');
        fields.set(String.fromCharCode(bytes[p]), bytes.toString('utf8', p + 1, z));
        p = z + 1;
      }
      assert.match(fields.get('C') ?? '', /^[0-9A-Z]{5}$/, 'an ErrorResponse carries a SQLSTATE');
      assert.ok(fields.get('M'), 'an ErrorResponse carries a message');
      assert.match(fields.get('S') ?? '', /^(ERROR|FATAL|PANIC)$/);
      errors.push(fields);
    }
    off += 1 + len;
  }
  return { types, errors };
}

interface Outcome {
  reply: Buffer;
  closedByServer: boolean;
}

/** Sends the chunks; unless the server closes first, half-closes a moment later; resolves at close. */
function runCase(c: FuzzCase, port: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let clientEnded = false;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      s.destroy();
      reject(new Error(`connection hung (no close within ${CONNECTION_TIMEOUT_MS} ms)`));
    }, CONNECTION_TIMEOUT_MS);
    s.on('data', (d) => got.push(d));
    s.on('error', () => {
      /* a reset after a FATAL is a close too */
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (!settled) resolve({ reply: Buffer.concat(got), closedByServer: !clientEnded });
    });
    s.on('connect', async () => {
      for (const chunk of c.chunks) {
        if (s.destroyed) return;
        s.write(chunk);
        if (c.chunks.length > 1) await new Promise((r) => setImmediate(r));
      }
      // A FATAL case must be closed by the server; give it the full timeout to do so.
      if (c.expectFatal || c.expectClose) return;
      const quiet = c.expectReady ? 400 : 50;
      setTimeout(() => {
        if (s.destroyed) return;
        clientEnded = true;
        s.end();
      }, quiet);
    });
  });
}

// ---------------------------------------------------------------------------- the test

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Keeps querying on a well-behaved connection, checking every answer, until stopped. */
async function healthyClient(c: pg.Client, stop: () => boolean): Promise<number> {
  let n = 0;
  let inserted = 0;
  while (!stop()) {
    const v = n % 1000;
    assert.deepEqual((await c.query('SELECT $1::int * 2 AS v, $2::text AS s', [v, `é${v}`])).rows, [{ v: v * 2, s: `é${v}` }]);
    if (n % 10 === 0) {
      await c.query('INSERT INTO healthy_t VALUES ($1)', [n]);
      inserted++;
      const r = await c.query('SELECT count(*)::int AS n FROM healthy_t');
      assert.equal(r.rows[0].n, inserted);
    }
    n++;
  }
  return n;
}

test(`random and mutated frontend messages never disturb the server (seed ${SEED})`, { timeout: 600_000 }, async (t) => {
  t.diagnostic(`EDDY_FUZZ_SEED=${SEED} EDDY_FUZZ_ROUNDS=${ROUNDS}`);
  console.log(`protocol fuzz: EDDY_FUZZ_SEED=${SEED} EDDY_FUZZ_ROUNDS=${ROUNDS}`);
  const rng = new Rng(SEED);
  const setup = await server.client();
  await setup.query('CREATE TABLE fuzz_t (x INT)');
  await setup.query('CREATE TABLE healthy_t (x INT)');
  await setup.end();

  const healthy = await server.client();
  let done = false;
  // Settled into a value at once, so a failure is reported by the assertions below, not as an unhandled rejection.
  const healthyRun = healthyClient(healthy, () => done).then(
    (queries) => ({ queries, error: undefined }),
    (error: unknown) => ({ queries: 0, error }),
  );
  const pid = server.child.pid!;

  const cases = Array.from({ length: ROUNDS }, () => fuzzCase(rng));
  const failures: string[] = [];
  const counts = { fatal: 0, ready: 0, errors: 0, copy: 0 };
  const warmupAt = Math.min(ROUNDS - 1, 100);
  let warmRss = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= cases.length) return;
      const c = cases[i];
      const label = `case ${i} (${c.what}) bytes ${Buffer.concat(c.chunks).subarray(0, 200).toString('hex')}`;
      try {
        const out = await runCase(c, server.pgPort);
        const reply = parseReply(out.reply, c.encryptionReplies);
        const fatal = reply.errors.findIndex((e) => e.get('S') === 'FATAL');
        if (fatal >= 0) {
          counts.fatal++;
          assert.equal(reply.types.lastIndexOf('E'), reply.types.length - 1, 'a FATAL error is the last message');
        }
        counts.errors += reply.errors.length;
        if (reply.types.includes('G') || reply.types.includes('H')) counts.copy++;
        const internal = reply.errors.find((e) => e.get('C') === 'XX000');
        assert.equal(internal, undefined, `an internal error is a bug: ${internal?.get('M')}`);
        if (c.expectFatal) {
          assert.ok(out.closedByServer, 'the server closed the connection');
          assert.ok(fatal >= 0, `a FATAL ErrorResponse came first (got ${reply.types.join('')})`);
        }
        if (c.expectClose) {
          assert.ok(out.closedByServer, 'the server closed the connection');
          assert.equal(out.reply.length, 0, 'a CancelRequest gets no reply');
        }
        if (c.expectReady && fatal < 0) {
          assert.equal(reply.types.at(-1), 'Z', `an intact pipeline ends with ReadyForQuery (got ${reply.types.join('')})`);
          counts.ready++;
        }
      } catch (e) {
        failures.push(`${label}: ${(e as Error).message}`);
      }
      if (i === warmupAt) warmRss = rssKb(pid);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  done = true;
  const healthyResult = await healthyRun;
  const healthyQueries = healthyResult.queries;
  const endRss = rssKb(pid);
  await healthy.end();

  t.diagnostic(`${ROUNDS} fuzz connections: ${counts.fatal} FATAL, ${counts.errors} errors, ${counts.ready} intact pipelines, ${counts.copy} in COPY; ${healthyQueries} healthy queries; RSS ${warmRss} kB -> ${endRss} kB`);
  assert.ok(server.running, 'the server process is still running');
  const logged = server.logs.filter((l) => /"level":(50|60)/.test(l));
  assert.deepEqual(logged.slice(0, 5), [], 'the server logged no errors');
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failing fuzz connections (seed ${SEED})`);
  assert.equal(healthyResult.error, undefined, `the healthy client saw a wrong answer or an error: ${String(healthyResult.error)}`);
  assert.ok(healthyQueries > 10, 'the healthy client kept running queries');
  // Every case kind occurs in a default run; these guard against a generator that stopped fuzzing.
  assert.ok(counts.fatal > ROUNDS / 10, 'many connections were closed with a FATAL error');
  assert.ok(counts.ready > ROUNDS / 50, 'many intact pipelines were answered to the end');
  assert.ok(endRss < 2 * warmRss + 100 * 1024, `memory stays bounded: RSS ${warmRss} kB after warm-up, ${endRss} kB at the end`);

  // And a fresh client still works.
  const after = await server.client();
  assert.deepEqual((await after.query('SELECT 40 + 2 AS v')).rows, [{ v: 42 }]);
  await after.end();
});

test('huge declared message lengths cost only the bytes actually sent', async () => {
  // Each connection declares a message just under the 1 GiB limit and sends a few bytes of it:
  // the server must buffer what arrived, not what was announced.
  const pid = server.child.pid!;
  const before = rssKb(pid);
  const sockets = await Promise.all(
    Array.from({ length: 20 }, () => new Promise<net.Socket>((resolve) => {
      const s = net.connect(server.pgPort, '127.0.0.1', () => {
        s.write(Buffer.concat([startupPacket([['user', 'big']]), Buffer.from('Q'), i32(0x3ff00000), Buffer.alloc(64 * 1024, 0x41)]));
        resolve(s);
      });
      s.on('error', () => {});
    })),
  );
  await new Promise((r) => setTimeout(r, 300));
  const during = rssKb(pid);
  const c = await server.client();
  assert.deepEqual((await c.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
  await c.end();
  for (const s of sockets) s.destroy();
  assert.ok(server.running);
  assert.ok(during - before < 200 * 1024, `RSS grew by ${during - before} kB for 20 x 64 KiB received`);
});
