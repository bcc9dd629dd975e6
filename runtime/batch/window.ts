/**
 * Batch evaluation of a Window node (PostgreSQL semantics): rows are grouped by PARTITION BY
 * (SQL equality, NULLs together), each partition is sorted by ORDER BY with ties broken by the
 * row encoding (sort-order.ts), and every function gets one value per row:
 *
 *   rows (k, v): (a, 3) (a, 5) (b, 1) (a, 5)    PARTITION BY k ORDER BY v DESC
 *   -> (a, 5, row_number 1, rank 1, dense_rank 1) (a, 5, 2, 1, 1) (a, 3, 3, 3, 2) (b, 1, 1, 1, 1)
 *
 * Aggregates use the function's frame: 'range' adds the current row's whole peer group (the
 * default frame), 'rows' stops at the current row, 'partition' covers the whole partition.
 */
import type { Row, Value } from '../sql/values.js';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import type { RelPlan, WindowFunc } from '../plan/plan.js';
import type { Compiled } from '../expr/compile.js';
import type { ScalarExpr } from '../expr/ir.js';
import { keyOf, type Key } from '../dataflow/key-codec.js';
import { encodeRow } from '../storage/value-codec.js';
import { compareEncodings, compareSortValues } from '../dataflow/sort-order.js';

type WindowPlan = Extract<RelPlan, { kind: 'Window' }>;

interface CompiledFunc {
  f: WindowFunc;
  args: Compiled[];
  filter?: Compiled;
}

interface Sorted {
  row: Row;
  keys: Value[];
  enc?: string;
}

/** Returns a function computing the Window node's output from its input rows. */
export function windowEvaluator(p: WindowPlan, compile: (e: ScalarExpr) => Compiled, checkCancel: () => void): (rows: Row[]) => Row[] {
  const parts = p.partitionBy.map(compile);
  const partTypes = p.partitionBy.map((e) => e.type);
  const orderFns = p.orderBy.map((k) => compile(k.expr));
  const specs = p.orderBy;
  const funcs: CompiledFunc[] = p.functions.map((f) => ({ f, args: f.args.map(compile), filter: f.filter ? compile(f.filter) : undefined }));
  const cmp = (a: Sorted, b: Sorted): number => {
    const c = compareSortValues(specs, a.keys, b.keys);
    if (c !== 0) return c;
    return compareEncodings((a.enc ??= encodeRow(a.row)), (b.enc ??= encodeRow(b.row)));
  };
  return (rows) => {
    const partitions = new Map<Key, Sorted[]>();
    const np = parts.length;
    for (const row of rows) {
      let k: Key = 0;
      if (np > 0) {
        const vals = new Array<Value>(np);
        for (let i = 0; i < np; i++) vals[i] = parts[i](row);
        k = keyOf(vals, partTypes);
      }
      let list = partitions.get(k);
      if (!list) partitions.set(k, (list = []));
      list.push({ row, keys: orderFns.map((f) => f(row)) });
    }
    checkCancel();
    const out: Row[] = [];
    for (const list of partitions.values()) {
      list.sort(cmp);
      const n = list.length;
      // peerEnd[i]: index of the last row of row i's peer group; peerStart likewise.
      const peerStart = new Array<number>(n);
      const peerEnd = new Array<number>(n);
      for (let i = 0; i < n; ) {
        let j = i;
        while (j + 1 < n && compareSortValues(specs, list[i].keys, list[j + 1].keys) === 0) j++;
        for (let m = i; m <= j; m++) {
          peerStart[m] = i;
          peerEnd[m] = j;
        }
        i = j + 1;
      }
      const columns = funcs.map((cf) => evaluate(cf, list, peerStart, peerEnd));
      for (let i = 0; i < n; i++) {
        const r = list[i].row.slice();
        for (const col of columns) r.push(col[i]);
        out.push(r);
      }
    }
    return out;
  };
}

function frameEnd(f: WindowFunc, i: number, n: number, peerEnd: number[]): number {
  const fr = f.frame;
  if (typeof fr === 'object') return Math.min(n - 1, i + fr.end);
  switch (fr) {
    case 'range': return peerEnd[i];
    case 'rows': return i;
    case 'partition': return n - 1;
  }
}

function frameStart(f: WindowFunc, i: number): number {
  return typeof f.frame === 'object' ? Math.max(0, i + f.frame.start) : 0;
}

