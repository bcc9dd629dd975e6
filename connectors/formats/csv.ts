/**
 * The `csv` format: one RFC 4180 record per payload, fields positional (field i = column i),
 * values in PostgreSQL's text form (what COPY ... CSV reads and writes).
 *
 * NULL follows COPY's CSV rules: an unquoted field equal to `csv.null` (default: the empty
 * string) is NULL, a quoted one never is, so `,"",` is an empty string and `,,` is NULL.
 */
import { isUtf8 } from 'node:buffer';
import type {
  DecodeError,
  DecodedBatch,
  FormatColumn,
  FormatFactory,
  FormatOptions,
  RecordDecoder,
  RecordEncoder,
} from '../../runtime/connector/format.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import { formatText, parseText } from '../../runtime/sql/text-io.js';
import { EMPTY_RECORD, booleanOption, checkOptionKeys, columnDecodeError, optionError } from './common.js';

const CSV_OPTIONS: readonly string[] = ['csv.delimiter', 'csv.header', 'csv.null'];

interface CsvSettings {
  delimiter: string;
  header: boolean;
  nullText: string;
}

/** Reads and checks the options (22023 for a bad one). */
function settings(options: FormatOptions): CsvSettings {
  checkOptionKeys('csv', CSV_OPTIONS, options);
  let delimiter = options['csv.delimiter'] ?? ',';
  // WITH lists are SQL strings, where a tab is awkward to type: accept the escape spelling too.
  if (delimiter === '\\t') delimiter = '\t';
  if ([...delimiter].length !== 1) {
    throw optionError(`CSV delimiter must be a single character, got "${delimiter}"`);
  }
  if (delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw optionError(`CSV delimiter cannot be ${delimiter === '"' ? 'the quote character' : 'a newline'}`);
  }
  const nullText = options['csv.null'] ?? '';
  if (nullText.includes(delimiter) || nullText.includes('"') || nullText.includes('\r') || nullText.includes('\n')) {
    throw optionError(`CSV null string "${nullText}" cannot contain the delimiter, a quote or a newline`);
  }
  return { delimiter, header: booleanOption(options, 'csv.header', false), nullText };
}

// ------------------------------------------------------------------------------ decoding

function syntaxError(message: string): SqlError {
  return new SqlError(SqlState.InvalidTextRepresentation, message);
}

/**
 * Splits one CSV record into fields; NULL (an unquoted field equal to `nullText`) is null. One
 * trailing line terminator is ignored (line-based transports may leave it on). A quote inside
 * an unquoted field is taken literally, as most CSV readers do.
 */
export function parseCsvRecord(text: string, delimiter: string, nullText: string): (string | null)[] {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 0x0a) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 0x0d) end--;
  const fields: (string | null)[] = [];
  let i = 0;
  for (;;) {
    if (i < end && text.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0 || q >= end) throw syntaxError('unterminated CSV quoted field');
        if (q + 1 < end && text.charCodeAt(q + 1) === 0x22) {
          value += text.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        value += text.slice(j, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i >= end) break;
      if (!text.startsWith(delimiter, i)) {
        throw syntaxError(`unexpected character after a closing quote in CSV field ${fields.length}`);
      }
      i += delimiter.length;
    } else {
      const d = text.indexOf(delimiter, i);
      const stop = d < 0 || d >= end ? end : d;
      const value = text.slice(i, stop);
      fields.push(value === nullText ? null : value);
      if (stop >= end) break;
      i = stop + delimiter.length;
    }
  }
  return fields;
}

class CsvDecoder implements RecordDecoder {
  private readonly types: SqlType[];
  private readonly names: string[];
  private readonly lowerNames: string[];

  constructor(
    columns: readonly FormatColumn[],
    private readonly s: CsvSettings,
  ) {
    this.types = columns.map((c) => c.type);
    this.names = columns.map((c) => c.name);
    this.lowerNames = columns.map((c) => c.name.toLowerCase());
  }

