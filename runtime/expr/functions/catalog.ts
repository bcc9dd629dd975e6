/**
 * PostgreSQL's catalog and session-information functions that clients call while connecting and
 * browsing the schema (psql's \d, JDBC DatabaseMetaData, BI tools). They read the catalog through
 * EvalContext.catalog, which the server provides; without it they answer as for an empty catalog.
 *
 * Privilege checks (has_*_privilege) answer true: Eddy's privileges are per user, not per object
 * (read is always allowed), see the README.
 */
import { SqlError } from '../../sql/errors.js';
import { SqlState } from '../../sql/sqlstate.js';
import { SqlArray } from '../../sql/array.js';
import { Decimal } from '../../sql/decimal.js';
import { T, TypeId, arrayOf } from '../../sql/types.js';
import type { Value } from '../../sql/values.js';
import { aliases, fn, type ArgSpec, type FunctionDef } from './function-def.js';

const O = TypeId.Oid;
const TX = TypeId.Text;
const stable = { volatility: 'stable' as const };
const lenient = { volatility: 'stable' as const, strict: false };

/** pg_size_pretty, as PostgreSQL's dbsize.c: one extra bit kept for rounding half away from zero. */
function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const limit2 = limit * 2n - 1n;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (abs(bytes) < limit) return `${bytes} bytes`;
  const half = (x: bigint) => (x + (x < 0n ? -1n : 1n)) / 2n;
  let size = bytes >> 9n;
  for (const unit of ['kB', 'MB', 'GB', 'TB']) {
    if (abs(size) < limit2 || unit === 'TB') return `${half(size)} ${unit}`;
    size >>= 10n;
  }
  return `${half(size)} PB`;
}

/** parse_ident: a qualified identifier split into its parts; unquoted parts fold to lower case. */
function parseIdent(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const fail = () => new SqlError(SqlState.InvalidParameterValue, `string is not a valid identifier: "${text}"`);
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) throw fail();
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      if (part === '') throw fail();
      parts.push(part);
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i));
      if (!m) throw fail();
      parts.push(m[0].toLowerCase());
      i += m[0].length;
    }
    while (text[i] === ' ') i++;
    if (i >= text.length) return parts;
    if (text[i] !== '.') throw fail();
    i++;
  }
}

function privilegeFns(name: string, arities: number[]): FunctionDef[] {
  return arities.map((n) => fn(name, Array<ArgSpec>(n).fill('any'), T.bool, () => true, stable));
}

/** A relation argument given as a name (text) or an oid / regclass. */
function relationArg(v: Value): number | string {
  return typeof v === 'number' ? v : String(v);
}

function unknownSetting(name: string): SqlError {
  return new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
}

