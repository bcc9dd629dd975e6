/**
 * TimeWindow (TUMBLE / HOP): each change once per window containing the row's time, with
 * window_start and window_end appended. Stateless. A NULL or infinite time has NULL windows.
 *
 *   HOP slide 5 min, size 10 min: ((a, 12:07), +1) -> ((a, 12:07, 12:00, 12:10), +1), ((a, 12:07, 12:05, 12:15), +1)
 */
import type { ChangeBatch } from '../change-batch.js';
import type { Operator } from '../operator.js';
import { hopStarts } from '../../time/windows.js';

export class TimeWindow implements Operator {
  readonly arity = 1;

  constructor(private readonly timeColumn: number, private readonly slide: number, private readonly size: number, private readonly offset: number) {}

  push(_port: number, batch: ChangeBatch): ChangeBatch {
    const out: ChangeBatch = { rows: [], weights: [] };
    const { rows, weights } = batch;
    const { timeColumn, slide, size, offset } = this;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const t = r[timeColumn];
      if (typeof t !== 'number' || !Number.isFinite(t)) {
        out.rows.push([...r, null, null]);
        out.weights.push(weights[i]);
        continue;
      }
      if (slide === size) {
        const s = offset + Math.floor((t - offset) / slide) * slide;
        out.rows.push([...r, s, s + size]);
        out.weights.push(weights[i]);
        continue;
      }
      for (const s of hopStarts(t, slide, size, offset)) {
        out.rows.push([...r, s, s + size]);
        out.weights.push(weights[i]);
      }
    }
    return out;
  }
}
