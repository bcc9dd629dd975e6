/**
 * Eddy's benchmarks: `npm run bench [-- options]`.
 *
 *   --quick            a 10x smaller run (100 k rows, 10 s naive cap, 3 s pgbench runs, 1 rep)
 *   --only <names>     comma-separated subset: wire, engine, naive, pgbench, windows-engine,
 *                      windows-wire, state, restart, kafka; `ingest` = wire,engine,naive;
 *                      `windows` = windows-engine,windows-wire
 *                      (windowed counts: bench/windowed.ts; bounded state: bench/window-state.ts;
 *                      --quick runs them on 100 k bids and 1 M events; restart: bench/restart.ts,
 *                      2 M rows, --quick 200 k; kafka: bench/kafka.ts, Kafka -> TUMBLE count
 *                      of 1 M bids through the test broker with the engine-alone and wire runs
 *                      of the same MV as baselines, --quick 100 k)
 *   --json <file>      also write the results as JSON
 *   --profile <dir>    run the wire-ingest server under the V8 CPU profiler and summarise it
 *   --connections <n>  wire-ingest connections (default 4)
 *   --batch <n>        rows per INSERT (default 5000)
 *   --reps <n>         pgbench runs per mode and server (default 3; median kept)
 *
 * Prints a table of absolute figures and a table of ratios to baselines measured in the same
 * run. A benchmark that fails (server error, wrong MV totals) is reported under FAILURES and
 * the others still run; the exit code is 1 when anything failed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeWorkload, type Workload } from './workload.js';
import { runWireIngest, type WireIngestResult } from './ingest.js';
import { runEngineAlone, type EngineAloneResult } from './engine-alone.js';
import { runNaiveBaseline, type NaiveResult } from './naive-baseline.js';
import { MODES, medianCpuUs, medianTps, runPgbenchLookups, type PgbenchResult } from './pgbench.js';
import { formatProfile, summarizeProfile } from './profile.js';
import { runWindowedEngineIsolated, runWindowedWire, bidInsertTexts, type WindowedRun } from './windowed.js';
import { STATE_VARIANTS, runWindowStateIsolated, type StateRun } from './window-state.js';
import { PLAIN, WINDOWED, bidGenConfig, expectedGroups, makeBids, type BidSet, type Expected } from './nexmark-bids.js';
import { runRestart, summary as restartSummary, loadedItems, type RestartRun } from './restart.js';
import { KAFKA_PARTITIONS, TUMBLE, prefillTopic, runKafkaWindowed, startBrokerProcess, type KafkaRun, type Prefill } from './kafka.js';
import { codeVersion, formatNumber, machineInfo, markdownReport, printReport, progress, ratio, type BenchResults } from './report.js';

const ALL = ['wire', 'engine', 'naive', 'pgbench', 'windows-engine', 'windows-wire', 'state', 'restart', 'kafka'] as const;

/** A bad command line: reported as one line, without a stack. */
class UsageError extends Error {}
type BenchName = (typeof ALL)[number];

