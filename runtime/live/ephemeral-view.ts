/**
 * An ephemeral view: a query's incremental dataflow kept in memory only while someone follows it
 * (SUBSCRIBE (SELECT ...)). It is never persisted and never seen by other sessions. It starts
 * from the current contents of its inputs (one step over their snapshot, read between epochs so
 * it is consistent) and then steps after every committed epoch that changed an input.
 *
 *   const v = startEphemeralView(engine, df, [streamId], onChanges)
 *   v.snapshot   // the query's result at v.epoch, as +1 changes
 *   v.stop()
 */
import type { Engine } from '../engine.js';
import type { ChangeBatch } from '../dataflow/change-batch.js';
import type { Dataflow } from '../dataflow/graph.js';
import type { OperatorContext } from '../dataflow/operator.js';
import type { ChangeListener } from './subscriptions.js';

export interface EphemeralView {
  /** The epoch the snapshot belongs to (the last committed one when the view started). */
  readonly epoch: number;
  /** The query's result at `epoch`. */
  readonly snapshot: ChangeBatch;
  stop(): void;
}

/** `onError`: the query failed in a later epoch (it is stopped; the subscriber should be told). */
export function startEphemeralView(engine: Engine, dataflow: Dataflow, inputs: readonly number[], onChanges: ChangeListener, onError: (e: unknown) => void): EphemeralView {
  const context = (epoch: number): OperatorContext => ({
    epoch,
    // A row the query cannot evaluate is skipped, as in a materialized view (not recorded: nothing is persisted).
    reportRowError: () => {},
    watermark: (k: string) => engine.watermarks.get(k) ?? -Infinity,
    processingTime: Date.now() * 1000,
  });
  const epoch = engine.epoch;
  const initial = new Map<string, ChangeBatch>();
  for (const id of new Set(inputs)) {
    const obj = engine.catalog.getById(id);
    if (obj === undefined) continue;
    const kind = obj.kind === 'mv' ? 'mv' : obj.kind === 'table' ? 'table' : 'stream';
    const rows = [...engine.scan({ kind, objectId: id, name: obj.name })];
    if (rows.length > 0) initial.set(String(id), { rows, weights: rows.map(() => 1) });
  }
  const ctx = context(epoch);
  const first = dataflow.init(ctx);
  const stepped = dataflow.step(initial, ctx);
  dataflow.takeDirty();
  const snapshot: ChangeBatch = { rows: first.rows.concat(stepped.rows), weights: first.weights.concat(stepped.weights) };
  const keys = new Set(inputs.map(String));
  const stop = engine.subscriptions.subscribeEpochs((e, deltas) => {
    let relevant = dataflow.usesWatermarks;
    const sources = new Map<string, ChangeBatch>();
    for (const k of keys) {
      const d = deltas.get(k);
      if (d !== undefined && d.rows.length > 0) {
        sources.set(k, d);
        relevant = true;
      }
    }
    if (!relevant) return;
    let out: ChangeBatch;
    try {
      out = dataflow.step(sources, context(e));
      // Operator state lives in memory only: drop the persistence bookkeeping.
      dataflow.takeDirty();
    } catch (err) {
      stop();
      onError(err);
      return;
    }
    if (out.rows.length > 0) onChanges(e, out);
  });
  return { epoch, snapshot, stop };
}
