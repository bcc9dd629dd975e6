import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import avsc from 'avsc';
import type { DecodedBatch, FormatColumn, FormatFactory, FormatOptions } from '../../runtime/connector/format.js';
import { T, numericType, sqlType, type SqlType } from '../../runtime/sql/types.js';
import { JSON_NULL, type Row, type Value } from '../../runtime/sql/values.js';
import { Decimal } from '../../runtime/sql/decimal.js';
import { Interval } from '../../runtime/sql/interval.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { jsonFormat, scanNumberTokens } from './json.js';
import { csvFormat, parseCsvRecord } from './csv.js';
import { avroFormat, deriveSchema } from './avro.js';
import { formatFor, formats } from './registry.js';

// ------------------------------------------------------------------------------ fixtures

const col = (name: string, type: SqlType): FormatColumn => ({ name, type });

const ALL: FormatColumn[] = [
  col('b', T.bool),
  col('i2', T.int2),
  col('i4', T.int4),
  col('i8', T.int8),
  col('f4', T.float4),
  col('f8', T.float8),
  col('n', T.numeric),
  col('n12_3', numericType(12, 3)),
  col('t', T.text),
  col('vc', sqlType('varchar', 10)),
  col('bc', sqlType('bpchar', 5)),
  col('d', T.date),
  col('ts', T.timestamp),
  col('tstz', T.timestamptz),
  col('iv', T.interval),
  col('j', T.jsonb),
];

const dec = (s: string): Decimal => Decimal.fromString(s);

const ROWS: Row[] = [
  [
    true, 32767, -2147483648, 9223372036854775807n, Math.fround(1.1), 0.1 + 0.2,
    dec('-12345678901234567890.123456789012345678901'), dec('123456789.123'),
    'héllo wörld 🎉 "quoted", with, commas\nand a newline', 'ten chars!', 'ab   ',
    19756, 1704103200123456, 1704103200000001, new Interval(14, 3, 4_000_005),
    { a: [1, 'x', null, { b: true }], 'ü': 'ß', n: -1.5 },
  ],
  [
    false, -32768, 0, -9223372036854775808n, -0.5, -1e300, dec('1.50'), dec('-0.001'),
    '', '', '     ', -800000, -63517788000000000, 0, new Interval(-1, -2, -3),
    ['x', 2],
  ],
  [
    true, 0, 1, 9007199254740993n, Infinity, NaN, Decimal.NaN, dec('0.000'),
    'NULL', 'a,b', '"q"  ', Infinity, -Infinity, Infinity, Interval.ZERO, 'just a string',
  ],
  [
    null, null, null, -9007199254740993n, null, -Infinity, dec('0.000000000000000000001'), null,
    ' spaces ', null, null, -Infinity, 1, -1, null, 42,
  ],
  ALL.map(() => null),
];

/** Values made comparable with deepEqual (Decimal and Interval by their exact text/fields). */
function norm(v: Value | undefined): unknown {
  if (v instanceof Decimal) return `D:${v.toString()}`;
  if (v instanceof Interval) return `I:${v.months}/${v.days}/${v.micros}`;
  return v;
}
const normRows = (rows: readonly (Row | undefined)[]): unknown => rows.map((r) => r?.map(norm));

async function roundTrip(
  format: FormatFactory,
  columns: readonly FormatColumn[],
  rows: readonly Row[],
  options: FormatOptions = {},
  subject?: string,
): Promise<{ batch: DecodedBatch; payloads: Buffer[] }> {
  format.validate(columns, options);
  const payloads = await format.encoder(columns, options, subject).encodeBatch(rows);
  const batch = await format.decoder(columns, options, subject).decodeBatch(payloads);
  return { batch, payloads };
}

function assertSqlError(e: unknown, code: string, message?: RegExp | string): true {
  assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message !== undefined) assert.match(e.message, message);
  return true;
}

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

// ------------------------------------------------------------------------------ round trips

