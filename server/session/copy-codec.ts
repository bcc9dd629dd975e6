/**
 * PostgreSQL's COPY text and CSV formats: options, an incremental decoder (records may span
 * CopyData chunks, CSV quoted fields may span lines) and the row encoder for COPY TO.
 *
 *   text:  "1\tO\\'Brien\t\\N\n"      -> ['1', "O'Brien", null]     (\N is NULL; backslash escapes)
 *   csv:   '1,"a,b",,""\n'           -> ['1', 'a,b', null, '']    (unquoted empty is NULL)
 *
 * Field values stay text here; the caller converts them with the column type's input function.
 */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';

/** PostgreSQL's ERRCODE_BAD_COPY_FILE_FORMAT (not in the shared SQLSTATE table yet). */
export const BAD_COPY_FILE_FORMAT = '22P04' as SqlState;

export interface CopyFormat {
  csv: boolean;
  delimiter: string;
  /** The text that stands for NULL (`\N` in text format, the empty string in CSV). */
  nullString: string;
  header: boolean;
  quote: string;
  escape: string;
}

const KNOWN_OPTIONS = new Set(['format', 'header', 'delimiter', 'null', 'quote', 'escape', 'encoding', 'freeze', 'force_quote', 'force_not_null', 'force_null', 'default']);

function optionError(message: string, code: SqlState = SqlState.InvalidParameterValue): SqlError {
  return new SqlError(code, message);
}

function boolOption(name: string, v: string): boolean {
  switch (v.toLowerCase()) {
    case 'true': case 'on': case '1': case 'yes': return true;
    case 'false': case 'off': case '0': case 'no': return false;
    default: throw optionError(`${name} requires a Boolean value`, SqlState.SyntaxError);
  }
}

/** Validates COPY's options as PostgreSQL's ProcessCopyOptions does. */
export function copyFormatFromOptions(options: Readonly<Record<string, string>>): CopyFormat {
  for (const k of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(k)) throw optionError(`option "${k}" not recognized`, SqlState.SyntaxError);
  }
  const format = (options['format'] ?? 'text').toLowerCase();
  if (format === 'binary') throw new SqlError(SqlState.FeatureNotSupported, 'COPY BINARY is not supported', { hint: 'Use FORMAT text or FORMAT csv.' });
  if (format !== 'text' && format !== 'csv') throw optionError(`COPY format "${format}" not recognized`);
  const csv = format === 'csv';
  const delimiter = options['delimiter'] ?? (csv ? ',' : '\t');
  if (delimiter.length !== 1 || Buffer.byteLength(delimiter) !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'COPY delimiter must be a single one-byte character');
  if (delimiter === '\r' || delimiter === '\n') throw optionError('COPY delimiter cannot be newline or carriage return');
  const nullString = options['null'] ?? (csv ? '' : '\\N');
  if (nullString.includes('\r') || nullString.includes('\n')) throw optionError('COPY null representation cannot use newline or carriage return');
  if (!csv && (options['quote'] !== undefined || options['escape'] !== undefined)) {
    throw new SqlError(SqlState.FeatureNotSupported, `COPY ${options['quote'] !== undefined ? 'quote' : 'escape'} available only in CSV mode`);
  }
  const quote = options['quote'] ?? '"';
  const escape = options['escape'] ?? quote;
  if (csv) {
    if (quote.length !== 1 || Buffer.byteLength(quote) !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'COPY quote must be a single one-byte character');
    if (escape.length !== 1 || Buffer.byteLength(escape) !== 1) throw new SqlError(SqlState.FeatureNotSupported, 'COPY escape must be a single one-byte character');
    if (delimiter === quote) throw optionError('COPY delimiter and quote must be different');
  } else if ('\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delimiter.toLowerCase())) {
    throw optionError(`COPY delimiter cannot be "${delimiter}"`);
  }
  if (nullString.includes(delimiter)) throw optionError('COPY delimiter character must not appear in the NULL specification');
  const header = options['header'] === undefined ? false : boolOption('header', options['header']);
  return { csv, delimiter, nullString, header, quote, escape };
}

/** A decoded record: field texts (null for NULL) and the 1-based line it started on. */
export type RecordHandler = (fields: (string | null)[], line: number) => void;

/**
 * Decodes COPY input incrementally: `write` each chunk of text, then `end`. Complete records go to
 * the handler as they are found; only the unfinished tail of the input is kept. Stops at the
 * end-of-data marker `\.`.
 */