interface Options {
  quick: boolean;
  only: Set<BenchName>;
  json?: string;
  profileDir?: string;
  connections: number;
  batchRows: number;
  reps: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: new Set(ALL), connections: 4, batchRows: 5000, reps: 3 };
  let repsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${a} needs a positive integer, got "${v}"`);
      return n;
    };
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--only': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        o.only = new Set();
        for (const n of names) {
          if (n === 'ingest') ['wire', 'engine', 'naive'].forEach((x) => o.only.add(x as BenchName));
          else if (n === 'windows') ['windows-engine', 'windows-wire'].forEach((x) => o.only.add(x as BenchName));
          else if ((ALL as readonly string[]).includes(n)) o.only.add(n as BenchName);
          else throw new UsageError(`unknown benchmark "${n}"; choose from ingest, windows, ${ALL.join(', ')}`);
        }
        break;
      }
      case '--json': o.json = value(); break;
      case '--profile': o.profileDir = value(); break;
      case '--connections': o.connections = positive(value()); break;
      case '--batch': o.batchRows = positive(value()); break;
      case '--reps': o.reps = positive(value()); repsSet = true; break;
      case '--help': case '-h':
        process.stdout.write(fs.readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0] + '*/\n');
        process.exit(0);
        break;
      default: throw new UsageError(`unknown option ${a} (see --help)`);
    }
  }
  if (o.quick && !repsSet) o.reps = 1;
  return o;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const scale = o.quick ? 0.1 : 1;
  const ingestRows = Math.round(1_000_000 * scale);
  const keys = 10_000;
  const naiveCapSeconds = o.quick ? 10 : 60;
  const pgbenchSeconds = o.quick ? 3 : 10;
  const lookupRows = o.quick ? 20_000 : 100_000;
  const windowBids = Math.round(1_000_000 * scale);
  const stateEvents = o.quick ? 1_000_000 : 10_000_000;
  const stateSampleEvery = o.quick ? 100_000 : 1_000_000;
  const restartRows = o.quick ? 200_000 : 2_000_000;
  const kafkaBids = windowBids;

  const res: BenchResults = {
    startedAt: new Date().toISOString(),
    code: codeVersion(),
    machine: machineInfo(),
    options: { quick: o.quick, only: [...o.only], ingestRows, keys, batchRows: o.batchRows, connections: o.connections, naiveCapSeconds, pgbench: { seconds: pgbenchSeconds, reps: o.reps, clients: 8, threads: 2 }, windowBids, stateEvents, stateSampleEvery, restartRows, kafka: { bids: kafkaBids, partitions: KAFKA_PARTITIONS, recordsPerPartitionPerRequest: KAFKA_PRODUCE_BATCH } },
    measurements: [],
    ratios: [],
    failures: [],
  };
  const attempt = async <T>(group: string, name: string, f: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      const msg = (e as Error).stack ?? String(e);
      res.failures.push({ group, name, error: msg });
      progress(`${group}: ${name} FAILED: ${msg}`);
      return undefined;
    }
  };

  let workload: Workload | undefined;
  if (o.only.has('wire') || o.only.has('engine') || o.only.has('naive')) {
    progress(`building the ingest workload: ${ingestRows.toLocaleString('en-US')} rows, ${keys.toLocaleString('en-US')} keys, ${o.batchRows} rows per batch`);
    workload = makeWorkload({ rows: ingestRows, keys, batchRows: o.batchRows, seed: 42 });
  }

  // ---------------------------------------------------------------- ingest + incremental GROUP BY
  let wire: WireIngestResult | undefined;
  let engine: EngineAloneResult | undefined;
  let naive: NaiveResult | undefined;
  const wireName = `Eddy over the wire (pg, ${o.connections} conns, INSERT of ${o.batchRows} rows)`;
  const engineName = `engine alone (Engine.submit, ${o.connections} batches in flight)`;
  const naiveName = 'naive: SQLite insert + full GROUP BY per batch';

  if (workload && o.only.has('wire')) {
    progress('ingest: Eddy over the wire');
    // Node 20 refuses --cpu-prof in NODE_OPTIONS; a preload (--import) runs the same sampling profiler
    const preload = new URL('./cpu-profile-preload.js', import.meta.url).href;
    const serverEnv = o.profileDir ? { NODE_OPTIONS: `--import=${preload}`, EDDY_BENCH_PROFILE_DIR: path.resolve(o.profileDir) } : undefined;
    if (o.profileDir) fs.mkdirSync(o.profileDir, { recursive: true });
    const before = o.profileDir ? new Set(fs.readdirSync(o.profileDir)) : new Set<string>();
    wire = await attempt('ingest', wireName, () => runWireIngest(workload!, { connections: o.connections, serverEnv }));
    if (wire) {
      const notes = [
        `${formatNumber(wire.rows)} rows in ${wire.seconds.toFixed(2)} s (first INSERT to FLUSH returned; FLUSH took ${wire.flushMs.toFixed(1)} ms); MV verified: every group's count and sum`,
        `INSERT latency p50 ${wire.insertLatencyMs.p50.toFixed(1)} ms, p99 ${wire.insertLatencyMs.p99.toFixed(1)} ms, max ${wire.insertLatencyMs.max.toFixed(1)} ms`,
      ];
      if (wire.epochs !== undefined) notes.push(`${wire.epochs} epochs committed: ${formatNumber(wire.rows / Math.max(1, wire.epochs))} rows per epoch`);
      if (wire.serverCpuSeconds !== undefined) notes.push(`server process CPU ${wire.serverCpuSeconds.toFixed(2)} s = ${(wire.serverCpuSeconds / wire.seconds * 100).toFixed(0)}% of one core over the run; client (this process) CPU ${wire.clientCpuSeconds.toFixed(2)} s`);
      res.measurements.push({ group: 'ingest', name: wireName, value: wire.rowsPerSec, unit: 'rows/s', notes });
      if (wire.serverCpuSeconds !== undefined) res.measurements.push({ group: 'ingest', name: 'Eddy over the wire: server CPU per row', value: (wire.serverCpuSeconds * 1e6) / wire.rows, unit: 'µs/row' });
    }
    if (o.profileDir) {
      const fresh = fs.readdirSync(o.profileDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
      for (const f of fresh) process.stderr.write('\n' + formatProfile(summarizeProfile(path.join(o.profileDir, f))) + '\n\n');
      if (fresh.length === 0) progress(`no new .cpuprofile in ${o.profileDir} (the server must exit cleanly to write it)`);
    }
  }

  if (workload && o.only.has('engine')) {
    progress('ingest: engine alone');
    engine = await attempt('ingest', engineName, () => runEngineAlone(workload!, { inFlight: o.connections }));
    if (engine) {
      res.measurements.push({
        group: 'ingest', name: engineName, value: engine.rowsPerSec, unit: 'rows/s',
        notes: [`${formatNumber(engine.rows)} rows in ${engine.seconds.toFixed(2)} s, ${engine.epochs} epochs; MV verified; pre-built rows, no SQL per batch, real epochs and SQLite commits`],
      });
      res.measurements.push({ group: 'ingest', name: 'engine alone: CPU per row', value: (engine.cpuSeconds * 1e6) / engine.rows, unit: 'µs/row' });
    }
  }

  if (workload && o.only.has('naive')) {
    progress(`ingest: naive baseline (capped at ${naiveCapSeconds} s)`);
    naive = await attempt('ingest', naiveName, () => runNaiveBaseline(workload!, { capSeconds: naiveCapSeconds }));
    if (naive) {
      const notes = [
        `did ${formatNumber(naive.rowsDone)} of ${formatNumber(workload.cfg.rows)} rows (${naive.batchesDone} batches) in ${naive.secondsDone.toFixed(1)} s: ${formatNumber(naive.measuredRowsPerSec)} rows/s over what it did; per batch ${naive.firstBatchMs.toFixed(1)} ms first, ${naive.lastBatchMs.toFixed(1)} ms last`,
      ];
      if (naive.capped && naive.fit) {
        notes.push(`CAPPED at ${naiveCapSeconds} s: the full-run figure is EXTRAPOLATED: measured time of the ${naive.batchesDone} batches done + the other ${workload.batches.length - naive.batchesDone} predicted by a linear fit over the later half of the measured ones (${naive.fit.msAtZero.toFixed(1)} ms + ${naive.fit.msPerMillionRows.toFixed(0)} ms per 1 M rows of history)`);
      }
      res.measurements.push({ group: 'ingest', name: `${naiveName}${naive.capped ? ' (full run, extrapolated)' : ''}`, value: naive.fullRunRowsPerSec, unit: 'rows/s', notes });
      res.measurements.push({ group: 'ingest', name: `naive: CPU per row (over the ${formatNumber(naive.rowsDone)} rows it did)`, value: (naive.cpuSecondsDone * 1e6) / naive.rowsDone, unit: 'µs/row' });
    }
  }

  if (o.only.has('wire') || o.only.has('engine') || o.only.has('naive')) {
    res.ratios.push({ group: 'ingest', name: 'wire / engine alone', value: ratio(wire?.rowsPerSec, engine?.rowsPerSec), reading: 'share of the engine-alone rate left after protocol, parse, bind and client' });
    res.ratios.push({
      group: 'ingest', name: 'wire server CPU per row / engine-alone CPU per row',
      value: ratio(wire?.serverCpuSeconds, engine?.cpuSeconds),
      reading: 'CPU the wire path costs relative to the engine alone (1.0 = free); robust to CPU contention',
    });
    res.ratios.push({ group: 'ingest', name: `wire / naive${naive?.capped ? ' (extrapolated)' : ''}`, value: ratio(wire?.rowsPerSec, naive?.fullRunRowsPerSec), reading: '> 1: incremental over the wire beats recompute-per-batch' });
    res.ratios.push({ group: 'ingest', name: `engine alone / naive${naive?.capped ? ' (extrapolated)' : ''}`, value: ratio(engine?.rowsPerSec, naive?.fullRunRowsPerSec), reading: '> 1: the incremental engine beats recompute-per-batch' });
  }

  // ---------------------------------------------------------------- point lookups with pgbench
  if (o.only.has('pgbench')) {
    progress(`pgbench: ${o.reps} run(s) of ${pgbenchSeconds} s per mode and server`);
    const lookupWorkload = makeWorkload({ rows: lookupRows, keys, batchRows: 5000, seed: 7 });
    const pgb: PgbenchResult | undefined = await attempt('pgbench', 'point lookups', () =>
      runPgbenchLookups(lookupWorkload, { seconds: pgbenchSeconds, reps: o.reps, clients: 8, threads: 2, postgres: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } }),
    );
    if (pgb) {
      if (pgb.postgresError) res.failures.push({ group: 'pgbench', name: 'PostgreSQL baseline', error: pgb.postgresError });
      const targets: Record<string, string> = { simple: '>= 1.0x (T4a)', extended: '>= 1.0x (T4a)', prepared: '>= 0.9x (T4b)' };
      for (const mode of MODES) {
        const e = medianTps(pgb.eddy, mode);
        const p = medianTps(pgb.postgres, mode);
        const runs = (t: typeof pgb.eddy | undefined) => (t?.runs[mode] ?? []).map((r) => Math.round(r.tps)).join(', ');
        if (e !== undefined) {
          const cpu = medianCpuUs(pgb.eddy, mode);
          res.measurements.push({ group: 'pgbench', name: `Eddy, -M ${mode}, c8 j2`, value: e, unit: 'TPS', notes: [`runs: ${runs(pgb.eddy)}${cpu !== undefined ? `; server CPU ${cpu.toFixed(1)} µs per query (median)` : ''}`] });
        }
        if (pgb.eddy.errors[mode]) res.failures.push({ group: 'pgbench', name: `Eddy -M ${mode}`, error: pgb.eddy.errors[mode]! });
        if (p !== undefined) res.measurements.push({ group: 'pgbench', name: `PostgreSQL, -M ${mode}, c8 j2`, value: p, unit: 'TPS', notes: [`runs: ${runs(pgb.postgres)}`] });
        if (pgb.postgres?.errors[mode]) res.failures.push({ group: 'pgbench', name: `PostgreSQL -M ${mode}`, error: pgb.postgres.errors[mode]! });
        res.ratios.push({ group: 'pgbench', name: `Eddy / PostgreSQL, -M ${mode}`, value: ratio(e, p), reading: `TPS, median of ${o.reps}; target ${targets[mode]}` });
      }
    }
  }

  if (o.only.has('windows-engine') || o.only.has('windows-wire')) await runWindowBenches(o, res, attempt, windowBids);
  if (o.only.has('state')) await runStateBench(o, res, attempt, stateEvents, stateSampleEvery);
  if (o.only.has('restart')) await runRestartBench(o, res, attempt, restartRows);
  if (o.only.has('kafka')) await runKafkaBench(o, res, attempt, kafkaBids);

  printReport(res);
  if (o.json) {
    fs.mkdirSync(path.dirname(path.resolve(o.json)), { recursive: true });
    fs.writeFileSync(o.json, JSON.stringify({ ...res, markdown: markdownReport(res) }, null, 2) + os.EOL);
    progress(`results written to ${o.json}`);
  }
  return res.failures.length > 0 ? 1 : 0;
}

