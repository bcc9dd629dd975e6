import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../../sql/decimal.js';
import { sqrtAtScale } from './variance.js';
import { Interval } from '../../sql/interval.js';
import { arrayOf, T } from '../../sql/types.js';
import { SqlArray } from '../../sql/array.js';
import type { SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { deserialize, serialize } from '../../storage/value-codec.js';
import { makeValuesKeyFn } from '../../dataflow/key-codec.js';
import { distinctAccumulator, resolveAggregate } from './registry.js';
import type { Accumulator, AggregateOptions } from './registry.js';

function agg(name: string, types: SqlType[], opts?: AggregateOptions): Accumulator {
  const r = resolveAggregate(name, types, opts);
  assert.ok(r, `${name} resolves`);
  return r.create();
}

/** Runs add() over (args, weight) pairs and returns the result. */
function run(acc: Accumulator, changes: [Value[], number][]): Value {
  for (const [a, w] of changes) acc.add(a, w);
  return acc.result();
}

const ins = (...vals: Value[]): [Value[], number][] => vals.map((v) => [[v], 1]);
const dec = (s: string) => Decimal.fromString(s);
const str = (v: Value) => (v === null ? null : String(v));

test('resolveAggregate: result types follow PostgreSQL', () => {
  const rt = (name: string, t: SqlType[]) => resolveAggregate(name, t)?.returnType.id ?? null;
  assert.equal(rt('count', []), 'int8');
  assert.equal(rt('count', [T.text]), 'int8');
  assert.equal(rt('sum', [T.int2]), 'int8');
  assert.equal(rt('sum', [T.int4]), 'int8');
  assert.equal(rt('sum', [T.int8]), 'numeric');
  assert.equal(rt('sum', [T.numeric]), 'numeric');
  assert.equal(rt('sum', [T.float4]), 'float4');
  assert.equal(rt('sum', [T.float8]), 'float8');
  assert.equal(rt('sum', [T.interval]), 'interval');
  assert.equal(rt('sum', [T.text]), null);
  assert.equal(rt('avg', [T.int4]), 'numeric');
  assert.equal(rt('avg', [T.int8]), 'numeric');
  assert.equal(rt('avg', [T.float4]), 'float8');
  assert.equal(rt('avg', [T.interval]), 'interval');
  assert.equal(rt('min', [T.varchar]), 'text');
  assert.equal(rt('max', [T.bpchar]), 'bpchar');
  assert.equal(rt('max', [T.timestamptz]), 'timestamptz');
  assert.equal(rt('max', [T.jsonb]), null);
  assert.equal(rt('every', [T.bool]), 'bool');
  assert.equal(rt('BOOL_OR', [T.bool]), 'bool');
  assert.equal(rt('string_agg', [T.varchar, T.unknown]), 'text');
  assert.equal(rt('nope', [T.int4]), null);
});

test('count', () => {
  assert.equal(run(agg('count', []), [[[], 1], [[], 1], [[], -1]]), 1n);
  assert.equal(run(agg('count', [T.int4]), ins(1, null, 3)), 2n);
  assert.equal(agg('count', []).result(), 0n);
});

test('sum: types, NULL on no rows, exactness', () => {
  assert.equal(run(agg('sum', [T.int4]), ins(5, 7, null)), 12n);
  assert.equal(run(agg('sum', [T.int4]), [[[5], 1], [[5], -1]]), null);
  assert.equal(agg('sum', [T.int4]).result(), null);
  // int4 sums beyond 2^53 stay exact.
  const big = agg('sum', [T.int4]);
  big.add([2147483647], 1 << 22);
  big.add([2147483647], 1 << 22);
  big.add([1], 1);
  assert.equal(big.result(), 2147483647n * 2n ** 23n + 1n);
  assert.equal(str(run(agg('sum', [T.int8]), ins(9223372036854775807n, 9223372036854775807n))), '18446744073709551614');
  assert.equal(str(run(agg('sum', [T.numeric]), ins(dec('1.50'), dec('2')))), '3.50');
  const n = agg('sum', [T.numeric]);
  run(n, ins(dec('1.50'), dec('2')));
  n.add([dec('1.50')], -1);
  assert.equal(str(n.result()), '2', 'scale follows the rows still present');
  assert.equal(str(run(agg('sum', [T.numeric]), ins(dec('NaN'), dec('1')))), 'NaN');
  const inf = agg('sum', [T.numeric]);
  run(inf, ins(dec('Infinity'), dec('-Infinity')));
  assert.equal(str(inf.result()), 'NaN');
  inf.add([dec('-Infinity')], -1);
  assert.equal(str(inf.result()), 'Infinity');
  assert.equal(run(agg('sum', [T.float4]), ins(1.5, 2.25)), 3.75);
  assert.equal(run(agg('sum', [T.float8]), ins(0.1, 0.2)), 0.1 + 0.2);
  const f = agg('sum', [T.float8]);
  run(f, ins(1e300, 1, -1e300));
  assert.equal(f.result(), 1, 'exact float sum');
  f.add([1e300], 1);
  f.add([1e300], -1);
  assert.equal(f.result(), 1, 'retraction leaves no residue');
  assert.equal(run(agg('sum', [T.float8]), ins(1, Infinity, -Infinity)), NaN);
  const iv = run(agg('sum', [T.interval]), ins(new Interval(1, 2, 3), new Interval(0, 1, 1))) as Interval;
  assert.ok(iv.identical(new Interval(1, 3, 4)));
});

test('avg: PostgreSQL result scales', () => {
  assert.equal(str(run(agg('avg', [T.int4]), ins(1, 2))), '1.5000000000000000');
  assert.equal(str(run(agg('avg', [T.int4]), ins(1, 2, 4))), '2.3333333333333333');
  assert.equal(str(run(agg('avg', [T.int4]), ins(3, 3))), '3.0000000000000000');
  assert.equal(str(run(agg('avg', [T.int8]), ins(9223372036854775807n, 9223372036854775807n))), '9223372036854775807');
  assert.equal(str(run(agg('avg', [T.numeric]), ins(dec('1.5'), dec('2.25')))), '1.8750000000000000');
  assert.equal(str(run(agg('avg', [T.numeric]), ins(dec('1'), dec('1')))), '1.00000000000000000000');
  assert.equal(str(run(agg('avg', [T.numeric]), ins(dec('0.000001'), dec('0.000002')))), '0.000001500000000000000000');
  assert.equal(str(run(agg('avg', [T.numeric]), ins(dec('1.123456789012345678'), dec('2')))), '1.561728394506172839');
  assert.equal(run(agg('avg', [T.float4]), ins(1.5, 2.25)), 1.875);
  assert.equal(agg('avg', [T.int4]).result(), null);
  const iv = run(agg('avg', [T.interval]), ins(Interval.parse('1 day'), Interval.parse('2 days'), Interval.parse('1 mon'))) as Interval;
  assert.equal(iv.toString(), '11 days');
});

test('min/max with retractions', () => {
  const mx = agg('max', [T.int4]);
  run(mx, ins(3, 9, 5));
  assert.equal(mx.result(), 9);
  mx.add([9], -1);
  assert.equal(mx.result(), 5);
  mx.add([3], -1);
  mx.add([5], -1);
  assert.equal(mx.result(), null);
  const mn = agg('min', [T.text]);
  run(mn, ins('b', 'a', 'c', 'a'));
  mn.add(['a'], -1);
  assert.equal(mn.result(), 'a');
  mn.add(['a'], -1);
  assert.equal(mn.result(), 'b');
  // Retraction before insertion within a batch.
  const m2 = agg('max', [T.int4]);
  m2.add([7], -1);
  m2.add([7], 1);
  m2.add([2], 1);
  assert.equal(m2.result(), 2);
  assert.equal(str(run(agg('max', [T.numeric]), ins(dec('1.5'), dec('NaN'), dec('2')))), 'NaN');
  assert.equal(run(agg('max', [T.float8]), ins(1, NaN, 2)), NaN);
});

test('bool_and / bool_or / every', () => {
  const a = agg('bool_and', [T.bool]);
  run(a, ins(true, false, null));
  assert.equal(a.result(), false);
  a.add([false], -1);
  assert.equal(a.result(), true);
  a.add([true], -1);
  assert.equal(a.result(), null);
  assert.equal(run(agg('bool_or', [T.bool]), ins(false, true)), true);
  assert.equal(run(agg('every', [T.bool]), ins(true, true)), true);
});

test('string_agg: delimiters, NULLs, ORDER BY', () => {
  assert.equal(run(agg('string_agg', [T.text, T.text]), [[['a', ','], 1], [['b', null], 1], [['c', ';'], 1]]), 'ab;c');
  assert.equal(run(agg('string_agg', [T.text, T.text]), [[[null, ','], 1]]), null);
  const opts = { orderBy: [{ type: T.text, desc: false, nullsFirst: false }] };
  const s = agg('string_agg', [T.text, T.text], opts);
  run(s, [[['b', ',', 'b'], 1], [['a', ',', 'a'], 1], [['c', ',', 'c'], 1]]);
  assert.equal(s.result(), 'a,b,c');
  s.add(['b', ',', 'b'], -1);
  assert.equal(s.result(), 'a,c');
  const desc = agg('string_agg', [T.text, T.text], { orderBy: [{ type: T.int4, desc: true, nullsFirst: true }] });
  run(desc, [[['x', '-', 1], 1], [['y', '-', null], 1], [['z', '-', 2], 2]]);
  assert.equal(desc.result(), 'y-z-z-x');
});

test('distinctAccumulator forwards only multiplicity edges', () => {
  const d = distinctAccumulator(agg('count', [T.int4]), makeValuesKeyFn([T.int4]));
  run(d, ins(1, 1, 2));
  assert.equal(d.result(), 2n);
  d.add([1], -1);
  assert.equal(d.result(), 2n);
  d.add([1], -1);
  assert.equal(d.result(), 1n);
  const s = distinctAccumulator(agg('sum', [T.numeric]), makeValuesKeyFn([T.numeric]));
  run(s, ins(dec('1.5'), dec('1.50'), dec('2')));
  assert.equal(str(s.result()), '3.5', 'numeric 1.5 and 1.50 are one distinct value');
  s.add([dec('1.50')], -1);
  assert.equal(str(s.result()), '3.5');
  s.add([dec('1.5')], -1);
  assert.equal(str(s.result()), '2');
});

// ---------------------------------------------------------------- randomised vs from-scratch

interface Case {
  name: string;
  types: SqlType[];
  opts?: AggregateOptions;
  value: fc.Arbitrary<Value[]>;
  /** Batch reference over the multiset (list with repeats) of argument tuples. */
  reference: (rows: Value[][]) => Value;
  distinct?: boolean;
}

const smallInt = fc.option(fc.integer({ min: -50, max: 50 }), { freq: 6 });
const decArb = fc.option(
  fc.tuple(fc.bigInt({ min: -10000n, max: 10000n }), fc.integer({ min: 0, max: 4 })).map(([c, s]) => Decimal.of(c, s)),
  { freq: 6 },
);
const nonNull = (rows: Value[][]) => rows.map((r) => r[0]).filter((v) => v !== null);

function exactFloatRef(xs: number[]): number {
  // Σ x * 2^1074 as a bigint, then rounded once to a double.
  let s = 0n;
  const buf = new DataView(new ArrayBuffer(8));
  for (const x of xs) {
    buf.setFloat64(0, x);
    const bits = buf.getBigUint64(0);
    const exp = Number((bits >> 52n) & 0x7ffn);
    let mant = bits & 0xfffffffffffffn;
    if (exp !== 0) mant |= 1n << 52n;
    const shift = BigInt(Math.max(exp, 1) - 1);
    const v = mant << shift;
    s += bits >> 63n ? -v : v;
  }
  if (s === 0n) return 0;
  const neg = s < 0n;
  const a = neg ? -s : s;
  const len = a.toString(2).length;
  const t = Math.max(0, len - 64);
  let q = a >> BigInt(t);
  if (q << BigInt(t) !== a) q |= 1n;
  let r = Number(q);
  let e = t - 1074;
  if (e < -1000) {
    r *= 2 ** -600;
    e += 600;
  }
  r *= 2 ** e;
  return neg ? -r : r;
}

const floatArb = fc.option(
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }), fc.constantFrom(0.1, 0.2, 0.3, 1e16, -1e16, 1, 5e-324)),
  { freq: 6 },
);

