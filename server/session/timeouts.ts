/**
 * The time-limit settings (statement_timeout, idle_session_timeout,
 * idle_in_transaction_session_timeout) and password_encryption: their values are checked when
 * set and shown the way PostgreSQL shows them.
 *
 *   SET statement_timeout = 200      -> '200ms'      SET statement_timeout = '2s'   -> '2s'
 *   SET statement_timeout = '1.5min' -> '90s'        SET statement_timeout = 'soon' -> 22023
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export const TIMEOUT_SETTINGS = ['statement_timeout', 'idle_session_timeout', 'idle_in_transaction_session_timeout'] as const;

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
/** PostgreSQL stores these as an int of milliseconds. */
const MAX_MS = 2147483647;

function invalid(name: string, value: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${value}"`, { hint });
}

/** Milliseconds of a duration setting; a bare number is milliseconds. Throws 22023. */
export function parseDurationMs(name: string, value: string): number {
  const m = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (m === null) throw invalid(name, value);
  const unit = m[2] === '' ? 'ms' : m[2];
  const factor = UNIT_MS[unit];
  if (factor === undefined) throw invalid(name, value, 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
  const ms = Math.round(Number(m[1]) * factor);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_MS) {
    throw new SqlError(SqlState.InvalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}" (0 .. ${MAX_MS})`);
  }
  return ms;
}

/** How SHOW displays a duration: the largest unit that divides it, as PostgreSQL does. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % f === 0) return `${ms / f}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The stored form of a setting this module knows, or undefined for other settings.
 * Throws 22023 for an invalid value.
 */
export function normalizeSetting(name: string, value: string): string | undefined {
  if ((TIMEOUT_SETTINGS as readonly string[]).includes(name)) return formatDurationMs(parseDurationMs(name, value));
  if (name === 'password_encryption') {
    const v = value.trim().toLowerCase();
    if (v === 'scram-sha-256' || v === 'md5') return v;
    throw invalid(name, value, 'Available values: md5, scram-sha-256.');
  }
  return undefined;
}

/**
 * Settings given in the startup packet's `options` (libpq PGOPTIONS, `-c name=value` or
 * `--name=value`, words separated by spaces, backslash escapes a character).
 */
export function parseStartupOptions(options: string): [string, string][] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const ch = options[i];
    if (ch === '\\' && i + 1 < options.length) {
      cur += options[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    if (w === '-c' && i + 1 < words.length) w = words[++i];
    else if (w.startsWith('-c')) w = w.slice(2);
    else if (w.startsWith('--')) w = w.slice(2);
    else continue;
    const eq = w.indexOf('=');
    if (eq <= 0) continue;
    out.push([w.slice(0, eq).replace(/-/g, '_').toLowerCase(), w.slice(eq + 1)]);
  }
  return out;
}

/**
 * Waits for `work`, polling the statement's cancel signal (a cancel request or statement_timeout):
 * a cancelled wait throws 57014 while the work itself carries on (FLUSH's epochs still commit).
 */
export function awaitCancellable<T>(work: Promise<T>, cancel: { readonly cancelled: boolean }, pollMs = 20): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!cancel.cancelled) return;
      clearInterval(timer);
      reject(new SqlError(SqlState.QueryCanceled, 'canceling statement due to user request'));
    }, pollMs);
    work.then(
      (v) => {
        clearInterval(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearInterval(timer);
        reject(e);
      },
    );
  });
}
