/**
 * sqllogictest runner CLI.
 *
 *   node dist/tests/slt/main.js [--pg host:port] [--implicit-flush] [--lenient-errors] [--verbose]
 *        [--shared-server] [--timeout 30s] [--label L]... [--skip-list file.json]... [--no-skip-list]
 *        [--json out.json] <files or dirs...>
 *
 * Against Eddy (default) every top-level file runs on a freshly started server with its own
 * data dir (a start costs about a second), so a file's leftovers or a crash never leak into the
 * next one. With --pg, each file gets a fresh PostgreSQL database instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EddyProcess } from '../support/server-process.js';
import { includedFiles, parseDuration } from './parser.js';
import { PostgresShim } from './pg-compat.js';
import { runFile, tally, type FileResult, type Outcome, type RunnerOptions } from './runner.js';
import { SkipList } from './skip-list.js';
import { SERVER_ARGS, SERVER_ENV, startServices, type SltServices } from './support/services.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PEER_SUITE = path.resolve(repoRoot, '../shared/peer/risingwave-slt/e2e_test');

interface Cli {
  pg?: { host: string; port: number };
  implicitFlush: boolean;
  lenientErrors: boolean;
  verbose: boolean;
  sharedServer: boolean;
  timeoutMs: number;
  labels: string[];
  skipLists: string[];
  noSkipList: boolean;
  json?: string;
  paths: string[];
}

function usage(msg?: string): never {
  if (msg) process.stderr.write(`slt: ${msg}\n`);
  process.stderr.write(
    'usage: node dist/tests/slt/main.js [--pg host:port] [--implicit-flush] [--lenient-errors] [--verbose]\n' +
      '       [--shared-server] [--timeout 30s] [--label L] [--skip-list file.json] [--no-skip-list] [--json out.json] <files or dirs...>\n',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = { implicitFlush: false, lenientErrors: false, verbose: false, sharedServer: false, timeoutMs: 30_000, labels: [], skipLists: [], noSkipList: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => argv[++i] ?? usage(`${a} needs a value`);
    switch (a) {
      case '--pg': {
        const v = value();
        const m = /^(.+):(\d+)$/.exec(v);
        cli.pg = m ? { host: m[1]!, port: Number(m[2]) } : { host: v, port: 5432 };
        break;
      }
      case '--implicit-flush': cli.implicitFlush = true; break;
      case '--lenient-errors': cli.lenientErrors = true; break;
      case '--verbose': case '-v': cli.verbose = true; break;
      case '--shared-server': cli.sharedServer = true; break;
      case '--timeout': cli.timeoutMs = parseDuration(value()) ?? usage('bad --timeout'); break;
      case '--label': cli.labels.push(value()); break;
      case '--skip-list': cli.skipLists.push(value()); break;
      case '--no-skip-list': cli.noSkipList = true; break;
      case '--json': cli.json = value(); break;
      case '--help': case '-h': usage();
      default:
        if (a.startsWith('-')) usage(`unknown option ${a}`);
        cli.paths.push(a);
    }
  }
  return cli;
}

/** `.slt` and `.slt.part` files under the given paths, minus parts another collected file includes. */
export function collectFiles(paths: string[]): string[] {
  const found = new Set<string>();
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        const child = path.join(p, name);
        if (fs.statSync(child).isDirectory()) walk(child);
        else if (name.endsWith('.slt') || name.endsWith('.slt.part')) found.add(path.resolve(child));
      }
    } else found.add(path.resolve(p));
  };
  for (const p of paths) walk(p);
  const included = new Set<string>();
  for (const f of found) {
    try {
      for (const inc of includedFiles(f)) included.add(inc);
    } catch {
      /* parse errors are reported when the file runs */
    }
  }
  return [...found].filter((f) => !included.has(f) || paths.some((p) => path.resolve(p) === f));
}

function defaultSkipLists(): string[] {
  const dir = path.join(repoRoot, 'tests/slt/skip');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));
}

function displayPath(file: string): string {
  const i = file.lastIndexOf(`${path.sep}e2e_test${path.sep}`);
  if (i >= 0) return file.slice(i + 1);
  return path.relative(process.cwd(), file);
}

function printFailure(o: Extract<Outcome, { status: 'fail' }>): void {
  const loc = `${displayPath(o.file)}:${o.line}`;
  const sql = o.sql.length > 400 ? o.sql.slice(0, 400) + '…' : o.sql;
  process.stdout.write(`  FAIL ${loc} [${o.kind}]\n    ${sql.split('\n').join('\n    ')}\n  ${o.message.split('\n').join('\n  ')}\n`);
}

/** Starts (and restarts after a crash) the Eddy server a file runs against. */
class EddyTarget {
  private server: EddyProcess | undefined;
  crashes = 0;

  async ensure(): Promise<EddyProcess> {
    if (this.server?.running) return this.server;
    if (this.server) {
      this.crashes++;
      await this.server.cleanup();
    }
    this.server = await EddyProcess.start({ args: SERVER_ARGS, env: SERVER_ENV });
    return this.server;
  }

  /** Ports of the running server (0 before the first start). */
  get ports(): { pgPort: number; httpPort: number } {
    return { pgPort: this.server?.pgPort ?? 0, httpPort: this.server?.httpPort ?? 0 };
  }

