/** Session settings (SET/SHOW/RESET) and the ParameterStatus values reported to clients. */
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { normalizeSetting, parseStartupOptions } from './timeouts.js';

/** Settings reported in ParameterStatus at startup and whenever they change. */
/** Settings a session cannot change (PostgreSQL's internal and postmaster-level parameters): 55P02. */
const FIXED = new Set(['server_version', 'server_version_num', 'server_encoding', 'integer_datetimes', 'max_identifier_length', 'max_index_keys', 'block_size', 'max_connections', 'lc_collate', 'lc_ctype']);

const REPORTED = ['server_version', 'server_encoding', 'client_encoding', 'application_name', 'DateStyle', 'TimeZone', 'integer_datetimes', 'standard_conforming_strings', 'IntervalStyle', 'is_superuser', 'session_authorization'];

function isUtcName(v: string): boolean {
  return /^(utc|gmt|z|etc\/utc|etc\/gmt|etc\/universal|universal|zulu|\+?0+|00:00)$/i.test(v.trim());
}

function isKnownTimeZone(v: string): boolean {
  if (/^[+-]?\d{1,2}(:\d{2})?$/.test(v)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export class SessionSettings {
  /** The last non-UTC TimeZone a client asked for (accepted, not applied: sessions use UTC). */
  ignoredTimeZone?: string;
  private values = new Map<string, string>();
  private defaults = new Map<string, string>();
  private canonical = new Map<string, string>();
  readonly user: string;
  readonly database: string;

  constructor(serverVersion: string, startup: Record<string, string>) {
    this.user = startup.user ?? 'eddy';
    this.database = startup.database ?? 'eddy';
    const d: Record<string, string> = {
      server_version: serverVersion,
      server_version_num: '150000',
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      application_name: startup.application_name ?? '',
      DateStyle: 'ISO, MDY',
      TimeZone: 'UTC',
      integer_datetimes: 'on',
      standard_conforming_strings: 'on',
      IntervalStyle: 'postgres',
      is_superuser: 'on',
      session_authorization: this.user,
      search_path: '"$user", public',
      transaction_isolation: 'serializable',
      default_transaction_isolation: 'serializable',
      transaction_read_only: 'off',
      extra_float_digits: '1',
      statement_timeout: '0',
      idle_session_timeout: '0',
      idle_in_transaction_session_timeout: '0',
      password_encryption: 'scram-sha-256',
      lock_timeout: '0',
      max_identifier_length: '63',
      max_index_keys: '32',
      lc_collate: 'C.UTF-8',
      lc_ctype: 'C.UTF-8',
      lc_messages: 'C.UTF-8',
      lc_monetary: 'C.UTF-8',
      lc_numeric: 'C.UTF-8',
      lc_time: 'C.UTF-8',
      block_size: '8192',
      max_connections: '100',
      default_transaction_read_only: 'off',
      client_min_messages: 'notice',
    };
    for (const [k, v] of Object.entries(d)) {
      this.canonical.set(k.toLowerCase(), k);
      this.defaults.set(k, v);
      this.values.set(k, v);
    }
    for (const [k, v] of Object.entries(startup)) {
      if (k === 'user' || k === 'database' || k === 'options' || k === 'replication') continue;
      this.setRaw(k, v);
    }
    // PGOPTIONS / `options=-c name=value`: settings for the whole session.
    if (startup.options !== undefined) for (const [k, v] of parseStartupOptions(startup.options)) this.setRaw(k, v);
  }

  private key(name: string): string {
    return this.canonical.get(name.toLowerCase()) ?? name.toLowerCase();
  }

  private setRaw(name: string, value: string): string {
    const k = this.key(name);
    if (k === 'TimeZone' && !isUtcName(value)) {
      // Sessions compute in UTC. Drivers send the client's zone at connect (pgjdbc: the JVM's),
      // so a valid zone is accepted and ignored (timestamptz values carry their offset, so
      // instants stay right); SET TimeZone answers with a notice saying so.
      if (!isKnownTimeZone(value.trim())) {
        throw new SqlError(SqlState.InvalidParameterValue, `invalid value for parameter "TimeZone": "${value}"`);
      }
      this.ignoredTimeZone = value.trim();
    }
    if (k === 'client_encoding' && !/^(utf-?8|unicode)$/i.test(value)) {
      throw new SqlError(SqlState.FeatureNotSupported, `client encoding "${value}" is not supported; use UTF8`);
    }
    const v = k === 'TimeZone' ? 'UTC' : k === 'client_encoding' ? 'UTF8' : normalizeSetting(k, value) ?? value;
    this.values.set(k, v);
    if (!this.canonical.has(k.toLowerCase())) this.canonical.set(k.toLowerCase(), k);
    return k;
  }

  set(name: string, values: string[] | 'default', changed: (k: string, v: string) => void): void {
    const k = this.key(name === 'time zone' ? 'timezone' : name);
    if (FIXED.has(k)) {
      throw new SqlError(SqlState.CantChangeRuntimeParam, k === 'max_connections'
        ? `parameter "${k}" cannot be changed without restarting the server`
        : `parameter "${k}" cannot be changed`);
    }
    const value = values === 'default' ? this.defaults.get(k) ?? '' : values.join(', ');
    const key = this.setRaw(k, value);
    if (REPORTED.includes(key)) changed(key, this.values.get(key)!);
  }

  /** True for settings Eddy knows (or a custom `prefix.name` setting, as PostgreSQL allows). */
  known(name: string): boolean {
    const k = this.key(name === 'time zone' ? 'timezone' : name);
    return this.defaults.has(k) || name.includes('.');
  }

  /** The setting's name as PostgreSQL spells it (SHOW datestyle answers in a column "DateStyle"). */
  canonicalName(name: string): string {
    return this.key(name === 'time zone' ? 'timezone' : name);
  }

  get(name: string): string {
    const k = this.key(name === 'time zone' ? 'timezone' : name);
    const v = this.values.get(k);
    if (v === undefined) throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
    return v;
  }

  resetAll(changed: (k: string, v: string) => void): void {
    for (const [k, v] of this.defaults) {
      if (this.values.get(k) !== v && REPORTED.includes(k)) changed(k, v);
      this.values.set(k, v);
    }
  }

  reported(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of REPORTED) out[k] = this.values.get(k) ?? '';
    return out;
  }

  all(): [string, string][] {
    return [...this.values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}