for (const [format, options] of [
  [jsonFormat, {}],
  [csvFormat, {}],
  [csvFormat, { 'csv.delimiter': ';', 'csv.null': '\\N' }],
  [csvFormat, { 'csv.delimiter': '\\t' }],
  [avroFormat, {}],
] as [FormatFactory, FormatOptions][]) {
  test(`every type round-trips through ${format.name} ${JSON.stringify(options)}`, async () => {
    const opts: FormatOptions = format === avroFormat ? { 'avro.schema': deriveSchema(ALL, 'all') } : options;
    const { batch } = await roundTrip(format, ALL, ROWS, opts);
    assert.deepEqual(batch.errors, []);
    assert.deepEqual(normRows(batch.rows), normRows(ROWS));
  });
}

test('JSON_NULL round-trips where the format can tell it from NULL', async () => {
  const cols = [col('j', T.jsonb)];
  for (const format of [csvFormat, avroFormat]) {
    const opts: FormatOptions = format === avroFormat ? { 'avro.schema': deriveSchema(cols, 'r') } : {};
    const { batch } = await roundTrip(format, cols, [[JSON_NULL], [null]], opts);
    assert.deepEqual(batch.rows, [[JSON_NULL], [null]], format.name);
  }
  // JSON: a JSON null is SQL NULL in every column (as PostgreSQL's jsonb_populate_record).
  const { batch, payloads } = await roundTrip(jsonFormat, cols, [[JSON_NULL], [null]]);
  assert.deepEqual(payloads.map(String), ['{"j":null}', '{"j":null}']);
  assert.deepEqual(batch.rows, [[null], [null]]);
});

test('zero columns and one-column NULL records', async () => {
  const one = [col('x', T.text)];
  for (const format of [jsonFormat, csvFormat]) {
    const { batch } = await roundTrip(format, one, [[null], [''], ['a']]);
    assert.deepEqual(batch.rows, [[null], [''], ['a']], format.name);
  }
  const { batch } = await roundTrip(jsonFormat, [], [[]]);
  assert.deepEqual(batch.rows, [[]]);
});

// ------------------------------------------------------------------------------ json

test('json decoding: key matching, missing and unknown keys, conversions', async () => {
  const cols = [
    col('id', T.int8), col('userName', T.text), col('amount', T.numeric), col('at', T.timestamptz),
    col('day', T.date), col('ok', T.bool), col('meta', T.jsonb), col('note', T.text), col('constructor', T.text),
    col('r', T.float4),
  ];
  const dec8 = jsonFormat.decoder(cols, {});
  const { rows, errors } = await dec8.decodeBatch([
    buf('{"ID": 12345678901234567, "username": "ann", "amount": 1.50, "at": 1704103200123, "day": "2024-02-03", "ok": true, "meta": {"k": [1, 2]}, "note": 1.250, "extra": 1, "r": 0.1}'),
    buf('{"id": "-42", "amount": "1e3", "at": "2024-01-01T10:00:00.5Z", "meta": null, "note": {"a": 1}, "ok": "yes"}'),
    buf('{"id": 9223372036854775807, "amount": 123456789012345678901234567890.000000000000000001, "meta": "s", "note": true}'),
    buf('{"id": 1e3, "at": 1.5, "meta": 3, "constructor": "c"}'),
  ]);
  assert.deepEqual(errors, []);
  assert.deepEqual(normRows(rows), [
    [12345678901234567n, 'ann', 'D:1.50', 1704103200123000, 19756, true, { k: [1, 2] }, '1.250', null, Math.fround(0.1)],
    [-42n, null, 'D:1000', 1704103200500000, null, true, null, '{"a":1}', null, null],
    [9223372036854775807n, null, 'D:123456789012345678901234567890.000000000000000001', null, null, null, 's', 'true', null, null],
    [1000n, null, null, 1500, null, null, 3, null, 'c', null],
  ]);
});

