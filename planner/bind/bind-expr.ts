/**
 * Binds parser expressions (names, operators, functions) into typed scalar IR.
 */
import type { Expr, Query, FuncCallExpr } from './ast-types.js';
import { SqlError, undefinedColumn } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { T, TypeId, arrayOf, sqlType, type SqlType } from '../../runtime/sql/types.js';
import type { Value } from '../../runtime/sql/values.js';
import { Decimal } from '../../runtime/sql/decimal.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { resolveBinaryOperator, resolveUnaryOperator, commonSupertype } from '../../runtime/sql/operators.js';
import { lookupFunction, isKnownFunctionName } from '../../runtime/expr/functions/registry.js';
import type { ScalarExpr } from '../../runtime/expr/ir.js';
import { isConstant } from '../../runtime/expr/ir.js';
import { compileExpr } from '../../runtime/expr/compile.js';
import { newEvalContext } from '../../runtime/expr/eval-context.js';
import type { RelPlan } from '../../runtime/plan/plan.js';
import { Scope } from './scope.js';
import { ParamTypes, coerce, equalsFn, compareFn, requireBoolean } from './coerce.js';
import { resolveTypeName } from './type-names.js';
import { likeMatch } from '../../runtime/sql/pattern.js';
import type { SqlRecord } from '../../runtime/sql/record.js';
import { bindArrayConstructor, bindQuantifiedArray, bindRegCast, bindSubscript, quantifiedSubqueryAsIn } from './bind-array.js';

/** Names of aggregate functions (a call to one of these is an aggregate, not a scalar function). */
export const AGGREGATE_NAMES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg', 'array_agg',
  'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'jsonb_agg', 'json_agg',
  'bit_and', 'bit_or', 'bit_xor', 'jsonb_object_agg', 'json_object_agg', 'percentile_cont', 'percentile_disc', 'mode',
  // GROUPING(a, b): not an aggregate, but bound where aggregates are (bindGrouping)
  'grouping',
]);

export function isAggregateCall(e: Expr): boolean {
  return e.kind === 'FuncCall' && !e.over && AGGREGATE_NAMES.has(e.name) && e.schema === undefined;
}

/** Receives aggregate calls found while binding select items / HAVING / ORDER BY of a grouped query. */
export interface AggregateSink {
  /** Registers the aggregate and returns the placeholder expression standing for its result. */
  add(call: FuncCallExpr): ScalarExpr;
}

/** Receives window function calls (`f(...) OVER (...)`) found in a SELECT list or ORDER BY. */
export interface WindowSink {
  /** Registers the call and returns the placeholder expression standing for its result. */
  add(call: FuncCallExpr): ScalarExpr;
}

export interface BinderServices {
  params: ParamTypes;
  /** Binds a subquery; `outer` lists the enclosing columns a correlated one reads. */
  bindSubquery(q: Query, outer: Scope): BoundSubquery;
}

export interface BoundSubquery {
  plan: RelPlan;
  outer?: ScalarExpr[];
}

export interface ExprEnv {
  services: BinderServices;
  scope: Scope;
  /** Where aggregates go; undefined means aggregates are not allowed here (clause says where). */
  aggregates?: AggregateSink;
  /** Where window functions go; undefined means they are not allowed here (42P20). */
  windows?: WindowSink;
  /** Set-returning calls of the select list, already planned as ProjectSet columns. */
  srfs?: ReadonlyMap<Expr, ScalarExpr>;
  clause: string;
}

