/** Small query helpers shared by the end-to-end tests. */
import assert from 'node:assert/strict';
import type pg from 'pg';

/** The result rows as arrays (no column-name mapping). */
export async function arrayRows(client: pg.Client, sql: string, values: unknown[] = []): Promise<unknown[][]> {
  return (await client.query({ text: sql, values, rowMode: 'array' })).rows as unknown[][];
}

/** The SQLSTATE the statement fails with; fails the test if it succeeds. */
export async function errorCode(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (e) {
    return (e as { code: string }).code;
  }
  assert.fail(`expected an error from: ${sql}`);
}

/** Rows as a sorted list of JSON strings, for comparing results as multisets. */
export function sortedJson(rows: unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}
