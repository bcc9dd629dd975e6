/**
 * Helpers shared by the record formats: option checking, column-name matching and the
 * per-column error wrapping that turns a conversion failure into a DecodeError.
 */
import { SqlError, isSqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import type { SqlType } from '../../runtime/sql/types.js';
import type { DecodeError, FormatColumn, FormatOptions } from '../../runtime/connector/format.js';

/**
 * Option namespaces owned by formats. The WITH list of a stream also carries transport options
 * (`topic`, `path`, ...), so a format cannot reject every key it does not know: it rejects the
 * keys inside these namespaces that it does not accept (a typo such as `csv.delimeter`, or
 * `avro.schema` on a CSV stream), and leaves every other key to the transport.
 */
const FORMAT_NAMESPACES = ['csv.', 'json.', 'avro.', 'schema.registry'];

export function checkOptionKeys(format: string, accepted: readonly string[], options: FormatOptions): void {
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    if (!FORMAT_NAMESPACES.some((ns) => key.startsWith(ns))) continue;
    const hint = accepted.length > 0 ? `Valid options for format ${format}: ${accepted.join(', ')}.` : `Format ${format} takes no options.`;
    throw new SqlError(SqlState.InvalidParameterValue, `option "${key}" is not valid for format ${format}`, { hint });
  }
}

export function optionError(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

/** Parses a 'true'/'false' option (PostgreSQL's boolean spellings). */
export function booleanOption(options: FormatOptions, key: string, dflt: boolean): boolean {
  const v = options[key];
  if (v === undefined) return dflt;
  switch (v.trim().toLowerCase()) {
    case 'true': case 'on': case 'yes': case '1': return true;
    case 'false': case 'off': case 'no': case '0': return false;
  }
  throw optionError(`option "${key}" requires a Boolean value, got "${v}"`);
}

/** PostgreSQL's display name of a column type, for messages. */
export function typeName(type: SqlType): string {
  return typeDisplayName(type);
}

/** A DecodeError for record `index` from a conversion error of column `column`. */
export function columnDecodeError(index: number, column: string, e: unknown): DecodeError {
  if (isSqlError(e)) return { index, message: `column "${column}": ${e.message}`, sqlstate: e.code };
  return { index, message: `column "${column}": ${errorText(e)}`, sqlstate: SqlState.InvalidTextRepresentation };
}

/** A DecodeError for the record as a whole (bad syntax, bad framing ...). */
export function recordDecodeError(index: number, e: unknown, sqlstate: string = SqlState.InvalidTextRepresentation): DecodeError {
  if (isSqlError(e)) return { index, message: e.message, sqlstate: e.code };
  return { index, message: errorText(e), sqlstate };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The message of the DecodeError for an empty payload (a Kafka tombstone, an empty line). */
export const EMPTY_RECORD = 'empty record';

/**
 * Resolves a record's field names to columns: exact match first, then case-insensitive (SQL
 * folds unquoted identifiers to lower case while producers often use camelCase), then through
 * `alt` (e.g. Avro's sanitized names). Returns, per column, the index into `fields` or -1.
 * A field is never bound to two columns: exact matches win, then columns in order.
 */
export function matchFields(
  columns: readonly FormatColumn[],
  fields: readonly string[],
  alt?: (column: string) => string,
): number[] {
  const out = columns.map(() => -1);
  const used = new Set<number>();
  const exact = new Map<string, number>();
  fields.forEach((f, i) => {
    if (!exact.has(f)) exact.set(f, i);
  });
  columns.forEach((c, ci) => {
    const i = exact.get(c.name);
    if (i !== undefined && !used.has(i)) {
      out[ci] = i;
      used.add(i);
    }
  });
  const tries: ((c: string) => string)[] = [(c) => c.toLowerCase()];
  if (alt !== undefined) tries.push((c) => alt(c).toLowerCase());
  for (const key of tries) {
    const byKey = new Map<string, number>();
    fields.forEach((f, i) => {
      const k = f.toLowerCase();
      if (!byKey.has(k) && !used.has(i)) byKey.set(k, i);
    });
    columns.forEach((c, ci) => {
      if (out[ci] >= 0) return;
      const i = byKey.get(key(c.name));
      if (i !== undefined && !used.has(i)) {
        out[ci] = i;
        used.add(i);
      }
    });
  }
  return out;
}
