/**
 * The files connector over the wire: a directory of JSON-lines / CSV files as a stream (files
 * present at CREATE and added later, malformed lines counted, exactly once across kill -9), and
 * the files sink (one complete file per epoch, never a partial one visible, no epoch duplicated
 * or missing across kill -9).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { arrayRows, errorCode } from '../support/sql.js';
import { waitFor } from '../support/wait.js';

let server: EddyProcess;
let client: pg.Client;
let root: string;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-files-'));
  server = await EddyProcess.start();
  client = await server.client();
  client.on('error', () => undefined); // the server is killed on purpose
});

after(async () => {
  await client?.end().catch(() => undefined);
  await server?.cleanup();
  fs.rmSync(root, { recursive: true, force: true });
});

async function restart(env?: Record<string, string>): Promise<void> {
  await client.end().catch(() => undefined);
  server = await EddyProcess.start({ dataDir: server.dataDir, env });
  client = await server.client();
  client.on('error', () => undefined);
}


function mkdir(name: string): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Writes a file atomically (temp name starting with '.', then rename). */
function put(dir: string, name: string, text: string): void {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, name));
}

async function streamStat(stream: string): Promise<{ accepted: number; malformed: number; status: string }> {
  const rows = await arrayRows(client, 'SELECT rows_accepted, malformed_rows, source_status FROM eddy_streams WHERE name = $1', [stream]);
  return { accepted: Number(rows[0]?.[0] ?? -1), malformed: Number(rows[0]?.[1] ?? -1), status: String(rows[0]?.[2]) };
}

async function waitAccepted(stream: string, n: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(`${stream} to accept ${n} rows`, async () => (await streamStat(stream)).accepted === n, timeoutMs);
  await client.query('FLUSH');
}

function jsonLines(file: number, n: number): { text: string; rows: { k: string; n: number }[] } {
  const rows: { k: string; n: number }[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = { k: `k${(i * 7 + file) % 5}`, n: file * 100_000 + i };
    rows.push(r);
    lines.push(JSON.stringify(r));
  }
  return { text: `${lines.join('\n')}\n`, rows };
}

function expectedAgg(rows: { k: string; n: number }[]): string[] {
  const m = new Map<string, [number, number]>();
  for (const r of rows) {
    const e = m.get(r.k) ?? [0, 0];
    e[0]++;
    e[1] += r.n;
    m.set(r.k, e);
  }
  return [...m].map(([k, [c, s]]) => `${k}|${c}|${s}`).sort();
}

async function mvAgg(mv: string): Promise<string[]> {
  return (await arrayRows(client, `SELECT k, c, s FROM ${mv}`)).map((r) => `${r[0]}|${r[1]}|${r[2]}`).sort();
}

