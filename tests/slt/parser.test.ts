import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { globFiles } from './glob.js';
import { parseDuration, parseFile, parseScript, SltParseError, type SltRecord } from './parser.js';

function only<K extends SltRecord['kind']>(records: SltRecord[], kind: K): Extract<SltRecord, { kind: K }>[] {
  return records.filter((r): r is Extract<SltRecord, { kind: K }> => r.kind === kind);
}

test('statement ok / count / error forms with keyword-line locations', () => {
  const recs = parseScript(
    [
      '# a comment',
      'statement ok',
      'create table t (v int);',
      '',
      'statement count 3',
      'insert into t values (1), (2), (3)',
      '',
      'statement error',
      'select 1/0',
      '',
      'statement error division by zero',
      'select 1/0',
      '',
      'statement error (22012)',
      'select 1/0',
      '',
    ].join('\n'),
    'f.slt',
  );
  const s = only(recs, 'statement');
  assert.equal(s.length, 5);
  assert.deepEqual(s.map((r) => r.loc.line), [2, 5, 8, 11, 14]);
  assert.deepEqual(s[0]!.expect, { kind: 'ok' });
  assert.equal(s[0]!.sql, 'create table t (v int);');
  assert.deepEqual(s[1]!.expect, { kind: 'count', count: 3 });
  assert.deepEqual(s[2]!.expect, { kind: 'error', error: { kind: 'any' } });
  const re = s[3]!.expect;
  assert.ok(re.kind === 'error' && re.error.kind === 'regex' && re.error.regex.test('db error: ERROR: division by zero'));
  assert.deepEqual(s[4]!.expect, { kind: 'error', error: { kind: 'sqlstate', code: '22012' } });
});

test('multi-line SQL keeps # lines and joins with \\n; multi-line error ends at two empty lines', () => {
  const recs = parseScript(
    [
      'statement error',
      'create materialized view v as',
      '# not a comment here',
      'select 1',
      '----',
      'db error: ERROR: Failed to run the query',
      '',
      'Caused by:',
      '  oops',
      '',
      '',
      'statement ok',
      'select 2',
    ].join('\n'),
  );
  const s = only(recs, 'statement');
  assert.equal(s.length, 2);
  assert.equal(s[0]!.sql, 'create materialized view v as\n# not a comment here\nselect 1');
  assert.deepEqual(s[0]!.expect, { kind: 'error', error: { kind: 'multiline', text: 'db error: ERROR: Failed to run the query\n\nCaused by:\n  oops' } });
  assert.equal(s[1]!.loc.line, 12);
});

test('query header: types, sort mode, label, retry; expected rows to the first empty line', () => {
  const recs = parseScript(
    [
      'query IT rowsort mylabel retry 3 backoff 500ms',
      'select 1, \'a\'',
      '----',
      '1 a',
      '2   b',
      '',
      'query I',
      'select 1 where false',
      '',
      'query error (42P01)',
      'select * from nope',
    ].join('\n'),
  );
  const q = only(recs, 'query');
  assert.equal(q.length, 3);
  assert.deepEqual(q[0]!.expect, { kind: 'rows', types: 'IT', sortMode: 'rowsort', label: 'mylabel', rows: ['1 a', '2   b'] });
  assert.deepEqual(q[0]!.retry, { attempts: 3, backoffMs: 500 });
  assert.deepEqual(q[1]!.expect, { kind: 'rows', types: 'I', rows: [] });
  assert.deepEqual(q[2]!.expect, { kind: 'error', error: { kind: 'sqlstate', code: '42P01' } });
  const st = only(parseScript('statement error cannot retry this\nselect 1\n\nstatement error retry 2 backoff 1s\nselect 1\n----\nboom\n'), 'statement');
  assert.ok(st[0]!.expect.kind === 'error' && st[0]!.expect.error.kind === 'regex' && st[0]!.retry === undefined);
  assert.deepEqual(st[1]!.retry, { attempts: 2, backoffMs: 1000 });
  assert.deepEqual(st[1]!.expect, { kind: 'error', error: { kind: 'multiline', text: 'boom' } });
});

