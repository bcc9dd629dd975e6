/**
 * Restart: opening a data dir with millions of live-table rows and large operator state loads
 * the last committed epoch (catalog, stream positions and clocks, operator state, live tables);
 * it does not replay the stream's history through the dataflows.
 *
 * Three processes, one after the other, on the same data dir:
 *
 *   1. build (child):  an Engine in-process (bench/in-process.ts) with
 *        CREATE STREAM s (id BIGINT, k BIGINT, v BIGINT, ts TIMESTAMP,
 *                         WATERMARK FOR ts AS ts - INTERVAL '4 seconds')
 *        agg        SELECT id, count(*) AS n, sum(v) AS total FROM s GROUP BY id
 *        win        SELECT k, window_start, count(*) AS n, sum(v) AS total
 *                   FROM TUMBLE(s, ts, INTERVAL '60 seconds') GROUP BY k, window_start
 *        win_final  the same, EMIT ON WINDOW CLOSE
 *      then N rows (default 2 M; `--quick` 200 k) pushed through engine.submit(tx =>
 *      engine.appendToStream(...)), `inFlight` batches of `batchRows` in flight. Row i has
 *      id = i * 1 000 003 mod N/2 (every id exactly twice, so agg holds N/2 rows and as many
 *      aggregate state entries), k = id mod N/40, v = (31 i + 7) mod 1000, and an event time
 *      advancing evenly over 416 s: 7 windows of 60 s, the last one (360-420 s) still open at
 *      the end, so win and win_final hold a window's groups as state (win_final twice: the
 *      aggregate and the close buffer). The ingest time is the BASELINE: what replaying the
 *      history would cost at least. Then the MVs' checksums are taken and the engine is closed.
 *   2. open (child, `node dist/bench/restart.js --open <dir>`): a fresh process, so no cache or
 *      JIT state of the build flatters it. Times Engine.open() (openInProcess: Engine, open,
 *      session), the first read, RSS and heapUsed right after, and counts what was loaded (live
 *      rows of the three MVs, operator state entries). Then it proves the restart correct:
 *      the MVs' checksums equal those taken before the close, and the batch queries over the
 *      stream (the same GROUP BY / TUMBLE run ad hoc, per window for the windowed MVs;
 *      win_final only has the windows the watermark closed). Then it appends 1 000 rows for
 *      existing ids in the open window plus one row an hour later (which closes every window)
 *      and checks the exact deltas: agg's counts and sums move by what was added (the restored
 *      aggregate state was used, not started over), and win_final now equals win for every
 *      window but the new one (the restored close buffer emitted them).
 *   3. server (optional): `node bin/eddy start --data-dir <dir> --pg-port 0 --http-port 0`,
 *      timed from spawn until its 'eddy started' log line (and its 'engine opened' line), then
 *      one `SELECT count(*) FROM agg` over the wire, then SIGTERM.
 *
 * The OS page cache is warm for the open (the build just wrote the files); nothing here drops it.
 *
 * Standalone: node dist/bench/restart.js [--quick] [--rows N] [--keep] [--no-server]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Row } from '../runtime/sql/values.js';
import { openInProcess, type InProcess } from './in-process.js';

const STREAM_DDL = "CREATE STREAM s (id BIGINT, k BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '4 seconds')";
const AGG_QUERY = 'SELECT id, count(*) AS n, sum(v) AS total FROM s GROUP BY id';
const WIN_QUERY = "SELECT k, window_start, count(*) AS n, sum(v) AS total FROM TUMBLE(s, ts, INTERVAL '60 seconds') GROUP BY k, window_start";
const MVS = ['agg', 'win', 'win_final'] as const;
/** Event time: 2026-01-01 00:00 UTC, in µs (TIMESTAMP values are µs numbers in the engine). */
const BASE_US = Date.UTC(2026, 0, 1) * 1000;
const SPAN_US = 416 * 1e6;
const WINDOW_US = 60 * 1e6;
const DELAY_US = 4 * 1e6;
const PRIME = 1_000_003;