const cases: Case[] = [
  { name: 'count(*)', types: [], value: fc.constant([]), reference: (rows) => BigInt(rows.length) },
  { name: 'count(x)', types: [T.int4], value: smallInt.map((v) => [v]), reference: (rows) => BigInt(nonNull(rows).length) },
  {
    name: 'sum(int4)', types: [T.int4], value: smallInt.map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? nonNull(rows).reduce((a: bigint, v) => a + BigInt(v as number), 0n) : null),
  },
  {
    name: 'sum(int8)', types: [T.int8], value: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? Decimal.fromBigInt(nonNull(rows).reduce((a: bigint, v) => a + (v as bigint), 0n)) : null),
  },
  {
    name: 'sum(numeric)', types: [T.numeric], value: decArb.map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? nonNull(rows).reduce((a: Decimal, v) => a.add(v as Decimal), Decimal.ZERO) : null),
  },
  {
    name: 'sum(float8)', types: [T.float8], value: floatArb.map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? exactFloatRef(nonNull(rows) as number[]) : null),
  },
  {
    name: 'avg(int4)', types: [T.int4], value: smallInt.map((v) => [v]),
    reference: (rows) => {
      const xs = nonNull(rows);
      return xs.length ? Decimal.fromBigInt(xs.reduce((a: bigint, v) => a + BigInt(v as number), 0n)).div(Decimal.fromInt(xs.length)) : null;
    },
  },
  {
    name: 'avg(numeric)', types: [T.numeric], value: decArb.map((v) => [v]),
    reference: (rows) => {
      const xs = nonNull(rows) as Decimal[];
      return xs.length ? xs.reduce((a, v) => a.add(v), Decimal.ZERO).div(Decimal.fromInt(xs.length)) : null;
    },
  },
  {
    // From scratch with the same formula: checks retraction and save/load, not the formula.
    name: 'var_samp(numeric)', types: [T.numeric], value: decArb.map((v) => [v]),
    reference: (rows) => {
      const xs = nonNull(rows) as Decimal[];
      if (xs.length < 2) return null;
      const n = Decimal.fromInt(xs.length);
      const sx = xs.reduce((a, v) => a.add(v), Decimal.ZERO);
      const num = n.mul(xs.reduce((a, v) => a.add(v.mul(v)), Decimal.ZERO)).sub(sx.mul(sx));
      return num.sign() <= 0 ? Decimal.ZERO : num.div(n.mul(Decimal.fromInt(xs.length - 1)));
    },
  },
  {
    name: 'stddev_pop(int4)', types: [T.int4], value: smallInt.map((v) => [v]),
    reference: (rows) => {
      const xs = (nonNull(rows) as number[]).map((v) => Decimal.fromInt(v));
      if (xs.length < 1) return null;
      const n = Decimal.fromInt(xs.length);
      const sx = xs.reduce((a, v) => a.add(v), Decimal.ZERO);
      const num = n.mul(xs.reduce((a, v) => a.add(v.mul(v)), Decimal.ZERO)).sub(sx.mul(sx));
      if (num.sign() <= 0) return Decimal.ZERO;
      const variance = num.div(n.mul(n));
      return sqrtAtScale(variance, variance.scale);
    },
  },
  {
    name: 'min(int4)', types: [T.int4], value: smallInt.map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? Math.min(...(nonNull(rows) as number[])) : null),
  },
  {
    name: 'max(text)', types: [T.text], value: fc.option(fc.constantFrom('a', 'b', 'ab', 'z', ''), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? (nonNull(rows) as string[]).reduce((a, b) => (b > a ? b : a)) : null),
  },
  {
    name: 'bool_and', types: [T.bool], value: fc.option(fc.boolean(), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? nonNull(rows).every((v) => v === true) : null),
  },
  {
    name: 'count(distinct x)', types: [T.int4], value: smallInt.map((v) => [v]), distinct: true,
    reference: (rows) => BigInt(new Set(nonNull(rows)).size),
  },
  {
    name: 'string_agg(x, \',\' ORDER BY x)', types: [T.text, T.text],
    opts: { orderBy: [{ type: T.text, desc: false, nullsFirst: false }] },
    value: fc.option(fc.constantFrom('a', 'b', 'c', 'dd'), { freq: 6 }).map((v) => [v, ',', v]),
    reference: (rows) => {
      const xs = (nonNull(rows) as string[]).sort();
      return xs.length ? xs.join(',') : null;
    },
  },
  {
    name: 'bit_and(int4)', types: [T.int4], value: fc.option(fc.integer(), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? (nonNull(rows) as number[]).reduce((a, b) => a & b) : null),
  },
  {
    name: 'bit_or(int2)', types: [T.int2], value: fc.option(fc.integer({ min: -32768, max: 32767 }), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? (nonNull(rows) as number[]).reduce((a, b) => a | b) : null),
  },
  {
    name: 'bit_xor(int8)', types: [T.int8], value: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? (nonNull(rows) as bigint[]).reduce((a, b) => a ^ b) : null),
  },
  {
    name: 'bit_and(int8)', types: [T.int8], value: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 6 }).map((v) => [v]),
    reference: (rows) => (nonNull(rows).length ? (nonNull(rows) as bigint[]).reduce((a, b) => a & b) : null),
  },
  {
    name: 'percentile_cont(0.3) WITHIN GROUP (ORDER BY x)', types: [T.float8],
    opts: { orderBy: [{ type: T.float8, desc: false, nullsFirst: false }] },
    value: smallInt.map((v) => [0.3, v]),
    reference: (rows) => {
      const xs = (rows.map((r) => r[1]).filter((v) => v !== null) as number[]).sort((a, b) => a - b);
      if (xs.length === 0) return null;
      const p = 0.3 * (xs.length - 1);
      const lo = xs[Math.floor(p)];
      return Math.floor(p) === Math.ceil(p) ? lo : lo + (p - Math.floor(p)) * (xs[Math.ceil(p)] - lo);
    },
  },
  {
    name: 'percentile_disc(0.6) WITHIN GROUP (ORDER BY x DESC)', types: [T.float8],
    opts: { orderBy: [{ type: T.int4, desc: true, nullsFirst: true }] },
    value: smallInt.map((v) => [0.6, v]),
    reference: (rows) => {
      const xs = (rows.map((r) => r[1]).filter((v) => v !== null) as number[]).sort((a, b) => b - a);
      return xs.length === 0 ? null : xs[Math.max(Math.ceil(0.6 * xs.length), 1) - 1];
    },
  },
  {
    name: 'mode() WITHIN GROUP (ORDER BY x)', types: [],
    opts: { orderBy: [{ type: T.int4, desc: false, nullsFirst: false }] },
    value: fc.option(fc.integer({ min: -4, max: 4 }), { freq: 6 }).map((v) => [v]),
    reference: (rows) => {
      const freq = new Map<number, number>();
      for (const v of nonNull(rows) as number[]) freq.set(v, (freq.get(v) ?? 0) + 1);
      let best: number | null = null;
      let bestN = 0;
      for (const [v, n] of [...freq].sort((a, b) => a[0] - b[0])) if (n > bestN) [best, bestN] = [v, n];
      return best;
    },
  },
  {
    name: 'jsonb_agg(x ORDER BY x)', types: [T.int4],
    opts: { orderBy: [{ type: T.int4, desc: false, nullsFirst: false }] },
    value: smallInt.map((v) => [v, v]),
    reference: (rows) => {
      if (rows.length === 0) return null;
      const xs = rows.map((r) => r[0] as number | null).sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
      return xs;
    },
  },
  {
    name: 'jsonb_object_agg(k, v ORDER BY v)', types: [T.text, T.int4],
    opts: { orderBy: [{ type: T.int4, desc: false, nullsFirst: false }] },
    value: fc.tuple(fc.constantFrom('a', 'b', 'c'), smallInt).map(([k, v]) => [k, v, v]),
    reference: (rows) => {
      if (rows.length === 0) return null;
      const sorted = [...rows].sort((a, b) => (a[1] === null ? (b[1] === null ? 0 : 1) : b[1] === null ? -1 : (a[1] as number) - (b[1] as number)));
      const o: { [k: string]: number | null } = {};
      for (const [k, v] of sorted) o[k as string] = v as number | null;
      return o as Value;
    },
  },
];