  private isHeader(fields: readonly (string | null)[]): boolean {
    if (fields.length !== this.lowerNames.length) return false;
    for (let c = 0; c < fields.length; c++) {
      let f = fields[c];
      // A file's first line may start with a byte order mark.
      if (c === 0 && f !== null && f.charCodeAt(0) === 0xfeff) f = f.slice(1);
      if (f === null || f.toLowerCase() !== this.lowerNames[c]) return false;
    }
    return true;
  }

  async decodeBatch(payloads: readonly (Buffer | null)[]): Promise<DecodedBatch> {
    const rows: (Row | undefined)[] = new Array(payloads.length);
    const errors: DecodeError[] = [];
    let skipped: number[] | undefined;
    const { types, names } = this;
    const n = types.length;
    for (let i = 0; i < payloads.length; i++) {
      rows[i] = undefined;
      const payload = payloads[i];
      // A zero-length payload is a record with one empty field (a one-column NULL row), but a
      // missing one (a Kafka tombstone) is not a record at all.
      if (payload === null) {
        errors.push({ index: i, message: EMPTY_RECORD, sqlstate: SqlState.InvalidParameterValue });
        continue;
      }
      if (!isUtf8(payload)) {
        errors.push({ index: i, message: 'invalid byte sequence for encoding "UTF8"', sqlstate: SqlState.InvalidTextRepresentation });
        continue;
      }
      let fields: (string | null)[];
      try {
        fields = parseCsvRecord(payload.toString('utf8'), this.s.delimiter, this.s.nullText);
      } catch (e) {
        errors.push({ index: i, message: (e as Error).message, sqlstate: SqlState.InvalidTextRepresentation });
        continue;
      }
      if (this.s.header && this.isHeader(fields)) {
        (skipped ??= []).push(i);
        continue;
      }
      if (fields.length !== n) {
        errors.push({
          index: i,
          message: `CSV record has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${n}`,
          sqlstate: SqlState.InvalidParameterValue,
        });
        continue;
      }
      const row: Row = new Array(n);
      let c = 0;
      try {
        for (; c < n; c++) {
          const f = fields[c];
          row[c] = f === null ? null : parseText(types[c], f);
        }
      } catch (e) {
        errors.push(columnDecodeError(i, names[c], e));
        continue;
      }
      rows[i] = row;
    }
    return skipped === undefined ? { rows, errors } : { rows, errors, skipped };
  }
}

// ------------------------------------------------------------------------------ encoding

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

class CsvEncoder implements RecordEncoder {
  readonly contentType = 'text/csv';
  private readonly types: SqlType[];
  private readonly needsQuote: RegExp;

  constructor(
    columns: readonly FormatColumn[],
    private readonly s: CsvSettings,
  ) {
    this.types = columns.map((c) => c.type);
    this.needsQuote = new RegExp(`[${escapeRegExp(s.delimiter)}"\\r\\n]`);
  }

  private field(v: Value, type: SqlType): string {
    if (v === null || v === undefined) return this.s.nullText;
    const t = formatText(type, v);
    // A value spelled like the null marker is quoted so it does not read back as NULL.
    if (t === this.s.nullText || this.needsQuote.test(t)) return '"' + t.replaceAll('"', '""') + '"';
    return t;
  }

  /** One row as a CSV record, without a line terminator (framing is the transport's). */
  encodeRow(row: Row): string {
    const { types } = this;
    let out = '';
    for (let c = 0; c < types.length; c++) {
      if (c > 0) out += this.s.delimiter;
      out += this.field(row[c], types[c]);
    }
    return out;
  }

  async encodeBatch(rows: readonly Row[]): Promise<Buffer[]> {
    const out: Buffer[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = Buffer.from(this.encodeRow(rows[i]), 'utf8');
    return out;
  }
}

// ------------------------------------------------------------------------------ factory

export const csvFormat: FormatFactory = {
  name: 'csv',
  options: CSV_OPTIONS,
  validate(_columns: readonly FormatColumn[], options: FormatOptions): void {
    settings(options);
  },
  decoder(columns: readonly FormatColumn[], options: FormatOptions): RecordDecoder {
    return new CsvDecoder(columns, settings(options));
  },
  encoder(columns: readonly FormatColumn[], options: FormatOptions): RecordEncoder {
    return new CsvEncoder(columns, settings(options));
  },
};
