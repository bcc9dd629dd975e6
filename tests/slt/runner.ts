/**
 * Runs sqllogictest files over the PostgreSQL wire protocol with node-postgres, using the
 * simple-query protocol (the SQL text is sent as is), and reports one outcome per executable
 * record: pass, fail (with expected vs actual and file:line) or skip (with the reason).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import {
  actualLines, describeExpectedError, diffLines, errorMatches, observeError, renderValue, substitute,
  type ObservedError, type WireValue,
} from './compare.js';
import { parseFile, SltParseError, type Condition, type QueryExpect, type ResultMode, type SltRecord, type SortMode, type StatementExpect } from './parser.js';
import { SkipList } from './skip-list.js';

export type FailKind =
  | 'unexpected-error' // expected success, got an error
  | 'missing-error' // expected an error, statement succeeded
  | 'error-mismatch' // got an error, but not the expected one
  | 'result-mismatch'
  | 'count-mismatch'
  | 'timeout'
  | 'connection-lost'
  | 'system-failed'
  | 'let-failed'
  | 'parse-error';

export type Outcome =
  | { status: 'pass'; file: string; line: number }
  | { status: 'skip'; file: string; line: number; reason: string }
  | { status: 'fail'; file: string; line: number; kind: FailKind; sql: string; message: string; error?: ObservedError };

/** Hooks that adapt RisingWave-only statements for a target that lacks them (see pg-compat.ts). */
export interface TargetShim {
  /** A reason to answer this SQL locally (reported as skipped), or undefined to send it. */
  intercept(sql: string): string | undefined;
  /** Called with every statement that succeeded on the server. */
  afterSuccess(sql: string, client: pg.Client): Promise<void>;
  /** Called before each record runs (e.g. to refresh materialized views). */
  beforeRecord(record: SltRecord, client: pg.Client): Promise<void>;
}

export interface RunnerOptions {
  /** Opens a new connection to the target (used for the default and any named connection). */
  connect: () => Promise<pg.Client>;
  /** Labels for skipif/onlyif (e.g. `eddy`, or `postgres` when running against PostgreSQL). */
  labels: readonly string[];
  /** Send FLUSH after every successful INSERT/UPDATE/DELETE/COPY. */
  implicitFlush: boolean;
  /** Any error satisfies `statement/query error <regex>` and multi-line error expectations. */
  lenientErrors: boolean;
  skipList: SkipList;
  /** Per-statement timeout. */
  timeoutMs: number;
  /** Value of `$__DATABASE__`. */
  database: string;
  /**
   * Variables of the target for `control substitution` (after `let` variables, before the
   * environment), also set in the environment of `system` commands; read at each use, since a
   * restarted server can have new ports.
   */
  vars?: () => Record<string, string>;
  shim?: TargetShim;
  /** Called after each outcome (for streaming progress output). */
  onOutcome?: (o: Outcome) => void;
}

export interface FileResult {
  file: string;
  outcomes: Outcome[];
  durationMs: number;
}

interface Executed {
  rows?: string[][];
  /** Affected-row count (or returned-row count) of the first statement. */
  count: number;
}

class TimeoutError extends Error {}

/** One connection, reopened on demand after it was lost. */
class Connection {
  private client: pg.Client | undefined;
  private dead = false;

  constructor(private readonly open: () => Promise<pg.Client>) {}

  async get(): Promise<pg.Client> {
    if (this.client && !this.dead) return this.client;
    this.drop();
    const c = await this.open();
    c.on('error', () => { this.dead = true; });
    c.on('end', () => { this.dead = true; });
    this.client = c;
    this.dead = false;
    return c;
  }

  /** Forget the current client (after a timeout or a lost connection). */
  drop(): void {
    const c = this.client;
    this.client = undefined;
    if (c) void c.end().catch(() => undefined);
  }