test('files source: JSON and CSV files present at CREATE and added later, malformed lines counted', async () => {
  const dir = mkdir('src1');
  const a = jsonLines(1, 1000);
  const bad = ['not json at all', '{"k": "x", "n": "abc"}'];
  const aLines = a.text.split('\n');
  put(dir, 'a.jsonl', [...aLines.slice(0, 500), bad[0], ...aLines.slice(500, 700), '', bad[1], ...aLines.slice(700)].join('\n'));
  put(dir, 'ignored.txt', 'whatever\n');
  put(dir, '.hidden.jsonl', `${JSON.stringify({ k: 'hidden', n: 1 })}\n`);
  await client.query(`CREATE STREAM fev1 (k TEXT, n BIGINT) WITH (connector = 'files', path = '${dir}', format = 'json', pattern = '*.jsonl', poll_interval = '100 ms')`);
  await client.query('CREATE MATERIALIZED VIEW fagg1 AS SELECT k, count(*) AS c, sum(n) AS s FROM fev1 GROUP BY k');
  await waitAccepted('fev1', 1000);
  assert.deepEqual(await mvAgg('fagg1'), expectedAgg(a.rows));
  // Added later: a complete file, and one being written whose last line has no '\n' yet.
  const b = jsonLines(2, 3000);
  put(dir, 'b.jsonl', b.text);
  const c = jsonLines(3, 50);
  fs.writeFileSync(path.join(dir, 'c.jsonl'), c.text.slice(0, c.text.length - 1)); // no final '\n'
  await waitAccepted('fev1', 4050);
  assert.deepEqual(await mvAgg('fagg1'), expectedAgg([...a.rows, ...b.rows, ...c.rows]));
  const st = await streamStat('fev1');
  assert.equal(st.malformed, 2);
  assert.equal(st.status, 'running');
  const errors = await arrayRows(client, `SELECT sqlstate, message, row FROM eddy_errors WHERE object = 'fev1' ORDER BY id`);
  assert.equal(errors.length, 2);
  assert.ok(errors.some((e) => String(e[1]).includes('a.jsonl line 501') && String(e[2]).includes('not json at all')), JSON.stringify(errors));
  assert.ok(errors.some((e) => String(e[1]).includes('a.jsonl line 703')), JSON.stringify(errors));
  // Nothing is read twice: appending to a file that is still open (not yet finished) adds only the new lines.
  const d = jsonLines(4, 10);
  fs.writeFileSync(path.join(dir, 'd.jsonl'), d.text.split('\n').slice(0, 5).join('\n') + '\n');
  await waitAccepted('fev1', 4055);
  fs.appendFileSync(path.join(dir, 'd.jsonl'), d.text.split('\n').slice(5).join('\n'));
  await waitAccepted('fev1', 4060);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await streamStat('fev1')).accepted, 4060);
  assert.deepEqual(await mvAgg('fagg1'), expectedAgg([...a.rows, ...b.rows, ...c.rows, ...d.rows]));

  // CSV with a header line in every file.
  const cdir = mkdir('src2');
  const csv = (rows: { k: string; n: number }[]) => `k,n\n${rows.map((r) => `${r.k},${r.n}`).join('\n')}\n`;
  const c1 = jsonLines(5, 300);
  put(cdir, 'part-1.csv', csv(c1.rows));
  await client.query(`CREATE STREAM fev2 (k TEXT, n BIGINT) WITH (connector = 'files', path = '${cdir}', format = 'csv', csv.header = 'true', poll_interval = '100 ms')`);
  await client.query('CREATE MATERIALIZED VIEW fagg2 AS SELECT k, count(*) AS c, sum(n) AS s FROM fev2 GROUP BY k');
  await waitAccepted('fev2', 300);
  const c2 = jsonLines(6, 700);
  put(cdir, 'part-2.csv', `${csv(c2.rows)}x,notanumber\n`);
  await waitAccepted('fev2', 1000);
  assert.deepEqual(await mvAgg('fagg2'), expectedAgg([...c1.rows, ...c2.rows]));
  assert.equal((await streamStat('fev2')).malformed, 1);
  // The directory disappears: the source retries, and carries on when it is back.
  fs.renameSync(cdir, `${cdir}-away`);
  await waitFor('status retrying', async () => (await streamStat('fev2')).status.startsWith('retrying'));
  fs.renameSync(`${cdir}-away`, cdir);
  put(cdir, 'part-3.csv', csv(jsonLines(7, 5).rows));
  await waitAccepted('fev2', 1005);
  assert.equal((await streamStat('fev2')).status, 'running');

  // Options are checked at CREATE.
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files', path = '${path.join(root, 'nosuch')}')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files', path = '${path.join(dir, 'a.jsonl')}')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files', path = '${dir}', colour = 'red')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files', path = '${dir}', format = 'csv', csv.delimeter = ';')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files', path = '${dir}', poll_interval = 'often')`), '22023');
  assert.equal(await errorCode(client, `CREATE STREAM fbad (k TEXT) WITH (connector = 'files')`), '22023');
});

