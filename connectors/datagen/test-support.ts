/** Helpers for the datagen unit tests: a stream definition and a fake SourceContext that records pushes. */
import type { CatalogObject, ColumnSchema } from '../../runtime/catalog/catalog.js';
import type { SourceBatch, SourceConnector, SourceContext, SourceStatus } from '../../runtime/connector/source.js';
import type { JsonValue, Row } from '../../runtime/sql/values.js';

export function streamOf(columns: ColumnSchema[], options: Record<string, string>, eventTimeColumn?: number): CatalogObject {
  return {
    id: 1, name: 's', kind: 'stream', columns, primaryKey: [], liveKey: null, createSql: '', dependsOn: [], options, createdEpoch: 0,
    ...(eventTimeColumn === undefined ? {} : { eventTime: { column: eventTimeColumn, delayMicros: 0, exprSql: '' } }),
  };
}

/** Runs a source until it has pushed `stopAfterRows` rows (or finished), then stops it. */
export async function runSource(
  connector: SourceConnector, stream: CatalogObject, position: JsonValue | undefined, stopAfterRows = Infinity, timeoutMs = 10_000,
): Promise<{ rows: Row[]; positions: JsonValue[]; statuses: SourceStatus[] }> {
  const rows: Row[] = [];
  const positions: JsonValue[] = [];
  const statuses: SourceStatus[] = [];
  let stopped = false;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const ctx: SourceContext = {
    stream,
    position,
    log: { info() {}, warn() {}, error() {}, debug() {} },
    async push(batch: SourceBatch) {
      if (stopped) throw new Error('stopped');
      rows.push(...batch.rows);
      positions.push(batch.position);
      if (rows.length >= stopAfterRows) finished();
    },
    setStatus(s) {
      statuses.push(s);
      if (s.message?.startsWith('finished') || s.state === 'failed') finished();
    },
    committedPosition: () => positions[positions.length - 1],
    get stopped() {
      return stopped;
    },
  };
  const running = connector.start(ctx);
  const timer = setTimeout(finished, timeoutMs);
  await done;
  clearTimeout(timer);
  stopped = true;
  await running.stop();
  return { rows, positions, statuses };
}