test('json decoding errors name the record, column and value; good records of the batch decode', async () => {
  const cols = [col('n', T.int4), col('s', T.int2), col('b', T.int8), col('t', T.timestamptz), col('v', sqlType('varchar', 3))];
  const { rows, errors } = await jsonFormat.decoder(cols, {}).decodeBatch([
    buf('{"n": 1}'),
    buf('{"n": "abc"}'),
    buf('{"n": 1.5}'),
    buf('{"s": 40000}'),
    null,
    buf('[1, 2]'),
    buf('{"n": '),
    buf('{"n": true}'),
    buf('{"b": 9223372036854775808}'),
    buf('{"t": "not a time"}'),
    buf('{"v": "abcd"}'),
    Buffer.from([0x7b, 0xff, 0x7d]),
    buf('{"n": 2}'),
    Buffer.alloc(0),
    buf('null'),
  ]);
  assert.deepEqual(rows.map((r) => r?.[0]), [1, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 2, undefined, undefined]);
  const byIndex = new Map(errors.map((e) => [e.index, e]));
  assert.equal(errors.length, 13);
  assert.deepEqual(byIndex.get(1), { index: 1, message: 'column "n": invalid input syntax for type integer: "abc"', sqlstate: '22P02' });
  assert.deepEqual(byIndex.get(2), { index: 2, message: 'column "n": invalid input syntax for type integer: "1.5"', sqlstate: '22P02' });
  assert.deepEqual(byIndex.get(3), { index: 3, message: 'column "s": value "40000" is out of range for type smallint', sqlstate: '22003' });
  assert.deepEqual(byIndex.get(4), { index: 4, message: 'empty record', sqlstate: '22023' });
  assert.deepEqual(byIndex.get(5), { index: 5, message: 'JSON record must be an object, got array', sqlstate: '22023' });
  assert.equal(byIndex.get(6)?.sqlstate, '22P02');
  assert.match(byIndex.get(6)!.message, /^invalid JSON: /);
  assert.deepEqual(byIndex.get(7), { index: 7, message: 'column "n": cannot cast JSON boolean to type integer', sqlstate: '22023' });
  assert.deepEqual(byIndex.get(8), { index: 8, message: 'column "b": value "9223372036854775808" is out of range for type bigint', sqlstate: '22003' });
  assert.equal(byIndex.get(9)?.sqlstate, '22007');
  assert.match(byIndex.get(9)!.message, /^column "t": invalid input syntax for type timestamp with time zone: "not a time"/);
  assert.deepEqual(byIndex.get(10), { index: 10, message: 'column "v": value too long for type character varying(3)', sqlstate: '22001' });
  assert.equal(byIndex.get(11)?.sqlstate, '22P02');
  assert.equal(byIndex.get(13)?.message, 'empty record');
  assert.equal(byIndex.get(14)?.message, 'JSON record must be an object, got null');
});

test('json encoding: exact text of every type', async () => {
  const cols = [
    col('i8', T.int8), col('big', T.int8), col('n', T.numeric), col('long', T.numeric), col('f', T.float8),
    col('nan', T.float4), col('tstz', T.timestamptz), col('ts', T.timestamp), col('whole', T.timestamptz),
    col('d', T.date), col('iv', T.interval), col('j', T.jsonb), col('b', T.bool), col('nul', T.text), col('s', T.text),
  ];
  const [out] = await jsonFormat.encoder(cols, {}).encodeBatch([[
    -5n, 9007199254740993n, dec('1.50'), dec('1234567890.1234567'), 1e21, NaN,
    1704103200123456, 1704103200123456, 1704103200000000, 19756, new Interval(1, 2, 3_000_000),
    { a: 1, b: [true, null] }, false, null, 'say "hi"\n',
  ]]);
  assert.equal(
    out.toString(),
    '{"i8":-5,"big":"9007199254740993","n":1.50,"long":"1234567890.1234567","f":1e+21,"nan":"NaN",' +
      '"tstz":"2024-01-01T10:00:00.123456Z","ts":"2024-01-01T10:00:00.123456","whole":"2024-01-01T10:00:00Z",' +
      '"d":"2024-02-03","iv":"1 mon 2 days 00:00:03","j":{"a":1,"b":[true,null]},"b":false,"nul":null,"s":"say \\"hi\\"\\n"}',
  );
  assert.equal(jsonFormat.encoder(cols, {}).contentType, 'application/json');
});

test('json number tokens are scanned from the source text', () => {
  const m = scanNumberTokens(' { "a" : -1.50e3 , "s":"x\\"}", "o": {"a": 2}, "k\\u0041": 7, "arr": [1,2], "a2":0}');
  assert.deepEqual([...m], [['a', '-1.50e3'], ['kA', '7'], ['a2', '0']]);
});