  get lost(): boolean {
    return this.dead;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}

const RAW_TEXT: pg.CustomTypesConfig = { getTypeParser: (() => (v: string) => v) as unknown as pg.CustomTypesConfig['getTypeParser'] };

/** Run one top-level file (with its includes) and return every record's outcome. */
export async function runFile(file: string, opts: RunnerOptions): Promise<FileResult> {
  const started = Date.now();
  const outcomes: Outcome[] = [];
  const report = (o: Outcome): void => {
    outcomes.push(o);
    opts.onOutcome?.(o);
  };
  let records: SltRecord[];
  try {
    records = parseFile(file);
  } catch (e) {
    const loc = e instanceof SltParseError ? e.loc : { file, line: 0 };
    report({ status: 'fail', file: loc.file, line: loc.line, kind: 'parse-error', sql: '', message: (e as Error).message });
    return { file, outcomes, durationMs: Date.now() - started };
  }
  const run = new FileRun(file, opts, report);
  try {
    await run.runAll(records);
  } finally {
    await run.close();
  }
  return { file, outcomes, durationMs: Date.now() - started };
}

class FileRun {
  private readonly connections = new Map<string, Connection>();
  private sortMode: SortMode = 'nosort';
  private resultMode: ResultMode = 'rowwise';
  private substitution = false;
  private hashThreshold = 0;
  private readonly vars = new Map<string, string>();
  private readonly testDir: string;
  private unreachable: string | undefined;

  constructor(private readonly file: string, private readonly opts: RunnerOptions, private readonly report: (o: Outcome) => void) {
    this.testDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-slt-'));
  }

  async close(): Promise<void> {
    for (const c of this.connections.values()) await c.close();
    fs.rmSync(this.testDir, { recursive: true, force: true });
  }

  async runAll(records: SltRecord[]): Promise<void> {
    for (const r of records) {
      switch (r.kind) {
        case 'control':
          if (r.setting.kind === 'sortmode') this.sortMode = r.setting.mode;
          else if (r.setting.kind === 'resultmode') this.resultMode = r.setting.mode;
          else this.substitution = r.setting.on;
          continue;
        case 'hashThreshold':
          this.hashThreshold = r.threshold;
          continue;
        case 'include':
        case 'subtest':
          continue;
        case 'sleep':
          await sleep(r.ms);
          continue;
        case 'halt':
          if (this.conditionsAllow(r.conditions)) return;
          continue;
        default:
          await this.runExecutable(r);
      }
    }
  }

  private conditionsAllow(conditions: readonly Condition[]): boolean {
    return conditions.every((c) => (c.kind === 'skipif' ? !this.opts.labels.includes(c.label) : this.opts.labels.includes(c.label)));
  }

  private async runExecutable(r: Extract<SltRecord, { kind: 'statement' | 'query' | 'system' | 'let' }>): Promise<void> {
    const { file, line } = r.loc;
    const skipReason =
      this.opts.skipList.reasonFor(file, line) ??
      (this.conditionsAllow(r.conditions) ? undefined : `condition ${r.conditions.map((c) => `${c.kind} ${c.label}`).join(', ')}`);
    if (skipReason !== undefined) {
      this.report({ status: 'skip', file, line, reason: skipReason });
      return;
    }
    const sqlText = r.kind === 'system' ? r.command : r.sql;
    if (this.unreachable !== undefined) {
      this.report({ status: 'fail', file, line, kind: 'connection-lost', sql: sqlText, message: `not run: ${this.unreachable}` });
      return;
    }
    let text: string;
    try {
      text = this.substitution ? substitute(sqlText, (n) => this.lookupVar(n)) : sqlText;
    } catch (e) {
      this.report({ status: 'fail', file, line, kind: 'parse-error', sql: sqlText, message: (e as Error).message });
      return;
    }
    if (r.kind !== 'system') {
      const intercepted = this.opts.shim?.intercept(text);
      if (intercepted !== undefined) {
        this.report({ status: 'skip', file, line, reason: intercepted });
        return;
      }
    }
    const attempts = 1 + (r.retry?.attempts ?? 0);
    let outcome: Outcome | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(r.retry!.backoffMs);
      outcome = await this.attempt(r, text);
      if (outcome.status === 'pass') break;
    }
    this.report(outcome!);
  }