  async connect(): Promise<pg.Client> {
    const server = await this.ensure();
    const c = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'eddy', database: 'eddy' });
    await c.connect();
    return c;
  }

  lastLogs(n: number): string[] {
    return this.server?.logs.slice(-n) ?? [];
  }

  async stop(): Promise<void> {
    if (this.server) await this.server.cleanup();
    this.server = undefined;
  }
}

async function main(): Promise<number> {
  const cli = parseArgs(process.argv.slice(2));
  if (cli.paths.length === 0) {
    if (fs.existsSync(PEER_SUITE)) cli.paths.push(PEER_SUITE);
    else process.stdout.write(`note: the RisingWave peer suite is not at ${PEER_SUITE}; running Eddy's own files only\n`);
    cli.paths.push(path.join(repoRoot, 'tests/slt/eddy'));
  }
  const files = collectFiles(cli.paths);
  if (files.length === 0) usage('no .slt files found');
  const skipList = cli.noSkipList ? new SkipList() : SkipList.merge([...defaultSkipLists(), ...cli.skipLists].map((f) => SkipList.load(f)));
  // Against Eddy: the Kafka test broker and the checks for the sink databases, psql and curl
  // (see support/services.ts; under CI=true a missing one is an error).
  const services: SltServices | undefined = cli.pg ? undefined : await startServices();
  for (const w of services?.warnings ?? []) process.stdout.write(`warning: ${w}\n`);
  const labels = [cli.pg ? 'postgres' : 'eddy', ...(services?.labels ?? []), ...cli.labels];
  process.stdout.write(`slt: ${files.length} file(s) against ${cli.pg ? `PostgreSQL ${cli.pg.host}:${cli.pg.port}` : 'Eddy'}; labels ${labels.join(',')}; ${skipList.size} skip-list entries\n`);

  const results: FileResult[] = [];
  const eddy = cli.pg ? undefined : new EddyTarget();
  let dbCounter = 0;
  try {
    for (const file of files) {
      const implicitFlush = cli.implicitFlush || file.split(path.sep).includes('batch');
      let database = 'eddy';
      let connect: () => Promise<pg.Client>;
      let cleanup = async (): Promise<void> => undefined;
      if (cli.pg) {
        const { host, port } = cli.pg;
        database = `eddy_slt_${process.pid}_${dbCounter++}`;
        const admin = new pg.Client({ host, port, user: 'postgres', database: 'test' });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${database}`);
        await admin.end();
        const db = database;
        connect = async () => {
          const c = new pg.Client({ host, port, user: 'postgres', database: db });
          await c.connect();
          return c;
        };
        cleanup = async () => {
          const a = new pg.Client({ host, port, user: 'postgres', database: 'test' });
          await a.connect();
          await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
          await a.end();
        };
      } else {
        if (!cli.sharedServer) await eddy!.stop();
        await eddy!.ensure();
        connect = () => eddy!.connect();
      }
      const crashesBefore = eddy?.crashes ?? 0;
      const opts: RunnerOptions = {
        connect, labels, implicitFlush, lenientErrors: cli.lenientErrors, skipList, timeoutMs: cli.timeoutMs, database,
        ...(services && eddy ? { vars: () => services.vars(eddy.ports) } : {}),
        ...(cli.pg ? { shim: new PostgresShim() } : {}),
        ...(cli.verbose ? { onOutcome: (o: Outcome) => { if (o.status === 'fail') printFailure(o); } } : {}),
      };
      let result: FileResult;
      try {
        result = await runFile(file, opts);
      } finally {
        await cleanup();
      }
      // A crash at the very end of a file shows up only now.
      if (eddy && !cli.sharedServer) await eddy.ensure().catch(() => undefined);
      results.push(result);
      const t = tally(result.outcomes);
      const crashed = (eddy?.crashes ?? 0) - crashesBefore;
      process.stdout.write(
        `${t.failed === 0 ? 'ok  ' : 'FAIL'} ${displayPath(file)}  passed ${t.passed} failed ${t.failed} skipped ${t.skipped}` +
          `${implicitFlush ? '  [implicit flush]' : ''}${crashed ? `  [server crashed ${crashed}x]` : ''}  ${(result.durationMs / 1000).toFixed(1)}s\n`,
      );
      if (crashed && cli.verbose && eddy) process.stdout.write(eddy.lastLogs(20).map((l) => `    | ${l}`).join('\n') + '\n');
    }
  } finally {
    await eddy?.stop();
    await services?.stop();
  }

  const ranFiles = results.flatMap((r) => [...new Set(r.outcomes.map((o) => o.file))]);
  for (const key of skipList.unusedEntriesFor(ranFiles)) process.stdout.write(`warning: skip-list entry ${key} matched no record\n`);
  const all = results.flatMap((r) => r.outcomes);
  const t = tally(all);
  const rate = t.passed + t.failed === 0 ? 0 : (100 * t.passed) / (t.passed + t.failed);
  const filesPassing = results.filter((r) => tally(r.outcomes).failed === 0).length;
  process.stdout.write(`total: passed ${t.passed} failed ${t.failed} skipped ${t.skipped}; pass rate ${rate.toFixed(1)}% of non-skipped records; ${filesPassing}/${results.length} files fully passing\n`);
  if (cli.json) {
    fs.writeFileSync(cli.json, JSON.stringify({ target: cli.pg ? 'postgres' : 'eddy', results: results.map((r) => ({ ...r, file: displayPath(r.file), outcomes: r.outcomes.map((o) => ({ ...o, file: displayPath(o.file) })) })) }, null, 1));
  }
  return t.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`slt: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
