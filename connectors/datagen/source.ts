/**
 * connector = 'datagen': generates rows for any stream from its column types and WITH options.
 *
 *   rows_per_second      wall-clock rate (default 1000; 0.001 .. 10 000 000), produced in batches every 100 ms
 *   max_rows             stop after this many rows (default: never)
 *   seed                 integer (default 0); row i depends only on (seed, i)
 *   event_time.start     default start of event_time columns (timestamp, default 2024-01-01 00:00:00+00)
 *   event_time.step      default step of event_time columns (interval, default 1 s / rows_per_second)
 *   fields.<col>.kind    sequence | random | event_time | wall_clock. Default: wall_clock for the
 *                        stream's WATERMARK column, random for every other column
 *   fields.<col>.start / end
 *                        sequence: first value (default 1) and optional last, after which it wraps
 *                        to start (integers, numeric, text (the number as text), float; date: start only).
 *                        random: inclusive range for numbers (default 0 .. type max; float 0 .. 1;
 *                        numeric 0 .. 1000), [start, end) for timestamps/dates (default 2024)
 *                        event_time: start = the first row's timestamp
 *   fields.<col>.step    event_time: interval between consecutive rows (e.g. '10 ms')
 *   fields.<col>.choices random: comma-separated values of the column's type, picked uniformly
 *   fields.<col>.length  random text: length (default 10, or the varchar limit if smaller), a-z
 *   fields.<col>.null_rate  probability of NULL, 0 .. 1 (default 0)
 *
 * Determinism and exactly-once: the position is the number of rows generated ({"rows": n}); row
 * i is a function of (seed, i) only (wall_clock columns excepted), so after a crash the source
 * regenerates from the committed count: nothing lost, nothing twice.
 */
import type { CatalogObject } from '../../runtime/catalog/catalog.js';
import type { RunningSource, SourceConnector, SourceContext } from '../../runtime/connector/source.js';
import type { Row } from '../../runtime/sql/values.js';
import { datagenRow, parseDatagen } from './datagen-gen.js';
import { PacedSource } from './pacing.js';

export const datagenSource: SourceConnector = {
  name: 'datagen',
  async validate(stream: CatalogObject): Promise<void> {
    parseDatagen(stream);
  },
  start(ctx: SourceContext): RunningSource {
    const cfg = parseDatagen(ctx.stream);
    const pos = ctx.position as { rows?: unknown } | undefined | null;
    const start = pos !== null && typeof pos === 'object' && typeof pos.rows === 'number' && Number.isSafeInteger(pos.rows) && pos.rows >= 0 ? pos.rows : 0;
    return new PacedSource(ctx, {
      ratePerSecond: cfg.ratePerSecond,
      start,
      limit: cfg.maxRows ?? Infinity,
      unit: 'rows',
      position: (next) => ({ rows: next }),
      produce(from, to) {
        const now = Date.now() * 1000;
        const rows: Row[] = [];
        for (let i = from; i < to; i++) rows.push(datagenRow(cfg, i, now));
        return rows;
      },
    });
  },
};
