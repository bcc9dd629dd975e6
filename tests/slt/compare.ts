/**
 * Result rendering and comparison exactly as sqllogictest-rs 0.29 with its postgres simple engine:
 * text values, NULL -> `NULL`, '' -> `(empty)`; cells normalised by trim + collapsing ASCII
 * whitespace and joined by one space; rowsort sorts only the actual rows (per cell, byte order).
 */
import { createHash } from 'node:crypto';
import type { ExpectedError, ResultMode, SortMode } from './parser.js';

/** A server value as the simple-query protocol delivers it (text, or null for SQL NULL). */
export type WireValue = string | null;

/** The engine's rendering of one value. */
export function renderValue(v: WireValue): string {
  if (v === null) return 'NULL';
  return v === '' ? '(empty)' : v;
}

/** Rust `s.trim().split_ascii_whitespace().join(" ")`. */
export function normalize(s: string): string {
  return s
    .trim()
    .split(/[ \t\n\f\r]+/)
    .filter((p) => p.length > 0)
    .join(' ');
}

/** Byte-order (UTF-8) comparison, which is what Rust's `String` Ord does. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareRows(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export interface ShapeOptions {
  sortMode: SortMode;
  resultMode: ResultMode;
  /** 0 = off; otherwise more values than this are replaced by `N values hashing to <md5>`. */
  hashThreshold: number;
}

/** Rendered rows -> the lines the runner compares with the expected block. */
export function actualLines(rows: string[][], opts: ShapeOptions): string[] {
  let shaped = rows.map((r) => [...r]);
  if (opts.sortMode === 'rowsort') shaped.sort(compareRows);
  else if (opts.sortMode === 'valuesort') shaped = shaped.flat().sort(compareBytes).map((v) => [v]);
  const valueCount = shaped.reduce((n, r) => n + r.length, 0);
  if (opts.hashThreshold > 0 && valueCount > opts.hashThreshold) {
    const h = createHash('md5');
    for (const r of shaped) for (const v of r) h.update(v).update('\n');
    shaped = [[`${valueCount} values hashing to ${h.digest('hex')}`]];
  }
  if (opts.resultMode === 'valuewise') shaped = shaped.flat().map((v) => [v]);
  return shaped.map((r) => r.map(normalize).join(' '));
}

/** Compare normalised lines; on mismatch returns a readable diff, otherwise undefined. */
export function diffLines(expected: string[], actual: string[]): string | undefined {
  const exp = expected.map(normalize);
  if (exp.length === actual.length && exp.every((l, i) => lineMatches(l, actual[i]!))) return undefined;
  const out: string[] = ['expected:'];
  out.push(...(exp.length ? exp.map((l) => '    ' + l) : ['    (no rows)']));
  out.push('actual:');
  out.push(...(actual.length ? actual.map((l) => '    ' + l) : ['    (no rows)']));
  return out.join('\n');
}

/** `<slt:ignore>` in an expected line: each fragment must occur in order. */
function lineMatches(expected: string, actual: string): boolean {
  if (!expected.includes('<slt:ignore>')) return expected === actual;
  let at = 0;
  for (const frag of expected.split('<slt:ignore>')) {
    const i = actual.indexOf(frag, at);
    if (i < 0) return false;
    at = i + frag.length;
  }
  return true;
}

/** A server error as the runner sees it. */
export interface ObservedError {
  /** SQLSTATE for database errors; undefined for client/connection errors. */
  code?: string;
  /** tokio-postgres Display text: `db error: ERROR: <message>[\nDETAIL: ..][\nHINT: ..]`. */
  display: string;
}

interface PgErrorLike {
  message?: unknown;
  code?: unknown;
  severity?: unknown;
  detail?: unknown;
  hint?: unknown;
}

/** Turn a node-postgres error into the text tokio-postgres would display. */
export function observeError(e: unknown): ObservedError {
  const err = (e ?? {}) as PgErrorLike;
  const message = typeof err.message === 'string' ? err.message : String(e);
  if (typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string') {
    let display = `db error: ${err.severity}: ${message}`;
    if (typeof err.detail === 'string') display += `\nDETAIL: ${err.detail}`;
    if (typeof err.hint === 'string') display += `\nHINT: ${err.hint}`;
    return { code: err.code, display };
  }
  return { display: message };
}

/** Does the observed error satisfy the expectation? (`lenient`: any error satisfies regex/multiline.) */
export function errorMatches(expected: ExpectedError, actual: ObservedError, lenient: boolean): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'sqlstate':
      return actual.code === expected.code;
    case 'regex':
      return lenient || expected.regex.test(actual.display);
    case 'multiline':
      return lenient || expected.text.trim() === actual.display.trim();
  }
}

export function describeExpectedError(e: ExpectedError): string {
  switch (e.kind) {
    case 'any':
      return 'any error';
    case 'sqlstate':
      return `SQLSTATE ${e.code}`;
    case 'regex':
      return `error matching /${e.pattern}/`;
    case 'multiline':
      return `error text:\n    ${e.text.split('\n').join('\n    ')}`;
  }
}

/**
 * `$VAR`, `${VAR}`, `${VAR:default}` substitution with `\$` and `\\` escapes (only after
 * `control substitution on`). Unknown variables without a default are an error.
 */
export function substitute(text: string, vars: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '$' || text[i + 1] === '\\')) {
      out += text[++i];
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    let name: string;
    let fallback: string | undefined;
    if (text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw new Error(`unterminated \${ in: ${text}`);
      const inner = text.slice(i + 2, end);
      const colon = inner.indexOf(':');
      name = colon < 0 ? inner : inner.slice(0, colon);
      fallback = colon < 0 ? undefined : inner.slice(colon + 1);
      i = end;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (!m) {
        out += c;
        continue;
      }
      name = m[0];
      i += name.length;
    }
    const v = vars(name) ?? fallback;
    if (v === undefined) throw new Error(`undefined variable \$${name}`);
    out += v;
  }
  return out;
}
