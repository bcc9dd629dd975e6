/**
 * Shared pieces of the real-client tests (tests/e2e/clients-*.test.ts): finding the external
 * client tools, running them, and the tables they read.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type pg from 'pg';

/**
 * Whether an external tool is present. A missing tool skips the test on a developer's machine,
 * but fails it under CI=true, where .ci/run installs every tool.
 */
export function requireTool(t: { skip(message?: string): void }, what: string, present: boolean): boolean {
  if (present) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true (.ci/run installs it)`);
  t.skip(`${what} not installed`);
  return false;
}

export function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after timeoutMs), feeding it `input` on stdin. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Creates `name (id INT PRIMARY KEY, label TEXT)` holding ids 1..n, labelled 'row <id>'. */
export async function createNumbers(c: pg.Client, name: string, n: number): Promise<void> {
  await c.query(`CREATE TABLE ${name} (id INT PRIMARY KEY, label TEXT)`);
  for (let from = 1; from <= n; from += 1000) {
    const values: string[] = [];
    for (let id = from; id < Math.min(from + 1000, n + 1); id++) values.push(`(${id}, 'row ${id}')`);
    await c.query(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  }
}
