/** The datagen generator and source: option validation, determinism, resume at a position, pacing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, sqlType, TypeId, numericType } from '../../runtime/sql/types.js';
import { SqlError } from '../../runtime/sql/errors.js';
import type { Row } from '../../runtime/sql/values.js';
import { Decimal } from '../../runtime/sql/decimal.js';
import { datagenRow, parseDatagen } from './datagen-gen.js';
import { datagenSource } from './source.js';
import { runSource, streamOf } from './test-support.js';

const cols = [
  { name: 'id', type: T.int8, notNull: false },
  { name: 'grp', type: T.int4, notNull: false },
  { name: 'name', type: T.text, notNull: false },
  { name: 'code', type: sqlType(TypeId.Varchar, 4), notNull: false },
  { name: 'amount', type: numericType(10, 2), notNull: false },
  { name: 'score', type: T.float8, notNull: false },
  { name: 'ok', type: T.bool, notNull: false },
  { name: 'day', type: T.date, notNull: false },
  { name: 'ts', type: T.timestamptz, notNull: false },
];
const base = {
  connector: 'datagen', seed: '42', 'fields.id.kind': 'sequence', 'fields.grp.start': '-5', 'fields.grp.end': '5',
  'fields.name.choices': 'x,y,z', 'fields.amount.start': '1.5', 'fields.amount.end': '2.5', 'fields.ts.kind': 'event_time',
  'fields.ts.start': '2024-01-01 00:00:00+00', 'fields.ts.step': '250 ms', 'fields.ok.null_rate': '0.5',
};

function rows(options: Record<string, string>, from: number, to: number): Row[] {
  const cfg = parseDatagen(streamOf(cols, options));
  const out: Row[] = [];
  for (let i = from; i < to; i++) out.push(datagenRow(cfg, i, 0));
  return out;
}

test('values follow the options', () => {
  const rs = rows(base, 0, 2000);
  rs.forEach((r, i) => {
    assert.equal(r[0], BigInt(i + 1));
    assert.ok(typeof r[1] === 'number' && r[1] >= -5 && r[1] <= 5);
    assert.ok(['x', 'y', 'z'].includes(r[2] as string));
    assert.equal((r[3] as string).length, 4);
    const amount = Number((r[4] as Decimal).toString());
    assert.ok(amount >= 1.5 && amount <= 2.5);
    assert.ok(typeof r[5] === 'number' && r[5] >= 0 && r[5] < 1);
    assert.ok(r[6] === null || typeof r[6] === 'boolean');
    assert.ok(typeof r[7] === 'number' && r[7] >= 19723 && r[7] < 19723 + 366); // 2024 as days since 1970
    assert.equal(r[8], Date.UTC(2024, 0, 1) * 1000 + i * 250_000);
  });
  const nulls = rs.filter((r) => r[6] === null).length;
  assert.ok(nulls > 850 && nulls < 1150, `nulls ${nulls}`);
  assert.equal(new Set(rs.map((r) => r[1])).size, 11);
});

test('deterministic: row i depends only on the seed and i', () => {
  const a = rows(base, 0, 500);
  assert.deepEqual(rows(base, 0, 500), a);
  assert.deepEqual(rows(base, 250, 500), a.slice(250)); // generating from the middle gives the same rows
  const other = rows({ ...base, seed: '43' }, 0, 500);
  assert.notDeepEqual(other.map((r) => r[3]), a.map((r) => r[3]));
});

test('sequence wraps at end; event_time defaults to the generation rate', () => {
  const cfg = parseDatagen(streamOf([{ name: 'k', type: T.int2, notNull: false }, { name: 't', type: T.timestamp, notNull: false }],
    { 'fields.k.kind': 'sequence', 'fields.k.start': '10', 'fields.k.end': '12', 'fields.t.kind': 'event_time', rows_per_second: '100' }));
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => datagenRow(cfg, i, 0)[0]), [10, 11, 12, 10, 11]);
  assert.equal((datagenRow(cfg, 3, 0)[1] as number) - (datagenRow(cfg, 2, 0)[1] as number), 10_000);
});

test('the WATERMARK column defaults to the wall clock', () => {
  const cfg = parseDatagen(streamOf([{ name: 'id', type: T.int8, notNull: false }, { name: 'ts', type: T.timestamptz, notNull: false }], {}, 1));
  assert.equal(datagenRow(cfg, 0, 1_700_000_000_123_456)[1], 1_700_000_000_123_000);
});

test('bad options are 22023 errors naming the option', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ rows_per_second: '0' }, /rows_per_second/],
    [{ max_rows: '-1' }, /max_rows/],
    [{ seed: 'abc' }, /seed/],
    [{ whatever: '1' }, /whatever/],
    [{ 'fields.nope.kind': 'random' }, /nope/],
    [{ 'fields.id.colour': 'red' }, /fields\.id\.colour/],
    [{ 'fields.id.kind': 'spiral' }, /fields\.id\.kind/],
    [{ 'fields.id.kind': 'sequence', 'fields.id.length': '3' }, /fields\.id\.length/],
    [{ 'fields.grp.start': '10', 'fields.grp.end': '1' }, /fields\.grp\.end/],
    [{ 'fields.grp.end': '99999999999' }, /fields\.grp\.end/],
    [{ 'fields.name.length': 'long' }, /fields\.name\.length/],
    [{ 'fields.code.length': '9' }, /fields\.code\.length/],
    [{ 'fields.ts.kind': 'event_time', 'fields.ts.step': '1 month' }, /fields\.ts\.step/],
    [{ 'fields.ts.kind': 'event_time', 'fields.ts.start': 'yesterday-ish' }, /fields\.ts\.start/],
    [{ 'fields.grp.kind': 'event_time' }, /fields\.grp\.kind/],
    [{ 'fields.ok.null_rate': '2' }, /fields\.ok\.null_rate/],
    [{ 'fields.grp.choices': '1,two' }, /fields\.grp\.choices/],
  ];
  for (const [o, re] of cases) {
    assert.throws(() => parseDatagen(streamOf(cols, { connector: 'datagen', ...o })), (e: unknown) => e instanceof SqlError && e.code === '22023' && re.test(e.message), JSON.stringify(o));
  }
  assert.throws(() => parseDatagen(streamOf([{ name: 'j', type: T.jsonb, notNull: false }], {})), (e: unknown) => e instanceof SqlError && e.code === '0A000');
});

test('the source stops at max_rows and resumes at a committed position without gap or duplicate', async () => {
  const options = { ...base, rows_per_second: '50000', max_rows: '3000' };
  const stream = streamOf(cols, options);
  const full = await runSource(datagenSource, stream, undefined);
  assert.equal(full.rows.length, 3000);
  assert.deepEqual(full.positions[full.positions.length - 1], { rows: 3000 });
  assert.ok(full.statuses.some((s) => s.message?.includes('finished')));
  // Interrupted after some batches, then restarted from the last position it pushed.
  const first = await runSource(datagenSource, stream, undefined, 1000);
  const pos = first.positions[first.positions.length - 1] as { rows: number };
  assert.equal(pos.rows, first.rows.length);
  const rest = await runSource(datagenSource, stream, pos);
  assert.deepEqual([...first.rows, ...rest.rows], full.rows);
});

test('rows_per_second paces by the wall clock', async () => {
  const stream = streamOf([{ name: 'id', type: T.int8, notNull: false }], { rows_per_second: '2000' });
  const t0 = Date.now();
  const r = await runSource(datagenSource, stream, undefined, 1000);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 350 && elapsed < 5000, `1000 rows at 2000/s took ${elapsed} ms`);
  assert.ok(r.rows.length >= 1000 && r.rows.length < 1400);
});
