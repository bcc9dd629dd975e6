import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Decimal } from '../../runtime/sql/decimal.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { Interval } from '../../runtime/sql/interval.js';
import { numericType, sqlType, T, TypeId, type SqlType } from '../../runtime/sql/types.js';
import { JSON_NULL, type Value } from '../../runtime/sql/values.js';
import { ByteWriter } from './byte-writer.js';
import {
  columnFormat,
  decodeBinary,
  decodeText,
  encodeBinary,
  encodeText,
  fieldDescription,
  fieldWriter,
  Format,
  oidToType,
  typeOid,
  typlen,
  wireTypeOid,
  wireTypmod,
} from './wire-format.js';

const hex = (b: Buffer) => b.toString('hex');

function roundTrip(t: SqlType, v: Value): Value {
  return decodeBinary(t, encodeBinary(t, v));
}

function assertDecimalEq(a: Value, b: Decimal): void {
  assert.ok(a instanceof Decimal);
  assert.equal(a.toString(), b.toString());
}

describe('type metadata', () => {
  it('maps every SqlType to its PostgreSQL OID and back', () => {
    const expected: [SqlType, number, number][] = [
      [T.bool, 16, 1],
      [T.int2, 21, 2],
      [T.int4, 23, 4],
      [T.int8, 20, 8],
      [T.float4, 700, 4],
      [T.float8, 701, 8],
      [T.numeric, 1700, -1],
      [T.text, 25, -1],
      [T.varchar, 1043, -1],
      [T.bpchar, 1042, -1],
      [T.date, 1082, 4],
      [T.timestamp, 1114, 8],
      [T.timestamptz, 1184, 8],
      [T.interval, 1186, 16],
      [T.jsonb, 3802, -1],
    ];
    for (const [t, oid, len] of expected) {
      assert.equal(typeOid(t), oid, t.id);
      assert.equal(wireTypeOid(t), oid, t.id);
      assert.equal(typlen(t), len, t.id);
      assert.equal(oidToType(oid), t, t.id);
    }
    assert.equal(typeOid(T.unknown), 705);
    assert.equal(wireTypeOid(T.unknown), 25, 'unknown literals are described as text');
    assert.equal(typlen(T.unknown), -1);
    assert.equal(oidToType(705), T.unknown);
    assert.equal(oidToType(0), null);
    assert.throws(() => oidToType(17), (e: unknown) => e instanceof SqlError && e.code === '0A000');
  });

  it('computes the wire typmod like PostgreSQL', () => {
    assert.equal(wireTypmod(sqlType(TypeId.Varchar, 10)), 14);
    assert.equal(wireTypmod(sqlType(TypeId.Bpchar, 1)), 5);
    assert.equal(wireTypmod(numericType(10, 2)), ((10 << 16) | 2) + 4);
    assert.equal(wireTypmod(sqlType(TypeId.Timestamp, 3)), 3);
    assert.equal(wireTypmod(T.varchar), -1);
    assert.equal(wireTypmod(T.numeric), -1);
    assert.equal(wireTypmod(T.int4), -1);
  });

  it('builds RowDescription fields', () => {
    assert.deepEqual(fieldDescription({ name: 'x', type: sqlType(TypeId.Varchar, 5), tableOid: 16384, columnAttr: 2 }, Format.Binary), {
      name: 'x',
      tableOid: 16384,
      columnAttr: 2,
      typeOid: 1043,
      typlen: -1,
      typmod: 9,
      format: 1,
    });
    assert.deepEqual(fieldDescription({ name: '?column?', type: T.unknown }, Format.Text), {
      name: '?column?',
      tableOid: 0,
      columnAttr: 0,
      typeOid: 25,
      typlen: -1,
      typmod: -1,
      format: 0,
    });
  });

  it('resolves result format codes', () => {
    assert.equal(columnFormat([], 3), Format.Text);
    assert.equal(columnFormat([1], 3), Format.Binary);
    assert.equal(columnFormat([0, 1], 1), Format.Binary);
    assert.equal(columnFormat([0, 1], 0), Format.Text);
  });
});

