/**
 * A second Eddy server for slt files that need other server options than the runner's own
 * (e.g. password authentication in security.slt):
 *
 *   eddy-server.js start DIR [eddy start options...]   starts it with data in DIR/data; prints nothing;
 *                                                      DIR/pg-port and DIR/http-port hold its ports
 *   eddy-server.js stop DIR                            SIGTERM, waits for the exit
 *
 * `start` leaves a small watchdog process behind that kills the server as soon as DIR disappears
 * (the runner removes $__TEST_DIR__ after each file), so a file that stops early leaks nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLines } from '../../support/lines.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The watchdog: runs the server, records its ports, kills it when DIR goes away. */
async function serve(dir: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [path.join(root, 'bin/eddy'), 'start', '--pg-port', '0', '--http-port', '0', '--data-dir', path.join(dir, 'data'), ...args], {
    cwd: root,
    env: { ...process.env, EDDY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fs.writeFileSync(path.join(dir, 'server.pid'), String(child.pid));
  onLines(child.stdout!, (line) => {
    try {
      const j = JSON.parse(line) as { msg?: string; pgPort?: number; httpPort?: number };
      if (j.msg === 'eddy started' && fs.existsSync(dir)) {
        fs.writeFileSync(path.join(dir, 'http-port'), String(j.httpPort));
        fs.writeFileSync(path.join(dir, 'pg-port'), String(j.pgPort));
      }
    } catch {
      /* not JSON */
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (fs.existsSync(dir)) fs.appendFileSync(path.join(dir, 'server.err'), d);
  });
  let exited = false;
  child.on('exit', (code) => {
    exited = true;
    if (fs.existsSync(dir)) fs.writeFileSync(path.join(dir, 'exit-code'), String(code));
  });
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  while (!exited) {
    if (!fs.existsSync(dir)) child.kill('SIGKILL');
    await sleep(300);
  }
}

async function main(): Promise<void> {
  const [cmd, dirArg, ...args] = process.argv.slice(2);
  if (!cmd || !dirArg) throw new Error('usage: eddy-server.js start|stop DIR [options]');
  const dir = path.resolve(dirArg);
  switch (cmd) {
    case 'serve':
      return serve(dir, args);
    case 'start': {
      fs.mkdirSync(dir, { recursive: true });
      for (const f of ['pg-port', 'http-port', 'exit-code', 'watchdog.pid']) fs.rmSync(path.join(dir, f), { force: true });
      const w = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', dir, ...args], { detached: true, stdio: 'ignore' });
      w.unref();
      fs.writeFileSync(path.join(dir, 'watchdog.pid'), String(w.pid));
      const until = Date.now() + 20_000;
      while (!fs.existsSync(path.join(dir, 'pg-port'))) {
        if (fs.existsSync(path.join(dir, 'exit-code')) || Date.now() > until) {
          const err = fs.existsSync(path.join(dir, 'server.err')) ? fs.readFileSync(path.join(dir, 'server.err'), 'utf8') : '';
          throw new Error(`the server did not start${err ? `: ${err}` : ''}`);
        }
        await sleep(50);
      }
      return;
    }
    case 'stop': {
      const pidFile = path.join(dir, 'watchdog.pid');
      if (!fs.existsSync(pidFile)) return;
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      const until = Date.now() + 15_000;
      for (;;) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        if (Date.now() > until) {
          process.kill(pid, 'SIGKILL');
          const serverPid = Number(fs.readFileSync(path.join(dir, 'server.pid'), 'utf8'));
          try { process.kill(serverPid, 'SIGKILL'); } catch { /* gone */ }
          return;
        }
        await sleep(50);
      }
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

main().then(
  () => undefined,
  (e: unknown) => {
    process.stderr.write(`eddy-server: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
