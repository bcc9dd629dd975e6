/**
 * Runs one SQL statement against a sink's target database and prints the rows of its result, one
 * line per row, values separated by single spaces, NULL as NULL (the way the slt runner renders
 * query results), so a `system ok` record can compare them:
 *
 *   node dist/tests/slt/support/sql-check.js mysql "SELECT page, n FROM t ORDER BY page"
 *   node dist/tests/slt/support/sql-check.js pg "DROP TABLE IF EXISTS t"
 *
 * The targets come from $EDDY_SLT_MYSQL_URL / $EDDY_SLT_PG_URL (set by the slt runner; see
 * services.ts), defaulting to the machine's MariaDB and PostgreSQL (database test). Values are
 * the databases' own text: MySQL dates/decimals/bigints as strings, PostgreSQL's text output.
 * Exit code 1 with the error on stderr when the statement fails.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';

function render(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v); // mysql2 parses JSON columns
  const s = String(v);
  return s === '' ? '(empty)' : s.trim().replace(/\s+/g, ' ');
}

async function runMysql(sql: string): Promise<unknown[][]> {
  const url = new URL(process.env.EDDY_SLT_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const c = await mysql.createConnection({
    host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password), database: url.pathname.slice(1) || 'test',
    supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, timezone: 'Z', decimalNumbers: false,
  });
  try {
    const [rows] = await c.query({ sql, rowsAsArray: true });
    return Array.isArray(rows) ? (rows as unknown[][]) : [];
  } finally {
    await c.end();
  }
}

const RAW_TEXT = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

async function runPg(sql: string): Promise<unknown[][]> {
  const c = new pg.Client({ connectionString: process.env.EDDY_SLT_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test' });
  await c.connect();
  try {
    const res = await c.query({ text: sql, rowMode: 'array', types: RAW_TEXT });
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return (last?.rows ?? []) as unknown[][];
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const [target, sql] = process.argv.slice(2);
  if ((target !== 'mysql' && target !== 'pg') || !sql) {
    process.stderr.write('usage: sql-check.js mysql|pg "SQL"\n');
    process.exit(2);
  }
  const rows = target === 'mysql' ? await runMysql(sql) : await runPg(sql);
  for (const r of rows) process.stdout.write(`${r.map(render).join(' ')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`sql-check: ${(e as Error).message}\n`);
  process.exit(1);
});
