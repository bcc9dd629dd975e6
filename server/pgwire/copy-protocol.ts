/**
 * The COPY sub-protocol's backend messages (text format only):
 *
 *   CopyInResponse  'G' | Int8 0 (text) | Int16 n | n x Int16 0
 *   CopyOutResponse 'H' | same layout
 *   CopyData        'd' | bytes            (one row per message, like PostgreSQL)
 *   CopyDone        'c'
 */
import type { BackendType, BackendWriter } from './backend.js';

const COPY_IN_RESPONSE = 0x47 as BackendType; // G
const COPY_OUT_RESPONSE = 0x48 as BackendType; // H
const COPY_DATA = 0x64 as BackendType; // d
const COPY_DONE = 0x63 as BackendType; // c

/** Frontend message types seen inside COPY FROM STDIN. */
export const CopyFrontend = {
  Data: 0x64, // d
  Done: 0x63, // c
  Fail: 0x66, // f
  Flush: 0x48, // H
  Sync: 0x53, // S
} as const;

function response(out: BackendWriter, type: BackendType, columns: number): void {
  const at = out.begin(type);
  out.u8(0);
  out.i16(columns);
  for (let i = 0; i < columns; i++) out.i16(0);
  out.end(at);
}

export function copyInResponse(out: BackendWriter, columns: number): void {
  response(out, COPY_IN_RESPONSE, columns);
}

export function copyOutResponse(out: BackendWriter, columns: number): void {
  response(out, COPY_OUT_RESPONSE, columns);
}

export function copyData(out: BackendWriter, line: string): void {
  const at = out.begin(COPY_DATA);
  out.utf8(line);
  out.end(at);
}

export function copyDone(out: BackendWriter): void {
  const at = out.begin(COPY_DONE);
  out.end(at);
}
