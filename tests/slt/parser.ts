/**
 * Parser for the sqllogictest dialect of sqllogictest-rs 0.29 (the one RisingWave's e2e files use).
 *
 * A record starts at a keyword line and ends at the first empty line. `#` lines between records
 * are comments; inside a record's SQL they are part of the SQL. `include <glob>` is expanded
 * relative to the including file's directory, and the included records are spliced in place,
 * keeping their own file name and line numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { globFiles } from './glob.js';

export const SortModes = ['nosort', 'rowsort', 'valuesort'] as const;
export type SortMode = (typeof SortModes)[number];
export type ResultMode = 'rowwise' | 'valuewise';

export interface Location {
  /** Absolute (or as given) path of the file holding the record. */
  file: string;
  /** 1-based line of the record's keyword line. */
  line: number;
}

export interface Condition {
  kind: 'skipif' | 'onlyif';
  label: string;
}

export interface Retry {
  attempts: number;
  backoffMs: number;
}

export type ExpectedError =
  | { kind: 'any' }
  | { kind: 'regex'; pattern: string; regex: RegExp }
  | { kind: 'sqlstate'; code: string }
  | { kind: 'multiline'; text: string };

export type StatementExpect = { kind: 'ok' } | { kind: 'count'; count: number } | { kind: 'error'; error: ExpectedError };
export type QueryExpect =
  | { kind: 'rows'; types: string; sortMode?: SortMode; label?: string; rows: string[] }
  | { kind: 'error'; error: ExpectedError };

interface RecordBase {
  loc: Location;
}
interface Executable extends RecordBase {
  conditions: Condition[];
  /** Named connection the record runs on; `default` is the main one. */
  connection: string;
  retry?: Retry;
}

export type SltRecord =
  | (Executable & { kind: 'statement'; sql: string; expect: StatementExpect })
  | (Executable & { kind: 'query'; sql: string; expect: QueryExpect })
  | (Executable & { kind: 'system'; command: string; stdout?: string })
  | (Executable & { kind: 'let'; vars: string[]; sql: string })
  | (RecordBase & { kind: 'control'; setting: ControlSetting })
  | (RecordBase & { kind: 'include'; pattern: string; files: string[] })
  | (RecordBase & { kind: 'halt'; conditions: Condition[] })
  | (RecordBase & { kind: 'sleep'; ms: number })
  | (RecordBase & { kind: 'subtest'; name: string })
  | (RecordBase & { kind: 'hashThreshold'; threshold: number });

export type ControlSetting =
  | { kind: 'sortmode'; mode: SortMode }
  | { kind: 'resultmode'; mode: ResultMode }
  | { kind: 'substitution'; on: boolean };

export class SltParseError extends Error {
  constructor(readonly loc: Location, message: string) {
    super(`${loc.file}:${loc.line}: ${message}`);
  }
}

const RESULTS_DELIMITER = '----';

