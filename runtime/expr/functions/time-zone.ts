/**
 * ADAPTER for functions taking an explicit time zone (date_trunc(unit, ts, zone), timezone(zone,
 * ts) = AT TIME ZONE, make_timestamptz(..., zone)). runtime/sql/datetime.ts exposes only
 * zoneOffsetForLocal (abbreviations and IANA names, local wall time -> offset); this adds, on top
 * of datetime-parse.ts's zoneFormatter / ianaOffsetAt (the one IANA zone lookup), the
 * UTC -> local direction, PostgreSQL's rules for skipped and repeated local times, and its two
 * readings of numeric zones: POSIX for timezone()/date_trunc() ('+05' is five hours WEST) and
 * ISO for make_timestamptz() ('+05' is five hours east).
 * TODO(value model): move into datetime.ts if it grows a zone API.
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { zoneOffsetForLocal } from '../../sql/datetime.js';
import { ianaOffsetAt, zoneFormatter } from '../../sql/datetime-parse.js';
import type { Interval } from '../../sql/interval.js';

const USECS_PER_SEC = 1_000_000;
const DAY_SECS = 86_400;

/** A time zone; offsets are seconds EAST of UTC. */
export interface Zone {
  /** Offset in effect at a UTC instant. */
  offsetAtUtc(utcMicros: number): number;
  /** Offset for a local wall time (PostgreSQL's choice for skipped/repeated times). */
  offsetAtLocal(localMicros: number): number;
}

function fixed(offsetSec: number): Zone {
  return { offsetAtUtc: () => offsetSec, offsetAtLocal: () => offsetSec };
}

function notRecognized(name: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `time zone "${name}" not recognized`);
}

/** [+-]h[h][:mm[:ss]] or [+-]hhmm[ss] -> seconds, signed as written; null if not numeric. */
function numericOffset(text: string): number | null {
  const m = /^([+-]?)(\d{1,2})(?::?(\d{2})(?::?(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -secs : secs;
}

/** Offset of an IANA zone at a UTC instant (microseconds, clamped to the range Date supports). */
function ianaOffsetAtUtc(f: Intl.DateTimeFormat, utcMicros: number): number {
  const ms = Math.floor(utcMicros / 1000 / 1000) * 1000;
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, ms));
  const offset = ianaOffsetAt(f, clamped);
  // Unchanged behaviour: NaN when the wall time lies beyond what a Date can hold (after 275760).
  return Math.abs(clamped + offset * 1000) > 8.64e15 ? NaN : offset;
}

function iana(f: Intl.DateTimeFormat): Zone {
  const atUtc = (utc: number) => ianaOffsetAtUtc(f, utc);
  return {
    offsetAtUtc: atUtc,
    offsetAtLocal: (local) => {
      const before = atUtc(local - DAY_SECS * USECS_PER_SEC);
      const after = atUtc(local + DAY_SECS * USECS_PER_SEC);
      if (before === after) return before;
      const beforeOk = atUtc(local - before * USECS_PER_SEC) === before;
      const afterOk = atUtc(local - after * USECS_PER_SEC) === after;
      // Repeated time (both valid): the offset after the transition; skipped time: the one before.
      if (afterOk) return after;
      if (beforeOk) return before;
      return before;
    },
  };
}

/** A zone name other than a numeric offset: abbreviation (fixed) or IANA name. */
function namedZone(name: string): Zone {
  const jan = zoneOffsetForLocal(name, Date.UTC(2024, 0, 15) * 1000);
  if (jan === undefined) throw notRecognized(name);
  // Letters-only names that never change offset are abbreviations (EST, CET, UTC) or fixed zones.
  if (/^[A-Za-z]+$/.test(name) && zoneOffsetForLocal(name, Date.UTC(2024, 6, 15) * 1000) === jan) {
    return fixed(jan);
  }
  const f = zoneFormatter(name);
  return f === null ? fixed(jan) : iana(f);
}

/** A zone as timezone(text, ...) and date_trunc(..., text) read it: numeric offsets are POSIX. */
export function resolveZone(name: string): Zone {
  const numeric = numericOffset(name);
  if (numeric !== null) {
    if (Math.abs(numeric) > 168 * 3600) throw notRecognized(name);
    return fixed(-numeric);
  }
  const posix = /^([A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})$/.exec(name);
  if (posix && !zoneFormatter(name)) {
    const off = numericOffset(posix[2]);
    if (off !== null) return fixed(-off);
  }
  return namedZone(name);
}

/** A zone as make_timestamptz reads it: numeric offsets are ISO ('+02' is east) and need a sign. */
export function resolveZoneIso(name: string): Zone {
  if (/^\d/.test(name)) {
    throw new SqlError(SqlState.InvalidParameterValue, `invalid input syntax for type numeric time zone: "${name}"`, {
      hint: 'Numeric time zones must have "-" or "+" as first character.',
    });
  }
  const numeric = /^[+-]/.test(name) ? numericOffset(name) : null;
  if (numeric !== null) {
    if (Math.abs(numeric) > 15 * 3600 + 59 * 60 + 59) {
      throw new SqlError(SqlState.InvalidTimeZoneDisplacementValue, `numeric time zone "${name}" out of range`);
    }
    return fixed(numeric);
  }
  return namedZone(name);
}

/** A zone given as an interval (AT TIME ZONE INTERVAL '2 hours'): hours/minutes/seconds only. */
export function intervalZone(iv: Interval): Zone {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new SqlError(
      SqlState.InvalidParameterValue,
      `interval time zone "${iv.toString()}" must not include months or days`,
    );
  }
  return fixed(Math.trunc(iv.micros / USECS_PER_SEC));
}

export function utcToLocal(zone: Zone, utc: number): number {
  if (!Number.isFinite(utc)) return utc;
  return utc + zone.offsetAtUtc(utc) * USECS_PER_SEC;
}

export function localToUtc(zone: Zone, local: number): number {
  if (!Number.isFinite(local)) return local;
  return local - zone.offsetAtLocal(local) * USECS_PER_SEC;
}
