/**
 * PostgreSQL counts characters, not UTF-16 units: length('😀a') = 2. These helpers work on code
 * points, with a fast path for the common case of strings without surrogate pairs.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}

/** Number of characters (code points). */
export function charLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The characters of s. */
export function chars(s: string): string[] {
  return hasSurrogates(s) ? Array.from(s) : s.split('');
}

/** Characters [start, end) (0-based, clamped), like String.prototype.slice on code points. */
export function sliceChars(s: string, start: number, end?: number): string {
  if (!hasSurrogates(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join('');
}

/** 1-based character position of needle in haystack, 0 if absent (strpos). */
export function charPosition(haystack: string, needle: string): number {
  const i = haystack.indexOf(needle);
  if (i <= 0) return i + 1;
  return hasSurrogates(haystack) ? charLength(haystack.slice(0, i)) + 1 : i + 1;
}

/** UTF-8 byte length. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
