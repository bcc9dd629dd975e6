/** Option parsing shared by the datagen and nexmark connectors: every failure is 22023 naming the option. */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { parseTimestamptz } from '../../runtime/sql/datetime-parse.js';
import { parseInterval } from '../../runtime/sql/interval-parse.js';

/** Options every stream accepts whatever its connector (handled by the engine). */
export const STREAM_OPTIONS: readonly string[] = ['connector', 'retention', 'idle_timeout', 'partition_idle_timeout'];

export function bad(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

type Opts = Readonly<Record<string, string>>;

/** A number in [min, max]; `integer` requires a whole number. */
export function parseNumber(o: Opts, key: string, dflt: number, min: number, max: number, integer: boolean): number {
  const raw = o[key];
  if (raw === undefined) return dflt;
  const t = raw.trim();
  const n = t === '' ? NaN : Number(t);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw bad(`invalid value for option "${key}": "${raw}"`, `Expected ${integer ? 'an integer' : 'a number'} between ${min} and ${max}.`);
  }
  return n;
}

export function parseOptionalInt(o: Opts, key: string, min: number): number | undefined {
  if (o[key] === undefined) return undefined;
  return parseNumber(o, key, 0, min, Number.MAX_SAFE_INTEGER, true);
}

/** A timestamp literal (a zone in it is honoured; without one it is UTC), as µs since 1970. */
export function parseTimeOption(key: string, raw: string): number {
  let us: number;
  try {
    us = parseTimestamptz(raw.trim());
  } catch {
    throw bad(`invalid value for option "${key}": "${raw}" is not a timestamp`);
  }
  if (!Number.isFinite(us)) throw bad(`invalid value for option "${key}": "${raw}" is not a finite timestamp`);
  return us;
}

/** An interval without months (e.g. '10 ms', '1 second'), as µs; must be >= 0. */
export function parseDurationOption(key: string, raw: string): number {
  const r = parseInterval(raw.trim());
  if (r === 'syntax' || r === 'range' || r.months !== 0) throw bad(`invalid value for option "${key}": "${raw}"`, "Expected an interval without months or years, e.g. '10 ms' or '1 second'.");
  const us = r.days * 86_400_000_000 + r.micros;
  if (us < 0) throw bad(`invalid value for option "${key}": "${raw}" is negative`);
  return us;
}