/** Random add/retract sequences; retractions only of tuples currently present. */
function script(value: fc.Arbitrary<Value[]>) {
  return fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), value, fc.nat(), fc.integer({ min: 1, max: 3 })), { maxLength: 80 });
}

/** Results compared as serialized values; jsonb objects with their keys sorted (key order is not significant). */
const resultStr = (v: Value) => serialize(v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype
  ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Value : v);

for (const c of cases) {
  test(`randomised add/retract == from scratch: ${c.name}`, () => {
    fc.assert(
      fc.property(script(c.value), fc.nat({ max: 80 }), (ops, saveAt) => {
        const r = resolveAggregate(c.name.startsWith('count(distinct') ? 'count' : c.name.replace(/\(.*/s, ''), c.types, c.opts);
        assert.ok(r);
        const make = () => (c.distinct ? distinctAccumulator(r.create(), makeValuesKeyFn(r.argTypes)) : r.create());
        let acc = make();
        const live: Value[][] = [];
        ops.forEach(([kind, tuple, pick, mult], i) => {
          if (kind === 0 && live.length > 0) {
            const t = live.splice(pick % live.length, 1)[0];
            acc.add(t, -1);
          } else if (kind === 1) {
            for (let j = 0; j < mult; j++) live.push(tuple);
            acc.add(tuple, mult);
          } else {
            live.push(tuple);
            acc.add(tuple, 1);
          }
          if (i === saveAt) {
            // Persist and reload mid-sequence.
            const restored = make();
            restored.load(deserialize(serialize(acc.save())));
            acc = restored;
          }
          assert.equal(resultStr(acc.result()), resultStr(c.reference(live)));
        });
      }),
      { numRuns: 150 },
    );
  });
}

test('columnar forms compute what the row accumulators compute, with the same saved state', () => {
  const specs: [string, SqlType[], fc.Arbitrary<Value[]>][] = [
    ['count', [], fc.constant([])],
    ['count', [T.int4], smallInt.map((v) => [v])],
    ['sum', [T.int4], fc.option(fc.integer(), { freq: 6 }).map((v) => [v])],
    ['avg', [T.int2], smallInt.map((v) => [v])],
    ['bool_and', [T.bool], fc.option(fc.boolean(), { freq: 6 }).map((v) => [v])],
    ['bool_or', [T.bool], fc.option(fc.boolean(), { freq: 6 }).map((v) => [v])],
  ];
  for (const [name, types, arb] of specs) {
    const r = resolveAggregate(name, types)!;
    assert.ok(r.createColumn, `${name} has a columnar form`);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), arb, fc.integer({ min: -3, max: 3 })), { maxLength: 60 }), (ops) => {
        const col = r.createColumn!();
        const accs = new Map<number, Accumulator>();
        for (const [slot, args, w] of ops) {
          if (!accs.has(slot)) {
            accs.set(slot, r.create());
            col.reset(slot);
          }
          accs.get(slot)!.add(args, w);
          col.add(slot, args, w);
          assert.equal(serialize(col.result(slot)), serialize(accs.get(slot)!.result()));
        }
        for (const [slot, acc] of accs) {
          assert.equal(serialize(col.save(slot)), serialize(acc.save()));
          const fresh = r.create();
          fresh.load(deserialize(serialize(col.save(slot))));
          assert.equal(serialize(fresh.result()), serialize(acc.result()));
          const col2 = r.createColumn!();
          col2.load(slot + 100, deserialize(serialize(acc.save())));
          assert.equal(serialize(col2.result(slot + 100)), serialize(acc.result()));
        }
      }),
      { numRuns: 100 },
    );
  }
  const big = resolveAggregate('sum', [T.int4])!.createColumn!();
  big.reset(0);
  big.add(0, [2147483647], 1 << 22);
  big.add(0, [2147483647], 1 << 22);
  big.add(0, [1], 1);
  assert.equal(big.result(0), 2147483647n * 2n ** 23n + 1n);
});

