/**
 * information_schema (SQL standard views), generated from the same relations as pg_catalog.
 * data_type uses the SQL spelling ('integer', 'character varying'), udt_name the internal one.
 */
import { T, TypeId, sqlType, type SqlType } from '../../runtime/sql/types.js';
import { typeDisplayName } from '../../runtime/sql/cast.js';
import type { Row } from '../../runtime/sql/values.js';
import { numericTypmodPrecision, numericTypmodScale } from '../../runtime/sql/decimal.js';
import { pgType } from './pg-types.js';
import { type CatalogTable, NS, nsName, relations, typeOfCol } from './pg-catalog.js';

const tx = T.text, i4 = T.int4;

/** information_schema's data_type: the SQL type name without modifiers ('character varying'), 'ARRAY' for arrays. */
function dataType(t: SqlType): string {
  if (t.id === TypeId.Array) return 'ARRAY';
  if (t.id === TypeId.Unknown) return 'text';
  return typeDisplayName(sqlType(t.id));
}

function numericPrecision(t: SqlType): [number | null, number | null, number | null] {
  switch (t.id) {
    case TypeId.Int2: return [16, 2, 0];
    case TypeId.Int4: return [32, 2, 0];
    case TypeId.Int8: return [64, 2, 0];
    case TypeId.Float4: return [24, 2, null];
    case TypeId.Float8: return [53, 2, null];
    case TypeId.Numeric: return t.typmod >= 0 ? [numericTypmodPrecision(t.typmod), 10, numericTypmodScale(t.typmod)] : [null, 10, null];
    default: return [null, null, null];
  }
}

const yes = (b: boolean) => (b ? 'YES' : 'NO');

