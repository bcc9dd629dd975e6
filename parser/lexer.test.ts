import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lex } from './lexer.js';

const kinds = (sql: string): string[] => lex(sql).slice(0, -1).map((t) => `${t.kind}:${t.value}`);

describe('lex', () => {
  it('splits operators the way PostgreSQL does', () => {
    assert.deepEqual(kinds('a=-1'), ['ident:a', 'op:=', 'op:-', 'integer:1']);
    assert.deepEqual(kinds('a<>b a!=b'), ['ident:a', 'op:<>', 'ident:b', 'ident:a', 'op:<>', 'ident:b']);
    assert.deepEqual(kinds("j->>'x' #>> @- *-1"), ['ident:j', 'op:->>', "string:x", 'op:#>>', 'op:@-', 'op:*', 'op:-', 'integer:1']);
    assert.deepEqual(kinds('1+-- c\n2'), ['integer:1', 'op:+', 'integer:2']);
    assert.deepEqual(kinds('x::int[]'), ['ident:x', 'punct:::', 'ident:int', 'punct:[', 'punct:]']);
    assert.deepEqual(kinds('a.b 1..2'), ['ident:a', 'punct:.', 'ident:b', 'integer:1', 'punct:..', 'integer:2']);
  });

  it('keeps numbers exactly as written', () => {
    assert.deepEqual(kinds('0 007 1.5 .5 5. 1e10 2E-3 99999999999999999999'), [
      'integer:0', 'integer:007', 'decimal:1.5', 'decimal:.5', 'decimal:5.', 'decimal:1e10', 'decimal:2E-3', 'integer:99999999999999999999',
    ]);
  });

  it('knows parameters, dollar quotes and identifiers containing $', () => {
    assert.deepEqual(kinds('$1 $23 a$b $$x$$ $q$y$q$'), ['param:1', 'param:23', 'ident:a$b', 'string:x', 'string:y']);
  });

  it('folds unquoted words (ASCII only) and keeps quoted ones', () => {
    assert.deepEqual(kinds('SeLeCt "MiXed" "a""b" Ünïcode'), ['ident:select', 'qident:MiXed', 'qident:a"b', 'ident:Ünïcode']);
  });

  it('records 0-based offsets', () => {
    const toks = lex("select 'x', y");
    assert.deepEqual(toks.map((t) => [t.start, t.end]), [[0, 6], [7, 10], [10, 11], [12, 13], [13, 13]]);
  });
});
