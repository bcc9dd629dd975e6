/** Re-exports of the parser AST used by the binder, plus narrowed helper types. */
export type { Expr, Query, Select, SetOperation, Values, FromItem, SelectItem, OrderItem, Statement, TypeName, ColumnDef } from '../../parser/ast.js';
import type { Expr } from '../../parser/ast.js';
export type FuncCallExpr = Extract<Expr, { kind: 'FuncCall' }>;
