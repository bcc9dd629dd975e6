/**
 * CREATE OR REPLACE MATERIALIZED VIEW: the new version is built from the retained history while
 * the old one keeps serving reads and inserts continue, then takes the name atomically; views
 * that others depend on are refused; a crash in the middle finishes the swap after restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, errorCode, sortedJson } from '../support/sql.js';

const OLD = 'SELECT k, count(*) AS n FROM ev GROUP BY k';
const NEW = 'SELECT k, count(*) AS n, sum(v) AS s, max(v) AS mx FROM ev GROUP BY k';

async function load(c: pg.Client, batches: number): Promise<void> {
  await c.query('CREATE STREAM ev (k INT, v INT)');
  for (let b = 0; b < batches; b++) {
    await c.query(`INSERT INTO ev VALUES ${Array.from({ length: 5000 }, (_, i) => `(${(b * 5000 + i) % 53}, ${i})`).join(', ')}`);
  }
}

test('CREATE OR REPLACE builds the new version while the old one serves reads and inserts continue, then swaps', async () => {
  const server = await EddyProcess.start();
  try {
    const c = await server.client();
    await load(c, 20);
    await c.query(`CREATE MATERIALIZED VIEW per_k AS ${OLD}`);
    const reader = await server.client();
    const writer = await server.client();
    let replacing = true;
    let oldReads = 0;
    let inserted = 0;
    const reads = (async () => {
      while (replacing) {
        const r = await reader.query({ text: 'SELECT * FROM per_k', rowMode: 'array' });
        if (r.fields.length === 2) oldReads++;
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    const writes = (async () => {
      while (replacing) {
        await writer.query(`INSERT INTO ev VALUES (1, 7), (2, 9)`);
        inserted += 2;
      }
    })();
    await c.query(`CREATE OR REPLACE MATERIALIZED VIEW per_k AS ${NEW}`);
    replacing = false;
    await Promise.all([reads, writes]);
    assert.ok(oldReads > 0, 'the old version served reads during the build');
    assert.ok(inserted > 0);
    await c.query('FLUSH');
    const r = await c.query({ text: 'SELECT * FROM per_k', rowMode: 'array' });
    assert.deepEqual(r.fields.map((f) => f.name), ['k', 'n', 's', 'mx'], 'the name now has the new definition');
    assert.deepEqual(sortedJson(r.rows as unknown[][]), sortedJson(await arrayRows(c, NEW)), 'no gap, no duplicate');
    const names = (await arrayRows(c, 'SHOW MATERIALIZED VIEWS')).map((x) => x[0]);
    assert.deepEqual(names, ['per_k'], 'the old version is gone');
    // A replacement can itself be replaced; a view with readers cannot.
    await c.query(`CREATE OR REPLACE MATERIALIZED VIEW per_k AS ${OLD}`);
    assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM per_k')), sortedJson(await arrayRows(c, OLD)));
    await c.query('CREATE MATERIALIZED VIEW total AS SELECT sum(n) AS n FROM per_k');
    assert.equal(await errorCode(c, `CREATE OR REPLACE MATERIALIZED VIEW per_k AS ${NEW}`), '2BP01');
    await c.query('CREATE TABLE tab (x INT)');
    assert.equal(await errorCode(c, `CREATE OR REPLACE MATERIALIZED VIEW tab AS ${NEW}`), '42809');
    await c.query(`CREATE OR REPLACE MATERIALIZED VIEW fresh AS ${OLD}`);
    assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM fresh')), sortedJson(await arrayRows(c, OLD)), 'OR REPLACE of a new name just creates it');
    for (const x of [c, reader, writer]) await x.end();
  } finally {
    await server.cleanup();
  }
});

test('kill -9 while a replacement is being built: after restart the swap completes', async () => {
  const server = await EddyProcess.start();
  try {
    const c = await server.client();
    c.on('error', () => undefined);
    await load(c, 30);
    await c.query(`CREATE MATERIALIZED VIEW per_k AS ${OLD}`);
    const creator = await server.client();
    creator.on('error', () => undefined);
    const replace = creator.query(`CREATE OR REPLACE MATERIALIZED VIEW per_k AS ${NEW}`).catch(() => undefined);
    let seen = false;
    for (let i = 0; i < 2000 && !seen; i++) {
      seen = (await arrayRows(c, 'SHOW MATERIALIZED VIEWS')).some((r) => r[0] === 'per_k$replacing' && r[2] !== 'done');
      if (!seen) await new Promise((r) => setTimeout(r, 2));
    }
    assert.ok(seen, 'the replacement was being built');
    await server.kill();
    await replace;
    const again = await EddyProcess.start({ dataDir: server.dataDir });
    try {
      const c2 = await again.client();
      let fields: string[] = [];
      for (let i = 0; i < 500; i++) {
        fields = (await c2.query({ text: 'SELECT * FROM per_k', rowMode: 'array' })).fields.map((f) => f.name);
        if (fields.length === 4) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(fields, ['k', 'n', 's', 'mx']);
      assert.deepEqual(sortedJson(await arrayRows(c2, 'SELECT * FROM per_k')), sortedJson(await arrayRows(c2, NEW)));
      await c2.end();
    } finally {
      await again.cleanup();
    }
  } finally {
    await server.cleanup();
  }
});
