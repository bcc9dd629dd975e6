/**
 * SQL types: the one type model shared by the planner, batch and streaming evaluation.
 * Wire OIDs live in server/pgwire (they are a wire concern); here a type is an id plus a typmod.
 */
export const TypeId = {
  Bool: 'bool',
  Int2: 'int2',
  Int4: 'int4',
  Int8: 'int8',
  Float4: 'float4',
  Float8: 'float8',
  Numeric: 'numeric',
  Text: 'text',
  Varchar: 'varchar',
  Bpchar: 'bpchar',
  Date: 'date',
  /** time without time zone: µs since midnight, 0 .. 24:00:00 (a JS number). */
  Time: 'time',
  Timestamp: 'timestamp',
  Timestamptz: 'timestamptz',
  Interval: 'interval',
  Jsonb: 'jsonb',
  /** Object identifiers (pg_catalog). Values are JS numbers in 0..2^32-1. */
  Oid: 'oid',
  /** Object identifier aliases: an oid whose text form is the object's name (catalog lookup). */
  Regclass: 'regclass',
  Regtype: 'regtype',
  Regproc: 'regproc',
  Regnamespace: 'regnamespace',
  Regrole: 'regrole',
  /** One-dimensional array of `elem` (values are SqlArray, see array.ts). */
  Array: 'array',
  /** A composite value with named `fields` (values are SqlRecord, see record.ts). */
  Record: 'record',
  /** An untyped literal ('...' or NULL) whose type is decided by context, as in PostgreSQL. */
  Unknown: 'unknown',
} as const;
export type TypeId = (typeof TypeId)[keyof typeof TypeId];

export interface SqlType {
  readonly id: TypeId;
  /**
   * PostgreSQL-style type modifier, -1 when absent.
   * varchar(n)/bpchar(n): n (the character limit, NOT n+4 as on the wire);
   * numeric(p,s): p * 65536 + s; timestamp(p): p.
   */
  readonly typmod: number;
  /** Arrays: the element type. */
  readonly elem?: SqlType;
  /** Records: the fields. */
  readonly fields?: readonly { readonly name: string; readonly type: SqlType }[];
}

const plain = (id: TypeId): SqlType => Object.freeze({ id, typmod: -1 });

export const T = {
  bool: plain(TypeId.Bool),
  int2: plain(TypeId.Int2),
  int4: plain(TypeId.Int4),
  int8: plain(TypeId.Int8),
  float4: plain(TypeId.Float4),
  float8: plain(TypeId.Float8),
  numeric: plain(TypeId.Numeric),
  text: plain(TypeId.Text),
  varchar: plain(TypeId.Varchar),
  bpchar: plain(TypeId.Bpchar),
  date: plain(TypeId.Date),
  time: plain(TypeId.Time),
  timestamp: plain(TypeId.Timestamp),
  timestamptz: plain(TypeId.Timestamptz),
  interval: plain(TypeId.Interval),
  jsonb: plain(TypeId.Jsonb),
  oid: plain(TypeId.Oid),
  regclass: plain(TypeId.Regclass),
  regtype: plain(TypeId.Regtype),
  regproc: plain(TypeId.Regproc),
  regnamespace: plain(TypeId.Regnamespace),
  regrole: plain(TypeId.Regrole),
  unknown: plain(TypeId.Unknown),
} as const;

export function sqlType(id: TypeId, typmod = -1): SqlType {
  return typmod === -1 ? plain(id) : Object.freeze({ id, typmod });
}

export function numericType(precision: number, scale: number): SqlType {
  return sqlType(TypeId.Numeric, precision * 65536 + scale);
}

const arrayTypes = new Map<SqlType, SqlType>();

/** The array type of `elem` (one instance per element type, so arrays of plain types compare by identity too). */
export function arrayOf(elem: SqlType): SqlType {
  let t = arrayTypes.get(elem);
  if (!t) {
    t = Object.freeze({ id: TypeId.Array, typmod: -1, elem });
    arrayTypes.set(elem, t);
  }
  return t;
}

export function sameType(a: SqlType, b: SqlType): boolean {
  if (a.id !== b.id || a.typmod !== b.typmod) return false;
  return a.elem === b.elem || (a.elem !== undefined && b.elem !== undefined && sameType(a.elem, b.elem));
}

export function recordOf(fields: { name: string; type: SqlType }[]): SqlType {
  return Object.freeze({ id: TypeId.Record, typmod: -1, fields });
}

/** oid and the reg* aliases: all hold an oid number. */
export function isOidLike(id: TypeId): boolean {
  return id === TypeId.Oid || id === TypeId.Regclass || id === TypeId.Regtype || id === TypeId.Regproc || id === TypeId.Regnamespace || id === TypeId.Regrole;
}

export type TypeCategory = 'boolean' | 'numeric' | 'string' | 'datetime' | 'timespan' | 'json' | 'array' | 'unknown';

export function typeCategory(id: TypeId): TypeCategory {
  switch (id) {
    case TypeId.Bool: return 'boolean';
    case TypeId.Int2: case TypeId.Int4: case TypeId.Int8:
    case TypeId.Float4: case TypeId.Float8: case TypeId.Numeric: return 'numeric';
    case TypeId.Text: case TypeId.Varchar: case TypeId.Bpchar: return 'string';
    case TypeId.Date: case TypeId.Time: case TypeId.Timestamp: case TypeId.Timestamptz: return 'datetime';
    case TypeId.Interval: return 'timespan';
    case TypeId.Jsonb: return 'json';
    // PostgreSQL puts oid and reg* in the numeric category (typcategory 'N').
    case TypeId.Oid: case TypeId.Regclass: case TypeId.Regtype: case TypeId.Regproc: case TypeId.Regnamespace: case TypeId.Regrole: return 'numeric';
    case TypeId.Array: return 'array';
    case TypeId.Record: return 'unknown';
    case TypeId.Unknown: return 'unknown';
  }
}
