/**
 * An Engine in this process, wired to the planner exactly as server/main.ts wires it, with an
 * in-process SqlSession for the DDL and the reads (no sockets). The benchmarks run their DDL and
 * result checks through `sql()` and push pre-built rows through `engine.submit(tx =>
 * engine.appendToStream(...))`, which is the part they time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EngineLogger } from '../runtime/engine.js';
import type { Row } from '../runtime/sql/values.js';
import { parseStatement } from '../parser/parse.js';
import type { Query } from '../parser/ast.js';
import type { BinderEnvironment } from '../planner/bind/bind-select.js';
import { bindQuery, lowerToDataflow } from '../planner/planner.js';
import { systemTables } from '../server/session/system-tables.js';
import { SqlSession } from '../server/session/session.js';
import { SERVER_VERSION } from '../server/main.js';

const silent: EngineLogger = { info() {}, warn() {}, error() {}, debug() {} };

function parseQuery(text: string): Query {
  const s = parseStatement(text);
  if (s.kind !== 'Query') throw new Error('stored view definition is not a query');
  return s.query;
}

export interface InProcess {
  engine: Engine;
  /** Runs statements through a session; returns the rows of the last one that returned rows. */
  sql(text: string): Promise<Row[]>;
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Open this data dir (new or existing) and keep it on close; default: a temp dir removed on close. */
  dataDir?: string;
}

export async function openInProcess(opts: InProcessOptions = {}): Promise<InProcess> {
  const ownsDir = opts.dataDir === undefined;
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-inproc-'));
  let env!: BinderEnvironment;
  const engine = new Engine({
    dataDir: dir,
    logger: silent,
    buildDataflow: (mv, catalog) => lowerToDataflow(bindQuery(parseQuery(mv.queryText ?? ''), env).plan, { catalog, emitOnWindowClose: mv.emit === 'window_close' }),
  });
  env = { catalog: engine.catalog, systemTables: systemTables(engine), parseQuery };
  engine.open();
  const session = new SqlSession({ engine, binderEnv: env, serverVersion: SERVER_VERSION }, {});
  const cancel = { cancelled: false };
  return {
    engine,
    async sql(text: string): Promise<Row[]> {
      let last: Row[] = [];
      for await (const r of session.simpleQuery(text, cancel)) {
        if (r.kind !== 'rows') continue;
        if (Array.isArray(r.rows)) last = r.rows;
        else {
          last = [];
          for await (const chunk of r.rows) for (const row of chunk) last.push(row);
        }
      }
      return last;
    },
    async close() {
      try {
        await engine.close();
      } finally {
        if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