  private lookupVar(name: string): string | undefined {
    if (name === '__TEST_DIR__') return this.testDir;
    if (name === '__NOW__') return String(BigInt(Date.now()) * 1_000_000n);
    if (name === '__DATABASE__') return this.opts.database;
    return this.vars.get(name) ?? this.opts.vars?.()[name] ?? process.env[name];
  }

  /**
   * The outcome an error (or its absence) decides: an expected error that came or did not, an
   * unexpected one; undefined when the result still has to be checked (never for an expected error).
   */
  private checkError(
    expect: StatementExpect | QueryExpect,
    error: ObservedError | undefined,
    what: 'statement' | 'query',
    fail: (kind: FailKind, message: string, error?: ObservedError) => Outcome,
    pass: Outcome,
  ): Outcome | undefined {
    const sqlstate = (e: ObservedError) => (e.code ? ` (SQLSTATE ${e.code})` : '');
    if (expect.kind === 'error') {
      if (!error) return fail('missing-error', `expected ${describeExpectedError(expect.error)}, but the ${what} succeeded`);
      if (!errorMatches(expect.error, error, this.opts.lenientErrors)) {
        return fail('error-mismatch', `expected ${describeExpectedError(expect.error)}\nactual error: ${error.display}${sqlstate(error)}`, error);
      }
      return pass;
    }
    if (error) return fail('unexpected-error', `unexpected error: ${error.display}${sqlstate(error)}`, error);
    return undefined;
  }

  private async attempt(r: Extract<SltRecord, { kind: 'statement' | 'query' | 'system' | 'let' }>, text: string): Promise<Outcome> {
    const { file, line } = r.loc;
    const fail = (kind: FailKind, message: string, error?: ObservedError): Outcome => ({
      status: 'fail', file, line, kind, sql: text, message, ...(error ? { error } : {}),
    });
    if (r.kind === 'system') return this.runSystem(r.stdout, text, fail, file, line);

    let result: Executed | undefined;
    let error: ObservedError | undefined;
    try {
      result = await this.execute(r.connection, text, r);
    } catch (e) {
      if (e instanceof TimeoutError) return fail('timeout', e.message);
      error = observeError(e);
      if (error.code === undefined) {
        const conn = this.connection(r.connection);
        if (conn.lost) {
          conn.drop();
          try {
            await conn.get();
          } catch (e2) {
            this.unreachable = `server unreachable after a lost connection (${(e2 as Error).message})`;
          }
          return fail('connection-lost', `connection lost: ${error.display}`, error);
        }
      }
    }

    switch (r.kind) {
      case 'let': {
        if (error) return fail('let-failed', `let query failed: ${error.display}`, error);
        const row = result!.rows?.[0];
        if (result!.rows?.length !== 1 || row!.length !== r.vars.length) {
          return fail('let-failed', `let expects exactly 1 row of ${r.vars.length} value(s), got ${result!.rows?.length ?? 0} row(s)`);
        }
        r.vars.forEach((v, i) => this.vars.set(v, row![i]!));
        return { status: 'pass', file, line };
      }
      case 'statement': {
        const expect = r.expect;
        const settled = this.checkError(expect, error, 'statement', fail, { status: 'pass', file, line });
        if (settled !== undefined || expect.kind === 'error') return settled!;
        if (expect.kind === 'count' && result!.count !== expect.count) {
          return fail('count-mismatch', `expected ${expect.count} affected rows, got ${result!.count}`);
        }
        return { status: 'pass', file, line };
      }
      case 'query': {
        const expect = r.expect;
        const settled = this.checkError(expect, error, 'query', fail, { status: 'pass', file, line });
        if (settled !== undefined || expect.kind === 'error') return settled!;
        const lines = actualLines(result!.rows ?? [], {
          sortMode: expect.sortMode ?? this.sortMode,
          resultMode: this.resultMode,
          hashThreshold: this.hashThreshold,
        });
        const diff = diffLines(expect.rows, lines);
        return diff === undefined ? { status: 'pass', file, line } : fail('result-mismatch', `query result mismatch\n${diff}`);
      }
    }
  }

