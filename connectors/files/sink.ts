/**
 * The files sink: writes the sink's epochs as JSON-lines or CSV files into a directory.
 *
 * By default each epoch becomes one file `<sink>-<epoch, 12 digits>.<jsonl|csv>`. With
 * max_file_size, consecutive epochs of a batch are packed into one file up to that size, named
 * `<sink>-<first epoch>-<last epoch>.<ext>` (an epoch is never split, so one big epoch may
 * exceed the size).
 *
 * Every file is written under a temporary name starting with '.' (`.<sink>-....tmp-<random>`) in
 * the same directory, fsynced, renamed to its final name, and the directory is fsynced: a reader
 * never sees a partial file. Files are written in epoch order, so open() finds the highest epoch
 * written in the file names and the runner resumes after it: an epoch whose file exists is never
 * written again. Leftover temporary files of this sink (a crash mid-write) are deleted by open().
 *
 * mode = changes (default for objects that update or delete rows): every record gets an extra
 *   `_op` field/column, 'insert' or 'delete' (a change of weight n gives |n| records).
 * mode = append (default for append-only objects): the inserted rows as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CatalogObject, ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SinkBatch, SinkConnector, SinkContext, SinkWriter } from '../../runtime/connector/sink.js';
import type { FormatColumn, RecordEncoder } from '../../runtime/connector/format.js';
import type { Row } from '../../runtime/sql/values.js';
import { T } from '../../runtime/sql/types.js';
import { crashPoint } from '../../runtime/crash-point.js';
import { formatFor } from '../formats/registry.js';
import { bad, checkDirectory, checkFormat, checkKnown, parseSize, SINK_OPTIONS } from './options.js';

const OP_COLUMN = '_op';

export const filesSink: SinkConnector = {
  name: 'files',
  async validate(sink: CatalogObject, columns: readonly ColumnSchema[], _keyColumns: readonly number[] | null, appendOnly: boolean): Promise<Record<string, string>> {
    const o = { ...sink.options };
    const fmt = checkFormat(o.format ?? 'json');
    const format = formatFor(fmt);
    checkKnown(o, SINK_OPTIONS, format.options);
    checkDirectory(o);
    parseSize(o, 'max_file_size');
    const mode = (o.mode ?? (appendOnly ? 'append' : 'changes')).trim().toLowerCase();
    if (mode !== 'changes' && mode !== 'append') throw bad(`option "mode" must be changes or append, not "${o.mode}"`);
    if (mode === 'append' && !appendOnly) {
      throw bad('mode = append needs an append-only object, and this one updates or deletes rows', "Use mode = 'changes' (each record gets an _op column), or EMIT ON WINDOW CLOSE in the view.");
    }
    if (mode === 'changes' && columns.some((c) => c.name.toLowerCase() === OP_COLUMN)) throw bad(`mode = changes adds a column "${OP_COLUMN}", and the object already has one`);
    o.mode = mode;
    o.format = fmt;
    format.validate(fileColumns(columns, mode), o);
    return o;
  },
  writer(ctx: SinkContext): SinkWriter {
    return new FilesSinkWriter(ctx);
  },
};

function fileColumns(columns: readonly ColumnSchema[], mode: string): FormatColumn[] {
  const cols = columns.map((c) => ({ name: c.name, type: c.type }));
  if (mode === 'changes') cols.push({ name: OP_COLUMN, type: T.text });
  return cols;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class FilesSinkWriter implements SinkWriter {
  private readonly dir: string;
  private readonly name: string;
  private readonly ext: string;
  private readonly mode: 'changes' | 'append';
  private readonly maxSize: number | undefined;
  private readonly encoder: RecordEncoder;
  private readonly header: Buffer | undefined;
  private readonly fileRe: RegExp;
  private readonly tempRe: RegExp;
  /** The highest epoch whose file exists (from open(), then each write). */
  private written = 0;

  constructor(private readonly ctx: SinkContext) {
    const o = ctx.sink.options;
    this.dir = o.path;
    this.name = ctx.sink.name;
    const fmt = checkFormat(o.format ?? 'json');
    this.ext = fmt === 'csv' ? 'csv' : 'jsonl';
    this.mode = o.mode === 'append' ? 'append' : 'changes';
    this.maxSize = parseSize(o, 'max_file_size');
    const cols = fileColumns(ctx.columns, this.mode);
    this.encoder = formatFor(fmt).encoder(cols, o, this.name);
    const h = (o['csv.header'] ?? '').trim().toLowerCase();
    if (fmt === 'csv' && (h === 'true' || h === 'on' || h === '1' || h === 'yes')) {
      const d = o['csv.delimiter'] === '\\t' ? '\t' : (o['csv.delimiter'] ?? ',');
      this.header = Buffer.from(`${cols.map((c) => (/[",\n\r]/.test(c.name) || c.name.includes(d) ? `"${c.name.replace(/"/g, '""')}"` : c.name)).join(d)}\n`);
    }
    const n = escapeRe(this.name);
    this.fileRe = new RegExp(`^${n}-(\\d{12})(?:-(\\d{12}))?\\.${this.ext}$`);
    this.tempRe = new RegExp(`^\\.${n}-\\d{12}(?:-\\d{12})?\\.${this.ext}\\.tmp-[0-9a-f]+$`);
  }

  async open(): Promise<number> {
    const names = await fs.promises.readdir(this.dir);
    let max = 0;
    for (const f of names) {
      const m = this.fileRe.exec(f);
      if (m !== null) max = Math.max(max, Number(m[2] ?? m[1]));
      else if (this.tempRe.test(f)) await fs.promises.rm(path.join(this.dir, f), { force: true });
    }
    this.written = max;
    return max;
  }

  async write(batch: SinkBatch): Promise<void> {
    // Epochs already in a file (a retried batch after a partial failure) are never written again.
    const epochs = batch.epochs.filter((e) => e.epoch > this.written);
    let group: { first: number; last: number; parts: Buffer[]; size: number } | undefined;
    const flush = async (): Promise<void> => {
      if (group === undefined) return;
      const g = group;
      group = undefined;
      await this.writeFile(g.first, g.last, g.parts);
      this.written = g.last;
    };
    for (const { epoch, changes } of epochs) {
      const rows: Row[] = [];
      for (const c of changes) {
        if (this.mode === 'append') {
          for (let w = 0; w < c.weight; w++) rows.push(c.row);
        } else {
          const op = c.weight > 0 ? 'insert' : 'delete';
          const r = [...c.row, op];
          for (let w = 0; w < Math.abs(c.weight); w++) rows.push(r);
        }
      }
      const encoded = await this.encoder.encodeBatch(rows);
      const parts: Buffer[] = [];
      let size = 0;
      for (const b of encoded) {
        parts.push(b, NEWLINE);
        size += b.length + 1;
      }
      if (this.maxSize === undefined) {
        await this.writeFile(epoch, epoch, parts);
        this.written = epoch;
        continue;
      }
      if (group !== undefined && group.size + size > this.maxSize) await flush();
      if (group === undefined) group = { first: epoch, last: epoch, parts: [], size: this.header?.length ?? 0 };
      group.last = epoch;
      group.parts.push(...parts);
      group.size += size;
    }
    await flush();
  }

  private fileName(first: number, last: number): string {
    const pad = (n: number) => String(n).padStart(12, '0');
    return first === last ? `${this.name}-${pad(first)}.${this.ext}` : `${this.name}-${pad(first)}-${pad(last)}.${this.ext}`;
  }

  /** Writes under a '.' temp name, fsyncs, renames, fsyncs the directory. */
  private async writeFile(first: number, last: number, parts: Buffer[]): Promise<void> {
    const final = this.fileName(first, last);
    const temp = `.${final}.tmp-${randomBytes(4).toString('hex')}`;
    const tempPath = path.join(this.dir, temp);
    const fh = await fs.promises.open(tempPath, 'wx');
    try {
      const all = this.header !== undefined ? [this.header, ...parts] : parts;
      // writev in slices (IOV_MAX is 1024 on Linux).
      for (let i = 0; i < all.length; i += 1000) await fh.writev(all.slice(i, i + 1000));
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await fs.promises.rm(tempPath, { force: true }).catch(() => undefined);
      throw e;
    }
    await fh.close();
    crashPoint('files-sink-before-rename');
    await fs.promises.rename(tempPath, path.join(this.dir, final));
    await syncDir(this.dir);
    crashPoint('files-sink-after-rename');
  }

  async close(): Promise<void> {
    /* nothing held open between writes */
  }
}

const NEWLINE = Buffer.from('\n');

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
