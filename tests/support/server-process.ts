/**
 * Spawns a real Eddy server process (bin/eddy start) with a temporary data dir and free ports,
 * for end-to-end tests over the wire.
 */
import { onLines } from './lines.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ServerOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
}

export class EddyProcess {
  pgPort = 0;
  httpPort = 0;
  readonly logs: string[] = [];
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(readonly child: ChildProcess, readonly dataDir: string, private ownsDir: boolean) {
    this.exited = new Promise((resolve) => child.on('exit', (code) => { this.exitCode = code; resolve(code); }));
  }

  static async start(opts: ServerOptions = {}): Promise<EddyProcess> {
    const ownsDir = !opts.dataDir;
    const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-test-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', '0', '--http-port', '0', '--data-dir', dataDir, ...(opts.args ?? [])], {
      cwd: root,
      env: { ...process.env, EDDY_LOG_LEVEL: 'info', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p = new EddyProcess(child, dataDir, ownsDir);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 30s; logs:\n${p.logs.join('\n')}`)), 30_000);
      onLines(child.stdout!, (line) => {
        p.logs.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; pgPort?: number; httpPort?: number };
          if (j.msg === 'eddy started') {
            p.pgPort = j.pgPort!;
            p.httpPort = j.httpPort!;
            clearTimeout(timer);
            resolve();
          }
        } catch {
          /* not JSON */
        }
      });
      child.stderr!.on('data', (d: Buffer) => p.logs.push(d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before starting; logs:\n${p.logs.join('\n')}`));
      });
    });
    return p;
  }

  connectionString(): string {
    return `postgresql://eddy@127.0.0.1:${this.pgPort}/eddy`;
  }

  async client(): Promise<pg.Client> {
    const c = new pg.Client({ host: '127.0.0.1', port: this.pgPort, user: 'eddy', database: 'eddy' });
    await c.connect();
    return c;
  }

  /** SIGTERM and wait for exit. */
  async stop(): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    return this.exited;
  }

  /** kill -9. */
  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  async cleanup(): Promise<void> {
    await this.kill();
    if (this.ownsDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function psqlAvailable(): boolean {
  try {
    fs.accessSync('/usr/bin/psql', fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
