/**
 * Registers pg_catalog and information_schema as system relations of the binder and the engine,
 * and builds the CatalogSource they are generated from (Eddy's catalog, the system relations,
 * the roles).
 */
import type { Engine } from '../../runtime/engine.js';
import type { SystemTable } from '../../planner/bind/bind-select.js';
import type { UsersStore } from '../../runtime/catalog/users-store.js';
import type { EvalContext } from '../../runtime/expr/eval-context.js';
import { INFORMATION_SCHEMA_TABLES } from './information-schema.js';
import { type CatalogSource, type CatalogTable, type Role, NS, OWNER_NAME, OWNER_OID, PG_CATALOG_TABLES } from './pg-catalog.js';

/** Object ids of the catalog relations in the engine's systemScanners (eddy_* use 1..99). */
const CATALOG_OBJECT_ID_BASE = 100;

/** A stable oid for a role name (roles have no numeric id in Eddy's store). */
export function roleOid(name: string): number {
  if (name === OWNER_NAME) return OWNER_OID;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return 0x70000000 + (h & 0x0fffffff);
}

export function catalogSource(engine: Engine, eddyTables: readonly SystemTable[], users: () => UsersStore | undefined): CatalogSource {
  const tables: CatalogTable[] = [...PG_CATALOG_TABLES, ...INFORMATION_SCHEMA_TABLES];
  return {
    objects: () => engine.catalog.all(),
    version: () => engine.catalogVersion,
    systemRelations: () => [
      ...tables.map((t) => ({ name: t.name, schema: t.schema as keyof typeof NS, fields: t.columns.map(([name, type]) => ({ name, type })) })),
      ...eddyTables.map((t) => ({ name: t.name, schema: 'eddy' as const, fields: t.fields })),
    ],
    roles: (ctx?: EvalContext) => {
      const out: Role[] = [{ oid: OWNER_OID, name: OWNER_NAME, superuser: true, canLogin: true }];
      for (const r of users()?.all() ?? []) {
        if (r.name !== OWNER_NAME) out.push({ oid: roleOid(r.name), name: r.name, superuser: r.superuser, canLogin: r.canLogin });
      }
      // Under trust authentication any user name connects; it shows as a role too.
      const me = ctx?.user;
      if (me !== undefined && !out.some((r) => r.name === me)) out.push({ oid: roleOid(me), name: me, superuser: true, canLogin: true });
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/** The catalog relations as SystemTables: each under `schema.name` and, for pg_catalog, bare (it is always on the search path). */
const sources = new WeakMap<Engine, CatalogSource>();

/** The CatalogSource registered for an engine (sessions build their CatalogAccess on it). */
export function catalogSourceOf(engine: Engine): CatalogSource | undefined {
  return sources.get(engine);
}

export function registerCatalogTables(engine: Engine, src: CatalogSource, into: Map<string, SystemTable>): void {
  sources.set(engine, src);
  const tables: CatalogTable[] = [...PG_CATALOG_TABLES, ...INFORMATION_SCHEMA_TABLES];
  tables.forEach((t, i) => {
    const objectId = CATALOG_OBJECT_ID_BASE + i;
    const sys: SystemTable = { objectId, name: `${t.schema}.${t.name}`, fields: t.columns.map(([name, type]) => ({ name, type })) };
    engine.systemScanners.set(objectId, (ctx) => t.rows(src, ctx));
    into.set(`${t.schema}.${t.name}`, sys);
    if (t.schema === 'pg_catalog' && !into.has(t.name)) into.set(t.name, sys);
  });
}
