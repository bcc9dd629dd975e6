/**
 * The batch executor for ad-hoc queries: runs a RelPlan over committed data. Expressions are
 * compiled once when the plan is prepared; a prepared plan runs many times (with new params).
 */
import { projectSetRows, type SetFunction } from '../dataflow/operators/project-set.js';
import type { Row, Value } from '../sql/values.js';
import { SqlError } from '../sql/errors.js';
import { SqlState } from '../sql/sqlstate.js';
import type { RelPlan, ScanSource, SortKey } from '../plan/plan.js';
import { expandGroupingSets } from '../plan/plan.js';
import type { EvalContext } from '../expr/eval-context.js';
import { compileExpr, type Compiled } from '../expr/compile.js';
import type { Accumulator } from '../expr/aggregates/registry.js';
import { keyOf, type Key } from '../dataflow/key-codec.js';
import { preferRepresentation } from '../dataflow/representatives.js';
import { assignSessions, assignTimeWindows } from './time-windows.js';
import { sameRow } from '../dataflow/row-identity.js';
import { windowEvaluator } from './window.js';

/** Read access to committed data, provided by the engine. */
export interface BatchDataAccess {
  scan(source: ScanSource, ctx?: EvalContext): Iterable<Row>;
  /** Rows whose keyColumns equal keyValues, by index. */
  lookup(source: ScanSource, keyColumns: number[], keyValues: Value[]): Iterable<Row>;
}

export type BatchRunner = () => Row[];

export interface CancelCheck {
  readonly cancelled: boolean;
}

/** Compiles a plan into a runner. `ctx` is captured: update its params before each run. */
export function prepareBatch(plan: RelPlan, data: BatchDataAccess, ctx: EvalContext, cancel?: CancelCheck): BatchRunner {
  const run = prepareSubplan(plan, data, ctx, cancel, new Map());
  return () => {
    ctx.execution++;
    return run();
  };
}

