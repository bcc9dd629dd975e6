/**
 * The files connector's WITH (...) options, checked at CREATE time (22023 naming the option).
 *
 *   path                          required: an existing directory
 *   format = json | csv           default json (plus the format's own options, e.g. csv.header)
 *   pattern = '*.jsonl'           sources: shell glob on file names (* ? [...]); default every
 *                                 file whose name does not start with '.'
 *   poll_interval = '1 second'    sources: how often the directory is listed
 *   max_file_size = '64 MB'       sinks: pack consecutive epochs into files up to this size
 *   mode = changes | append       sinks: default append for append-only objects, else changes
 */
import fs from 'node:fs';
import { parseMs as parseDuration } from '../option-values.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export const SOURCE_OPTIONS: readonly string[] = ['connector', 'path', 'format', 'pattern', 'poll_interval', 'retention', 'idle_timeout', 'partition_idle_timeout'];
export const SINK_OPTIONS: readonly string[] = ['connector', 'path', 'format', 'max_file_size', 'mode', 'snapshot', 'primary_key'];

export function bad(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

export function checkFormat(name: string): 'json' | 'csv' {
  const f = name.trim().toLowerCase();
  if (f !== 'json' && f !== 'csv') throw bad(`option "format" of the files connector must be json or csv, not "${name}"`);
  return f;
}

export function checkKnown(options: Readonly<Record<string, string>>, known: readonly string[], formatOptions: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k) && !formatOptions.includes(k)) throw bad(`unrecognized option "${k}" for the files connector`, `Valid options: ${[...known, ...formatOptions].filter((o) => o !== 'connector').join(', ')}.`);
  }
}

/** Option "path": must name an existing directory. */
export function checkDirectory(options: Readonly<Record<string, string>>): string {
  const p = options.path;
  if (p === undefined || p.trim() === '') throw bad('the files connector needs option "path" (a directory)');
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    throw bad(`option "path": directory "${p}" does not exist (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!st.isDirectory()) throw bad(`option "path": "${p}" is not a directory`);
  return p;
}

/** A duration option like '1 second' (10 ms .. 1 hour). */
export function parseMs(options: Readonly<Record<string, string>>, key: string, dflt: number): number {
  const ms = parseDuration(options, key, dflt);
  if (ms < 10 || ms > 3_600_000) throw bad(`option "${key}" must be between 10 ms and 1 hour, not "${options[key]}"`);
  return ms;
}

/** A size option like '64 MB', '512kB' or a number of bytes. */
export function parseSize(options: Readonly<Record<string, string>>, key: string): number | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(b|bytes?|kb|kib|mb|mib|gb|gib)?$/i.exec(v.trim());
  if (m === null) throw bad(`option "${key}" must be a size like '64 MB', not "${v}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  const n = Math.floor(Number(m[1]) * mult);
  if (n < 1) throw bad(`option "${key}" must be at least 1 byte, not "${v}"`);
  return n;
}

/** A shell glob on file names (* ? [...]) as a RegExp. */
export function globRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw bad(`option "pattern": unterminated [ in "${glob}"`);
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}
