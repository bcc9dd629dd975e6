/** The SQL sinks' pure parts: netting a batch per key, options, type mapping and value conversion. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkBatch } from '../../runtime/connector/sink.js';
import { T, numericType, sqlType, TypeId, type SqlType } from '../../runtime/sql/types.js';
import { JSON_NULL, type Row } from '../../runtime/sql/values.js';
import { Decimal } from '../../runtime/sql/decimal.js';
import { Interval } from '../../runtime/sql/interval.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { appendedRows, netByKey } from '../sink-changes.js';
import { parseTable, parseUrl } from './options.js';
import { mysqlDialect } from '../mysql/sink.js';
import { postgresDialect } from '../postgres/sink.js';

const col = (name: string, type: SqlType): ColumnSchema => ({ name, type, notNull: false });

function batch(...epochs: [number, [Row, number][]][]): SinkBatch {
  return { epochs: epochs.map(([epoch, ch]) => ({ epoch, changes: ch.map(([row, weight]) => ({ row, weight })) })), lastEpoch: epochs[epochs.length - 1][0] };
}

test('netByKey: the net effect per key over the whole batch', () => {
  const b = batch(
    [1, [[['a', 1], 1], [['b', 1], 1], [['c', 5], -1], [['c', 6], 1]]],
    [2, [[['a', 1], -1], [['a', 2], 1], [['b', 1], -1], [['d', 1], -1]]],
    [3, [[['a', 2], -1], [['a', 3], 1], [['e', 1], -1], [['e', 1], 1]]],
  );
  const { upserts, deletes } = netByKey(b, [0]);
  assert.deepEqual(upserts.sort(), [['a', 3], ['c', 6]]);
  // b was inserted and deleted within the batch: nothing; e retracted and re-inserted unchanged: nothing.
  assert.deepEqual(deletes, [['d']]);
});

test('netByKey: a deleted key re-created in a later epoch is an upsert; composite keys', () => {
  const b = batch([4, [[['x', 1n, 'old'], -1]]], [5, [[['x', 1n, 'new'], 1], [['x', 2n, 'v'], -1]]]);
  const { upserts, deletes } = netByKey(b, [0, 1]);
  assert.deepEqual(upserts, [['x', 1n, 'new']]);
  assert.deepEqual(deletes, [['x', 2n]]);
});

test('appendedRows: inserted rows with their multiplicity, epoch order, retractions ignored', () => {
  const b = batch([1, [[[1], 1], [[2], 2]]], [2, [[[3], 1], [[1], -1]]]);
  assert.deepEqual(appendedRows(b), [[1], [2], [2], [3]]);
});

test('options: url, table', () => {
  const e = parseUrl('mysql', 'mysql://root:pw%40x@db.local:3307/shop', ['mysql'], 3306, 'x');
  assert.deepEqual([e.host, e.port, e.database, e.user, e.password, e.where], ['db.local', 3307, 'shop', 'root', 'pw@x', 'db.local:3307/shop']);
  assert.equal(parseUrl('postgres', 'postgresql://u@h/db', ['postgres', 'postgresql'], 5432, 'x').where, 'h:5432/db');
  assert.throws(() => parseUrl('mysql', 'postgresql://u@h/db', ['mysql'], 3306, 'x'), (err: SqlError) => err.code === '22023');
  assert.throws(() => parseUrl('mysql', 'not a url', ['mysql'], 3306, 'x'), (err: SqlError) => err.code === '22023');
  assert.deepEqual(parseTable('t'), { name: 't' });
  assert.deepEqual(parseTable('s.T'), { schema: 's', name: 'T' });
  assert.throws(() => parseTable('a.b.c'), (err: SqlError) => err.code === '22023');
});

test('MySQL: column types and exact values', () => {
  const d = mysqlDialect;
  const types: [SqlType, boolean, string][] = [
    [T.bool, false, 'BOOLEAN'], [T.int2, false, 'SMALLINT'], [T.int4, false, 'INT'], [T.int8, true, 'BIGINT'],
    [T.float4, false, 'FLOAT'], [T.float8, false, 'DOUBLE'], [numericType(12, 2), false, 'DECIMAL(12,2)'], [T.numeric, false, 'DECIMAL(65,30)'],
    [T.text, false, 'LONGTEXT'], [T.text, true, 'VARCHAR(255)'], [sqlType(TypeId.Varchar, 20), false, 'VARCHAR(20)'], [sqlType(TypeId.Bpchar, 3), true, 'CHAR(3)'],
    [T.date, false, 'DATE'], [T.timestamp, false, 'DATETIME(6)'], [T.timestamptz, true, 'DATETIME(6)'], [T.interval, false, 'VARCHAR(100)'],
    [T.jsonb, false, 'JSON'], [T.jsonb, true, 'VARCHAR(255)'],
  ];
  for (const [t, key, want] of types) assert.equal(d.columnType(col('c', t), key), want, `${t.id} key=${key}`);
  const lit = (v: unknown) => (v as { toSqlString(): string }).toSqlString();
  assert.equal(lit(d.toDriver(col('c', T.int8), -9223372036854775808n)), '-9223372036854775808');
  assert.equal(lit(d.toDriver(col('c', T.numeric), Decimal.fromString('123456789012345678901234.5678'))), '123456789012345678901234.5678');
  assert.throws(() => d.toDriver(col('c', T.numeric), Decimal.NaN), /NaN cannot be written to MySQL/);
  assert.throws(() => d.toDriver(col('c', T.float8), Infinity), /cannot be written to MySQL/);
  assert.equal(d.toDriver(col('c', T.timestamptz), Date.UTC(2024, 4, 1, 10, 0, 0) * 1000 + 1), '2024-05-01 10:00:00.000001');
  assert.equal(d.toDriver(col('c', T.date), 19844), '2024-05-01');
  assert.equal(d.toDriver(col('c', T.interval), new Interval(14, 3, 4_000_000)), '1 year 2 mons 3 days 00:00:04');
  assert.equal(d.toDriver(col('c', T.jsonb), { b: [1, null], a: 'x' }), '{"a": "x", "b": [1, null]}');
  assert.equal(d.toDriver(col('c', T.jsonb), JSON_NULL), 'null');
  assert.equal(d.upsertClause(['`k`', '`v`'], ['`k`']), 'ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)');
  assert.equal(d.ident('we`ird'), '`we``ird`');
  assert.throws(() => d.checkDefinition({ host: 'h', port: 1, database: 'db', user: '', password: '', where: '' }, undefined, [col('n', numericType(70, 2))]), /does not fit MySQL's DECIMAL/);
  assert.throws(() => d.checkDefinition({ host: 'h', port: 1, database: '', user: '', password: '', where: '' }, undefined, []), /needs a database/);
});

test('PostgreSQL: column types are Eddy\'s; values go as PostgreSQL text', () => {
  const d = postgresDialect;
  assert.equal(d.columnType(col('c', numericType(12, 2)), false), 'numeric(12,2)');
  assert.equal(d.columnType(col('c', T.timestamptz), true), 'timestamp with time zone');
  assert.equal(d.columnType(col('c', T.jsonb), false), 'jsonb');
  assert.equal(d.toDriver(col('c', T.int8), 9223372036854775807n), '9223372036854775807');
  assert.equal(d.toDriver(col('c', T.timestamptz), Date.UTC(2024, 4, 1, 10, 0, 0) * 1000 + 1), '2024-05-01 10:00:00.000001+00');
  assert.equal(d.toDriver(col('c', T.float8), 0.1), '0.1');
  assert.equal(d.toDriver(col('c', T.bool), true), 't');
  assert.equal(d.upsertClause(['"k"', '"v"'], ['"k"']), 'ON CONFLICT ("k") DO UPDATE SET "v" = EXCLUDED."v"');
  assert.equal(d.upsertClause(['"k"'], ['"k"']), 'ON CONFLICT ("k") DO NOTHING');
  assert.equal(d.ident('we"ird'), '"we""ird"');
  assert.ok(d.compatible(col('c', T.int4), { name: 'c', typeName: 'int8', display: 'bigint' }));
  assert.ok(!d.compatible(col('c', T.int8), { name: 'c', typeName: 'int4', display: 'integer' }));
  assert.ok(!d.compatible(col('c', T.timestamptz), { name: 'c', typeName: 'timestamp', display: 'timestamp without time zone' }));
});