export interface RestartOptions {
  rows: number;
  batchRows: number;
  inFlight: number;
  /** Also time `bin/eddy start` on the data dir (default true). */
  server?: boolean;
  /** Keep the data dir (its path is in the result). */
  keep?: boolean;
}

/** The generator: row i of N. */
class Gen {
  readonly distinctIds: number;
  readonly kMod: number;
  constructor(readonly rows: number) {
    this.distinctIds = Math.max(1, Math.floor(rows / 2));
    this.kMod = Math.max(1, Math.floor(rows / 40));
  }
  id(i: number): number {
    return Number((BigInt(i) * BigInt(PRIME)) % BigInt(this.distinctIds));
  }
  ts(i: number): number {
    return BASE_US + Math.floor((i * SPAN_US) / this.rows);
  }
  row(i: number): Row {
    const id = this.id(i);
    return [BigInt(id), BigInt(id % this.kMod), BigInt((31 * i + 7) % 1000), this.ts(i)];
  }
}

/** MV checksums: agg as one line, the windowed MVs per window. Values as strings. */
export interface Checksums {
  agg: string;
  win: string[];
  win_final: string[];
}

const str = (r: Row) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

async function checksums(ip: InProcess): Promise<Checksums> {
  const perWindow = (mv: string) => ip.sql(`SELECT window_start, count(*), sum(n), sum(total), sum(k * n) FROM ${mv} GROUP BY window_start ORDER BY window_start`);
  return {
    agg: str((await ip.sql('SELECT count(*), sum(n), sum(total), sum(id * n) FROM agg'))[0]),
    win: (await perWindow('win')).map(str),
    win_final: (await perWindow('win_final')).map(str),
  };
}

interface Sizes {
  liveRows: Record<string, number>;
  stateEntries: Record<string, number>;
  stateBytes: number;
}

