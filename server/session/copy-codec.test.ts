import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CopyDecoder, copyFormatFromOptions, encodeCopyRow, unescapeText, type CopyFormat } from './copy-codec.js';
import { SqlError } from '../../runtime/sql/errors.js';

function decode(fmt: CopyFormat, chunks: string[]): { fields: (string | null)[]; line: number }[] {
  const out: { fields: (string | null)[]; line: number }[] = [];
  const d = new CopyDecoder(fmt, (fields, line) => out.push({ fields, line }));
  for (const c of chunks) d.write(c);
  d.end();
  return out;
}

const text = copyFormatFromOptions({});
const csv = copyFormatFromOptions({ format: 'csv' });

test('text format: tabs, \\N, escapes, CRLF, end marker', () => {
  const rows = decode(text, ['1\ta\\tb\t\\N\r\n', '2\tx\\\\y\\ny\t\\101\\x41\n', '\\.\n', 'ignored\n']);
  assert.deepEqual(rows.map((r) => r.fields), [['1', 'a\tb', null], ['2', 'x\\y\ny', 'AA']]);
  assert.deepEqual(rows.map((r) => r.line), [1, 2]);
});

test('text format: an escaped delimiter is data, and records may be split anywhere across chunks', () => {
  const input = 'a\\\tb\tc\nd\te\n';
  const whole = decode(text, [input]);
  assert.deepEqual(whole.map((r) => r.fields), [['a\tb', 'c'], ['d', 'e']]);
  for (let i = 1; i < input.length; i++) assert.deepEqual(decode(text, [input.slice(0, i), input.slice(i)]), whole, `split at ${i}`);
});

test('CSV: quotes, doubled quotes, quoted newlines, NULL vs empty string, header', () => {
  const fmt = copyFormatFromOptions({ format: 'csv', header: 'true' });
  const input = 'a,b,c\n1,"x,""y""",\n2,"line1\nline2",""\n3,plain,z';
  const rows = decode(fmt, [input]);
  assert.deepEqual(rows.map((r) => r.fields), [['1', 'x,"y"', null], ['2', 'line1\nline2', ''], ['3', 'plain', 'z']]);
  assert.deepEqual(rows.map((r) => r.line), [2, 3, 5]);
  for (let i = 1; i < input.length; i++) assert.deepEqual(decode(fmt, [input.slice(0, i), input.slice(i)]), rows, `split at ${i}`);
});

test('CSV: custom delimiter, quote, escape and null', () => {
  const fmt = copyFormatFromOptions({ format: 'csv', delimiter: ';', quote: "'", escape: '\\', null: 'NULL' });
  assert.deepEqual(decode(fmt, ["1;'a;\\'b';NULL;'NULL'\n"]).map((r) => r.fields), [['1', "a;'b", null, 'NULL']]);
});

test('CSV: an unterminated quoted field is 22P04', () => {
  assert.throws(() => decode(csv, ['1,"abc\n']), (e: unknown) => e instanceof SqlError && (e.code as string) === '22P04' && /unterminated CSV quoted field/.test(e.message));
});

test('options are validated like PostgreSQL', () => {
  const code = (o: Record<string, string>) => {
    try {
      copyFormatFromOptions(o);
      return 'ok';
    } catch (e) {
      return (e as SqlError).code;
    }
  };
  assert.equal(code({ format: 'binary' }), '0A000');
  assert.equal(code({ format: 'xml' }), '22023');
  assert.equal(code({ bogus: 'x' }), '42601');
  assert.equal(code({ delimiter: ';;' }), '0A000');
  assert.equal(code({ quote: "'" }), '0A000');
  assert.equal(code({ format: 'csv', delimiter: '"' }), '22023');
  assert.equal(code({ header: 'maybe' }), '42601');
  assert.equal(code({ format: 'csv', header: 'false', null: 'N/A' }), 'ok');
});

test('encoding round-trips through decoding', () => {
  const rows: (string | null)[][] = [['a\tb', 'back\\slash', null, 'new\nline'], ['', ',"q"', '\\.', 'x']];
  for (const fmt of [text, csv, copyFormatFromOptions({ format: 'csv', quote: "'", escape: '\\' })]) {
    const encoded = rows.map((r) => encodeCopyRow(fmt, r)).join('');
    assert.deepEqual(decode(fmt, [encoded]).map((r) => r.fields), rows, encoded);
  }
  assert.equal(encodeCopyRow(text, ['a\tb', null, '1']), 'a\\tb\t\\N\t1\n');
  assert.equal(encodeCopyRow(csv, ['a,b', null, '', 'x"y']), '"a,b",,"","x""y"\n');
  assert.equal(unescapeText('\\q\\101'), 'qA');
});

test('text-format octal and hex escapes are bytes decoded as UTF-8, as in PostgreSQL', () => {
  assert.equal(unescapeText('\\xc3\\xa9|\\303\\251'), 'é|é');
  assert.equal(unescapeText('\\x41\\101\\t\\\\'), 'AA\t\\');
  assert.throws(() => unescapeText('\\xff', 3), (e: SqlError) => String(e.code) === '22021' && /0xff/.test(e.message));
});
