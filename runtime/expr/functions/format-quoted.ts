/**
 * A double-quoted literal inside a to_char/to_timestamp format ("text", with \\" escapes):
 * calls `emit` for each character and returns the index after the closing quote.
 * `start` is the index of the opening quote.
 */
export function scanQuotedFormatText(fmt: string, start: number, emit: (ch: string) => void): number {
  let i = start + 1;
  while (i < fmt.length) {
    if (fmt[i] === '"') return i + 1;
    if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
    const ch = String.fromCodePoint(fmt.codePointAt(i)!);
    emit(ch);
    i += ch.length;
  }
  return i;
}
