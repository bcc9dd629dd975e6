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
  Timestamp: 'timestamp',
  Timestamptz: 'timestamptz',
  Interval: 'interval',
  Jsonb: 'jsonb',
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
  timestamp: plain(TypeId.Timestamp),
  timestamptz: plain(TypeId.Timestamptz),
  interval: plain(TypeId.Interval),
  jsonb: plain(TypeId.Jsonb),
  unknown: plain(TypeId.Unknown),
} as const;

export function sqlType(id: TypeId, typmod = -1): SqlType {
  return typmod === -1 ? plain(id) : Object.freeze({ id, typmod });
}

export function numericType(precision: number, scale: number): SqlType {
  return sqlType(TypeId.Numeric, precision * 65536 + scale);
}

export function sameType(a: SqlType, b: SqlType): boolean {
  return a.id === b.id && a.typmod === b.typmod;
}

export type TypeCategory = 'boolean' | 'numeric' | 'string' | 'datetime' | 'timespan' | 'json' | 'unknown';

export function typeCategory(id: TypeId): TypeCategory {
  switch (id) {
    case TypeId.Bool: return 'boolean';
    case TypeId.Int2: case TypeId.Int4: case TypeId.Int8:
    case TypeId.Float4: case TypeId.Float8: case TypeId.Numeric: return 'numeric';
    case TypeId.Text: case TypeId.Varchar: case TypeId.Bpchar: return 'string';
    case TypeId.Date: case TypeId.Timestamp: case TypeId.Timestamptz: return 'datetime';
    case TypeId.Interval: return 'timespan';
    case TypeId.Jsonb: return 'json';
    case TypeId.Unknown: return 'unknown';
  }
}