export const INFORMATION_SCHEMA_TABLES: readonly CatalogTable[] = [
  {
    schema: 'information_schema', name: 'schemata',
    columns: [['catalog_name', tx], ['schema_name', tx], ['schema_owner', tx], ['default_character_set_catalog', tx], ['default_character_set_schema', tx], ['default_character_set_name', tx], ['sql_path', tx]],
    rows: (_src, ctx) => Object.keys(NS).map((n) => [ctx?.database ?? 'eddy', n, 'eddy', null, null, null, null]),
  },
  {
    schema: 'information_schema', name: 'tables',
    columns: [['table_catalog', tx], ['table_schema', tx], ['table_name', tx], ['table_type', tx], ['self_referencing_column_name', tx], ['reference_generation', tx],
      ['user_defined_type_catalog', tx], ['user_defined_type_schema', tx], ['user_defined_type_name', tx], ['is_insertable_into', tx], ['is_typed', tx], ['commit_action', tx]],
    rows: (src, ctx) => relations(src).filter((r) => r.kind !== 'i').map((r) => [
      ctx?.database ?? 'eddy', nsName(r.namespace), r.name, r.kind === 'r' && r.namespace === NS.public ? 'BASE TABLE' : 'VIEW', null, null, null, null, null,
      yes(r.kind === 'r' && r.namespace === NS.public), 'NO', null,
    ]),
  },
  {
    schema: 'information_schema', name: 'views',
    columns: [['table_catalog', tx], ['table_schema', tx], ['table_name', tx], ['view_definition', tx], ['check_option', tx], ['is_updatable', tx], ['is_insertable_into', tx],
      ['is_trigger_updatable', tx], ['is_trigger_deletable', tx], ['is_trigger_insertable_into', tx]],
    rows: (src, ctx) => relations(src).filter((r) => r.kind === 'v' || r.kind === 'm').filter((r) => r.namespace === NS.public).map((r) => [
      ctx?.database ?? 'eddy', 'public', r.name, r.obj?.queryText ?? null, 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO',
    ]),
  },
  {
    schema: 'information_schema', name: 'columns',
    columns: [['table_catalog', tx], ['table_schema', tx], ['table_name', tx], ['column_name', tx], ['ordinal_position', i4], ['column_default', tx], ['is_nullable', tx],
      ['data_type', tx], ['character_maximum_length', i4], ['character_octet_length', i4], ['numeric_precision', i4], ['numeric_precision_radix', i4], ['numeric_scale', i4],
      ['datetime_precision', i4], ['interval_type', tx], ['interval_precision', i4], ['character_set_catalog', tx], ['character_set_schema', tx], ['character_set_name', tx],
      ['collation_catalog', tx], ['collation_schema', tx], ['collation_name', tx], ['domain_catalog', tx], ['domain_schema', tx], ['domain_name', tx],
      ['udt_catalog', tx], ['udt_schema', tx], ['udt_name', tx], ['scope_catalog', tx], ['scope_schema', tx], ['scope_name', tx], ['maximum_cardinality', i4],
      ['dtd_identifier', tx], ['is_self_referencing', tx], ['is_identity', tx], ['identity_generation', tx], ['identity_start', tx], ['identity_increment', tx],
      ['identity_maximum', tx], ['identity_minimum', tx], ['identity_cycle', tx], ['is_generated', tx], ['generation_expression', tx], ['is_updatable', tx]],
    rows: (src, ctx) => relations(src).filter((r) => r.kind !== 'i').flatMap((r) => r.columns.map((c, k): Row => {
      const [prec, radix, scale] = numericPrecision(c.type);
      const isChar = c.type.id === TypeId.Varchar || c.type.id === TypeId.Bpchar;
      const dt = c.type.id === TypeId.Timestamp || c.type.id === TypeId.Timestamptz ? (c.type.typmod >= 0 ? c.type.typmod : 6) : c.type.id === TypeId.Date ? 0 : null;
      return [
        ctx?.database ?? 'eddy', nsName(r.namespace), r.name, c.name, k + 1, c.defaultSql ?? null, yes(!c.notNull), dataType(c.type),
        isChar && c.type.typmod >= 0 ? c.type.typmod : null, isChar || c.type.id === TypeId.Text ? 1073741824 : null, prec, radix, scale, dt, null, null,
        null, null, null, null, null, null, null, null, null, ctx?.database ?? 'eddy', 'pg_catalog', pgType(typeOfCol(c.type))?.name ?? 'text', null, null, null, null,
        String(k + 1), 'NO', 'NO', null, null, null, null, null, 'NO', 'NEVER', null, yes(r.kind === 'r' && r.namespace === NS.public),
      ];
    })),
  },
  {
    schema: 'information_schema', name: 'table_constraints',
    columns: [['constraint_catalog', tx], ['constraint_schema', tx], ['constraint_name', tx], ['table_catalog', tx], ['table_schema', tx], ['table_name', tx],
      ['constraint_type', tx], ['is_deferrable', tx], ['initially_deferred', tx], ['enforced', tx], ['nulls_distinct', tx]],
    rows: (src, ctx) => relations(src).filter((r) => r.kind === 'i').map((r) => {
      const db = ctx?.database ?? 'eddy';
      return [db, 'public', r.name, db, 'public', r.indexOf!.name, 'PRIMARY KEY', 'NO', 'NO', 'YES', null];
    }),
  },
  {
    schema: 'information_schema', name: 'key_column_usage',
    columns: [['constraint_catalog', tx], ['constraint_schema', tx], ['constraint_name', tx], ['table_catalog', tx], ['table_schema', tx], ['table_name', tx],
      ['column_name', tx], ['ordinal_position', i4], ['position_in_unique_constraint', i4]],
    rows: (src, ctx) => relations(src).filter((r) => r.kind === 'i').flatMap((r) => r.columns.map((c, k): Row => {
      const db = ctx?.database ?? 'eddy';
      return [db, 'public', r.name, db, 'public', r.indexOf!.name, c.name, k + 1, null];
    })),
  },
  {
    schema: 'information_schema', name: 'referential_constraints',
    columns: [['constraint_catalog', tx], ['constraint_schema', tx], ['constraint_name', tx], ['unique_constraint_catalog', tx], ['unique_constraint_schema', tx],
      ['unique_constraint_name', tx], ['match_option', tx], ['update_rule', tx], ['delete_rule', tx]],
    rows: () => [],
  },
  {
    schema: 'information_schema', name: 'routines',
    columns: [['specific_catalog', tx], ['specific_schema', tx], ['specific_name', tx], ['routine_catalog', tx], ['routine_schema', tx], ['routine_name', tx], ['routine_type', tx], ['data_type', tx]],
    rows: () => [],
  },
];
