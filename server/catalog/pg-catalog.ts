/**
 * pg_catalog and information_schema, generated from Eddy's catalog at every scan, so that psql's
 * \d, JDBC DatabaseMetaData, ODBC SQLTables/SQLColumns and BI tools can browse the schema.
 *
 *   streams and tables -> relkind 'r'   materialized views -> 'm'   views -> 'v'
 *   a table's primary key (an MV's key) -> an index "<name>_pkey" (relkind 'i') + a 'p' constraint
 *   eddy_* system tables -> schema "eddy"; pg_catalog / information_schema relations -> their schemas
 *
 * OIDs: user objects keep their catalog id (>= 16384); their key index and constraint live in
 * fixed ranges above it (INDEX_OID_BASE, CONSTRAINT_OID_BASE); namespaces, types and the catalog
 * relations use PostgreSQL's own OIDs where clients hard-code them (pg_class = 1259, public = 2200).
 */
import { viewDefinition, type CatalogObject } from '../../runtime/catalog/catalog.js';
import { SqlArray } from '../../runtime/sql/array.js';
import { T, TypeId, arrayOf, type SqlType } from '../../runtime/sql/types.js';
import type { Row, Value } from '../../runtime/sql/values.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import type { Field } from '../../runtime/plan/plan.js';
import { typeOid, typlen, wireTypmod } from '../pgwire/wire-format.js';
import { PG_TYPES, formatType } from './pg-types.js';
import { functionNames } from '../../runtime/expr/functions/registry.js';

export const NS = { pg_catalog: 11, public: 2200, information_schema: 13212, eddy: 13300 } as const;
export const INDEX_OID_BASE = 0x40000000;
export const CONSTRAINT_OID_BASE = 0x60000000;
/** The bootstrap superuser (PostgreSQL's OID 10) owns every object. */
export const OWNER_OID = 10;
export const OWNER_NAME = 'eddy';
export const DATABASE_OID = 16383;
const ARRAY_IN_OID = 750;
const BTREE_AM_OID = 403;
const HEAP_AM_OID = 2;

const oidArr = arrayOf(T.oid);
const textArr = arrayOf(T.text);
const int2Arr = arrayOf(T.int2);

export interface RelColumn {
  name: string;
  type: SqlType;
  notNull: boolean;
  defaultSql?: string;
}

export interface Relation {
  oid: number;
  name: string;
  namespace: number;
  kind: 'r' | 'v' | 'm' | 'i';
  columns: RelColumn[];
  obj?: CatalogObject;
  /** Key index (relkind 'i'): the table it indexes and the 1-based key columns. */
  indexOf?: Relation;
  keyColumns?: number[];
  /** The key index of a relation that has one. */
  index?: Relation;
}

export interface Role {
  oid: number;
  name: string;
  superuser: boolean;
  canLogin: boolean;
}

/** What the catalog tables are generated from. */
export interface CatalogSource {
  objects(): CatalogObject[];
  /** System relations (pg_catalog.*, information_schema.*, eddy_*) with their columns. */
  systemRelations(): { name: string; schema: keyof typeof NS; fields: readonly Field[] }[];
  roles(ctx?: EvalContext): Role[];
  /** Changes whenever the catalog does (relations are memoised on it). */
  version(): number;
}

// ------------------------------------------------------------------------------- relations

/** Stable oid of a catalog relation: PostgreSQL's where clients hard-code it, else a fixed range. */
const KNOWN_REL_OIDS: Record<string, number> = {
  pg_type: 1247, pg_attribute: 1249, pg_proc: 1255, pg_class: 1259, pg_database: 1262, pg_authid: 1260,
  pg_am: 2601, pg_attrdef: 2604, pg_constraint: 2606, pg_inherits: 2611, pg_index: 2610, pg_namespace: 2615,
  pg_description: 2609, pg_depend: 2608, pg_rewrite: 2618, pg_trigger: 2620, pg_collation: 3456, pg_extension: 3079,
  pg_enum: 3501, pg_shdescription: 2396, pg_tablespace: 1213, pg_auth_members: 1261, pg_language: 2612,
  pg_policy: 3256, pg_statistic_ext: 3381, pg_publication: 6104, pg_publication_rel: 6106, pg_publication_namespace: 6237,
};

