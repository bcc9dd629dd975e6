/**
 * ADAPTER over runtime/sql/datetime.ts for functions taking an explicit time zone
 * (date_trunc(unit, ts, zone), timezone(zone, ts) = AT TIME ZONE). datetime.ts exposes only
 * zoneOffsetForLocal (local wall time -> offset); this adds PostgreSQL's POSIX-style numeric zones
 * ('+05' and 'UTC+3' mean 5 and 3 hours WEST of Greenwich) and the UTC -> local direction.
 * TODO(value model): move into datetime.ts if it grows a zone API.
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { zoneOffsetForLocal } from '../../sql/datetime.js';
import type { Interval } from '../../sql/interval.js';

const USECS_PER_SEC = 1_000_000;

/** A time zone: offsets are seconds EAST of UTC. */
export interface Zone {
  /** Offset to add to a UTC instant to get local wall time. */
  offsetAtUtc(utcMicros: number): number;
  /** Offset in effect at a local wall time. */
  offsetAtLocal(localMicros: number): number;
}

function fixed(offsetSec: number): Zone {
  return { offsetAtUtc: () => offsetSec, offsetAtLocal: () => offsetSec };
}

function posixOffset(text: string): number | null {
  const m = /^([+-]?)(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  if (Number(m[2]) > 168) return null;
  // POSIX: positive offsets are west of Greenwich.
  return m[1] === '-' ? secs : -secs;
}

function notRecognized(name: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, `time zone "${name}" not recognized`);
}

/** Resolves a time zone name as PostgreSQL's timezone(text, ...) does; 22023 if unknown. */
export function resolveZone(name: string): Zone {
  const numeric = posixOffset(name);
  if (numeric !== null) return fixed(numeric);
  const posix = /^([A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})$/.exec(name);
  if (posix) {
    const off = posixOffset(posix[2]);
    if (off !== null) return fixed(off);
  }
  if (zoneOffsetForLocal(name, 0) === undefined) throw notRecognized(name);
  return {
    offsetAtLocal: (local) => zoneOffsetForLocal(name, local) ?? 0,
    offsetAtUtc: (utc) => {
      // Find the offset o with local = utc + o consistent with the zone's rule at that local time.
      let o = zoneOffsetForLocal(name, utc) ?? 0;
      for (let i = 0; i < 3; i++) {
        const o2 = zoneOffsetForLocal(name, utc + o * USECS_PER_SEC) ?? 0;
        if (o2 === o) break;
        o = o2;
      }
      return o;
    },
  };
}

/** A zone given as an interval (AT TIME ZONE INTERVAL '2 hours'): hours/minutes/seconds only. */
export function intervalZone(iv: Interval, text: string): Zone {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new SqlError(SqlState.InvalidParameterValue, `interval time zone "${text}" must not include months or days`);
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