/** Parse a script; `include` records are not expanded (see parseFile). */
export function parseScript(script: string, file = '<script>'): SltRecord[] {
  const lines = script.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // like Rust's str::lines()
  let pos = 0;
  const records: SltRecord[] = [];
  let conditions: Condition[] = [];
  let connection = 'default';

  const next = (): string | undefined => (pos < lines.length ? lines[pos++] : undefined);
  const peek = (): string | undefined => (pos < lines.length ? lines[pos] : undefined);

  /** SQL (or command) lines up to an empty line or `----`; the first line is taken as is. */
  const parseBody = (loc: Location, delimited: boolean): { text: string; hasResults: boolean } => {
    const first = next();
    if (first === undefined) throw new SltParseError({ ...loc, line: loc.line + 1 }, 'unexpected end of file');
    const out = [first];
    for (let l = next(); l !== undefined; l = next()) {
      if (l === '') break;
      if (delimited && l === RESULTS_DELIMITER) return { text: out.join('\n'), hasResults: true };
      out.push(l);
    }
    return { text: out.join('\n'), hasResults: false };
  };

  /** Multi-line error text (or system stdout) after `----`: ends at two consecutive empty lines. */
  const parseMultiline = (): string => {
    const out: string[] = [];
    for (let l = next(); l !== undefined; l = next()) {
      if (l === '' && (peek() === undefined || peek() === '')) {
        next();
        break;
      }
      out.push(l);
    }
    return out.join('\n').trim();
  };

  const takeExecutable = (loc: Location, retry?: Retry): Executable => {
    const e: Executable = { loc, conditions, connection, ...(retry ? { retry } : {}) };
    conditions = [];
    connection = 'default';
    return e;
  };

  while (pos < lines.length) {
    const line = next()!;
    if (line.startsWith('#') || line === '') continue;
    const loc: Location = { file, line: pos };
    const tokens = line.split(/\s+/).filter((t) => t.length > 0);
    if (tokens.length === 0) continue;
    const [keyword, ...rest] = tokens as [string, ...string[]];
    const fail = (msg: string): never => {
      throw new SltParseError(loc, msg);
    };
    switch (keyword) {
      case 'include':
        if (rest.length !== 1) fail(`invalid line: ${JSON.stringify(line)}`);
        records.push({ kind: 'include', loc, pattern: rest[0]!, files: [] });
        break;
      case 'halt':
        records.push({ kind: 'halt', loc, conditions });
        conditions = [];
        break;
      case 'subtest':
        records.push({ kind: 'subtest', loc, name: rest.join(' ') });
        break;
      case 'sleep': {
        if (rest.length !== 1) fail(`invalid line: ${JSON.stringify(line)}`);
        const ms = parseDuration(rest[0]!);
        if (ms === undefined) fail(`invalid duration: ${JSON.stringify(rest[0])}`);
        records.push({ kind: 'sleep', loc, ms: ms! });
        break;
      }
      case 'skipif':
      case 'onlyif':
        if (rest.length !== 1) fail(`invalid line: ${JSON.stringify(line)}`);
        conditions.push({ kind: keyword, label: rest[0]! });
        break;
      case 'connection':
        if (rest.length !== 1) fail(`invalid line: ${JSON.stringify(line)}`);
        connection = rest[0]!;
        break;
      case 'hash-threshold': {
        const n = Number(rest[0]);
        if (rest.length !== 1 || !Number.isInteger(n) || n < 0) fail(`invalid number: ${JSON.stringify(rest[0])}`);
        records.push({ kind: 'hashThreshold', loc, threshold: n });
        break;
      }
      case 'control':
        records.push({ kind: 'control', loc, setting: parseControl(rest, fail) });
        break;
      case 'statement': {
        const { head, retry } = splitRetry(rest, fail);
        let expect: StatementExpect;
        if (head[0] === 'ok' && head.length === 1) expect = { kind: 'ok' };
        else if (head[0] === 'count' && head.length === 2) {
          const n = Number(head[1]);
          if (!Number.isInteger(n) || n < 0) fail(`invalid number: ${JSON.stringify(head[1])}`);
          expect = { kind: 'count', count: n };
        } else if (head[0] === 'error') expect = { kind: 'error', error: parseInlineError(head.slice(1), fail) };
        else return fail(`invalid line: ${JSON.stringify(line)}`);
        const body = parseBody(loc, true);
        if (body.hasResults) {
          if (expect.kind !== 'error') fail('statement should have no result, use `query` instead');
          else if (expect.error.kind !== 'any') fail('duplicated error messages after `error` and under `----`');
          else expect = { kind: 'error', error: { kind: 'multiline', text: parseMultiline() } };
        }
        records.push({ ...takeExecutable(loc, retry), kind: 'statement', sql: body.text, expect });
        break;
      }
      case 'query': {
        const { head, retry } = splitRetry(rest, fail);
        let expect: QueryExpect;
        if (head[0] === 'error') expect = { kind: 'error', error: parseInlineError(head.slice(1), fail) };
        else if (head.length === 0) expect = { kind: 'rows', types: '', rows: [] };
        else {
          const [types, mode, label, ...extra] = head as [string, ...string[]];
          if (extra.length > 0) fail(`unexpected token: ${JSON.stringify(extra[0])}`);
          if (mode !== undefined && !(SortModes as readonly string[]).includes(mode)) fail(`invalid sort mode: ${JSON.stringify(mode)}`);
          expect = { kind: 'rows', types, rows: [], ...(mode ? { sortMode: mode as SortMode } : {}), ...(label ? { label } : {}) };
        }
        const body = parseBody(loc, true);
        if (body.hasResults) {
          if (expect.kind === 'rows') {
            for (let l = next(); l !== undefined && l !== ''; l = next()) expect.rows.push(l);
          } else if (expect.error.kind !== 'any') fail('duplicated error messages after `error` and under `----`');
          else expect = { kind: 'error', error: { kind: 'multiline', text: parseMultiline() } };
        }
        records.push({ ...takeExecutable(loc, retry), kind: 'query', sql: body.text, expect });
        break;
      }
      case 'system': {
        const { head, retry } = splitRetry(rest, fail);
        if (head.length !== 1 || head[0] !== 'ok') fail(`invalid line: ${JSON.stringify(line)}`);
        const body = parseBody(loc, true);
        const stdout = body.hasResults ? parseMultiline() : undefined;
        records.push({ ...takeExecutable(loc, retry), kind: 'system', command: body.text, ...(stdout !== undefined ? { stdout } : {}) });
        break;
      }
      case 'let': {
        const vars = rest.join(' ').split(',').map((v) => v.trim()).filter((v) => v.length > 0);
        if (vars.length === 0) fail('let needs at least one variable');
        const body = parseBody(loc, false);
        records.push({ ...takeExecutable(loc), kind: 'let', vars, sql: body.text });
        break;
      }
      default:
        fail(`invalid line: ${JSON.stringify(line)}`);
    }
  }
  return records;
}