const memo = new WeakMap<CatalogSource, { version: number; rels: Relation[] }>();

/**
 * Every relation, memoised per catalog version: catalog functions such as pg_table_is_visible run
 * once per pg_class row, and must not rebuild the list each time.
 */
export function relations(src: CatalogSource): Relation[] {
  const version = src.version();
  const hit = memo.get(src);
  if (hit && hit.version === version) return hit.rels;
  const rels = buildRelations(src);
  memo.set(src, { version, rels });
  return rels;
}

function buildRelations(src: CatalogSource): Relation[] {
  const out: Relation[] = [];
  for (const o of src.objects()) {
    if (o.kind === 'sink') continue;
    const kind = o.kind === 'mv' ? 'm' : o.kind === 'view' ? 'v' : 'r';
    const rel: Relation = {
      oid: o.id,
      name: o.name,
      namespace: NS.public,
      kind,
      obj: o,
      columns: o.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, defaultSql: c.defaultSql })),
    };
    out.push(rel);
    const key = o.kind === 'table' ? o.primaryKey : o.kind === 'mv' ? o.liveKey ?? [] : [];
    if (key.length > 0) {
      const index: Relation = {
        oid: INDEX_OID_BASE + o.id,
        name: `${o.name}_pkey`,
        namespace: NS.public,
        kind: 'i',
        columns: key.map((k) => rel.columns[k]),
        indexOf: rel,
        keyColumns: key.map((k) => k + 1),
      };
      rel.index = index;
      out.push(index);
    }
  }
  let i = 0;
  for (const s of src.systemRelations()) {
    out.push({
      oid: s.schema === 'pg_catalog' && KNOWN_REL_OIDS[s.name] ? KNOWN_REL_OIDS[s.name] : 12000 + i,
      name: s.name,
      namespace: NS[s.schema],
      kind: s.schema === 'eddy' ? 'v' : s.schema === 'information_schema' ? 'v' : 'r',
      columns: s.fields.map((f) => ({ name: f.name, type: f.type, notNull: false })),
    });
    i++;
  }
  return out;
}

function nsName(oid: number): string {
  for (const [name, o] of Object.entries(NS)) if (o === oid) return name;
  return 'public';
}

function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : '"' + s.replace(/"/g, '""') + '"';
}

export function indexDef(idx: Relation): string {
  const t = idx.indexOf!;
  const cols = idx.columns.map((c) => quoteIdent(c.name)).join(', ');
  return `CREATE UNIQUE INDEX ${quoteIdent(idx.name)} ON ${nsName(t.namespace)}.${quoteIdent(t.name)} USING btree (${cols})`;
}

export function constraintDef(idx: Relation): string {
  return `PRIMARY KEY (${idx.columns.map((c) => quoteIdent(c.name)).join(', ')})`;
}

// ----------------------------------------------------------------------------- definitions

type Col = [string, SqlType];
export interface CatalogTable {
  schema: 'pg_catalog' | 'information_schema';
  name: string;
  columns: Col[];
  rows(src: CatalogSource, ctx?: EvalContext): Row[];
}

const b = T.bool, o = T.oid, tx = T.text, i2 = T.int2, i4 = T.int4, i8 = T.int8, f4 = T.float4;
const none = (): Row[] => [];

function typeOfCol(t: SqlType): number {
  return t.id === TypeId.Unknown ? 25 : typeOid(t);
}

/** pg_attribute rows of one relation (attlen/atttypmod as the wire reports them). */
function attributes(rel: Relation): Row[] {
  return rel.columns.map((c, i) => [
    rel.oid, c.name, typeOfCol(c.type), -1, typlen(c.type), i + 1, c.type.id === TypeId.Array ? 1 : 0, -1, wireTypmod(c.type),
    typlen(c.type) > 0 && typlen(c.type) <= 8, 'i', typlen(c.type) > 0 ? 'p' : 'x', '', c.notNull, c.defaultSql !== undefined, false, '', '', false, true, 0,
    isCollatable(c.type) ? 100 : 0, null, null, null, null,
  ]);
}

function isCollatable(t: SqlType): boolean {
  return t.id === TypeId.Text || t.id === TypeId.Varchar || t.id === TypeId.Bpchar;
}