test('float sum: weighted adds, huge magnitudes, subnormals stay exact', () => {
  const f = agg('sum', [T.float8]);
  f.add([0.1], 1000);
  assert.equal(f.result(), exactFloatRef(new Array(1000).fill(0.1)));
  f.add([0.1], -999);
  f.add([0.5], 1);
  f.add([0.1], -1);
  assert.equal(f.result(), 0.5);
  f.add([0.5], -1);
  assert.equal(f.result(), null);
  f.add([0.1], 123456789);
  f.add([0.3], 3);
  const g = agg('sum', [T.float8]);
  g.add([0.3], 3);
  g.add([0.1], 123456789);
  assert.equal(f.result(), g.result(), 'order-independent');
  const h = agg('sum', [T.float8]);
  run(h, ins(1e308, 1e308, -1e308));
  assert.equal(h.result(), 1e308, 'no intermediate overflow');
  h.add([1e308], -1);
  assert.equal(h.result(), 0);
  const s = agg('sum', [T.float8]);
  run(s, ins(5e-324, 5e-324, 1e-310));
  assert.equal(s.result(), exactFloatRef([5e-324, 5e-324, 1e-310]));
  const a = agg('avg', [T.float8]);
  run(a, ins(1e308, 1e308));
  assert.equal(a.result(), Infinity, 'the sum itself overflows (PostgreSQL raises 22003 here)');
});

