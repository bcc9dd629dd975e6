/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, .cpuprofile JSON): where the sampled time went,
 * as self time per source area (parser, planner, runtime/<part>, server/<part>, a dependency,
 * Node internals, native code, GC, idle) and as inclusive time of the busiest project functions
 * (time with the function anywhere on the stack), so "parse vs plan vs epoch vs commit" can be
 * read off a real run rather than guessed.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  /** Samples per source line (1-based) where this node was the leaf. */
  positionTicks?: { line: number; ticks: number }[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Sampled time not idle (total minus "(idle)"). */
  busyMs: number;
  selfByArea: { area: string; ms: number }[];
  /** Self time of the busiest functions (native calls such as SQLite's are charged to their JS caller). */
  selfByFunction: { fn: string; ms: number }[];
  inclusive: { fn: string; ms: number }[];
  /** Self time per project source line (compiled JS under dist/), with the line's text. */
  selfByLine: { where: string; text: string; ms: number }[];
}

/** Maps a frame to a coarse source area. */
function area(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)' || functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(root)') return functionName;
  if (url === '') return `(native) ${functionName || 'anonymous'}`;
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `dep: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const d = url.indexOf('/dist/');
  if (d >= 0) {
    const parts = url.slice(d + '/dist/'.length).split('/');
    if (parts[0] === 'runtime' || parts[0] === 'server') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : `${parts[0]}/${parts[1].replace(/\.js$/, '')}`;
    return parts[0];
  }
  return 'other';
}

function fnLabel(frame: ProfileNode['callFrame']): string {
  const d = frame.url.indexOf('/dist/');
  const file = d >= 0 ? frame.url.slice(d + '/dist/'.length) : path.basename(frame.url);
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(file: string, topN = 25): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const selfFn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
    total += dt;
    const leaf = byId.get(prof.samples[i]);
    if (!leaf) continue;
    const a = area(leaf.callFrame);
    if (a === '(idle)') idle += dt;
    self.set(a, (self.get(a) ?? 0) + dt);
    if (a !== '(idle)') {
      const label = leaf.callFrame.url === '' ? a : fnLabel(leaf.callFrame);
      selfFn.set(label, (selfFn.get(label) ?? 0) + dt);
    }
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (!n.callFrame.url.includes('/dist/')) continue;
      const label = fnLabel(n.callFrame);
      if (seen.has(label)) continue;
      seen.add(label);
      incl.set(label, (incl.get(label) ?? 0) + dt);
    }
  }
  // per-line self time: positionTicks counts samples; one sample ~ total / samples
  const msPerTick = prof.samples.length > 0 ? total / prof.samples.length : 0;
  const lineTicks = new Map<string, { url: string; line: number; ticks: number }>();
  for (const n of prof.nodes) {
    if (!n.callFrame.url.includes('/dist/')) continue;
    for (const t of n.positionTicks ?? []) {
      const key = `${n.callFrame.url}:${t.line}`;
      const e = lineTicks.get(key) ?? { url: n.callFrame.url, line: t.line, ticks: 0 };
      e.ticks += t.ticks;
      lineTicks.set(key, e);
    }
  }
  const sourceCache = new Map<string, string[]>();
  const lineText = (url: string, line: number): string => {
    let lines = sourceCache.get(url);
    if (!lines) {
      try {
        lines = fs.readFileSync(new URL(url), 'utf8').split('\n');
      } catch {
        lines = [];
      }
      sourceCache.set(url, lines);
    }
    return (lines[line - 1] ?? '').trim().slice(0, 90);
  };
  const selfByLine = [...lineTicks.values()]
    .sort((a, b) => b.ticks - a.ticks)
    .slice(0, topN)
    .map((e) => ({ where: `${e.url.slice(e.url.indexOf('/dist/') + '/dist/'.length)}:${e.line}`, text: lineText(e.url, e.line), ms: e.ticks * msPerTick }));
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    file,
    totalMs: total,
    busyMs: total - idle,
    selfByArea: sorted(self).map(([area, ms]) => ({ area, ms })),
    selfByFunction: sorted(selfFn).slice(0, topN).map(([fn, ms]) => ({ fn, ms })),
    inclusive: sorted(incl).slice(0, topN).map(([fn, ms]) => ({ fn, ms })),
    selfByLine,
  };
}

export function formatProfile(s: ProfileSummary): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)}%`;
  const out = [`profile ${s.file}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (percentages of busy time)`, '', 'self time by area:'];
  for (const x of s.selfByArea) if (x.area !== '(idle)' && x.ms / s.busyMs >= 0.003) out.push(`  ${pct(x.ms).padStart(6)}  ${(x.ms / 1000).toFixed(2).padStart(7)} s  ${x.area}`);
  out.push('', 'self time, busiest functions:');
  for (const x of s.selfByFunction) out.push(`  ${pct(x.ms).padStart(6)}  ${(x.ms / 1000).toFixed(2).padStart(7)} s  ${x.fn}`);
  out.push('', 'inclusive time, busiest project functions:');
  for (const x of s.inclusive) out.push(`  ${pct(x.ms).padStart(6)}  ${(x.ms / 1000).toFixed(2).padStart(7)} s  ${x.fn}`);
  out.push('', 'self time by source line (compiled JS; a native call is charged to the line calling it):');
  for (const x of s.selfByLine) out.push(`  ${pct(x.ms).padStart(6)}  ${(x.ms / 1000).toFixed(2).padStart(7)} s  ${x.where}  ${x.text}`);
  return out.join('\n');
}

/** `node dist/bench/profile.js <file.cpuprofile>...` prints the summaries. */
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of process.argv.slice(2)) process.stdout.write(formatProfile(summarizeProfile(f)) + '\n\n');
}
