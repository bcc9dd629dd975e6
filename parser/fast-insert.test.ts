import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tryFastInsert } from './fast-insert.js';
import { parseStatement, parseUncached } from './parse.js';

/** Statements the fast path takes: it must build exactly what the general parser builds. */
const FAST: string[] = [
  'insert into t values (1)',
  "INSERT INTO t (a, b, c) VALUES (1, 'x', NULL), (-2.50, 'it''s', TRUE), (1e3, E'a\\tb', false);",
  '  insert   into   "Events" ("Id", name)  values(  $1 ,$2 )  ',
  'insert into t values (DEFAULT, 9223372036854775808, -9223372036854775808, 00012, .5, - 7)',
  "insert into t values ('2024-01-01'::timestamptz, '{}'::jsonb, 1::numeric(10, 2), '5'::int, 'x'::varchar(3), '1'::int8::text)",
  "insert into t values ('a'\n'b', 'ünï', '')",
  'INSERT INTO T VALUES (1),(2),(3)',
];

/** Statements the fast path leaves to the general parser. */
const GENERAL: string[] = [
  'insert into t values (1) on conflict do nothing',
  'insert into t values (1) returning *',
  'insert into t values (1 + 1)',
  'insert into t values (now())',
  'insert into t values (+1)',
  'insert into t values (-1::int)',
  "insert into t values ('x'::timestamp with time zone)",
  "insert into t values ('x'::int[])",
  'insert into t values (1) -- comment',
  'insert into public.t values (1)',
  'insert into t select 1',
  'insert into t default values',
  'insert into t values (1), (1, 2)',
  "insert into t values ('unterminated)",
  'insert into t as x values (1)',
  "insert into t values (B'101')",
  'insert into t values (1);;',
];

describe('INSERT fast path', () => {
  for (const sql of FAST) {
    it(`builds the general AST: ${sql}`, () => {
      const fast = tryFastInsert(sql);
      assert.ok(fast, 'the fast path should take it');
      assert.deepEqual(fast, parseUncached(sql));
    });
  }

  for (const sql of GENERAL) {
    it(`falls back: ${sql}`, () => {
      assert.equal(tryFastInsert(sql), undefined);
    });
  }

  it('leaves errors to the general path', () => {
    assert.throws(() => parseStatement('insert into t values (1), (1, 2)'), { code: '42601', message: 'VALUES lists must all be the same length' });
    assert.throws(() => parseStatement("insert into t values ('abc"), { code: '42601', position: 23 });
  });

  it('is not cached (every call builds a new tree)', () => {
    const sql = 'insert into t values (1)';
    assert.notEqual(parseStatement(sql), parseStatement(sql));
  });

  it('scans a 10k-row INSERT in a few ms', () => {
    const rows: string[] = [];
    for (let i = 0; i < 10_000; i++) rows.push(`(${i}, 'name ${i} it''s', ${i}.25, ${i % 2 ? 'true' : 'null'}, -${i}, E'a\\tb')`);
    const sql = `INSERT INTO events (id, name, price, flag, neg, s) VALUES ${rows.join(', ')}`;
    // best of five CPU times, the first runs warming up the JIT (wall time is noisy on a shared machine); no assertion on speed
    const cpuMs = (f: () => unknown): [number, unknown] => {
      let best = Infinity;
      let out: unknown;
      for (let k = 0; k < 5; k++) {
        const before = process.cpuUsage();
        out = f();
        const used = process.cpuUsage(before);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return [best, out];
    };
    const [fastMs, fastOut] = cpuMs(() => tryFastInsert(sql));
    const [generalMs, general] = cpuMs(() => parseUncached(sql));
    const fast = fastOut as ReturnType<typeof tryFastInsert>;
    assert.ok(fast);
    assert.equal(fast.source?.kind === 'Values' && fast.source.rows.length, 10_000);
    assert.deepEqual(fast, general);
    console.log(`10k-row INSERT (${(sql.length / 1e6).toFixed(2)} MB): fast path ${fastMs.toFixed(1)} ms CPU, general parser ${generalMs.toFixed(1)} ms CPU`);
  });
});