  /** Runs a `system` command with bash, asynchronously (a Kafka broker may be serving from this process). */
  private async runSystem(stdout: string | undefined, command: string, fail: (k: FailKind, m: string) => Outcome, file: string, line: number): Promise<Outcome> {
    const res = await new Promise<{ error?: Error; status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', command], {
        cwd: path.dirname(this.file),
        env: { ...process.env, ...this.opts.vars?.() },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, so a timeout also ends what it started
      });
      let out = '';
      let err = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, this.opts.timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ error: e, status: null, signal: null, stdout: out, stderr: err });
      });
      child.on('close', (status, signal) => {
        clearTimeout(timer);
        resolve({ ...(timedOut ? { error: new Error(`timed out after ${this.opts.timeoutMs} ms`) } : {}), status, signal, stdout: out, stderr: err });
      });
    });
    if (res.error) return fail('system-failed', `system command failed: ${res.error.message}${res.stderr.trim() ? `\n${res.stderr.trim()}` : ''}`);
    if (res.status !== 0) return fail('system-failed', `system command exited with ${res.status ?? res.signal}: ${res.stderr.trim()}${res.stdout.trim() ? `\nstdout:\n${res.stdout.trim()}` : ''}`);
    if (stdout !== undefined && res.stdout.trim() !== stdout.trim()) {
      return fail('system-failed', `system stdout mismatch\nexpected:\n${stdout}\nactual:\n${res.stdout.trim()}`);
    }
    return { status: 'pass', file, line };
  }

  private connection(name: string): Connection {
    let c = this.connections.get(name);
    if (!c) {
      c = new Connection(this.opts.connect);
      this.connections.set(name, c);
    }
    return c;
  }

  /** Send the SQL as one simple-query message; rows of the first statement, like the Rust engine. */
  private async execute(connName: string, sql: string, record: SltRecord): Promise<Executed> {
    const conn = this.connection(connName);
    const client = await conn.get();
    await this.opts.shim?.beforeRecord(record, client);
    const res = await this.withTimeout(conn, client.query({ text: sql, rowMode: 'array', types: RAW_TEXT }) as Promise<pg.QueryResult | pg.QueryResult[]>);
    const first = Array.isArray(res) ? res[0] : res;
    const executed: Executed = { count: 0 };
    if (first) {
      const rows = first.rows as WireValue[][];
      if (rows.length > 0) executed.rows = rows.map((row) => row.map(renderValue));
      executed.count = first.rowCount ?? rows.length;
    }
    await this.opts.shim?.afterSuccess(sql, client);
    if (this.opts.implicitFlush && isDml(sql) && this.opts.shim?.intercept('FLUSH') === undefined) {
      try {
        await this.withTimeout(conn, client.query('FLUSH'));
      } catch (e) {
        if (e instanceof TimeoutError) throw e;
        throw new Error(`implicit FLUSH failed: ${observeError(e).display}`);
      }
    }
    return executed;
  }

  private async withTimeout<T>(conn: Connection, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`timed out after ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      if (e instanceof TimeoutError) {
        p.catch(() => undefined);
        conn.drop(); // the session may still be busy; start the next record on a new one
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Leading comments stripped, is this an INSERT/UPDATE/DELETE/COPY? */
export function isDml(sql: string): boolean {
  const s = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  return /^(insert|update|delete|copy)\b/i.test(s);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Totals over outcomes. */
export function tally(outcomes: readonly Outcome[]): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const o of outcomes) {
    if (o.status === 'pass') passed++;
    else if (o.status === 'fail') failed++;
    else skipped++;
  }
  return { passed, failed, skipped };
}