function settingsRows(ctx?: EvalContext): Row[] {
  const all = ctx?.catalog?.settings() ?? [];
  return all.map(([name, value]) => [name, value, null, 'Eddy', '', null, 'user', 'string', 'default', null, null, null, value, value, null, null, false]);
}

export const PG_CATALOG_TABLES: readonly CatalogTable[] = [
  {
    schema: 'pg_catalog', name: 'pg_namespace',
    columns: [['oid', o], ['nspname', tx], ['nspowner', o], ['nspacl', textArr]],
    rows: () => Object.entries(NS).map(([name, oid]) => [oid, name, OWNER_OID, null]),
  },
  {
    schema: 'pg_catalog', name: 'pg_class',
    columns: [['oid', o], ['relname', tx], ['relnamespace', o], ['reltype', o], ['reloftype', o], ['relowner', o], ['relam', o], ['relfilenode', o],
      ['reltablespace', o], ['relpages', i4], ['reltuples', f4], ['relallvisible', i4], ['reltoastrelid', o], ['relhasindex', b], ['relisshared', b],
      ['relpersistence', tx], ['relkind', tx], ['relnatts', i2], ['relchecks', i2], ['relhasrules', b], ['relhastriggers', b], ['relhassubclass', b],
      ['relrowsecurity', b], ['relforcerowsecurity', b], ['relispopulated', b], ['relreplident', tx], ['relispartition', b], ['relrewrite', o],
      ['relfrozenxid', i8], ['relminmxid', i8], ['relacl', textArr], ['reloptions', textArr], ['relpartbound', tx]],
    rows: (src) => relations(src).map((r) => [
      r.oid, r.name, r.namespace, 0, 0, OWNER_OID, r.kind === 'i' ? BTREE_AM_OID : r.kind === 'v' ? 0 : HEAP_AM_OID, r.oid, 0, 0, -1, 0, 0,
      r.index !== undefined, false, 'p', r.kind, r.columns.length, 0, r.kind === 'v', false, false, false, false, true, 'd', false, 0,
      0n, 0n, null, null, null,
    ]),
  },
  {
    schema: 'pg_catalog', name: 'pg_attribute',
    columns: [['attrelid', o], ['attname', tx], ['atttypid', o], ['attstattarget', i4], ['attlen', i2], ['attnum', i2], ['attndims', i4],
      ['attcacheoff', i4], ['atttypmod', i4], ['attbyval', b], ['attalign', tx], ['attstorage', tx], ['attcompression', tx], ['attnotnull', b],
      ['atthasdef', b], ['atthasmissing', b], ['attidentity', tx], ['attgenerated', tx], ['attisdropped', b], ['attislocal', b], ['attinhcount', i4],
      ['attcollation', o], ['attacl', textArr], ['attoptions', textArr], ['attfdwoptions', textArr], ['attmissingval', tx]],
    rows: (src) => relations(src).flatMap(attributes),
  },
  {
    schema: 'pg_catalog', name: 'pg_attrdef',
    columns: [['oid', o], ['adrelid', o], ['adnum', i2], ['adbin', tx]],
    rows: (src) => relations(src).flatMap((r) => r.kind === 'i' ? [] : r.columns.flatMap((c, i) => (c.defaultSql === undefined ? [] : [[0x50000000 + r.oid * 64 + i, r.oid, i + 1, c.defaultSql]]))),
  },
  {
    schema: 'pg_catalog', name: 'pg_type',
    columns: [['oid', o], ['typname', tx], ['typnamespace', o], ['typowner', o], ['typlen', i2], ['typbyval', b], ['typtype', tx], ['typcategory', tx],
      ['typispreferred', b], ['typisdefined', b], ['typdelim', tx], ['typrelid', o], ['typsubscript', T.regproc], ['typelem', o], ['typarray', o],
      ['typinput', T.regproc], ['typoutput', T.regproc], ['typreceive', T.regproc], ['typsend', T.regproc], ['typmodin', T.regproc], ['typmodout', T.regproc],
      ['typanalyze', T.regproc], ['typalign', tx], ['typstorage', tx], ['typnotnull', b], ['typbasetype', o], ['typtypmod', i4], ['typndims', i4],
      ['typcollation', o], ['typdefaultbin', tx], ['typdefault', tx], ['typacl', textArr]],
    rows: () => PG_TYPES.map((t) => [
      t.oid, t.name, NS.pg_catalog, OWNER_OID, t.len, t.byval, t.category === 'P' ? 'p' : 'b', t.category,
      ['bool', 'float8', 'text', 'timestamptz', 'interval', 'oid'].includes(t.name), true, ',', 0, 0, t.elem, t.array,
      t.category === 'A' ? ARRAY_IN_OID : 0, 0, 0, 0, 0, 0, 0, t.align, t.len === -1 ? 'x' : 'p', false, 0, -1, 0,
      ['text', 'varchar', 'bpchar', 'name'].includes(t.name) ? 100 : 0, null, null, null,
    ]),
  },
  {
    schema: 'pg_catalog', name: 'pg_index',
    columns: [['indexrelid', o], ['indrelid', o], ['indnatts', i2], ['indnkeyatts', i2], ['indisunique', b], ['indnullsnotdistinct', b],
      ['indisprimary', b], ['indisexclusion', b], ['indimmediate', b], ['indisclustered', b], ['indisvalid', b], ['indcheckxmin', b],
      ['indisready', b], ['indislive', b], ['indisreplident', b], ['indkey', int2Arr], ['indcollation', oidArr], ['indclass', oidArr],
      ['indoption', int2Arr], ['indexprs', tx], ['indpred', tx]],
    rows: (src) => relations(src).flatMap((r) => {
      if (r.kind !== 'i') return [];
      const n = r.keyColumns!.length;
      // int2vector / oidvector subscripts start at 0 in PostgreSQL.
      return [[r.oid, r.indexOf!.oid, n, n, true, false, true, false, true, false, true, false, true, true, false,
        new SqlArray(r.keyColumns!, 0), new SqlArray(r.columns.map((c) => (isCollatable(c.type) ? 100 : 0)), 0),
        new SqlArray(r.columns.map(() => 0), 0), new SqlArray(r.columns.map(() => 0), 0), null, null]];
    }),
  },
  {
    schema: 'pg_catalog', name: 'pg_constraint',
    columns: [['oid', o], ['conname', tx], ['connamespace', o], ['contype', tx], ['condeferrable', b], ['condeferred', b], ['convalidated', b],
      ['conrelid', o], ['contypid', o], ['conindid', o], ['conparentid', o], ['confrelid', o], ['confupdtype', tx], ['confdeltype', tx],
      ['confmatchtype', tx], ['conislocal', b], ['coninhcount', i4], ['connoinherit', b], ['conkey', int2Arr], ['confkey', int2Arr],
      ['conpfeqop', oidArr], ['conppeqop', oidArr], ['conffeqop', oidArr], ['confdelsetcols', int2Arr], ['conexclop', oidArr], ['conbin', tx]],
    rows: (src) => relations(src).flatMap((r) => {
      if (r.kind !== 'i') return [];
      const t = r.indexOf!;
      return [[CONSTRAINT_OID_BASE + t.oid, r.name, t.namespace, 'p', false, false, true, t.oid, 0, r.oid, 0, 0, ' ', ' ', ' ', true, 0, true,
        new SqlArray(r.keyColumns!), null, null, null, null, null, null, null]];
    }),
  },
  {
    schema: 'pg_catalog', name: 'pg_database',
    columns: [['oid', o], ['datname', tx], ['datdba', o], ['encoding', i4], ['datlocprovider', tx], ['datistemplate', b], ['datallowconn', b],
      ['datconnlimit', i4], ['datfrozenxid', i8], ['datminmxid', i8], ['dattablespace', o], ['datcollate', tx], ['datctype', tx],
      ['daticulocale', tx], ['datcollversion', tx], ['datacl', textArr]],
    // Eddy has one database; every database name a client connects with reaches it.
    rows: (_src, ctx) => {
      const names = [...new Set(['eddy', ctx?.database ?? 'eddy'])].sort();
      return names.map((n, k) => [DATABASE_OID - k, n, OWNER_OID, 6, 'c', false, true, -1, 0n, 0n, 1663, 'C.UTF-8', 'C.UTF-8', null, null, null]);
    },
  },
  {
    schema: 'pg_catalog', name: 'pg_roles',
    columns: [['rolname', tx], ['rolsuper', b], ['rolinherit', b], ['rolcreaterole', b], ['rolcreatedb', b], ['rolcanlogin', b],
      ['rolreplication', b], ['rolconnlimit', i4], ['rolpassword', tx], ['rolvaliduntil', T.timestamptz], ['rolbypassrls', b],
      ['rolconfig', textArr], ['oid', o]],
    rows: (src, ctx) => src.roles(ctx).map((r) => [r.name, r.superuser, true, r.superuser, r.superuser, r.canLogin, false, -1, '********', null, r.superuser, null, r.oid]),
  },
  {
    schema: 'pg_catalog', name: 'pg_user',
    columns: [['usename', tx], ['usesysid', o], ['usecreatedb', b], ['usesuper', b], ['userepl', b], ['usebypassrls', b], ['passwd', tx],
      ['valuntil', T.timestamptz], ['useconfig', textArr]],
    rows: (src, ctx) => src.roles(ctx).filter((r) => r.canLogin).map((r) => [r.name, r.oid, r.superuser, r.superuser, false, r.superuser, '********', null, null]),
  },
  {
    schema: 'pg_catalog', name: 'pg_auth_members',
    columns: [['roleid', o], ['member', o], ['grantor', o], ['admin_option', b]],
    rows: none,
  },
  {
    schema: 'pg_catalog', name: 'pg_settings',
    columns: [['name', tx], ['setting', tx], ['unit', tx], ['category', tx], ['short_desc', tx], ['extra_desc', tx], ['context', tx], ['vartype', tx],
      ['source', tx], ['min_val', tx], ['max_val', tx], ['enumvals', textArr], ['boot_val', tx], ['reset_val', tx], ['sourcefile', tx],
      ['sourceline', i4], ['pending_restart', b]],
    rows: (_src, ctx) => settingsRows(ctx),
  },
  {
    schema: 'pg_catalog', name: 'pg_proc',
    columns: [['oid', o], ['proname', tx], ['pronamespace', o], ['proowner', o], ['prolang', o], ['procost', f4], ['prorows', f4],
      ['provariadic', o], ['prokind', tx], ['prosecdef', b], ['proleakproof', b], ['proisstrict', b], ['proretset', b], ['provolatile', tx],
      ['pronargs', i2], ['pronargdefaults', i2], ['prorettype', o], ['proargtypes', oidArr], ['proallargtypes', oidArr], ['proargmodes', textArr],
      ['proargnames', textArr], ['prosrc', tx], ['probin', tx], ['proconfig', textArr], ['proacl', textArr]],
    rows: () => procRows(),
  },
  {
    schema: 'pg_catalog', name: 'pg_description',
    columns: [['objoid', o], ['classoid', o], ['objsubid', i4], ['description', tx]],
    rows: none,
  },
  {
    schema: 'pg_catalog', name: 'pg_shdescription',
    columns: [['objoid', o], ['classoid', o], ['description', tx]],
    rows: none,
  },
  {
    schema: 'pg_catalog', name: 'pg_am',
    columns: [['oid', o], ['amname', tx], ['amhandler', T.regproc], ['amtype', tx]],
    rows: () => [[HEAP_AM_OID, 'heap', 0, 't'], [BTREE_AM_OID, 'btree', 0, 'i']],
  },
  {
    schema: 'pg_catalog', name: 'pg_tables',
    columns: [['schemaname', tx], ['tablename', tx], ['tableowner', tx], ['tablespace', tx], ['hasindexes', b], ['hasrules', b], ['hastriggers', b], ['rowsecurity', b]],
    rows: (src) => relations(src).filter((r) => r.kind === 'r').map((r) => [nsName(r.namespace), r.name, OWNER_NAME, null, r.index !== undefined, false, false, false]),
  },
  {
    schema: 'pg_catalog', name: 'pg_views',
    columns: [['schemaname', tx], ['viewname', tx], ['viewowner', tx], ['definition', tx]],
    rows: (src) => relations(src).filter((r) => r.kind === 'v').map((r) => [nsName(r.namespace), r.name, OWNER_NAME, r.obj?.queryText ?? null]),
  },
  {
    schema: 'pg_catalog', name: 'pg_matviews',
    columns: [['schemaname', tx], ['matviewname', tx], ['matviewowner', tx], ['tablespace', tx], ['hasindexes', b], ['ispopulated', b], ['definition', tx]],
    rows: (src) => relations(src).filter((r) => r.kind === 'm').map((r) => [nsName(r.namespace), r.name, OWNER_NAME, null, r.index !== undefined, true, r.obj ? viewDefinition(r.obj) : null]),
  },
  {
    schema: 'pg_catalog', name: 'pg_indexes',
    columns: [['schemaname', tx], ['tablename', tx], ['indexname', tx], ['tablespace', tx], ['indexdef', tx]],
    rows: (src) => relations(src).filter((r) => r.kind === 'i').map((r) => [nsName(r.namespace), r.indexOf!.name, r.name, null, indexDef(r)]),
  },
  {
    schema: 'pg_catalog', name: 'pg_stat_user_tables',
    columns: [['relid', o], ['schemaname', tx], ['relname', tx], ['seq_scan', i8], ['n_live_tup', i8], ['n_dead_tup', i8]],
    rows: (src) => relations(src).filter((r) => r.kind === 'r' && r.namespace === NS.public).map((r) => [r.oid, 'public', r.name, 0n, 0n, 0n]),
  },
  {
    schema: 'pg_catalog', name: 'pg_collation',
    columns: [['oid', o], ['collname', tx], ['collnamespace', o], ['collowner', o], ['collprovider', tx], ['collisdeterministic', b],
      ['collencoding', i4], ['collcollate', tx], ['collctype', tx], ['colliculocale', tx], ['collversion', tx]],
    rows: () => [[100, 'default', NS.pg_catalog, OWNER_OID, 'd', true, -1, null, null, null, null], [950, 'C', NS.pg_catalog, OWNER_OID, 'c', true, -1, 'C', 'C', null, null]],
  },
  {
    schema: 'pg_catalog', name: 'pg_tablespace',
    columns: [['oid', o], ['spcname', tx], ['spcowner', o], ['spcacl', textArr], ['spcoptions', textArr]],
    rows: () => [[1663, 'pg_default', OWNER_OID, null, null]],
  },
  {
    schema: 'pg_catalog', name: 'pg_language',
    columns: [['oid', o], ['lanname', tx], ['lanowner', o], ['lanispl', b], ['lanpltrusted', b], ['lanplcallfoid', o], ['laninline', o], ['lanvalidator', o], ['lanacl', textArr]],
    rows: () => [[12, 'internal', OWNER_OID, false, false, 0, 0, 0, null], [14, 'sql', OWNER_OID, false, true, 0, 0, 0, null]],
  },
  {
    schema: 'pg_catalog', name: 'pg_extension',
    columns: [['oid', o], ['extname', tx], ['extowner', o], ['extnamespace', o], ['extrelocatable', b], ['extversion', tx], ['extconfig', oidArr], ['extcondition', textArr]],
    rows: none,
  },
  ...emptyTables(),
];

