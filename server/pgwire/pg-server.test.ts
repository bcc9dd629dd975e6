/**
 * PgServer over real sockets, against a FakeSessionFactory with canned statements: the `pg`
 * client for the everyday paths, raw sockets with pg-protocol's serializer and Parser for exact
 * message sequences, cancellation, malformed input, disconnects, framing and load.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import pino from 'pino';
import { Decimal } from '../../runtime/sql/decimal.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { Interval } from '../../runtime/sql/interval.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { numericType, sqlType, T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import type {
  CancelSignal,
  ColumnDesc,
  Prepared,
  Session,
  SessionFactory,
  StatementResult,
  TxStatus,
} from '../session/session-api.js';
import { PgServer } from './pg-server.js';

// ------------------------------------------------------------------------------ fake session

interface Canned {
  columns: ColumnDesc[] | null;
  run(s: FakeSession, params: Value[], cancel: CancelSignal): Promise<StatementResult> | StatementResult;
}

const col = (name: string, type: SqlType): ColumnDesc => ({ name, type });
const rows = (columns: ColumnDesc[], data: AsyncIterable<Row[]> | Row[]): StatementResult => ({
  kind: 'rows',
  columns,
  rows: data,
  tagPrefix: 'SELECT',
});
const command = (tag: string): StatementResult => ({ kind: 'command', tag });

const INT = [col('?column?', T.int4)];
const TYPES_COLUMNS: ColumnDesc[] = [
  col('b', T.bool),
  col('i2', T.int2),
  col('i4', T.int4),
  col('i8', T.int8),
  col('f4', T.float4),
  col('f8', T.float8),
  col('n', numericType(10, 2)),
  col('t', T.text),
  col('vc', sqlType(TypeId.Varchar, 10)),
  col('d', T.date),
  col('ts', T.timestamp),
  col('tz', T.timestamptz),
  col('iv', T.interval),
  col('j', T.jsonb),
  col('u', T.unknown),
];
const TYPES_ROW: Row = [
  true,
  -2,
  42,
  9007199254740993n,
  1.5,
  -0.25,
  Decimal.fromString('12345.67'),
  'héllo',
  'abc',
  10957 + 31, // 2000-02-01
  Date.UTC(2021, 0, 2, 3, 4, 5, 678) * 1000 + 9, // 2021-01-02 03:04:05.678009
  Date.UTC(2022, 5, 1, 12) * 1000, // 2022-06-01 12:00:00+00
  new Interval(14, 3, 3_600_000_001),
  { a: [1, 'x', null] },
  'lit',
];

async function* asyncBatches(batches: Row[][], delayMs = 0): AsyncIterable<Row[]> {
  for (const b of batches) {
    if (delayMs > 0) await sleep(delayMs);
    yield b;
  }
}

const CANNED: Record<string, Canned> = {
  'select 1': { columns: INT, run: () => rows(INT, [[1]]) },
  'select many': { columns: INT, run: () => rows(INT, [[1], [2], [3], [4], [5]]) },
  'select many_async': { columns: INT, run: () => rows(INT, asyncBatches([[[1], [2]], [[3], [4]], [[5]]], 1)) },
  'select big': {
    columns: [col('i', T.int4), col('s', T.text)],
    run: () =>
      rows(
        [col('i', T.int4), col('s', T.text)],
        Array.from({ length: 20000 }, (_, i) => [i, `row number ${i}`]),
      ),
  },
  'select types': { columns: TYPES_COLUMNS, run: () => rows(TYPES_COLUMNS, [TYPES_ROW, TYPES_COLUMNS.map(() => null)]) },
  'select error': {
    columns: INT,
    run: () => {
      throw new SqlError(SqlState.SyntaxError, 'syntax error at or near "error"', { position: 8, hint: 'try again' });
    },
  },
  'select internal': {
    columns: INT,
    run: () => {
      throw new Error('boom');
    },
  },
  'select slow': {
    columns: INT,
    run: async (_s, _p, cancel) => {
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        if (cancel.cancelled) throw new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
        await sleep(2);
      }
      return rows(INT, [[1]]);
    },
  },
  // Never looks at the CancelSignal: the wire layer must observe it between batches.
  'select slow_rows': {
    columns: INT,
    run: () =>
      rows(
        INT,
        (async function* () {
          for (let i = 0; i < 2000; i++) {
            await sleep(5);
            yield [[i]];
          }
        })(),
      ),
  },
  'select partial_error': {
    columns: INT,
    run: () =>
      rows(
        INT,
        (async function* () {
          yield [[1], [2]];
          throw new SqlError(SqlState.DivisionByZero, 'division by zero');
        })(),
      ),
  },
  begin: {
    columns: null,
    run: (s) => {
      s.tx = 'T';
      return command('BEGIN');
    },
  },
  commit: {
    columns: null,
    run: (s) => {
      s.tx = 'I';
      return command('COMMIT');
    },
  },
  fail: {
    columns: null,
    run: (s) => {
      if (s.tx === 'T') s.tx = 'E';
      throw new SqlError(SqlState.DivisionByZero, 'division by zero');
    },
  },
  'set foo = bar': {
    columns: null,
    run: (s) => {
      s.changes['foo'] = 'bar';
      return command('SET');
    },
  },
  notice: {
    columns: null,
    run: () => ({ kind: 'command', tag: 'DO', notices: [{ severity: 'NOTICE', code: '00000', message: 'hello notice' }] }),
  },
  fatal: {
    columns: null,
    run: () => {
      throw new SqlError(SqlState.AdminShutdown, 'fatal from session', { severity: 'FATAL' });
    },
  },
  insert: { columns: null, run: () => command('INSERT 0 1') },
  '': { columns: null, run: () => ({ kind: 'empty' }) },
};

function lookup(sql: string): Canned {
  const c = CANNED[sql.trim().toLowerCase()];
  if (c === undefined) throw new SqlError(SqlState.SyntaxError, `syntax error at or near "${sql.trim()}"`, { position: 1 });
  return c;
}

class FakePrepared implements Prepared {
  constructor(
    readonly sql: string,
    readonly info: { paramTypes: SqlType[]; columns: ColumnDesc[] | null },
    readonly canned: Canned | null,
  ) {}
}

class FakeSession implements Session {
  tx: TxStatus = 'I';
  changes: Record<string, string> = {};
  closed = false;
  constructor(readonly startupParams: Record<string, string>) {}

  parameterStatus(): Record<string, string> {
    return {
      server_version: '15.0',
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      DateStyle: 'ISO, MDY',
      TimeZone: 'UTC',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
      application_name: this.startupParams['application_name'] ?? '',
      is_superuser: 'on',
      session_authorization: this.startupParams['user'] ?? '',
      IntervalStyle: 'postgres',
    };
  }

  async *simpleQuery(sql: string, cancel: CancelSignal): AsyncIterable<StatementResult> {
    const parts = sql.split(';').filter((p) => p.trim() !== '');
    if (parts.length === 0) {
      yield { kind: 'empty' };
      return;
    }
    for (const p of parts) yield await lookup(p).run(this, [], cancel);
  }

  async prepare(sql: string, paramTypes: (SqlType | null)[]): Promise<Prepared> {
    const n = new Set(sql.match(/\$\d+/g) ?? []).size;
    if (n > 0) {
      // `select $1, $2, ...` echoes its parameters; untyped ones are inferred as text.
      const types = Array.from({ length: n }, (_, i) => paramTypes[i] ?? T.text);
      return new FakePrepared(sql, { paramTypes: types, columns: types.map((t) => col('?column?', t)) }, null);
    }
    const c = lookup(sql);
    if (c.columns === INT && sql.includes('error')) c.run(this, [], { cancelled: false });
    return new FakePrepared(sql, { paramTypes: [], columns: c.columns }, c);
  }

  async execute(stmt: Prepared, params: Value[], cancel: CancelSignal): Promise<StatementResult> {
    const p = stmt as FakePrepared;
    if (p.canned === null) return rows(p.info.columns!, [params]);
    return p.canned.run(this, params, cancel);
  }

  txStatus(): TxStatus {
    return this.tx;
  }

  takeParameterChanges(): Record<string, string> {
    const c = this.changes;
    this.changes = {};
    return c;
  }

  close(): void {
    this.closed = true;
  }
}

class FakeSessionFactory implements SessionFactory {
  readonly sessions: FakeSession[] = [];
  createSession(startupParams: Record<string, string>): Session {
    if (startupParams['database'] === 'nope') {
      throw new SqlError(SqlState.InvalidCatalogName, 'database "nope" does not exist');
    }
    const s = new FakeSession(startupParams);
    this.sessions.push(s);
    return s;
  }
}

// ------------------------------------------------------------------------------ raw client

/** A protocol-level client: pg-protocol serializes what we send and parses what we get. */
class RawClient {
  readonly messages: BackendMessage[] = [];
  /** DataRow fields as raw bytes (null for NULL), for checking binary values exactly. */
  readonly rawRows: (Buffer | null)[][] = [];
  private readonly parser = new Parser();
  private raw = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  ended = false;
  processId = 0;
  secretKey = 0;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects; with `preamble`, sends SSLRequest/GSSENCRequest first and returns the one-byte answer. */
  static async connect(
    port: number,
    opts: { preamble?: 'ssl' | 'gss'; params?: Record<string, string>; startup?: boolean } = {},
  ): Promise<{ client: RawClient; answer?: string }> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let answer: string | undefined;
    if (opts.preamble !== undefined) {
      const req = serialize.requestSsl();
      if (opts.preamble === 'gss') req.writeInt32BE(80877104, 4);
      socket.write(req);
      answer = await new Promise<string>((resolve) => socket.once('data', (b: Buffer) => resolve(b.toString('latin1'))));
    }
    const client = new RawClient(socket);
    socket.on('data', (b: Buffer) => {
      client.parser.parse(b, (m) => client.messages.push(m));
      client.captureRawRows(b);
      client.wake?.();
    });
    if (opts.startup !== false) {
      socket.write(serialize.startup(opts.params ?? { user: 'raw', database: 'db' }));
      const start = await client.untilReady();
      const key = start.find((m) => m.name === 'backendKeyData') as unknown as { processID: number; secretKey: number };
      client.processId = key.processID;
      client.secretKey = key.secretKey;
    }
    return { client, answer };
  }

  private captureRawRows(chunk: Buffer): void {
    this.raw = Buffer.concat([this.raw, chunk]);
    while (this.raw.length >= 5) {
      const len = this.raw.readInt32BE(1);
      if (this.raw.length < 1 + len) break;
      if (this.raw[0] === 0x44) {
        const n = this.raw.readInt16BE(5);
        const row: (Buffer | null)[] = [];
        let pos = 7;
        for (let i = 0; i < n; i++) {
          const l = this.raw.readInt32BE(pos);
          pos += 4;
          row.push(l < 0 ? null : Buffer.from(this.raw.subarray(pos, pos + l)));
          if (l > 0) pos += l;
        }
        this.rawRows.push(row);
      }
      this.raw = this.raw.subarray(1 + len);
    }
  }

  send(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  /** Waits until `pred` holds for the messages so far, then removes and returns them. */
  async until(pred: (ms: BackendMessage[]) => boolean, timeoutMs = 5000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      if (this.ended) throw new Error(`connection ended; got ${names(this.messages).join(',')}`);
      if (Date.now() > deadline) throw new Error(`timeout; got ${names(this.messages).join(',')}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
      this.wake = null;
    }
    return this.messages.splice(0, this.messages.length);
  }

  untilReady(n = 1): Promise<BackendMessage[]> {
    return this.until((ms) => ms.filter((m) => m.name === 'readyForQuery').length >= n);
  }

  async untilClosed(timeoutMs = 5000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('socket not closed by server');
      await sleep(5);
    }
    return this.messages.splice(0, this.messages.length);
  }

  close(): void {
    this.socket.destroy();
  }
}

const names = (ms: BackendMessage[]): string[] => ms.map((m) => m.name);
const field = <K extends string>(m: BackendMessage, k: K): unknown => (m as unknown as Record<K, unknown>)[k];
const tags = (ms: BackendMessage[]): string[] => ms.filter((m) => m.name === 'commandComplete').map((m) => field(m, 'text') as string);
const errorsOf = (ms: BackendMessage[]) =>
  ms.filter((m) => m.name === 'error') as unknown as { code: string; message: string; severity: string; position?: string }[];

// ------------------------------------------------------------------------------ the tests

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });

let server: PgServer;
let port: number;
const factory = new FakeSessionFactory();
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);

function pgClient(extra: Partial<pg.ClientConfig> & { binary?: boolean } = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'db', ...extra });
}

async function withClient<R>(fn: (c: pg.Client) => Promise<R>): Promise<R> {
  const c = pgClient();
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  server = new PgServer({ host: '127.0.0.1', port: 0, sessions: factory, logger, maxMessageBytes: 1 << 20 });
  port = await server.listen();
});

after(async () => {
  await server.shutdown();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  assert.deepEqual(unhandled, []);
  // Never per row: the big result must not have produced thousands of lines.
  assert.ok(logLines.length < 2000, `too many log lines: ${logLines.length}`);
});

describe('pg client', () => {
  it('connects and reports parameter status', async () => {
    const c = pgClient({ application_name: 'eddy-test' });
    const statuses: Record<string, string> = {};
    c.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => {
      statuses[m.parameterName] = m.parameterValue;
    });
    await c.connect();
    assert.equal(statuses['server_version'], '15.0');
    assert.equal(statuses['application_name'], 'eddy-test');
    assert.equal(statuses['integer_datetimes'], 'on');
    const session = factory.sessions.at(-1)!;
    assert.equal(session.startupParams['user'], 'tester');
    assert.equal(session.startupParams['database'], 'db');
    await c.end();
    await waitFor(() => session.closed);
  });

  it('runs a simple query', async () => {
    await withClient(async (c) => {
      const r = await c.query('select 1');
      assert.deepEqual(r.rows, [{ '?column?': 1 }]);
      assert.equal(r.command, 'SELECT');
      assert.equal(r.rowCount, 1);
      assert.equal(r.fields[0].dataTypeID, 23);
      assert.equal(r.fields[0].dataTypeSize, 4);
    });
  });

  it('returns one result per statement of a multi-statement query', async () => {
    await withClient(async (c) => {
      const rs = (await c.query('select 1; insert; select many')) as unknown as pg.QueryResult[];
      assert.equal(rs.length, 3);
      assert.deepEqual(rs[0].rows, [{ '?column?': 1 }]);
      assert.equal(rs[1].command, 'INSERT');
      assert.equal(rs[1].rowCount, 1);
      assert.equal(rs[2].rowCount, 5);
    });
  });

  it('reports errors with position and hint, and keeps the connection usable', async () => {
    await withClient(async (c) => {
      await assert.rejects(c.query('select error'), (e: pg.DatabaseError) => {
        assert.equal(e.code, '42601');
        assert.equal(e.message, 'syntax error at or near "error"');
        assert.equal(e.position, '8');
        assert.equal(e.hint, 'try again');
        assert.equal(e.severity, 'ERROR');
        return true;
      });
      assert.deepEqual((await c.query('select 1')).rows, [{ '?column?': 1 }]);
    });
  });

  it('maps non-SqlErrors to XX000 with a correlation id that is logged', async () => {
    await withClient(async (c) => {
      const e = await c.query('select internal').catch((x: pg.DatabaseError) => x);
      assert.ok(e instanceof Error);
      const err = e as pg.DatabaseError;
      assert.equal(err.code, 'XX000');
      assert.equal(err.message, 'internal error');
      const id = /^correlation id: (.+)$/.exec(err.detail ?? '')?.[1];
      assert.ok(id);
      const line = logLines.find((l) => l.includes(id));
      assert.ok(line, 'logged');
      assert.match(line, /boom/);
      assert.match(line, /"component":"pgwire"/);
      assert.match(line, /"stack"/);
    });
  });

  it('stops a multi-statement query at the first error', async () => {
    await withClient(async (c) => {
      await assert.rejects(c.query('insert; select error; insert'), { code: '42601' });
      assert.equal((await c.query('select 1')).rowCount, 1);
    });
  });

  it('handles empty queries, notices, and parameter changes', async () => {
    await withClient(async (c) => {
      const empty = await c.query('');
      assert.equal(empty.rowCount, null);
      const notices: string[] = [];
      c.on('notice', (n) => notices.push(n.message ?? ''));
      await c.query('notice');
      assert.deepEqual(notices, ['hello notice']);
    });
  });

  it('runs extended queries with parameters', async () => {
    await withClient(async (c) => {
      const r = await c.query('select $1, $2', ['a', 'b']);
      assert.deepEqual(r.rows.map((x: Record<string, unknown>) => Object.values(x)), [['b']]); // duplicate column names collapse
      const arr = await c.query({ text: 'select $1, $2', values: ['x', null], rowMode: 'array' });
      assert.deepEqual(arr.rows, [['x', null]]);
      // Named (prepared) statements are parsed once and reused.
      for (let i = 0; i < 3; i++) {
        const p = await c.query({ name: 'echo', text: 'select $1', values: [String(i)], rowMode: 'array' });
        assert.deepEqual(p.rows, [[String(i)]]);
      }
      await assert.rejects(c.query({ name: 'err', text: 'select error' }), { code: '42601' });
      assert.equal((await c.query({ name: 'many', text: 'select many' })).rowCount, 5);
    });
  });

  it('sends values in text format as PostgreSQL prints them', async () => {
    await withClient(async (c) => {
      const r = await c.query({
        text: 'select types',
        rowMode: 'array',
        types: { getTypeParser: () => (v: string) => v },
      });
      assert.deepEqual(r.rows[0], [
        't',
        '-2',
        '42',
        '9007199254740993',
        '1.5',
        '-0.25',
        '12345.67',
        'héllo',
        'abc',
        '2000-02-01',
        '2021-01-02 03:04:05.678009',
        '2022-06-01 12:00:00+00',
        '1 year 2 mons 3 days 01:00:00.000001',
        '{"a": [1, "x", null]}',
        'lit',
      ]);
      assert.deepEqual(r.rows[1], TYPES_COLUMNS.map(() => null));
      assert.deepEqual(
        r.fields.map((f) => [f.dataTypeID, f.dataTypeSize, f.dataTypeModifier]),
        [
          [16, 1, -1],
          [21, 2, -1],
          [23, 4, -1],
          [20, 8, -1],
          [700, 4, -1],
          [701, 8, -1],
          [1700, -1, (10 << 16) + 2 + 4],
          [25, -1, -1],
          [1043, -1, 14],
          [1082, 4, -1],
          [1114, 8, -1],
          [1184, 8, -1],
          [1186, 16, -1],
          [3802, -1, -1],
          [25, -1, -1],
        ],
      );
    });
  });

  it('sends values in binary format that pg-types decodes', async () => {
    // pg itself decodes every DataRow field as UTF-8 text (pg-protocol has no binary mode), which
    // mangles binary values; so the raw client captures the bytes and pg-types' binary parsers
    // (an independent implementation of PostgreSQL's send functions) decode them.
    const { client } = await RawClient.connect(port);
    client.send(
      serialize.parse({ text: 'select types' }),
      serialize.bind({ binary: true }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const ms = await client.untilReady();
    assert.deepEqual(names(ms), ['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'dataRow', 'commandComplete', 'readyForQuery']);
    const fields = field(ms[2], 'fields') as { format: string }[];
    assert.ok(fields.every((f) => f.format === 'binary'));
    const [row, nulls] = client.rawRows.splice(0);
    assert.deepEqual(nulls, TYPES_COLUMNS.map(() => null));
    const b = row as Buffer[];
    const parse = (oid: number, v: Buffer): unknown => pg.types.getTypeParser(oid, 'binary')(v as unknown as string);
    assert.equal(parse(16, b[0]), true);
    assert.equal(parse(21, b[1]), -2);
    assert.equal(parse(23, b[2]), 42);
    assert.equal(parse(20, b[3]), '9007199254740993');
    assert.equal(parse(700, b[4]), 1.5);
    assert.equal(parse(701, b[5]), -0.25);
    assert.equal(parse(1700, b[6]), 12345.67);
    assert.equal(parse(25, b[7]), 'héllo');
    assert.equal(b[8].toString('utf8'), 'abc');
    assert.equal((parse(1184, b[11]) as Date).getTime(), Date.UTC(2022, 5, 1, 12));
    // The rest exactly, byte for byte.
    assert.equal(b[6].toString('hex'), '0003' + '0001' + '0000' + '0002' + '0001' + '0929' + '1a2c'); // 1 2345 .6700
    assert.equal(b[9].toString('hex'), '0000001f'); // date: days since 2000-01-01
    const ts = BigInt(Date.UTC(2021, 0, 2, 3, 4, 5, 678)) * 1000n + 9n - 946684800000000n;
    assert.equal(b[10].readBigInt64BE(0), ts); // timestamp: µs since 2000-01-01
    assert.equal(b[12].toString('hex'), '00000000d693a401' + '00000003' + '0000000e'); // interval
    assert.equal(b[13].toString('latin1'), '\x01{"a": [1, "x", null]}'); // jsonb version 1
    assert.equal(b[14].toString('utf8'), 'lit');
    client.close();
  });

  it('streams a large result', async () => {
    await withClient(async (c) => {
      const r = await c.query('select big');
      assert.equal(r.rowCount, 20000);
      assert.equal(r.rows[19999].s, 'row number 19999');
      const e = await c.query({ name: 'big', text: 'select big', rowMode: 'array' });
      assert.equal(e.rows.length, 20000);
    });
  });

  it('reports transaction status in ReadyForQuery', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.query('begin'));
    let ms = await client.untilReady();
    assert.equal(field(ms.at(-1)!, 'status'), 'T');
    client.send(serialize.query('fail'));
    ms = await client.untilReady();
    assert.equal(field(ms.at(-1)!, 'status'), 'E');
    client.send(serialize.query('commit'));
    ms = await client.untilReady();
    assert.equal(field(ms.at(-1)!, 'status'), 'I');
    client.close();
  });

  it('rejects a session the factory refuses with FATAL', async () => {
    const c = pgClient({ database: 'nope' });
    await assert.rejects(c.connect(), (e: pg.DatabaseError) => e.code === '3D000' && e.severity === 'FATAL');
  });
});

describe('extended protocol message sequences', () => {
  it('answers Parse/Bind/Describe/Execute/Sync', async () => {
    const { client } = await RawClient.connect(port);
    client.send(
      serialize.parse({ name: 'q', text: 'select $1, $2', types: [23, 0] }),
      serialize.describe({ type: 'S', name: 'q' }),
      serialize.bind({ statement: 'q', portal: '', values: ['7', 'x'] }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({ portal: '' }),
      serialize.sync(),
    );
    const ms = await client.untilReady();
    assert.deepEqual(names(ms), [
      'parseComplete',
      'parameterDescription',
      'rowDescription',
      'bindComplete',
      'rowDescription',
      'dataRow',
      'commandComplete',
      'readyForQuery',
    ]);
    assert.deepEqual(field(ms[1], 'dataTypeIDs'), [23, 25]);
    assert.deepEqual(field(ms[5], 'fields'), ['7', 'x']);
    assert.deepEqual(tags(ms), ['SELECT 1']);
    client.close();
  });

  it('suspends a portal at the Execute row limit and continues it', async () => {
    for (const sql of ['select many', 'select many_async']) {
      const { client } = await RawClient.connect(port);
      client.send(
        serialize.parse({ text: sql }),
        serialize.bind({ portal: 'c' }),
        serialize.execute({ portal: 'c', rows: 2 }),
        serialize.execute({ portal: 'c', rows: 2 }),
        serialize.execute({ portal: 'c', rows: 2 }),
        serialize.execute({ portal: 'c', rows: 2 }),
        serialize.sync(),
      );
      const ms = await client.untilReady();
      assert.deepEqual(names(ms), [
        'parseComplete',
        'bindComplete',
        'dataRow',
        'dataRow',
        'portalSuspended',
        'dataRow',
        'dataRow',
        'portalSuspended',
        'dataRow',
        'commandComplete',
        'commandComplete',
        'readyForQuery',
      ]);
      assert.deepEqual(tags(ms), ['SELECT 1', 'SELECT 0'], sql);
      assert.deepEqual(
        ms.filter((m) => m.name === 'dataRow').map((m) => (field(m, 'fields') as string[])[0]),
        ['1', '2', '3', '4', '5'],
      );
      client.close();
    }
  });

  it('suspends when the limit equals the remaining rows, like PostgreSQL', async () => {
    const { client } = await RawClient.connect(port);
    client.send(
      serialize.parse({ text: 'select many' }),
      serialize.bind({}),
      serialize.execute({ rows: 5 }),
      serialize.execute({ rows: 5 }),
      serialize.sync(),
    );
    const ms = await client.untilReady();
    assert.deepEqual(names(ms).slice(2), ['dataRow', 'dataRow', 'dataRow', 'dataRow', 'dataRow', 'portalSuspended', 'commandComplete', 'readyForQuery']);
    assert.deepEqual(tags(ms), ['SELECT 0']);
    client.close();
  });

  it('keeps a portal across Flush like a cursor, and drops it at Sync', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.parse({ text: 'select many_async' }), serialize.bind({ portal: 'cur' }), serialize.execute({ portal: 'cur', rows: 3 }), serialize.flush());
    let ms = await client.until((m) => m.some((x) => x.name === 'portalSuspended'));
    assert.deepEqual(names(ms), ['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'dataRow', 'portalSuspended']);
    client.send(serialize.execute({ portal: 'cur', rows: 3 }), serialize.flush());
    ms = await client.until((m) => m.some((x) => x.name === 'commandComplete'));
    assert.deepEqual(names(ms), ['dataRow', 'dataRow', 'commandComplete']);
    assert.deepEqual(tags(ms), ['SELECT 2']);
    client.send(serialize.sync(), serialize.execute({ portal: 'cur' }), serialize.sync());
    ms = await client.untilReady(2);
    assert.deepEqual(names(ms), ['readyForQuery', 'error', 'readyForQuery']);
    assert.equal(errorsOf(ms)[0].code, '34000');
    assert.equal(errorsOf(ms)[0].message, 'portal "cur" does not exist');
    client.close();
  });

  it('skips everything after an error until Sync', async () => {
    const { client } = await RawClient.connect(port);
    client.send(
      serialize.parse({ text: 'select error' }),
      serialize.bind({}),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.query('select 1'),
      serialize.sync(),
      serialize.parse({ text: 'select 1' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.sync(),
    );
    const ms = await client.untilReady(2);
    assert.deepEqual(names(ms), ['error', 'readyForQuery', 'parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    const [err] = errorsOf(ms);
    assert.equal(err.code, '42601');
    assert.equal(err.position, '8');
    client.close();
  });

  it('reports an error mid-stream after the rows already sent', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.parse({ text: 'select partial_error' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    let ms = await client.untilReady();
    assert.deepEqual(names(ms), ['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'error', 'readyForQuery']);
    assert.equal(errorsOf(ms)[0].code, '22012');
    client.send(serialize.query('select partial_error'));
    ms = await client.untilReady();
    assert.deepEqual(names(ms), ['rowDescription', 'dataRow', 'dataRow', 'error', 'readyForQuery']);
    client.close();
  });

  it('reports unknown names, duplicates and bad parameters', async () => {
    const { client } = await RawClient.connect(port);
    const expectError = async (code: string, message: RegExp | string, ...msgs: Buffer[]) => {
      client.send(...msgs, serialize.sync());
      const ms = await client.untilReady();
      assert.deepEqual(names(ms).slice(-2), ['error', 'readyForQuery']);
      const [e] = errorsOf(ms);
      assert.equal(e.code, code);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
    };
    await expectError('26000', 'prepared statement "nope" does not exist', serialize.bind({ statement: 'nope' }));
    await expectError('26000', 'prepared statement "nope" does not exist', serialize.describe({ type: 'S', name: 'nope' }));
    await expectError('34000', 'portal "nope" does not exist', serialize.execute({ portal: 'nope' }));
    await expectError('34000', 'portal "nope" does not exist', serialize.describe({ type: 'P', name: 'nope' }));
    client.send(serialize.parse({ name: 'dup', text: 'select 1' }), serialize.sync());
    await client.untilReady();
    await expectError('42P05', 'prepared statement "dup" already exists', serialize.parse({ name: 'dup', text: 'select 1' }));
    await expectError('22P02', /invalid input syntax for type integer: "abc"/, serialize.parse({ name: 'p1', text: 'select $1', types: [23] }), serialize.bind({ statement: 'p1', values: ['abc'] }));
    await expectError('08P01', 'bind message supplies 2 parameters, but prepared statement "p1" requires 1', serialize.bind({ statement: 'p1', values: ['1', '2'] }));
    // A 3-byte int4 in binary format.
    await expectError('22P03', 'incorrect binary data format in bind parameter 1', serialize.bind({ statement: 'p1', values: [Buffer.from([0, 0, 1])] }));
    await expectError('0A000', /OID 17/, serialize.parse({ text: 'select $1', types: [17] }));
    // Closing a named statement makes its name unknown; closing unknown names is fine.
    client.send(serialize.close({ type: 'S', name: 'dup' }), serialize.close({ type: 'P', name: 'zzz' }), serialize.sync());
    assert.deepEqual(names(await client.untilReady()), ['closeComplete', 'closeComplete', 'readyForQuery']);
    await expectError('26000', 'prepared statement "dup" does not exist', serialize.bind({ statement: 'dup' }));
    client.close();
  });

  it('binds binary parameters and returns binary results per column', async () => {
    const { client } = await RawClient.connect(port);
    const int8 = Buffer.alloc(8);
    int8.writeBigInt64BE(-5n);
    // Raw Bind: param formats [1, 0], values [int8 binary, '2.50' text], result formats [1, 0].
    const body = Buffer.concat([
      Buffer.from('\0s\0'),
      Buffer.from([0, 2, 0, 1, 0, 0]),
      Buffer.from([0, 2]),
      Buffer.from([0, 0, 0, 8]),
      int8,
      Buffer.from([0, 0, 0, 4]),
      Buffer.from('2.50'),
      Buffer.from([0, 2, 0, 1, 0, 0]),
    ]);
    const bind = Buffer.concat([Buffer.from('B'), Buffer.alloc(4), body]);
    bind.writeInt32BE(bind.length - 1, 1);
    client.send(
      serialize.parse({ name: 's', text: 'select $1, $2', types: [20, 1700] }),
      bind,
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const ms = await client.untilReady();
    assert.deepEqual(names(ms), ['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    const fields = field(ms[2], 'fields') as { dataTypeID: number; format: string }[];
    assert.deepEqual(
      fields.map((f) => [f.dataTypeID, f.format]),
      [
        [20, 'binary'],
        [1700, 'text'],
      ],
    );
    const row = field(ms[3], 'fields') as unknown[];
    assert.equal(row[1], '2.50');
    client.close();
  });

  it('answers Describe of a command with NoData and an empty statement with EmptyQueryResponse', async () => {
    const { client } = await RawClient.connect(port);
    client.send(
      serialize.parse({ text: 'insert' }),
      serialize.describe({ type: 'S', name: '' }),
      serialize.bind({}),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.parse({ text: '' }),
      serialize.bind({}),
      serialize.execute({}),
      serialize.sync(),
    );
    const ms = await client.untilReady();
    assert.deepEqual(names(ms), [
      'parseComplete',
      'parameterDescription',
      'noData',
      'bindComplete',
      'noData',
      'commandComplete',
      'parseComplete',
      'bindComplete',
      'emptyQuery',
      'readyForQuery',
    ]);
    assert.deepEqual(tags(ms), ['INSERT 0 1']);
    client.close();
  });

  it('sends ParameterStatus after a statement changes a parameter', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.query('set foo = bar'));
    const ms = await client.untilReady();
    assert.deepEqual(names(ms), ['commandComplete', 'parameterStatus', 'readyForQuery']);
    assert.equal(field(ms[1], 'parameterName'), 'foo');
    assert.equal(field(ms[1], 'parameterValue'), 'bar');
    client.close();
  });

  it('ignores COPY messages outside COPY, as PostgreSQL does (a failed COPY leaves the client sending)', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.copyData(Buffer.from('1\n')), serialize.copyDone(), serialize.copyFail('nope'), serialize.query('select 1'));
    const ms = await client.untilReady();
    assert.deepEqual(tags(ms), ['SELECT 1']);
    assert.equal(errorsOf(ms).length, 0);
    client.close();
  });

  it('closes the connection after a FATAL error from the session', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.query('fatal'));
    const ms = await client.untilClosed();
    assert.deepEqual(names(ms), ['error']);
    assert.equal(errorsOf(ms)[0].severity, 'FATAL');
  });

  it('closes cleanly on Terminate', async () => {
    const { client } = await RawClient.connect(port);
    const before = factory.sessions.length;
    const session = factory.sessions[before - 1];
    client.send(serialize.end());
    assert.deepEqual(await client.untilClosed(), []);
    await waitFor(() => session.closed);
  });
});

describe('startup', () => {
  it('answers SSLRequest and GSSENCRequest with N, then accepts the startup', async () => {
    for (const preamble of ['ssl', 'gss'] as const) {
      const { client, answer } = await RawClient.connect(port, { preamble });
      assert.equal(answer, 'N');
      client.send(serialize.query('select 1'));
      assert.deepEqual(tags(await client.untilReady()), ['SELECT 1']);
      client.close();
    }
  });

  it('sends the startup sequence in PostgreSQL order', async () => {
    const { client } = await RawClient.connect(port, { startup: false });
    client.send(serialize.startup({ user: 'u' }));
    const ms = await client.untilReady();
    const seq = names(ms);
    assert.equal(seq[0], 'authenticationOk');
    assert.deepEqual(seq.slice(-2), ['backendKeyData', 'readyForQuery']);
    assert.equal(seq.filter((n) => n === 'parameterStatus').length, 11);
    assert.equal(factory.sessions.at(-1)!.startupParams['database'], 'eddy');
    client.close();
  });

  it('rejects other protocol versions with FATAL 0A000', async () => {
    const { client } = await RawClient.connect(port, { startup: false });
    const pkt = Buffer.alloc(8);
    pkt.writeInt32BE(8, 0);
    pkt.writeInt32BE(2 << 16, 4);
    client.send(pkt);
    const ms = await client.untilClosed();
    assert.deepEqual(names(ms), ['error']);
    assert.equal(errorsOf(ms)[0].code, '0A000');
    assert.equal(errorsOf(ms)[0].message, 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
  });

  it('negotiates a newer 3.x minor version down to 3.0', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const st = serialize.startup({ user: 'u', _pq_x: '1' });
    st.writeInt32BE((3 << 16) | 2, 4);
    const chunks: Buffer[] = [];
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.write(st);
    await waitFor(() => Buffer.concat(chunks).includes(Buffer.from([0x5a, 0, 0, 0, 5, 0x49])));
    const all = Buffer.concat(chunks);
    assert.equal(all[0], 0x76); // 'v' NegotiateProtocolVersion first
    assert.equal(all.readInt32BE(5), 0); // newest minor supported
    socket.destroy();
  });

  it('requires a user name', async () => {
    const { client } = await RawClient.connect(port, { startup: false });
    const st = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 3, 0, 0]), Buffer.from('database\0x\0\0')]);
    st.writeInt32BE(st.length, 0);
    client.send(st);
    const ms = await client.untilClosed();
    assert.equal(errorsOf(ms)[0].code, '28000');
  });
});

describe('cancel', () => {
  async function sendCancel(processId: number, secretKey: number): Promise<void> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write(serialize.cancel(processId, secretKey));
    await new Promise((r) => s.once('close', r));
  }

  it('cancels a running statement with 57014', async () => {
    await withClient(async (c) => {
      const q = c.query('select slow');
      let settled = false;
      q.then(() => (settled = true), () => (settled = true));
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      // A cancel that arrives before the statement started is ignored (as in PostgreSQL): on a
      // loaded machine, send it again until the statement ends.
      while (!settled) {
        await sleep(50);
        if (!settled) await sendCancel(processID, secretKey);
      }
      await assert.rejects(q, (e: pg.DatabaseError) => e.code === '57014' && e.message === 'canceling statement due to user request');
      assert.equal((await c.query('select 1')).rowCount, 1);
    });
  });

  it('observes a cancel between batches of an async row stream (extended protocol)', async () => {
    const { client } = await RawClient.connect(port);
    client.send(serialize.parse({ text: 'select slow_rows' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    await client.until((ms) => ms.filter((m) => m.name === 'dataRow').length >= 3);
    await sendCancel(client.processId, client.secretKey);
    const ms = await client.untilReady();
    assert.deepEqual(names(ms).slice(-2), ['error', 'readyForQuery']);
    assert.equal(errorsOf(ms)[0].code, '57014');
    client.close();
  });

  it('ignores a cancel with the wrong key', async () => {
    await withClient(async (c) => {
      const q = c.query('select many_async');
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      await sendCancel(processID, secretKey ^ 1);
      assert.equal((await q).rowCount, 5);
    });
  });
});

describe('robustness', () => {
  async function stillServing(): Promise<void> {
    await withClient(async (c) => assert.equal((await c.query('select 1')).rowCount, 1));
  }

  it('closes only the offending connection on malformed input', async () => {
    const bystander = pgClient();
    await bystander.connect();
    const bad: [string, Buffer][] = [
      ['unknown type byte', Buffer.from('z\0\0\0\x04')],
      ['bad length', Buffer.from([0x51, 0, 0, 0, 1])],
      ['truncated body', (() => {
        const b = Buffer.from([0x42, 0, 0, 0, 12, 0, 0, 0, 0, 0, 5, 0, 0]);
        return b;
      })()],
      ['oversized', Buffer.from([0x51, 0x10, 0, 0, 0])],
      ['query without terminator', Buffer.from([0x51, 0, 0, 0, 7, 0x61, 0x62, 0x63])],
    ];
    for (const [what, bytes] of bad) {
      const { client } = await RawClient.connect(port);
      client.send(bytes);
      const ms = await client.untilClosed();
      assert.deepEqual(names(ms), ['error'], what);
      const [e] = errorsOf(ms);
      assert.equal(e.code, '08P01', what);
      assert.equal(e.severity, 'FATAL', what);
    }
    // Garbage before startup.
    const { client } = await RawClient.connect(port, { startup: false });
    client.send(Buffer.from([0, 0, 0, 3]));
    assert.equal(errorsOf(await client.untilClosed())[0].code, '08P01');
    assert.equal((await bystander.query('select 1')).rowCount, 1);
    await bystander.end();
  });

  it('survives abrupt disconnects mid-message and mid-statement', async () => {
    const baseline = server.connectionCount();
    for (let i = 0; i < 10; i++) {
      const { client } = await RawClient.connect(port);
      const q = serialize.query('select 1');
      client.send(q.subarray(0, 4));
      client.close();
    }
    for (const sql of ['select slow', 'select slow_rows', 'select big']) {
      const { client } = await RawClient.connect(port);
      client.send(serialize.query(sql));
      await sleep(20);
      client.close();
    }
    const { client } = await RawClient.connect(port);
    client.send(serialize.parse({ text: 'select slow' }), serialize.bind({}), serialize.execute({}), serialize.sync());
    await sleep(20);
    client.socket.resetAndDestroy();
    // Disconnect mid-startup.
    const half = net.connect(port, '127.0.0.1');
    await new Promise((r) => half.once('connect', r));
    half.write(serialize.startup({ user: 'x' }).subarray(0, 10));
    half.destroy();
    // Connections of earlier tests may still be closing, so the count can drop below the baseline.
    await waitFor(() => server.connectionCount() <= baseline);
    await stillServing();
  });

  it('serves 300 concurrent connections', async () => {
    const clients = Array.from({ length: 300 }, () => pgClient());
    await Promise.all(clients.map((c) => c.connect()));
    assert.ok(server.connectionCount() >= 300);
    const results = await Promise.all(clients.map((c, i) => c.query(i % 2 === 0 ? 'select 1' : 'select many_async')));
    assert.ok(results.every((r, i) => r.rowCount === (i % 2 === 0 ? 1 : 5)));
    await Promise.all(clients.map((c) => c.end()));
  });

  it('handles a multi-message chunk split at every byte boundary', async () => {
    const chunk = Buffer.concat([
      serialize.parse({ name: 'a', text: 'select $1', types: [23] }),
      serialize.bind({ statement: 'a', values: ['5'] }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.close({ type: 'S', name: 'a' }),
      serialize.sync(),
      serialize.query('select 1; insert'),
    ]);
    const { client: ref } = await RawClient.connect(port);
    ref.send(chunk);
    const expected = names(await ref.untilReady(2));
    ref.close();
    assert.deepEqual(expected, [
      'parseComplete',
      'bindComplete',
      'rowDescription',
      'dataRow',
      'commandComplete',
      'closeComplete',
      'readyForQuery',
      'rowDescription',
      'dataRow',
      'commandComplete',
      'commandComplete',
      'readyForQuery',
    ]);
    const { client } = await RawClient.connect(port);
    for (let i = 1; i < chunk.length; i++) {
      client.socket.write(chunk.subarray(0, i));
      await sleep(0);
      client.socket.write(chunk.subarray(i));
      assert.deepEqual(names(await client.untilReady(2)), expected, `split at ${i}`);
    }
    // And one byte per write.
    for (let i = 0; i < chunk.length; i++) {
      client.socket.write(chunk.subarray(i, i + 1));
      if (i % 7 === 0) await sleep(0);
    }
    assert.deepEqual(names(await client.untilReady(2)), expected);
    client.close();
  });

  it('coalesces the replies to a pipelined chunk into one write', async () => {
    const { client } = await RawClient.connect(port);
    let chunks = 0;
    client.socket.on('data', () => chunks++);
    const msgs: Buffer[] = [];
    for (let i = 0; i < 20; i++) msgs.push(serialize.parse({ text: 'select 1' }), serialize.bind({}), serialize.execute({}));
    client.send(...msgs, serialize.sync());
    const ms = await client.untilReady();
    assert.equal(ms.length, 20 * 4 + 1);
    assert.equal(chunks, 1);
    client.close();
  });
});

describe('shutdown', () => {
  it('sends FATAL 57P01 to every client and closes', async () => {
    const f = new FakeSessionFactory();
    const s = new PgServer({ host: '127.0.0.1', port: 0, sessions: f, logger });
    const p = await s.listen();
    const c = new pg.Client({ host: '127.0.0.1', port: p, user: 'u' });
    const errors: pg.DatabaseError[] = [];
    c.on('error', (e) => errors.push(e as pg.DatabaseError));
    await c.connect();
    const q = c.query('select slow').catch((e: pg.DatabaseError) => e);
    await sleep(20);
    await s.shutdown();
    const qe = (await q) as pg.DatabaseError;
    const all = [qe, ...errors];
    assert.ok(
      all.some((e) => e.code === '57P01' && e.message === 'terminating connection due to administrator command'),
      JSON.stringify(all.map((e) => [e.code, e.message])),
    );
    assert.equal(s.connectionCount(), 0);
    assert.ok(f.sessions[0].closed);
    await assert.rejects(new pg.Client({ host: '127.0.0.1', port: p, user: 'u' }).connect());
  });
});
