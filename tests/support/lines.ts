/** Calls `fn` with each complete line a readable stream produces (a server's JSON log, for instance). */
import type { Readable } from 'node:stream';

export function onLines(stream: Readable, fn: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      fn(line);
    }
  });
}
