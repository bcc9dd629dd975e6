import type { Value } from '../sql/values.js';

/**
 * What a compiled expression may read besides its input row. One mutable instance per plan
 * execution: the closures capture it once at compile time, the executor updates it per statement.
 */
export interface EvalContext {
  /** Bound $n parameter values ($1 is params[0]). */
  params: Value[];
  /** now() / CURRENT_TIMESTAMP: start of the current statement (µs since 1970-01-01 UTC). */
  statementTimestamp: number;
  /** current_user / session_user. */
  user: string;
  /** current_database(). */
  database: string;
}

/** Wall-clock time in microseconds since 1970-01-01 UTC (now() has microsecond resolution, as in PostgreSQL). */
export function currentMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export function newEvalContext(partial: Partial<EvalContext> = {}): EvalContext {
  return {
    params: partial.params ?? [],
    statementTimestamp: partial.statementTimestamp ?? currentMicros(),
    user: partial.user ?? 'eddy',
    database: partial.database ?? 'eddy',
  };
}
