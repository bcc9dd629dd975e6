/**
 * BackendWriter: encodes backend (server -> client) messages of protocol 3.0 into one growable
 * buffer. The connection appends every reply of a processed chunk (or of everything up to a Sync)
 * and then hands the bytes to the socket in one write.
 */
import { ByteWriter } from './byte-writer.js';

/** One column of a RowDescription. */
export interface FieldDescription {
  name: string;
  tableOid: number;
  columnAttr: number;
  typeOid: number;
  typlen: number;
  typmod: number;
  format: 0 | 1;
}

/** The fields of an ErrorResponse / NoticeResponse, keyed by their meaning. */
export interface ErrorFields {
  /** Localized severity (S) and non-localized severity (V); we send the same English word. */
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
}

export const BackendType = {
  Authentication: 0x52, // R
  ParameterStatus: 0x53, // S
  BackendKeyData: 0x4b, // K
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
  DataRow: 0x44, // D
  CommandComplete: 0x43, // C
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  NoticeResponse: 0x4e, // N
  ParseComplete: 0x31, // 1
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  NoData: 0x6e, // n
  ParameterDescription: 0x74, // t
  PortalSuspended: 0x73, // s
  NegotiateProtocolVersion: 0x76, // v
} as const;
export type BackendType = (typeof BackendType)[keyof typeof BackendType];

export class BackendWriter extends ByteWriter {
  /** Starts a message: type byte plus a length slot; returns the slot for `end`. */
  begin(type: BackendType): number {
    this.u8(type);
    return this.reserveLength();
  }

  end(slot: number): void {
    this.patchLength(slot);
  }

  private empty(type: BackendType): void {
    this.ensure(5);
    this.u8(type).i32(4);
  }

  /** The single byte answering SSLRequest / GSSENCRequest ('N': not supported). */
  refuseEncryption(): void {
    this.u8(0x4e);
  }

  authenticationOk(): void {
    this.u8(BackendType.Authentication).i32(8).i32(0);
  }

  parameterStatus(name: string, value: string): void {
    const at = this.begin(BackendType.ParameterStatus);
    this.cstring(name).cstring(value);
    this.end(at);
  }

  backendKeyData(processId: number, secretKey: number): void {
    this.u8(BackendType.BackendKeyData).i32(12).i32(processId).i32(secretKey);
  }

  negotiateProtocolVersion(newestMinor: number, unrecognized: string[]): void {
    const at = this.begin(BackendType.NegotiateProtocolVersion);
    this.i32(newestMinor).i32(unrecognized.length);
    for (const o of unrecognized) this.cstring(o);
    this.end(at);
  }

  readyForQuery(status: 'I' | 'T' | 'E'): void {
    this.u8(BackendType.ReadyForQuery).i32(5).u8(status.charCodeAt(0));
  }

  rowDescription(fields: readonly FieldDescription[]): void {
    const at = this.begin(BackendType.RowDescription);
    this.i16(fields.length);
    for (const f of fields) {
      this.cstring(f.name);
      this.ensure(18);
      this.i32(f.tableOid).i16(f.columnAttr).i32(f.typeOid).i16(f.typlen).i32(f.typmod).i16(f.format);
    }
    this.end(at);
  }

  parameterDescription(oids: readonly number[]): void {
    const at = this.begin(BackendType.ParameterDescription);
    this.i16(oids.length);
    for (const o of oids) this.i32(o);
    this.end(at);
  }

  commandComplete(tag: string): void {
    const at = this.begin(BackendType.CommandComplete);
    this.cstring(tag);
    this.end(at);
  }

  emptyQueryResponse(): void {
    this.empty(BackendType.EmptyQueryResponse);
  }

  parseComplete(): void {
    this.empty(BackendType.ParseComplete);
  }

  bindComplete(): void {
    this.empty(BackendType.BindComplete);
  }

  closeComplete(): void {
    this.empty(BackendType.CloseComplete);
  }

  noData(): void {
    this.empty(BackendType.NoData);
  }

  portalSuspended(): void {
    this.empty(BackendType.PortalSuspended);
  }

  errorResponse(f: ErrorFields): void {
    this.noticeOrError(BackendType.ErrorResponse, f);
  }

  noticeResponse(f: ErrorFields): void {
    this.noticeOrError(BackendType.NoticeResponse, f);
  }

  private noticeOrError(type: BackendType, f: ErrorFields): void {
    const at = this.begin(type);
    this.field(0x53 /* S */, f.severity);
    this.field(0x56 /* V */, f.severity);
    this.field(0x43 /* C */, f.code);
    this.field(0x4d /* M */, f.message);
    if (f.detail !== undefined) this.field(0x44 /* D */, f.detail);
    if (f.hint !== undefined) this.field(0x48 /* H */, f.hint);
    if (f.position !== undefined) this.field(0x50 /* P */, String(f.position));
    if (f.schema !== undefined) this.field(0x73 /* s */, f.schema);
    if (f.table !== undefined) this.field(0x74 /* t */, f.table);
    if (f.column !== undefined) this.field(0x63 /* c */, f.column);
    if (f.dataType !== undefined) this.field(0x64 /* d */, f.dataType);
    if (f.constraint !== undefined) this.field(0x6e /* n */, f.constraint);
    this.u8(0);
    this.end(at);
  }

  private field(code: number, value: string): void {
    this.u8(code).cstring(value);
  }
}
