/** CommandComplete tag for a statement that returned rows: PostgreSQL counts rows only for some. */
const COUNTED = new Set(['SELECT', 'FETCH', 'MOVE', 'COPY']);

export function rowsTag(prefix: string, rows: number): string {
  return COUNTED.has(prefix) ? `${prefix} ${rows}` : prefix;
}