const BIDS_SEED = 11;
/** Records per partition in each produce request of the Kafka pre-fill (one record batch, ~88 KB). */
const KAFKA_PRODUCE_BATCH = 1000;

type Attempt = <T>(group: string, name: string, f: () => Promise<T> | T) => Promise<T | undefined>;

// ---------------------------------------------------------------- windowed counts (bench/windowed.ts)
async function runWindowBenches(o: Options, res: BenchResults, attempt: Attempt, count: number): Promise<void> {
  progress(`windows: generating ${count.toLocaleString('en-US')} Nexmark-like bids`);
  const bids: BidSet = makeBids(bidGenConfig(BIDS_SEED, o.connections, o.batchRows), count, o.batchRows);
  const variants = [PLAIN, ...WINDOWED];
  const expected = new Map<string, Expected>(variants.map((v) => [v.name, expectedGroups(bids, v.grouping)]));
  const tumbleExp = expected.get('tumble')!;
  const eventSeconds = (bids.timeUs[bids.count - 1] - bids.timeUs[0]) / 1e6;
  const input = `${formatNumber(bids.count)} bids over ${eventSeconds.toFixed(0)} s of event time, ${bids.lateCount} late (${((bids.lateCount / bids.count) * 100).toFixed(2)} %); ${formatNumber(expected.get('plain')!.groups.size)} auctions; ${formatNumber(tumbleExp.groupsPerWindow)} (auction, window) groups per 10 s window`;
  // The baseline runs first and last; the variants are compared with the mean of the two.
  const order = [PLAIN, ...WINDOWED, PLAIN];
  const modes: { key: 'windows-engine' | 'windows-wire'; label: string; cpuLabel: string }[] = [
    { key: 'windows-engine', label: `engine alone (own process, ${o.connections} batches in flight)`, cpuLabel: 'CPU' },
    { key: 'windows-wire', label: `over the wire (pg, ${o.connections} conns, INSERT of ${o.batchRows} rows)`, cpuLabel: 'server CPU' },
  ];
  for (const mode of modes) {
    if (!o.only.has(mode.key)) continue;
    const group = mode.key;
    const engineMode = mode.key === 'windows-engine';
    const texts = engineMode ? undefined : bidInsertTexts(bids);
    const runs = new Map<string, WindowedRun[]>();
    for (const v of order) {
      progress(`${group}: ${v.name}`);
      // Each variant gets a fresh process: a child process (engine alone) or a server (wire).
      const r = await attempt(group, v.label, () =>
        engineMode
          ? runWindowedEngineIsolated(v.name, { count, seed: BIDS_SEED, batchRows: o.batchRows, inFlight: o.connections })
          : runWindowedWire(bids, texts!, v, expected.get(v.name)!, { connections: o.connections }));
      if (r) runs.set(v.name, [...(runs.get(v.name) ?? []), r]);
    }
    const base = runs.get('plain') ?? [];
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
    const baseRate = mean(base.map((r) => r.rowsPerSec));
    const cpuOk = base.length > 0 && base.every((r) => r.cpuSeconds !== undefined);
    const baseCpu = cpuOk ? mean(base.map((r) => r.cpuSeconds! / r.rows)) : undefined;
    for (const v of variants) {
      const rs = runs.get(v.name);
      if (!rs) continue;
      const rate = mean(rs.map((r) => r.rowsPerSec))!;
      const r = rs[0];
      const notes = [
        v.name === 'plain'
          ? `baseline, run before and after the windowed variants: ${rs.map((x) => formatNumber(x.rowsPerSec)).join(' and ')} rows/s (the mean is used); ${input}`
          : `${formatNumber(r.rows)} rows in ${r.seconds.toFixed(2)} s; ${r.epochs !== undefined ? `${r.epochs} epochs; ` : ''}${r.late} late rows diverted${r.extraLate > 0 ? ` (${r.extraLate} of them beyond the generated ones: INSERTs of different connections ran out of order)` : ''}; MV verified (every group's n and max)`,
        `MV rows ${formatNumber(r.mvRows)}, operator state entries at the end ${formatNumber(r.stateRows)}${r.insertLatencyMs ? `; INSERT latency p50 ${r.insertLatencyMs.p50.toFixed(0)} ms, p99 ${r.insertLatencyMs.p99.toFixed(0)} ms` : ''}`,
      ];
      res.measurements.push({ group, name: `${v.label}: ${mode.label}`, value: rate, unit: 'rows/s', notes });
      const cpu = rs.every((x) => x.cpuSeconds !== undefined) ? mean(rs.map((x) => x.cpuSeconds! / x.rows)) : undefined;
      if (cpu !== undefined) res.measurements.push({ group, name: `${v.label}: ${mode.cpuLabel} per row`, value: cpu * 1e6, unit: 'µs/row' });
      if (v.name === 'plain') continue;
      res.ratios.push({ group, name: `${v.name} / plain, rows/s`, value: ratio(rate, baseRate), reading: 'throughput of the windowed MV relative to GROUP BY auction, same stream, same run' });
      res.ratios.push({ group, name: `${v.name} / plain, ${mode.cpuLabel} per row`, value: ratio(cpu, baseCpu), reading: 'CPU per row relative to GROUP BY auction (1.0 = windowing is free); robust to contention' });
    }
  }
}