test('conditions and connection apply to the next record only', () => {
  const recs = parseScript(['skipif postgres', 'onlyif eddy', 'connection other', 'statement ok', 'select 1', '', 'statement ok', 'select 2'].join('\n'));
  const s = only(recs, 'statement');
  assert.deepEqual(s[0]!.conditions, [{ kind: 'skipif', label: 'postgres' }, { kind: 'onlyif', label: 'eddy' }]);
  assert.equal(s[0]!.connection, 'other');
  assert.deepEqual(s[1]!.conditions, []);
  assert.equal(s[1]!.connection, 'default');
});

test('control, halt, sleep, subtest, hash-threshold, let, system', () => {
  const recs = parseScript(
    [
      'control sortmode rowsort', '', 'control resultmode valuewise', '', 'control substitution on', '',
      'hash-threshold 8', '', 'subtest one', '', 'sleep 1m30s', '',
      'let a, b', 'select 1, 2', '',
      'system ok', 'echo hi', '----', 'hi', '', '',
      'halt',
    ].join('\n'),
  );
  assert.deepEqual(only(recs, 'control').map((r) => r.setting), [
    { kind: 'sortmode', mode: 'rowsort' },
    { kind: 'resultmode', mode: 'valuewise' },
    { kind: 'substitution', on: true },
  ]);
  assert.equal(only(recs, 'hashThreshold')[0]!.threshold, 8);
  assert.equal(only(recs, 'subtest')[0]!.name, 'one');
  assert.equal(only(recs, 'sleep')[0]!.ms, 90_000);
  assert.deepEqual(only(recs, 'let')[0]!.vars, ['a', 'b']);
  assert.equal(only(recs, 'system')[0]!.stdout, 'hi');
  assert.equal(only(recs, 'halt').length, 1);
});

test('parse errors carry file:line', () => {
  assert.throws(() => parseScript('statement ok\nselect 1\n\nbogus line\n', 'x.slt'), (e: unknown) => e instanceof SltParseError && e.loc.line === 4 && /x\.slt:4/.test(e.message));
  assert.throws(() => parseScript('query I nosuchmode\nselect 1\n'), /invalid sort mode/);
  assert.throws(() => parseScript('statement ok\nselect 1\n----\n1\n'), /use `query` instead/);
  assert.throws(() => parseScript('statement error (22012)\nselect 1\n----\nmsg\n'), /duplicated error/);
  assert.throws(() => parseScript('sleep soon\n'), /invalid duration/);
  assert.throws(() => parseScript('statement ok\n'), /unexpected end of file/);
});

test('humantime durations', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1h2m'), 3_720_000);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5 fortnights'), undefined);
});

test('include globs relative to the including file, spliced with their own locations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slt-parser-'));
  try {
    fs.mkdirSync(path.join(dir, 'sub/deeper'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub/b.slt.part'), 'statement ok\nselect 2\n');
    fs.writeFileSync(path.join(dir, 'sub/a.slt.part'), '\nstatement ok\nselect 1\n');
    fs.writeFileSync(path.join(dir, 'sub/deeper/c.slt.part'), 'statement ok\nselect 3\n');
    fs.writeFileSync(path.join(dir, 'main.slt'), 'statement ok\nselect 0\n\ninclude sub/*.slt.part\n\ninclude ./sub/**/c.slt.?art\n');
    const recs = only(parseFile(path.join(dir, 'main.slt')), 'statement');
    assert.deepEqual(recs.map((r) => r.sql), ['select 0', 'select 1', 'select 2', 'select 3']);
    assert.deepEqual(recs.map((r) => [path.relative(dir, r.loc.file), r.loc.line]), [
      ['main.slt', 1], ['sub/a.slt.part', 2], ['sub/b.slt.part', 1], ['sub/deeper/c.slt.part', 1],
    ]);
    assert.deepEqual(globFiles('**/*.part', dir).map((f) => path.relative(dir, f)), ['sub/a.slt.part', 'sub/b.slt.part', 'sub/deeper/c.slt.part']);
    fs.writeFileSync(path.join(dir, 'bad.slt'), 'include nothing/*.slt\n');
    assert.throws(() => parseFile(path.join(dir, 'bad.slt')), /matches no file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