function toInt(v: Value): number | null {
  if (v === null) return null;
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

function evaluate(cf: CompiledFunc, list: Sorted[], peerStart: number[], peerEnd: number[]): Value[] {
  const { f, args } = cf;
  const n = list.length;
  const out = new Array<Value>(n);
  switch (f.kind) {
    case 'row_number':
      for (let i = 0; i < n; i++) out[i] = BigInt(i + 1);
      return out;
    case 'rank':
      for (let i = 0; i < n; i++) out[i] = BigInt(peerStart[i] + 1);
      return out;
    case 'dense_rank': {
      let group = 0;
      for (let i = 0; i < n; i++) {
        if (peerStart[i] === i) group++;
        out[i] = BigInt(group);
      }
      return out;
    }
    case 'percent_rank':
      for (let i = 0; i < n; i++) out[i] = n > 1 ? peerStart[i] / (n - 1) : 0;
      return out;
    case 'cume_dist':
      for (let i = 0; i < n; i++) out[i] = (peerEnd[i] + 1) / n;
      return out;
    case 'ntile': {
      // PostgreSQL evaluates the bucket count once per partition (on its first row).
      const buckets = toInt(args[0](list[0].row));
      if (buckets === null) return out.fill(null);
      if (buckets <= 0) throw new SqlError(SqlState.InvalidArgumentForNtileFunction, 'argument of ntile must be greater than zero');
      const per = Math.floor(n / buckets);
      const extra = n % buckets;
      let bucket = 1;
      let left = per + (extra > 0 ? 1 : 0);
      for (let i = 0; i < n; i++) {
        if (left === 0) {
          bucket++;
          left = per + (bucket <= extra ? 1 : 0);
        }
        out[i] = bucket;
        left--;
      }
      return out;
    }
    case 'lag':
    case 'lead': {
      const sign = f.kind === 'lag' ? -1 : 1;
      for (let i = 0; i < n; i++) {
        const row = list[i].row;
        const off = args.length > 1 ? toInt(args[1](row)) : 1;
        if (off === null) {
          out[i] = null;
          continue;
        }
        const j = i + sign * off;
        out[i] = j >= 0 && j < n ? args[0](list[j].row) : args.length > 2 ? args[2](row) : null;
      }
      return out;
    }
    case 'first_value':
      for (let i = 0; i < n; i++) {
        const s = frameStart(f, i);
        out[i] = s <= frameEnd(f, i, n, peerEnd) ? args[0](list[s].row) : null;
      }
      return out;
    case 'last_value':
      for (let i = 0; i < n; i++) {
        const e = frameEnd(f, i, n, peerEnd);
        out[i] = frameStart(f, i) <= e ? args[0](list[e].row) : null;
      }
      return out;
    case 'nth_value':
      for (let i = 0; i < n; i++) {
        const k = toInt(args[1](list[i].row));
        if (k === null) {
          out[i] = null;
          continue;
        }
        if (k <= 0) throw new SqlError(SqlState.InvalidArgumentForNthValueFunction, 'argument of nth_value must be greater than zero');
        const at = frameStart(f, i) + k - 1;
        out[i] = at <= frameEnd(f, i, n, peerEnd) ? args[0](list[at].row) : null;
      }
      return out;
    case 'aggregate':
      return evaluateAggregate(cf, list, peerEnd);
  }
}

/** Aggregates over frames that start at the partition start: one accumulator, fed in order. */
function evaluateAggregate(cf: CompiledFunc, list: Sorted[], peerEnd: number[]): Value[] {
  const { f, args, filter } = cf;
  const acc = f.agg!.create();
  const n = list.length;
  const out = new Array<Value>(n);
  const vals = new Array<Value>(args.length);
  const add = (row: Row) => {
    if (filter && filter(row) !== true) return;
    for (let a = 0; a < args.length; a++) vals[a] = args[a](row);
    acc.add(vals, 1);
  };
  if (f.frame === 'partition') {
    for (const s of list) add(s.row);
    return out.fill(n > 0 ? acc.result() : null);
  }
  const fr = f.frame;
  if (typeof fr === 'object') {
    // ROWS BETWEEN with offsets: each row's frame on its own (a fresh accumulator per row).
    for (let i = 0; i < n; i++) {
      const frameAcc = f.agg!.create();
      const end = Math.min(n - 1, i + fr.end);
      for (let j = Math.max(0, i + fr.start); j <= end; j++) {
        const row = list[j].row;
        if (filter && filter(row) !== true) continue;
        for (let a = 0; a < args.length; a++) vals[a] = args[a](row);
        frameAcc.add(vals, 1);
      }
      out[i] = frameAcc.result();
    }
    return out;
  }
  let fed = 0;
  for (let i = 0; i < n; i++) {
    const end = fr === 'rows' ? i : peerEnd[i];
    while (fed <= end) add(list[fed++].row);
    out[i] = acc.result();
  }
  return out;
}
