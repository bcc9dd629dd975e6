/**
 * SessionAggregate against recomputation from scratch: seeded random insert/retract scripts over
 * a few partitions and a small time range (so sessions keep merging and splitting), with WHERE
 * filters, aggregate FILTERs, DISTINCT, NULL times, differently represented partition keys
 * (numeric 1.5 / 1.50) and evaluation errors. After every epoch the accumulated output must equal
 * the batch computation: assignSessions (runtime/batch/time-windows.ts) over all live rows, the
 * filter, then a fresh HashAggregate over the windowed rows. Also: restore from the persisted
 * state in the middle of a script, closing on the watermark, and that a continuously growing
 * session costs O(1) output changes per batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../tests/support/rng.js';
import { FakeStateStore, Multiset, assertSameRows, testCtx, toBatch } from '../../../tests/support/dbsp-harness.js';
import type { Change } from '../../../tests/support/dbsp-harness.js';
import { resolveAggregate } from '../../expr/aggregates/registry.js';
import { Decimal } from '../../sql/decimal.js';
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { T } from '../../sql/types.js';
import type { SqlType } from '../../sql/types.js';
import type { Row, Value } from '../../sql/values.js';
import { assignSessions } from '../../batch/time-windows.js';
import type { Compiled } from '../../expr/compile.js';
import type { CompiledExpr, OperatorContext } from '../operator.js';
import { HashAggregate, type AggregateCall } from './hash-aggregate.js';
import { SessionAggregate } from './session-aggregate.js';
import { SessionWindow } from './session-window.js';

const GAP = 10;
const col = (i: number): CompiledExpr => (r) => r[i];
const call = (name: string, types: SqlType[], args: CompiledExpr[], extra: Partial<AggregateCall> = {}, opts?: Parameters<typeof resolveAggregate>[2]): AggregateCall => {
  const agg = resolveAggregate(name, types, opts);
  assert.ok(agg, name);
  return { agg, args, distinct: false, ...extra };
};
const divByZero = () => new SqlError(SqlState.DivisionByZero, 'division by zero');

/** Input rows: [k (int4 | numeric | NULL), v int4|null, ts (µs) | NULL, s text]. */
const K: Value[] = [0, 1, null, Decimal.fromString('1.5'), Decimal.fromString('1.50')];
const S = ['a', 'b', 'cc'];

/** WHERE v <> 5 (NULL v does not pass); v = 7 raises division by zero. */
const where: CompiledExpr = (r) => {
  if (r[1] === 7) throw divByZero();
  return r[1] === null ? null : r[1] !== 5;
};
/** sum's argument raises for v = 13 (the row is then skipped by the aggregate as a whole). */
const vOrThrow: CompiledExpr = (r) => {
  if (r[1] === 13) throw divByZero();
  return r[1];
};

function calls(): AggregateCall[] {
  return [
    call('count', [], []),
    call('sum', [T.int4], [vOrThrow]),
    call('min', [T.int4], [col(1)]),
    call('max', [T.text], [col(3)]),
    call('count', [T.int4], [col(1)], { distinct: true }),
    call('count', [], [], { filter: (r) => (r[1] === null ? null : (r[1] as number) > 2) }),
    call('string_agg', [T.text, T.text], [col(3), () => ',', col(3)], {}, { orderBy: [{ type: T.text, desc: false, nullsFirst: false }] }),
  ];
}

interface Config {
  name: string;
  filters: CompiledExpr[];
  /** Group keys over the windowed row [k, v, ts, s, window_start, window_end] (reference)... */
  refKeys: CompiledExpr[];
  /** ...and the same over the key row [k, window_start, window_end] (SessionAggregate). */
  keys: CompiledExpr[];
  partitioned: boolean;
}

const CONFIGS: Config[] = [
  { name: 'GROUP BY k, window_start, window_end with WHERE', filters: [where], refKeys: [col(0), col(4), col(5)], keys: [col(0), col(1), col(2)], partitioned: true },
  { name: 'GROUP BY window_end, k (no WHERE)', filters: [], refKeys: [col(5), col(0)], keys: [col(2), col(0)], partitioned: true },
  { name: 'GROUP BY window_start only (one partition)', filters: [where], refKeys: [col(4)], keys: [col(0)], partitioned: false },
];

function makeOp(cfg: Config, watermark?: (ctx: OperatorContext) => number): SessionAggregate {
  return new SessionAggregate({
    timeColumn: 2,
    gap: GAP,
    partitionBy: cfg.partitioned ? [col(0)] : [],
    filters: cfg.filters,
    groupKeys: cfg.keys,
    aggregates: calls(),
    watermark,
  });
}

