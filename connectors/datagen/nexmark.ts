/**
 * connector = 'nexmark': the Nexmark person, auction or bid stream (/work/shared/peer/nexmark/SPEC.md).
 *
 *   table                    person | auction | bid (required)
 *   events_per_second        wall-clock emission rate of the whole event sequence (default 10 000;
 *                            a bid stream gets 46/50 of it as rows, auction 3/50, person 1/50)
 *   event_rate               event-time rate, events per second (the spec's firstEventRate,
 *                            default 10 000): event n has date_time = base_time + floor(n * 1e6 / event_rate µs) in ms
 *   base_time                event time of event 0 (default 2015-07-15 00:00:00 UTC, as RisingWave)
 *   max_events               stop after this many events of the global sequence (default: never)
 *   seed                     integer (default 0)
 *   out_of_order_group_size  the spec's outOfOrderGroupSize (default 1, in order)
 *
 * The stream must declare exactly the columns of its table, in any order (names as RisingWave:
 * BIGINT columns as BIGINT, VARCHAR as TEXT/VARCHAR, TIMESTAMP as TIMESTAMP/TIMESTAMPTZ).
 * Every table walks the same global event sequence and keeps only its kind, so person, auction and
 * bid streams with the same seed and options agree (bids name auctions and persons that exist, up
 * to the spec's 10-id lead). The position is the next event number ({"events": n}).
 */
import type { CatalogObject } from '../../runtime/catalog/catalog.js';
import type { RunningSource, SourceConnector, SourceContext } from '../../runtime/connector/source.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { TypeId, type SqlType } from '../../runtime/sql/types.js';
import { NEXMARK_BASE_TIME_MS, NEXMARK_COLUMNS, NEXMARK_TABLES, NexmarkGenerator, type NexmarkColType, type NexmarkConfig, type NexmarkTable } from './nexmark-gen.js';
import { bad, parseNumber, parseOptionalInt, parseTimeOption, STREAM_OPTIONS } from './options.js';
import { PacedSource } from './pacing.js';

export const NEXMARK_OPTIONS: readonly string[] = [...STREAM_OPTIONS, 'table', 'events_per_second', 'event_rate', 'base_time', 'max_events', 'seed', 'out_of_order_group_size'];

export interface NexmarkSourceConfig {
  table: NexmarkTable;
  ratePerSecond: number;
  maxEvents: number | undefined;
  gen: NexmarkConfig;
  /** For each stream column, its index among the table's canonical columns. */
  map: number[];
}

function compatible(want: NexmarkColType, t: SqlType): boolean {
  switch (want) {
    case 'BIGINT':
      return t.id === TypeId.Int8;
    case 'VARCHAR':
      return (t.id === TypeId.Text || t.id === TypeId.Varchar) && t.typmod < 0;
    case 'TIMESTAMP':
      return t.id === TypeId.Timestamp || t.id === TypeId.Timestamptz;
  }
}

export function parseNexmark(stream: CatalogObject): NexmarkSourceConfig {
  const o = stream.options;
  for (const k of Object.keys(o)) {
    if (!NEXMARK_OPTIONS.includes(k)) throw bad(`unrecognized option "${k}" for the nexmark connector`, `Valid options: ${NEXMARK_OPTIONS.filter((x) => x !== 'connector').join(', ')}.`);
  }
  const tableRaw = o.table;
  if (tableRaw === undefined) throw bad('the nexmark connector needs option "table"', `One of ${NEXMARK_TABLES.join(', ')}.`);
  const table = tableRaw.trim().toLowerCase() as NexmarkTable;
  if (!NEXMARK_TABLES.includes(table)) throw bad(`invalid value for option "table": "${tableRaw}"`, `Expected one of ${NEXMARK_TABLES.join(', ')}.`);
  const ratePerSecond = parseNumber(o, 'events_per_second', 10_000, 0.001, 100_000_000, false);
  const eventRate = parseNumber(o, 'event_rate', 10_000, 0.001, 1_000_000_000, false);
  const baseTimeMs = o.base_time === undefined ? NEXMARK_BASE_TIME_MS : Math.floor(parseTimeOption('base_time', o.base_time) / 1000);
  const maxEvents = parseOptionalInt(o, 'max_events', 0);
  const seed = parseNumber(o, 'seed', 0, 0, Number.MAX_SAFE_INTEGER, true);
  const outOfOrderGroupSize = parseNumber(o, 'out_of_order_group_size', 1, 1, 1_000_000, true);

  const cols = NEXMARK_COLUMNS[table];
  const expected = `(${cols.map((c) => `${c.name} ${c.type}`).join(', ')})`;
  const mismatch = (what: string) =>
    bad(`stream "${stream.name}" does not match Nexmark table "${table}": ${what}`, `A nexmark ${table} stream declares exactly the columns ${expected}, in any order.`);
  const map: number[] = [];
  for (const c of stream.columns) {
    const idx = cols.findIndex((x) => x.name === c.name.toLowerCase());
    if (idx < 0) throw mismatch(`unexpected column "${c.name}"`);
    if (map.includes(idx)) throw mismatch(`column "${c.name}" appears twice`);
    if (!compatible(cols[idx].type, c.type)) throw mismatch(`column "${c.name}" has type ${c.type.id}, expected ${cols[idx].type}`);
    map.push(idx);
  }
  const missing = cols.filter((_c, i) => !map.includes(i)).map((c) => c.name);
  if (missing.length > 0) throw mismatch(`missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`);
  return { table, ratePerSecond, maxEvents, gen: { seed, eventRate, baseTimeMs, outOfOrderGroupSize }, map };
}

export const nexmarkSource: SourceConnector = {
  name: 'nexmark',
  async validate(stream: CatalogObject): Promise<void> {
    parseNexmark(stream);
  },
  start(ctx: SourceContext): RunningSource {
    const cfg = parseNexmark(ctx.stream);
    const gen = new NexmarkGenerator(cfg.gen);
    const pos = ctx.position as { events?: unknown } | undefined | null;
    const start = pos !== null && typeof pos === 'object' && typeof pos.events === 'number' && Number.isSafeInteger(pos.events) && pos.events >= 0 ? pos.events : 0;
    const { table, map } = cfg;
    return new PacedSource(ctx, {
      ratePerSecond: cfg.ratePerSecond,
      start,
      limit: cfg.maxEvents ?? Infinity,
      unit: 'events',
      position: (next) => ({ events: next }),
      produce(from, to) {
        const rows: Row[] = [];
        for (let n = from; n < to; n++) {
          if (gen.kindAt(n) !== table) continue;
          const canon = gen.row(table, n);
          const row = new Array<Value>(map.length);
          for (let i = 0; i < map.length; i++) row[i] = canon[map[i]];
          rows.push(row);
        }
        return rows;
      },
    });
  },
};