export const CATALOG_FUNCTIONS: readonly FunctionDef[] = [
  fn('format_type', [O, TypeId.Int4], T.text, ([t, m], ctx) => (t === null ? null : ctx.catalog?.formatType(t as number, m as number | null) ?? '???'), lenient),
  // Eddy's pg_attrdef.adbin / pg_policy hold the expression's SQL text already.
  fn('pg_get_expr', [TX, O], T.text, ([e]) => e, stable),
  fn('pg_get_expr', [TX, O, TypeId.Bool], T.text, ([e]) => e, stable),
  fn('pg_get_indexdef', [O], T.text, ([o], ctx) => ctx.catalog?.indexDef(o as number) ?? null, stable),
  fn('pg_get_indexdef', [O, TypeId.Int4, TypeId.Bool], T.text, ([o, col], ctx) => ctx.catalog?.indexDef(o as number, col as number) ?? null, stable),
  // Eddy has no rules; views show their definition through pg_get_viewdef.
  fn('pg_get_ruledef', [O], T.text, () => null, stable),
  fn('pg_get_ruledef', [O, TypeId.Bool], T.text, () => null, stable),
  fn('pg_get_triggerdef', [O], T.text, () => null, stable),
  fn('pg_get_triggerdef', [O, TypeId.Bool], T.text, () => null, stable),
  fn('pg_get_constraintdef', [O], T.text, ([o], ctx) => ctx.catalog?.constraintDef(o as number) ?? null, stable),
  fn('pg_get_constraintdef', [O, TypeId.Bool], T.text, ([o], ctx) => ctx.catalog?.constraintDef(o as number) ?? null, stable),
  fn('pg_get_viewdef', [O], T.text, ([o], ctx) => ctx.catalog?.viewDef(o as number) ?? null, stable),
  fn('pg_get_viewdef', [O, TypeId.Bool], T.text, ([o], ctx) => ctx.catalog?.viewDef(o as number) ?? null, stable),
  fn('pg_get_viewdef', [TX], T.text, ([n], ctx) => {
    const oid = ctx.catalog?.oidOf('regclass', n as string);
    return oid === undefined ? null : ctx.catalog?.viewDef(oid) ?? null;
  }, stable),
  fn('pg_get_userbyid', [O], T.text, ([o], ctx) => ctx.catalog?.nameOf('regrole', o as number) ?? `unknown (OID=${String(o)})`, stable),
  fn('pg_table_is_visible', [O], T.bool, ([o], ctx) => ctx.catalog?.tableIsVisible(o as number) ?? false, stable),
  ...['pg_type_is_visible', 'pg_function_is_visible', 'pg_opclass_is_visible', 'pg_collation_is_visible', 'pg_conversion_is_visible', 'pg_ts_config_is_visible'].map((n) =>
    fn(n, [O], T.bool, () => true, stable),
  ),
  fn('obj_description', [O], T.text, () => null, stable),
  fn('obj_description', [O, TX], T.text, () => null, stable),
  fn('shobj_description', [O, TX], T.text, () => null, stable),
  fn('col_description', [O, TypeId.Int4], T.text, () => null, stable),
  // has_table_privilege([role,] table, privileges): writes follow GRANT/REVOKE, reads are open to all.
  fn('has_table_privilege', ['any', TX], T.bool, ([t, p], ctx) => (t === null || p === null ? null : ctx.catalog?.tablePrivilege(null, relationArg(t), p as string) ?? true), stable),
  fn('has_table_privilege', [TX, 'any', TX], T.bool, ([r, t, p], ctx) => (r === null || t === null || p === null ? null : ctx.catalog?.tablePrivilege(r as string, relationArg(t), p as string) ?? true), stable),
  ...privilegeFns('has_schema_privilege', [2, 3]),
  ...privilegeFns('has_database_privilege', [2, 3]),
  ...privilegeFns('has_column_privilege', [3, 4]),
  ...privilegeFns('has_any_column_privilege', [2, 3]),
  ...privilegeFns('has_function_privilege', [2, 3]),
  ...privilegeFns('has_sequence_privilege', [2, 3]),
  ...privilegeFns('has_type_privilege', [2, 3]),
  ...privilegeFns('pg_has_role', [2, 3]),
  fn('pg_encoding_to_char', [TypeId.Int4], T.text, ([e]) => (e === 6 ? 'UTF8' : e === 0 ? 'SQL_ASCII' : '')),
  fn('pg_char_to_encoding', [TX], T.int4, ([n]) => (/^utf-?8$/i.test(n as string) ? 6 : /^sql_ascii$/i.test(n as string) ? 0 : -1)),
  fn('current_schemas', [TypeId.Bool], arrayOf(T.text), ([imp], ctx) => new SqlArray(ctx.catalog?.currentSchemas(imp as boolean) ?? (imp ? ['pg_catalog', 'public'] : ['public'])), stable),
  fn('current_setting', [TX], T.text, ([n], ctx) => {
    const v = ctx.catalog?.getSetting(n as string);
    if (v === undefined) throw unknownSetting(n as string);
    return v;
  }, stable),
  fn('current_setting', [TX, TypeId.Bool], T.text, ([n, missingOk], ctx) => {
    if (n === null) return null;
    const v = ctx.catalog?.getSetting(n as string);
    if (v === undefined) {
      if (missingOk) return null;
      throw unknownSetting(n as string);
    }
    return v;
  }, lenient),
  fn('set_config', [TX, TX, TypeId.Bool], T.text, ([n, v, local], ctx) => {
    if (n === null) throw new SqlError(SqlState.NullValueNotAllowed, 'SET requires parameter name');
    if (!ctx.catalog) throw unknownSetting(n as string);
    return ctx.catalog.setSetting(n as string, (v as string | null) ?? '', local === true);
  }, { volatility: 'volatile', strict: false }),
  fn('pg_backend_pid', [], T.int4, (_a, ctx) => ctx.catalog?.backendPid() ?? 0, stable),
  fn('to_regclass', [TX], T.regclass, ([n], ctx) => ctx.catalog?.oidOf('regclass', n as string) ?? null, stable),
  fn('to_regtype', [TX], T.regtype, ([n], ctx) => ctx.catalog?.oidOf('regtype', n as string) ?? null, stable),
  fn('to_regnamespace', [TX], T.regnamespace, ([n], ctx) => ctx.catalog?.oidOf('regnamespace', n as string) ?? null, stable),
  fn('to_regrole', [TX], T.regrole, ([n], ctx) => ctx.catalog?.oidOf('regrole', n as string) ?? null, stable),
  fn('pg_relation_is_publishable', ['any'], T.bool, () => false, stable),
  fn('pg_get_statisticsobjdef_columns', [O], T.text, () => null, stable),
  fn('pg_get_function_result', [O], T.text, () => null, stable),
  fn('pg_get_function_arguments', [O], T.text, () => null, stable),
  fn('pg_get_function_identity_arguments', [O], T.text, () => null, stable),
  fn('pg_get_serial_sequence', [TX, TX], T.text, () => null, stable),
  fn('pg_get_partkeydef', [O], T.text, () => null, stable),
  fn('pg_is_in_recovery', [], T.bool, () => false, stable),
  fn('inet_server_addr', [], T.text, () => null, stable),
  fn('inet_server_port', [], T.int4, () => null, stable),
  fn('inet_client_addr', [], T.text, () => null, stable),
  // Sizes of relations are not tracked per relation (all live in one SQLite file): NULL, not a made-up number.
  ...['pg_table_size', 'pg_total_relation_size', 'pg_relation_size', 'pg_indexes_size'].map((n) => fn(n, ['any'], T.int8, () => null, stable)),
  fn('pg_database_size', ['any'], T.int8, () => null, stable),
  ...['pg_stat_get_numscans', 'pg_stat_get_tuples_returned', 'pg_stat_get_live_tuples', 'pg_stat_get_dead_tuples'].map((n) => fn(n, [O], T.int8, () => 0n, stable)),
  fn('parse_ident', [TX], arrayOf(T.text), ([s]) => new SqlArray(parseIdent(s as string))),
  fn('parse_ident', [TX, TypeId.Bool], arrayOf(T.text), ([s]) => new SqlArray(parseIdent(s as string))),
  fn('pg_size_pretty', [TypeId.Int8], T.text, ([b]) => sizePretty(b as bigint)),
  fn('pg_size_pretty', [TypeId.Numeric], T.text, ([b]) => sizePretty((b as Decimal).toBigInt())),
  ...aliases([fn('txid_current', [], T.int8, () => BigInt(Date.now()), { volatility: 'volatile' })], ['txid_current', 'pg_current_xact_id']),
  fn('pg_postmaster_start_time', [], T.timestamptz, () => PROCESS_START_MICROS, stable),
  fn('pg_conf_load_time', [], T.timestamptz, () => PROCESS_START_MICROS, stable),
  fn('pg_tablespace_location', [O], T.text, () => '', stable),
];

const PROCESS_START_MICROS: Value = Math.round((performance.timeOrigin) * 1000);
