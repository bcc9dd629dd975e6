/** The real PostgreSQL on this machine, used as a reference engine. Required under CI=true. */
import pg from 'pg';

export async function connectPostgres(): Promise<pg.Client | undefined> {
  const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  try {
    await c.connect();
    return c;
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL on 127.0.0.1:5432 is required under CI=true: ${(e as Error).message}`);
    console.warn(`# PostgreSQL on 127.0.0.1:5432 is not reachable (${(e as Error).message}); reference checks are skipped`);
    return undefined;
  }
}
