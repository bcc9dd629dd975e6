/**
 * SubscriptionHub: who follows committed changes (SUBSCRIBE, server-sent events). The engine
 * publishes each epoch's per-object changes right after the epoch's SQLite commit; listeners run
 * synchronously and must only buffer (they are never awaited, so a slow client cannot stall the
 * engine). A listener that throws is dropped, never the epoch.
 *
 *   const off = hub.subscribe(7, (epoch, changes) => buffer.push(...))
 *   hub.publish(12, deltas)   // calls the listener with deltas.get('7') if object 7 changed
 *   off()
 */
import type { ChangeBatch } from '../dataflow/change-batch.js';

/** One object's committed changes of one epoch. The batch is shared: never mutate it. */
export type ChangeListener = (epoch: number, changes: ChangeBatch) => void;

/** Every object's committed changes of one epoch (keyed by catalog id as string). */
export type EpochListener = (epoch: number, deltas: ReadonlyMap<string, ChangeBatch>) => void;

export class SubscriptionHub {
  private readonly byObject = new Map<string, Set<ChangeListener>>();
  private readonly everything = new Set<EpochListener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  /** Follows one object's changes from the next committed epoch on; returns the unsubscribe function. */
  subscribe(objectId: number, listener: ChangeListener): () => void {
    const k = String(objectId);
    let set = this.byObject.get(k);
    if (set === undefined) this.byObject.set(k, (set = new Set()));
    set.add(listener);
    return () => {
      const s = this.byObject.get(k);
      if (s === undefined) return;
      s.delete(listener);
      if (s.size === 0) this.byObject.delete(k);
    };
  }

  /** Follows every epoch (an ephemeral dataflow filters its own inputs). */
  subscribeEpochs(listener: EpochListener): () => void {
    this.everything.add(listener);
    return () => this.everything.delete(listener);
  }

  /** How many listeners are registered (tests check that disconnects leave none behind). */
  get size(): number {
    let n = this.everything.size;
    for (const s of this.byObject.values()) n += s.size;
    return n;
  }

  /** Called by the engine after an epoch committed. */
  publish(epoch: number, deltas: ReadonlyMap<string, ChangeBatch>): void {
    if (this.byObject.size > 0) {
      for (const [k, batch] of deltas) {
        if (batch.rows.length === 0) continue;
        const set = this.byObject.get(k);
        if (set === undefined) continue;
        for (const l of [...set]) {
          try {
            l(epoch, batch);
          } catch (e) {
            set.delete(l);
            this.onListenerError(e);
          }
        }
      }
    }
    for (const l of [...this.everything]) {
      try {
        l(epoch, deltas);
      } catch (e) {
        this.everything.delete(l);
        this.onListenerError(e);
      }
    }
  }
}