// ------------------------------------------------------------------ insert-only min/max

/** Values of several types with SQL-equal but differently represented members (1.5 / 1.50, -0 / 0, 'a' / 'a  '). */
const appendOnlyCases: { name: 'min' | 'max'; type: SqlType; value: fc.Arbitrary<Value> }[] = [
  { name: 'max', type: T.int4, value: fc.option(fc.integer({ min: -50, max: 50 }), { freq: 6 }) },
  { name: 'min', type: T.int8, value: fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { freq: 6 }) },
  { name: 'max', type: T.numeric, value: fc.option(fc.constantFrom(dec('1.5'), dec('1.50'), dec('1.500'), dec('-2'), dec('-2.0'), dec('NaN')), { freq: 6 }) },
  { name: 'min', type: T.numeric, value: fc.option(fc.constantFrom(dec('1.5'), dec('1.50'), dec('-2.0'), dec('-2')), { freq: 6 }) },
  { name: 'min', type: T.float8, value: fc.option(fc.constantFrom(0, -0, 1.5, NaN, -Infinity), { freq: 6 }) },
  { name: 'max', type: T.float8, value: fc.option(fc.constantFrom(0, -0, -1.5, NaN), { freq: 6 }) },
  { name: 'max', type: T.bpchar, value: fc.option(fc.constantFrom('a', 'a  ', 'b ', 'b', ''), { freq: 6 }) },
  { name: 'min', type: T.text, value: fc.option(fc.constantFrom('a', 'b', 'ab', ''), { freq: 6 }) },
  { name: 'max', type: T.interval, value: fc.option(fc.constantFrom(Interval.parse('1 mon'), Interval.parse('30 days'), Interval.parse('1 day')), { freq: 6 }) },
];

