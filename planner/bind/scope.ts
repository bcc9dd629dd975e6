import type { SqlType } from '../../runtime/sql/types.js';
import { SqlError, ambiguousColumn } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

export interface ScopeColumn {
  name: string;
  type: SqlType;
  /** Position in the input row of the plan this scope describes. */
  index: number;
  /** The range variable (table alias) the column belongs to. */
  tableAlias?: string;
  /** Hidden from `*` and unqualified lookup (e.g. the right side of JOIN USING). */
  hidden?: boolean;
  tableOid?: number;
  columnAttr?: number;
}

/** Names visible to an expression: the columns of the current FROM clause. */
export class Scope {
  constructor(readonly columns: ScopeColumn[], readonly outer?: Scope) {}

  static empty(): Scope {
    return new Scope([]);
  }

  hasTable(alias: string): boolean {
    return this.columns.some((c) => c.tableAlias === alias);
  }

  /** Resolves a column reference; throws 42703 / 42702 / 42P01 like PostgreSQL. */
  resolve(table: string | undefined, column: string, pos?: number): ScopeColumn {
    const found = this.lookup(table, column, pos);
    if (found) return found;
    if (this.outer && (table ? this.outer.hasTable(table) : this.outer.lookup(undefined, column, pos))) {
      throw new SqlError(SqlState.FeatureNotSupported, 'correlated subqueries are not supported yet', { position: pos });
    }
    if (table !== undefined) {
      if (!this.hasTable(table)) {
        throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${table}"`, { position: pos });
      }
      throw new SqlError(SqlState.UndefinedColumn, `column ${table}.${column} does not exist`, { position: pos });
    }
    throw new SqlError(SqlState.UndefinedColumn, `column "${column}" does not exist`, { position: pos });
  }

  lookup(table: string | undefined, column: string, pos?: number): ScopeColumn | undefined {
    let match: ScopeColumn | undefined;
    for (const c of this.columns) {
      if (c.name !== column) continue;
      if (table !== undefined ? c.tableAlias !== table : c.hidden) continue;
      if (match) throw ambiguousColumn(table ? `${table}.${column}` : column, pos);
      match = c;
    }
    return match;
  }

  /** Columns a `*` (or `t.*`) expands to, in order. */
  star(table: string | undefined, pos?: number): ScopeColumn[] {
    if (table !== undefined) {
      if (!this.hasTable(table)) {
        throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${table}"`, { position: pos });
      }
      return this.columns.filter((c) => c.tableAlias === table);
    }
    return this.columns.filter((c) => !c.hidden);
  }
}
