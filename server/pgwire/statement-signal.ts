/**
 * StatementSignal: the cancel flag of one running statement, which also turns true once the
 * statement's deadline (statement_timeout) has passed. Reading `cancelled` checks the clock, so
 * every place that already polls for a cancel request (between batch operators, between row
 * batches sent, while pg_sleep or FLUSH waits) also enforces the timeout, including inside a long
 * synchronous computation that no timer callback could interrupt.
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export class StatementSignal {
  private flag = false;
  private deadline = Infinity;
  /** True once the deadline (not a cancel request) stopped the statement. */
  timedOut = false;

  get cancelled(): boolean {
    if (this.flag) return true;
    if (this.deadline !== Infinity && performance.now() >= this.deadline) {
      this.timedOut = true;
      this.flag = true;
    }
    return this.flag;
  }

  set cancelled(v: boolean) {
    this.flag = v;
  }

  /** Starts (or restarts, for a portal's next Execute) the statement's time budget; 0 = none. */
  limit(ms: number): void {
    this.deadline = ms > 0 ? performance.now() + ms : Infinity;
  }
}

export function statementTimeout(): SqlError {
  return new SqlError(SqlState.QueryCanceled, 'canceling statement due to statement timeout');
}

// runtime/sql/sqlstate.ts has no names for these two yet.
const IDLE_SESSION_TIMEOUT = '57P05' as SqlState;
const IDLE_IN_TRANSACTION_SESSION_TIMEOUT = '25P03' as SqlState;

export function idleSessionTimeout(): SqlError {
  return new SqlError(IDLE_SESSION_TIMEOUT, 'terminating connection due to idle-session timeout', { severity: 'FATAL' });
}

export function idleInTransactionTimeout(): SqlError {
  return new SqlError(IDLE_IN_TRANSACTION_SESSION_TIMEOUT, 'terminating connection due to idle-in-transaction timeout', { severity: 'FATAL' });
}
