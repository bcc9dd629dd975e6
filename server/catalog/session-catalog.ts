/**
 * A session's CatalogAccess: what reg* casts and catalog functions (format_type, pg_get_indexdef,
 * current_setting, set_config...) read. Relations are recomputed per call from the live catalog
 * (a few dozen objects; these functions run in catalog queries, not per stream row).
 */
import { viewDefinition } from '../../runtime/catalog/catalog.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { CatalogAccess, RegKind } from '../../runtime/expr/eval-context.js';
import type { SessionSettings } from '../session/settings.js';
import { resolveTypeName } from '../../planner/bind/type-names.js';
import { typeOid } from '../pgwire/wire-format.js';
import { pgTypeByName } from './pg-types.js';
import {
  CONSTRAINT_OID_BASE, NS, constraintDef, formatType, indexDef, nsName, procName, procOid, relations, type CatalogSource,
} from './pg-catalog.js';
import { roleOid } from './catalog-source.js';

/** Splits `schema.name` / `"Quoted"."Name"` into parts, folding unquoted parts to lower case. */
function nameParts(text: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."]+))\s*(?:\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim().toLowerCase());
  }
  return parts;
}

export class SessionCatalog implements CatalogAccess {
  constructor(
    private readonly src: CatalogSource,
    private readonly session: {
      settings: SessionSettings; user: string; pid: () => number; setSetting: (name: string, value: string) => void;
      roleMay: (role: string, objectId: number, privilege: string) => boolean;
    },
  ) {}

  oidOf(kind: RegKind, name: string): number | undefined {
    const parts = nameParts(name);
    const last = parts[parts.length - 1];
    const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
    switch (kind) {
      case 'regclass': {
        const rels = relations(this.src).filter((r) => r.name === last);
        if (schema !== undefined) return rels.find((r) => nsName(r.namespace) === schema)?.oid;
        const order = [NS.pg_catalog, NS.public, NS.eddy];
        for (const ns of order) {
          const r = rels.find((x) => x.namespace === ns);
          if (r) return r.oid;
        }
        return undefined;
      }
      case 'regtype': {
        const t = pgTypeByName(last);
        if (t) return t.oid;
        try {
          return typeOid(resolveTypeName({ name: name.trim().toLowerCase().replace(/^pg_catalog\./, ''), modifiers: [] }));
        } catch {
          return undefined;
        }
      }
      case 'regproc': return procOid(last);
      case 'regnamespace': return (NS as Record<string, number>)[last];
      case 'regrole': {
        const r = this.src.roles().find((x) => x.name === last);
        return r?.oid ?? (last === this.session.user ? roleOid(last) : undefined);
      }
    }
  }

  nameOf(kind: RegKind, oid: number): string | undefined {
    switch (kind) {
      case 'regclass': {
        const r = relations(this.src).find((x) => x.oid === oid);
        if (!r) return undefined;
        return r.namespace === NS.public || r.namespace === NS.pg_catalog ? r.name : `${nsName(r.namespace)}.${r.name}`;
      }
      case 'regtype': return formatType(oid, null) ?? undefined;
      case 'regproc': return procName(oid);
      case 'regnamespace': return Object.entries(NS).find(([, v]) => v === oid)?.[0];
      case 'regrole': {
        if (oid === roleOid(this.session.user)) return this.session.user;
        return this.src.roles().find((x) => x.oid === oid)?.name;
      }
    }
  }

  formatType(typeOid: number, typmod: number | null): string | null {
    return formatType(typeOid, typmod);
  }

  indexDef(indexOid: number, column = 0): string | null {
    const r = relations(this.src).find((x) => x.oid === indexOid && x.kind === 'i');
    if (!r) return null;
    if (column > 0) return r.columns[column - 1]?.name ?? '';
    return indexDef(r);
  }

  constraintDef(constraintOid: number): string | null {
    const r = relations(this.src).find((x) => x.kind === 'i' && CONSTRAINT_OID_BASE + x.indexOf!.oid === constraintOid);
    return r ? constraintDef(r) : null;
  }

  viewDef(relationOid: number): string | null {
    const r = relations(this.src).find((x) => x.oid === relationOid);
    return r?.obj ? viewDefinition(r.obj) : null;
  }

  tableIsVisible(relationOid: number): boolean {
    const r = relations(this.src).find((x) => x.oid === relationOid);
    return r !== undefined && (r.namespace === NS.public || r.namespace === NS.pg_catalog);
  }

  currentSchemas(includeImplicit: boolean): string[] {
    return includeImplicit ? ['pg_catalog', 'public'] : ['public'];
  }

  getSetting(name: string): string | undefined {
    const s = this.session.settings;
    if (!s.known(name)) return undefined;
    try {
      return s.get(name);
    } catch {
      return undefined; // a custom `prefix.name` that was never set
    }
  }

  setSetting(name: string, value: string): string {
    this.session.setSetting(name, value);
    return this.session.settings.get(name);
  }

  settings(): [string, string][] {
    return this.session.settings.all();
  }

  backendPid(): number {
    return this.session.pid();
  }

  tablePrivilege(role: string | null, relation: number | string, privileges: string): boolean | null {
    const oid = typeof relation === 'number' ? relation : this.oidOf('regclass', relation);
    if (oid === undefined) throw new SqlError(SqlState.UndefinedTable, `relation "${relation}" does not exist`);
    const wanted = privileges.split(',').map((p) => p.trim().toLowerCase().replace(/\s+with\s+grant\s+option$/, ''));
    for (const p of wanted) {
      if (!['select', 'insert', 'update', 'delete', 'truncate', 'references', 'trigger', 'maintain'].includes(p)) {
        throw new SqlError(SqlState.InvalidParameterValue, `unrecognized privilege type: "${p}"`);
      }
    }
    return wanted.some((p) => this.session.roleMay(role ?? this.session.user, oid, p));
  }
}