export function bindExpr(e: Expr, env: ExprEnv): ScalarExpr {
  const params = env.services.params;
  switch (e.kind) {
    case 'ColumnRef': {
      const c = env.scope.resolve(e.table, e.column, e.pos);
      if (c.outerSlot !== undefined) return { kind: 'OuterRef', slot: c.outerSlot, type: c.type };
      return { kind: 'Column', index: c.index, type: c.type, name: c.tableAlias ? `${c.tableAlias}.${c.name}` : c.name, pos: e.pos };
    }
    case 'Star':
      throw new SqlError(SqlState.SyntaxError, 'syntax error at or near "*"', { position: e.pos });
    case 'Literal':
      return bindLiteral(e.literal, e.value, e.pos);
    case 'TypedLiteral': {
      const t = resolveTypeName(e.typeName);
      return coerce({ kind: 'Literal', value: e.value, type: T.unknown }, t, 'explicit', params, e.pos);
    }
    case 'Param': {
      if (e.index < 1) throw new SqlError(SqlState.UndefinedParameter, `there is no parameter $${e.index}`, { position: e.pos });
      return { kind: 'Param', index: e.index - 1, type: params.get(e.index - 1) };
    }
    case 'Unary':
      return bindUnary(e.op, e.arg, env, e.pos);
    case 'Binary':
      return bindBinary(e.op, e.left, e.right, env, e.pos);
    case 'IsNull':
      return { kind: 'IsNull', arg: bindExpr(e.arg, env), negated: e.negated, type: T.bool };
    case 'IsBool': {
      const arg = requireBoolean(bindExpr(e.arg, env), `IS ${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'}`, params, e.pos);
      return { kind: 'IsBool', arg, value: e.value, negated: e.negated, type: T.bool };
    }
    case 'IsDistinct': {
      const [l, r, t] = bindComparable(e.left, e.right, env, e.pos);
      return { kind: 'IsDistinct', left: l, right: r, eq: equalsFn(t), negated: e.negated, type: T.bool };
    }
    case 'Between': {
      const argL = bindBinary('>=', e.arg, e.low, env, e.pos);
      const argH = bindBinary('<=', e.arg, e.high, env, e.pos);
      let r: ScalarExpr = { kind: 'And', args: [argL, argH], type: T.bool };
      if (e.symmetric) {
        const l2 = bindBinary('>=', e.arg, e.high, env, e.pos);
        const h2 = bindBinary('<=', e.arg, e.low, env, e.pos);
        r = { kind: 'Or', args: [r, { kind: 'And', args: [l2, h2], type: T.bool }], type: T.bool };
      }
      return e.negated ? { kind: 'Not', arg: r, type: T.bool } : r;
    }
    case 'InList': {
      const arg = bindExpr(e.arg, env);
      const items = e.list.map((x) => bindExpr(x, env));
      const t = commonSupertype([arg.type, ...items.map((i) => i.type)], 'IN');
      const ct = t.id === TypeId.Unknown ? T.text : t;
      return {
        kind: 'InList',
        arg: coerce(arg, ct, 'implicit', params, e.pos),
        list: items.map((i) => coerce(i, ct, 'implicit', params, e.pos)),
        eq: equalsFn(ct),
        negated: e.negated,
        type: T.bool,
      };
    }
    case 'InSubquery': {
      const bound = env.services.bindSubquery(e.query, env.scope);
      const { outer } = bound;
      let plan = bound.plan;
      if (plan.fields.length !== 1) throw new SqlError(SqlState.SyntaxError, 'subquery has too many columns', { position: e.pos });
      let arg = bindExpr(e.arg, env);
      const st = plan.fields[0].type;
      const t = commonSupertype([arg.type, st], 'IN');
      arg = coerce(arg, t, 'implicit', params, e.pos);
      // bigint IN (SELECT int): the subquery's column is cast to the common type.
      if (t.id !== st.id) {
        const cast = coerce({ kind: 'Column', index: 0, type: st }, t, 'implicit', params, e.pos);
        plan = { kind: 'Project', input: plan, exprs: [cast], fields: [{ name: plan.fields[0].name, type: t }] };
      }
      return { kind: 'InSubquery', arg, plan, eq: equalsFn(t), negated: e.negated, outer, type: T.bool };
    }
    case 'Exists': {
      const { plan, outer } = env.services.bindSubquery(e.query, env.scope);
      return { kind: 'Subquery', mode: 'exists', plan, negated: e.negated, outer, type: T.bool };
    }
    case 'ScalarSubquery': {
      const { plan, outer } = env.services.bindSubquery(e.query, env.scope);
      if (plan.fields.length !== 1) throw new SqlError(SqlState.SyntaxError, 'subquery must return only one column', { position: e.pos });
      return { kind: 'Subquery', mode: 'scalar', plan, negated: false, outer, type: plan.fields[0].type };
    }
    case 'FieldSelect': {
      const arg = bindExpr(e.arg, env);
      const fields = arg.type.id === TypeId.Record ? arg.type.fields ?? [] : undefined;
      if (!fields) {
        throw new SqlError(SqlState.WrongObjectType, `column notation .${e.field} applied to type ${typeDisplayName(arg.type)}, which is not a composite type`, { position: e.pos });
      }
      const k = fields.findIndex((f) => f.name === e.field);
      if (k < 0) throw new SqlError(SqlState.UndefinedColumn, `could not identify column "${e.field}" in record data type`, { position: e.pos });
      return { kind: 'Call', name: `.${e.field}`, impl: ([r]) => (r as SqlRecord).values[k], strict: true, volatility: 'immutable', args: [arg], type: fields[k].type };
    }
    case 'ArraySubquery': {
      const { plan, outer } = env.services.bindSubquery(e.query, env.scope);
      if (plan.fields.length !== 1) throw new SqlError(SqlState.SyntaxError, 'subquery must return only one column', { position: e.pos });
      const et = plan.fields[0].type.id === TypeId.Unknown ? T.text : plan.fields[0].type;
      return { kind: 'Subquery', mode: 'array', plan, negated: false, outer, type: arrayOf(et) };
    }
    case 'Quantified': {
      if (!('kind' in e.right) || !isExprNode(e.right)) {
        const asIn = quantifiedSubqueryAsIn(e.op, e.quantifier);
        if (!asIn) throw new SqlError(SqlState.FeatureNotSupported, `${e.op} ${e.quantifier.toUpperCase()} (subquery) is not supported yet`, { position: e.pos });
        return bindExpr({ kind: 'InSubquery', arg: e.left, query: e.right, negated: asIn.negated, pos: e.pos }, env);
      }
      return bindQuantifiedArray(e.op, e.quantifier, e.left, e.right, (x) => bindExpr(x, env), params, e.pos);
    }
    case 'Like': {
      if (e.escape) return bindLikeEscape(e, env);
      const op = (e.negated ? '!' : '') + (e.caseInsensitive ? '~~*' : '~~');
      return bindBinary(op, e.arg, e.pattern, env, e.pos);
    }
    case 'Case':
      return bindCase(e, env);
    case 'Cast': {
      const t = resolveTypeName(e.typeName);
      if (e.arg.kind === 'Array' && t.id === TypeId.Array) return bindArrayConstructor(e.arg, (x) => bindExpr(x, env), params, t);
      const arg = bindExpr(e.arg, env);
      const reg = bindRegCast(arg, t);
      if (reg) return reg;
      return coerce(arg, t, 'explicit', params, e.arg.kind === 'Literal' ? e.arg.pos ?? e.pos : e.pos);
    }
    case 'FuncCall':
      return bindFuncCall(e, env);
    case 'Default':
      throw new SqlError(SqlState.SyntaxError, 'DEFAULT is not allowed in this context', { position: e.pos });
    case 'Array':
      return bindArrayConstructor(e, (x) => bindExpr(x, env), params);
    case 'Subscript':
      return bindSubscript(e, (x) => bindExpr(x, env), params);
    case 'Row':
      throw new SqlError(SqlState.FeatureNotSupported, `${e.kind.toLowerCase()} expressions are not supported yet`, { position: e.pos });
  }
}