/** From scratch: sessions over all live rows, the filters, then a HashAggregate in one batch. */
function reference(cfg: Config, live: Multiset): Row[] {
  const rows = live.expand();
  let windowed = assignSessions(rows, 2, GAP, (cfg.partitioned ? [col(0)] : []) as Compiled[]);
  for (const f of cfg.filters) {
    windowed = windowed.filter((r) => {
      try {
        return f(r) === true;
      } catch {
        return false;
      }
    });
  }
  const agg = new HashAggregate({ groupKeys: cfg.refKeys, aggregates: calls() });
  const out = new Multiset();
  out.apply(agg.push(0, toBatch(windowed.map((r) => [r, 1] as Change)), testCtx()));
  return out.expand();
}

function randomRow(rng: Rng, minTime: number): Row {
  const ts = rng.chance(0.05) ? null : minTime + rng.int(0, 150);
  const v = rng.chance(0.1) ? null : rng.pick([1, 2, 3, 5, 7, 9, 13, 20]);
  return [rng.pick(K), v, ts, rng.pick(S)];
}

/**
 * One random script: epochs of inserts (weight 1 or 2) and retractions of live rows, shuffled
 * within the epoch (a retraction may precede its insertion). With `closing`, the watermark moves
 * forward and changes are only made at or after it.
 */
function runScript(cfg: Config, seed: number, opts: { restoreAt?: number; closing?: boolean }): void {
  const rng = new Rng(seed);
  let wm = -Infinity;
  const ctx: OperatorContext = { ...testCtx(), watermark: () => wm };
  const wmFn = opts.closing ? (c: OperatorContext) => c.watermark('ts') : undefined;
  let op = makeOp(cfg, wmFn);
  const store = new FakeStateStore();
  const live = new Multiset();
  const liveRows: Row[] = [];
  const out = new Multiset();
  for (let epoch = 0; epoch < 40; epoch++) {
    const minTime = opts.closing && Number.isFinite(wm) ? wm : 0;
    const changes: Change[] = [];
    const n = rng.int(1, 12);
    for (let i = 0; i < n; i++) {
      if (liveRows.length > 0 && rng.chance(0.35)) {
        const at = rng.int(0, liveRows.length - 1);
        const r = liveRows[at];
        const t = r[2];
        if (opts.closing && typeof t === 'number' && t < wm) continue;
        liveRows.splice(at, 1);
        changes.push([r, -1]);
      } else {
        const r = randomRow(rng, minTime);
        const m = rng.chance(0.2) ? 2 : 1;
        for (let j = 0; j < m; j++) liveRows.push(r);
        changes.push([r, m]);
      }
    }
    for (let i = changes.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [changes[i], changes[j]] = [changes[j], changes[i]];
    }
    live.applyChanges(changes);
    out.apply(op.push(0, toBatch(changes), ctx));
    if (opts.closing && rng.chance(0.5)) {
      const times = liveRows.map((r) => r[2]).filter((t): t is number => typeof t === 'number');
      if (times.length > 0) wm = Math.max(wm, Math.min(...times) + rng.int(0, 40));
    }
    assert.deepEqual(op.advance(ctx), { rows: [], weights: [] });
    store.write(op.takeDirty());
    assertSameRows(out, reference(cfg, live), `${cfg.name}, seed ${seed}, epoch ${epoch}`);
    if (epoch === opts.restoreAt) {
      const restored = makeOp(cfg, wmFn);
      restored.restore(store.entries());
      assert.equal(restored.stateSize(), op.stateSize(), 'restored state size');
      assert.equal(restored.stateBytes(), op.stateBytes(), 'restored state bytes');
      op = restored;
    }
  }
  if (opts.closing) {
    // Once the watermark passes everything, only the NULL-time rows stay in state.
    wm = Infinity;
    op.advance(ctx);
    const nullRows = Multiset.of(liveRows.filter((r) => r[2] === null)).m.size;
    assert.equal(op.stateSize(), nullRows);
    store.write(op.takeDirty());
    assert.equal(store.data.size, nullRows, 'closed sessions are deleted from the persisted state');
  } else {
    assert.equal(op.stateSize(), live.m.size, 'one entry per distinct live row');
    assert.equal(store.data.size, live.m.size);
  }
}

test('SessionAggregate equals sessions + filter + aggregate from scratch after every epoch (merges, splits, FILTER, DISTINCT, NULL times)', () => {
  for (const cfg of CONFIGS) for (let seed = 1; seed <= 25; seed++) runScript(cfg, seed, {});
});

