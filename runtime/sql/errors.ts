import { SqlState } from './sqlstate.js';

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SqlErrorFields {
  severity?: Severity;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, as PostgreSQL reports it. */
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
}

/**
 * The one error type that carries a SQLSTATE. Messages follow PostgreSQL style:
 * lower-case, no final period, identifiers in double quotes.
 */
export class SqlError extends Error {
  readonly code: SqlState;
  severity: Severity;
  detail?: string;
  hint?: string;
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;

  constructor(code: SqlState, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
  }

  /** Sets the position only if none is set yet (inner positions are more precise). */
  at(position: number | undefined): this {
    if (this.position === undefined && position !== undefined) this.position = position;
    return this;
  }
}

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof SqlError;
}

// Small constructors for the errors raised constantly.
export const syntaxError = (message: string, position?: number) =>
  new SqlError(SqlState.SyntaxError, message, { position });
export const undefinedTable = (name: string, position?: number) =>
  new SqlError(SqlState.UndefinedTable, `relation "${name}" does not exist`, { position });
export const undefinedColumn = (name: string, position?: number) =>
  new SqlError(SqlState.UndefinedColumn, `column "${name}" does not exist`, { position });
export const ambiguousColumn = (name: string, position?: number) =>
  new SqlError(SqlState.AmbiguousColumn, `column reference "${name}" is ambiguous`, { position });
export const featureNotSupported = (what: string, position?: number) =>
  new SqlError(SqlState.FeatureNotSupported, `${what} is not supported`, { position });
export const divisionByZero = () => new SqlError(SqlState.DivisionByZero, 'division by zero');
export const internalError = (message: string) => new SqlError(SqlState.InternalError, message);

/** Thrown for broken internal invariants; the wire layer reports it as XX000. */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}