for (const c of appendOnlyCases) {
  test(`insert-only ${c.name}(${c.type.id}) == retractable ${c.name}, representation and save/load included`, () => {
    const r = resolveAggregate(c.name, [c.type]);
    assert.ok(r?.createAppendOnly);
    fc.assert(
      fc.property(fc.array(fc.tuple(c.value, fc.integer({ min: 1, max: 3 })), { maxLength: 60 }), fc.nat({ max: 60 }), (ops, saveAt) => {
        const ref = r.create();
        let acc = r.createAppendOnly!();
        ops.forEach(([v, w], i) => {
          ref.add([v], w);
          acc.add([v], w);
          if (i === saveAt) {
            const restored = r.createAppendOnly!();
            restored.load(deserialize(serialize(acc.save())));
            acc = restored;
          }
          assert.equal(resultStr(acc.result()), resultStr(ref.result()));
        });
        // A snapshot of the retractable form (state persisted before the insert-only form) loads too.
        const legacy = r.createAppendOnly!();
        legacy.load(deserialize(serialize(ref.save())));
        assert.equal(resultStr(legacy.result()), resultStr(ref.result()));
      }),
      { numRuns: 200 },
    );
  });
}

test('insert-only min/max: the saved state stays O(1) over 100k inserts', () => {
  const r = resolveAggregate('max', [T.int8]);
  assert.ok(r?.createAppendOnly);
  const acc = r.createAppendOnly();
  const multiset = r.create();
  let max = -1n;
  for (let i = 0; i < 100_000; i++) {
    const v = BigInt((i * 7919) % 1_000_003) * 1000n;
    if (v > max) max = v;
    acc.add([v], 1);
    multiset.add([v], 1);
  }
  assert.equal(acc.result(), max);
  const bytes = serialize(acc.save()).length;
  assert.ok(bytes < 32, `insert-only state is ${bytes} chars`);
  assert.ok(serialize(multiset.save()).length > 100_000 * 8, 'the retractable form keeps every value');
  const mn = resolveAggregate('min', [T.text])!.createAppendOnly!();
  for (let i = 0; i < 100_000; i++) mn.add([`v${i}`], 1);
  assert.equal(mn.result(), 'v0');
  assert.ok(serialize(mn.save()).length < 32);
});

