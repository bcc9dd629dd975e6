import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatement } from '../parse.js';
import type { CopyStatement, SubscribeStatement } from '../ast.js';

const copy = (sql: string) => parseStatement(sql) as CopyStatement;

test('COPY: both option syntaxes, column lists, queries and subscriptions', () => {
  let s = copy('COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER \';\', NULL \'\')');
  assert.deepEqual([s.direction, s.source, s.endpoint, s.options], ['from', { kind: 'relation', name: 't', columns: ['a', 'b'] }, 'stdio', { format: 'csv', header: 'true', delimiter: ';', null: '' }]);
  s = copy("copy t from stdin with csv header delimiter as '|' null 'NA' quote '\"' force not null a");
  assert.deepEqual(s.options, { format: 'csv', header: 'true', delimiter: '|', null: 'NA', quote: '"' });
  s = copy('COPY t FROM STDIN (FORMAT text)');
  assert.deepEqual(s.options, { format: 'text' });
  s = copy('COPY (SELECT 1) TO STDOUT');
  assert.equal(s.source.kind, 'query');
  s = copy('COPY (SUBSCRIBE v WITH (snapshot = true)) TO STDOUT CSV');
  assert.equal(s.source.kind, 'subscribe');
  assert.deepEqual(s.source.kind === 'subscribe' && s.source.statement.options, { snapshot: 'true' });
  assert.equal(copy("COPY t FROM '/etc/passwd'").endpoint, 'file');
  assert.equal(copy("COPY t TO PROGRAM 'gzip'").endpoint, 'program');
  assert.equal(copy('COPY t TO STDOUT BINARY').options['format'], 'binary');
});

test('COPY: wrong directions and duplicate options are syntax errors', () => {
  for (const sql of ['COPY t FROM STDOUT', 'COPY t TO STDIN', 'COPY (SELECT 1) FROM STDIN', 'COPY t FROM STDIN (FORMAT csv, FORMAT text)', 'COPY t']) {
    assert.throws(() => parseStatement(sql), (e: { code?: string }) => e.code === '42601', sql);
  }
});

test('SUBSCRIBE: object or query, optional TO, options', () => {
  let s = parseStatement('SUBSCRIBE TO v') as SubscribeStatement;
  assert.deepEqual([s.kind, s.name, s.query, s.options], ['Subscribe', 'v', undefined, {}]);
  s = parseStatement('subscribe public.v with (snapshot)') as SubscribeStatement;
  assert.deepEqual([s.name, s.options], ['v', { snapshot: 'true' }]);
  s = parseStatement('SUBSCRIBE (SELECT a FROM t WHERE a > 1) WITH (snapshot = false)') as SubscribeStatement;
  assert.equal(s.name, '');
  assert.equal(s.query?.kind, 'Select');
  assert.throws(() => parseStatement('SUBSCRIBE'), (e: { code?: string }) => e.code === '42601');
});