test('SessionAggregate restored from its persisted state mid-way continues identically', () => {
  for (const cfg of CONFIGS) for (let seed = 100; seed <= 115; seed++) runScript(cfg, seed, { restoreAt: seed % 30 });
});

test('SessionAggregate closes sessions on the watermark: state freed, output kept, late changes dropped', () => {
  for (const cfg of CONFIGS) for (let seed = 200; seed <= 215; seed++) runScript(cfg, seed, { closing: true, restoreAt: seed % 2 === 0 ? 20 : undefined });

  let wm = -Infinity;
  const errors: [unknown, Row][] = [];
  const ctx: OperatorContext = { ...testCtx(errors), watermark: () => wm };
  const op = makeOp(CONFIGS[1], (c) => c.watermark('ts'));
  const out = new Multiset();
  out.apply(op.push(0, toBatch([[[0, 1, 100, 'a'], 1], [[0, 2, 105, 'a'], 1], [[0, 3, 200, 'b'], 1]]), ctx));
  wm = 115; // the session [100, 115) is final
  op.advance(ctx);
  assert.equal(op.stateSize(), 1);
  out.apply(op.push(0, toBatch([[[0, 1, 100, 'a'], -1], [[0, 4, 110, 'a'], 1]]), ctx));
  assert.equal(errors.length, 2, 'changes below the watermark are reported and dropped');
  assert.ok(errors.every(([e]) => e instanceof SqlError && /already closed/.test(e.message)));
  const windows = [...out.m.values()].map((x) => [x.row[0], x.row[1], x.n]);
  assert.deepEqual(windows, [[115, 0, 1], [210, 0, 1]], 'the closed session keeps its output row');
});

test('SessionAggregate: a session growing by 20,000 rows emits O(1) changes per batch (no re-emission of its rows)', () => {
  // count and sum only: string_agg's result is O(group size) by nature.
  const op = new SessionAggregate({
    timeColumn: 2, gap: GAP, partitionBy: [col(0)], filters: [where], groupKeys: [col(0), col(1), col(2)],
    aggregates: [call('count', [], []), call('sum', [T.int4], [col(1)])],
  });
  const ctx = testCtx();
  let changes = 0;
  let maxPerBatch = 0;
  const batches = 200;
  for (let b = 0; b < batches; b++) {
    const rows: Change[] = [];
    for (let i = 0; i < 100; i++) {
      const t = (b * 100 + i) * 2; // 2 µs apart, gap 10: one session
      // Slightly out of order, and now and then a retraction of an earlier row.
      rows.push([[1, i % 20, t + (i % 3), S[i % 3]], 1]);
    }
    if (b > 0) rows.push([[1, 0, (b - 1) * 200 + 0, S[0]], -1]);
    const out = op.push(0, toBatch(rows), ctx);
    changes += out.rows.length;
    maxPerBatch = Math.max(maxPerBatch, out.rows.length);
  }
  assert.ok(maxPerBatch <= 2, `at most -old/+new per batch, got ${maxPerBatch}`);
  assert.ok(changes <= 2 * batches);
  assert.equal(op.stateSize(), batches * 100 - (batches - 1));
  // The old SessionWindow re-emits the whole session on growth: the reason for the fused operator.
  const sw = new SessionWindow(2, GAP, [col(0)], () => -Infinity);
  let swChanges = 0;
  for (let b = 0; b < 5; b++) {
    const rows: Change[] = [];
    for (let i = 0; i < 100; i++) rows.push([[1, i, (b * 100 + i) * 2, 'a'], 1]);
    swChanges += sw.push(0, toBatch(rows), ctx).rows.length;
  }
  assert.ok(swChanges > 500, `SessionWindow re-emits (${swChanges})`);
});

test('SessionAggregate and SessionWindow report state bytes from their persisted entries', () => {
  const op = makeOp(CONFIGS[0]);
  const sw = new SessionWindow(2, GAP, [col(0)], () => -Infinity);
  const rows: Change[] = [];
  for (let i = 0; i < 1000; i++) rows.push([[i % 4, i, i * 3, 'abc'], 1]);
  op.push(0, toBatch(rows), testCtx());
  sw.push(0, toBatch(rows), testCtx());
  const sum = (es: { key: string; value: string | null }[]) => es.reduce((n, e) => n + e.key.length + (e.value?.length ?? 0), 0);
  const opBytes = sum(op.takeDirty());
  const swBytes = sum(sw.takeDirty());
  assert.equal(op.stateBytes(), opBytes);
  assert.equal(sw.stateBytes(), swBytes);
  assert.ok(swBytes < 100_000 && opBytes < 100_000, 'bytes are of the order of the rows held, not rows × a partition entry');
});
