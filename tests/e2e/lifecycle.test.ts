/** Process lifecycle: SIGTERM shutdown, acknowledged writes surviving kill -9, bad data dirs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EddyProcess } from '../support/server-process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('SIGTERM finishes work, closes clients with 57P01 and exits 0', async () => {
  const server = await EddyProcess.start();
  try {
    const c = await server.client();
    const closed = new Promise<{ code?: string }>((resolve) => c.on('error', (e) => resolve(e as { code?: string })));
    await c.query('CREATE STREAM t (x INT)');
    await c.query('INSERT INTO t VALUES (1), (2)');
    const code = await server.stop();
    assert.equal(code, 0);
    assert.equal((await closed).code, '57P01');
    const again = await EddyProcess.start({ dataDir: server.dataDir });
    const c2 = await again.client();
    assert.deepEqual((await c2.query('SELECT count(*)::int AS n FROM t')).rows, [{ n: 2 }]);
    await c2.end();
    await again.cleanup();
  } finally {
    await server.cleanup();
  }
});

test('SIGTERM under load: every committed statement is acknowledged, every failed one is absent', async () => {
  const server = await EddyProcess.start();
  try {
    const setup = await server.client();
    await setup.query('CREATE STREAM load (c INT, i INT)');
    await setup.end();
    const acked: number[] = [];
    const clients = await Promise.all(Array.from({ length: 6 }, () => server.client()));
    const loops = clients.map(async (c, ci) => {
      c.on('error', () => undefined);
      let n = 0;
      for (let i = 0; ; i++) {
        try {
          await c.query(`INSERT INTO load VALUES (${ci}, ${i}), (${ci}, ${i})`);
        } catch (e) {
          assert.equal((e as { code?: string }).code ?? '57P01', '57P01');
          break;
        }
        n += 2;
      }
      acked[ci] = n;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await server.stop(), 0);
    await Promise.all(loops);
    const again = await EddyProcess.start({ dataDir: server.dataDir });
    const c2 = await again.client();
    const stored = (await c2.query({ text: 'SELECT c, count(*)::int FROM load GROUP BY c ORDER BY c', rowMode: 'array' })).rows as [number, number][];
    assert.deepEqual(stored.map((r) => r[1]), acked.filter((n) => n > 0), 'exactly the acknowledged rows are stored, per client');
    await c2.end();
    await again.cleanup();
  } finally {
    await server.cleanup();
  }
});

test('acknowledged writes survive kill -9 and MVs stay exact', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-kill-'));
  try {
    let server = await EddyProcess.start({ dataDir });
    let c = await server.client();
    c.on('error', () => undefined);
    await c.query('CREATE STREAM ev (k INT, v INT)');
    await c.query('CREATE TABLE dim (k INT PRIMARY KEY, name TEXT)');
    await c.query('CREATE MATERIALIZED VIEW totals AS SELECT e.k, d.name, count(*) AS n, sum(e.v) AS s FROM ev e LEFT JOIN dim d ON e.k = d.k GROUP BY e.k, d.name');
    let acked = 0;
    for (let round = 0; round < 5; round++) {
      // fire writes without waiting, then kill while some are in flight
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        const vals = Array.from({ length: 20 }, (_, j) => `(${(i + j) % 7}, ${j})`).join(',');
        inflight.push(c.query(`INSERT INTO ev VALUES ${vals}`).then(() => { acked += 20; }, () => undefined));
        if (i % 5 === 0) inflight.push(c.query(`INSERT INTO dim VALUES (${i % 7}, 'n${round}') ON CONFLICT (k) DO UPDATE SET name = excluded.name`).catch(() => undefined));
      }
      await new Promise((r) => setTimeout(r, 5 + round * 3));
      await server.kill();
      await Promise.allSettled(inflight);
      await c.end().catch(() => undefined);
      server = await EddyProcess.start({ dataDir });
      c = await server.client();
      c.on('error', () => undefined);
      const n = Number((await c.query('SELECT count(*) AS n FROM ev')).rows[0].n);
      assert.ok(n >= acked, `round ${round}: ${n} rows on disk, ${acked} acknowledged`);
      acked = n;
      const mv = (await c.query({ text: 'SELECT * FROM totals', rowMode: 'array' })).rows.map((r) => JSON.stringify(r)).sort();
      const batch = (await c.query({ text: 'SELECT e.k, d.name, count(*) AS n, sum(e.v) AS s FROM ev e LEFT JOIN dim d ON e.k = d.k GROUP BY e.k, d.name', rowMode: 'array' })).rows.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(mv, batch, `round ${round}: MV equals its query after recovery`);
    }
    await c.end();
    await server.cleanup();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a second server on the same data dir is refused (exit 4); a lock left by kill -9 is taken over', async () => {
  const server = await EddyProcess.start();
  try {
    const second = spawnSync(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', '0', '--http-port', '0', '--data-dir', server.dataDir], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(second.status, 4);
    assert.match(second.stderr, new RegExp(`in use by another Eddy server \\(pid ${server.child.pid}\\)`));
    await server.kill();
    assert.ok(fs.existsSync(path.join(server.dataDir, 'eddy.lock')), 'kill -9 leaves the lock file behind');
    const again = await EddyProcess.start({ dataDir: server.dataDir });
    assert.equal(await again.stop(), 0);
    assert.ok(!fs.existsSync(path.join(server.dataDir, 'eddy.lock')), 'a clean shutdown removes it');
  } finally {
    await server.cleanup();
  }
});

test('a foreign data dir is refused with a clear message and exit code', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-foreign-'));
  try {
    fs.writeFileSync(path.join(dataDir, 'eddy.db'), 'this is not a database at all, just text'.repeat(200));
    const r = spawnSync(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', '0', '--http-port', '0', '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /data directory/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bad command-line options exit 1 with usage', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', 'nope'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /invalid --pg-port/);
  assert.match(r.stderr, /Usage: eddy start/);
});

test('a full disk fails writes with 53100 while reads keep working, and loses nothing', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-full-'));
  try {
    // A database capped at 300 pages (1.2 MB) stands in for a disk that fills up.
    let server = await EddyProcess.start({ dataDir, env: { EDDY_MAX_DB_PAGES: '300' } });
    let c = await server.client();
    await c.query('CREATE STREAM big (k INT, payload TEXT)');
    await c.query('CREATE MATERIALIZED VIEW big_k AS SELECT k, count(*) AS n FROM big GROUP BY k');
    let acked = 0;
    let code = '';
    for (let i = 0; i < 200 && code === ''; i++) {
      try {
        await c.query(`INSERT INTO big VALUES ${Array.from({ length: 20 }, (_, j) => `(${j % 5}, repeat('x', 1000))`).join(', ')}`);
        acked += 20;
      } catch (e) {
        code = (e as { code: string }).code;
      }
    }
    assert.equal(code, '53100', 'the write that does not fit fails with disk_full');
    const q = 'SELECT k, count(*) AS n FROM big GROUP BY k';
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM big')).rows[0].n), acked, 'reads still work and see every acknowledged row');
    assert.deepEqual((await c.query({ text: 'SELECT * FROM big_k ORDER BY k', rowMode: 'array' })).rows, (await c.query({ text: `${q} ORDER BY k`, rowMode: 'array' })).rows, 'the view is back at the last committed epoch');
    await assert.rejects(c.query(`INSERT INTO big VALUES (1, repeat('y', 100000))`), (e: { code?: string }) => e.code === '53100', 'writes keep failing cleanly, the server stays up');
    await c.end();
    await server.stop();
    server = await EddyProcess.start({ dataDir });
    c = await server.client();
    await c.query(`INSERT INTO big VALUES (1, 'fits now')`);
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM big')).rows[0].n), acked + 1);
    assert.deepEqual((await c.query({ text: 'SELECT * FROM big_k ORDER BY k', rowMode: 'array' })).rows, (await c.query({ text: `${q} ORDER BY k`, rowMode: 'array' })).rows);
    await c.end();
    await server.cleanup();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a damaged data dir is refused with a clear message and exit code 3, not a crash', async () => {
  const server = await EddyProcess.start();
  try {
    const c = await server.client();
    await c.query('CREATE STREAM s (k INT, p TEXT)');
    await c.query('CREATE MATERIALIZED VIEW m AS SELECT k, count(*) FROM s GROUP BY k');
    for (let i = 0; i < 20; i++) await c.query(`INSERT INTO s VALUES ${Array.from({ length: 200 }, (_, j) => `(${j % 50}, repeat('z', 500))`).join(', ')}`);
    await c.end();
    assert.equal(await server.stop(), 0);
    const file = path.join(server.dataDir, 'eddy.db');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(16384, 0xff), 0, 16384, Math.floor(fs.statSync(file).size / 2));
    fs.closeSync(fd);
    const r = spawnSync(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', '0', '--http-port', '0', '--data-dir', server.dataDir], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /is damaged: database disk image is malformed; restore it from a backup/);
    assert.doesNotMatch(r.stderr, /at Engine\./, 'no stack trace');
  } finally {
    await server.cleanup();
  }
});