/** Parse a file and expand its includes recursively (paths relative to the including file). */
export function parseFile(file: string, seen: readonly string[] = []): SltRecord[] {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new SltParseError({ file: abs, line: 0 }, 'include cycle');
  const records = parseScript(fs.readFileSync(abs, 'utf8'), abs);
  const out: SltRecord[] = [];
  for (const r of records) {
    if (r.kind !== 'include') {
      out.push(r);
      continue;
    }
    const files = globFiles(r.pattern, path.dirname(abs));
    if (files.length === 0) throw new SltParseError(r.loc, `include pattern matches no file: ${r.pattern}`);
    out.push({ ...r, files });
    for (const f of files) out.push(...parseFile(f, [...seen, abs]));
  }
  return out;
}

/** The files a script includes (non-recursive), without parsing the included files. */
export function includedFiles(file: string): string[] {
  const abs = path.resolve(file);
  return parseScript(fs.readFileSync(abs, 'utf8'), abs)
    .filter((r): r is Extract<SltRecord, { kind: 'include' }> => r.kind === 'include')
    .flatMap((r) => globFiles(r.pattern, path.dirname(abs)));
}

type Fail = (msg: string) => never;

/**
 * Split a trailing `retry N backoff D` off a keyword line's tokens. Only the exact 4-token tail
 * counts, so an error regex that merely contains the word "retry" stays a regex.
 */
function splitRetry(tokens: string[], fail: Fail): { head: string[]; retry?: Retry } {
  const i = tokens.length - 4;
  if (i < 0 || tokens[i] !== 'retry' || tokens[i + 2] !== 'backoff') return { head: tokens };
  const attempts = Number(tokens[i + 1]);
  const backoffMs = parseDuration(tokens[i + 3]!);
  if (!Number.isInteger(attempts) || attempts < 0 || backoffMs === undefined) {
    fail(`invalid retry clause: ${JSON.stringify(tokens.slice(i).join(' '))}`);
  }
  return { head: tokens.slice(0, i), retry: { attempts, backoffMs: backoffMs! } };
}

/** `error` followed by nothing (any error), `(SQLSTATE)` or a regex (tokens re-joined by single spaces). */
export function parseInlineError(tokens: string[], fail: Fail): ExpectedError {
  const text = tokens.join(' ');
  if (text === '') return { kind: 'any' };
  const m = /^\(([0-9A-Z]{5})\)$/.exec(text);
  if (m) return { kind: 'sqlstate', code: m[1]! };
  const regex = rustRegex(text);
  if (!regex) return fail(`invalid error message regex: ${JSON.stringify(text)}`);
  return { kind: 'regex', pattern: text, regex };
}

/** Compile a Rust `regex` pattern as a JS RegExp: leading inline flags `(?i)`, `(?s)`, `(?m)` become JS flags. */
export function rustRegex(pattern: string): RegExp | undefined {
  let flags = '';
  let src = pattern;
  const m = /^\(\?([ism]+)\)/.exec(src);
  if (m) {
    flags = [...new Set(m[1]!)].join('');
    src = src.slice(m[0].length);
  }
  try {
    return new RegExp(src, flags);
  } catch {
    return undefined;
  }
}

function parseControl(tokens: string[], fail: Fail): ControlSetting {
  const [what, value] = tokens;
  if (tokens.length === 2 && what === 'sortmode' && (SortModes as readonly string[]).includes(value!)) return { kind: 'sortmode', mode: value as SortMode };
  if (tokens.length === 2 && what === 'resultmode' && (value === 'rowwise' || value === 'valuewise')) return { kind: 'resultmode', mode: value };
  if (tokens.length === 2 && what === 'substitution' && (value === 'on' || value === 'off')) return { kind: 'substitution', on: value === 'on' };
  return fail(`invalid control: ${JSON.stringify(tokens.join(' '))}`);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6, nsec: 1e-6, us: 1e-3, usec: 1e-3, 'µs': 1e-3, ms: 1, msec: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000, w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** humantime-style duration (`5s`, `500ms`, `1m30s`) in milliseconds; undefined if invalid. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+\s*[a-zµ]+\s*)+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)\s*([a-zµ]+)/g)) {
    const unit = DURATION_UNITS[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
  }
  return total;
}
