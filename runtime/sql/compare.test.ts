import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareValues, equalityKey, valuesEqual } from './compare.js';
import { parseText, formatText } from './text-io.js';
import { T } from './types.js';
import { Decimal } from './decimal.js';
import { Interval } from './interval.js';
import { JSON_NULL } from './values.js';

test('float ordering: NaN above everything, -0 = 0', () => {
  const vals = [NaN, Infinity, 1, -Infinity, 0, NaN];
  vals.sort((a, b) => compareValues('float8', a, b));
  assert.deepEqual(vals.map(String), ['-Infinity', '0', '1', 'Infinity', 'NaN', 'NaN']);
  assert.ok(valuesEqual('float8', NaN, NaN));
  assert.ok(valuesEqual('float8', -0, 0));
  assert.equal(compareValues('float4', NaN, 1), 1);
});

test('scalars', () => {
  assert.equal(compareValues('int8', 9007199254740993n, 9007199254740992n), 1);
  assert.equal(compareValues('bool', false, true), -1);
  assert.equal(compareValues('numeric', Decimal.fromString('1.0'), Decimal.fromString('1')), 0);
  assert.equal(compareValues('numeric', Decimal.NaN, Decimal.POSITIVE_INFINITY), 1);
  assert.equal(compareValues('interval', Interval.parse('1 mon'), Interval.parse('30 days')), 0);
  assert.equal(compareValues('timestamp', -Infinity, 0), -1);
});

test('text uses code point order ("C" collation); bpchar ignores trailing spaces', () => {
  const words = ['a', 'B', 'b', 'ab', 'a ', 'é', 'z', '', 'Z', '\u{1F600}', '\uFFFD'];
  words.sort((a, b) => compareValues('text', a, b));
  assert.deepEqual(words, ['', 'B', 'Z', 'a', 'a ', 'ab', 'b', 'z', 'é', '\uFFFD', '\u{1F600}']);
  assert.equal(compareValues('bpchar', 'a  ', 'a'), 0);
  assert.ok(valuesEqual('bpchar', 'ab ', 'ab'));
  assert.ok(!valuesEqual('text', 'ab ', 'ab'));
});

test('jsonb ordering matches PostgreSQL', () => {
  const inputs = ['null', 'true', 'false', '0', '1', '-1', '1.5', '"a"', '"b"', '""', '[]', '[1]', '[1,2]', '[[]]',
    '{}', '{"a":1}', '{"a":2}', '{"b":1}', '{"aa":1}', '{"a":1,"b":1}', '[null]', '["a"]', '[true]', '{"a":[1]}'];
  const sorted = inputs.map((s) => parseText(T.jsonb, s)).sort((a, b) => compareValues('jsonb', a, b))
    .map((v) => formatText(T.jsonb, v));
  // SELECT string_agg(v::text, ' ; ' ORDER BY v) in PostgreSQL 15:
  assert.equal(sorted.join(' ; '),
    '[] ; null ; "" ; "a" ; "b" ; -1 ; 0 ; 1 ; 1.5 ; false ; true ; [null] ; ["a"] ; [1] ; [true] ; [[]] ; [1, 2] ; {} ; {"a": 1} ; {"a": 2} ; {"a": [1]} ; {"aa": 1} ; {"b": 1} ; {"a": 1, "b": 1}');
  assert.ok(valuesEqual('jsonb', JSON_NULL, JSON_NULL));
  assert.ok(valuesEqual('jsonb', { a: 1, b: [1] }, { b: [1], a: 1 }));
});

test('equalityKey agrees with valuesEqual', () => {
  const same: [Parameters<typeof equalityKey>[0], unknown, unknown][] = [
    ['numeric', Decimal.fromString('1.0'), Decimal.fromString('1.00')],
    ['interval', Interval.parse('1 mon'), Interval.parse('30 days')],
    ['bpchar', 'a  ', 'a'],
    ['float8', -0, 0],
    ['jsonb', { a: 1, b: 2 }, { b: 2, a: 1 }],
  ];
  for (const [t, a, b] of same) {
    assert.ok(valuesEqual(t, a as never, b as never));
    assert.equal(equalityKey(t, a as never), equalityKey(t, b as never), t);
  }
  assert.notEqual(equalityKey('numeric', Decimal.fromString('1.1')), equalityKey('numeric', Decimal.fromString('1.01')));
});