// ------------------------------------------------------------------------------ csv

test('csv record parsing: RFC 4180 quoting', () => {
  const p = (s: string, d = ',', n = ''): (string | null)[] => parseCsvRecord(s, d, n);
  assert.deepEqual(p('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(p('"a,b","say ""hi""","line1\nline2"'), ['a,b', 'say "hi"', 'line1\nline2']);
  assert.deepEqual(p(',"",x'), [null, '', 'x']);
  assert.deepEqual(p('a,b\r\n'), ['a', 'b']);
  assert.deepEqual(p('a,"b"\n'), ['a', 'b']);
  assert.deepEqual(p('a,'), ['a', null]);
  assert.deepEqual(p(''), [null]);
  assert.deepEqual(p('5\'10",x'), ['5\'10"', 'x']);
  assert.deepEqual(p('"a;b";\\N;c', ';', '\\N'), ['a;b', null, 'c']);
  assert.deepEqual(p('"\\N",', ',', '\\N'), ['\\N', '']);
  assert.throws(() => p('"abc'), /unterminated CSV quoted field/);
  assert.throws(() => p('"a"b,c'), /unexpected character after a closing quote in CSV field 1/);
});

test('csv decoding: field counts, bad values and header skipping', async () => {
  const cols = [col('id', T.int4), col('name', T.text)];
  const d = csvFormat.decoder(cols, { 'csv.header': 'true' });
  const { rows, errors, skipped } = await d.decodeBatch([
    buf('ID,Name\n'), buf('1,ann'), buf('2'), buf('3,b,c'), buf('x,y'), buf('"4,"'), buf('5,"unterminated'), null, buf('6,"a ""b"""'),
  ]);
  assert.deepEqual(rows, [undefined, [1, 'ann'], undefined, undefined, undefined, undefined, undefined, undefined, [6, 'a "b"']]);
  assert.deepEqual(skipped, [0]);
  assert.deepEqual(errors, [
    { index: 2, message: 'CSV record has 1 field, expected 2', sqlstate: '22023' },
    { index: 3, message: 'CSV record has 3 fields, expected 2', sqlstate: '22023' },
    { index: 4, message: 'column "id": invalid input syntax for type integer: "x"', sqlstate: '22P02' },
    { index: 5, message: 'CSV record has 1 field, expected 2', sqlstate: '22023' },
    { index: 6, message: 'unterminated CSV quoted field', sqlstate: '22P02' },
    { index: 7, message: 'empty record', sqlstate: '22023' },
  ]);
  // Without csv.header the header line is a bad record like any other.
  const plain = await csvFormat.decoder(cols, {}).decodeBatch([buf('id,name')]);
  assert.equal(plain.skipped, undefined);
  assert.equal(plain.errors[0].message, 'column "id": invalid input syntax for type integer: "id"');
});

test('csv encoding quotes only what needs it', async () => {
  const cols = [col('a', T.text), col('b', T.text), col('c', T.int4), col('d', T.bool), col('e', T.jsonb)];
  const enc = csvFormat.encoder(cols, {});
  assert.equal(enc.contentType, 'text/csv');
  const out = await enc.encodeBatch([
    ['plain', 'with,comma', 1, true, { k: 'v' }],
    ['', null, null, false, null],
    ['say "x"', 'two\nlines', -1, null, [1]],
  ]);
  assert.deepEqual(out.map(String), [
    'plain,"with,comma",1,t,"{""k"": ""v""}"',
    '"",,,f,',
    '"say ""x""","two\nlines",-1,,[1]',
  ]);
  const semi = await csvFormat.encoder(cols, { 'csv.delimiter': ';', 'csv.null': 'NULL' }).encodeBatch([['a;b', 'NULL', null, null, null]]);
  assert.equal(String(semi[0]), '"a;b";"NULL";NULL;NULL;NULL');
});

// ------------------------------------------------------------------------------ options and registry of formats

test('validate rejects unknown format options and bad values with 22023', () => {
  const cols = [col('a', T.text)];
  assert.throws(() => csvFormat.validate(cols, { 'csv.delimeter': ';' }), (e) => assertSqlError(e, '22023', 'option "csv.delimeter" is not valid for format csv'));
  assert.throws(() => csvFormat.validate(cols, { 'avro.schema': '{}' }), (e) => assertSqlError(e, '22023', /not valid for format csv/));
  assert.throws(() => jsonFormat.validate(cols, { 'csv.header': 'true' }), (e) => assertSqlError(e, '22023', /not valid for format json/));
  assert.throws(() => csvFormat.validate(cols, { 'csv.delimiter': ';;' }), (e) => assertSqlError(e, '22023', /single character/));
  assert.throws(() => csvFormat.validate(cols, { 'csv.delimiter': '"' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => csvFormat.validate(cols, { 'csv.delimiter': '' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => csvFormat.validate(cols, { 'csv.header': 'maybe' }), (e) => assertSqlError(e, '22023', /Boolean/));
  assert.throws(() => csvFormat.validate(cols, { 'csv.null': 'a,b' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => avroFormat.validate(cols, { 'schema.registry': 'ftp://x' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => avroFormat.validate(cols, { 'schema.registry': 'not a url' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => avroFormat.validate(cols, { 'avro.schema': '"string"' }), (e) => assertSqlError(e, '22023', /must be an Avro record/));
  assert.throws(() => avroFormat.validate(cols, { 'avro.schema': '{"type":"record","name":"r","fields":[{"name":"a","type":"nope"}]}' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => avroFormat.validate(cols, { 'schema.registry.username': 'u' }), (e) => assertSqlError(e, '22023'));
  assert.throws(() => avroFormat.decoder(cols, {}), (e) => assertSqlError(e, '22023', /needs "schema.registry" or "avro.schema"/));
  assert.throws(() => avroFormat.encoder(cols, { 'schema.registry': 'http://localhost:1' }), (e) => assertSqlError(e, '22023', /needs a subject/));
  // Transport options (outside the format namespaces) are left to the connector.
  csvFormat.validate(cols, { topic: 't', brokers: 'b:9092', 'csv.delimiter': '|' });
  jsonFormat.validate(cols, { format: 'json', topic: 't' });
});

test('formatFor knows json, csv and avro', () => {
  assert.deepEqual([...formats.keys()], ['json', 'csv', 'avro']);
  assert.equal(formatFor('CSV'), csvFormat);
  assert.throws(() => formatFor('xml'), (e) => {
    assertSqlError(e, '22023', 'unknown format "xml"');
    assert.equal((e as SqlError).hint, 'Valid formats are json, csv, avro.');
    return true;
  });
});

// ------------------------------------------------------------------------------ avro

/** A minimal Confluent schema registry: GET /schemas/ids/:id, POST /subjects/:s/versions. */
async function fakeRegistry(auth?: string): Promise<{ url: string; close: () => Promise<void>; requests: string[]; add: (schema: object) => number; subjects: Map<string, number> }> {
  const schemas: string[] = [];
  const subjects = new Map<string, number>();
  const requests: string[] = [];
  const add = (schema: object | string): number => {
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const i = schemas.indexOf(text);
    if (i >= 0) return i + 1;
    schemas.push(text);
    return schemas.length;
  };
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify(body));
    };
    if (auth !== undefined && req.headers.authorization !== 'Basic ' + Buffer.from(auth).toString('base64')) {
      reply(401, { error_code: 401, message: 'Unauthorized' });
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const get = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && get !== null) {
        const s = schemas[Number(get[1]) - 1];
        if (s === undefined) reply(404, { error_code: 40403, message: 'Schema not found' });
        else reply(200, { schema: s });
        return;
      }
      const post = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
      if (req.method === 'POST' && post !== null) {
        const id = add((JSON.parse(body) as { schema: string }).schema);
        subjects.set(decodeURIComponent(post[1]), id);
        reply(200, { id });
        return;
      }
      reply(404, { error_code: 404, message: 'HTTP 404 Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    subjects,
    add,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nothing listens on. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const confluent = (id: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(5);
  h.writeInt32BE(id, 1);
  return Buffer.concat([h, body]);
};

const PRODUCER_SCHEMA = {
  type: 'record',
  name: 'Order',
  namespace: 'com.example',
  fields: [
    { name: 'OrderId', type: 'long' },
    { name: 'customer', type: ['null', 'string'], default: null },
    { name: 'placed_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'shipDay', type: ['null', { type: 'int', logicalType: 'date' }] },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'qty', type: 'int' },
    { name: 'weight', type: 'double' },
    { name: 'express', type: 'boolean' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'SHIPPED'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'attrs', type: { type: 'map', values: 'int' } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'int'] }] }] },
    { name: 'raw', type: 'bytes' },
    { name: 'again', type: ['null', 'com.example.Status'] },
    { name: 'micros', type: { type: 'long', logicalType: 'local-timestamp-micros' } },
    { name: 'ignored', type: 'string' },
  ],
};

const ORDER_COLUMNS = [
  col('orderid', T.int8), col('customer', T.text), col('placed_at', T.timestamptz), col('shipday', T.date),
  col('price', numericType(10, 2)), col('qty', T.int2), col('weight', T.float8), col('express', T.bool),
  col('status', T.text), col('tags', T.jsonb), col('attrs', T.jsonb), col('address', T.jsonb), col('raw', T.text),
  col('again', T.text), col('micros', T.timestamp), col('absent', T.int4), col('qty_text', T.text),
];

test('avro decodes Confluent-framed records written by avsc, fetching each schema once', async (t) => {
  const reg = await fakeRegistry('user:pa ss');
  t.after(() => reg.close());
  const id = reg.add(PRODUCER_SCHEMA);
  const type = avsc.Type.forSchema(PRODUCER_SCHEMA as never);
  // (avsc's own long type stops at 2^52; Eddy's reads the full 64 bits, tested below)
  const value = {
    OrderId: 4503599627370495, customer: 'Zoë', placed_at: 1704103200123, shipDay: 19757,
    price: Buffer.from([0xff, 0x85]), // -123 unscaled = -1.23
    qty: 7, weight: 0.25, express: true, status: 'SHIPPED', tags: ['a', 'b'], attrs: { x: 1 },
    address: { city: 'Oslo', zip: null }, raw: Buffer.from([1, 0xab]), again: 'NEW', micros: 1704103200123456, ignored: 'x',
  };
  const nulls = { ...value, customer: null, shipDay: null, address: null, again: null };
  const payload = confluent(id, type.toBuffer(value));
  const decoder = avroFormat.decoder(ORDER_COLUMNS, {
    'schema.registry': reg.url + '/',
    'schema.registry.username': 'user',
    'schema.registry.password': 'pa ss',
  });
  const { rows, errors } = await decoder.decodeBatch([
    payload,
    confluent(id, type.toBuffer(nulls)),
    Buffer.from([1, 2, 3]),
    confluent(id, Buffer.from([1])),
    confluent(99, Buffer.from([0])),
    null,
  ]);
  assert.deepEqual(normRows(rows.slice(0, 2)), [
    [4503599627370495n, 'Zoë', 1704103200123000, 19757, 'D:-1.23', 7, 0.25, true, 'SHIPPED', ['a', 'b'], { x: 1 }, { city: 'Oslo', zip: null }, '\\x01ab', 'NEW', 1704103200123456, null, null],
    [4503599627370495n, null, 1704103200123000, null, 'D:-1.23', 7, 0.25, true, 'SHIPPED', ['a', 'b'], { x: 1 }, null, '\\x01ab', null, 1704103200123456, null, null],
  ]);
  assert.deepEqual(rows.slice(2), [undefined, undefined, undefined, undefined]);
  assert.deepEqual(errors.map((e) => [e.index, e.sqlstate]), [[2, '22P03'], [3, '22P03'], [4, '22023'], [5, '22023']]);
  assert.match(errors[0].message, /not in the schema registry wire format \(too short\)/);
  assert.match(errors[1].message, /^invalid Avro record: /);
  assert.match(errors[2].message, /cannot fetch schema 99: HTTP 404: Schema not found/);
  // A second batch uses the cached schema.
  const again = await decoder.decodeBatch([payload]);
  assert.deepEqual(again.errors, []);
  assert.deepEqual(reg.requests.filter((r) => r === `GET /schemas/ids/${id}`).length, 1);
});

test('avro encode -> decode round trip through the registry (Confluent framing, subject-value)', async (t) => {
  const reg = await fakeRegistry();
  t.after(() => reg.close());
  const opts = { 'schema.registry': reg.url };
  const { batch, payloads } = await roundTrip(avroFormat, ALL, ROWS, opts, 'all-types');
  assert.deepEqual(batch.errors, []);
  assert.deepEqual(normRows(batch.rows), normRows(ROWS));
  assert.equal(payloads[0][0], 0);
  const id = payloads[0].readInt32BE(1);
  assert.equal(reg.subjects.get('all-types-value'), id);
  // One registration for the whole batch, later batches and other encoders of the same schema.
  const enc = avroFormat.encoder(ALL, opts, 'all-types');
  await enc.encodeBatch(ROWS);
  await enc.encodeBatch(ROWS);
  assert.equal(reg.requests.filter((r) => r.startsWith('POST')).length, 1); // cached per registry, subject and schema
  // A caller-chosen key subject is used as is.
  await avroFormat.encoder([col('k', T.int4)], opts, 'orders-key').encodeBatch([[1]]);
  assert.ok(reg.subjects.has('orders-key'));
  // The registered schema is readable by other Avro clients: avsc decodes it directly.
  const schema = JSON.parse(deriveSchema(ALL, 'all-types')) as object;
  const plain = avsc.Type.forSchema(schema as never, { wrapUnions: 'auto' });
  const rec = plain.fromBuffer(payloads[4].subarray(5)) as Record<string, unknown>;
  assert.equal(rec.b, null);
});

test('avro with the schema written by a user, plain binary without a registry', async () => {
  const schema = JSON.stringify({
    type: 'record', name: 'r', fields: [
      { name: 'id', type: 'long' },
      { name: 'when', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'amount', type: { type: 'fixed', name: 'amt', size: 8, logicalType: 'decimal', precision: 12, scale: 4 } },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
      { name: 'doc', type: ['null', { type: 'record', name: 'Doc', fields: [{ name: 'n', type: 'long' }, { name: 'tags', type: { type: 'array', items: 'string' } }] }] },
      { name: 'extra', type: 'string', default: 'dflt' },
      { name: 'choice', type: ['null', 'string', 'long'] },
    ],
  });
  const cols = [col('id', T.int8), col('when', T.timestamptz), col('amount', T.numeric), col('kind', T.text), col('doc', T.jsonb), col('choice', T.text)];
  const rows: Row[] = [
    [-9223372036854775808n, 1704103200123000, dec('-12.3456'), 'B', { n: 5, tags: ['x'] }, 'str'],
    [1n, -1000, dec('0'), 'A', null, null],
  ];
  const { batch, payloads } = await roundTrip(avroFormat, cols, rows, { 'avro.schema': schema });
  assert.deepEqual(batch.errors, []);
  assert.deepEqual(normRows(batch.rows), normRows([
    [-9223372036854775808n, 1704103200123000, dec('-12.3456'), 'B', { n: 5, tags: ['x'] }, 'str'],
    [1n, -1000, dec('0.0000'), 'A', null, null],
  ]));
  // The field without a column got its default.
  const rec = avsc.Type.forSchema(JSON.parse(schema) as never, { registry: {} }).fromBuffer(payloads[1], undefined, true) as Record<string, unknown>;
  assert.equal(rec.extra, 'dflt');
  // Values the schema cannot hold reject the batch with the column named.
  await assert.rejects(
    avroFormat.encoder(cols, { 'avro.schema': schema }).encodeBatch([[1n, 0, dec('1'), 'C', null, null]]),
    (e) => assertSqlError(e, '22023', /^column "kind": "C" is not a symbol of Avro enum Kind/),
  );
  await assert.rejects(
    avroFormat.encoder(cols, { 'avro.schema': schema }).encodeBatch([[null, 0, dec('1'), 'A', null, null]]),
    (e) => assertSqlError(e, '22004', /^column "id": null value for non-nullable Avro field "id"/),
  );
  assert.throws(() => avroFormat.encoder([...cols, col('zzz', T.int4)], { 'avro.schema': schema }), (e) => assertSqlError(e, '22023', /column "zzz" has no field/));
});

test('avro: a value that does not fit its column is a DecodeError naming the column', async () => {
  const schema = JSON.stringify({ type: 'record', name: 'r', fields: [{ name: 'n', type: 'long' }, { name: 's', type: 'string' }] });
  const w = avsc.Type.forSchema(JSON.parse(schema) as never);
  const d = avroFormat.decoder([col('n', T.int4), col('s', T.int4)], { 'avro.schema': schema });
  const { rows, errors } = await d.decodeBatch([w.toBuffer({ n: 1, s: '2' }), w.toBuffer({ n: 2 ** 40, s: '3' }), w.toBuffer({ n: 3, s: 'x' })]);
  assert.deepEqual(rows, [[1, 2], undefined, undefined]);
  assert.deepEqual(errors, [
    { index: 1, message: 'column "n": integer out of range', sqlstate: '22003' },
    { index: 2, message: 'column "s": invalid input syntax for type integer: "x"', sqlstate: '22P02' },
  ]);
});

test('a schema registry that is down: DecodeErrors per record, encode rejects with 08001', async () => {
  const url = await deadUrl();
  const d = avroFormat.decoder([col('a', T.text)], { 'schema.registry': url });
  const { rows, errors } = await d.decodeBatch([confluent(1, Buffer.from([2, 0x61])), confluent(1, Buffer.from([0]))]);
  assert.deepEqual(rows, [undefined, undefined]);
  assert.equal(errors.length, 2);
  for (const [i, e] of errors.entries()) {
    assert.equal(e.index, i);
    assert.equal(e.sqlstate, '08001');
    assert.ok(e.message.startsWith(`schema registry ${url}: cannot fetch schema 1: `), e.message);
  }
  await assert.rejects(
    avroFormat.encoder([col('a', T.text)], { 'schema.registry': url }, 'events').encodeBatch([['x']]),
    (e) => assertSqlError(e, '08001', new RegExp(`^schema registry ${url}: cannot register the schema of subject "events-value": `)),
  );
});

test('schema registry credentials in the URL become basic auth and stay out of messages', async (t) => {
  const reg = await fakeRegistry('me:secret');
  t.after(() => reg.close());
  const withCreds = reg.url.replace('http://', 'http://me:secret@');
  const { batch } = await roundTrip(avroFormat, [col('a', T.text)], [['x']], { 'schema.registry': withCreds }, 's');
  assert.deepEqual(batch.rows, [['x']]);
  await assert.rejects(
    avroFormat.encoder([col('a', T.text)], { 'schema.registry': reg.url, 'schema.registry.username': 'me', 'schema.registry.password': 'wrong' }, 't').encodeBatch([['x']]),
    (e) => {
      assertSqlError(e, '08001', /HTTP 401: Unauthorized/);
      assert.ok(!(e as Error).message.includes('wrong'));
      return true;
    },
  );
});

test('json: the ISO-8601 UTC fast path equals PostgreSQL input parsing', async () => {
  const { isoUtcMicros } = await import('./json.js');
  const { parseText } = await import('../../runtime/sql/text-io.js');
  const { T } = await import('../../runtime/sql/types.js');
  const samples = ['2024-05-01T10:00:03Z', '2024-05-01 10:00:03.5Z', '2024-02-29T23:59:59.999999Z', '1970-01-01T00:00:00+00:00', '1969-12-31T23:59:59.000001Z', '0100-03-01T00:00:00Z', '9999-12-31T23:59:59Z', '2024-05-01T10:00:03+0000', '2000-02-29T12:00:00-00'];
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const ms = (seed / 2147483648) * 4e12 - 1e12;
    const iso = new Date(Math.floor(ms)).toISOString();
    samples.push(iso, iso.replace('.', '.').replace('Z', '123Z'));
  }
  for (const s of samples) {
    const fast = isoUtcMicros(s);
    assert.notEqual(fast, undefined, s);
    assert.equal(fast, parseText(T.timestamptz, s), s);
  }
  for (const s of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00+01:00', '0050-01-01T00:00:00Z', '2024-05-01']) {
    assert.equal(isoUtcMicros(s), undefined, s);
  }
});
