import type { TypeName } from '../../parser/ast.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { arrayOf, sqlType, numericType, TypeId, type SqlType } from '../../runtime/sql/types.js';

const names: Record<string, TypeId> = {
  bool: TypeId.Bool, boolean: TypeId.Bool,
  int2: TypeId.Int2, smallint: TypeId.Int2,
  int: TypeId.Int4, int4: TypeId.Int4, integer: TypeId.Int4,
  int8: TypeId.Int8, bigint: TypeId.Int8,
  real: TypeId.Float4, float4: TypeId.Float4,
  'double precision': TypeId.Float8, float8: TypeId.Float8,
  numeric: TypeId.Numeric, decimal: TypeId.Numeric, dec: TypeId.Numeric,
  text: TypeId.Text, string: TypeId.Text,
  varchar: TypeId.Varchar, 'character varying': TypeId.Varchar, 'char varying': TypeId.Varchar,
  char: TypeId.Bpchar, character: TypeId.Bpchar, bpchar: TypeId.Bpchar,
  date: TypeId.Date,
  time: TypeId.Time, 'time without time zone': TypeId.Time,
  timestamp: TypeId.Timestamp, 'timestamp without time zone': TypeId.Timestamp,
  timestamptz: TypeId.Timestamptz, 'timestamp with time zone': TypeId.Timestamptz,
  interval: TypeId.Interval,
  jsonb: TypeId.Jsonb, json: TypeId.Jsonb,
  oid: TypeId.Oid, regclass: TypeId.Regclass, regtype: TypeId.Regtype, regproc: TypeId.Regproc, regprocedure: TypeId.Regproc,
  regnamespace: TypeId.Regnamespace, regrole: TypeId.Regrole,
  // Catalog types Eddy represents with a close relative (same text form).
  name: TypeId.Text, pg_node_tree: TypeId.Text, aclitem: TypeId.Text, regconfig: TypeId.Oid, xid: TypeId.Int8, cid: TypeId.Int8,
};

/** Catalog vector types: arrays with a different text form in PostgreSQL (space-separated). */
const vectors: Record<string, TypeId> = { int2vector: TypeId.Int2, oidvector: TypeId.Oid };

/** Maps a written type name to Eddy's SqlType, with PostgreSQL's errors for unknown names and bad modifiers. */
export function resolveTypeName(t: TypeName): SqlType {
  let name = t.name.toLowerCase().replace(/\s+/g, ' ').trim();
  if (name.startsWith('pg_catalog.')) name = name.slice('pg_catalog.'.length);
  if (t.array) return arrayOf(resolveTypeName({ ...t, array: false }));
  if (vectors[name] !== undefined) return arrayOf(sqlType(vectors[name]));
  if (name === 'float') {
    // float(p): p <= 24 -> real, else double precision (PostgreSQL)
    const p = t.modifiers[0];
    if (p !== undefined && (p < 1 || p > 53)) {
      throw new SqlError(SqlState.InvalidParameterValue, `precision for type float must be ${p < 1 ? 'at least 1 bit' : 'less than 54 bits'}`, { position: t.pos });
    }
    return p !== undefined && p <= 24 ? sqlType(TypeId.Float4) : sqlType(TypeId.Float8);
  }
  const id = names[name];
  if (id === undefined) {
    throw new SqlError(SqlState.UndefinedObject, `type "${t.name}" does not exist`, { position: t.pos });
  }
  const mods = t.modifiers;
  switch (id) {
    case TypeId.Numeric: {
      if (mods.length === 0) return sqlType(TypeId.Numeric);
      const p = mods[0];
      const s = mods[1] ?? 0;
      if (p < 1 || p > 1000) throw new SqlError(SqlState.InvalidParameterValue, `NUMERIC precision ${p} must be between 1 and 1000`, { position: t.pos });
      if (s < 0 || s > p) throw new SqlError(SqlState.InvalidParameterValue, `NUMERIC scale ${s} must be between 0 and precision ${p}`, { position: t.pos });
      return numericType(p, s);
    }
    case TypeId.Varchar:
    case TypeId.Bpchar: {
      const n = mods[0];
      if (n === undefined) return id === TypeId.Bpchar && name !== 'bpchar' ? sqlType(id, 1) : sqlType(id);
      if (n < 1) throw new SqlError(SqlState.InvalidParameterValue, `length for type ${id === TypeId.Varchar ? 'varchar' : 'char'} must be at least 1`, { position: t.pos });
      return sqlType(id, n);
    }
    case TypeId.Timestamp:
    case TypeId.Timestamptz:
    case TypeId.Time: {
      const p = mods[0];
      return p === undefined ? sqlType(id) : sqlType(id, Math.min(p, 6));
    }
    default:
      if (mods.length > 0 && id !== TypeId.Interval) {
        throw new SqlError(SqlState.SyntaxError, `type modifier is not allowed for type "${t.name}"`, { position: t.pos });
      }
      return sqlType(id);
  }
}
