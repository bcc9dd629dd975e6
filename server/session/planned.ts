import type { Row, Value } from '../../runtime/sql/values.js';
import type { SqlType } from '../../runtime/sql/types.js';
import type { CancelSignal, ColumnDesc, StatementResult } from './session-api.js';

/** A cell of an INSERT ... VALUES row that must be evaluated per execution (it reads parameters). */
export class Compiled {
  constructor(readonly fn: (row: Row) => Value) {}
}

/** An executable statement: run(params) produces the result. */
export interface Planned {
  catalogVersion: number;
  run(params: Value[], cancel: CancelSignal): Promise<StatementResult> | StatementResult;
  columns: ColumnDesc[] | null;
  paramTypes: SqlType[];
}

