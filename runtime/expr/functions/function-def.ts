/**
 * How a family file declares its functions: one FunctionDef per PostgreSQL overload, as data.
 * The registry (registry.ts) indexes them by name and performs overload resolution.
 *
 *   fn('abs', ['int4'], T.int4, ([x]) => absInt4(x as number))
 *   fn('concat', [], T.text, (args) => ..., { variadic: 'any', strict: false, volatility: 'stable' })
 */
import type { SqlType, TypeId } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import type { EvalContext } from '../eval-context.js';

/**
 * An argument slot: a concrete type, or a pseudo-type taking any type uncast: "any" (an untyped
 * literal becomes text) or anyelement (an untyped literal is an error, 42804, as in PostgreSQL).
 */
export type ArgSpec = TypeId | 'any' | 'anyelement';

export type Volatility = 'immutable' | 'stable' | 'volatile';

export type FunctionImpl = (args: Value[], ctx: EvalContext) => Value;

export interface FunctionDef {
  /** Lower-case SQL name. */
  readonly name: string;
  /** Fixed argument slots. */
  readonly args: readonly ArgSpec[];
  /**
   * PostgreSQL VARIADIC: after the fixed slots come one or more arguments of this spec
   * (PG requires at least one; a zero-argument form is declared as its own overload).
   */
  readonly variadic?: ArgSpec;
  /** Return type, or a function of the resolved argument types (after unknown -> text). */
  readonly returns: SqlType | ((argTypes: readonly SqlType[]) => SqlType);
  /**
   * The implementation. Functions taking "any" usually need the argument types to format their
   * values: they declare `bind` instead, called once per resolution with the resolved types.
   */
  readonly impl?: FunctionImpl;
  readonly bind?: (argTypes: readonly SqlType[]) => FunctionImpl;
  /** Default true: a NULL argument gives NULL without calling impl. */
  readonly strict: boolean;
  /** Default 'immutable'. */
  readonly volatility: Volatility;
  /** "any" slots keep an untyped literal as 'unknown' instead of text (pg_typeof('x') = unknown). */
  readonly keepUnknown?: boolean;
}

export interface FnOptions {
  variadic?: ArgSpec;
  strict?: boolean;
  volatility?: Volatility;
  keepUnknown?: boolean;
}

/** Declares an overload with an implementation that does not depend on the argument types. */
export function fn(
  name: string,
  args: readonly ArgSpec[],
  returns: FunctionDef['returns'],
  impl: FunctionImpl,
  opts: FnOptions = {},
): FunctionDef {
  return {
    name,
    args,
    variadic: opts.variadic,
    returns,
    impl,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'immutable',
  };
}

/** Declares an overload whose implementation is specialised on the resolved argument types. */
export function fnBind(
  name: string,
  args: readonly ArgSpec[],
  returns: FunctionDef['returns'],
  bind: (argTypes: readonly SqlType[]) => FunctionImpl,
  opts: FnOptions = {},
): FunctionDef {
  return {
    name,
    args,
    variadic: opts.variadic,
    returns,
    bind,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'immutable',
    keepUnknown: opts.keepUnknown,
  };
}

/** The same overload under other names (ceil/ceiling, substr/substring, ...). */
export function aliases(defs: readonly FunctionDef[], names: readonly string[]): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const d of defs) for (const name of names) out.push({ ...d, name });
  return out;
}
