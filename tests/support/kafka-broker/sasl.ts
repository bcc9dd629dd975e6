/**
 * SASL/PLAIN for the test broker (SaslHandshake v0–1, SaslAuthenticate v0–1), enough to test a
 * client's `sasl.mechanism = 'plain'` settings. Until a connection has authenticated, it may only
 * send ApiVersions, SaslHandshake and SaslAuthenticate; anything else closes it, as Kafka does.
 */
import { Reader, Writer } from './codec.js';

export const SASL_HANDSHAKE = 17;
export const SASL_AUTHENTICATE = 36;
const UNSUPPORTED_SASL_MECHANISM = 33;
const SASL_AUTHENTICATION_FAILED = 58;

export interface SaslUsers {
  [user: string]: string;
}

export function handshake(r: Reader): Buffer {
  const mechanism = r.string();
  const ok = mechanism.toUpperCase() === 'PLAIN';
  const w = new Writer();
  w.int16(ok ? 0 : UNSUPPORTED_SASL_MECHANISM);
  w.array(['PLAIN'], (w, m) => w.string(m));
  return w.toBuffer();
}

/** Returns the response and whether the credentials were right. */
export function authenticate(r: Reader, version: number, users: SaslUsers): { body: Buffer; ok: boolean } {
  const auth = r.bytes();
  // PLAIN: [authzid] NUL authcid NUL password
  const [, user = '', password = ''] = auth.toString('utf8').split('\0');
  const ok = Object.prototype.hasOwnProperty.call(users, user) && users[user] === password;
  const w = new Writer();
  w.int16(ok ? 0 : SASL_AUTHENTICATION_FAILED);
  w.nullableString(ok ? null : `Authentication failed: invalid username or password`);
  w.bytes(Buffer.alloc(0));
  if (version >= 1) w.int64(0);
  return { body: w.toBuffer(), ok };
}
