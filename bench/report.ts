/**
 * Result records, small statistics helpers, and the plain-text tables the benchmarks print.
 * Every figure is printed beside a ratio to a baseline measured in the same run: the machines
 * are noisy, so the ratios are the comparable numbers and the absolute figures are context.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** One measured figure. */
export interface Measurement {
  /** Benchmark group, e.g. "ingest" or "pgbench". */
  group: string;
  /** What was measured, e.g. "Eddy over the wire (pg, 4 connections)". */
  name: string;
  value: number;
  unit: string;
  /** Free-form context printed under the table (caps, extrapolations, latencies). */
  notes?: string[];
}

/** A ratio between two measurements of the same run. */
export interface Ratio {
  group: string;
  name: string;
  /** null when one side was not measured (e.g. `--only`) or failed. */
  value: number | null;
  /** How to read it, e.g. "higher is better for Eddy". */
  reading: string;
}

export interface BenchResults {
  startedAt: string;
  /** The commit the run was built from, with "+dirty" when the work tree had changes. */
  code: string;
  machine: MachineInfo;
  options: Record<string, unknown>;
  measurements: Measurement[];
  ratios: Ratio[];
  failures: { group: string; name: string; error: string }[];
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** `git rev-parse --short HEAD` (+dirty), read-only; "unknown" outside a git checkout. */
export function codeVersion(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** 1234567 -> "1,234,567"; small values keep a couple of significant decimals. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatRatio(v: number | null): string {
  if (v === null) return 'n/a';
  return v >= 10 ? `${v.toFixed(1)}x` : `${v.toFixed(2)}x`;
}

/** Renders rows as an aligned plain-text table (first row = header). Numeric-looking cells align right. */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = /^[-\d,.]+x?$|^n\/a$/;
  const line = (r: string[]) => r.map((cell, c) => (numeric.test(cell) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

/** Renders rows as a GitHub-flavoured Markdown table (first row = header). */
export function markdownTable(rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${rows[0].map(esc).join(' | ')} |`,
    `|${rows[0].map(() => '---').join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function measurementRows(res: BenchResults): string[][] {
  return [['group', 'measurement', 'value', 'unit'], ...res.measurements.map((m) => [m.group, m.name, formatNumber(m.value), m.unit])];
}

function ratioRows(res: BenchResults): string[][] {
  return [['group', 'ratio', 'value', 'reading'], ...res.ratios.map((r) => [r.group, r.name, formatRatio(r.value), r.reading])];
}

/** The final console report: figures, ratios, notes and failures. */
export function printReport(res: BenchResults): void {
  const m = res.machine;
  const out: string[] = [];
  out.push('');
  out.push(`Eddy benchmarks, ${res.startedAt}, code ${res.code}`);
  out.push(`machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}`);
  out.push(`options: ${JSON.stringify(res.options)}`);
  out.push('');
  out.push(textTable(measurementRows(res)));
  out.push('');
  out.push(textTable(ratioRows(res)));
  const notes = res.measurements.filter((x) => x.notes && x.notes.length > 0);
  if (notes.length > 0) {
    out.push('');
    out.push('notes:');
    for (const x of notes) for (const n of x.notes!) out.push(`  [${x.group}: ${x.name}] ${n}`);
  }
  if (res.failures.length > 0) {
    out.push('');
    out.push('FAILURES:');
    for (const f of res.failures) out.push(`  [${f.group}: ${f.name}] ${f.error}`);
  }
  out.push('');
  process.stdout.write(out.join('\n') + '\n');
}

/** The same figures as Markdown, for pasting into docs/BENCHMARKS.md. */
export function markdownReport(res: BenchResults): string {
  return [markdownTable(measurementRows(res)), '', markdownTable(ratioRows(res))].join('\n');
}

/** Progress lines go to stderr so stdout holds only the report. */
export function progress(msg: string): void {
  process.stderr.write(`# ${msg}\n`);
}