// ---------------------------------------------------------------- bounded state (bench/window-state.ts)
async function runStateBench(o: Options, res: BenchResults, attempt: Attempt, events: number, sampleEvery: number): Promise<void> {
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  for (const v of STATE_VARIANTS) {
    progress(`state: ${v.name}, ${events.toLocaleString('en-US')} events, sampled every ${sampleEvery.toLocaleString('en-US')}`);
    const r: StateRun | undefined = await attempt('state', v.name, () => runWindowStateIsolated(v, { events, sampleEvery, batchRows: o.batchRows, inFlight: o.connections, seed: 23 }));
    if (!r) continue;
    const s = r.samples;
    const at = (n: number) => s.find((x) => x.events >= n) ?? s[0];
    const early = at(Math.min(2 * sampleEvery, events));
    const last = s[s.length - 1];
    const group = 'state';
    const notes = [
      `${formatNumber(r.events)} events in ${r.seconds.toFixed(1)} s (${formatNumber(r.events / r.seconds)} events/s, ${((r.cpuSeconds * 1e6) / r.events).toFixed(2)} µs CPU per event, generator included; own child process), ${r.windows} windows, ${r.late} late rows; result verified per window`,
      'samples (events: state entries now / max in the chunk / approx. state bytes / MV rows / heapUsed after GC / RSS / events/s and µs CPU per event over the chunk):',
      ...s.map((x) => `  ${formatNumber(x.events)}: ${formatNumber(x.stateRows)} / ${formatNumber(x.chunkMaxStateRows)} / ${mb(x.stateBytes / 2 ** 20)} / ${formatNumber(x.mvRows)} / ${mb(x.heapUsedMB)} / ${mb(x.rssMB)} / ${formatNumber(x.chunkRate)} and ${x.chunkCpuUsPerEvent.toFixed(2)}  [${x.nodes.join('; ')}]`),
    ];
    res.measurements.push({ group, name: `${v.name}: max operator state entries over the run (after every batch)`, value: r.maxStateRows, unit: 'rows', notes });
    res.measurements.push({ group, name: `${v.name}: (auction, window) groups per full 10 s window`, value: r.groupsPerWindow, unit: 'rows' });
    for (const x of early === last ? [last] : [early, last]) {
      res.measurements.push({ group, name: `${v.name}: heapUsed after GC / RSS at ${formatNumber(x.events)} events`, value: x.heapUsedMB, unit: `MB / ${x.rssMB.toFixed(0)} MB` });
    }
    res.measurements.push({ group, name: `${v.name}: MV rows at the end`, value: last.mvRows, unit: 'rows' });
    res.ratios.push({ group, name: `${v.name}: max state entries / groups per window`, value: ratio(r.maxStateRows, r.groupsPerWindow), reading: 'bounded: about the windows open at once (a window closes 4 s + one epoch after it ends), whatever the run length' });
    const half = Math.ceil(s.length / 2);
    const maxOf = (xs: StateRun['samples']) => Math.max(...xs.map((x) => x.chunkMaxStateRows));
    res.ratios.push({ group, name: `${v.name}: max state entries, second half / first half of the run`, value: s.length > 1 ? ratio(maxOf(s.slice(half)), maxOf(s.slice(0, half))) : null, reading: '~1 when state does not grow with history' });
    res.ratios.push({ group, name: `${v.name}: heapUsed at ${formatNumber(last.events)} / at ${formatNumber(early.events)} events`, value: ratio(last.heapUsedMB, early.heapUsedMB), reading: v.boundedOutput ? '~1 when memory is flat (one output row per window)' : 'grows with the MV (one row per (auction, window) kept); see MV rows' });
    res.ratios.push({ group, name: `${v.name}: CPU per event, last chunk / second chunk`, value: ratio(last.chunkCpuUsPerEvent, s[Math.min(1, s.length - 1)].chunkCpuUsPerEvent), reading: '~1 when the per-event cost does not grow with history' });
  }
}