/** Prepares a plan; subplans are prepared once (a correlated subquery runs once per enclosing row). */
function prepareSubplan(plan: RelPlan, data: BatchDataAccess, ctx: EvalContext, cancel: CancelCheck | undefined, prepared: Map<RelPlan, BatchRunner>): BatchRunner {
  const runSubplan = (p: RelPlan) => {
    let r = prepared.get(p);
    if (!r) {
      r = prepareSubplan(p, data, ctx, cancel, prepared);
      prepared.set(p, r);
    }
    return r();
  };
  const compile = (e: Parameters<typeof compileExpr>[0]) => compileExpr(e, { ctx, runSubplan });
  const checkCancel = () => {
    if (cancel?.cancelled) throw new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request');
  };
  return build(plan);

  function build(p: RelPlan): BatchRunner {
    switch (p.kind) {
      case 'Scan': {
        const src = p.source;
        return () => {
          const out: Row[] = [];
          for (const r of data.scan(src, ctx)) out.push(r);
          return out;
        };
      }
      case 'IndexLookup': {
        const keys = p.keyValues.map(compile);
        return () => {
          const kv = keys.map((k) => k([]));
          if (kv.some((v) => v === null)) return [];
          return [...data.lookup(p.source, p.keyColumns, kv)];
        };
      }
      case 'ProjectSet': {
        const input = build(p.input);
        const fns: SetFunction[] = p.functions.map((f) => ({ args: f.args.map(compile), rows: f.rows, record: f.record }));
        return () => {
          const out: Row[] = [];
          for (const row of input()) for (const r of projectSetRows(row, fns)) out.push(r);
          return out;
        };
      }
      case 'TableFunction': {
        const args = p.args.map(compile);
        const rows = p.rows;
        return () => rows(args.map((a) => a([])));
      }
      case 'Values': {
        const rows = p.rows.map((r) => r.map(compile));
        return () => rows.map((r) => r.map((f) => f([])));
      }
      case 'Filter': {
        const input = build(p.input);
        const pred = compile(p.predicate);
        return () => {
          const rows = input();
          checkCancel();
          const out: Row[] = [];
          for (const r of rows) if (pred(r) === true) out.push(r);
          return out;
        };
      }
      case 'Project': {
        const input = build(p.input);
        const exprs = p.exprs.map(compile);
        const n = exprs.length;
        return () => {
          const rows = input();
          checkCancel();
          const out: Row[] = new Array(rows.length);
          for (let i = 0; i < rows.length; i++) {
            const r = rows[i];
            const o = new Array<Value>(n);
            for (let j = 0; j < n; j++) o[j] = exprs[j](r);
            out[i] = o;
          }
          return out;
        };
      }
      case 'Aggregate':
        return p.groupingSets ? build(expandGroupingSets(p)) : buildAggregate(p);
      case 'Join':
        return buildJoin(p);
      case 'Apply': {
        const left = build(p.left);
        const right = build(p.right);
        const outer = p.outer.map(compile);
        const residual = p.residual ? compile(p.residual) : undefined;
        const nulls = new Array<Value>(p.right.fields.length).fill(null);
        const keepUnmatched = p.joinType === 'left';
        return () => {
          const out: Row[] = [];
          for (const l of left()) {
            checkCancel();
            ctx.outer.push(outer.map((f) => f(l)));
            let rows: Row[];
            try {
              rows = right();
            } finally {
              ctx.outer.pop();
            }
            let matched = false;
            for (const r of rows) {
              const row = l.concat(r);
              if (residual && residual(row) !== true) continue;
              matched = true;
              out.push(row);
            }
            if (!matched && keepUnmatched) out.push(l.concat(nulls));
            if (out.length > MAX_JOIN_ROWS) throw joinTooLarge();
          }
          return out;
        };
      }
      case 'TimeWindow': {
        const input = build(p.input);
        const { timeColumn, slide, size, offset } = p;
        return () => assignTimeWindows(input(), timeColumn, slide, size, offset);
      }
      case 'SessionWindow': {
        const input = build(p.input);
        const partitionBy = p.partitionBy.map(compile);
        const { timeColumn, gap } = p;
        return () => assignSessions(input(), timeColumn, gap, partitionBy);
      }
      case 'Distinct': {
        const input = build(p.input);
        return () => {
          const seen = new Map<Key, number>();
          const out: Row[] = [];
          for (const r of input()) {
            const k = keyOf(r);
            const at = seen.get(k);
            if (at === undefined) {
              seen.set(k, out.length);
              out.push(r);
            } else if (!sameRow(out[at], r) && preferRepresentation(r, out[at])) out[at] = r;
          }
          return out;
        };
      }
      case 'UnionAll': {
        const inputs = p.inputs.map(build);
        return () => inputs.flatMap((i) => i());
      }
      case 'SetOp': {
        const left = build(p.left);
        const right = build(p.right);
        const { op, all } = p;
        return () => {
          const counts = new Map<Key, number>();
          for (const r of right()) {
            const k = keyOf(r);
            counts.set(k, (counts.get(k) ?? 0) + 1);
          }
          const out: Row[] = [];
          const emitted = new Set<Key>();
          for (const r of left()) {
            const k = keyOf(r);
            const c = counts.get(k) ?? 0;
            if (op === 'intersect') {
              if (c > 0) {
                if (all) { counts.set(k, c - 1); out.push(r); }
                else if (!emitted.has(k)) { emitted.add(k); out.push(r); }
              }
            } else if (all) {
              if (c > 0) counts.set(k, c - 1);
              else out.push(r);
            } else if (c === 0 && !emitted.has(k)) {
              emitted.add(k);
              out.push(r);
            }
          }
          return out;
        };
      }
      case 'Sort': {
        const input = build(p.input);
        const cmp = rowComparator(p.keys, compile);
        return () => {
          const rows = input();
          checkCancel();
          return rows.slice().sort(cmp);
        };
      }
      case 'Window': {
        const input = build(p.input);
        const evaluate = windowEvaluator(p, compile, checkCancel);
        return () => {
          const rows = input();
          checkCancel();
          return evaluate(rows);
        };
      }
      case 'Limit': {
        const input = build(p.input);
        const limit = p.limit ? compile(p.limit) : undefined;
        const offset = p.offset ? compile(p.offset) : undefined;
        const tiesKeys = p.withTies && p.input.kind === 'Sort' ? p.input.keys.map((k) => ({ f: compile(k.expr), cmp: (a: Value, b: Value) => (a === null || b === null ? (a === b ? 0 : 1) : k.cmp(a, b)) })) : undefined;
        return () => {
          const rows = input();
          const off = offset ? toCount(offset([]), 'OFFSET') : 0;
          const lim = limit ? toCount(limit([]), 'LIMIT') : undefined;
          if (lim === undefined) return rows.slice(off);
          let end = Math.min(rows.length, off + lim);
          if (tiesKeys && end > off) {
            const last = rows[end - 1];
            const same = (r: Row) => tiesKeys.every((k) => k.cmp(k.f(r), k.f(last)) === 0);
            while (end < rows.length && same(rows[end])) end++;
          }
          return rows.slice(off, end);
        };
      }
    }
  }

  function buildAggregate(p: Extract<RelPlan, { kind: 'Aggregate' }>): BatchRunner {
    const input = build(p.input);
    const keys = p.groupKeys.map(compile);
    const aggs = p.aggregates.map((a) => ({
      create: () => a.agg.create(),
      args: a.args.map(compile),
      distinct: a.distinct,
      filter: a.filter ? compile(a.filter) : undefined,
    }));
    const nk = keys.length;
    return () => {
      const rows = input();
      checkCancel();
      interface Group { key: Value[]; accs: Accumulator[]; seen: (Set<Key> | undefined)[] }
      const groups = new Map<Key, Group>();
      const newGroup = (key: Value[]): Group => ({ key, accs: aggs.map((a) => a.create()), seen: aggs.map((a) => (a.distinct ? new Set() : undefined)) });
      if (nk === 0) groups.set(0, newGroup([]));
      for (const r of rows) {
        const kv = new Array<Value>(nk);
        for (let i = 0; i < nk; i++) kv[i] = keys[i](r);
        const k = nk === 0 ? 0 : keyOf(kv);
        let g = groups.get(k);
        if (!g) {
          g = newGroup(kv);
          groups.set(k, g);
        } else if (!sameRow(g.key, kv) && preferRepresentation(kv, g.key)) {
          // SQL-equal keys shown differently (1.5 / 1.50): show the canonical one, as the incremental operators do.
          g.key = kv;
        }
        for (let i = 0; i < aggs.length; i++) {
          const a = aggs[i];
          if (a.filter && a.filter(r) !== true) continue;
          const args = a.args.map((f) => f(r));
          const seen = g.seen[i];
          if (seen) {
            // NULL is one distinct value too: the accumulator decides whether it counts (array_agg keeps it).
            const dk = keyOf(args);
            if (seen.has(dk)) continue;
            seen.add(dk);
          }
          g.accs[i].add(args, 1);
        }
      }
      const out: Row[] = [];
      for (const g of groups.values()) out.push([...g.key, ...g.accs.map((a) => a.result())]);
      return out;
    };
  }

  function buildJoin(p: Extract<RelPlan, { kind: 'Join' }>): BatchRunner {
    const left = build(p.left);
    const right = build(p.right);
    const lk = p.leftKeys.map(compile);
    const rk = p.rightKeys.map(compile);
    const residual = p.residual ? compile(p.residual) : undefined;
    const lw = p.left.fields.length;
    const rw = p.right.fields.length;
    const type = p.joinType;
    const nullSafe = p.nullSafe;
    const keyFor = (fs: Compiled[], r: Row): Key | undefined => {
      if (fs.length === 0) return 0;
      const vals = fs.map((f) => f(r));
      if (vals.some((v, i) => v === null && nullSafe?.[i] !== true)) return undefined;
      return keyOf(vals);
    };
    return () => {
      const lrows = left();
      const rrows = right();
      checkCancel();
      const table = new Map<Key, number[]>();
      for (let i = 0; i < rrows.length; i++) {
        const k = keyFor(rk, rrows[i]);
        if (k === undefined) continue;
        let b = table.get(k);
        if (!b) table.set(k, (b = []));
        b.push(i);
      }
      const rightMatched = type === 'right' || type === 'full' ? new Uint8Array(rrows.length) : undefined;
      const out: Row[] = [];
      const nullsRight = new Array<Value>(rw).fill(null);
      const nullsLeft = new Array<Value>(lw).fill(null);
      let probe = 0;
      for (const l of lrows) {
        // statement_timeout reads the clock: a long probe loop stops within ~64k rows of it.
        if ((++probe & 0xffff) === 0) checkCancel();
        const k = keyFor(lk, l);
        let matched = false;
        const bucket = k === undefined ? undefined : table.get(k);
        if (bucket) {
          for (const ri of bucket) {
            const row = l.concat(rrows[ri]);
            if (residual && residual(row) !== true) continue;
            matched = true;
            if (rightMatched) rightMatched[ri] = 1;
            out.push(row);
            if ((out.length & 0xffff) === 0) {
              if (out.length > MAX_JOIN_ROWS) throw joinTooLarge();
              checkCancel();
            }
          }
        }
        if (!matched && (type === 'left' || type === 'full')) out.push(l.concat(nullsRight));
      }
      if (rightMatched) {
        for (let i = 0; i < rrows.length; i++) if (!rightMatched[i]) out.push(nullsLeft.concat(rrows[i]));
      }
      return out;
    };
  }
}