test('files source: kill -9 mid-ingest, every line counted exactly once after the restart', async () => {
  const dir = mkdir('src3');
  await client.query(`CREATE STREAM fev3 (k TEXT, n BIGINT) WITH (connector = 'files', path = '${dir}', poll_interval = '100 ms')`);
  await client.query('CREATE MATERIALIZED VIEW fagg3 AS SELECT k, count(*) AS c, sum(n) AS s FROM fev3 GROUP BY k');
  await client.query('FLUSH');
  // Eddy kills itself right after the second source batch committed, with the rest unread or in flight.
  await client.end();
  await server.stop();
  await restart({ EDDY_CRASH_POINT: 'source-batch-committed:2' });
  const files = [jsonLines(11, 12_000), jsonLines(12, 12_000), jsonLines(13, 12_000)];
  files.forEach((f, i) => put(dir, `f${i}.jsonl`, f.text));
  await waitFor('Eddy to crash at the crash point', () => !server.running, 20_000);
  await restart();
  await waitAccepted('fev3', 36_000);
  assert.deepEqual(await mvAgg('fagg3'), expectedAgg(files.flatMap((f) => f.rows)));
  const [[count, distinct]] = await arrayRows(client, 'SELECT count(*), count(DISTINCT n) FROM fev3');
  assert.equal(Number(count), 36_000);
  assert.equal(Number(distinct), 36_000);
  // More files after the restart.
  const more = jsonLines(14, 100);
  put(dir, 'g.jsonl', more.text);
  await waitAccepted('fev3', 36_100);
  assert.deepEqual(await mvAgg('fagg3'), expectedAgg([...files.flatMap((f) => f.rows), ...more.rows]));
});

interface SinkFile { name: string; first: number; last: number; lines: Record<string, unknown>[] }

/** This sink's files in epoch order, parsed; fails on anything incomplete. */
function readSinkFiles(dir: string, sink: string): SinkFile[] {
  const out: SinkFile[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = new RegExp(`^${sink}-(\\d{12})(?:-(\\d{12}))?\\.jsonl$`).exec(name);
    if (m === null) continue;
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), `${name} is not complete`);
    const lines = text === '' ? [] : text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    out.push({ name, first: Number(m[1]), last: Number(m[2] ?? m[1]), lines });
  }
  return out.sort((x, y) => x.first - y.first);
}

/** No epoch in two files. */
function assertNoOverlap(files: SinkFile[]): void {
  for (let i = 1; i < files.length; i++) assert.ok(files[i].first > files[i - 1].last, `${files[i - 1].name} and ${files[i].name} overlap`);
}

async function waitSinksDone(names: string[]): Promise<void> {
  await client.query('FLUSH');
  await waitFor('the sinks to catch up', async () => {
    for (const n of names) {
      const [[pending, status]] = await arrayRows(client, 'SELECT pending_epochs, status FROM eddy_sinks WHERE name = $1', [n]);
      if (Number(pending) !== 0 || status !== 'running') return false;
    }
    return true;
  });
}

