/**
 * ExtendedQuery: the extended query protocol of one connection — prepared statements (Parse,
 * Close 'S'), portals (Bind, Close 'P'), Describe and Execute with row limits. A portal that
 * returns rows keeps a RowCursor, so Execute(limit) sends `limit` rows and PortalSuspended and a
 * later Execute on the same portal continues where it stopped:
 *
 *   Bind(portal p of "select 5 rows") Execute(p, 2) Execute(p, 2) Execute(p, 2) Sync
 *   -> BindComplete  D D PortalSuspended  D D PortalSuspended  D CommandComplete('SELECT 1')  Z
 *
 * Errors are thrown as SqlError; the connection turns them into ErrorResponse and skips to Sync.
 */
import { rowsTag } from './row-tag.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Value } from '../../runtime/sql/values.js';
import type { ColumnDesc, Notice, Prepared, PreparedStatementRegistry, Session } from '../session/session-api.js';
import type { BackendWriter } from './backend.js';
import type { FrontendMessage } from './frontend.js';
import { RowCursor } from './row-cursor.js';
import {
  BAD_BINARY_MESSAGE,
  columnFormat,
  decodeBinary,
  decodeText,
  fieldDescription,
  fieldWriter,
  Format,
  oidToType,
  wireTypeOid,
  type FieldWriter,
} from './wire-format.js';

/** The mutable CancelSignal of a running statement. */
export interface StatementCancel {
  cancelled: boolean;
}

/** What ExtendedQuery needs from its connection. */
export interface ExtendedHost {
  readonly out: BackendWriter;
  beginStatement(resume?: StatementCancel): StatementCancel;
  endStatement(): void;
  streamRows(cursor: RowCursor, writers: FieldWriter[], limit: number, cancel: StatementCancel): Promise<number>;
  sendNotices(notices: readonly Notice[] | undefined): void;
  sendParameterChanges(): void;
  /** Sends an ErrorResponse (a FATAL one closes the connection). */
  sendError(err: SqlError): void;
}

type PortalState =
  | { kind: 'Unexecuted' }
  | {
      kind: 'Rows';
      cursor: RowCursor;
      writers: FieldWriter[];
      tagPrefix: string;
      columns: ColumnDesc[];
      /** The signal handed to session.execute; every later Execute of this portal resumes it. */
      cancel: StatementCancel;
    }
  /** Ran to completion; a further Execute repeats the tag (null: empty query) without running. */
  | { kind: 'Done'; tag: string | null }
  | { kind: 'Failed' };

interface Portal {
  readonly name: string;
  readonly stmt: Prepared;
  readonly params: Value[];
  readonly resultFormats: number[];
  state: PortalState;
}

type Msg<K extends FrontendMessage['kind']> = Extract<FrontendMessage, { kind: K }>;

function protocolError(message: string): SqlError {
  return new SqlError(SqlState.ProtocolViolation, message);
}

function checkFormats(formats: readonly number[]): void {
  for (const f of formats) {
    if (f !== 0 && f !== 1) throw new SqlError(SqlState.InvalidParameterValue, `unsupported format code: ${f}`);
  }
}

export class ExtendedQuery implements PreparedStatementRegistry {
  private readonly statements = new Map<string, Prepared>();
  private readonly portals = new Map<string, Portal>();

  constructor(
    private readonly session: Session,
    private readonly host: ExtendedHost,
  ) {
    session.attachPreparedStatements?.(this);
  }

  deallocate(name: string): boolean {
    return name !== '' && this.statements.delete(name);
  }

  deallocateAll(): void {
    for (const name of [...this.statements.keys()]) if (name !== '') this.statements.delete(name);
  }

  parse(m: Msg<'Parse'>): Promise<void> {
    if (m.name === '') this.statements.delete('');
    else if (this.statements.has(m.name)) {
      throw new SqlError(SqlState.DuplicatePreparedStatement, `prepared statement "${m.name}" already exists`);
    }
    const types = m.paramOids.map(oidToType);
    return this.session.prepare(m.sql, types).then((stmt) => {
      this.statements.set(m.name, stmt);
      this.host.out.parseComplete();
    });
  }

