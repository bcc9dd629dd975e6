/**
 * Batch evaluation of the window table functions (TUMBLE, HOP, SESSION): the same assignment
 * (runtime/time/windows.ts) as the incremental operators, so an MV equals its query as a batch.
 */
import type { Row, Value } from '../sql/values.js';
import type { Compiled } from '../expr/compile.js';
import { keyOf, type Key } from '../dataflow/key-codec.js';
import { hopStarts, sessions } from '../time/windows.js';

/** Each row once per window containing its time (NULL or infinite time: one row with NULL windows). */
export function assignTimeWindows(rows: Row[], timeColumn: number, slide: number, size: number, offset: number): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const t = r[timeColumn];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      out.push([...r, null, null]);
      continue;
    }
    for (const s of hopStarts(t, slide, size, offset)) out.push([...r, s, s + size]);
  }
  return out;
}

/** Rows with their session's [start, end) per partition (NULL or infinite time: NULL windows). */
export function assignSessions(rows: Row[], timeColumn: number, gap: number, partitionBy: Compiled[]): Row[] {
  const parts = new Map<Key, Row[]>();
  const out: Row[] = [];
  for (const r of rows) {
    const t = r[timeColumn];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      out.push([...r, null, null]);
      continue;
    }
    const k = keyOf(partitionBy.map((f) => f(r)) as Value[]);
    let l = parts.get(k);
    if (!l) parts.set(k, (l = []));
    l.push(r);
  }
  for (const l of parts.values()) {
    l.sort((a, b) => (a[timeColumn] as number) - (b[timeColumn] as number));
    const { start, end } = sessions(l.map((r) => r[timeColumn] as number), gap);
    for (let i = 0; i < l.length; i++) out.push([...l[i], start[i], end[i]]);
  }
  return out;
}