function isExprNode(x: unknown): x is Expr {
  return typeof x === 'object' && x !== null && 'kind' in x && (x as { kind: string }).kind !== 'Select' && (x as { kind: string }).kind !== 'SetOp' && (x as { kind: string }).kind !== 'Values';
}

const INT4_MAX = 2147483647n;
const INT4_MIN = -2147483648n;
const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

export function bindLiteral(kind: string, value: string | boolean | null, pos?: number): ScalarExpr {
  switch (kind) {
    case 'null':
      return { kind: 'Literal', value: null, type: T.unknown };
    case 'boolean':
      return { kind: 'Literal', value: value as boolean, type: T.bool };
    case 'string':
      return { kind: 'Literal', value: value as string, type: T.unknown };
    case 'integer': {
      const text = String(value);
      let b: bigint;
      try {
        b = BigInt(text);
      } catch {
        return { kind: 'Literal', value: Decimal.fromString(text), type: T.numeric };
      }
      if (b >= INT4_MIN && b <= INT4_MAX) return { kind: 'Literal', value: Number(b), type: T.int4 };
      if (b >= INT8_MIN && b <= INT8_MAX) return { kind: 'Literal', value: b, type: T.int8 };
      return { kind: 'Literal', value: Decimal.fromString(text), type: T.numeric };
    }
    case 'decimal':
      try {
        return { kind: 'Literal', value: Decimal.fromString(String(value)), type: T.numeric };
      } catch (err) {
        if (err instanceof SqlError) err.at(pos);
        throw err;
      }
    default:
      throw new SqlError(SqlState.InternalError, `unknown literal kind ${kind}`);
  }
}

