/**
 * Adapter: the PostgreSQL text output of a value of a known type, for functions taking "any"
 * (concat, format, quote_literal). TEMPORARY fallback until runtime/sql/text-io.ts lands.
 */
import type { SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';

export function textFormatter(t: SqlType): (v: Value) => string {
  return (v) => fallbackFormat(v, t);
}

function fallbackFormat(v: Value, t: SqlType): string {
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'string') return v;
  void t;
  return String(v);
}