async function sizes(ip: InProcess): Promise<Sizes> {
  const liveRows: Record<string, number> = {};
  for (const mv of MVS) liveRows[mv] = Number((await ip.sql(`SELECT count(*) FROM ${mv}`))[0][0]);
  const stateEntries: Record<string, number> = {};
  let stateBytes = 0;
  for (const r of await ip.sql('SELECT materialized_view, state_rows, state_bytes FROM eddy_operator_state')) {
    stateEntries[String(r[0])] = (stateEntries[String(r[0])] ?? 0) + Number(r[1]);
    stateBytes += Number(r[2]);
  }
  return { liveRows, stateEntries, stateBytes };
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const mb = () => process.memoryUsage().rss / 2 ** 20;

// ---------------------------------------------------------------- 1. build (child process)

export interface BuildResult {
  rows: number;
  ingestSeconds: number;
  ingestCpuSeconds: number;
  epochs: number;
  sizes: Sizes;
  checksums: Checksums;
  rssMB: number;
  closeSeconds: number;
  /** Seconds per tenth of the rows (the per-row cost grows with the state). */
  tenths: number[];
}

async function build(dir: string, o: RestartOptions): Promise<BuildResult> {
  const ip = await openInProcess({ dataDir: dir });
  let closed = false;
  try {
    const { engine } = ip;
    await ip.sql(STREAM_DDL);
    await ip.sql(`CREATE MATERIALIZED VIEW agg AS ${AGG_QUERY}`);
    await ip.sql(`CREATE MATERIALIZED VIEW win AS ${WIN_QUERY}`);
    await ip.sql(`CREATE MATERIALIZED VIEW win_final AS ${WIN_QUERY} EMIT ON WINDOW CLOSE`);
    const stream = engine.catalog.get('s');
    if (!stream) throw new Error('stream s missing');
    const gen = new Gen(o.rows);
    const epoch0 = engine.epoch;
    let next = 0;
    let done = 0;
    const tenths: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let tTenth = t0;
    await Promise.all(
      Array.from({ length: o.inFlight }, async () => {
        while (next < o.rows) {
          const from = next;
          const n = Math.min(o.batchRows, o.rows - from);
          next += n;
          const rows: Row[] = new Array(n);
          for (let j = 0; j < n; j++) rows[j] = gen.row(from + j);
          await engine.submit((tx) => engine.appendToStream(tx, stream, rows));
          done += n;
          if (done >= ((tenths.length + 1) * o.rows) / 10) {
            const t = performance.now();
            tenths.push((t - tTenth) / 1000);
            tTenth = t;
          }
        }
      }),
    );
    await engine.flush();
    const ingestSeconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(cpu0);
    const epochs = engine.epoch - epoch0;
    const rssMB = mb();
    const sz = await sizes(ip);
    const cs = await checksums(ip);
    const t1 = performance.now();
    closed = true;
    await ip.close();
    return { rows: o.rows, ingestSeconds, ingestCpuSeconds: (c.user + c.system) / 1e6, epochs, sizes: sz, checksums: cs, rssMB, closeSeconds: (performance.now() - t1) / 1000, tenths };
  } finally {
    if (!closed) await ip.close();
  }
}

// ---------------------------------------------------------------- 2. open (child process)

export interface OpenResult {
  /** From the process's start until this module's body ran (node start + module loading). */
  startupMs: number;
  /** openInProcess: new Engine + Engine.open() + a session. */
  openMs: number;
  openCpuMs: number;
  /** Date.now() when the open finished (the parent subtracts its spawn time). */
  openedAt: number;
  /** The first read after the open: SELECT count(*) FROM agg (planning included). */
  firstReadMs: number;
  rssMB: number;
  heapUsedMB: number;
  /** heapUsed after a full GC (needs --expose-gc, which the parent passes). */
  heapUsedAfterGcMB?: number;
  sizes: Sizes;
  checksumsEqualBeforeClose: boolean;
  /** The batch query behind agg, run ad hoc over the whole history (reads and decodes every stream row). */
  batchAggSeconds: number;
  /** The same for win (TUMBLE), per window. */
  batchWinSeconds: number;
  closedWindows: number;
  continueAdded: number;
  /** After the close, the same SQLite reads Engine.open() does, alone (better-sqlite3, no decoding). */
  raw: RawReads;
}

export interface RawReads {
  /** SELECT count(*), max(seq) FROM stream_rows WHERE stream_id = ?: the one read that grows with history. */
  streamCountMs: number;
  streamRows: number;
  /** The same without count(*): max(seq) alone is an index lookup. */
  streamMaxOnlyMs: number;
  /** SELECT key, row, count FROM mv_rows WHERE mv_id = ? (.all(), per MV), no decoding. */
  mvRowsMs: number;
  mvRows: number;
  /** SELECT node, key, value FROM op_state WHERE mv_id = ? (.iterate(), per MV), no decoding. */
  opStateMs: number;
  opStateRows: number;
}

function rawReads(dir: string): RawReads {
  const db = new Database(path.join(dir, 'eddy.db'), { readonly: true });
  try {
    const ids = (kind: string) => (db.prepare('SELECT def FROM catalog').pluck().all() as string[]).map((d) => JSON.parse(d) as { id: number; kind: string }).filter((x) => x.kind === kind).map((x) => x.id);
    const timed = <T>(f: () => T): [number, T] => {
      const t = performance.now();
      const r = f();
      return [performance.now() - t, r];
    };
    const [streamId] = ids('stream');
    const [streamCountMs, sc] = timed(() => db.prepare('SELECT count(*) AS n, max(seq) AS m FROM stream_rows WHERE stream_id = ?').get(streamId) as { n: number });
    const [streamMaxOnlyMs] = timed(() => db.prepare('SELECT max(seq) AS m FROM stream_rows WHERE stream_id = ?').get(streamId));
    const mvs = ids('mv');
    const [mvRowsMs, mvRows] = timed(() => mvs.reduce((a, id) => a + db.prepare('SELECT key, row, count FROM mv_rows WHERE mv_id = ?').all(id).length, 0));
    const [opStateMs, opStateRows] = timed(() => {
      let n = 0;
      for (const id of mvs) for (const _r of db.prepare('SELECT node, key, value FROM op_state WHERE mv_id = ?').iterate(id)) n++;
      return n;
    });
    return { streamCountMs, streamRows: sc.n, streamMaxOnlyMs, mvRowsMs, mvRows, opStateMs, opStateRows };
  } finally {
    db.close();
  }
}

async function open(dir: string, o: RestartOptions, before: Checksums): Promise<OpenResult> {
  const startupMs = performance.now();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ip = await openInProcess({ dataDir: dir });
  const openMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const openedAt = Date.now();
  let closed = false;
  try {
    const rssMB = mb();
    const heapUsedMB = process.memoryUsage().heapUsed / 2 ** 20;
    const t1 = performance.now();
    await ip.sql('SELECT count(*) FROM agg');
    const firstReadMs = performance.now() - t1;
    const gc = (globalThis as { gc?: () => void }).gc;
    let heapUsedAfterGcMB: number | undefined;
    if (gc) {
      gc();
      heapUsedAfterGcMB = process.memoryUsage().heapUsed / 2 ** 20;
    }
    const sz = await sizes(ip);
    const problems: string[] = [];

    // (a) The MVs are exactly what they were before the close.
    const after = await checksums(ip);
    const eq = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const checksumsEqualBeforeClose = after.agg === before.agg && eq(after.win, before.win) && eq(after.win_final, before.win_final);
    if (after.agg !== before.agg) problems.push(`agg checksum ${after.agg} after the restart, ${before.agg} before`);
    if (!eq(after.win, before.win)) problems.push(`win per-window checksums differ from before the restart: ${after.win.join(' ')} vs ${before.win.join(' ')}`);
    if (!eq(after.win_final, before.win_final)) problems.push(`win_final per-window checksums differ from before the restart`);

    // (b) ... and equal to the batch queries over the stream's history.
    const tb = performance.now();
    const batchAgg = str((await ip.sql(`SELECT count(*), sum(n), sum(total), sum(id * n) FROM (${AGG_QUERY}) AS q`))[0]);
    const tw = performance.now();
    const batchWin = (await ip.sql(`SELECT window_start, count(*), sum(n), sum(total), sum(k * n) FROM (${WIN_QUERY}) AS q GROUP BY window_start ORDER BY window_start`)).map(str);
    const batchAggSeconds = (tw - tb) / 1000;
    const batchWinSeconds = (performance.now() - tw) / 1000;
    if (after.agg !== batchAgg) problems.push(`agg ${after.agg}, batch query ${batchAgg}`);
    if (!eq(after.win, batchWin)) problems.push(`win ${after.win.join(' ')}; batch query ${batchWin.join(' ')}`);
    const gen = new Gen(o.rows);
    const lastTs = gen.ts(o.rows - 1);
    const watermark = Number((await ip.sql("SELECT watermark FROM eddy_streams WHERE name = 's'"))[0][0]);
    if (watermark !== lastTs - DELAY_US) problems.push(`watermark ${watermark}, expected ${lastTs - DELAY_US}`);
    const closedBatch = batchWin.filter((w) => (JSON.parse(w) as number[])[0] + WINDOW_US <= watermark);
    if (!eq(after.win_final, closedBatch)) problems.push(`win_final ${after.win_final.join(' ')}; closed windows of the batch query ${closedBatch.join(' ')}`);
    if (closedBatch.length === 0 || closedBatch.length === batchWin.length) problems.push(`expected closed and open windows at the end, got ${closedBatch.length} of ${batchWin.length} closed`);

    // (c) It continues from the restored state: exact deltas.
    const { engine } = ip;
    const stream = engine.catalog.get('s')!;
    const m = Math.min(1000, gen.distinctIds);
    const extra: Row[] = [];
    let idSum = 0n;
    for (let i = 0; i < m; i++) {
      const id = gen.id(i);
      idSum += BigInt(id);
      extra.push([BigInt(id), BigInt(id % gen.kMod), 1n, lastTs]);
    }
    const late = gen.id(0);
    idSum += BigInt(late);
    extra.push([BigInt(late), BigInt(late % gen.kMod), 1n, lastTs + 3600e6]);
    await engine.submit((tx) => engine.appendToStream(tx, stream, extra));
    await engine.flush();
    const [c0, n0, t0s, x0] = (JSON.parse(after.agg) as string[]).map(BigInt);
    const add = BigInt(extra.length);
    const want = str([c0, n0 + add, t0s + add, x0 + idSum]);
    let cont = await checksums(ip);
    for (let i = 0; i < 50 && cont.win_final.length <= after.win_final.length; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the close may take one more epoch
      await engine.flush();
      cont = await checksums(ip);
    }
    if (cont.agg !== want) problems.push(`after appending ${extra.length} rows: agg ${cont.agg}, expected ${want}`);
    const winN = (ws: string[]) => ws.reduce((a, w) => a + BigInt((JSON.parse(w) as string[])[2]), 0n);
    if (winN(cont.win) !== winN(after.win) + add) problems.push(`after appending ${extra.length} rows: win sum(n) ${winN(cont.win)}, expected ${winN(after.win) + add}`);
    if (cont.win.length !== after.win.length + 1) problems.push(`win has ${cont.win.length} windows, expected ${after.win.length + 1}`);
    if (!eq(cont.win_final, cont.win.slice(0, -1))) problems.push(`after closing every window, win_final ${cont.win_final.join(' ')} differs from win ${cont.win.slice(0, -1).join(' ')}`);

    if (problems.length > 0) throw new Error(`restart: wrong result: ${problems.join('; ')}`);
    closed = true;
    await ip.close();
    return {
      startupMs, openMs, openCpuMs: (cpu.user + cpu.system) / 1000, openedAt, firstReadMs, rssMB, heapUsedMB, heapUsedAfterGcMB,
      sizes: sz, checksumsEqualBeforeClose, batchAggSeconds, batchWinSeconds, closedWindows: closedBatch.length, continueAdded: extra.length, raw: rawReads(dir),
    };
  } finally {
    if (!closed) await ip.close();
  }
}

// ---------------------------------------------------------------- 3. the server (bin/eddy start)

export interface ServerStartResult {
  /** Spawn until the 'eddy started' log line. */
  startedMs: number;
  /** Spawn until the 'engine opened' log line (pino's time field). */
  engineOpenedMs?: number;
  aggRows: number;
  rssMB?: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function serverStart(dir: string, timeoutMs: number): Promise<ServerStartResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--data-dir', dir, '--pg-port', '0', '--http-port', '0'], {
    cwd: root,
    env: { ...process.env, EDDY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logs: string[] = [];
  try {
    const started = await new Promise<{ startedMs: number; engineOpenedMs?: number; pgPort: number }>((resolve, reject) => {
      let buf = '';
      let engineOpenedMs: number | undefined;
      const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs / 1000} s; logs:\n${logs.join('\n')}`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          logs.push(line);
          let j: { msg?: string; time?: number; pgPort?: number };
          try {
            j = JSON.parse(line) as typeof j;
          } catch {
            continue;
          }
          if (j.msg === 'engine opened' && j.time !== undefined) engineOpenedMs = j.time - t0;
          if (j.msg === 'eddy started') {
            clearTimeout(timer);
            resolve({ startedMs: Date.now() - t0, engineOpenedMs, pgPort: j.pgPort! });
          }
        }
      });
      child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before starting; logs:\n${logs.join('\n')}`));
      });
    });
    let rssMB: number | undefined;
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)/.exec(status);
      if (kb) rssMB = Number(kb[1]) / 1024;
    } catch {
      /* no /proc */
    }
    const c = new pg.Client({ host: '127.0.0.1', port: started.pgPort, user: 'eddy', database: 'eddy' });
    await c.connect();
    const r = await c.query('SELECT count(*) AS n FROM agg');
    await c.end();
    return { startedMs: started.startedMs, engineOpenedMs: started.engineOpenedMs, aggRows: Number(r.rows[0].n), rssMB };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

