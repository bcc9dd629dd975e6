/**
 * The scalar function catalogue: every overload of every built-in function, declared as data in
 * one file per family, and PostgreSQL's overload resolution over them.
 *
 *   resolveFunction('round', [T.int4])          -> round(float8) returning float8
 *   resolveFunction('length', [T.unknown])      -> length(text) returning int4
 *   resolveFunction('concat', [T.int4, T.text]) -> concat(VARIADIC "any"), argTypes [int4, text]
 *   resolveFunction('nosuch', [])               -> null (the binder raises 42883)
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { arrayOf, sqlType, T, TypeId, type SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import type { EvalContext } from '../eval-context.js';
import type { FunctionDef, Volatility } from './function-def.js';
import { selectOverload } from './overload-resolution.js';
import { MATH_FUNCTIONS } from './math.js';
import { STRING_FUNCTIONS } from './string.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import { JSON_FUNCTIONS } from './json.js';
import { SYSTEM_FUNCTIONS } from './system.js';
import { ARRAY_FUNCTIONS } from './array.js';
import { CATALOG_FUNCTIONS } from './catalog.js';

export interface ResolvedFunction {
  name: string;
  /** Types the binder must cast each argument to before calling (same length as the call's args). */
  argTypes: SqlType[];
  returnType: SqlType;
  /** Called with already-cast argument values. When strict, the compiler never calls it with a NULL argument (returns NULL instead). */
  impl: (args: Value[], ctx: EvalContext) => Value;
  strict: boolean;
  volatility: Volatility;
}

/** Like resolveFunction, but tells "no such function" from "ambiguous call" (42883 vs 42725). */
export type FunctionLookup =
  | { readonly kind: 'Found'; readonly fn: ResolvedFunction }
  | { readonly kind: 'NotFound' }
  | { readonly kind: 'Ambiguous' };

const BY_NAME: ReadonlyMap<string, readonly FunctionDef[]> = (() => {
  const m = new Map<string, FunctionDef[]>();
  for (const family of [MATH_FUNCTIONS, STRING_FUNCTIONS, DATETIME_FUNCTIONS, JSON_FUNCTIONS, SYSTEM_FUNCTIONS, ARRAY_FUNCTIONS, CATALOG_FUNCTIONS]) {
    for (const def of family) {
      const list = m.get(def.name);
      if (list) list.push(def);
      else m.set(def.name, [def]);
    }
  }
  return m;
})();

export function lookupFunction(name: string, argTypes: readonly SqlType[]): FunctionLookup {
  const defs = BY_NAME.get(name.toLowerCase());
  if (defs === undefined) return { kind: 'NotFound' };
  const sel = selectOverload(
    defs,
    argTypes.map((t) => t.id),
  );
  if (sel.kind !== 'Found') return sel;
  const { def, slots } = sel.candidate;
  const resolved = slots.map((slot, i): SqlType => {
    if (slot === TypeId.Array) return argTypes[i].id === TypeId.Array ? argTypes[i] : arrayOf(T.text);
    if (slot !== 'any' && slot !== 'anyelement') return sqlType(slot);
    if (argTypes[i].id !== TypeId.Unknown) return argTypes[i];
    // An untyped literal next to an array argument takes the array's element type (array_remove(a, 'x')).
    const arr = slot === 'anyelement' ? argTypes.find((t) => t.id === TypeId.Array && t.elem) : undefined;
    if (arr) return arr.elem!;
    // "any" takes an untyped literal as text; a polymorphic parameter cannot (PostgreSQL 42804).
    if (slot === 'any') return def.keepUnknown ? argTypes[i] : T.text;
    throw new SqlError(
      SqlState.DatatypeMismatch,
      'could not determine polymorphic type because input has type unknown',
    );
  });
  const returnType = typeof def.returns === 'function' ? def.returns(resolved) : def.returns;
  const impl = def.impl ?? def.bind?.(resolved);
  if (impl === undefined) throw new Error(`function ${def.name} declares neither impl nor bind`);
  return {
    kind: 'Found',
    fn: { name: def.name, argTypes: resolved, returnType, impl, strict: def.strict, volatility: def.volatility },
  };
}

/**
 * Resolves a call. Returns null when no overload fits (the binder raises 42883); throws 42804 for
 * an untyped literal passed to a polymorphic parameter (to_jsonb('x')), as PostgreSQL does.
 */
export function resolveFunction(name: string, argTypes: SqlType[]): ResolvedFunction | null {
  const r = lookupFunction(name, argTypes);
  return r.kind === 'Found' ? r.fn : null;
}

export function isKnownFunctionName(name: string): boolean {
  return BY_NAME.has(name.toLowerCase());
}

/** Every registered function name (for \df-style listings and tests). */
export function functionNames(): string[] {
  return [...BY_NAME.keys()].sort();
}
