/**
 * Splits an HTTP ingest body into one buffer per record without parsing the records, so the
 * stream's JSON format decodes each exactly (big integers and numerics keep every digit):
 *
 *   '[{"a":1}, {"a":2}]'      -> ['{"a":1}', '{"a":2}']      a JSON array
 *   '{"a":1}'                 -> ['{"a":1}']                 one object
 *   '{"a":1}\n{"a":2}\n'      -> ['{"a":1}', '{"a":2}']      NDJSON (blank lines skipped)
 */

/** Thrown for a body that is not an array, an object or NDJSON; the message says where. */
export class BodyShapeError extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function splitRecords(body: Buffer, ndjson: boolean): Buffer[] {
  let i = 0;
  while (i < body.length && WS.has(body[i])) i++;
  if (i === body.length) return [];
  if (!ndjson && body[i] === 0x5b /* [ */) return splitArray(body, i);
  const out: Buffer[] = [];
  let start = 0;
  for (let j = 0; j <= body.length; j++) {
    if (j === body.length || body[j] === 0x0a) {
      const line = body.subarray(start, j);
      if (!isBlank(line)) out.push(line);
      start = j + 1;
    }
  }
  return out;
}

function isBlank(b: Buffer): boolean {
  for (const c of b) if (!WS.has(c)) return false;
  return true;
}

/** Elements of a top-level JSON array, found by tracking nesting and strings only. */
function splitArray(body: Buffer, open: number): Buffer[] {
  const out: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let start = open + 1;
  let closed = -1;
  for (let j = open + 1; j < body.length; j++) {
    const c = body[j];
    if (inString) {
      if (c === 0x5c /* \ */) j++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) {
        if (c !== 0x5d) throw new BodyShapeError(`unexpected "}" at byte ${j}`);
        closed = j;
        break;
      }
      depth--;
    } else if (c === 0x2c /* , */ && depth === 0) {
      const el = body.subarray(start, j);
      if (isBlank(el)) throw new BodyShapeError(`empty array element before byte ${j}`);
      out.push(el);
      start = j + 1;
    }
  }
  if (closed < 0) throw new BodyShapeError('the JSON array is not closed');
  const last = body.subarray(start, closed);
  if (!isBlank(last)) out.push(last);
  else if (out.length > 0) throw new BodyShapeError(`trailing comma before byte ${closed}`);
  if (!isBlank(body.subarray(closed + 1))) throw new BodyShapeError(`unexpected data after the array at byte ${closed + 1}`);
  return out;
}
