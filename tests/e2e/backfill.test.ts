/**
 * Backfill: a view created over a long stream history reads it in chunks (progress in SHOW
 * MATERIALIZED VIEWS) while other statements keep committing, then continues live with no gap
 * and no duplicate; event time behaves as if the view had run from the start; a kill -9 in the
 * middle resumes where the last committed chunk ended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, sortedJson } from '../support/sql.js';

const HISTORY_BATCHES = 30;
const BATCH = 5000;

async function loadHistory(c: pg.Client): Promise<void> {
  await c.query(`CREATE STREAM ev (k INT, v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '10 seconds')`);
  for (let b = 0; b < HISTORY_BATCHES; b++) {
    const vals = Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i;
      return `(${n % 97}, ${n % 1000}, TIMESTAMP '2026-01-01' + ${Math.floor(n / 100)} * INTERVAL '1 second')`;
    });
    await c.query(`INSERT INTO ev VALUES ${vals.join(', ')}`);
  }
}

const GROUPED = 'SELECT k, count(*) AS n, sum(v) AS s FROM ev GROUP BY k';
const WINDOWED = `SELECT window_start, count(*) AS n FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY window_start`;

async function liveInserts(c: pg.Client, from: number, stop: () => boolean, onAck: () => void): Promise<number> {
  let n = from;
  while (!stop()) {
    const vals = Array.from({ length: 50 }, (_, i) => `(${(n + i) % 97}, 1, TIMESTAMP '2026-01-01' + ${1500 + Math.floor((n - from + i) / 50)} * INTERVAL '1 second')`);
    try {
      await c.query(`INSERT INTO ev VALUES ${vals.join(', ')}`);
    } catch {
      break;
    }
    n += 50;
    onAck();
  }
  return n - from;
}

test('a view over a long history backfills in chunks while inserts continue, then goes live exactly', async () => {
  const server = await EddyProcess.start();
  try {
    const c = await server.client();
    await loadHistory(c);
    const writer = await server.client();
    const watcher = await server.client();
    let creating = true;
    let acksDuringBackfill = 0;
    const progress: string[] = [];
    const live = liveInserts(writer, 1_000_000, () => !creating, () => {
      if (creating) acksDuringBackfill++;
    });
    const watch = (async () => {
      while (creating) {
        const row = (await arrayRows(watcher, 'SHOW MATERIALIZED VIEWS')).find((r) => r[0] === 'grouped');
        if (row) progress.push(row[2] as string);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await c.query(`CREATE MATERIALIZED VIEW grouped AS ${GROUPED}`);
    await c.query(`CREATE MATERIALIZED VIEW windowed AS ${WINDOWED}`);
    await c.query(`CREATE MATERIALIZED VIEW windowed_final AS ${WINDOWED} EMIT ON WINDOW CLOSE`);
    creating = false;
    const liveRows = await live;
    await watch;
    assert.ok(liveRows > 0, 'inserts were acknowledged meanwhile');
    assert.ok(acksDuringBackfill > 0, 'other statements committed while the backfill ran');
    assert.ok(progress.some((p) => /^\d+ \/ \d+ rows \(\d+%\)$/.test(p)), `progress was visible: ${progress.slice(0, 3).join('; ')}`);
    await c.query('FLUSH');
    assert.equal(Number((await arrayRows(c, 'SELECT count(*) FROM ev'))[0][0]), HISTORY_BATCHES * BATCH + liveRows);
    assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM grouped')), sortedJson(await arrayRows(c, GROUPED)), 'no gap, no duplicate at the boundary');
    assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM windowed')), sortedJson(await arrayRows(c, WINDOWED)));
    const [[wm]] = await arrayRows(c, `SELECT extract(epoch from watermark) FROM eddy_streams WHERE name = 'ev'`);
    const closed = (await arrayRows(c, WINDOWED)).filter((r) => (r[0] as Date).getTime() / 1000 + 60 <= Number(wm));
    assert.ok(closed.length > 10);
    assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM windowed_final')), sortedJson(closed), 'windows closed as if the view had run from the start');
    assert.ok((await arrayRows(c, 'SHOW MATERIALIZED VIEWS')).every((r) => r[2] === 'done'));
    for (const x of [c, writer, watcher]) await x.end();
  } finally {
    await server.cleanup();
  }
});

test('kill -9 during a backfill: the view resumes from its last committed chunk and ends exact', async () => {
  const server = await EddyProcess.start();
  try {
    let c = await server.client();
    c.on('error', () => undefined);
    await loadHistory(c);
    const creator = await server.client();
    creator.on('error', () => undefined);
    const create = creator.query(`CREATE MATERIALIZED VIEW grouped AS ${GROUPED}`).catch(() => undefined);
    // Kill once some chunks have committed.
    let seen = '';
    for (;;) {
      const row = (await arrayRows(c, 'SHOW MATERIALIZED VIEWS')).find((r) => r[0] === 'grouped');
      seen = row ? String(row[2]) : '';
      if (seen === 'done' || (seen !== '' && !seen.startsWith('0 /'))) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.notEqual(seen, 'done', 'the kill lands in the middle of the backfill');
    await server.kill();
    await create;
    await c.end().catch(() => undefined);
    const again = await EddyProcess.start({ dataDir: server.dataDir });
    try {
      c = await again.client();
      for (let i = 0; i < 500; i++) {
        const row = (await arrayRows(c, 'SHOW MATERIALIZED VIEWS')).find((r) => r[0] === 'grouped');
        assert.ok(row, 'the view survived the crash');
        if (row[2] === 'done') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(sortedJson(await arrayRows(c, 'SELECT * FROM grouped')), sortedJson(await arrayRows(c, GROUPED)), 'nothing counted twice, nothing missing');
      await c.end();
    } finally {
      await again.cleanup();
    }
  } finally {
    await server.cleanup();
  }
});