describe('binary format: known byte strings', () => {
  const cases: [string, SqlType, Value, string][] = [
    ['bool true', T.bool, true, '01'],
    ['bool false', T.bool, false, '00'],
    ['int2 -2', T.int2, -2, 'fffe'],
    ['int4 42', T.int4, 42, '0000002a'],
    ['int4 min', T.int4, -2147483648, '80000000'],
    ['int8 -1', T.int8, -1n, 'ffffffffffffffff'],
    ['int8 max', T.int8, 9223372036854775807n, '7fffffffffffffff'],
    ['float4 1.5', T.float4, 1.5, '3fc00000'],
    ['float8 1.5', T.float8, 1.5, '3ff8000000000000'],
    ['float8 -inf', T.float8, -Infinity, 'fff0000000000000'],
    ['text', T.text, 'héllo', '68c3a96c6c6f'],
    ['varchar', T.varchar, 'ab', '6162'],
    ['bpchar', T.bpchar, 'a  ', '612020'],
    ['date 2000-01-01', T.date, 10957, '00000000'],
    ['date 1970-01-01', T.date, 0, 'ffffd533'],
    ['date infinity', T.date, Infinity, '7fffffff'],
    ['date -infinity', T.date, -Infinity, '80000000'],
    ['timestamp 2000-01-01', T.timestamp, 946684800000000, '0000000000000000'],
    ['timestamp 1970-01-01', T.timestamp, 0, 'fffca2fec4c82000'],
    ['timestamptz +1us', T.timestamptz, 946684800000001, '0000000000000001'],
    ['timestamp infinity', T.timestamp, Infinity, '7fffffffffffffff'],
    ['timestamp -infinity', T.timestamp, -Infinity, '8000000000000000'],
    ['interval 1 mon 2 days 3us', T.interval, new Interval(1, 2, 3), '0000000000000003' + '00000002' + '00000001'],
    ['interval -1 day', T.interval, new Interval(0, -1, 0), '0000000000000000' + 'ffffffff' + '00000000'],
    ['jsonb', T.jsonb, { a: 1 }, '01' + Buffer.from('{"a": 1}').toString('hex')],
  ];
  for (const [name, t, v, bytes] of cases) {
    it(name, () => {
      assert.equal(hex(encodeBinary(t, v)), bytes);
      assert.deepEqual(decodeBinary(t, Buffer.from(bytes, 'hex')), v);
    });
  }

  // PostgreSQL's NUMERIC send format: ndigits, weight, sign, dscale, base-10000 digits.
  const numerics: [string, string][] = [
    ['0', '0000' + '0000' + '0000' + '0000'],
    ['0.00', '0000' + '0000' + '0000' + '0002'],
    ['1', '0001' + '0000' + '0000' + '0000' + '0001'],
    ['12.50', '0002' + '0000' + '0000' + '0002' + '000c' + '1388'],
    ['-0.0001', '0001' + 'ffff' + '4000' + '0004' + '0001'],
    ['10000', '0001' + '0001' + '0000' + '0000' + '0001'],
    ['12345678.9', '0003' + '0001' + '0000' + '0001' + '04d2' + '162e' + '2328'],
    ['0.000012', '0001' + 'fffe' + '0000' + '0006' + '04b0'],
    ['123456789012345678901234567890', '0008' + '0007' + '0000' + '0000' + '000c' + '0d80' + '1ed2' + '04d2' + '162e' + '2334' + '0d80' + '1ed2'],
    ['NaN', '0000' + '0000' + 'c000' + '0000'],
    ['Infinity', '0000' + '0000' + 'd000' + '0000'],
    ['-Infinity', '0000' + '0000' + 'f000' + '0000'],
  ];
  for (const [text, bytes] of numerics) {
    it(`numeric ${text}`, () => {
      const d = Decimal.fromString(text);
      assert.equal(hex(encodeBinary(T.numeric, d)), bytes);
      assertDecimalEq(decodeBinary(T.numeric, Buffer.from(bytes, 'hex')), d);
    });
  }

  it('truncates numeric digits hidden by dscale, as numeric_recv does', () => {
    // 1.2345 sent with dscale 2.
    const b = Buffer.from('0002' + '0000' + '0000' + '0002' + '0001' + '0929', 'hex');
    assertDecimalEq(decodeBinary(T.numeric, b), Decimal.fromString('1.23'));
  });

  it('rejects malformed binary input with 22P03', () => {
    const bad: [SqlType, string][] = [
      [T.int4, '000001'],
      [T.int8, '00'],
      [T.bool, ''],
      [T.date, '0000000000'],
      [T.interval, '00'],
      [T.numeric, '0001000000000000'], // one digit promised, none present
      [T.numeric, '0001000000000000' + '2710'], // digit 10000
      [T.numeric, '0000' + '0000' + '1234' + '0000'], // bad sign
      [T.jsonb, '027b7d'], // version 2
    ];
    for (const [t, bytes] of bad) {
      assert.throws(
        () => decodeBinary(t, Buffer.from(bytes, 'hex')),
        (e: unknown) => e instanceof SqlError && e.code === '22P03',
        `${t.id} ${bytes}`,
      );
    }
  });
});

