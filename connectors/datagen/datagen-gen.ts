/**
 * The datagen row generator: compiles the WITH options of a stream into one value generator per
 * column and produces row i as a pure function of (seed, i) (except `wall_clock` columns, which
 * read the clock). See source.ts for the option reference.
 */
import type { CatalogObject, ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { TypeId, type SqlType } from '../../runtime/sql/types.js';
import { Decimal, numericTypmodPrecision, numericTypmodScale } from '../../runtime/sql/decimal.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { Prng } from './prng.js';
import { bad, parseDurationOption, parseNumber, parseOptionalInt, parseTimeOption, STREAM_OPTIONS } from './options.js';

export const DATAGEN_OPTIONS: readonly string[] = [...STREAM_OPTIONS, 'rows_per_second', 'max_rows', 'seed', 'event_time.start', 'event_time.step'];
export const FIELD_ATTRS: readonly string[] = ['kind', 'start', 'end', 'step', 'choices', 'length', 'null_rate'];
export const KINDS = ['sequence', 'random', 'event_time', 'wall_clock'] as const;
export type Kind = (typeof KINDS)[number];

const DEFAULT_TIME_START = '2024-01-01 00:00:00+00';
const DEFAULT_TIME_END = '2025-01-01 00:00:00+00';
const US_PER_DAY = 86_400_000_000;

export interface DatagenConfig {
  ratePerSecond: number;
  maxRows: number | undefined;
  seed: number;
  columns: ColumnGen[];
}

/** Makes the value of one column for a row; `rng` is the row's PRNG (columns draw in order). */
type ColumnGen = (row: number, rng: Prng, nowUs: number) => Value;

type Opts = Readonly<Record<string, string>>;

export function parseDatagen(stream: CatalogObject): DatagenConfig {
  const o = stream.options;
  const byName = new Map(stream.columns.map((c) => [c.name.toLowerCase(), c]));
  for (const k of Object.keys(o)) {
    if (DATAGEN_OPTIONS.includes(k)) continue;
    const m = /^fields\.(.+)\.([a-z_]+)$/.exec(k);
    if (m) {
      if (!byName.has(m[1])) throw bad(`option "${k}" names column "${m[1]}", which stream "${stream.name}" does not have`);
      if (!FIELD_ATTRS.includes(m[2])) throw bad(`unrecognized option "${k}" for the datagen connector`, `Column options are fields.<column>.{${FIELD_ATTRS.join(', ')}}.`);
      continue;
    }
    throw bad(`unrecognized option "${k}" for the datagen connector`, `Valid options: ${DATAGEN_OPTIONS.filter((x) => x !== 'connector').join(', ')}, fields.<column>.{${FIELD_ATTRS.join(', ')}}.`);
  }
  const ratePerSecond = parseNumber(o, 'rows_per_second', 1000, 0.001, 10_000_000, false);
  const maxRows = parseOptionalInt(o, 'max_rows', 0);
  const seed = parseNumber(o, 'seed', 0, 0, Number.MAX_SAFE_INTEGER, true);
  if (stream.columns.length === 0) throw bad(`stream "${stream.name}" has no columns to generate`);
  const eventTimeCol = stream.eventTime?.column;
  const columns = stream.columns.map((c, i) => columnGen(o, c, i === eventTimeCol, ratePerSecond));
  return { ratePerSecond, maxRows, seed, columns };
}

/** Row `i` of the stream (pure in seed and i, except wall_clock columns). */
export function datagenRow(cfg: DatagenConfig, i: number, nowUs: number): Row {
  const rng = new Prng(cfg.seed, i);
  const row: Row = new Array<Value>(cfg.columns.length);
  for (let c = 0; c < cfg.columns.length; c++) row[c] = cfg.columns[c](i, rng, nowUs);
  return row;
}

function isInt(t: SqlType): boolean {
  return t.id === TypeId.Int2 || t.id === TypeId.Int4 || t.id === TypeId.Int8;
}
function isFloat(t: SqlType): boolean {
  return t.id === TypeId.Float4 || t.id === TypeId.Float8;
}
function isText(t: SqlType): boolean {
  return t.id === TypeId.Text || t.id === TypeId.Varchar || t.id === TypeId.Bpchar;
}
function isTime(t: SqlType): boolean {
  return t.id === TypeId.Timestamp || t.id === TypeId.Timestamptz;
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

function columnGen(o: Opts, col: ColumnSchema, isEventTime: boolean, rate: number): ColumnGen {
  const name = col.name.toLowerCase();
  const key = (a: string) => `fields.${name}.${a}`;
  const get = (a: string): string | undefined => o[key(a)];
  const t = col.type;
  const supported = isInt(t) || isFloat(t) || isText(t) || isTime(t) || t.id === TypeId.Numeric || t.id === TypeId.Bool || t.id === TypeId.Date;
  if (!supported) throw new SqlError(SqlState.FeatureNotSupported, `the datagen connector cannot generate column "${col.name}" of type ${t.id}`);

  const kindRaw = get('kind');
  let kind: Kind;
  if (kindRaw !== undefined) {
    const k = kindRaw.trim().toLowerCase();
    if (!(KINDS as readonly string[]).includes(k)) throw bad(`invalid value for option "${key('kind')}": "${kindRaw}"`, `Expected one of ${KINDS.join(', ')}.`);
    kind = k as Kind;
  } else kind = isEventTime && (isTime(t) || t.id === TypeId.Date) ? 'wall_clock' : 'random';

  const allowed: Record<Kind, string[]> = {
    sequence: ['kind', 'start', 'end', 'null_rate'],
    random: ['kind', 'start', 'end', 'choices', 'length', 'null_rate'],
    event_time: ['kind', 'start', 'step', 'null_rate'],
    wall_clock: ['kind', 'null_rate'],
  };
  for (const a of FIELD_ATTRS) {
    if (get(a) !== undefined && !allowed[kind].includes(a)) throw bad(`option "${key(a)}" does not apply to a column of kind ${kind}`);
  }
  const nullRate = parseNumber(o, key('null_rate'), 0, 0, 1, false);
  if (nullRate > 0 && col.notNull) throw bad(`option "${key('null_rate')}": column "${col.name}" is NOT NULL`);

  let gen: ColumnGen;
  switch (kind) {
    case 'sequence':
      gen = sequenceGen(o, col, key);
      break;
    case 'random':
      gen = randomGen(o, col, key);
      break;
    case 'event_time': {
      if (!isTime(t)) throw bad(`option "${key('kind')}": event_time needs a timestamp column, "${col.name}" is ${t.id}`);
      const startRaw = get('start') ?? o['event_time.start'] ?? DEFAULT_TIME_START;
      const start = parseTimeOption(get('start') !== undefined ? key('start') : 'event_time.start', startRaw);
      const stepKey = get('step') !== undefined ? key('step') : 'event_time.step';
      const stepRaw = get('step') ?? o['event_time.step'];
      // Default step: event time advances at the generation rate (whole µs).
      const step = stepRaw === undefined ? Math.max(1, Math.round(1e6 / rate)) : parseDurationOption(stepKey, stepRaw);
      gen = (i) => start + i * step;
      break;
    }
    case 'wall_clock':
      if (isTime(t)) gen = (_i, _r, now) => Math.floor(now / 1000) * 1000;
      else if (t.id === TypeId.Date) gen = (_i, _r, now) => Math.floor(now / US_PER_DAY);
      else throw bad(`option "${key('kind')}": wall_clock needs a timestamp or date column, "${col.name}" is ${t.id}`);
      break;
  }
  if (nullRate === 0) return gen;
  return (i, rng, now) => (rng.next() < nullRate ? null : gen(i, rng, now));
}

function parseBig(k: string, raw: string): bigint {
  const s = raw.trim();
  if (!/^[+-]?\d+$/.test(s)) throw bad(`invalid value for option "${k}": "${raw}" is not an integer`);
  return BigInt(s);
}

function parseFloatOpt(k: string, raw: string): number {
  const n = raw.trim() === '' ? NaN : Number(raw.trim());
  if (!Number.isFinite(n)) throw bad(`invalid value for option "${k}": "${raw}" is not a number`);
  return n;
}

function numericScale(t: SqlType): number {
  return t.typmod >= 0 ? numericTypmodScale(t.typmod) : 2;
}

function intValue(t: SqlType, v: bigint): Value {
  return t.id === TypeId.Int8 ? v : Number(v);
}

function checkIntRange(k: string, t: SqlType, v: bigint): bigint {
  const [lo, hi] = INT_RANGE[t.id];
  if (v < lo || v > hi) throw bad(`invalid value for option "${k}": ${v} is out of range for ${t.id}`);
  return v;
}

function sequenceGen(o: Opts, col: ColumnSchema, key: (a: string) => string): ColumnGen {
  const t = col.type;
  const startRaw = o[key('start')];
  const endRaw = o[key('end')];
  if (isInt(t) || t.id === TypeId.Numeric || isText(t)) {
    const start = startRaw === undefined ? 1n : parseBig(key('start'), startRaw);
    const end = endRaw === undefined ? undefined : parseBig(key('end'), endRaw);
    if (end !== undefined && end < start) throw bad(`option "${key('end')}" (${end}) is below "${key('start')}" (${start})`);
    if (isInt(t)) {
      checkIntRange(key('start'), t, start);
      if (end !== undefined) checkIntRange(key('end'), t, end);
    }
    const span = end === undefined ? undefined : end - start + 1n;
    const [, hi] = isInt(t) ? INT_RANGE[t.id] : [0n, 0n];
    const value = (i: number): bigint => {
      const v = span === undefined ? start + BigInt(i) : start + (BigInt(i) % span);
      return v;
    };
    if (isInt(t)) {
      return (i) => {
        const v = value(i);
        if (v > hi) throw new SqlError(SqlState.NumericValueOutOfRange, `datagen sequence for column "${col.name}" overflows ${t.id} at row ${i}`);
        return intValue(t, v);
      };
    }
    if (t.id === TypeId.Numeric) return (i) => Decimal.of(value(i), 0);
    return (i) => String(value(i));
  }
  if (isFloat(t)) {
    const start = startRaw === undefined ? 1 : parseFloatOpt(key('start'), startRaw);
    const end = endRaw === undefined ? undefined : parseFloatOpt(key('end'), endRaw);
    if (end !== undefined && end < start) throw bad(`option "${key('end')}" is below "${key('start')}"`);
    const span = end === undefined ? undefined : Math.floor(end - start) + 1;
    return (i) => start + (span === undefined ? i : i % span);
  }
  if (t.id === TypeId.Date) {
    const start = startRaw === undefined ? Math.floor(parseTimeOption(key('start'), DEFAULT_TIME_START) / US_PER_DAY) : Math.floor(parseTimeOption(key('start'), startRaw) / US_PER_DAY);
    return (i) => start + i;
  }
  throw bad(`option "${key('kind')}": sequence needs a numeric, text or date column, "${col.name}" is ${t.id}${isTime(t) ? ' (use kind = event_time)' : ''}`);
}

function parseChoice(k: string, t: SqlType, raw: string): Value {
  const s = raw.trim();
  if (isInt(t)) return intValue(t, checkIntRange(k, t, parseBig(k, s)));
  if (isFloat(t)) return parseFloatOpt(k, s);
  if (t.id === TypeId.Numeric) {
    try {
      return Decimal.fromString(s);
    } catch {
      throw bad(`invalid value for option "${k}": "${s}" is not a number`);
    }
  }
  if (t.id === TypeId.Bool) {
    const l = s.toLowerCase();
    if (l === 'true' || l === 't') return true;
    if (l === 'false' || l === 'f') return false;
    throw bad(`invalid value for option "${k}": "${s}" is not a boolean`);
  }
  if (isTime(t)) return parseTimeOption(k, s);
  if (t.id === TypeId.Date) return Math.floor(parseTimeOption(k, s) / US_PER_DAY);
  if (t.typmod >= 0 && s.length > t.typmod) throw bad(`invalid value for option "${k}": "${s}" is longer than ${t.id}(${t.typmod})`);
  return s;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function randomGen(o: Opts, col: ColumnSchema, key: (a: string) => string): ColumnGen {
  const t = col.type;
  const startRaw = o[key('start')];
  const endRaw = o[key('end')];
  const choicesRaw = o[key('choices')];
  if (choicesRaw !== undefined) {
    if (startRaw !== undefined || endRaw !== undefined || o[key('length')] !== undefined) throw bad(`option "${key('choices')}" cannot be combined with start, end or length`);
    const parts = choicesRaw.split(',');
    if (choicesRaw.trim() === '' || parts.length === 0) throw bad(`option "${key('choices')}" is empty`);
    const values = parts.map((p) => parseChoice(key('choices'), t, p));
    return (_i, rng) => values[rng.int(values.length)];
  }
  if (o[key('length')] !== undefined && !isText(t)) throw bad(`option "${key('length')}" applies to text columns only`);
  if (isText(t)) {
    if (startRaw !== undefined || endRaw !== undefined) throw bad(`options "${key('start')}"/"${key('end')}" do not apply to random text (use length or choices)`);
    const max = t.typmod >= 0 ? t.typmod : 1_000_000;
    // bpchar(n) values are always n characters; varchar(n) at most n.
    const length = parseNumber(o, key('length'), t.id === TypeId.Bpchar && t.typmod >= 0 ? t.typmod : Math.min(10, max), 0, max, true);
    return (_i, rng) => {
      let s = '';
      for (let k = 0; k < length; k++) s += LETTERS[rng.int(26)];
      return s;
    };
  }
  if (t.id === TypeId.Bool) {
    if (startRaw !== undefined || endRaw !== undefined) throw bad(`options "${key('start')}"/"${key('end')}" do not apply to a boolean column`);
    return (_i, rng) => rng.next() < 0.5;
  }
  if (isInt(t)) {
    const hi = INT_RANGE[t.id][1];
    const start = startRaw === undefined ? 0n : checkIntRange(key('start'), t, parseBig(key('start'), startRaw));
    const end = endRaw === undefined ? hi : checkIntRange(key('end'), t, parseBig(key('end'), endRaw));
    if (end < start) throw bad(`option "${key('end')}" (${end}) is below "${key('start')}" (${start})`);
    const span = end - start + 1n;
    if (span <= 9007199254740992n) {
      const s = Number(start);
      const n = Number(span);
      return t.id === TypeId.Int8 ? (_i, rng) => start + BigInt(rng.int(n)) : (_i, rng) => s + rng.int(n);
    }
    return (_i, rng) => intValue(t, start + rng.bigint(span));
  }
  if (isFloat(t)) {
    const start = startRaw === undefined ? 0 : parseFloatOpt(key('start'), startRaw);
    const end = endRaw === undefined ? 1 : parseFloatOpt(key('end'), endRaw);
    if (end < start) throw bad(`option "${key('end')}" is below "${key('start')}"`);
    return t.id === TypeId.Float4 ? (_i, rng) => Math.fround(start + rng.next() * (end - start)) : (_i, rng) => start + rng.next() * (end - start);
  }
  if (t.id === TypeId.Numeric) {
    const scale = numericScale(t);
    const f = 10n ** BigInt(scale);
    const toCoef = (k: string, raw: string): bigint => {
      let d: Decimal;
      try {
        d = Decimal.fromString(raw.trim());
      } catch {
        throw bad(`invalid value for option "${k}": "${raw}" is not a number`);
      }
      const n = Number(d.toString());
      if (!Number.isFinite(n)) throw bad(`invalid value for option "${k}": "${raw}" is not a finite number`);
      return BigInt(Math.round(n * Number(f)));
    };
    // numeric(p, s): |coefficient| < 10^p
    const maxCoef = t.typmod >= 0 ? 10n ** BigInt(numericTypmodPrecision(t.typmod)) - 1n : undefined;
    const inRange = (k: string, c: bigint): bigint => {
      if (maxCoef !== undefined && (c > maxCoef || c < -maxCoef)) throw bad(`invalid value for option "${k}": out of range for numeric(${numericTypmodPrecision(t.typmod)}, ${scale})`);
      return c;
    };
    const start = startRaw === undefined ? 0n : inRange(key('start'), toCoef(key('start'), startRaw));
    const dfltEnd = maxCoef !== undefined && maxCoef < 1000n * f ? maxCoef : 1000n * f;
    const end = endRaw === undefined ? dfltEnd : inRange(key('end'), toCoef(key('end'), endRaw));
    if (end < start) throw bad(`option "${key('end')}" is below "${key('start')}"`);
    const span = end - start + 1n;
    return (_i, rng) => Decimal.of(start + rng.bigint(span), scale);
  }
  // timestamps and dates: uniform over [start, end), whole milliseconds (timestamps) or days
  const start = parseTimeOption(key('start'), startRaw ?? DEFAULT_TIME_START);
  const end = parseTimeOption(key('end'), endRaw ?? DEFAULT_TIME_END);
  if (end <= start) throw bad(`option "${key('end')}" must be after "${key('start')}"`);
  if (t.id === TypeId.Date) {
    const d0 = Math.floor(start / US_PER_DAY);
    const days = Math.max(1, Math.floor(end / US_PER_DAY) - d0);
    return (_i, rng) => d0 + rng.int(days);
  }
  const ms0 = Math.ceil(start / 1000);
  const spanMs = Math.max(1, Math.floor(end / 1000) - ms0);
  return (_i, rng) => (ms0 + rng.int(spanMs)) * 1000;
}
