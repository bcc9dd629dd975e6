/**
 * Guards a data dir against a second broker, in this process (a set) or another one (a pid file).
 * A pid file left by a kill -9'd broker names a dead process and is simply taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): void {
  if (heldHere.has(dataDir)) throw new Error(`another KafkaTestBroker in this process uses ${dataDir}`);
  const file = path.join(dataDir, 'broker.lock');
  let holder = NaN;
  try {
    holder = Number(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
    throw new Error(`data dir ${dataDir} is in use by process ${holder}`);
  }
  fs.writeFileSync(file, String(process.pid));
  heldHere.add(dataDir);
}

export function unlockDataDir(dataDir: string): void {
  heldHere.delete(dataDir);
  fs.rmSync(path.join(dataDir, 'broker.lock'), { force: true });
}
