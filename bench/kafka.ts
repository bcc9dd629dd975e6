/**
 * Kafka -> windowed count: the same Nexmark-like bids and TUMBLE MV as bench/windowed.ts, read
 * by Eddy's Kafka source (connectors/kafka/source.ts) from the protocol-level test broker
 * (tests/support/kafka-broker) instead of being INSERTed or pushed into the engine.
 *
 *   - The broker runs as a child process of its own (`node dist/tests/support/kafka-broker/main.js`),
 *     so its CPU is neither the server's nor this harness's, and is measured on its own (/proc).
 *   - A 3-partition topic is filled with the bids as JSON objects BEFORE the clock starts: bid i
 *     goes to partition i mod 3 (a keyless producer's round robin; each partition is in event-time
 *     order apart from the generator's jitter and late rows), no key, no compression, sent by
 *     kafkajs in requests of `perPartitionBatch` records per partition (one record batch each).
 *     `date_time` is the text 'YYYY-MM-DD HH:MM:SS.mmm', as Nexmark's JSON and the wire
 *     benchmark's INSERTs carry it.
 *   - A spawned Eddy server (EddyProcess); the clock starts just before `CREATE STREAM bids (...)
 *     WITH (connector = 'kafka', ...)`, followed at once by the TUMBLE MV, and stops when
 *     eddy_streams says every record was taken (rows_accepted + late_rows + malformed_rows = N,
 *     polled every 25 ms) and a FLUSH has returned.
 *   - Then the MV is checked: every group's n and max against the expected aggregate of the rows
 *     the stream accepted. Which rows are late depends on arrival order, which over 3 partitions
 *     is not the generation order, so the check takes the rows the server diverted
 *     (eddy_late_rows), requires each to be a generated row, and leaves them out of the expected
 *     result (as the wire benchmark does). Generated late rows the stream accepted (possible in
 *     principle: up to 50,000 uncommitted rows of the other partitions can run ahead of the
 *     watermark) and extra diverted rows are counted and reported. A malformed record, a count
 *     that does not add up or a wrong group is a failure.
 *
 * Standalone (only this path, no baselines): node dist/bench/kafka.js [--rows N] [--profile DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EddyProcess } from '../tests/support/server-process.js';
import { createTopic, kafka } from '../tests/support/kafka.js';
import { processCpuSeconds } from './workload.js';
import {
  BIDS_DDL, WINDOWED, bidGenConfig, expectedGroups, makeBids, matchDiverted, parseTimestampText, timestampLiteral, verifyGroups,
  type BidSet, type WindowedVariant,
} from './nexmark-bids.js';
import { formatProfile, summarizeProfile } from './profile.js';

export const KAFKA_PARTITIONS = 3;
export const TUMBLE = WINDOWED.find((v) => v.name === 'tumble')!;
const TOPIC = 'bids';
const POLL_MS = 25;
/** No new record for this long (after the clock started) fails the run. */
const STALL_MS = 20_000;

