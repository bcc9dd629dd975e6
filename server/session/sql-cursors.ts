/**
 * SQL-level cursors of a session (DECLARE / FETCH / MOVE / CLOSE). DECLARE runs the query and
 * keeps its rows (a snapshot of that moment, as PostgreSQL's cursors see one); FETCH returns the
 * next rows. Cursors without HOLD end with the transaction, as in PostgreSQL.
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Row } from '../../runtime/sql/values.js';
import type { ColumnDesc, StatementResult } from './session-api.js';

interface SqlCursor {
  columns: ColumnDesc[];
  rows: Row[];
  pos: number;
  hold: boolean;
}

export class SqlCursors {
  private readonly cursors = new Map<string, SqlCursor>();

  has(name: string): boolean {
    return this.cursors.has(name);
  }

  declare(name: string, columns: ColumnDesc[], rows: Row[], hold: boolean): StatementResult {
    if (this.cursors.has(name)) throw new SqlError(SqlState.DuplicateCursor, `cursor "${name}" already exists`);
    this.cursors.set(name, { columns, rows, pos: 0, hold });
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  columns(name: string): ColumnDesc[] {
    return this.get(name).columns;
  }

  fetch(name: string, count: number, move: boolean): StatementResult {
    const c = this.get(name);
    const end = Math.min(c.rows.length, c.pos + count);
    const rows = c.rows.slice(c.pos, end);
    c.pos = end;
    if (move) return { kind: 'command', tag: `MOVE ${rows.length}` };
    return { kind: 'rows', columns: c.columns, rows, tagPrefix: 'FETCH' };
  }

  close(name: string | 'all'): StatementResult {
    if (name === 'all') this.cursors.clear();
    else if (!this.cursors.delete(name)) throw new SqlError(SqlState.InvalidCursorName, `cursor "${name}" does not exist`);
    return { kind: 'command', tag: name === 'all' ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR' };
  }

  /** COMMIT / ROLLBACK: cursors without HOLD are closed. */
  endTransaction(): void {
    for (const [name, c] of this.cursors) if (!c.hold) this.cursors.delete(name);
  }

  private get(name: string): SqlCursor {
    const c = this.cursors.get(name);
    if (!c) throw new SqlError(SqlState.InvalidCursorName, `cursor "${name}" does not exist`);
    return c;
  }
}
