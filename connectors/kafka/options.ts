/**
 * The Kafka connector's WITH (...) options, checked at CREATE time (22023 naming the option).
 *
 *   topic, brokers ('h:p,h:p')            required
 *   format = json | csv | avro            default json (plus the format's own options)
 *   startup = earliest | latest | <timestamp>   sources; default earliest
 *   group_id                              sources; default 'eddy-<stream>'
 *   mode = upsert | append                sinks; default upsert with a key, append without
 *   client_id, metadata_refresh ('30 seconds'), validate = true | false
 *   sasl.mechanism = plain | scram-sha-256 | scram-sha-512, sasl.username, sasl.password
 *   tls = true | false, tls.ca / tls.cert / tls.key (PEM file paths), tls.reject_unauthorized
 */
import fs from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { parseTimestamptz } from '../../runtime/sql/datetime-parse.js';
import { parseBool } from '../option-values.js';

export { parseBool, parseMs } from '../option-values.js';

const COMMON = ['connector', 'topic', 'brokers', 'format', 'client_id', 'metadata_refresh', 'validate', 'sasl.mechanism', 'sasl.username', 'sasl.password', 'tls', 'tls.ca', 'tls.cert', 'tls.key', 'tls.reject_unauthorized'];
export const SOURCE_OPTIONS: readonly string[] = [...COMMON, 'startup', 'group_id', 'retention', 'idle_timeout', 'partition_idle_timeout'];
export const SINK_OPTIONS: readonly string[] = [...COMMON, 'mode', 'snapshot', 'primary_key', 'transactional_id', 'progress_group'];

export function bad(message: string, hint?: string): SqlError {
  return new SqlError(SqlState.InvalidParameterValue, message, { hint });
}

export function required(options: Readonly<Record<string, string>>, key: string): string {
  const v = options[key];
  if (v === undefined || v.trim() === '') throw bad(`the kafka connector needs option "${key}"`);
  return v.trim();
}

export function parseBrokers(text: string): string[] {
  const list = text.split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of list) {
    const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(b);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) throw bad(`option "brokers": "${b}" is not host:port`, "e.g. brokers = 'localhost:9092,kafka2:9092'");
  }
  if (list.length === 0) throw bad('option "brokers" names no broker');
  return list;
}


/** Where a source with no committed position starts: earliest, latest, or a timestamp (ms). */
export type Startup = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'timestamp'; ms: number };

export function parseStartup(text: string | undefined): Startup {
  if (text === undefined) return { kind: 'earliest' };
  const t = text.trim().toLowerCase();
  if (t === 'earliest') return { kind: 'earliest' };
  if (t === 'latest') return { kind: 'latest' };
  if (/^\d{10,16}$/.test(t)) return { kind: 'timestamp', ms: Number(t) };
  let micros: number | undefined;
  try {
    micros = parseTimestamptz(text.trim());
  } catch {
    micros = undefined;
  }
  if (micros === undefined || !Number.isFinite(micros)) throw bad(`option "startup" must be earliest, latest or a timestamp, not "${text}"`, "e.g. startup = '2024-05-01 00:00:00+00' or epoch milliseconds");
  return { kind: 'timestamp', ms: Math.floor(micros / 1000) };
}

/** Rejects options neither the connector nor its format knows. */
export function checkKnown(options: Readonly<Record<string, string>>, known: readonly string[], formatOptions: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k) && !formatOptions.includes(k)) throw bad(`unrecognized option "${k}" for the kafka connector`, `Valid options: ${[...known, ...formatOptions].filter((o) => o !== 'connector').join(', ')}.`);
  }
}

function readPem(options: Readonly<Record<string, string>>, key: string): string | undefined {
  const path = options[key];
  if (path === undefined) return undefined;
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    throw bad(`option "${key}": cannot read "${path}": ${(e as Error).message}`);
  }
}

/** kafkajs client settings (brokers, client id, TLS, SASL) from the options. */
export function clientConfig(options: Readonly<Record<string, string>>, dfltClientId: string): Omit<KafkaConfig, 'logCreator' | 'logLevel'> {
  const brokers = parseBrokers(required(options, 'brokers'));
  const cfg: Omit<KafkaConfig, 'logCreator' | 'logLevel'> = { brokers, clientId: options.client_id ?? dfltClientId, connectionTimeout: 3000, requestTimeout: 30_000 };
  const tls = parseBool(options, 'tls', false);
  const ca = readPem(options, 'tls.ca');
  const cert = readPem(options, 'tls.cert');
  const key = readPem(options, 'tls.key');
  if (tls || ca !== undefined || cert !== undefined) {
    cfg.ssl = { rejectUnauthorized: parseBool(options, 'tls.reject_unauthorized', true), ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  const mech = options['sasl.mechanism']?.trim().toLowerCase();
  if (mech !== undefined) {
    const username = options['sasl.username'];
    const password = options['sasl.password'];
    if (username === undefined || password === undefined) throw bad('SASL needs options "sasl.username" and "sasl.password"');
    if (mech !== 'plain' && mech !== 'scram-sha-256' && mech !== 'scram-sha-512') throw bad(`option "sasl.mechanism" must be plain, scram-sha-256 or scram-sha-512, not "${mech}"`);
    cfg.sasl = { mechanism: mech, username, password } as SASLOptions;
  } else if (options['sasl.username'] !== undefined) {
    throw bad('option "sasl.username" needs "sasl.mechanism"');
  }
  return cfg;
}
