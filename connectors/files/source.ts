/**
 * The files source: a directory of JSON-lines or CSV files, one record per line. The directory
 * is listed every poll_interval; files (matching `pattern`, never names starting with '.') are
 * read in name order, and files that appear later are picked up.
 *
 * Only complete lines (ending in '\n') are read. A final line without '\n' is read once the file
 * has not changed (size and mtime) for 2 poll intervals; the file is then finished and never
 * read again. Rows are pushed in chunks of at most MAX_LINES lines, each with the position after
 * it, so every line is read exactly once across kill -9: the position commits with the rows.
 *
 * Position (JSON): { v: 1, files: { "<name>": [bytes, lines] }, done: ["<name>", ...] }
 *   files: bytes of complete lines consumed and how many lines that is (for line numbers in
 *          malformed-record messages), per file not yet finished;
 *   done:  finished files (only names still in the directory are kept, so it stays compact).
 *
 *   starting --listed--> running --directory unreadable--> retrying: <error> --listed--> running
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CatalogObject } from '../../runtime/catalog/catalog.js';
import type { MalformedRecord, RunningSource, SourceConnector, SourceContext } from '../../runtime/connector/source.js';
import type { FormatColumn, RecordDecoder } from '../../runtime/connector/format.js';
import type { JsonValue, Row } from '../../runtime/sql/values.js';
import { formatFor } from '../formats/registry.js';
import { checkDirectory, checkFormat, checkKnown, globRegExp, parseMs, SOURCE_OPTIONS } from './options.js';

/** At most this many lines per push. */
const MAX_LINES = 10_000;
/** Bytes read from a file at a time. */
const READ_CHUNK = 1 << 20;
const RAW_SAMPLE_CHARS = 1_000;

interface Position {
  v: 1;
  files: Record<string, [number, number]>;
  done: string[];
}

export const filesSource: SourceConnector = {
  name: 'files',
  async validate(stream: CatalogObject): Promise<void> {
    const o = stream.options;
    checkFormat(o.format ?? 'json');
    const format = formatFor(o.format ?? 'json');
    checkKnown(o, SOURCE_OPTIONS, format.options);
    checkDirectory(o);
    if (o.pattern !== undefined) globRegExp(o.pattern);
    parseMs(o, 'poll_interval', 1000);
    format.validate(payloadColumns(stream), o);
  },
  start(ctx: SourceContext): RunningSource {
    return new FilesSource(ctx);
  },
};

function payloadColumns(stream: CatalogObject): FormatColumn[] {
  return stream.columns.map((c) => ({ name: c.name, type: c.type }));
}

/** What was seen of a file at the last listing, for "unchanged for 2 poll intervals". */
interface Seen {
  size: number;
  mtimeMs: number;
  /** Consecutive polls with the same size and mtime. */
  stablePolls: number;
}

class FilesSource implements RunningSource {
  private readonly dir: string;
  private readonly pattern: RegExp | undefined;
  private readonly pollMs: number;
  private readonly decoder: RecordDecoder;
  /** Consumed bytes and lines per unfinished file (what was pushed, maybe not committed yet). */
  private readonly files = new Map<string, [number, number]>();
  private readonly done = new Set<string>();
  private readonly seen = new Map<string, Seen>();
  /** Pushes made so far (a push carries the whole position). */
  private pushes = 0;
  private stopRequested = false;
  private wakeStop: (() => void) | undefined;
  private readonly finished: Promise<void>;

  constructor(private readonly ctx: SourceContext) {
    const o = ctx.stream.options;
    this.dir = o.path;
    this.pattern = o.pattern !== undefined ? globRegExp(o.pattern) : undefined;
    this.pollMs = parseMs(o, 'poll_interval', 1000);
    this.decoder = formatFor(o.format ?? 'json').decoder(payloadColumns(ctx.stream), o, ctx.stream.name);
    const pos = ctx.position as Position | undefined | null;
    if (pos !== undefined && pos !== null && typeof pos === 'object' && pos.v === 1) {
      for (const [name, p] of Object.entries(pos.files ?? {})) this.files.set(name, [p[0], p[1]]);
      for (const name of pos.done ?? []) this.done.add(name);
    }
    this.finished = this.loop();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wakeStop?.();
    await this.finished;
  }

