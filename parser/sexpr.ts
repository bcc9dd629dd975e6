/**
 * A compact S-expression rendering of the AST, for tests and debugging (positions omitted).
 *
 *   "a + 1 * 2 > 3"             -> (> (+ a (* 1 2)) 3)
 *   "count(distinct x) filter (where y)" -> (count distinct x (filter y))
 *   "select a from t where b"   -> (select (items a) (from t) (where b))
 */
import type { Expr, FromItem, OrderItem, Query, SelectItem, TypeName, WindowSpec } from './ast.js';

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function typeSexpr(t: TypeName): string {
  return t.name + (t.modifiers.length ? `(${t.modifiers.join(',')})` : '') + (t.array ? '[]' : '');
}

export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'ColumnRef':
      return e.table === undefined ? e.column : `${e.table}.${e.column}`;
    case 'Star':
      return e.table === undefined ? '*' : `${e.table}.*`;
    case 'Literal':
      switch (e.literal) {
        case 'string': return q(e.value as string);
        case 'null': return 'NULL';
        default: return String(e.value);
      }
    case 'TypedLiteral':
      return `(typed ${typeSexpr(e.typeName)} ${q(e.value)})`;
    case 'Param':
      return `$${e.index}`;
    case 'Unary':
      return `(${e.op} ${sexpr(e.arg)})`;
    case 'Binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'IsNull':
      return `(${e.negated ? 'isnotnull' : 'isnull'} ${sexpr(e.arg)})`;
    case 'IsBool':
      return `(is${e.negated ? ' not' : ''} ${sexpr(e.arg)} ${e.value === null ? 'unknown' : e.value})`;
    case 'IsDistinct':
      return `(${e.negated ? 'isnotdistinct' : 'isdistinct'} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'Between':
      return `(${e.negated ? 'not ' : ''}between${e.symmetric ? ' symmetric' : ''} ${sexpr(e.arg)} ${sexpr(e.low)} ${sexpr(e.high)})`;
    case 'InList':
      return `(${e.negated ? 'not ' : ''}in ${sexpr(e.arg)} [${e.list.map(sexpr).join(' ')}])`;
    case 'InSubquery':
      return `(${e.negated ? 'not ' : ''}in ${sexpr(e.arg)} ${querySexpr(e.query)})`;
    case 'Exists':
      return `(${e.negated ? 'not ' : ''}exists ${querySexpr(e.query)})`;
    case 'ScalarSubquery':
      return `(subquery ${querySexpr(e.query)})`;
    case 'FieldSelect':
      return `(field ${sexpr(e.arg)} ${e.field})`;
    case 'ArraySubquery':
      return `(array-subquery ${querySexpr(e.query)})`;
    case 'Quantified': {
      const right = 'kind' in e.right && isQuery(e.right) ? querySexpr(e.right) : sexpr(e.right as Expr);
      return `(${e.op} ${e.quantifier} ${sexpr(e.left)} ${right})`;
    }
    case 'Like': {
      const name = (e.negated ? 'not ' : '') + (e.caseInsensitive ? 'ilike' : 'like');
      return `(${name} ${sexpr(e.arg)} ${sexpr(e.pattern)}${e.escape ? ` (escape ${sexpr(e.escape)})` : ''})`;
    }
    case 'Case': {
      const parts = ['case'];
      if (e.operand) parts.push(sexpr(e.operand));
      for (const w of e.whens) parts.push(`(when ${sexpr(w.when)} ${sexpr(w.then)})`);
      if (e.else) parts.push(`(else ${sexpr(e.else)})`);
      return `(${parts.join(' ')})`;
    }
    case 'Cast':
      return `(cast ${sexpr(e.arg)} ${typeSexpr(e.typeName)})`;
    case 'FuncCall': {
      const parts = [e.schema ? `${e.schema}.${e.name}` : e.name];
      if (e.distinct) parts.push('distinct');
      if (e.star) parts.push('*');
      for (const a of e.args) parts.push(sexpr(a));
      if (e.orderBy) parts.push(`(${e.withinGroup ? 'within-group' : 'order'} ${e.orderBy.map(orderSexpr).join(' ')})`);
      if (e.filter) parts.push(`(filter ${sexpr(e.filter)})`);
      if (e.over) parts.push(windowSexpr(e.over));
      return `(${parts.join(' ')})`;
    }
    case 'Array':
      return `[${e.elements.map(sexpr).join(' ')}]`;
    case 'Subscript':
      return `(sub ${sexpr(e.arg)} ${sexpr(e.index)})`;
    case 'Row':
      return `(row ${e.elements.map(sexpr).join(' ')})`.replace(/ \)$/, ')');
    case 'Default':
      return 'DEFAULT';
  }
}

function isQuery(x: object): x is Query {
  const k = (x as { kind: string }).kind;
  return k === 'Select' || k === 'SetOp' || k === 'Values';
}

function windowSexpr(w: WindowSpec): string {
  const parts = ['over'];
  if (w.partitionBy.length) parts.push(`(partition ${w.partitionBy.map(sexpr).join(' ')})`);
  if (w.orderBy.length) parts.push(`(order ${w.orderBy.map(orderSexpr).join(' ')})`);
  if (w.frame !== undefined) parts.push(`(frame ${q(w.frame)})`);
  return `(${parts.join(' ')})`;
}

export function orderSexpr(o: OrderItem): string {
  let s = sexpr(o.expr);
  if (o.desc) s += ' desc';
  if (o.nullsFirst !== undefined) s += o.nullsFirst ? ' nulls first' : ' nulls last';
  return o.desc || o.nullsFirst !== undefined ? `(${s})` : s;
}

function itemSexpr(i: SelectItem): string {
  if (i.kind === 'Star') return i.table === undefined ? '*' : `${i.table}.*`;
  return i.alias === undefined ? sexpr(i.expr) : `(as ${sexpr(i.expr)} ${i.alias})`;
}

export function fromSexpr(f: FromItem): string {
  const alias = (a?: string, cols?: string[]): string => (a === undefined ? '' : ` (as ${a}${cols ? ` (${cols.join(' ')})` : ''})`);
  switch (f.kind) {
    case 'Table':
      return (f.schema ? `${f.schema}.${f.name}` : f.name) + (f.alias === undefined ? '' : alias(f.alias, f.columnAliases));
    case 'Subquery':
      return `(${f.lateral ? 'lateral ' : ''}${querySexpr(f.query)}${alias(f.alias, f.columnAliases)})`;
    case 'TableFunction':
      return `(${f.name} ${f.args.map(sexpr).join(' ')}${alias(f.alias, f.columnAliases)})`;
    case 'Join': {
      const parts = [`${f.natural ? 'natural ' : ''}${f.joinType}-join`, fromSexpr(f.left), fromSexpr(f.right)];
      if (f.on) parts.push(`(on ${sexpr(f.on)})`);
      if (f.using) parts.push(`(using ${f.using.join(' ')})`);
      return `(${parts.join(' ')})`;
    }
  }
}

function tailSexpr(parts: string[], x: { orderBy: OrderItem[]; limit?: Expr; offset?: Expr }): void {
  if (x.orderBy.length) parts.push(`(order ${x.orderBy.map(orderSexpr).join(' ')})`);
  if (x.limit) parts.push(`(limit ${sexpr(x.limit)})`);
  if (x.offset) parts.push(`(offset ${sexpr(x.offset)})`);
}

export function querySexpr(qy: Query): string {
  const parts: string[] = [];
  switch (qy.kind) {
    case 'Select':
      parts.push('select');
      if (qy.with) parts.push(`(with ${qy.with.map((c) => `(${c.recursive ? 'recursive ' : ''}${c.name}${c.columnAliases ? ` (${c.columnAliases.join(' ')})` : ''} ${querySexpr(c.query)})`).join(' ')})`);
      if (qy.distinct) parts.push(qy.distinctOn ? `(distinct on ${qy.distinctOn.map(sexpr).join(' ')})` : 'distinct');
      parts.push(`(items ${qy.items.map(itemSexpr).join(' ')})`.replace(' )', ')'));
      if (qy.from.length) parts.push(`(from ${qy.from.map(fromSexpr).join(' ')})`);
      if (qy.where) parts.push(`(where ${sexpr(qy.where)})`);
      if (qy.groupBy.length) parts.push(`(group ${qy.groupBy.map(sexpr).join(' ')})`);
      if (qy.having) parts.push(`(having ${sexpr(qy.having)})`);
      tailSexpr(parts, qy);
      if (qy.emit) parts.push(`(emit ${qy.emit})`);
      break;
    case 'SetOp':
      parts.push(qy.op + (qy.all ? ' all' : ''));
      if (qy.with) parts.push(`(with ${qy.with.map((c) => `(${c.name} ${querySexpr(c.query)})`).join(' ')})`);
      parts.push(querySexpr(qy.left), querySexpr(qy.right));
      tailSexpr(parts, qy);
      break;
    case 'Values':
      parts.push('values', ...qy.rows.map((r) => `[${r.map(sexpr).join(' ')}]`));
      tailSexpr(parts, qy);
      break;
  }
  return `(${parts.join(' ')})`;
}
