/**
 * The PostgreSQL text output of a value of a known type, for functions taking "any"
 * (concat, format, quote_literal): the type's output function from runtime/sql/text-io.ts.
 */
import { formatText } from '../../sql/text-io.js';
import type { SqlType } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';

export function textFormatter(t: SqlType): (v: Value) => string {
  return (v) => formatText(t, v);
}