  private get stopped(): boolean {
    return this.stopRequested || this.ctx.stopped;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.poll();
        this.ctx.setStatus({ state: 'running' });
      } catch (e) {
        if (this.stopped) break;
        this.ctx.setStatus({ state: 'retrying', message: (e as Error).message });
      }
      await this.sleep(this.pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeStop = () => { clearTimeout(t); resolve(); };
    });
  }

  private wanted(name: string): boolean {
    if (name.startsWith('.')) return false;
    return this.pattern === undefined || this.pattern.test(name);
  }

  /** One listing: reads every complete line that is new, in name order. */
  private async poll(): Promise<void> {
    const entries = await fs.promises.readdir(this.dir, { withFileTypes: true });
    const names = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && this.wanted(e.name)).map((e) => e.name).sort();
    const present = new Set(names);
    let changed = false; // the position changed in ways no push carried yet

    // Forget files that are gone (keeps the position compact).
    for (const n of [...this.done]) if (!present.has(n)) { this.done.delete(n); changed = true; }
    for (const n of [...this.files.keys()]) if (!present.has(n)) { this.files.delete(n); changed = true; }
    for (const n of [...this.seen.keys()]) if (!present.has(n)) this.seen.delete(n);
    for (const name of names) {
      if (this.stopped) return;
      if (this.done.has(name)) continue;
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(path.join(this.dir, name));
      } catch {
        continue; // removed between listing and stat
      }
      if (!st.isFile()) continue;
      const prev = this.seen.get(name);
      const stable = prev !== undefined && prev.size === st.size && prev.mtimeMs === st.mtimeMs ? prev.stablePolls + 1 : 0;
      this.seen.set(name, { size: st.size, mtimeMs: st.mtimeMs, stablePolls: stable });
      if (!this.files.has(name)) this.files.set(name, [0, 0]); // absent = [0, 0]: no need to commit it
      const pushesBefore = this.pushes;
      const [offset] = this.files.get(name)!;
      const settled = stable >= 2;
      if (offset !== st.size) {
        if (offset > st.size) {
          // Truncated or replaced by a shorter file: nothing sensible to resume; start over.
          this.files.set(name, [0, 0]);
          changed = true;
        }
        await this.readFile(name, settled);
        if (this.pushes !== pushesBefore) changed = false; // that push carried the whole position
      }
      const now = this.files.get(name)!;
      if (settled && now[0] >= st.size && (await fs.promises.stat(path.join(this.dir, name)).catch(() => undefined))?.size === now[0]) {
        this.files.delete(name);
        this.done.add(name);
        changed = true;
      }
    }
    // Position-only changes (files finished or forgotten) are committed with an empty batch.
    if (changed && !this.stopped) await this.ctx.push({ rows: [], position: this.position() });
  }

  /**
   * Reads the file's new complete lines (and the final unterminated one when `settled`), pushing
   * at most MAX_LINES lines at a time, each push with the position after its lines.
   */
  private async readFile(name: string, settled: boolean): Promise<void> {
    const fh = await fs.promises.open(path.join(this.dir, name), 'r');
    try {
      let lineNo = this.files.get(name)![1];
      let readPos = this.files.get(name)![0];
      let carry: Buffer = Buffer.alloc(0);
      let lines: Buffer[] = [];
      let linesEnd = readPos;
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        if (this.stopped) return;
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, readPos);
        if (bytesRead > 0) {
          const dataBase = readPos - carry.length; // file offset of data[0]
          readPos += bytesRead;
          const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
          let start = 0;
          for (;;) {
            const nl = data.indexOf(10, start);
            if (nl < 0) break;
            lines.push(data.subarray(start, nl));
            start = nl + 1;
            linesEnd = dataBase + start;
            if (lines.length >= MAX_LINES) {
              await this.pushLines(name, lines, lineNo, linesEnd);
              lineNo += lines.length;
              lines = [];
              if (this.stopped) return;
            }
          }
          carry = data.subarray(start);
          continue;
        }
        // End of file: the final line without '\n' counts once the file has settled.
        if (carry.length > 0 && settled) {
          lines.push(carry);
          linesEnd = readPos;
        }
        if (lines.length > 0) await this.pushLines(name, lines, lineNo, linesEnd);
        return;
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /** Decodes and pushes lines that end at byte `end` of the file, with the position after them. */
  private async pushLines(name: string, lines: Buffer[], firstLineNo: number, end: number): Promise<void> {
    const records: (Buffer | null)[] = [];
    const lineNos: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i];
      if (text.length > 0 && text[text.length - 1] === 13) text = text.subarray(0, text.length - 1);
      if (text.toString('utf8').trim() === '') continue; // blank lines are not records
      records.push(text);
      lineNos.push(firstLineNo + i + 1);
    }
    const rows: Row[] = [];
    const malformed: MalformedRecord[] = [];
    if (records.length > 0) {
      const decoded = await this.decoder.decodeBatch(records);
      const failed = new Map<number, { message: string; sqlstate: string }>();
      for (const e of decoded.errors) failed.set(e.index, e);
      for (let i = 0; i < records.length; i++) {
        const row = decoded.rows[i];
        if (row !== undefined) { rows.push(row); continue; }
        const e = failed.get(i);
        if (e === undefined) continue; // skipped on purpose (a CSV header)
        malformed.push({ message: `file ${name} line ${lineNos[i]}: ${e.message}`, sqlstate: e.sqlstate, raw: rawText(records[i]!) });
      }
    }
    this.files.set(name, [end, firstLineNo + lines.length]);
    this.pushes++;
    await this.ctx.push({ rows, malformed, position: this.position() });
  }

  private position(): JsonValue {
    const files: Record<string, [number, number]> = {};
    for (const [n, p] of this.files) files[n] = [p[0], p[1]];
    return { v: 1, files, done: [...this.done].sort() } as unknown as JsonValue;
  }
}

function rawText(v: Buffer): string {
  const s = v.toString('utf8', 0, Math.min(v.length, RAW_SAMPLE_CHARS * 4));
  return s.length > RAW_SAMPLE_CHARS ? `${s.slice(0, RAW_SAMPLE_CHARS)}…` : s;
}
