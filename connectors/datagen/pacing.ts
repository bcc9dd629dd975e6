/**
 * The wall-clock loop shared by the datagen and nexmark sources. Work is counted in "units" (rows
 * for datagen, events of the global sequence for Nexmark); the position is the next unit. Every
 * tick (100 ms) the loop produces the units that are due at `ratePerSecond` since it started, in
 * pushes of at most `chunk` units, and awaits each push (backpressure). A loop that falls more
 * than a second behind (a slow engine) forgets the excess backlog instead of bursting.
 */
import type { RunningSource, SourceContext } from '../../runtime/connector/source.js';
import type { JsonValue, Row } from '../../runtime/sql/values.js';

export const TICK_MS = 100;
const MAX_CHUNK = 10_000;

export interface PacedWork {
  ratePerSecond: number;
  /** First unit to produce (from the committed position). */
  start: number;
  /** Stop before this unit (Infinity: never). */
  limit: number;
  /** Rows of units [from, to). */
  produce(from: number, to: number): Row[];
  position(next: number): JsonValue;
  /** For the status message, e.g. "rows". */
  unit: string;
}

export class PacedSource implements RunningSource {
  private stopRequested = false;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly ctx: SourceContext, private readonly work: PacedWork) {
    this.done = this.loop().catch((e: unknown) => {
      if (this.stopped) return;
      const message = e instanceof Error ? e.message : String(e);
      ctx.log.error({ stream: ctx.stream.name, err: message }, 'generator failed');
      ctx.setStatus({ state: 'failed', message });
    });
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake?.();
    await this.done;
  }

  private get stopped(): boolean {
    return this.stopRequested || this.ctx.stopped;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    const w = this.work;
    const rate = w.ratePerSecond;
    const chunk = Math.max(1, Math.min(MAX_CHUNK, Math.ceil((rate * TICK_MS) / 1000)));
    let next = w.start;
    let base = next;
    let t0 = Date.now();
    this.ctx.setStatus({ state: 'running' });
    while (!this.stopped && next < w.limit) {
      let due = base + Math.floor((rate * (Date.now() - t0)) / 1000);
      const backlog = Math.max(rate, chunk);
      if (due - next > backlog) {
        base = next;
        t0 = Date.now() - Math.floor((backlog * 1000) / rate);
        due = next + backlog;
      }
      const target = Math.min(due, w.limit);
      if (target <= next) {
        await this.sleep(TICK_MS);
        continue;
      }
      while (next < target && !this.stopped) {
        const to = Math.min(target, next + chunk);
        const rows = w.produce(next, to);
        if (rows.length > 0) {
          try {
            await this.ctx.push({ rows, position: w.position(to) });
          } catch (e) {
            if (this.stopped) return;
            throw e;
          }
        }
        next = to;
      }
    }
    if (!this.stopped && next >= w.limit) this.ctx.setStatus({ state: 'running', message: `finished: all ${w.limit} ${w.unit} generated` });
  }
}