/** Catalogs of features Eddy does not have: present (clients join them), always empty. */
function emptyTables(): CatalogTable[] {
  const defs: [string, Col[]][] = [
    ['pg_inherits', [['inhrelid', o], ['inhparent', o], ['inhseqno', i4], ['inhdetachpending', b]]],
    ['pg_depend', [['classid', o], ['objid', o], ['objsubid', i4], ['refclassid', o], ['refobjid', o], ['refobjsubid', i4], ['deptype', tx]]],
    ['pg_rewrite', [['oid', o], ['rulename', tx], ['ev_class', o], ['ev_type', tx], ['ev_enabled', tx], ['is_instead', b], ['ev_qual', tx], ['ev_action', tx]]],
    ['pg_trigger', [['oid', o], ['tgrelid', o], ['tgparentid', o], ['tgname', tx], ['tgfoid', o], ['tgtype', i2], ['tgenabled', tx], ['tgisinternal', b], ['tgconstrrelid', o], ['tgconstrindid', o], ['tgconstraint', o], ['tgdeferrable', b], ['tginitdeferred', b], ['tgnargs', i2]]],
    ['pg_enum', [['oid', o], ['enumtypid', o], ['enumsortorder', f4], ['enumlabel', tx]]],
    ['pg_policy', [['oid', o], ['polname', tx], ['polrelid', o], ['polcmd', tx], ['polpermissive', b], ['polroles', oidArr], ['polqual', tx], ['polwithcheck', tx]]],
    ['pg_statistic_ext', [['oid', o], ['stxrelid', o], ['stxname', tx], ['stxnamespace', o], ['stxowner', o], ['stxstattarget', i4], ['stxkeys', int2Arr], ['stxkind', textArr], ['stxexprs', tx]]],
    ['pg_publication', [['oid', o], ['pubname', tx], ['pubowner', o], ['puballtables', b], ['pubinsert', b], ['pubupdate', b], ['pubdelete', b], ['pubtruncate', b], ['pubviaroot', b]]],
    ['pg_publication_rel', [['oid', o], ['prpubid', o], ['prrelid', o], ['prqual', tx], ['prattrs', int2Arr]]],
    ['pg_publication_namespace', [['oid', o], ['pnpubid', o], ['pnnspid', o]]],
    ['pg_foreign_table', [['ftrelid', o], ['ftserver', o], ['ftoptions', textArr]]],
    ['pg_partitioned_table', [['partrelid', o], ['partstrat', tx], ['partnatts', i2]]],
    ['pg_sequence', [['seqrelid', o], ['seqtypid', o], ['seqstart', i8], ['seqincrement', i8], ['seqmax', i8], ['seqmin', i8], ['seqcache', i8], ['seqcycle', b]]],
    ['pg_conversion', [['oid', o], ['conname', tx], ['connamespace', o], ['conowner', o], ['conforencoding', i4], ['contoencoding', i4], ['conproc', T.regproc], ['condefault', b]]],
    ['pg_event_trigger', [['oid', o], ['evtname', tx], ['evtevent', tx], ['evtowner', o], ['evtfoid', o], ['evtenabled', tx], ['evttags', textArr]]],
    ['pg_cast', [['oid', o], ['castsource', o], ['casttarget', o], ['castfunc', o], ['castcontext', tx], ['castmethod', tx]]],
    ['pg_operator', [['oid', o], ['oprname', tx], ['oprnamespace', o], ['oprowner', o], ['oprkind', tx], ['oprleft', o], ['oprright', o], ['oprresult', o]]],
    ['pg_opclass', [['oid', o], ['opcmethod', o], ['opcname', tx], ['opcnamespace', o], ['opcowner', o], ['opcfamily', o], ['opcintype', o], ['opcdefault', b]]],
    ['pg_aggregate', [['aggfnoid', T.regproc], ['aggkind', tx], ['aggnumdirectargs', i2]]],
    ['pg_foreign_server', [['oid', o], ['srvname', tx], ['srvowner', o], ['srvfdw', o]]],
    ['pg_foreign_data_wrapper', [['oid', o], ['fdwname', tx], ['fdwowner', o]]],
    ['pg_stat_activity', [['datid', o], ['datname', tx], ['pid', i4], ['usename', tx], ['application_name', tx], ['client_addr', tx], ['state', tx], ['query', tx]]],
    ['pg_locks', [['locktype', tx], ['database', o], ['relation', o], ['pid', i4], ['mode', tx], ['granted', b]]],
  ];
  return defs.map(([name, columns]) => ({ schema: 'pg_catalog' as const, name, columns, rows: none }));
}

const PROC_OID_BASE = 0x30000000;

let procCache: Row[] | undefined;
function procRows(): Row[] {
  procCache ??= [
    [ARRAY_IN_OID, 'array_in', NS.pg_catalog, OWNER_OID, 12, 1, 0, 0, 'f', false, false, true, false, 'i', 3, 0, 2277, null, null, null, null, 'array_in', null, null, null] as Row,
    ...functionNames().filter((n) => n !== 'array_in').map((n, k): Row => [PROC_OID_BASE + k, n, NS.pg_catalog, OWNER_OID, 12, 1, 0, 0, 'f', false, false, true, false, 'i', 0, 0, 2278, null, null, null, null, n, null, null, null]),
  ];
  return procCache;
}

/** pg_proc lookup for regproc ('pg_catalog.array_in'::regproc). */
export function procOid(name: string): number | undefined {
  const n = name.replace(/^pg_catalog\./, '');
  const r = procRows().find((x) => x[1] === n);
  return r ? (r[0] as number) : undefined;
}

export function procName(oid: number): string | undefined {
  const r = procRows().find((x) => x[0] === oid);
  return r ? (r[1] as string) : undefined;
}

export { formatType, nsName, quoteIdent, typeOfCol };
export type { Value };