test('insert-only min/max refuse a retraction (XX000) instead of answering wrongly', () => {
  const acc = resolveAggregate('max', [T.int4])!.createAppendOnly!();
  acc.add([3], 1);
  acc.add([9], 2);
  acc.add([null], -1); // NULLs are ignored, retracted or not
  assert.throws(() => acc.add([9], -1), (e: unknown) => {
    const err = e as { code?: string; message?: string };
    return err.code === 'XX000' && /max\(\) kept insert-only state but received a retraction/.test(err.message ?? '');
  });
  assert.equal(acc.result(), 9);
  assert.equal(resolveAggregate('sum', [T.int4])!.createAppendOnly, undefined, 'O(1) aggregates need no insert-only form');
  assert.equal(resolveAggregate('string_agg', [T.text, T.text])!.createAppendOnly, undefined, 'string_agg shows every value');
});

test('bit_and / bit_or / bit_xor: result type = argument type, two\'s complement, NULL over no rows', () => {
  const rt = (name: string, t: SqlType) => resolveAggregate(name, [t])?.returnType.id ?? null;
  assert.equal(rt('bit_and', T.int2), 'int2');
  assert.equal(rt('bit_or', T.int4), 'int4');
  assert.equal(rt('bit_xor', T.int8), 'int8');
  assert.equal(rt('bit_and', T.numeric), null);
  // PostgreSQL: bit_and/or/xor(-1::int2, 6::int2) = 6, -1, -7.
  assert.equal(run(agg('bit_and', [T.int2]), ins(-1, 6)), 6);
  assert.equal(run(agg('bit_or', [T.int2]), ins(-1, 6)), -1);
  assert.equal(run(agg('bit_xor', [T.int2]), ins(-1, 6)), -7);
  assert.equal(run(agg('bit_or', [T.int8]), ins(-(2n ** 63n), 1n)), -(2n ** 63n) + 1n);
  // RisingWave bit_agg.slt: xor(1, 10, 38, 41) = 4, then without 1: 5.
  const x = agg('bit_xor', [T.int4]);
  assert.equal(run(x, ins(1, 10, 38, 41)), 4);
  assert.equal(run(x, [[[1], -1]]), 5);
  // Only NULL left after retraction: NULL, not the reset state.
  const a = agg('bit_and', [T.int4]);
  assert.equal(run(a, [[[null], 1], [[3], 1], [[3], -1]]), null);
});