describe('binary format: round trips', () => {
  it('int2, int4, int8, float4, float8, bool', () => {
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (v) => roundTrip(T.int2, v) === v));
    fc.assert(fc.property(fc.integer(), (v) => roundTrip(T.int4, v) === v));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => roundTrip(T.int8, v) === v));
    fc.assert(fc.property(fc.double(), (v) => Object.is(roundTrip(T.float8, v), v)));
    fc.assert(fc.property(fc.float(), (v) => Object.is(roundTrip(T.float4, v), v)));
    assert.equal(roundTrip(T.bool, true), true);
    assert.equal(roundTrip(T.bool, false), false);
    assert.ok(Number.isNaN(roundTrip(T.float8, NaN)));
  });

  it('numeric', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), (coef, scale) => {
        const d = Decimal.of(coef, scale);
        const back = roundTrip(T.numeric, d) as Decimal;
        return back.toString() === d.toString() && back.scale === d.scale;
      }),
    );
    for (const d of [Decimal.NaN, Decimal.POSITIVE_INFINITY, Decimal.NEGATIVE_INFINITY]) {
      assertDecimalEq(roundTrip(T.numeric, d), d);
    }
  });

  it('text types', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => roundTrip(T.text, s) === s && roundTrip(T.varchar, s) === s));
  });

  it('date, timestamp, timestamptz, interval', () => {
    fc.assert(fc.property(fc.integer({ min: -2_000_000, max: 2_000_000 }), (d) => roundTrip(T.date, d) === d));
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (ts) => roundTrip(T.timestamp, ts) === ts && roundTrip(T.timestamptz, ts) === ts),
    );
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer(),
        fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
        (months, days, micros) => {
          const iv = roundTrip(T.interval, new Interval(months, days, micros)) as Interval;
          return iv.months === months && iv.days === days && iv.micros === micros;
        },
      ),
    );
  });

  it('jsonb', () => {
    for (const v of [{ a: [1, 'x', null, { b: true }] }, [1, 2], 'str', 1.5, true, JSON_NULL] as Value[]) {
      assert.deepEqual(roundTrip(T.jsonb, v), v);
    }
  });
});

describe('text format', () => {
  it('round trips through the type input/output functions', () => {
    const cases: [SqlType, Value, string][] = [
      [T.bool, true, 't'],
      [T.int4, -7, '-7'],
      [T.int8, 9007199254740993n, '9007199254740993'],
      [T.float8, 0.1, '0.1'],
      [T.text, 'x y', 'x y'],
      [T.date, 10957, '2000-01-01'],
      [T.timestamp, 946684800000001, '2000-01-01 00:00:00.000001'],
      [T.interval, new Interval(0, 1, 1_000_000), '1 day 00:00:01'],
      [T.jsonb, { a: 1 }, '{"a": 1}'],
    ];
    for (const [t, v, s] of cases) {
      assert.equal(encodeText(t, v), s);
      assert.deepEqual(decodeText(t, s), v);
    }
    assertDecimalEq(decodeText(T.numeric, '1.50'), Decimal.fromString('1.50'));
    assert.equal(encodeText(T.numeric, Decimal.fromString('-1.50')), '-1.50');
  });

  it('raises 22P02 on bad input', () => {
    assert.throws(() => decodeText(T.int4, 'abc'), (e: unknown) => e instanceof SqlError && e.code === '22P02');
  });
});

describe('field writers', () => {
  it('write length-prefixed values in both formats', () => {
    const w = new ByteWriter(8);
    fieldWriter(T.int4, Format.Binary)(w, 1);
    fieldWriter(T.int4, Format.Text)(w, 1);
    fieldWriter(T.text, Format.Text)(w, 'é');
    fieldWriter(T.int8, Format.Binary)(w, 2n);
    fieldWriter(T.float8, Format.Binary)(w, 1.5);
    fieldWriter(T.numeric, Format.Binary)(w, Decimal.fromString('1'));
    assert.equal(
      hex(w.take()),
      '00000004' + '00000001' + '00000001' + '31' + '00000002' + 'c3a9' + '00000008' + '0000000000000002' + '00000008' + '3ff8000000000000' + '0000000a' + '0001000000000000' + '0001',
    );
  });
});
