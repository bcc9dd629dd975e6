/**
 * The two facts overload resolution needs about types: which implicit casts exist and which
 * type is preferred in its category (PostgreSQL's pg_cast 'i' entries and typispreferred).
 */
import { TypeId, typeCategory } from '../../sql/types.js';
import type { ArgSpec } from './function-def.js';

/** PostgreSQL's implicit casts between the types Eddy knows (pg_cast, castcontext = 'i'). */
const IMPLICIT: Readonly<Record<TypeId, readonly TypeId[]>> = {
  [TypeId.Bool]: [],
  [TypeId.Int2]: [TypeId.Int4, TypeId.Int8, TypeId.Float4, TypeId.Float8, TypeId.Numeric],
  [TypeId.Int4]: [TypeId.Int8, TypeId.Float4, TypeId.Float8, TypeId.Numeric],
  [TypeId.Int8]: [TypeId.Float4, TypeId.Float8, TypeId.Numeric],
  [TypeId.Float4]: [TypeId.Float8],
  [TypeId.Float8]: [],
  [TypeId.Numeric]: [TypeId.Float4, TypeId.Float8],
  [TypeId.Text]: [TypeId.Varchar, TypeId.Bpchar],
  [TypeId.Varchar]: [TypeId.Text, TypeId.Bpchar],
  [TypeId.Bpchar]: [TypeId.Text, TypeId.Varchar],
  [TypeId.Date]: [TypeId.Timestamp, TypeId.Timestamptz],
  [TypeId.Timestamp]: [TypeId.Timestamptz],
  [TypeId.Timestamptz]: [],
  [TypeId.Interval]: [],
  [TypeId.Jsonb]: [],
  [TypeId.Unknown]: [],
};

/** can_coerce_type(..., COERCION_IMPLICIT) for one argument. */
export function canCoerceArg(from: TypeId, to: ArgSpec): boolean {
  if (to === 'any' || from === to || from === TypeId.Unknown) return true;
  return IMPLICIT[from].includes(to);
}

/** The category of a slot as PostgreSQL's TypeCategory() sees it ("any" is a pseudo-type). */
export function slotCategory(spec: ArgSpec): string {
  return spec === 'any' ? 'pseudo' : typeCategory(spec);
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