test('ordered-set aggregates: PostgreSQL examples, NULL fraction, out-of-range fraction', () => {
  const ob = (type: SqlType, desc = false) => ({ orderBy: [{ type, desc, nullsFirst: desc }] });
  const rows = [1, 3, 3, 5, 5, 7];
  const feed = (acc: Accumulator, frac: Value | undefined) => run(acc, rows.map((v) => [frac === undefined ? [v] : [frac, v], 1]));
  assert.equal(feed(agg('percentile_cont', [T.float8], ob(T.int4, true)), 0.5), 4);
  assert.equal(feed(agg('percentile_disc', [T.float8], ob(T.int4, true)), 0.5), 5);
  assert.equal(feed(agg('percentile_disc', [T.float8], ob(T.int4)), 0), 1);
  assert.equal(feed(agg('mode', [], ob(T.int4, true)), undefined), 5);
  assert.equal(feed(agg('mode', [], ob(T.int4)), undefined), 3);
  assert.equal(feed(agg('percentile_cont', [T.float8], ob(T.int4)), null), null);
  assert.throws(() => feed(agg('percentile_cont', [T.float8], ob(T.int4)), 1.5), /percentile value 1.5 is not between 0 and 1/);
  // percentile_cont(0.3) over '1 day', '3 days 4 hours' = '1 day 15:36:00' (interval_lerp).
  const iv = agg('percentile_cont', [T.float8], ob(T.interval));
  const r = run(iv, [[[0.3, new Interval(0, 1, 0)], 1], [[0.3, new Interval(0, 3, 4 * 3600e6)], 1]]) as Interval;
  assert.deepEqual([r.months, r.days, r.micros], [0, 1, (15 * 60 + 36) * 60e6]);
  assert.equal(resolveAggregate('percentile_cont', [T.float8], ob(T.interval))?.returnType.id, 'interval');
  assert.equal(resolveAggregate('percentile_cont', [T.float8], ob(T.numeric))?.returnType.id, 'float8');
  assert.equal(resolveAggregate('percentile_cont', [T.float8], ob(T.text)), null);
  assert.equal(resolveAggregate('percentile_disc', [T.float8], ob(T.text))?.returnType.id, 'text');
  assert.equal(resolveAggregate('mode', [T.float8], ob(T.text)), null);
  // An array of fractions: one result per fraction, NULL for a NULL one.
  const many = resolveAggregate('percentile_cont', [arrayOf(T.float8)], ob(T.int4));
  assert.equal(many?.returnType.id, 'array');
  const arr = run(many!.create(), [1, 2, 4].map((v) => [[new SqlArray([0.5, null, 0.25]), v], 1])) as SqlArray;
  assert.deepEqual(arr.items, [2, null, 1.5]);
});

test('jsonb_agg / jsonb_object_agg: NULLs, last key wins, NULL key rejected', () => {
  assert.deepEqual(run(agg('jsonb_agg', [T.int4]), ins(1, null, 2)), [1, null, 2]);
  assert.deepEqual(run(agg('json_agg', [T.text]), ins('a')), ['a']);
  assert.equal(run(agg('jsonb_agg', [T.int4]), []), null);
  const o = agg('jsonb_object_agg', [T.text, T.int4]);
  assert.deepEqual(run(o, [[['b', 1], 1], [['a', null], 1], [['b', 2], 1]]), { a: null, b: 2 });
  assert.deepEqual(run(o, [[['b', 2], -1]]), { a: null, b: 1 });
  assert.throws(() => agg('jsonb_object_agg', [T.text, T.int4]).add([null, 1], 1), /field name must not be null/);
});
