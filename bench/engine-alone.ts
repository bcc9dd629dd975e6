/**
 * The engine alone, without the wire: the same stream and MV built directly on the runtime's
 * Engine (wired to the planner exactly as server/main.ts does), and the same batches pushed as
 * pre-built rows (k -> number, v -> bigint) through `engine.submit(tx => appendToStream(...))`.
 * No sockets, no SQL text and no parsing per batch; epochs, the dataflow, the live table and
 * the SQLite commit are all the real ones. The same number of batches is kept in flight as the
 * wire benchmark has connections, so epochs group a similar number of statements.
 *
 * The gap between this and the wire figure is what the protocol, the per-statement parse,
 * bind and value conversion, and the client cost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, type EngineLogger } from '../runtime/engine.js';
import type { CatalogObject, ColumnSchema } from '../runtime/catalog/catalog.js';
import type { Row } from '../runtime/sql/values.js';
import { T, TypeId } from '../runtime/sql/types.js';
import { parseStatement } from '../parser/parse.js';
import type { Query } from '../parser/ast.js';
import type { BinderEnvironment } from '../planner/bind/bind-select.js';
import { resolveTypeName } from '../planner/bind/type-names.js';
import { bindQuery, liveKeyOf, lowerToDataflow } from '../planner/planner.js';
import { systemTables } from '../server/session/system-tables.js';
import { MV_DDL, STREAM_DDL, verifyAggregate, type Workload } from './workload.js';

export interface EngineAloneOptions {
  /** Batches in flight at once (the wire benchmark's connection count). */
  inFlight: number;
}

export interface EngineAloneResult {
  rows: number;
  seconds: number;
  rowsPerSec: number;
  /** Process CPU (user+system) seconds during the timed part. */
  cpuSeconds: number;
  epochs: number;
}

const silent: EngineLogger = { info() {}, warn() {}, error() {}, debug() {} };

function parseQuery(text: string): Query {
  const s = parseStatement(text);
  if (s.kind !== 'Query') throw new Error('stored view definition is not a query');
  return s.query;
}

/** Creates the stream and the MV the way server/session/session.ts does for the same DDL. */
async function createObjects(engine: Engine, env: BinderEnvironment): Promise<{ stream: CatalogObject; mv: CatalogObject }> {
  const sd = parseStatement(STREAM_DDL);
  if (sd.kind !== 'CreateStream') throw new Error('unexpected stream DDL');
  const streamColumns: ColumnSchema[] = sd.columns.map((c) => ({ name: c.name, type: resolveTypeName(c.typeName), notNull: c.notNull }));
  const stream = await engine.submit((tx) => {
    const obj: CatalogObject = {
      id: engine.catalog.allocateId(), name: sd.name, kind: 'stream', columns: streamColumns, primaryKey: [], liveKey: null,
      createSql: '', dependsOn: [], options: {}, createdEpoch: tx.epoch,
    };
    engine.createObject(tx, obj);
    return obj;
  }, { exclusive: true });

  const md = parseStatement(MV_DDL);
  if (md.kind !== 'CreateMaterializedView') throw new Error('unexpected MV DDL');
  const bound = bindQuery(md.query, env);
  const columns: ColumnSchema[] = bound.plan.fields.map((f) => ({ name: f.name, type: f.type.id === TypeId.Unknown ? T.text : f.type, notNull: false }));
  const mv = await engine.submit((tx) => {
    const obj: CatalogObject = {
      id: engine.catalog.allocateId(), name: md.name, kind: 'mv', columns, primaryKey: [], liveKey: liveKeyOf(bound.plan),
      queryText: md.queryText, createSql: '', dependsOn: [...bound.dependencies], options: {}, createdEpoch: tx.epoch,
    };
    engine.createObject(tx, obj);
    return obj;
  }, { exclusive: true });
  return { stream, mv };
}

export async function runEngineAlone(w: Workload, opts: EngineAloneOptions): Promise<EngineAloneResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-bench-engine-'));
  let env!: BinderEnvironment;
  const engine = new Engine({
    dataDir: dir,
    logger: silent,
    buildDataflow: (mv, catalog) => lowerToDataflow(bindQuery(parseQuery(mv.queryText ?? ''), env).plan, { catalog }),
  });
  env = { catalog: engine.catalog, systemTables: systemTables(engine), parseQuery };
  engine.open();
  try {
    const { stream, mv } = await createObjects(engine, env);
    const batches: Row[][] = w.batches.map(([start, end]) => {
      const rows: Row[] = new Array(end - start);
      for (let i = start; i < end; i++) rows[i - start] = [w.k[i], BigInt(w.v[i])];
      return rows;
    });

    let next = 0;
    const epoch0 = engine.epoch;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        while (next < batches.length) {
          const rows = batches[next++];
          await engine.submit((tx) => engine.appendToStream(tx, stream, rows));
        }
      }),
    );
    await engine.flush();
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const epochs = engine.epoch - epoch0;

    const live = [...engine.scan({ kind: 'mv', objectId: mv.id, name: mv.name })] as [unknown, unknown, unknown][];
    const problems = verifyAggregate(w, live);
    if (problems.length > 0) throw new Error(`the MV does not hold the expected totals: ${problems.join('; ')}`);

    const seconds = (t1 - t0) / 1000;
    return { rows: w.cfg.rows, seconds, rowsPerSec: w.cfg.rows / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, epochs };
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