export class CopyDecoder {
  private pending = '';
  /** Line number of the next line to be read (1-based). */
  private line = 1;
  private headerPending: boolean;
  private finished = false;

  constructor(private readonly fmt: CopyFormat, private readonly onRecord: RecordHandler) {
    this.headerPending = fmt.header;
  }

  /** The line the decoder is at (for error context). */
  get currentLine(): number {
    return this.line;
  }

  write(text: string): void {
    if (this.finished) return;
    const buf = this.pending.length === 0 ? text : this.pending + text;
    const used = this.fmt.csv ? this.csvRecords(buf, false) : this.textRecords(buf, false);
    this.pending = used >= buf.length ? '' : buf.slice(used);
  }

  end(): void {
    if (this.finished) return;
    const buf = this.pending;
    this.pending = '';
    if (buf.length > 0) {
      if (this.fmt.csv) this.csvRecords(buf, true);
      else this.textRecords(buf, true);
    }
    this.finished = true;
  }

  private emit(fields: (string | null)[], line: number): void {
    if (this.headerPending) {
      this.headerPending = false;
      return;
    }
    this.onRecord(fields, line);
  }

  /** Parses whole lines from `buf`; returns how many characters were consumed. */
  private textRecords(buf: string, final: boolean): number {
    let pos = 0;
    const n = buf.length;
    while (pos < n && !this.finished) {
      let nl = buf.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      let end = nl;
      if (end > pos && buf.charCodeAt(end - 1) === 13) end--;
      const lineText = buf.slice(pos, end);
      pos = nl + 1;
      const line = this.line++;
      if (lineText === '\\.') {
        this.finished = true;
        break;
      }
      this.emit(this.textFields(lineText, line), line);
    }
    return Math.min(pos, n);
  }

  private textFields(lineText: string, line: number): (string | null)[] {
    const { delimiter, nullString } = this.fmt;
    const raw = lineText.split(delimiter);
    const hasBackslash = lineText.includes('\\');
    if (!hasBackslash) return raw.map((f) => (f === nullString ? null : f));
    // A backslash may escape the delimiter itself: re-split honouring escapes.
    const fields: string[] = [];
    let cur = '';
    for (let i = 0; i < lineText.length; i++) {
      const ch = lineText[i];
      if (ch === '\\' && i + 1 < lineText.length) {
        cur += ch + lineText[i + 1];
        i++;
      } else if (ch === delimiter) {
        fields.push(cur);
        cur = '';
      } else cur += ch;
    }
    fields.push(cur);
    return fields.map((f) => (f === nullString ? null : f.includes('\\') ? unescapeText(f, line) : f));
  }