// ---------------------------------------------------------------- the parent: all three

export interface RestartRun {
  rows: number;
  dataDir: string;
  dataDirMB: number;
  build: BuildResult;
  open: OpenResult;
  /** The open child's spawn until its Engine.open() returned (node start + imports + open). */
  spawnToOpenMs: number;
  server?: ServerStartResult;
  serverError?: string;
}

function runChild<T>(args: string[]): Promise<{ result: T; spawnedAt: number }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`restart ${args[0]} exited with code ${code}`));
      try {
        resolve({ result: JSON.parse(out.trim().split('\n').at(-1) ?? '') as T, spawnedAt });
      } catch (e) {
        reject(new Error(`restart ${args[0]}: unreadable result (${(e as Error).message}): ${out.slice(0, 500)}`));
      }
    });
  });
}

function dirMB(dir: string): number {
  let bytes = 0;
  for (const f of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, f));
    if (st.isFile()) bytes += st.size;
  }
  return bytes / 2 ** 20;
}

export async function runRestart(o: RestartOptions, progress: (msg: string) => void = () => {}): Promise<RestartRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-restart-'));
  try {
    progress(`restart: building the data dir (${o.rows.toLocaleString('en-US')} rows, 3 MVs) in ${dir}`);
    const { result: b } = await runChild<BuildResult>(['--build', dir, JSON.stringify(o)]);
    const dataDirMB = dirMB(dir);
    progress(`restart: ingest took ${b.ingestSeconds.toFixed(1)} s; opening it in a new process`);
    const { result: op, spawnedAt } = await runChild<OpenResult>(['--open', dir, JSON.stringify({ ...o, before: b.checksums })]);
    const run: RestartRun = { rows: o.rows, dataDir: dir, dataDirMB, build: b, open: op, spawnToOpenMs: op.openedAt - spawnedAt };
    if (o.server !== false) {
      progress('restart: bin/eddy start on the same data dir');
      try {
        run.server = await serverStart(dir, 300_000);
      } catch (e) {
        run.serverError = (e as Error).message;
      }
    }
    return run;
  } finally {
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Loaded items: live rows of every MV + operator state entries, after the open. */
export function loadedItems(r: RestartRun): number {
  return sum(r.open.sizes.liveRows) + sum(r.open.sizes.stateEntries);
}

export function summary(r: RestartRun): string[] {
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const live = sum(r.open.sizes.liveRows);
  const state = sum(r.open.sizes.stateEntries);
  const lines = [
    `${f(r.rows)} stream rows; data dir ${r.dataDirMB.toFixed(0)} MB; live rows ${f(live)} (${MVS.map((m) => `${m} ${f(r.open.sizes.liveRows[m])}`).join(', ')}); operator state entries ${f(state)} (${MVS.map((m) => `${m} ${f(r.open.sizes.stateEntries[m] ?? 0)}`).join(', ')})`,
    `ingest (baseline): ${r.build.ingestSeconds.toFixed(2)} s, ${f(r.rows / r.build.ingestSeconds)} rows/s, ${r.build.ingestCpuSeconds.toFixed(1)} s CPU, ${r.build.epochs} epochs; RSS after ingest ${r.build.rssMB.toFixed(0)} MB; close ${r.build.closeSeconds.toFixed(2)} s`,
    `open (new process): Engine.open ${(r.open.openMs / 1000).toFixed(2)} s (${(r.open.openCpuMs / 1000).toFixed(2)} s CPU), ${f(loadedItems(r) / (r.open.openMs / 1000))} rows+entries/s; node start + imports ${r.open.startupMs.toFixed(0)} ms; spawn to opened ${(r.spawnToOpenMs / 1000).toFixed(2)} s; first read ${r.open.firstReadMs.toFixed(0)} ms; RSS after open ${r.open.rssMB.toFixed(0)} MB, heapUsed ${r.open.heapUsedMB.toFixed(0)} MB${r.open.heapUsedAfterGcMB !== undefined ? ` (${r.open.heapUsedAfterGcMB.toFixed(0)} MB after GC)` : ''}`,
    `open's SQLite reads alone (after the close, no decoding): stream count(*) ${r.open.raw.streamCountMs.toFixed(0)} ms over ${f(r.open.raw.streamRows)} rows (max(seq) alone ${r.open.raw.streamMaxOnlyMs.toFixed(1)} ms); mv_rows ${(r.open.raw.mvRowsMs / 1000).toFixed(2)} s for ${f(r.open.raw.mvRows)}; op_state ${(r.open.raw.opStateMs / 1000).toFixed(2)} s for ${f(r.open.raw.opStateRows)}`,
    `ingest per tenth of the rows: ${r.build.tenths.map((x) => x.toFixed(1)).join(' / ')} s`,
    `verified: checksums equal to before the close; equal to the batch queries over the stream's history (agg's ${r.open.batchAggSeconds.toFixed(1)} s, win's ${r.open.batchWinSeconds.toFixed(1)} s); win_final = the ${r.open.closedWindows} closed windows; ${r.open.continueAdded} rows appended after the restart gave the exact deltas and closed every window`,
  ];
  if (r.server) lines.push(`bin/eddy start: 'eddy started' after ${(r.server.startedMs / 1000).toFixed(2)} s${r.server.engineOpenedMs !== undefined ? ` ('engine opened' at ${(r.server.engineOpenedMs / 1000).toFixed(2)} s)` : ''}${r.server.rssMB !== undefined ? `, RSS ${r.server.rssMB.toFixed(0)} MB` : ''}; SELECT count(*) FROM agg over the wire = ${f(r.server.aggRows)}`);
  if (r.serverError) lines.push(`bin/eddy start FAILED: ${r.serverError}`);
  return lines;
}

// ---------------------------------------------------------------- entry points

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const fail = (e: unknown) => {
    process.stderr.write(`restart: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  };
  const done = (r: unknown) => {
    process.stdout.write(JSON.stringify(r) + '\n');
    process.exit(0);
  };
  if (argv[0] === '--build') {
    build(argv[1], JSON.parse(argv[2]) as RestartOptions).then(done, fail);
  } else if (argv[0] === '--open') {
    const o = JSON.parse(argv[2]) as RestartOptions & { before: Checksums };
    open(argv[1], o, o.before).then(done, fail);
  } else {
    const o: RestartOptions = { rows: 2_000_000, batchRows: 5000, inFlight: 4 };
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--quick') o.rows = 200_000;
      else if (argv[i] === '--rows') o.rows = Number(argv[++i]);
      else if (argv[i] === '--keep') o.keep = true;
      else if (argv[i] === '--no-server') o.server = false;
      else fail(new Error(`unknown option ${argv[i]}; usage: restart.js [--quick] [--rows N] [--keep] [--no-server]`));
    }
    runRestart(o, (m) => process.stderr.write(`# ${m}\n`)).then((r) => {
      process.stdout.write(summary(r).join('\n') + '\n');
      process.stdout.write(`ratio open / ingest: ${(r.open.openMs / 1000 / r.build.ingestSeconds).toFixed(3)}x\n`);
      process.exit(r.serverError ? 1 : 0);
    }, fail);
  }
}
