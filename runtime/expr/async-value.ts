import type { Value } from '../sql/values.js';

/**
 * A value that is not ready yet (pg_sleep). Only an ad-hoc query's output may hold one; the
 * session awaits it (observing cancel requests meanwhile) before sending the row.
 */
export class AsyncValue {
  constructor(readonly start: (cancelled: () => boolean) => Promise<Value>) {}
}

/** pg_sleep(seconds): waits without blocking the event loop, so other clients and cancel keep working. */
export function sleepValue(seconds: number): Value {
  const ms = Math.max(0, seconds * 1000);
  const v = new AsyncValue(
    (cancelled) =>
      new Promise<Value>((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          if (cancelled()) return reject(new CancelledWhileWaiting());
          const left = ms - (Date.now() - started);
          if (left <= 0) return resolve(null);
          setTimeout(tick, Math.min(left, 20));
        };
        tick();
      }),
  );
  return v as unknown as Value;
}

export class CancelledWhileWaiting extends Error {}

/** Resolves every AsyncValue in the rows in place. */
export async function resolveAsyncValues(rows: Value[][], cancelled: () => boolean): Promise<void> {
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      const v = r[i] as unknown;
      if (v instanceof AsyncValue) r[i] = await v.start(cancelled);
    }
  }
}
