/**
 * Eddy's own SQL AST. parser/ produces it (query bodies via node-sql-parser, normalised;
 * streaming statements by our own scanner); nothing downstream ever sees node-sql-parser's shapes.
 *
 * Positions: `pos` is the 1-based character offset of the node's first character within the
 * statement text given to parse() (PostgreSQL's "cursor position"). Optional where unknown.
 * Identifiers are already case-folded (unquoted -> lower case; "Quoted" kept as written).
 */

// ---------------------------------------------------------------- expressions

export interface TypeName {
  /** Lower-case type name as written, multi-word names joined by one space:
   * 'integer', 'int', 'int4', 'bigint', 'character varying', 'varchar', 'double precision',
   * 'timestamp with time zone', 'timestamptz', 'numeric', 'decimal', 'text', 'jsonb', ... */
  name: string;
  /** Type modifiers: varchar(20) -> [20]; numeric(10,2) -> [10, 2]. */
  modifiers: number[];
  /** int[] / int ARRAY */
  array?: boolean;
  pos?: number;
}

export type LiteralKind = 'integer' | 'decimal' | 'string' | 'boolean' | 'null';

export type Expr =
  | { kind: 'ColumnRef'; table?: string; column: string; pos?: number }
  /** `*` or `t.*` where an expression is allowed (select list, count(*)). */
  | { kind: 'Star'; table?: string; pos?: number }
  /** integer/decimal: the literal's digits exactly as written ('42', '1.50', '1e3'); string: the unescaped text. */
  | { kind: 'Literal'; literal: LiteralKind; value: string | boolean | null; pos?: number }
  /** DATE '2024-01-01', TIMESTAMP '...', INTERVAL '1' DAY (unit folded into value: '1 day'), jsonb '{}' */
  | { kind: 'TypedLiteral'; typeName: TypeName; value: string; pos?: number }
  | { kind: 'Param'; index: number; pos?: number }
  /** Prefix operators: '-', '+', 'NOT', '~', '@'. */
  | { kind: 'Unary'; op: string; arg: Expr; pos?: number }
  /** Infix operators, upper-cased words: 'AND', 'OR', '+', '-', '*', '/', '%', '^', '||', '=', '<>', '<', '<=', '>', '>=',
   *  '->', '->>', '#>', '#>>', '@>', '<@', '?', '~', '~*', '!~', '!~*'. ('!=' is normalised to '<>'.) */
  | { kind: 'Binary'; op: string; left: Expr; right: Expr; pos?: number }
  | { kind: 'IsNull'; arg: Expr; negated: boolean; pos?: number }
  /** IS [NOT] TRUE | FALSE | UNKNOWN */
  | { kind: 'IsBool'; arg: Expr; value: boolean | null; negated: boolean; pos?: number }
  | { kind: 'IsDistinct'; left: Expr; right: Expr; negated: boolean; pos?: number }
  | { kind: 'Between'; arg: Expr; low: Expr; high: Expr; negated: boolean; symmetric: boolean; pos?: number }
  | { kind: 'InList'; arg: Expr; list: Expr[]; negated: boolean; pos?: number }
  | { kind: 'InSubquery'; arg: Expr; query: Query; negated: boolean; pos?: number }
  | { kind: 'Exists'; query: Query; negated: boolean; pos?: number }
  | { kind: 'ScalarSubquery'; query: Query; pos?: number }
  /** (expr).field */
  | { kind: 'FieldSelect'; arg: Expr; field: string; pos?: number }
  /** ARRAY(subquery): the one-column result as an array. */
  | { kind: 'ArraySubquery'; query: Query; pos?: number }
  /** x = ANY (array or subquery) / x op ALL (...) */
  | { kind: 'Quantified'; op: string; quantifier: 'any' | 'all'; left: Expr; right: Expr | Query; pos?: number }
  | { kind: 'Like'; arg: Expr; pattern: Expr; escape?: Expr; caseInsensitive: boolean; negated: boolean; pos?: number }
  | { kind: 'Case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr; pos?: number }
  | { kind: 'Cast'; arg: Expr; typeName: TypeName; pos?: number }
  /** Function or aggregate call. name is lower-case; special forms (COALESCE, NULLIF, GREATEST, LEAST,
   *  EXTRACT(field FROM x) -> extract('field', x), SUBSTRING(x FROM a FOR b) -> substring(x, a, b),
   *  POSITION(a IN b) -> position(a, b), TRIM(BOTH x FROM y) -> btrim(y, x), CURRENT_TIMESTAMP/CURRENT_DATE/
   *  LOCALTIMESTAMP/CURRENT_USER/... -> calls with no args) are normalised into FuncCall too. */
  | {
      kind: 'FuncCall';
      name: string;
      schema?: string;
      args: Expr[];
      /** count(*) */
      star: boolean;
      distinct: boolean;
      orderBy?: OrderItem[];
      /** `WITHIN GROUP (ORDER BY ...)` (ordered-set aggregates): the sort keys are in orderBy. */
      withinGroup?: boolean;
      filter?: Expr;
      over?: WindowSpec;
      pos?: number;
    }
  | { kind: 'Array'; elements: Expr[]; pos?: number }
  | { kind: 'Subscript'; arg: Expr; index: Expr; pos?: number }
  | { kind: 'Row'; elements: Expr[]; pos?: number }
  /** DEFAULT written as a whole element of a VALUES row or as an UPDATE SET value (`SET c = DEFAULT`).
   *  PostgreSQL's grammar accepts it in any VALUES row; it is only meaningful under INSERT/UPDATE. */
  | { kind: 'Default'; pos?: number };

export interface WindowSpec {
  partitionBy: Expr[];
  orderBy: OrderItem[];
  /** Frame text as written, when present (interpreted by the planner). */
  frame?: string;
}

export interface OrderItem {
  expr: Expr;
  desc: boolean;
  /** undefined = default (NULLS LAST for ASC, NULLS FIRST for DESC, as PostgreSQL) */
  nullsFirst?: boolean;
}

// ---------------------------------------------------------------- queries

export type SelectItem =
  | { kind: 'Expr'; expr: Expr; alias?: string; pos?: number }
  | { kind: 'Star'; table?: string; pos?: number };

export type FromItem =
  /** systemTime: `FOR SYSTEM_TIME AS OF PROCTIME()` (a processing-time lookup join's table side). */
  | { kind: 'Table'; name: string; schema?: string; alias?: string; columnAliases?: string[]; systemTime?: 'proctime'; pos?: number }
  | { kind: 'Subquery'; query: Query; alias?: string; columnAliases?: string[]; lateral?: boolean; pos?: number }
  /** TUMBLE(s, ts, INTERVAL '1 minute'), generate_series(...), unnest(...) */
  | { kind: 'TableFunction'; name: string; args: Expr[]; alias?: string; columnAliases?: string[]; pos?: number }
  | {
      kind: 'Join';
      joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
      left: FromItem;
      right: FromItem;
      on?: Expr;
      using?: string[];
      natural: boolean;
      pos?: number;
    };

export interface Cte {
  name: string;
  columnAliases?: string[];
  query: Query;
  recursive?: boolean;
}

export interface Select {
  kind: 'Select';
  with?: Cte[];
  distinct: boolean;
  distinctOn?: Expr[];
  items: SelectItem[];
  from: FromItem[];
  where?: Expr;
  groupBy: Expr[];
  /**
   * GROUP BY ROLLUP / CUBE / GROUPING SETS (combined with plain items as a cross product): the
   * sets, each a list of expressions drawn from groupBy (which then lists every grouping expression).
   */
  groupingSets?: Expr[][];
  /** GROUP BY DISTINCT: duplicate grouping sets count once. */
  groupByDistinct?: boolean;
  having?: Expr;
  orderBy: OrderItem[];
  limit?: Expr;
  /** FETCH FIRST n ROWS WITH TIES: rows tying with the last one kept are kept too. */
  limitWithTies?: boolean;
  offset?: Expr;
  /** EMIT ON WINDOW CLOSE / EMIT CHANGES (streaming clause, MVs only). */
  emit?: 'changes' | 'window_close';
  pos?: number;
}

export interface SetOperation {
  kind: 'SetOp';
  with?: Cte[];
  op: 'union' | 'intersect' | 'except';
  all: boolean;
  /** SQL-standard CORRESPONDING [BY (cols)]: match the sides' columns by name (by: the listed ones). */
  corresponding?: { by?: string[] };
  left: Query;
  right: Query;
  orderBy: OrderItem[];
  limit?: Expr;
  /** FETCH FIRST n ROWS WITH TIES: rows tying with the last one kept are kept too. */
  limitWithTies?: boolean;
  offset?: Expr;
  pos?: number;
}

export interface Values {
  kind: 'Values';
  rows: Expr[][];
  orderBy: OrderItem[];
  limit?: Expr;
  /** FETCH FIRST n ROWS WITH TIES: rows tying with the last one kept are kept too. */
  limitWithTies?: boolean;
  offset?: Expr;
  pos?: number;
}

export type Query = Select | SetOperation | Values;

// ---------------------------------------------------------------- statements

export interface ColumnDef {
  name: string;
  typeName: TypeName;
  notNull: boolean;
  /** PRIMARY KEY written on the column itself. */
  primaryKey: boolean;
  default?: Expr;
  /** The DEFAULT expression's source text exactly as written (for the catalog). */
  defaultSql?: string;
  pos?: number;
}

export interface WatermarkDef {
  column: string;
  expr: Expr;
  /** The watermark expression's source text exactly as written (for the catalog). */
  exprSql?: string;
  pos?: number;
}

/** WITH (k = v, ...) options; keys lower-case, values as text (quotes removed). */
export type Options = Record<string, string>;

export type ObjectKind = 'stream' | 'table' | 'materialized view' | 'view' | 'sink' | 'index';

export interface OnConflict {
  /** Conflict target columns (may be empty for DO NOTHING without a target). */
  target: string[];
  action: { kind: 'nothing' } | { kind: 'update'; set: Assignment[]; where?: Expr };
}

export interface Assignment {
  column: string;
  expr: Expr;
  pos?: number;
  /** SET (a, b) = (SELECT ...): the shared subquery and which of its columns this target takes (expr is unused). */
  fromQuery?: { query: Query; index: number; count: number; pos: number };
}

export type Statement =
  | { kind: 'Query'; query: Query }
  | {
      kind: 'CreateStream';
      name: string;
      ifNotExists: boolean;
      columns: ColumnDef[];
      watermark?: WatermarkDef;
      options: Options;
      /** CREATE STREAM s AS SELECT ... */
      as?: Query;
      /** The AS query's text exactly as written (set with `as`). */
      queryText?: string;
      pos?: number;
    }
  | {
      /** CREATE INDEX: recorded on the relation (Eddy keeps no secondary indexes; see ddl.createIndex). */
      kind: 'CreateIndex';
      name?: string;
      table: string;
      unique: boolean;
      /** Key columns or expressions, as written. */
      keys: string[];
      include: string[];
      where?: string;
      ifNotExists: boolean;
      pos?: number;
    }
  | {
      kind: 'CreateTable';
      name: string;
      ifNotExists: boolean;
      columns: ColumnDef[];
      /** Table-level or column-level PRIMARY KEY, in key order. */
      primaryKey?: string[];
      appendOnly: boolean;
      /** WATERMARK FOR col AS expr (APPEND ONLY tables without a key, which are streams). */
      watermark?: WatermarkDef;
      /** Table-level ON CONFLICT: what an INSERT of an existing key does unless it says otherwise. */
      onConflict?: 'nothing' | 'update_full' | 'update_if_not_null';
      options: Options;
      as?: Query;
      /** The AS query's text exactly as written (set with `as`). */
      queryText?: string;
      pos?: number;
    }
  | {
      kind: 'CreateMaterializedView';
      name: string;
      ifNotExists: boolean;
      orReplace: boolean;
      columns?: string[];
      query: Query;
      /** The query's text exactly as written (stored in the catalog, shown by \d+). */
      queryText: string;
      options: Options;
      pos?: number;
    }
  | {
      kind: 'CreateView';
      name: string;
      ifNotExists: boolean;
      orReplace: boolean;
      columns?: string[];
      query: Query;
      queryText: string;
      pos?: number;
    }
  /** `from` is '' for CREATE SINK name AS query; queryText is that query's text exactly as written. */
  | { kind: 'CreateSink'; name: string; ifNotExists: boolean; from: string; query?: Query; queryText?: string; options: Options; pos?: number }
  | { kind: 'Drop'; objectKind: ObjectKind; names: string[]; ifExists: boolean; cascade: boolean; pos?: number }
  | {
      kind: 'Insert';
      table: string;
      /** INSERT INTO t AS alias (visible in ON CONFLICT DO UPDATE and RETURNING). */
      alias?: string;
      columns?: string[];
      /** Values or a query; undefined means DEFAULT VALUES. */
      source?: Query;
      onConflict?: OnConflict;
      returning?: SelectItem[];
      pos?: number;
    }
  | { kind: 'Update'; table: string; alias?: string; set: Assignment[]; from: FromItem[]; where?: Expr; returning?: SelectItem[]; pos?: number }
  | { kind: 'Delete'; table: string; alias?: string; where?: Expr; returning?: SelectItem[]; pos?: number }
  /** SHOW STREAMS | TABLES | MATERIALIZED VIEWS | VIEWS | SINKS | QUERIES  -> what; SHOW name -> variable */
  | { kind: 'Show'; what?: 'streams' | 'tables' | 'materialized views' | 'views' | 'sinks' | 'queries'; variable?: string; pos?: number }
  | { kind: 'Explain'; statement: Statement; analyze: boolean; verbose: boolean; pos?: number }
  | { kind: 'Flush'; pos?: number }
  /** SET [SESSION|LOCAL] name TO|= value[, ...] | DEFAULT; SET TIME ZONE x; values as text */
  | { kind: 'Set'; name: string; values: string[] | 'default'; local: boolean; pos?: number }
  | { kind: 'Reset'; name: string | 'all'; pos?: number }
  | { kind: 'Begin'; pos?: number }
  | { kind: 'Commit'; pos?: number }
  | { kind: 'Rollback'; pos?: number }
  | { kind: 'Discard'; what: string; pos?: number }
  | { kind: 'Deallocate'; name: string | 'all'; pos?: number }
  /** Statements accepted as harmless no-ops (e.g. LISTEN, ANALYZE): answered with their tag. */
  | { kind: 'NoOp'; tag: string; pos?: number }
  | SubscribeStatement
  | CopyStatement
  | RoleStatement
  /** SQL cursors: DECLARE name CURSOR [WITH HOLD] FOR query; FETCH/MOVE count (Infinity = ALL); CLOSE name | ALL. */
  | { kind: 'DeclareCursor'; name: string; hold: boolean; query: Query; pos?: number }
  | { kind: 'Fetch'; name: string; count: number; move: boolean; pos?: number }
  | { kind: 'CloseCursor'; name: string | 'all'; pos?: number };

/** Options of CREATE/ALTER ROLE|USER; unset = not written. */
export interface RoleOptions {
  /** PASSWORD 'pw' (clear text, or already a SCRAM verifier / md5 secret); null = PASSWORD NULL. */
  password?: string | null;
  superuser?: boolean;
  login?: boolean;
}

/** What GRANT/REVOKE privileges apply to. */
export type GrantTarget =
  | { kind: 'tables'; names: string[] }
  | { kind: 'all tables in schema'; schemas: string[] }
  | { kind: 'database'; names: string[] }
  | { kind: 'schema'; names: string[] };

/** User management: CREATE/ALTER/DROP ROLE|USER, GRANT/REVOKE privileges (parser/utility/users.ts). */
export type RoleStatement =
  /** `user`: written as CREATE USER (LOGIN by default) rather than CREATE ROLE (NOLOGIN by default). */
  | { kind: 'CreateRole'; name: string; user: boolean; options: RoleOptions; pos?: number }
  | { kind: 'AlterRole'; name: string; options: RoleOptions; renameTo?: string; pos?: number }
  | { kind: 'DropRole'; names: string[]; ifExists: boolean; pos?: number }
  /** privileges: lower-case names ('insert', 'create', ...); 'all' for ALL [PRIVILEGES]. */
  | { kind: 'Grant'; revoke: boolean; privileges: string[]; target: GrantTarget; roles: string[]; pos?: number };

/** SUBSCRIBE [TO] object | (query) [WITH (snapshot = ...)]: push every committed change. */
export interface SubscribeStatement {
  kind: 'Subscribe';
  /** The object subscribed to, or '' when `query` is set. */
  name: string;
  query?: Query;
  options: Options;
  pos?: number;
}

/** COPY ... FROM STDIN | TO STDOUT (files and programs are parsed only to be refused). */
export interface CopyStatement {
  kind: 'Copy';
  direction: 'from' | 'to';
  source:
    | { kind: 'relation'; name: string; columns?: string[] }
    | { kind: 'query'; query: Query }
    | { kind: 'subscribe'; statement: SubscribeStatement };
  endpoint: 'stdio' | 'file' | 'program';
  /** Lower-case option names (format, header, delimiter, null, quote, escape, ...), values as text. */
  options: Options;
  pos?: number;
}

/** One statement of a multi-statement string, with where it sits in the original text. */
export interface SplitStatement {
  text: string;
  /** 0-based offset of `text` within the original string (positions are reported relative to the whole string). */
  offset: number;
}
