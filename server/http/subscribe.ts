/**
 * `GET /v1/subscribe/:name[?snapshot=true]`: an object's committed changes as Server-Sent Events.
 *
 *   : subscribed to page_minute
 *   data: {"epoch":12,"diff":1,"row":{"page":"home","visits":3}}
 *   data: {"epoch":13,"diff":-1,"row":{"page":"home","visits":3}}
 *   : keepalive
 *
 * Values are encoded as HTTP ingest accepts them (the JSON format's encoder). A subscriber that
 * falls too far behind gets a final `event: error` and the stream ends. 401 without the
 * configured bearer token, 404 for an unknown object, 400 for a bad `snapshot` value.
 */
import { authorizeHttp, type HttpAuth } from './http-auth.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Engine } from '../../runtime/engine.js';
import { isSqlError, type SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { BinderEnvironment } from '../../planner/bind/bind-select.js';
import { jsonFormat } from '../../connectors/formats/json.js';
import { planSubscription, type SubscriptionFeed } from '../session/subscribe.js';

/** Idle streams get a comment this often, so proxies and clients see the connection is alive. */
const KEEPALIVE_MS = 15_000;

export type SubscribeRouteOptions = HttpAuth;

export function registerSubscribe(app: FastifyInstance, engine: Engine, env: BinderEnvironment, opts: SubscribeRouteOptions): void {
  const open = new Set<() => void>();
  // Endless responses would hold the HTTP server open at shutdown: end them first.
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });
  const keepaliveMs = Number(process.env['EDDY_SSE_KEEPALIVE_MS']) > 0 ? Number(process.env['EDDY_SSE_KEEPALIVE_MS']) : KEEPALIVE_MS;
  app.get('/v1/subscribe/:name', async (req: FastifyRequest<{ Params: { name: string }; Querystring: { snapshot?: string } }>, reply: FastifyReply) => {
    if (!authorizeHttp(req, reply, opts)) return reply;
    const snapshotParam = req.query.snapshot;
    if (snapshotParam !== undefined && snapshotParam !== 'true' && snapshotParam !== 'false') {
      return reply.code(400).send({ error: `snapshot must be true or false, not "${snapshotParam}"` });
    }
    const name = engine.catalog.get(req.params.name) !== undefined ? req.params.name : req.params.name.toLowerCase();
    let feed: SubscriptionFeed;
    let columns;
    try {
      const planned = planSubscription(engine, env, { name, snapshot: snapshotParam === 'true' });
      columns = planned.dataColumns;
      feed = planned.start({ cancelled: false });
    } catch (e) {
      if (!isSqlError(e)) throw e;
      return reply.code(e.code === SqlState.UndefinedTable ? 404 : 400).send({ error: e.message, code: e.code });
    }
    const encoder = jsonFormat.encoder(columns.map((c) => ({ name: c.name, type: c.type })), {});
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`: subscribed to ${name}\n\n`);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      open.delete(end);
      clearInterval(keepalive);
      feed.close();
      res.end();
    };
    open.add(end);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), keepaliveMs);
    feed.onFailure((err: SqlError) => {
      if (ended) return;
      res.write(`event: error\ndata: ${JSON.stringify({ error: err.message, code: err.code })}\n\n`);
      end();
    });
    res.on('close', end);
    void pump(feed, encoder, res, () => ended).catch(() => undefined).finally(end);
  });
}

/** Writes the feed's batches as events, waiting for the socket to drain between batches. */
async function pump(feed: SubscriptionFeed, encoder: ReturnType<typeof jsonFormat.encoder>, res: ServerResponse, ended: () => boolean): Promise<void> {
  for await (const rows of feed) {
    if (ended()) return;
    const data = await encoder.encodeBatch(rows.map((r) => r.slice(2)));
    let text = '';
    for (let i = 0; i < rows.length; i++) {
      text += `data: {"epoch":${String(rows[i][0])},"diff":${String(rows[i][1])},"row":${data[i].toString('utf8')}}\n\n`;
    }
    if (!res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
}
