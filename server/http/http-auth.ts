/**
 * Who may use the HTTP API (ingest, SSE). With --http-token every request needs the bearer token.
 * Without one, HTTP follows the wire's authentication: under `--auth trust` everyone may, otherwise
 * only loopback clients (an HTTP request carries no user), so a server that asks remote psql users
 * for a password does not accept anonymous remote writes over HTTP.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from '../pgwire/login.js';

export interface HttpAuth {
  /** Required bearer token (--http-token); undefined = none configured. */
  token?: string;
  /** No token: trust every client (`--auth trust`) rather than loopback only. */
  trustRemote?: boolean;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const a = Buffer.from(header ?? '');
  const b = Buffer.from(`Bearer ${token}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Replies 401 and returns false when the request may not proceed. */
export function authorizeHttp(req: FastifyRequest, reply: FastifyReply, auth: HttpAuth): boolean {
  if (auth.token !== undefined) {
    if (tokenMatches(req.headers.authorization, auth.token)) return true;
    void reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid bearer token is required' });
    return false;
  }
  if (auth.trustRemote || isLoopback(req.socket.remoteAddress)) return true;
  void reply.code(401).send({ error: 'HTTP clients on other hosts need a bearer token: start Eddy with --http-token (or --auth trust)' });
  return false;
}
