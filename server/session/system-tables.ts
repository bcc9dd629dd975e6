/** System relations visible to SQL (eddy_errors, ...), registered with the binder and the engine. */
import { T } from '../../runtime/sql/types.js';
import type { SystemTable } from '../../planner/bind/bind-select.js';
import type { Engine } from '../../runtime/engine.js';

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

export function systemTables(engine: Engine): Map<string, SystemTable> {
  engine.systemScanners.set(EDDY_ERRORS.objectId, () => engine.scanErrors());
  return new Map([[EDDY_ERRORS.name, EDDY_ERRORS]]);
}
