/** Option values shared by every connector's WITH (...) list; a bad value is 22023 naming the option. */
import { SqlError } from '../runtime/sql/errors.js';
import { SqlState } from '../runtime/sql/sqlstate.js';

function bad(message: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message);
}

/** 'true' | 'on' | '1' and 'false' | 'off' | '0'; absent: dflt. */
export function parseBool(options: Readonly<Record<string, string>>, key: string, dflt: boolean): boolean {
  const v = options[key];
  if (v === undefined) return dflt;
  const l = v.trim().toLowerCase();
  if (l === 'true' || l === 'on' || l === '1') return true;
  if (l === 'false' || l === 'off' || l === '0') return false;
  throw bad(`option "${key}" must be true or false, not "${v}"`);
}

/** A duration like '30 seconds', '500 ms', '2 minutes' or a plain number of ms; absent: dflt. */
export function parseMs(options: Readonly<Record<string, string>>, key: string, dflt: number): number {
  const v = options[key];
  if (v === undefined) return dflt;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?)?$/.exec(v.trim().toLowerCase());
  if (m === null) throw bad(`option "${key}" must be a duration like '30 seconds', not "${v}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' || unit.startsWith('mil') ? n : unit.startsWith('m') ? n * 60_000 : n * 1000);
}