  bind(m: Msg<'Bind'>): void {
    const stmt = this.statement(m.statement);
    if (m.portal !== '' && this.portals.has(m.portal)) {
      throw new SqlError(SqlState.DuplicateCursor, `portal "${m.portal}" already exists`);
    }
    const types = stmt.info.paramTypes;
    const np = m.params.length;
    const nf = m.paramFormats.length;
    if (nf > 1 && nf !== np) throw protocolError(`bind message has ${nf} parameter formats but ${np} parameters`);
    if (np !== types.length) {
      throw protocolError(`bind message supplies ${np} parameters, but prepared statement "${m.statement}" requires ${types.length}`);
    }
    checkFormats(m.paramFormats);
    checkFormats(m.resultFormats);
    const cols = stmt.info.columns;
    const nr = m.resultFormats.length;
    if (cols !== null && nr > 1 && nr !== cols.length) {
      throw protocolError(`bind message has ${nr} result formats but query has ${cols.length} columns`);
    }
    const params = new Array<Value>(np);
    for (let i = 0; i < np; i++) {
      const raw = m.params[i];
      if (raw === null) {
        params[i] = null;
      } else if (columnFormat(m.paramFormats, i) === Format.Text) {
        params[i] = decodeText(types[i], raw.toString('utf8'));
      } else {
        params[i] = decodeBinaryParam(types[i], raw, i);
      }
    }
    if (m.portal === '') this.closePortal('');
    this.portals.set(m.portal, {
      name: m.portal,
      stmt,
      params,
      resultFormats: m.resultFormats,
      state: { kind: 'Unexecuted' },
    });
    this.host.out.bindComplete();
  }

  describe(m: Msg<'Describe'>): void {
    const out = this.host.out;
    if (m.target === 'S') {
      const stmt = this.statement(m.name);
      out.parameterDescription(stmt.info.paramTypes.map(wireTypeOid));
      const cols = stmt.info.columns;
      if (cols === null) out.noData();
      else out.rowDescription(cols.map((c) => fieldDescription(c, Format.Text)));
      return;
    }
    const portal = this.portal(m.name);
    const cols = portal.state.kind === 'Rows' ? portal.state.columns : portal.stmt.info.columns;
    if (cols === null) out.noData();
    else out.rowDescription(cols.map((c, i) => fieldDescription(c, columnFormat(portal.resultFormats, i))));
  }

  execute(m: Msg<'Execute'>): Promise<void> | void {
    const portal = this.portal(m.portal);
    const limit = m.maxRows > 0 ? m.maxRows : Infinity;
    const st = portal.state;
    switch (st.kind) {
      case 'Unexecuted':
        return this.run(portal, limit);
      case 'Rows':
        return this.fetch(portal, st, limit);
      case 'Done':
        if (st.tag === null) this.host.out.emptyQueryResponse();
        else this.host.out.commandComplete(st.tag);
        return;
      case 'Failed':
        throw new SqlError(SqlState.ObjectNotInPrerequisiteState, `portal "${portal.name}" cannot be run`);
    }
  }

  close(m: Msg<'Close'>): void {
    if (m.target === 'S') this.statements.delete(m.name);
    else this.closePortal(m.name);
    this.host.out.closeComplete();
  }

  /** A simple Query destroys the unnamed statement and portal, as in PostgreSQL. */
  dropUnnamed(): void {
    this.statements.delete('');
    this.closePortal('');
  }

  /** Portals live until the end of their transaction: drop them all when none is open. */
  closePortalsIfIdle(): void {
    if (this.portals.size > 0 && this.session.txStatus() === 'I') {
      for (const name of [...this.portals.keys()]) this.closePortal(name);
    }
  }

  closeAll(): void {
    for (const name of [...this.portals.keys()]) this.closePortal(name);
    this.statements.clear();
  }

