import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actualLines, diffLines, errorMatches, normalize, observeError, renderValue, substitute } from './compare.js';
import { parseInlineError } from './parser.js';
import { isDml } from './runner.js';
import { SkipList } from './skip-list.js';

const fail = (m: string): never => {
  throw new Error(m);
};

test('values render like the postgres simple engine and cells are normalised', () => {
  assert.equal(renderValue(null), 'NULL');
  assert.equal(renderValue(''), '(empty)');
  assert.equal(renderValue('t'), 't');
  assert.equal(normalize('  a \t b\n c  '), 'a b c');
  assert.deepEqual(actualLines([['1', 'hello  world'], ['NULL', '(empty)']], { sortMode: 'nosort', resultMode: 'rowwise', hashThreshold: 0 }), ['1 hello world', 'NULL (empty)']);
});

test('rowsort sorts actual rows per cell in byte order; valuesort flattens', () => {
  const rows = [['14909'], ['10465998'], ['1930913'], ['13982877']];
  assert.deepEqual(actualLines(rows, { sortMode: 'rowsort', resultMode: 'rowwise', hashThreshold: 0 }), ['10465998', '13982877', '14909', '1930913']);
  assert.deepEqual(actualLines([['b', 'a'], ['a', 'z']], { sortMode: 'rowsort', resultMode: 'rowwise', hashThreshold: 0 }), ['a z', 'b a']);
  assert.deepEqual(actualLines([['b', 'a'], ['c', 'A']], { sortMode: 'valuesort', resultMode: 'rowwise', hashThreshold: 0 }), ['A', 'a', 'b', 'c']);
  assert.deepEqual(actualLines([['1', '2']], { sortMode: 'nosort', resultMode: 'valuewise', hashThreshold: 0 }), ['1', '2']);
  assert.match(actualLines([['1', '2']], { sortMode: 'nosort', resultMode: 'rowwise', hashThreshold: 1 })[0]!, /^2 values hashing to [0-9a-f]{32}$/);
});

test('expected lines are normalised; the expected block is not sorted', () => {
  assert.equal(diffLines(['1\t  a'], ['1 a']), undefined);
  assert.match(diffLines(['2', '1'], ['1', '2'])!, /expected:/);
  assert.equal(diffLines(['x <slt:ignore> z'], ['x 42 y z']), undefined);
  assert.notEqual(diffLines([], ['1']), undefined);
});

test('error matching: regex searched in the tokio-postgres display text, SQLSTATE exact, lenient mode', () => {
  const observed = observeError(Object.assign(new Error('division by zero'), { code: '22012', severity: 'ERROR', hint: 'h' }));
  assert.equal(observed.display, 'db error: ERROR: division by zero\nHINT: h');
  assert.ok(errorMatches(parseInlineError(['division', 'by'], fail), observed, false));
  assert.ok(errorMatches(parseInlineError(['^db', 'error:', 'ERROR:'], fail), observed, false));
  assert.ok(!errorMatches(parseInlineError(['overflow'], fail), observed, false));
  assert.ok(errorMatches(parseInlineError(['overflow'], fail), observed, true));
  assert.ok(errorMatches(parseInlineError(['(22012)'], fail), observed, false));
  assert.ok(!errorMatches(parseInlineError(['(22003)'], fail), observed, true));
  assert.ok(errorMatches(parseInlineError(['(?i)DIVISION'], fail), observed, false));
  assert.ok(errorMatches({ kind: 'multiline', text: 'db error: ERROR: division by zero\nHINT: h' }, observed, false));
  assert.equal(observeError(new Error('Connection terminated unexpectedly')).code, undefined);
});

test('substitution', () => {
  const vars = (n: string): string | undefined => ({ A: 'x', B: 'y' })[n];
  assert.equal(substitute('select $A, ${B}, ${C:dflt}, \\$A, \\\\', vars), 'select x, y, dflt, $A, \\');
  assert.throws(() => substitute('$NOPE', vars), /undefined variable/);
});

test('implicit flush detects DML after leading comments', () => {
  assert.ok(isDml('insert into t values (1)'));
  assert.ok(isDml('-- c\n  /* x */ UPDATE t SET v = 1'));
  assert.ok(!isDml('select * from t'));
  assert.ok(!isDml('create table inserts (v int)'));
});

test('skip list keys match as path suffixes, per record line or whole file', () => {
  const list = new SkipList({ 'streaming/a.slt:12': 'r1', 'streaming/a.slt:7': 'stale', 'batch/b.slt.part': 'r2', '_comment': 'ignored' });
  assert.equal(list.reasonFor('/x/e2e_test/streaming/a.slt', 12), 'r1');
  assert.equal(list.reasonFor('/x/e2e_test/streaming/a.slt', 13), undefined);
  assert.equal(list.reasonFor('/x/e2e_test/other_streaming/a.slt', 12), undefined);
  assert.equal(list.reasonFor('/y/batch/b.slt.part', 99), 'r2');
  assert.equal(list.size, 3);
  assert.deepEqual(list.unusedEntriesFor(['/x/e2e_test/streaming/a.slt', '/x/e2e_test/streaming/c.slt']), ['streaming/a.slt:7']);
});
