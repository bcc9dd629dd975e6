/**
 * Kafka metadata as stream columns: a stream column named _key, _partition, _offset,
 * _timestamp or _headers is filled from the record instead of its payload, e.g.
 *
 *   CREATE STREAM clicks (url TEXT, _timestamp TIMESTAMPTZ,
 *                         WATERMARK FOR _timestamp AS _timestamp - INTERVAL '5 seconds')
 *     WITH (connector = 'kafka', topic = 'clicks', brokers = 'localhost:9092');
 *
 * makes the record timestamp the event time.
 */
import type { KafkaMessage } from 'kafkajs';
import type { CatalogObject } from '../../runtime/catalog/catalog.js';
import { TypeId, type SqlType } from '../../runtime/sql/types.js';
import type { JsonValue, Value } from '../../runtime/sql/values.js';
import { JSON_NULL } from '../../runtime/sql/values.js';
import { bad } from './options.js';

export type MetadataKind = '_key' | '_partition' | '_offset' | '_timestamp' | '_headers';

const ALLOWED: Record<MetadataKind, { types: TypeId[]; label: string }> = {
  _key: { types: [TypeId.Text, TypeId.Varchar, TypeId.Jsonb], label: 'text, varchar or jsonb' },
  _partition: { types: [TypeId.Int4, TypeId.Int8, TypeId.Int2], label: 'integer' },
  _offset: { types: [TypeId.Int8], label: 'bigint' },
  _timestamp: { types: [TypeId.Timestamptz, TypeId.Timestamp], label: 'timestamptz or timestamp' },
  _headers: { types: [TypeId.Jsonb], label: 'jsonb' },
};

export function isMetadataColumn(name: string): name is MetadataKind {
  return Object.prototype.hasOwnProperty.call(ALLOWED, name);
}

/** Checks the types of a stream's metadata columns (22023 naming the expected type). */
export function checkMetadataColumns(stream: CatalogObject): void {
  for (const c of stream.columns) {
    if (!isMetadataColumn(c.name)) continue;
    if (!ALLOWED[c.name].types.includes(c.type.id)) throw bad(`metadata column "${c.name}" must be of type ${ALLOWED[c.name].label}`);
  }
}

export type MetadataReader = (m: KafkaMessage, partition: number) => Value;

export function metadataReader(kind: MetadataKind, type: SqlType): MetadataReader {
  switch (kind) {
    case '_key':
      if (type.id === TypeId.Jsonb) return (m) => (m.key === null ? null : parseJsonOrText(m.key.toString('utf8')));
      return (m) => (m.key === null ? null : m.key.toString('utf8'));
    case '_partition':
      return type.id === TypeId.Int8 ? (_m, p) => BigInt(p) : (_m, p) => p;
    case '_offset':
      return (m) => BigInt(m.offset);
    case '_timestamp':
      return (m) => Number(m.timestamp) * 1000;
    case '_headers':
      return (m) => {
        const o: { [k: string]: JsonValue } = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) {
          if (v === undefined) continue;
          o[k] = Array.isArray(v) ? v.map((x) => x.toString('utf8')) : v.toString('utf8');
        }
        return o;
      };
  }
}

function parseJsonOrText(s: string): Value {
  try {
    const v = JSON.parse(s) as JsonValue;
    return v === null ? JSON_NULL : v;
  } catch {
    return s;
  }
}
