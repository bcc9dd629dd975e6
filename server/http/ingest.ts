/**
 * HTTP ingest: `POST /v1/streams/:name` with a JSON array, one JSON object, or NDJSON
 * (Content-Type application/x-ndjson). All rows of a request go into one epoch:
 *   200 {"accepted": n, "late": m}  once the epoch committed (the rows are durable);
 *   400 naming every row that does not fit the stream's schema, and nothing of the request is written;
 *   401 without the configured bearer token; 404 for an unknown stream; 413 over the body limit.
 * Records are decoded by the same JSON format a Kafka source uses.
 */
import { authorizeHttp, type HttpAuth } from './http-auth.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../runtime/engine.js';
import type { Row } from '../../runtime/sql/values.js';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import { jsonFormat } from '../../connectors/formats/json.js';
import { BodyShapeError, splitRecords } from './json-records.js';

/** At most this many bad rows are listed in a 400 response. */
const MAX_LISTED_ERRORS = 100;

export type IngestOptions = HttpAuth;

interface RowError {
  row: number;
  error: string;
}

export function registerIngest(app: FastifyInstance, engine: Engine, opts: IngestOptions & { maxBody: number }): void {
  // Fastify's own errors (a body over the limit, bad content types) in the same {"error"} shape.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    const error = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the request body is larger than the limit of ${opts.maxBody} bytes (--http-max-body)` : err.message;
    void reply.code(status).send({ error });
  });
  for (const type of ['application/json', 'application/x-ndjson', 'application/jsonl', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  }
  app.post('/v1/streams/:name', async (req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
    if (!authorizeHttp(req, reply, opts)) return reply;
    const name = req.params.name;
    const stream = engine.catalog.get(name) ?? engine.catalog.get(name.toLowerCase());
    if (stream === undefined || stream.kind !== 'stream') {
      return reply.code(404).send({ error: stream === undefined ? `stream "${name}" does not exist` : `"${name}" is a ${stream.kind === 'mv' ? 'materialized view' : stream.kind}, not a stream` });
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ndjson = /ndjson|jsonl/.test(req.headers['content-type'] ?? '');
    let records: Buffer[];
    try {
      records = splitRecords(body, ndjson);
    } catch (e) {
      if (e instanceof BodyShapeError) return reply.code(400).send({ error: `the body is not a JSON array, a JSON object or NDJSON: ${e.message}` });
      throw e;
    }
    const columns = stream.columns.map((c) => ({ name: c.name, type: c.type }));
    const decoded = await jsonFormat.decoder(columns, {}).decodeBatch(records);
    const errors: RowError[] = decoded.errors.map((e) => ({ row: e.index, error: e.message }));
    const rows: Row[] = [];
    decoded.rows.forEach((r, i) => {
      if (r === undefined) return;
      const bad = stream.columns.findIndex((c, j) => c.notNull && r[j] === null);
      if (bad >= 0) errors.push({ row: i, error: `null value in column "${stream.columns[bad].name}" violates not-null constraint` });
      else rows.push(r);
    });
    if (errors.length > 0) {
      errors.sort((a, b) => a.row - b.row);
      return reply.code(400).send({
        error: `${errors.length} of ${records.length} rows do not fit stream "${stream.name}"; nothing was written`,
        rows: errors.slice(0, MAX_LISTED_ERRORS),
      });
    }
    try {
      const accepted = await engine.submit((tx) => {
        const s = engine.catalog.getById(stream.id);
        if (s === undefined) throw new SqlError(SqlState.UndefinedTable, `stream "${name}" was dropped`);
        return engine.appendToStream(tx, s, rows);
      });
      return reply.code(200).send({ accepted, late: rows.length - accepted });
    } catch (e) {
      const code = e instanceof SqlError ? e.code : undefined;
      const status = code === SqlState.UndefinedTable ? 404 : code?.startsWith('22') || code?.startsWith('23') ? 400 : 503;
      return reply.code(status).send({ error: (e as Error).message, sqlstate: code });
    }
  });
}