function negateLiteralText(e: Expr): Expr | undefined {
  if (e.kind === 'Literal' && (e.literal === 'integer' || e.literal === 'decimal')) {
    const v = String(e.value);
    return { ...e, value: v.startsWith('-') ? v.slice(1) : '-' + v };
  }
  return undefined;
}

function bindUnary(op: string, argAst: Expr, env: ExprEnv, pos?: number): ScalarExpr {
  const params = env.services.params;
  const upper = op.toUpperCase();
  if (upper === 'NOT') {
    const arg = requireBoolean(bindExpr(argAst, env), 'NOT', params, pos);
    return fold({ kind: 'Not', arg, type: T.bool });
  }
  if (op === '-') {
    const neg = negateLiteralText(argAst);
    if (neg) return bindExpr(neg, env);
  }
  let arg = bindExpr(argAst, env);
  if (op === '+' && arg.type.id !== TypeId.Unknown) return arg;
  const r = resolveUnaryOperator(op, arg.type);
  if (!r) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${op} ${typeDisplayName(arg.type)}`, {
      position: pos,
      hint: 'No operator matches the given name and argument type. You might need to add an explicit type cast.',
    });
  }
  arg = coerce(arg, r.argType, 'implicit', params, pos);
  return fold({ kind: 'UnaryOp', op, impl: r.impl, arg, type: r.resultType });
}

function bindBinary(op: string, leftAst: Expr, rightAst: Expr, env: ExprEnv, pos?: number): ScalarExpr {
  const params = env.services.params;
  const upper = op.toUpperCase();
  if (upper === 'AND' || upper === 'OR') {
    const l = requireBoolean(bindExpr(leftAst, env), upper, params, leftAst.pos ?? pos);
    const r = requireBoolean(bindExpr(rightAst, env), upper, params, rightAst.pos ?? pos);
    const kind = upper === 'AND' ? 'And' : 'Or';
    const args: ScalarExpr[] = [];
    for (const x of [l, r]) {
      if (x.kind === kind) args.push(...x.args);
      else args.push(x);
    }
    return fold({ kind, args, type: T.bool });
  }
  const normOp = op === '!=' ? '<>' : op;
  if (leftAst.kind === 'Row' && rightAst.kind === 'Row') return bindRowComparison(normOp, leftAst.elements, rightAst.elements, env, pos);
  const l = bindExpr(leftAst, env);
  const r = bindExpr(rightAst, env);
  return makeBinary(normOp, l, r, params, pos, leftAst.pos, rightAst.pos);
}

/** x [NOT] [I]LIKE pattern ESCAPE esc: the escape must be empty (no escape) or one character (22025). */
function bindLikeEscape(e: Extract<Expr, { kind: 'Like' }>, env: ExprEnv): ScalarExpr {
  const params = env.services.params;
  const text = (x: Expr) => coerce(bindExpr(x, env), T.text, 'implicit', params, x.pos ?? e.pos);
  const ci = e.caseInsensitive;
  const call: ScalarExpr = {
    kind: 'Call', name: ci ? 'ilike' : 'like', strict: true, volatility: 'immutable', type: T.bool,
    args: [text(e.arg), text(e.pattern), text(e.escape!)],
    impl: ([s, p, esc]) => {
      if ([...(esc as string)].length > 1) {
        throw new SqlError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
      }
      return likeMatch(s as string, p as string, ci, esc as string);
    },
  };
  return e.negated ? { kind: 'Not', arg: call, type: T.bool } : call;
}

/**
 * Row constructor comparison, `(a, b) < (c, d)`, as PostgreSQL: = and <> pairwise (AND / OR);
 * ordering operators lexicographic, deciding at the first pair that is unequal or NULL:
 * (a1, a2) < (b1, b2)  ==  a1 < b1 OR (a1 = b1 AND a2 < b2).
 */
function bindRowComparison(op: string, left: Expr[], right: Expr[], env: ExprEnv, pos?: number): ScalarExpr {
  if (left.length !== right.length) {
    throw new SqlError(SqlState.SyntaxError, 'unequal number of entries in row expressions', { position: pos });
  }
  const pair = (o: string, i: number) => bindBinary(o, left[i], right[i], env, pos);
  if (op === '=' || op === '<>') {
    const parts = left.map((_x, i) => pair(op, i));
    return parts.length === 1 ? parts[0] : fold({ kind: op === '=' ? 'And' : 'Or', args: parts, type: T.bool });
  }
  if (!['<', '<=', '>', '>='].includes(op)) {
    throw new SqlError(SqlState.FeatureNotSupported, `operator ${op} on row constructors is not supported`, { position: pos });
  }
  const strict = op === '<=' ? '<' : op === '>=' ? '>' : op;
  // Built from the last pair backwards: last = a_n op b_n; earlier = a_i strict b_i OR (a_i = b_i AND rest).
  let acc = pair(op, left.length - 1);
  for (let i = left.length - 2; i >= 0; i--) {
    const eq = pair('=', i);
    acc = fold({ kind: 'Or', args: [pair(strict, i), fold({ kind: 'And', args: [eq, acc], type: T.bool })], type: T.bool });
  }
  return acc;
}

export function makeBinary(op: string, l: ScalarExpr, r: ScalarExpr, params: ParamTypes, pos?: number, lpos?: number, rpos?: number): ScalarExpr {
  const resolved = resolveBinaryOperator(op, l.type, r.type);
  if (!resolved) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${typeDisplayName(l.type)} ${op} ${typeDisplayName(r.type)}`, {
      position: pos,
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  // A literal that does not fit is reported at the literal, as PostgreSQL does.
  const left = coerce(l, resolved.leftType, 'implicit', params, l.kind === 'Literal' ? lpos ?? pos : pos);
  const right = coerce(r, resolved.rightType, 'implicit', params, r.kind === 'Literal' ? rpos ?? pos : pos);
  return fold({ kind: 'BinaryOp', op, impl: resolved.impl, left, right, type: resolved.resultType });
}

/** Binds two expressions to be compared, coerced to one type (for IS DISTINCT FROM, NULLIF). */
function bindComparable(la: Expr, ra: Expr, env: ExprEnv, pos?: number): [ScalarExpr, ScalarExpr, SqlType] {
  const params = env.services.params;
  const l = bindExpr(la, env);
  const r = bindExpr(ra, env);
  const resolved = resolveBinaryOperator('=', l.type, r.type);
  if (!resolved) {
    throw new SqlError(SqlState.UndefinedFunction, `operator does not exist: ${typeDisplayName(l.type)} = ${typeDisplayName(r.type)}`, { position: pos });
  }
  const t = resolved.leftType.id === resolved.rightType.id ? resolved.leftType : commonSupertype([resolved.leftType, resolved.rightType], 'IS DISTINCT FROM');
  return [coerce(l, t, 'implicit', params, pos), coerce(r, t, 'implicit', params, pos), t];
}

function bindCase(e: Extract<Expr, { kind: 'Case' }>, env: ExprEnv): ScalarExpr {
  const params = env.services.params;
  const conds: ScalarExpr[] = [];
  for (const w of e.whens) {
    if (e.operand) conds.push(bindBinary('=', e.operand, w.when, env, w.when.pos ?? e.pos));
    else conds.push(requireBoolean(bindExpr(w.when, env), 'CASE/WHEN', params, w.when.pos ?? e.pos));
  }
  const results = e.whens.map((w) => bindExpr(w.then, env));
  const els = e.else ? bindExpr(e.else, env) : undefined;
  const all = els ? [...results, els] : results;
  let t = commonSupertype(all.map((x) => x.type), 'CASE');
  if (t.id === TypeId.Unknown) t = T.text;
  return fold({
    kind: 'Case',
    whens: conds.map((cond, i) => ({ cond, result: coerce(results[i], t, 'implicit', params, e.pos) })),
    else: els ? coerce(els, t, 'implicit', params, e.pos) : { kind: 'Literal', value: null, type: t },
    type: t,
  });
}

function bindFuncCall(e: FuncCallExpr, env: ExprEnv): ScalarExpr {
  const srf = env.srfs?.get(e);
  if (srf) return srf;
  const params = env.services.params;
  if (e.over) {
    if (env.windows) return env.windows.add(e);
    throw windowNotAllowed(env.clause, e.pos);
  }
  if (isAggregateCall(e)) {
    if (!env.aggregates) {
      throw new SqlError(SqlState.GroupingError, `aggregate functions are not allowed in ${env.clause}`, { position: e.pos });
    }
    return env.aggregates.add(e);
  }
  if (e.distinct || e.star || e.filter || e.orderBy) {
    throw new SqlError(SqlState.WrongObjectType, `${e.star ? '*' : e.distinct ? 'DISTINCT' : e.withinGroup ? 'WITHIN GROUP' : e.filter ? 'FILTER' : 'ORDER BY'} specified, but ${e.name} is not an aggregate function`, { position: e.pos });
  }
  const name = e.name;
  switch (name) {
    case 'coalesce': {
      const args = e.args.map((a) => bindExpr(a, env));
      let t = commonSupertype(args.map((a) => a.type), 'COALESCE');
      if (t.id === TypeId.Unknown) t = T.text;
      return fold({ kind: 'Coalesce', args: args.map((a) => coerce(a, t, 'implicit', params, e.pos)), type: t });
    }
    case 'nullif': {
      if (e.args.length !== 2) break;
      const [l, r, t] = bindComparable(e.args[0], e.args[1], env, e.pos);
      return fold({ kind: 'NullIf', left: l, right: r, eq: equalsFn(t), type: t.id === TypeId.Unknown ? T.text : t });
    }
    case 'greatest':
    case 'least': {
      if (e.args.length === 0) throw new SqlError(SqlState.SyntaxError, 'syntax error at or near ")"', { position: e.pos });
      const args = e.args.map((a) => bindExpr(a, env));
      let t = commonSupertype(args.map((a) => a.type), name.toUpperCase());
      if (t.id === TypeId.Unknown) t = T.text;
      return fold({ kind: 'GreatestLeast', greatest: name === 'greatest', args: args.map((a) => coerce(a, t, 'implicit', params, e.pos)), cmp: compareFn(t), type: t });
    }
  }
  const args = e.args.map((a) => bindExpr(a, env));
  const found = lookupFunction(name, args.map((a) => a.type));
  if (found.kind === 'Ambiguous') {
    const sig = `${name}(${args.map((a) => typeDisplayName(a.type)).join(', ')})`;
    throw new SqlError(SqlState.AmbiguousFunction, `function ${sig} is not unique`, {
      position: e.pos,
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  const fn = found.kind === 'Found' ? found.fn : null;
  if (!fn && WINDOW_ONLY_FUNCTIONS.has(name)) {
    throw new SqlError(SqlState.WrongObjectType, `window function ${name} requires an OVER clause`, { position: e.pos });
  }
  if (!fn) {
    const sig = `${e.schema ? e.schema + '.' : ''}${name}(${args.map((a) => typeDisplayName(a.type)).join(', ')})`;
    throw new SqlError(SqlState.UndefinedFunction, `function ${sig} does not exist`, {
      position: e.pos,
      hint: isKnownFunctionName(name)
        ? 'No function matches the given name and argument types. You might need to add explicit type casts.'
        : 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  const cast = args.map((a, i) => coerce(a, fn.argTypes[i] ?? a.type, 'implicit', params, e.args[i]?.pos ?? e.pos));
  return fold({ kind: 'Call', name, impl: fn.impl, strict: fn.strict, volatility: fn.volatility, args: cast, type: fn.returnType });
}

/** The error for a window function where none may appear (PostgreSQL's wording per clause). */
export function windowNotAllowed(clause: string, pos?: number): SqlError {
  if (clause === 'aggregate function calls' || clause === 'FILTER') {
    return new SqlError(SqlState.GroupingError, 'aggregate function calls cannot contain window function calls', { position: pos });
  }
  if (clause === 'window function calls') return new SqlError(SqlState.WindowingError, 'window function calls cannot be nested', { position: pos });
  return new SqlError(SqlState.WindowingError, `window functions are not allowed in ${clause}`, { position: pos });
}

/** Functions that exist only as window functions (42809 without OVER, as PostgreSQL). */
const WINDOW_ONLY_FUNCTIONS = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);

/** Constant-folds an expression whose inputs are all literals (PostgreSQL folds at plan time too). */
function fold(e: ScalarExpr): ScalarExpr {
  if (e.kind === 'Literal' || !isConstant(e) || containsParam(e)) return e;
  const f = compileExpr(e, { ctx: newEvalContext() });
  let value: Value;
  try {
    value = f([]);
  } catch {
    // Left for execution: it may sit in a branch never taken (CASE WHEN true THEN 1 ELSE 1/0 END).
    return e;
  }
  return { kind: 'Literal', value, type: e.type };
}

function containsParam(e: ScalarExpr): boolean {
  if (e.kind === 'Param') return true;
  if (e.kind === 'Call' && e.volatility !== 'immutable') return true;
  let found = false;
  const visit = (x: ScalarExpr) => { if (!found && containsParam(x)) found = true; };
  switch (e.kind) {
    case 'Call': case 'And': case 'Or': case 'Coalesce': case 'GreatestLeast': e.args.forEach(visit); break;
    case 'BinaryOp': case 'IsDistinct': case 'NullIf': visit(e.left); visit(e.right); break;
    case 'UnaryOp': case 'Not': case 'IsNull': case 'IsBool': visit(e.arg); break;
    case 'Case': e.whens.forEach((w) => { visit(w.cond); visit(w.result); }); visit(e.else); break;
    case 'InList': visit(e.arg); e.list.forEach(visit); break;
    default: break;
  }
  return found;
}

export { undefinedColumn, sqlType };