/** The broker as a child process. */
export interface BrokerProcess {
  brokers: string;
  child: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startBrokerProcess(): Promise<BrokerProcess> {
  const main = fileURLToPath(new URL('../tests/support/kafka-broker/main.js', import.meta.url));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-kafka-'));
  const child = spawn(process.execPath, [main, '--port', '0', '--data-dir', dataDir, '--no-auto-create', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const brokers = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the Kafka test broker did not start in 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Kafka test broker exited with ${code}: ${err}`));
    });
  }).catch((e: unknown) => {
    if (!exited) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  return {
    brokers, child, dataDir,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(t);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One bid as the JSON record the topic holds. */
export function bidJson(s: BidSet, i: number): string {
  return `{"auction":${s.auction[i]},"bidder":${s.bidder[i]},"price":${s.price[i]},"date_time":"${timestampLiteral(s.timeUs[i])}"}`;
}

export interface Prefill {
  seconds: number;
  /** Bytes of the record values (JSON), not counting Kafka's framing. */
  valueBytes: number;
  /** Bytes of the partition log files on the broker. */
  logBytes: number;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

/** Creates the topic and produces every bid to partition i mod `partitions`, in order. */
export async function prefillTopic(broker: BrokerProcess, bids: BidSet, opts: { partitions: number; perPartitionBatch: number }): Promise<Prefill> {
  const t0 = performance.now();
  await createTopic(broker.brokers, TOPIC, opts.partitions);
  const producer = kafka(broker.brokers).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let valueBytes = 0;
  try {
    const perSend = opts.perPartitionBatch * opts.partitions;
    for (let start = 0; start < bids.count; start += perSend) {
      const end = Math.min(bids.count, start + perSend);
      const messages = new Array<{ partition: number; value: string }>(end - start);
      for (let i = start; i < end; i++) {
        const value = bidJson(bids, i);
        valueBytes += value.length;
        messages[i - start] = { partition: i % opts.partitions, value };
      }
      await producer.send({ topic: TOPIC, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return { seconds: (performance.now() - t0) / 1000, valueBytes, logBytes: dirBytes(broker.dataDir) };
}

export interface KafkaRun {
  rows: number;
  /** CREATE STREAM sent .. FLUSH returned after the last record was taken. */
  seconds: number;
  rowsPerSec: number;
  /** CREATE STREAM sent .. the first rows visible in eddy_streams (consumer connect, group join, first fetch). */
  firstRowSeconds: number;
  /** Rate from the first visible rows to the end. */
  steadyRowsPerSec: number;
  flushMs: number;
  serverCpuSeconds?: number;
  brokerCpuSeconds?: number;
  /** This process (polling, pg client) during the timed part. */
  harnessCpuSeconds: number;
  /** Epochs committed after the CREATE MATERIALIZED VIEW (all of them when rows came in before it), FLUSH's included. */
  epochs?: number;
  accepted: number;
  late: number;
  /** Diverted rows the generator did not make late. */
  extraLate: number;
  /** Generated late rows the stream accepted (the watermark lagged further behind than the generator assumed). */
  lateAccepted: number;
  /** rows_accepted right after the CREATE MATERIALIZED VIEW returned (> 0: the MV backfilled those). */
  acceptedAtMvCreate: number;
  mvRows: number;
  stateRows: number;
  /** Largest server RSS seen by the poller (MB, /proc). */
  serverMaxRssMB?: number;
}

async function healthEpoch(httpPort: number): Promise<number | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${httpPort}/health`);
    return ((await r.json()) as { epoch?: number }).epoch;
  } catch {
    return undefined;
  }
}

function rssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Text of every value: BIGINT and TIMESTAMP as the server sends them. */
const rawText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

/**
 * One run: a fresh server reads the (pre-filled) topic into `bids` and the variant's MV; timed
 * from CREATE STREAM to the FLUSH after the last record; then the MV is checked.
 */
export async function runKafkaWindowed(broker: BrokerProcess, bids: BidSet, v: WindowedVariant, opts: { serverEnv?: Record<string, string>; timeoutMs?: number } = {}): Promise<KafkaRun> {
  const server = await EddyProcess.start({ env: opts.serverEnv });
  let admin: pg.Client | undefined;
  try {
    admin = await server.client();
    const c = admin;
    const q = async (text: string) => (await c.query({ text, rowMode: 'array', types: rawText })).rows as unknown[][];
    const counts = async () => {
      const r = (await q("SELECT rows_accepted, late_rows, malformed_rows, source_status FROM eddy_streams WHERE name = 'bids'"))[0] ?? [];
      return { accepted: Number(r[0] ?? 0), late: Number(r[1] ?? 0), malformed: Number(r[2] ?? 0), status: String(r[3]) };
    };
    const ddl = `${BIDS_DDL} WITH (connector = 'kafka', topic = '${TOPIC}', brokers = '${broker.brokers}', format = 'json')`;
    const n = bids.count;
    const timeoutMs = opts.timeoutMs ?? Math.max(120_000, n / 2);

    const pid = server.child.pid;
    const epoch0 = await healthEpoch(server.httpPort);
    const cpu0 = processCpuSeconds(pid);
    const brokerCpu0 = processCpuSeconds(broker.child.pid);
    const harnessCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await c.query(ddl);
    await c.query(`CREATE MATERIALIZED VIEW w AS ${v.query}`);
    const acceptedAtMvCreate = (await counts()).accepted;
    // epochs that carried records: from here (the two DDL epochs are behind us) to the end
    const epochMv = acceptedAtMvCreate === 0 ? await healthEpoch(server.httpPort) : epoch0;
    let tFirst: number | undefined;
    let maxRss = rssMB(pid);
    let seen = 0;
    let seenAt = t0;
    for (;;) {
      const k = await counts();
      const now = performance.now();
      const taken = k.accepted + k.late + k.malformed;
      if (tFirst === undefined && taken > 0) tFirst = now;
      if (taken >= n) break;
      const where = `the stream took ${k.accepted} rows, ${k.late} late, ${k.malformed} malformed of ${n} (source ${k.status})`;
      if (taken !== seen) {
        seen = taken;
        seenAt = now;
      } else if (now - seenAt > STALL_MS) throw new Error(`the source stalled: no new record for ${STALL_MS / 1000} s; ${where}`);
      if (now - t0 > timeoutMs) throw new Error(`timed out after ${((now - t0) / 1000).toFixed(0)} s: ${where}`);
      const r = rssMB(pid);
      if (r !== undefined && (maxRss === undefined || r > maxRss)) maxRss = r;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const tFlush = performance.now();
    await c.query('FLUSH');
    const t1 = performance.now();
    const cpu1 = processCpuSeconds(pid);
    const brokerCpu1 = processCpuSeconds(broker.child.pid);
    const harnessCpu = process.cpuUsage(harnessCpu0);
    const epoch1 = await healthEpoch(server.httpPort);

    // ---- the check (after the clock)
    const k = await counts();
    const state = await q("SELECT sum(state_rows) FROM eddy_operator_state WHERE materialized_view = 'w'");
    const rows = await q(`SELECT auction, ${v.windowColumn}, n, top FROM w`);
    const lateRows = (await q("SELECT row FROM eddy_late_rows WHERE stream = 'bids'")).map((r) => String(r[0]));
    const problems: string[] = [];
    if (k.malformed > 0) problems.push(`${k.malformed} records were malformed`);
    if (k.accepted + k.late + k.malformed !== n) problems.push(`accepted ${k.accepted} + late ${k.late} + malformed ${k.malformed} != ${n} records`);
    if (lateRows.length !== k.late) problems.push(`eddy_streams counts ${k.late} late rows, eddy_late_rows holds ${lateRows.length}`);
    const d = matchDiverted(bids, lateRows);
    if (d.unknown > 0) problems.push(`${d.unknown} diverted rows match no generated row`);
    const exp = expectedGroups(bids, v.grouping, d.excluded);
    if (exp.accepted !== k.accepted) problems.push(`the stream accepted ${k.accepted} rows, ${exp.accepted} expected from the diverted ones`);
    const quads = rows.map((r) => [r[0], parseTimestampText(String(r[1])), r[2], r[3]] as [unknown, unknown, unknown, unknown]);
    problems.push(...verifyGroups(bids, exp, true, quads));
    if (problems.length > 0) throw new Error(`kafka ${v.name}: the MV does not hold the expected groups: ${problems.join('; ')}`);

    const seconds = (t1 - t0) / 1000;
    const first = tFirst ?? t1;
    return {
      rows: n, seconds, rowsPerSec: n / seconds,
      firstRowSeconds: (first - t0) / 1000,
      steadyRowsPerSec: n / Math.max(1e-9, (t1 - first) / 1000),
      flushMs: t1 - tFlush,
      serverCpuSeconds: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined,
      brokerCpuSeconds: brokerCpu0 !== undefined && brokerCpu1 !== undefined ? brokerCpu1 - brokerCpu0 : undefined,
      harnessCpuSeconds: (harnessCpu.user + harnessCpu.system) / 1e6,
      epochs: epochMv !== undefined && epoch1 !== undefined ? epoch1 - epochMv : undefined,
      accepted: k.accepted, late: k.late, extraLate: d.extra, lateAccepted: d.missing,
      acceptedAtMvCreate, mvRows: rows.length, stateRows: Number(state[0]?.[0] ?? 0), serverMaxRssMB: maxRss,
    };
  } finally {
    await admin?.end().catch(() => undefined);
    // SIGTERM (not kill -9) so a profiled server writes its profile on exit.
    await server.stop();
    await server.cleanup();
  }
}

// Standalone: node dist/bench/kafka.js [--rows N] [--profile DIR]
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = Number(opt('--rows') ?? 1_000_000);
  if (!Number.isInteger(rows) || rows <= 0) {
    process.stderr.write('kafka: --rows needs a positive integer\n');
    process.exit(2);
  }
  const profileDir = opt('--profile');
  const main = async () => {
    // the bids of `npm run bench` (seed 11, 4 connections, 5,000-row batches)
    const bids = makeBids(bidGenConfig(11, 4, 5000), rows, 5000);
    const broker = await startBrokerProcess();
    try {
      const pre = await prefillTopic(broker, bids, { partitions: KAFKA_PARTITIONS, perPartitionBatch: 1000 });
      process.stderr.write(`# topic filled: ${rows} records in ${pre.seconds.toFixed(1)} s, ${(pre.logBytes / 2 ** 20).toFixed(1)} MB of log\n`);
      let serverEnv: Record<string, string> | undefined;
      if (profileDir) {
        fs.mkdirSync(profileDir, { recursive: true });
        serverEnv = { NODE_OPTIONS: `--import=${new URL('./cpu-profile-preload.js', import.meta.url).href}`, EDDY_BENCH_PROFILE_DIR: path.resolve(profileDir) };
      }
      const before = profileDir ? new Set(fs.readdirSync(profileDir)) : new Set<string>();
      const r = await runKafkaWindowed(broker, bids, TUMBLE, { serverEnv });
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      if (profileDir) {
        for (const f of fs.readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile') && !before.has(x))) {
          process.stderr.write('\n' + formatProfile(summarizeProfile(path.join(profileDir, f))) + '\n');
        }
      }
    } finally {
      await broker.stop();
    }
  };
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