// ---------------------------------------------------------------- restart (bench/restart.ts)
async function runRestartBench(o: Options, res: BenchResults, attempt: Attempt, rows: number): Promise<void> {
  const r: RestartRun | undefined = await attempt('restart', 'build, reopen and verify', () => runRestart({ rows, batchRows: o.batchRows, inFlight: o.connections }, progress));
  if (!r) return;
  const group = 'restart';
  const openS = r.open.openMs / 1000;
  const items = loadedItems(r);
  res.measurements.push({ group, name: `ingest of ${formatNumber(rows)} rows into 3 MVs (baseline: what a replay would cost)`, value: r.build.ingestSeconds, unit: 's', notes: restartSummary(r) });
  res.measurements.push({ group, name: 'Engine.open() in a new process', value: openS, unit: 's' });
  res.measurements.push({ group, name: 'live rows + operator state entries loaded per second', value: items / openS, unit: '/s' });
  res.measurements.push({ group, name: 'RSS right after the open', value: r.open.rssMB, unit: 'MB' });
  if (r.server) res.measurements.push({ group, name: "bin/eddy start: spawn to 'eddy started'", value: r.server.startedMs / 1000, unit: 's' });
  if (r.serverError) res.failures.push({ group, name: 'bin/eddy start', error: r.serverError });
  res.ratios.push({ group, name: 'Engine.open() / ingest, wall', value: ratio(openS, r.build.ingestSeconds), reading: 'well under 1: the restart loads the checkpoint, it does not replay the history' });
  res.ratios.push({ group, name: 'Engine.open() / ingest, CPU', value: ratio(r.open.openCpuMs / 1000, r.build.ingestCpuSeconds), reading: 'the same in CPU seconds; robust to contention' });
  res.ratios.push({ group, name: "Engine.open() / agg's batch GROUP BY over the history", value: ratio(openS, r.open.batchAggSeconds), reading: 'context: one ad hoc scan of the history through one aggregate (after the open, in the same process)' });
  if (r.server) res.ratios.push({ group, name: "bin/eddy start to 'eddy started' / ingest, wall", value: ratio(r.server.startedMs / 1000, r.build.ingestSeconds), reading: 'the whole server start (node, imports, open, listen)' });
  res.ratios.push({ group, name: 'RSS after the open / RSS after the ingest', value: ratio(r.open.rssMB, r.build.rssMB), reading: 'memory of a restarted process relative to the one that built the state' });
}

