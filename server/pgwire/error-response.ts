/**
 * The one place where exceptions become ErrorResponse fields. A SqlError maps field for field;
 * anything else is reported as XX000 "internal error" with a correlation id in the detail and
 * logged with its stack, so a user report can be matched to the log line.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isSqlError, SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Notice } from '../session/session-api.js';
import type { ErrorFields } from './backend.js';

export function errorFields(e: SqlError): ErrorFields {
  return {
    severity: e.severity,
    code: e.code,
    message: e.message,
    detail: e.detail,
    hint: e.hint,
    position: e.position,
    schema: e.schema,
    table: e.table,
    column: e.column,
    dataType: e.dataType,
    constraint: e.constraint,
  };
}

/** Converts any thrown value to a SqlError, logging non-SqlErrors with a correlation id. */
export function toSqlError(e: unknown, log: Logger, sql?: string): SqlError {
  if (isSqlError(e)) return e;
  const correlationId = randomUUID();
  log.error({ err: e, correlationId, sql }, 'internal error');
  return new SqlError(SqlState.InternalError, 'internal error', { detail: `correlation id: ${correlationId}` });
}

export function noticeFields(n: Notice): ErrorFields {
  return { severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint };
}

export function isFatal(e: SqlError): boolean {
  return e.severity === 'FATAL' || e.severity === 'PANIC';
}
