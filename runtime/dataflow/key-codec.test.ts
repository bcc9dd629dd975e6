import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../sql/decimal.js';
import { Interval } from '../sql/interval.js';
import { T } from '../sql/types.js';
import { JSON_NULL } from '../sql/values.js';
import type { Row, Value } from '../sql/values.js';
import { encodeKey, encodeKeyParts, keyNormalizer, keyOf, makeKeyFn, normalizeKeyValue } from './key-codec.js';
import type { KeyPart } from './key-codec.js';
import { KeyIndex } from './key-index.js';
import { sameRow, sameValue } from './row-identity.js';
import { encodeRow } from '../storage/value-codec.js';
import { SqlArray } from '../sql/array.js';

const dec = (s: string) => Decimal.fromString(s);
const mapKeyEq = (a: KeyPart, b: KeyPart) => new Map([[a, 1]]).has(b);

test('grouping equality: numeric scale, float -0/NaN, NULL, bpchar, interval, jsonb', () => {
  assert.ok(mapKeyEq(keyOf([dec('1.5')]), keyOf([dec('1.50')])));
  assert.ok(mapKeyEq(keyOf([dec('100')]), keyOf([dec('100.000')])));
  assert.ok(!mapKeyEq(keyOf([dec('1.5')]), keyOf([dec('15')])));
  assert.ok(mapKeyEq(keyOf([dec('NaN')]), keyOf([Decimal.NaN])));
  assert.ok(mapKeyEq(keyOf([-0]), keyOf([0])));
  assert.ok(mapKeyEq(keyOf([NaN]), keyOf([NaN])));
  assert.equal(keyOf([null]), null);
  assert.equal(encodeKey([-0, 1]), encodeKey([0, 1]));
  assert.equal(encodeKey([NaN, null]), encodeKey([NaN, null]));
  assert.equal(encodeKey([dec('1.5'), 'x']), encodeKey([dec('1.50'), 'x']));
  const bp = keyNormalizer(T.bpchar);
  assert.equal(bp('ab  '), bp('ab'));
  assert.ok(mapKeyEq(keyOf([Interval.parse('1 mon')]), keyOf([Interval.parse('30 days')])));
  const j = keyNormalizer(T.jsonb);
  assert.equal(j({ a: 1, b: [1, 2] }), j({ b: [1, 2], a: 1 }));
  assert.notEqual(j(JSON_NULL), j('null'));
  assert.equal(j(null), null);
  // int8 within the safe range meets int4 (joins across integer widths).
  assert.ok(mapKeyEq(normalizeKeyValue(5n), normalizeKeyValue(5)));
  assert.ok(mapKeyEq(normalizeKeyValue(dec('5.0')), normalizeKeyValue(5)));
  assert.equal(typeof normalizeKeyValue(2n ** 60n), 'bigint');
});

test('encodeKey format and injectivity on tricky strings', () => {
  assert.equal(encodeKey([5, 'ab', null]), '5,2:ab,_');
  assert.notEqual(encodeKey(['a,b']), encodeKey(['a', 'b']));
  assert.notEqual(encodeKey(['1:a']), encodeKey([1, 'a']));
  assert.notEqual(encodeKey([true]), encodeKey(['t']));
  assert.notEqual(encodeKey([5n * 10n ** 20n]), encodeKey(['500000000000000000000n']));
});

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, NaN, 1.5),
  fc.constantFrom('', 'a', 'a,b', '1:a', '_', 't'),
  fc.boolean(),
  fc.constantFrom(dec('1.5'), dec('1.50'), dec('2'), dec('NaN')),
  fc.constantFrom(2n ** 60n, 7n),
);

/** SQL grouping equality of two values, by hand. */
function groupEq(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (a instanceof Decimal || b instanceof Decimal) {
    const x = a instanceof Decimal ? a : typeof a === 'number' && Number.isInteger(a) ? Decimal.fromInt(a) : typeof a === 'bigint' ? Decimal.fromBigInt(a) : null;
    const y = b instanceof Decimal ? b : typeof b === 'number' && Number.isInteger(b) ? Decimal.fromInt(b) : typeof b === 'bigint' ? Decimal.fromBigInt(b) : null;
    return x !== null && y !== null && x.cmp(y) === 0;
  }
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const ok = (x: Value) => typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x));
    return ok(a) && ok(b) && BigInt(a as number) === BigInt(b as number);
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b || (a !== a && b !== b);
  return a === b;
}

test('property: encodeKey equal <=> values group together (representation-driven)', () => {
  fc.assert(
    fc.property(fc.array(valueArb, { minLength: 1, maxLength: 3 }), fc.array(valueArb, { minLength: 1, maxLength: 3 }), (a, b) => {
      const eq = a.length === b.length && a.every((v, i) => groupEq(v, b[i]));
      assert.equal(encodeKey(a) === encodeKey(b), eq);
    }),
    { numRuns: 2000 },
  );
});

test('makeKeyFn: primitive for one identity column, string for composites', () => {
  const f = makeKeyFn([(r) => r[0]], [T.int4]);
  assert.equal(f([7, 'x']), 7);
  assert.equal(f([null]), null);
  const g = makeKeyFn([(r) => r[0], (r) => r[1]], [T.int4, T.text]);
  assert.equal(g([7, 'x']), encodeKeyParts([7, 'x']));
  const n = makeKeyFn([(r) => r[0]], [T.numeric]);
  assert.equal(n([dec('2.50')]), n([dec('2.5')]));
});

test('property: KeyIndex behaves like a Map over encoded keys', () => {
  const partArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b', null, NaN));
  for (const arity of [0, 1, 2, 3]) {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.array(partArb, { minLength: arity, maxLength: arity }), fc.nat()), { maxLength: 60 }), (ops) => {
        const idx = new KeyIndex<number>(arity);
        const ref = new Map<string, number>();
        for (const [del, parts, v] of ops) {
          const k = encodeKeyParts(parts);
          if (del) assert.equal(idx.delete(parts), ref.delete(k));
          else {
            idx.set(parts, v);
            ref.set(k, v);
          }
          assert.equal(idx.get(parts), ref.get(k));
          assert.equal(idx.size, ref.size);
        }
        assert.deepEqual([...idx.values()].sort(), [...ref.values()].sort());
      }),
      { numRuns: 200 },
    );
  }
});

test('row identity agrees with encodeRow', () => {
  const v: fc.Arbitrary<Value> = fc.oneof(
    valueArb,
    fc.constantFrom<Value>(JSON_NULL, { a: 1 }, { a: 1.0 }, [1, [2]], { b: 1, a: 1 }, { a: 1, b: 1 }, new Interval(1, 0, 0), new Interval(0, 30, 0)),
  );
  fc.assert(
    fc.property(fc.array(v, { maxLength: 3 }), fc.array(v, { maxLength: 3 }), (a: Row, b: Row) => {
      assert.equal(sameRow(a, b), encodeRow(a) === encodeRow(b));
    }),
    { numRuns: 2000 },
  );
  assert.ok(!sameValue(0, -0));
  assert.ok(sameValue(NaN, NaN));
  // Numerics inside arrays compare by value and scale, not by object (a restored view's rows are new objects).
  const arr = (...xs: Value[]) => new SqlArray(xs);
  assert.ok(sameValue(arr(Decimal.fromString('1.5'), null), arr(Decimal.fromString('1.5'), null)));
  assert.ok(!sameValue(arr(Decimal.fromString('1.5')), arr(Decimal.fromString('1.50'))));
  assert.ok(sameValue(arr(Interval.parse('1 day')), arr(Interval.parse('1 day'))));
});
