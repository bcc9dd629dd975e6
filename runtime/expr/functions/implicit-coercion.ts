/**
 * The two facts overload resolution needs about types: which implicit casts exist (delegated to
 * runtime/sql/cast.ts) and which type is preferred in its category (pg_type.typispreferred).
 */
import { canCoerceImplicitly } from '../../sql/cast.js';
import { TypeId, typeCategory } from '../../sql/types.js';
import type { ArgSpec } from './function-def.js';

/** can_coerce_type(..., COERCION_IMPLICIT) for one argument; "any" accepts everything. */
export function canCoerceArg(from: TypeId, to: ArgSpec): boolean {
  return to === 'any' || to === 'anyelement' || canCoerceImplicitly(from, to);
}

/** The category of a slot as PostgreSQL's TypeCategory() sees it ("any" is a pseudo-type). */
export function slotCategory(spec: ArgSpec): string {
  return spec === 'any' || spec === 'anyelement' ? 'pseudo' : typeCategory(spec);
}

/** typispreferred: bool, float8, text, timestamptz and interval are preferred in their categories. */
export function isPreferred(spec: ArgSpec): boolean {
  switch (spec) {
    case TypeId.Bool:
    case TypeId.Float8:
    case TypeId.Text:
    case TypeId.Timestamptz:
    case TypeId.Interval:
      return true;
    default:
      return false;
  }
}
