/**
 * PostgreSQL's function overload resolution (parse_func.c: func_get_detail, func_match_argtypes,
 * func_select_candidate), over the overloads of one name:
 *
 *   1. an overload whose argument types equal the inputs exactly wins;
 *   2. otherwise keep the overloads every input can reach by implicit casts ('unknown' reaches all);
 *   3. among several, keep those with the most exact matches, then those with the most exact
 *      or preferred-type matches (float8 for numbers, text for strings, timestamptz for datetimes);
 *   4. then resolve 'unknown' inputs by category: string if any candidate takes a string there,
 *      else the one category all candidates agree on, preferring its preferred type;
 *   5. finally, if all known inputs share one type, assume the unknowns are of that type too.
 *
 *   round(int4)   -> round(float8)       (float8 is preferred over numeric)
 *   length('abc') -> length(text)        (text is the preferred string type)
 */
import { TypeId } from '../../sql/types.js';
import type { ArgSpec, FunctionDef } from './function-def.js';
import { canCoerceArg, isPreferred, slotCategory } from './implicit-coercion.js';

export interface Candidate {
  readonly def: FunctionDef;
  /** One slot per actual argument (variadic slots expanded). */
  readonly slots: readonly ArgSpec[];
}

export type Selection =
  | { readonly kind: 'Found'; readonly candidate: Candidate }
  | { readonly kind: 'NotFound' }
  | { readonly kind: 'Ambiguous' };

function expand(def: FunctionDef, nargs: number): ArgSpec[] | null {
  if (def.variadic === undefined) return def.args.length === nargs ? [...def.args] : null;
  if (nargs < def.args.length + 1) return null;
  const slots = [...def.args];
  while (slots.length < nargs) slots.push(def.variadic);
  return slots;
}

export function selectOverload(defs: readonly FunctionDef[], inputs: readonly TypeId[]): Selection {
  const nargs = inputs.length;
  const all: Candidate[] = [];
  for (const def of defs) {
    const slots = expand(def, nargs);
    if (slots !== null) all.push({ def, slots });
  }
  // 1. Exact match (PostgreSQL prefers a non-variadic one; the first declared wins otherwise).
  const exact = all.filter((c) => c.slots.every((s, i) => s === inputs[i]));
  if (exact.length > 0) {
    return { kind: 'Found', candidate: exact.find((c) => c.def.variadic === undefined) ?? exact[0] };
  }
  // 2. Reachable by implicit coercion.
  const reachable = all.filter((c) => c.slots.every((s, i) => canCoerceArg(inputs[i], s)));
  if (reachable.length === 0) return { kind: 'NotFound' };
  if (reachable.length === 1) return { kind: 'Found', candidate: reachable[0] };
  const best = selectCandidate(reachable, inputs);
  return best === null ? { kind: 'Ambiguous' } : { kind: 'Found', candidate: best };
}

/** Keeps the candidates with the highest score; returns them. */
function keepBest(cands: readonly Candidate[], score: (c: Candidate) => number): Candidate[] {
  let max = -1;
  let kept: Candidate[] = [];
  for (const c of cands) {
    const s = score(c);
    if (s > max) {
      max = s;
      kept = [c];
    } else if (s === max) kept.push(c);
  }
  return kept;
}

/** func_select_candidate. */
function selectCandidate(candidates: readonly Candidate[], inputs: readonly TypeId[]): Candidate | null {
  const nargs = inputs.length;
  const unknown = inputs.map((t) => t === TypeId.Unknown);
  const nunknowns = unknown.filter(Boolean).length;
  const inputCategory = inputs.map((t) => slotCategory(t));

  // Most exact matches.
  let cands = keepBest(candidates, (c) => c.slots.filter((s, i) => !unknown[i] && s === inputs[i]).length);
  if (cands.length === 1) return cands[0];

  // Most exact-or-preferred matches where coercion is needed.
  cands = keepBest(cands, (c) =>
    c.slots.filter((s, i) => !unknown[i] && (s === inputs[i] || (isPreferred(s) && slotCategory(s) === inputCategory[i])))
      .length,
  );
  if (cands.length === 1) return cands[0];

  if (nunknowns === 0) return null;

  // Resolve unknown inputs by category.
  const slotCat: (string | null)[] = new Array<string | null>(nargs).fill(null);
  const slotHasPreferred: boolean[] = new Array<boolean>(nargs).fill(false);
  let resolvedUnknowns = true;
  for (let i = 0; i < nargs && resolvedUnknowns; i++) {
    if (!unknown[i]) continue;
    let haveConflict = false;
    for (const c of cands) {
      const cat = slotCategory(c.slots[i]);
      const pref = isPreferred(c.slots[i]);
      if (slotCat[i] === null) {
        slotCat[i] = cat;
        slotHasPreferred[i] = pref;
      } else if (cat === slotCat[i]) {
        slotHasPreferred[i] ||= pref;
      } else if (cat === 'string') {
        // An unknown literal prefers the string category when one is available.
        slotCat[i] = cat;
        slotHasPreferred[i] = pref;
      } else {
        haveConflict = true;
      }
    }
    if (haveConflict && slotCat[i] !== 'string') resolvedUnknowns = false;
  }
  if (resolvedUnknowns) {
    const kept = cands.filter((c) =>
      c.slots.every((s, i) => !unknown[i] || (slotCategory(s) === slotCat[i] && (!slotHasPreferred[i] || isPreferred(s)))),
    );
    if (kept.length === 1) return kept[0];
    if (kept.length > 0) cands = kept;
  }

  // If all known inputs have one type, assume the unknowns have it too.
  if (nunknowns < nargs) {
    let knownType: TypeId | null = null;
    for (let i = 0; i < nargs; i++) {
      if (unknown[i]) continue;
      if (knownType === null) knownType = inputs[i];
      else if (knownType !== inputs[i]) {
        knownType = null;
        break;
      }
    }
    if (knownType !== null) {
      const kt = knownType;
      const fit = cands.filter((c) => c.slots.every((s) => canCoerceArg(kt, s)));
      if (fit.length === 1) return fit[0];
    }
  }
  return null;
}