  // ---------------------------------------------------------------------------------------

  private async run(portal: Portal, limit: number): Promise<void> {
    const host = this.host;
    const cancel = host.beginStatement();
    let ok = false;
    try {
      const result = await this.session.execute(portal.stmt, portal.params, cancel);
      switch (result.kind) {
        case 'empty':
          portal.state = { kind: 'Done', tag: null };
          host.out.emptyQueryResponse();
          break;
        case 'command':
          host.sendNotices(result.notices);
          portal.state = { kind: 'Done', tag: result.tag };
          host.out.commandComplete(result.tag);
          break;
        case 'copyIn':
        case 'copyOut':
          // Release what the statement started (a COPY (SUBSCRIBE ...) is already subscribed).
          if (result.kind === 'copyOut' && !Array.isArray(result.rows)) void result.rows[Symbol.asyncIterator]().return?.();
          else if (result.kind === 'copyIn') result.receiver.abort();
          throw new SqlError(SqlState.FeatureNotSupported, 'COPY is supported only in the simple query protocol');
        case 'rows': {
          host.sendNotices(result.notices);
          result.onFailure?.((err) => host.sendError(err));
          const cols = result.columns;
          const nr = portal.resultFormats.length;
          if (nr > 1 && nr !== cols.length) {
            throw protocolError(`bind message has ${nr} result formats but query has ${cols.length} columns`);
          }
          const st: PortalState & { kind: 'Rows' } = {
            kind: 'Rows',
            cursor: new RowCursor(result.rows, result.onFailure !== undefined),
            writers: cols.map((c, i) => fieldWriter(c.type, columnFormat(portal.resultFormats, i))),
            tagPrefix: result.tagPrefix,
            columns: cols,
            cancel,
          };
          portal.state = st;
          ok = true;
          return await this.fetch(portal, st, limit);
        }
      }
      ok = true;
      host.sendParameterChanges();
    } finally {
      if (!ok) portal.state = { kind: 'Failed' };
      host.endStatement();
    }
  }

  private async fetch(portal: Portal, st: PortalState & { kind: 'Rows' }, limit: number): Promise<void> {
    const host = this.host;
    const cancel = host.beginStatement(st.cancel);
    try {
      const n = await host.streamRows(st.cursor, st.writers, limit, cancel);
      if (n === limit) {
        // Like PostgreSQL, a fetch that fills its limit suspends even if no rows are left.
        host.out.portalSuspended();
        return;
      }
      st.cursor.close();
      portal.state = { kind: 'Done', tag: rowsTag(st.tagPrefix, 0) };
      host.out.commandComplete(rowsTag(st.tagPrefix, n));
      host.sendParameterChanges();
    } catch (e) {
      st.cursor.close();
      portal.state = { kind: 'Failed' };
      throw e;
    } finally {
      host.endStatement();
    }
  }

  private statement(name: string): Prepared {
    const s = this.statements.get(name);
    if (s === undefined) {
      throw new SqlError(
        SqlState.InvalidSqlStatementName,
        name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`,
      );
    }
    return s;
  }

  private portal(name: string): Portal {
    const p = this.portals.get(name);
    if (p === undefined) throw new SqlError(SqlState.InvalidCursorName, `portal "${name}" does not exist`);
    return p;
  }

  private closePortal(name: string): void {
    const p = this.portals.get(name);
    if (p === undefined) return;
    if (p.state.kind === 'Rows') p.state.cursor.close();
    this.portals.delete(name);
  }
}

function decodeBinaryParam(t: Prepared['info']['paramTypes'][number], raw: Buffer, i: number): Value {
  try {
    return decodeBinary(t, raw);
  } catch (e) {
    if (e instanceof SqlError && e.message === BAD_BINARY_MESSAGE) {
      throw new SqlError(SqlState.InvalidBinaryRepresentation, `incorrect binary data format in bind parameter ${i + 1}`);
    }
    throw e;
  }
}