test('files sink: one complete file per epoch, _op changes, packing, exactly once across kill -9', async () => {
  const dir = mkdir('sink1');
  await client.query('CREATE STREAM sev (k INT, v INT)');
  await client.query('CREATE MATERIALIZED VIEW sagg AS SELECT k, count(*) AS c, sum(v) AS s FROM sev GROUP BY k');
  await client.query(`CREATE SINK sagg_out FROM sagg WITH (connector = 'files', path = '${dir}', format = 'json')`);
  await client.query(`CREATE SINK sev_out FROM sev WITH (connector = 'files', path = '${dir}', format = 'json', max_file_size = '2 kB')`);
  // Options are checked at CREATE.
  assert.equal(await errorCode(client, `CREATE SINK sbad FROM sagg WITH (connector = 'files', path = '${dir}', mode = 'append')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK sbad FROM sev WITH (connector = 'files', path = '${path.join(root, 'nosuch')}')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK sbad FROM sev WITH (connector = 'files', path = '${dir}', max_file_size = 'big')`), '22023');
  assert.equal(await errorCode(client, `CREATE SINK sbad FROM sev WITH (connector = 'files', path = '${dir}', format = 'avro')`), '22023');

  // A reader polls the directory during the writes: it only ever sees complete, parseable files.
  const violations: string[] = [];
  let polls = 0;
  const reader = setInterval(() => {
    polls++;
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue; // temporary files are not for readers
      let text: string;
      try {
        text = fs.readFileSync(path.join(dir, n), 'utf8');
      } catch {
        continue;
      }
      if (text !== '' && !text.endsWith('\n')) violations.push(`${n}: partial`);
      for (const l of text.split('\n').filter((x) => x !== '')) {
        try {
          JSON.parse(l);
        } catch {
          violations.push(`${n}: bad line ${l.slice(0, 40)}`);
        }
      }
    }
  }, 3);

  let next = 0;
  const insertRound = async (rows: number): Promise<void> => {
    const vals: string[] = [];
    for (let i = 0; i < rows; i++, next++) vals.push(`(${next % 7}, ${next})`);
    await client.query(`INSERT INTO sev VALUES ${vals.join(', ')}`);
  };
  try {
    for (let r = 0; r < 15; r++) await insertRound(40);
    await waitSinksDone(['sagg_out', 'sev_out']);

    // kill -9 mid-write: Eddy kills itself with a sink file written but not yet renamed.
    await client.end();
    await server.stop();
    await restart({ EDDY_CRASH_POINT: 'files-sink-before-rename:4' });
    for (let r = 0; r < 30 && server.running; r++) await insertRound(40).catch(() => undefined);
    await waitFor('Eddy to crash at the crash point', () => !server.running, 20_000);
    assert.ok(fs.readdirSync(dir).some((n) => n.startsWith('.')), 'the crash left a temporary file behind');
    await restart();
    for (let r = 0; r < 5; r++) await insertRound(40);
    await waitSinksDone(['sagg_out', 'sev_out']);
  } finally {
    clearInterval(reader);
  }
  assert.deepEqual(violations, []);
  assert.ok(polls > 10);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.')), [], 'temporary files are cleaned up');

  // Changes: replaying every file's inserts and deletes in epoch order gives the view's content.
  const aggFiles = readSinkFiles(dir, 'sagg_out');
  assertNoOverlap(aggFiles);
  assert.ok(aggFiles.every((f) => f.first === f.last), 'one file per epoch');
  const state = new Map<string, number>();
  for (const f of aggFiles) {
    for (const l of f.lines) {
      const { _op: op, ...row } = l;
      const key = JSON.stringify(row);
      state.set(key, (state.get(key) ?? 0) + (op === 'insert' ? 1 : op === 'delete' ? -1 : NaN));
    }
  }
  const replayed = [...state].filter(([, w]) => w !== 0).flatMap(([k, w]) => { assert.equal(w, 1, k); return [k]; }).sort();
  const content = (await arrayRows(client, 'SELECT k, c, s FROM sagg')).map((r) => JSON.stringify({ k: Number(r[0]), c: Number(r[1]), s: Number(r[2]) })).sort();
  assert.deepEqual(replayed, content);

  // Append: the union of the files is the stream's content, each row exactly once.
  const evFiles = readSinkFiles(dir, 'sev_out');
  assertNoOverlap(evFiles);
  assert.ok(evFiles.some((f) => f.first !== f.last), 'epochs are packed into files');
  const written = evFiles.flatMap((f) => f.lines.map((l) => { assert.equal(l._op, undefined); return Number(l.v); })).sort((x, y) => x - y);
  const inStream = (await arrayRows(client, 'SELECT v FROM sev')).map((r) => Number(r[0])).sort((x, y) => x - y);
  assert.deepEqual(written, inStream);
  assert.equal(new Set(written).size, written.length);

  // CSV with a header line: the sink's snapshot of the view, as inserts.
  const cdir = mkdir('sink2');
  await client.query(`CREATE SINK sagg_csv FROM sagg WITH (connector = 'files', path = '${cdir}', format = 'csv', csv.header = 'true')`);
  await waitSinksDone(['sagg_csv']);
  const csvFiles = fs.readdirSync(cdir);
  assert.ok(csvFiles.length >= 1 && csvFiles.every((n) => /^sagg_csv-\d{12}\.csv$/.test(n)), JSON.stringify(csvFiles));
  const csvRows: string[] = [];
  for (const n of csvFiles) {
    const lines = fs.readFileSync(path.join(cdir, n), 'utf8').split('\n');
    assert.equal(lines[0], 'k,c,s,_op');
    assert.equal(lines.pop(), '');
    csvRows.push(...lines.slice(1));
  }
  assert.deepEqual(csvRows.sort(), (await arrayRows(client, 'SELECT k, c, s FROM sagg')).map((r) => `${r[0]},${r[1]},${r[2]},insert`).sort());
});
