/**
 * Composite (record) values: what a multi-column set-returning function yields per row in a
 * select list, e.g. information_schema._pg_expandarray(a) -> (x, n). The static type carries
 * the field names and types (SqlType.fields); `(r).field` reads one.
 */
import type { Value } from './values.js';

export class SqlRecord {
  constructor(readonly values: readonly Value[]) {}
}

/** PostgreSQL's record output: (a,"b c",) — NULL is empty, fields with special characters quoted. */
export function formatRecordText(r: SqlRecord, formatField: (i: number, v: Value) => string): string {
  const parts = r.values.map((v, i) => {
    if (v === null) return '';
    const s = formatField(i, v);
    return s === '' || /[(),"\\\s]/.test(s) ? '"' + s.replace(/["\\]/g, (ch) => ch + ch) + '"' : s;
  });
  return '(' + parts.join(',') + ')';
}
