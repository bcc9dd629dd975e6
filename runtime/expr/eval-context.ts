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
  /** Correlated subqueries: the enclosing rows' `outer` values, innermost last. */
  outer: Value[][];
  /** Bumped at every top-level execution: caches of uncorrelated subqueries are valid within one. */
  execution: number;
  /** The session's catalog view for reg* casts and catalog functions (absent where none is at hand). */
  catalog?: CatalogAccess;
}

/** Name <-> oid lookups the reg* types need (regclass '"t"' -> oid, oid -> 't'). Supplied by the server. */
export interface CatalogNames {
  /** An oid for a (possibly schema-qualified, quoted) name, or undefined. */
  oidOf(kind: RegKind, name: string): number | undefined;
  /** The display name of an oid, or undefined. */
  nameOf(kind: RegKind, oid: number): string | undefined;
}

export type RegKind = 'regclass' | 'regtype' | 'regproc' | 'regnamespace' | 'regrole';

/**
 * What PostgreSQL's catalog functions (format_type, pg_get_indexdef, current_setting...) read.
 * The runtime defines it; the server implements it over Eddy's catalog and the session.
 */
export interface CatalogAccess extends CatalogNames {
  formatType(typeOid: number, typmod: number | null): string | null;
  /** CREATE INDEX text, or with column > 0 that key column's name (pg_get_indexdef(oid, n, pretty)). */
  indexDef(indexOid: number, column?: number): string | null;
  constraintDef(constraintOid: number): string | null;
  viewDef(relationOid: number): string | null;
  tableIsVisible(relationOid: number): boolean;
  currentSchemas(includeImplicit: boolean): string[];
  /** A session setting's value, or undefined for an unknown name. */
  getSetting(name: string): string | undefined;
  /** Sets a session setting (set_config); returns the new value. */
  setSetting(name: string, value: string, isLocal: boolean): string;
  /** Every session setting with its value (pg_settings). */
  settings(): [string, string][];
  backendPid(): number;
  /** has_table_privilege: whether `role` (null: the session user) holds any of `privileges` (PostgreSQL's list syntax) on a relation. */
  tablePrivilege(role: string | null, relation: number | string, privileges: string): boolean | null;
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
    outer: [],
    execution: 0,
    catalog: partial.catalog,
  };
}
