import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../sql/decimal.js';
import { Interval } from '../sql/interval.js';
import { JSON_NULL } from '../sql/values.js';
import type { Row, Value } from '../sql/values.js';
import { serialize, deserialize, encodeRow, decodeRow } from './value-codec.js';

/** Representation-exact deep equality (Object.is for numbers, scale-aware for Decimal). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a instanceof Decimal) return b instanceof Decimal && a.toString() === b.toString();
  if (a instanceof Interval) return b instanceof Interval && a.identical(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as never)[k], (b as never)[k]));
  }
  return a === b;
}

const decimalArb = fc.oneof(
  fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 20 })).map(([c, s]) => Decimal.of(c, s)),
  fc.constantFrom(Decimal.NaN, Decimal.POSITIVE_INFINITY, Decimal.NEGATIVE_INFINITY, Decimal.ZERO),
);
const intervalArb = fc
  .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }))
  .map(([m, d, us]) => new Interval(m, d, us));
const stringArb = fc.oneof(fc.string(), fc.string().map((s) => '\u0001' + s), fc.constantFrom('', '\u0001', '\u0001n5', 'a"b\\c\n'));
const doubleArb = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e21, 5e-324));
const scalarArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  doubleArb,
  fc.bigInt(),
  stringArb,
  decimalArb,
  intervalArb,
  fc.constant(JSON_NULL),
);
const treeArb = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalarArb,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('\u0001x', '__proto__')), tie('node'), { maxKeys: 4 }),
  ),
})).node;

test('serialize/deserialize round-trips special values', () => {
  const cases: unknown[] = [
    null, true, false, 0, -0, NaN, Infinity, -Infinity, 1.5, 12345678901234567890n, -1n,
    Decimal.fromString('1.50'), Decimal.fromString('-0.000'), Decimal.NaN, Decimal.NEGATIVE_INFINITY,
    new Interval(1, 2, 3), JSON_NULL, '', '\u0001', '\u0001d1', 'plain', [1, [2, [3n]]], { a: { b: [JSON_NULL, null] } },
    undefined, [undefined],
  ];
  for (const c of cases) assert.ok(same(deserialize(serialize(c)), c), `round trip of ${String(serialize(c))}`);
  assert.equal(serialize([1n, Decimal.fromString('1.50'), null]), '["\\u0001n1","\\u0001d1.50",null]');
});

test('serialize rejects unsupported objects', () => {
  assert.throws(() => serialize(new Map()), TypeError);
  assert.throws(() => serialize(() => 1), TypeError);
});

test('property: deserialize(serialize(x)) == x', () => {
  fc.assert(fc.property(treeArb, (x) => same(deserialize(serialize(x)), x)), { numRuns: 500 });
});

test('property: decodeRow(encodeRow(row)) == row and encoding is identity', () => {
  const valueArb = scalarArb.filter((v) => v !== undefined) as fc.Arbitrary<Value>;
  fc.assert(
    fc.property(fc.array(valueArb, { maxLength: 6 }), (row: Row) => {
      const s = encodeRow(row);
      assert.ok(same(decodeRow(s), row));
      assert.equal(s, serialize(row));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.array(valueArb, { maxLength: 3 }), fc.array(valueArb, { maxLength: 3 }), (a, b) => {
      assert.equal(encodeRow(a) === encodeRow(b), same(a, b));
    }),
    { numRuns: 500 },
  );
});

test('jsonb values inside rows keep their shape', () => {
  const row: Row = [{ a: [1, 'x', null, { b: true }] }, JSON_NULL, ['\u0001odd'], 'text'];
  assert.ok(same(decodeRow(encodeRow(row)), row));
});