// ---------------------------------------------------------------- Kafka -> windowed count (bench/kafka.ts)
async function runKafkaBench(o: Options, res: BenchResults, attempt: Attempt, count: number): Promise<void> {
  const group = 'kafka';
  progress(`kafka: generating ${count.toLocaleString('en-US')} Nexmark-like bids`);
  // The same bids (seed, late rows) as the windows benchmarks: the engine-alone child regenerates them from the seed.
  const bids: BidSet = makeBids(bidGenConfig(BIDS_SEED, o.connections, o.batchRows), count, o.batchRows);
  const expected = expectedGroups(bids, TUMBLE.grouping);
  const kafkaName = `Kafka -> ${TUMBLE.label} (test broker in its own process, ${KAFKA_PARTITIONS} partitions, JSON)`;
  let pre: Prefill | undefined;
  let kr: KafkaRun | undefined;
  const broker = await attempt(group, 'start the Kafka test broker', () => startBrokerProcess());
  if (broker) {
    try {
      progress(`kafka: filling a ${KAFKA_PARTITIONS}-partition topic with ${count.toLocaleString('en-US')} bids (before the clock)`);
      pre = await attempt(group, 'pre-fill the topic', () => prefillTopic(broker, bids, { partitions: KAFKA_PARTITIONS, perPartitionBatch: KAFKA_PRODUCE_BATCH }));
      if (pre) {
        progress('kafka: Eddy reads the topic into the TUMBLE MV');
        kr = await attempt(group, kafkaName, () => runKafkaWindowed(broker, bids, TUMBLE));
      }
    } finally {
      await broker.stop().catch(() => undefined);
    }
  }
  progress(`kafka: baseline, engine alone (${TUMBLE.name})`);
  const engineName = `engine alone, same MV and bids (own process, ${o.connections} batches in flight)`;
  const eng = await attempt(group, engineName, () => runWindowedEngineIsolated(TUMBLE.name, { count, seed: BIDS_SEED, batchRows: o.batchRows, inFlight: o.connections }));
  progress(`kafka: baseline, over the wire (${TUMBLE.name})`);
  const wireName = `over the wire, same MV and bids (pg, ${o.connections} conns, INSERT of ${o.batchRows} rows)`;
  const wire = await attempt(group, wireName, () => runWindowedWire(bids, bidInsertTexts(bids), TUMBLE, expected, { connections: o.connections }));

  const us = (sec: number | undefined, rows: number) => (sec === undefined ? undefined : (sec * 1e6) / rows);
  const kCpu = kr ? us(kr.serverCpuSeconds, kr.rows) : undefined;
  if (kr) {
    const notes = [
      `${formatNumber(kr.rows)} records in ${kr.seconds.toFixed(2)} s, CREATE STREAM sent to FLUSH returned (FLUSH took ${kr.flushMs.toFixed(1)} ms); first rows visible after ${kr.firstRowSeconds.toFixed(2)} s (consumer connect, group join, first fetch), ${formatNumber(kr.steadyRowsPerSec)} rows/s from then on`,
      `${kr.epochs !== undefined ? `${kr.epochs} epochs after the DDL (${formatNumber(kr.rows / Math.max(1, kr.epochs))} records per epoch); ` : ''}${kr.late.toLocaleString('en-US')} late rows diverted (${kr.extraLate} beyond the generated ones; ${kr.lateAccepted} generated late rows accepted); MV verified: ${formatNumber(kr.mvRows)} (auction, window) groups, every n and max; ${kr.acceptedAtMvCreate} rows were in the stream when the MV was created`,
      `CPU during the run: server ${kr.serverCpuSeconds?.toFixed(2) ?? '?'} s (${kr.serverCpuSeconds !== undefined ? `${((kr.serverCpuSeconds / kr.seconds) * 100).toFixed(0)}% of one core` : '?'}), broker process ${kr.brokerCpuSeconds?.toFixed(2) ?? '?'} s, this harness ${kr.harnessCpuSeconds.toFixed(2)} s; server RSS up to ${kr.serverMaxRssMB?.toFixed(0) ?? '?'} MB`,
    ];
    if (pre) notes.push(`topic pre-filled before the clock in ${pre.seconds.toFixed(1)} s: ${formatNumber(pre.valueBytes / kr.rows)} bytes of JSON per record, ${(pre.logBytes / 2 ** 20).toFixed(1)} MB of partition logs, records i -> partition i mod ${KAFKA_PARTITIONS}, ${KAFKA_PRODUCE_BATCH} records per record batch, no key, no compression`);
    res.measurements.push({ group, name: kafkaName, value: kr.rowsPerSec, unit: 'rows/s', notes });
    if (kCpu !== undefined) res.measurements.push({ group, name: 'Kafka: server CPU per row', value: kCpu, unit: 'µs/row' });
    const bCpu = us(kr.brokerCpuSeconds, kr.rows);
    if (bCpu !== undefined) res.measurements.push({ group, name: 'Kafka: broker process CPU per row (not Eddy)', value: bCpu, unit: 'µs/row' });
  }
  const eCpu = eng ? us(eng.cpuSeconds, eng.rows) : undefined;
  if (eng) {
    res.measurements.push({ group, name: engineName, value: eng.rowsPerSec, unit: 'rows/s', notes: [`${formatNumber(eng.rows)} rows in ${eng.seconds.toFixed(2)} s, ${eng.epochs ?? '?'} epochs, ${eng.late} late rows diverted; MV verified`] });
    if (eCpu !== undefined) res.measurements.push({ group, name: 'engine alone: CPU per row', value: eCpu, unit: 'µs/row' });
  }
  const wCpu = wire ? us(wire.cpuSeconds, wire.rows) : undefined;
  if (wire) {
    res.measurements.push({ group, name: wireName, value: wire.rowsPerSec, unit: 'rows/s', notes: [`${formatNumber(wire.rows)} rows in ${wire.seconds.toFixed(2)} s, ${wire.late} late rows diverted (${wire.extraLate} beyond the generated ones); MV verified; INSERT texts built before the clock`] });
    if (wCpu !== undefined) res.measurements.push({ group, name: 'over the wire: server CPU per row', value: wCpu, unit: 'µs/row' });
  }
  res.ratios.push({ group, name: 'Kafka / engine alone, rows/s', value: ratio(kr?.rowsPerSec, eng?.rowsPerSec), reading: 'share of the engine-alone rate left with the Kafka source (fetch, JSON decode, per-partition clocks) in front' });
  res.ratios.push({ group, name: 'Kafka server CPU per row / engine-alone CPU per row', value: ratio(kCpu, eCpu), reading: 'CPU the Kafka path costs relative to the engine alone (1.0 = free); robust to contention' });
  res.ratios.push({ group, name: 'Kafka / wire, rows/s', value: ratio(kr?.rowsPerSec, wire?.rowsPerSec), reading: '> 1: reading the topic beats pg INSERTs of the same rows' });
  res.ratios.push({ group, name: 'Kafka server CPU per row / wire server CPU per row', value: ratio(kCpu, wCpu), reading: '< 1: JSON records cost the server less than parsing multi-row INSERTs' });
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${e instanceof UsageError ? e.message : ((e as Error).stack ?? e)}\n`);
    process.exit(2);
  },
);