/**
 * Ad-hoc queries run in memory in the server process; a join whose result would exhaust the heap
 * fails cleanly instead of taking every session down with it.
 */
export const MAX_JOIN_ROWS = 5_000_000;

function joinTooLarge(): SqlError {
  return new SqlError(SqlState.ProgramLimitExceeded, `join result exceeds ${MAX_JOIN_ROWS} rows`, {
    hint: 'Ad-hoc queries are evaluated in memory; add join conditions or filters, or aggregate in a materialized view.',
  });
}

function toCount(v: Value, clause: string): number {
  if (v === null) return clause === 'OFFSET' ? 0 : Number.MAX_SAFE_INTEGER;
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  if (n < 0) {
    throw clause === 'LIMIT'
      ? new SqlError(SqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative')
      : new SqlError(SqlState.InvalidRowCountInResultOffsetClause, 'OFFSET must not be negative');
  }
  return n;
}

export function rowComparator(keys: SortKey[], compile: (e: SortKey['expr']) => Compiled): (a: Row, b: Row) => number {
  const ks = keys.map((k) => ({ f: compile(k.expr), desc: k.desc, nullsFirst: k.nullsFirst, cmp: k.cmp }));
  return (a, b) => {
    for (const k of ks) {
      const x = k.f(a);
      const y = k.f(b);
      if (x === null || y === null) {
        if (x === null && y === null) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = k.cmp(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}
