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
  /** A column of the enclosing query seen from a correlated subquery: its slot in the subquery's `outer`. */
  outerSlot?: number;
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
    if (this.outer) {
      const o = this.outer.resolveFromInside(table, column, pos);
      if (o) return o;
    }
    if (table !== undefined) {
      if (!this.hasTable(table)) {
        throw new SqlError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${table}"`, { position: pos });
      }
      throw new SqlError(SqlState.UndefinedColumn, `column ${table}.${column} does not exist`, { position: pos });
    }
    throw new SqlError(SqlState.UndefinedColumn, `column "${column}" does not exist`, { position: pos });
  }

  /**
   * A reference from a subquery to this (enclosing) scope. Plain scopes refuse it; the
   * CorrelatedScope a subquery is bound in records it as an outer value.
   */
  resolveFromInside(table: string | undefined, column: string, pos?: number): ScopeColumn | undefined {
    if (table ? this.hasTable(table) : this.lookup(undefined, column, pos)) {
      throw new SqlError(SqlState.FeatureNotSupported, 'this correlated subquery is not supported yet', { position: pos });
    }
    return this.outer?.resolveFromInside(table, column, pos);
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

/**
 * The boundary between a subquery and its enclosing query: a subquery is bound with this as its
 * outer scope, and each enclosing column it references becomes one `outer` expression (a Column
 * of the enclosing row) read inside the subquery as OuterRef. One level deep only.
 */
export class CorrelatedScope extends Scope {
  readonly outerColumns: ScopeColumn[] = [];

  constructor(private readonly enclosing: Scope) {
    super([]);
  }

  override hasTable(alias: string): boolean {
    return this.enclosing.hasTable(alias);
  }

  override resolveFromInside(table: string | undefined, column: string, pos?: number): ScopeColumn | undefined {
    // Not in the enclosing query: maybe further out. The enclosing query then passes it on as one
    // of its own outer values (outerSlot), which this subquery reads as an OuterRef of that query.
    const c = this.enclosing.lookup(table, column, pos) ?? this.enclosing.outer?.resolveFromInside(table, column, pos);
    if (!c) return undefined;
    let slot = this.outerColumns.findIndex((o) => o.index === c.index && o.outerSlot === c.outerSlot);
    if (slot < 0) {
      slot = this.outerColumns.length;
      this.outerColumns.push(c);
    }
    return { ...c, outerSlot: slot };
  }
}
