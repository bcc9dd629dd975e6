/** System relations visible to SQL (eddy_errors, eddy_late_rows, ...), registered with the binder and the engine. */
import { T } from '../../runtime/sql/types.js';
import type { Row } from '../../runtime/sql/values.js';
import type { SystemTable } from '../../planner/bind/bind-select.js';
import type { Engine } from '../../runtime/engine.js';
import type { UsersStore } from '../../runtime/catalog/users-store.js';
import { catalogSource, registerCatalogTables } from '../catalog/catalog-source.js';

export const EDDY_ERRORS: SystemTable = {
  objectId: 1,
  name: 'eddy_errors',
  fields: [
    { name: 'id', type: T.int8 },
    { name: 'object', type: T.text },
    { name: 'epoch', type: T.int8 },
    { name: 'sqlstate', type: T.text },
    { name: 'message', type: T.text },
    { name: 'row', type: T.text },
    { name: 'at', type: T.timestamptz },
  ],
};

/** Rows dropped as late (event time below the stream's watermark), newest LATE_ROWS_RETAINED kept. */
export const EDDY_LATE_ROWS: SystemTable = {
  objectId: 2,
  name: 'eddy_late_rows',
  fields: [
    { name: 'id', type: T.int8 },
    { name: 'stream', type: T.text },
    { name: 'epoch', type: T.int8 },
    { name: 'event_time', type: T.timestamptz },
    { name: 'watermark', type: T.timestamptz },
    { name: 'row', type: T.text },
    { name: 'at', type: T.timestamptz },
  ],
};

/** Per stream: rows accepted, late rows dropped, event time and watermark. */
export const EDDY_STREAMS: SystemTable = {
  objectId: 3,
  name: 'eddy_streams',
  fields: [
    { name: 'name', type: T.text },
    { name: 'rows_accepted', type: T.int8 },
    { name: 'late_rows', type: T.int8 },
    { name: 'rows_retained', type: T.int8 },
    { name: 'retention', type: T.text },
    { name: 'event_time_column', type: T.text },
    { name: 'watermark_delay', type: T.interval },
    { name: 'max_event_time', type: T.timestamptz },
    { name: 'watermark', type: T.timestamptz },
    { name: 'idle_timeout', type: T.interval },
    { name: 'last_input_at', type: T.timestamptz },
    { name: 'connector', type: T.text },
    { name: 'source_status', type: T.text },
    { name: 'malformed_rows', type: T.int8 },
  ],
};

/** Per stateful operator of every MV: state entries held and approximate bytes. */
export const EDDY_OPERATOR_STATE: SystemTable = {
  objectId: 4,
  name: 'eddy_operator_state',
  fields: [
    { name: 'materialized_view', type: T.text },
    { name: 'node', type: T.int4 },
    { name: 'operator', type: T.text },
    { name: 'state_rows', type: T.int8 },
    { name: 'state_bytes', type: T.int8 },
  ],
};

/** Per sink: its object, connector, status, the last epoch the target holds and what waits in its outbox. */
export const EDDY_SINKS: SystemTable = {
  objectId: 5,
  name: 'eddy_sinks',
  fields: [
    { name: 'name', type: T.text },
    { name: 'from', type: T.text },
    { name: 'connector', type: T.text },
    { name: 'status', type: T.text },
    { name: 'written_epoch', type: T.int8 },
    { name: 'pending_epochs', type: T.int8 },
    { name: 'pending_changes', type: T.int8 },
  ],
};

export function systemTables(engine: Engine, users: () => UsersStore | undefined = () => undefined): Map<string, SystemTable> {
  engine.systemScanners.set(EDDY_ERRORS.objectId, () => engine.scanErrors());
  engine.systemScanners.set(EDDY_LATE_ROWS.objectId, () => engine.scanLateRows());
  engine.systemScanners.set(EDDY_STREAMS.objectId, () => engine.streamStats());
  engine.systemScanners.set(EDDY_OPERATOR_STATE.objectId, () => operatorState(engine));
  engine.systemScanners.set(EDDY_SINKS.objectId, () => engine.sinkStats());
  const eddy = [EDDY_ERRORS, EDDY_LATE_ROWS, EDDY_STREAMS, EDDY_OPERATOR_STATE, EDDY_SINKS];
  const all = new Map(eddy.map((t) => [t.name, t]));
  registerCatalogTables(engine, catalogSource(engine, eddy, users), all);
  return all;
}

function operatorState(engine: Engine): Row[] {
  const rows: Row[] = [];
  for (const rt of engine.mvs.values()) {
    for (const s of rt.dataflow.stateStats()) rows.push([rt.obj.name, s.node, s.label, BigInt(s.rows), BigInt(s.bytes)]);
  }
  return rows.sort((a, b) => (a[0] as string).localeCompare(b[0] as string) || (a[1] as number) - (b[1] as number));
}
