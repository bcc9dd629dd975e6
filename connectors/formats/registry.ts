/**
 * The record formats by name, as the FORMAT of a stream or sink names them.
 */
import type { FormatFactory } from '../../runtime/connector/format.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { avroFormat } from './avro.js';
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';

export const formats: ReadonlyMap<string, FormatFactory> = new Map(
  [jsonFormat, csvFormat, avroFormat].map((f) => [f.name, f] as const),
);

/** The format called `name` (case-insensitive); 22023 for an unknown one. */
export function formatFor(name: string): FormatFactory {
  const f = formats.get(name.toLowerCase());
  if (f === undefined) {
    throw new SqlError(SqlState.InvalidParameterValue, `unknown format "${name}"`, {
      hint: `Valid formats are ${[...formats.keys()].join(', ')}.`,
    });
  }
  return f;
}