  /** Parses whole CSV records from `buf`; returns how many characters were consumed. */
  private csvRecords(buf: string, final: boolean): number {
    const { delimiter, quote, escape, nullString } = this.fmt;
    const n = buf.length;
    let pos = 0;
    while (pos < n && !this.finished) {
      const start = pos;
      const startLine = this.line;
      let lines = 0;
      const fields: (string | null)[] = [];
      let field = '';
      let quoted = false;
      let inQuotes = false;
      let i = pos;
      let complete = false;
      // Fast path: a whole line without quotes is just split on the delimiter.
      const nl = buf.indexOf('\n', pos);
      if (nl >= 0) {
        const lineText = buf.slice(pos, nl > pos && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
        if (!lineText.includes(quote) && !lineText.includes('\r') && lineText !== '\\.') {
          const rec: (string | null)[] = lineText.split(delimiter);
          for (let k = 0; k < rec.length; k++) if (rec[k] === nullString) rec[k] = null;
          this.line++;
          pos = nl + 1;
          this.emit(rec, startLine);
          continue;
        }
      }
      // `\.` alone on a line ends the data.
      if (buf.startsWith('\\.', i) && (buf.charCodeAt(i + 2) === 10 || (buf.charCodeAt(i + 2) === 13 && buf.charCodeAt(i + 3) === 10) || (final && i + 2 === n))) {
        this.finished = true;
        return n;
      }
      while (i < n) {
        const ch = buf[i];
        if (inQuotes) {
          if (ch === escape && escape !== quote && buf[i + 1] !== undefined && (buf[i + 1] === quote || buf[i + 1] === escape)) {
            field += buf[i + 1];
            i += 2;
            continue;
          }
          if (ch === quote) {
            if (escape === quote && buf[i + 1] === quote) {
              field += quote;
              i += 2;
              continue;
            }
            if (i + 1 >= n && !final) break; // the next chunk may hold the doubled quote
            inQuotes = false;
            i++;
            continue;
          }
          if (ch === '\n') lines++;
          field += ch;
          i++;
          continue;
        }
        if (ch === quote) {
          inQuotes = true;
          quoted = true;
          i++;
          continue;
        }
        if (ch === delimiter) {
          fields.push(!quoted && field === nullString ? null : field);
          field = '';
          quoted = false;
          i++;
          continue;
        }
        if (ch === '\n' || ch === '\r') {
          fields.push(!quoted && field === nullString ? null : field);
          i++;
          if (ch === '\r' && buf[i] === '\n') i++;
          else if (ch === '\r' && i >= n && !final) { i = -1; break; }
          complete = true;
          break;
        }
        field += ch;
        i++;
      }
      if (i === -1) return start;
      if (!complete) {
        if (!final) return start;
        if (inQuotes) throw new SqlError(BAD_COPY_FILE_FORMAT, 'unterminated CSV quoted field', { detail: `line ${startLine}` });
        fields.push(!quoted && field === nullString ? null : field);
        i = n;
      }
      this.line += lines + 1;
      pos = i;
      this.emit(fields, startLine);
    }
    return pos;
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Undoes COPY text escapes: \b \f \n \r \t \v \\ \digits (octal) \xhh; any other escaped char is
 * itself. Octal and hex escapes are *bytes*, as in PostgreSQL: consecutive ones are decoded as
 * UTF-8 together (\xc3\xa9 is é), and bytes that are not valid UTF-8 are 22021.
 */
export function unescapeText(s: string, line = 0): string {
  let out = '';
  let bytes: number[] = [];
  const badBytes = (hex: string) =>
    new SqlError('22021' as SqlState, `invalid byte sequence for encoding "UTF8": ${hex}`, { detail: line > 0 ? `line ${line}` : undefined });
  const flushBytes = () => {
    if (bytes.length === 0) return;
    try {
      out += STRICT_UTF8.decode(Uint8Array.from(bytes));
    } catch {
      throw badBytes(bytes.map((x) => '0x' + x.toString(16).padStart(2, '0')).join(' '));
    }
    bytes = [];
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '\\' || i + 1 >= s.length) {
      flushBytes();
      out += ch;
      continue;
    }
    const c = s[++i];
    if (c === 'x') {
      let j = i + 1;
      while (j < s.length && j < i + 3 && /[0-9a-fA-F]/.test(s[j])) j++;
      if (j > i + 1) {
        const code = parseInt(s.slice(i + 1, j), 16);
        if (code === 0) throw badBytes('0x00');
        bytes.push(code);
        i = j - 1;
        continue;
      }
    } else if (c >= '0' && c <= '7') {
      let j = i;
      while (j < s.length && j < i + 3 && s[j] >= '0' && s[j] <= '7') j++;
      const code = parseInt(s.slice(i, j), 8) & 0xff;
      if (code === 0) throw badBytes('0x00');
      bytes.push(code);
      i = j - 1;
      continue;
    }
    flushBytes();
    switch (c) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      default: out += c;
    }
  }
  flushBytes();
  return out;
}

/** Encodes one row (field texts, null for NULL) as a COPY line including its newline. */
export function encodeCopyRow(fmt: CopyFormat, fields: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += fmt.delimiter;
    const f = fields[i];
    if (f === null) line += fmt.nullString;
    else line += fmt.csv ? csvField(fmt, f) : textField(fmt.delimiter, f);
  }
  return line + '\n';
}

function textField(delimiter: string, s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 92 || s[i] === delimiter) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\': out += '\\\\'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\v': out += '\\v'; break;
      default: out += ch === delimiter ? '\\' + ch : ch;
    }
  }
  return out;
}

function csvField(fmt: CopyFormat, s: string): string {
  const { quote, escape, delimiter, nullString } = fmt;
  const needs = s === nullString || s === '\\.' || s.includes(delimiter) || s.includes(quote) || s.includes('\n') || s.includes('\r') || (escape !== quote && s.includes(escape));
  if (!needs) return s;
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === escape) out += escape;
    out += ch;
  }
  return out + quote;
}
