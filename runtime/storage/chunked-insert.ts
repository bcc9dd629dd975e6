/**
 * Writes many rows with one multi-row INSERT per chunk instead of one statement call per row:
 * the per-call overhead of better-sqlite3 dominates bulk commits (about 12% of ingest CPU).
 */
import type { SqliteDb } from './database.js';
import type Database from 'better-sqlite3';

type Param = number | string | bigint | null;

export class ChunkedInsert {
  private readonly single: Database.Statement;
  private readonly chunk: Database.Statement;
  private readonly buf: Param[];
  private n = 0;

  /** `head` is e.g. `INSERT OR REPLACE INTO t (a, b)`; `width` the number of columns. */
  constructor(db: SqliteDb, head: string, private readonly width: number, private readonly rowsPerChunk = 64) {
    const tuple = `(${Array.from({ length: width }, () => '?').join(', ')})`;
    this.single = db.prepare(`${head} VALUES ${tuple}`);
    this.chunk = db.prepare(`${head} VALUES ${Array.from({ length: rowsPerChunk }, () => tuple).join(', ')}`);
    this.buf = new Array<Param>(width * rowsPerChunk);
  }

  /** Adds one row (exactly `width` values); writes a full chunk when one is ready. */
  add(...values: Param[]): void {
    const at = this.n * this.width;
    for (let i = 0; i < this.width; i++) this.buf[at + i] = values[i];
    if (++this.n === this.rowsPerChunk) {
      this.chunk.run(this.buf);
      this.n = 0;
    }
  }

  /** Forgets rows not yet written (after a failed transaction). */
  discard(): void {
    this.n = 0;
  }

  /** Writes the rows of an incomplete chunk. Call before the transaction commits. */
  flush(): void {
    for (let r = 0; r < this.n; r++) this.single.run(this.buf.slice(r * this.width, (r + 1) * this.width));
    this.n = 0;
  }
}
