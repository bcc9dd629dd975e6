import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatement } from './parse.js';
import { splitStatements } from './split.js';

/** [input, [text, offset][]] */
const CASES: [string, [string, number][]][] = [
  ['', []],
  ['   \n\t ', []],
  [';;  ;', []],
  ['-- only a comment', []],
  ['/* c */ ; -- d\n;', []],
  ['select 1', [['select 1', 0]]],
  ['select 1; select 2', [['select 1;', 0], ['select 2', 10]]],
  ['  select 1 ;  ', [['select 1 ;', 2]]],
  ['select 1;;select 2;', [['select 1;', 0], ['select 2;', 10]]],
  ['/* hi */ select 1', [['select 1', 9]]],
  ["select ';'; select 2", [["select ';';", 0], ['select 2', 12]]],
  ["select 'it''s;'; x", [["select 'it''s;';", 0], ['x', 17]]],
  ["select E'\\';'; select 2", [["select E'\\';';", 0], ['select 2', 15]]],
  ["select e'a\\\\'; select 2", [["select e'a\\\\';", 0], ['select 2', 15]]],
  ["select 'a\\'; select 2", [["select 'a\\';", 0], ['select 2', 13]]],
  ["select ne'x;'; y", [["select ne'x;';", 0], ['y', 15]]],
  ['select "a;b"; select 2', [['select "a;b";', 0], ['select 2', 14]]],
  ['select "a"";b"; y', [['select "a"";b";', 0], ['y', 16]]],
  ["select U&'a;b'; y", [["select U&'a;b';", 0], ['y', 16]]],
  ['select $$;$$; select $tag$ ; $$ ; $tag$; z', [['select $$;$$;', 0], ['select $tag$ ; $$ ; $tag$;', 14], ['z', 41]]],
  ['select a$b; select $1; c', [['select a$b;', 0], ['select $1;', 12], ['c', 23]]],
  ['select 1 -- ; not a split\n; select 2', [['select 1 -- ; not a split\n;', 0], ['select 2', 28]]],
  ['select /* a /* b; */ ; */ 1; select 2', [['select /* a /* b; */ ; */ 1;', 0], ['select 2', 29]]],
  ['select 1; -- bye', [['select 1;', 0]]],
  ['select 1 -- trailing', [['select 1 -- trailing', 0]]],
  ["select 'abc; select 2", [["select 'abc; select 2", 0]]],
  ['select /* open; select 2', [['select /* open; select 2', 0]]],
  ['select $x$ open; select 2', [['select $x$ open; select 2', 0]]],
];

describe('splitStatements', () => {
  for (const [input, expected] of CASES) {
    it(JSON.stringify(input), () => {
      assert.deepEqual(
        splitStatements(input),
        expected.map(([text, offset]) => ({ text, offset })),
      );
      for (const s of splitStatements(input)) assert.equal(input.slice(s.offset, s.offset + s.text.length), s.text);
    });
  }

  it('lets the error of a statement inside a batch point at its ";" as PostgreSQL does', () => {
    const sql = 'select 1; select 1 +; select 2';
    const [, second] = splitStatements(sql);
    assert.throws(() => parseStatement(second.text), (e: unknown) => {
      const err = e as { message: string; position: number };
      assert.equal(err.message, 'syntax error at or near ";"');
      assert.equal(second.offset + err.position, 21); // PostgreSQL: position 21 of the whole string
      return true;
    });
  });

  it('reports end of input for the last statement at the end of the whole string', () => {
    const sql = 'select 1; select 1 + -- c';
    const parts = splitStatements(sql);
    assert.throws(() => parseStatement(parts[1].text), (e: unknown) => {
      const err = e as { message: string; position: number };
      assert.equal(err.message, 'syntax error at end of input');
      assert.equal(parts[1].offset + err.position, 26); // PostgreSQL says 26
      return true;
    });
  });
});
