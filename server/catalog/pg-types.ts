/**
 * The rows of pg_type: Eddy's types under their PostgreSQL OIDs and names, their array types,
 * and the few catalog-only types clients look up (name, "char", int2vector, oidvector...).
 */
import { typeDisplayName } from '../../runtime/sql/cast.js';
import { arrayOf, type SqlType } from '../../runtime/sql/types.js';
import { ARRAY_OID_BY_ELEM, typeOfOid } from '../pgwire/wire-format.js';

export interface PgType {
  oid: number;
  name: string;
  len: number;
  byval: boolean;
  /** pg_type.typcategory */
  category: string;
  /** Array types: the element type's oid (0 otherwise). */
  elem: number;
  /** The array type of this type (0 if none). */
  array: number;
  align: string;
  /** Eddy's type, when Eddy has one for this oid. */
  sqlType?: SqlType;
}

/** [oid, name, len, category, align] of the base types. */
const BASE: readonly [number, string, number, string, string][] = [
  [16, 'bool', 1, 'B', 'c'],
  [18, 'char', 1, 'Z', 'c'],
  [19, 'name', 64, 'S', 'c'],
  [20, 'int8', 8, 'N', 'd'],
  [21, 'int2', 2, 'N', 's'],
  [22, 'int2vector', -1, 'A', 'i'],
  [23, 'int4', 4, 'N', 'i'],
  [24, 'regproc', 4, 'N', 'i'],
  [25, 'text', -1, 'S', 'i'],
  [26, 'oid', 4, 'N', 'i'],
  [30, 'oidvector', -1, 'A', 'i'],
  [114, 'json', -1, 'U', 'i'],
  [194, 'pg_node_tree', -1, 'Z', 'i'],
  [700, 'float4', 4, 'N', 'i'],
  [701, 'float8', 8, 'N', 'd'],
  [705, 'unknown', -2, 'X', 'c'],
  [1033, 'aclitem', 16, 'U', 'd'],
  [1042, 'bpchar', -1, 'S', 'i'],
  [1043, 'varchar', -1, 'S', 'i'],
  [1082, 'date', 4, 'D', 'i'],
  [1083, 'time', 8, 'D', 'd'],
  [1114, 'timestamp', 8, 'D', 'd'],
  [1184, 'timestamptz', 8, 'D', 'd'],
  [1186, 'interval', 16, 'T', 'd'],
  [1700, 'numeric', -1, 'N', 'i'],
  [2205, 'regclass', 4, 'N', 'i'],
  [2206, 'regtype', 4, 'N', 'i'],
  [2249, 'record', -1, 'P', 'd'],
  [2278, 'void', 4, 'P', 'i'],
  [2276, 'any', 4, 'P', 'i'],
  [2277, 'anyarray', -1, 'P', 'd'],
  [3802, 'jsonb', -1, 'U', 'i'],
  [4089, 'regnamespace', 4, 'N', 'i'],
  [4096, 'regrole', 4, 'N', 'i'],
];

/** Types only json has an array of in PostgreSQL that Eddy does not map (json is read as jsonb). */
const EXTRA_ARRAYS: readonly [number, number][] = [[114, 199], [19, 1003], [18, 1002], [1033, 1034]];

export const PG_TYPES: readonly PgType[] = (() => {
  const out: PgType[] = [];
  const arrays = new Map<number, number>([...ARRAY_OID_BY_ELEM, ...EXTRA_ARRAYS]);
  for (const [oid, name, len, category, align] of BASE) {
    out.push({ oid, name, len, byval: len > 0 && len <= 8, category, elem: 0, array: arrays.get(oid) ?? 0, align, sqlType: typeOfOid(oid) });
  }
  const byOid = new Map(out.map((t) => [t.oid, t]));
  for (const [elemOid, arrOid] of arrays) {
    const e = byOid.get(elemOid);
    if (!e) continue;
    out.push({ oid: arrOid, name: '_' + e.name, len: -1, byval: false, category: 'A', elem: elemOid, array: 0, align: e.align === 'd' ? 'd' : 'i', sqlType: e.sqlType ? arrayOf(e.sqlType) : undefined });
  }
  return out.sort((a, b) => a.oid - b.oid);
})();

const BY_OID = new Map(PG_TYPES.map((t) => [t.oid, t]));
const BY_NAME = new Map(PG_TYPES.map((t) => [t.name, t]));

export function pgType(oid: number): PgType | undefined {
  return BY_OID.get(oid);
}

export function pgTypeByName(name: string): PgType | undefined {
  return BY_NAME.get(name);
}

const SQL_NAMES: Record<string, string> = {
  bool: 'boolean', int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision',
  varchar: 'character varying', bpchar: 'character', timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone', char: '"char"',
};

/**
 * format_type(oid, typmod): 'integer', 'numeric(10,2)', 'character varying(20)', 'text[]'.
 * `typmod` is the catalog (wire) typmod: varchar n+4, numeric ((p<<16)|s)+4, timestamp p.
 */
export function formatType(oid: number, typmod: number | null): string | null {
  const t = BY_OID.get(oid);
  if (!t) return '???';
  if (t.category === 'A' && t.elem !== 0) return (formatType(t.elem, typmod) ?? '???') + '[]';
  if (t.sqlType && typmod !== null && typmod >= 0) {
    const base = t.sqlType;
    switch (t.name) {
      case 'varchar': case 'bpchar': return typeDisplayName({ ...base, typmod: typmod - 4 });
      case 'numeric': return typeDisplayName({ ...base, typmod: typmod - 4 });
      case 'timestamp': case 'timestamptz': return typeDisplayName({ ...base, typmod });
    }
  }
  return SQL_NAMES[t.name] ?? t.name;
}

