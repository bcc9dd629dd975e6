/**
 * Password authentication: SCRAM-SHA-256 (RFC 5802 / RFC 7677, without channel binding) and
 * PostgreSQL's md5 challenge, plus the stored secrets both use. Pure functions and small state
 * machines; Connection feeds them the client's messages and sends what they return.
 *
 * Stored secrets, exactly as PostgreSQL stores them in pg_authid.rolpassword:
 *   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *   md5<hex md5(password || user name)>
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How clients must authenticate. */
export const AuthMethod = {
  /** Everyone is trusted; no password is asked. */
  Trust: 'trust',
  /** A password is required, checked with SCRAM-SHA-256. */
  ScramSha256: 'scram-sha-256',
  /** A password is required: md5 for roles whose secret is md5, SCRAM for the others (as PostgreSQL). */
  Md5: 'md5',
  /** Loopback connections are trusted; others need a password (SCRAM). */
  Auto: 'auto',
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

export const AUTH_METHODS: readonly AuthMethod[] = Object.values(AuthMethod);

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** PostgreSQL's scram_iterations default. */
export const SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;
const SCRAM_NONCE_BYTES = 18;

// ------------------------------------------------------------------------------ stored secrets

export interface ScramSecret {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const SCRAM_SECRET_RE = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;
const MD5_SECRET_RE = /^md5[0-9a-f]{32}$/;

export function parseScramSecret(secret: string): ScramSecret | null {
  const m = SCRAM_SECRET_RE.exec(secret);
  if (m === null) return null;
  const iterations = Number(m[1]);
  const storedKey = Buffer.from(m[3], 'base64');
  const serverKey = Buffer.from(m[4], 'base64');
  if (!Number.isSafeInteger(iterations) || iterations < 1 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations, salt: Buffer.from(m[2], 'base64'), storedKey, serverKey };
}

export function isMd5Secret(secret: string): boolean {
  return MD5_SECRET_RE.test(secret);
}

/**
 * PostgreSQL's SASLprep of a password, approximated by NFKC normalisation (identical for ASCII,
 * which is what nearly every password is). libpq applies the same normalisation client-side.
 */
function saslPrep(password: string): string {
  return password.normalize('NFKC');
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  return { storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** A SCRAM-SHA-256 verifier for the password (random salt unless given). */
export function scramSecret(password: string, salt: Buffer = randomBytes(SCRAM_SALT_BYTES), iterations = SCRAM_ITERATIONS): string {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** PostgreSQL's md5 secret: 'md5' + md5(password || user). */
export function md5Secret(password: string, user: string): string {
  return 'md5' + md5Hex(password + user);
}

/**
 * The secret to store for a password given in CREATE/ALTER ROLE: a password that already is a
 * SCRAM verifier or an md5 secret is stored as is (psql's \password sends one), as PostgreSQL does.
 */
export function encryptPassword(password: string, user: string, encryption: 'scram-sha-256' | 'md5'): string {
  if (parseScramSecret(password) !== null || isMd5Secret(password)) return password;
  return encryption === 'md5' ? md5Secret(password, user) : scramSecret(password);
}

// ------------------------------------------------------------------------------ md5 challenge

/** Checks a PasswordMessage answering AuthenticationMD5Password: 'md5' + md5(md5hex(pw||user) || salt). */
export function checkMd5Response(secret: string | null, salt: Buffer, response: string): boolean {
  // An unknown user or a SCRAM-only secret is compared against a value no response can match.
  const inner = secret !== null && isMd5Secret(secret) ? secret.slice(3) : randomBytes(16).toString('hex');
  const expected = Buffer.from('md5' + md5Hex(Buffer.concat([Buffer.from(inner, 'utf8'), salt])), 'utf8');
  const got = Buffer.from(response, 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected) && secret !== null && isMd5Secret(secret);
}

// ------------------------------------------------------------------------------ SCRAM exchange

/** A malformed SCRAM message: the connection fails with 08P01. */
export class ScramProtocolError extends Error {}

/**
 * The server side of one SCRAM-SHA-256 exchange.
 *
 *   AwaitingClientFirst --client-first--> AwaitingClientFinal --client-final--> Done (ok or not)
 *
 * Built with the role's secret, or with a mock secret (unknown role, no password, md5-only secret)
 * so that an exchange that cannot succeed looks exactly like one that can, and fails at the end.
 */
export class ScramExchange {
  private state: 'AwaitingClientFirst' | 'AwaitingClientFinal' | 'Done' = 'AwaitingClientFirst';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(
    private readonly secret: ScramSecret,
    /** False when the secret is a mock: the exchange runs to its end and then fails. */
    private readonly real: boolean,
    private readonly serverNonce: string = randomBytes(SCRAM_NONCE_BYTES).toString('base64'),
  ) {}

  /** Mock secret for a role that cannot log in with SCRAM: a salt derived from `seed` and the user name. */
  static mock(seed: Buffer, user: string): ScramExchange {
    const salt = createHash('sha256').update(seed).update(user).digest().subarray(0, SCRAM_SALT_BYTES);
    const secret: ScramSecret = { iterations: SCRAM_ITERATIONS, salt, storedKey: randomBytes(32), serverKey: randomBytes(32) };
    return new ScramExchange(secret, false);
  }

  /** Takes client-first-message (from SASLInitialResponse); returns server-first-message. */
  clientFirst(message: string): string {
    if (this.state !== 'AwaitingClientFirst') throw new ScramProtocolError('unexpected SCRAM message');
    // gs2-header: cbind-flag "," [authzid] ","  then client-first-message-bare: [reserved-mext ","] "n=" user ",r=" nonce [,ext]
    const m = /^(n|y|p=[^,]*),([^,]*),(.*)$/s.exec(message);
    if (m === null) throw new ScramProtocolError('malformed SCRAM message');
    if (m[1].startsWith('p=')) throw new ScramProtocolError('channel binding is not supported by this server');
    if (m[2] !== '') throw new ScramProtocolError('client uses authorization identity, but it is not supported');
    this.gs2Header = `${m[1]},${m[2]},`;
    this.clientFirstBare = m[3];
    const attrs = this.clientFirstBare.split(',');
    if (attrs[0]?.startsWith('m=')) throw new ScramProtocolError('client requires an unsupported SCRAM extension');
    if (!attrs[0]?.startsWith('n=') || !attrs[1]?.startsWith('r=')) throw new ScramProtocolError('malformed SCRAM message');
    const clientNonce = attrs[1].slice(2);
    if (clientNonce === '' || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramProtocolError('malformed SCRAM message');
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    this.state = 'AwaitingClientFinal';
    return this.serverFirst;
  }

  /**
   * Takes client-final-message (from SASLResponse). Returns server-final-message when the proof
   * is right, or null when authentication failed.
   */
  clientFinal(message: string): string | null {
    if (this.state !== 'AwaitingClientFinal') throw new ScramProtocolError('unexpected SCRAM message');
    this.state = 'Done';
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw new ScramProtocolError('malformed SCRAM message');
    const withoutProof = message.slice(0, proofAt);
    const attrs = withoutProof.split(',');
    if (!attrs[0]?.startsWith('c=') || !attrs[1]?.startsWith('r=')) throw new ScramProtocolError('malformed SCRAM message');
    if (attrs[0].slice(2) !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw new ScramProtocolError('unexpected SCRAM channel-binding attribute in client-final-message');
    }
    if (attrs[1].slice(2) !== this.nonce) throw new ScramProtocolError('SCRAM nonce mismatch');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== 32) throw new ScramProtocolError('malformed SCRAM message');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.secret.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i] ^ clientSignature[i];
    const ok = timingSafeEqual(sha256(clientKey), this.secret.storedKey);
    if (!ok || !this.real) return null;
    return `v=${hmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

/** The client side of SCRAM-SHA-256, for tests and tools: computes client-final from a password. */
export function scramClientFinal(password: string, clientFirstBare: string, serverFirst: string, gs2Header = 'n,,'): { message: string; serverSignature: string } {
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a.slice(0, 1), a.slice(2)]));
  const salt = Buffer.from(attrs['s'], 'base64');
  const iterations = Number(attrs['i']);
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = sha256(clientKey);
  const withoutProof = `c=${Buffer.from(gs2Header).toString('base64')},r=${attrs['r']}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) proof[i] = clientKey[i] ^ signature[i];
  const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  return { message: `${withoutProof},p=${proof.toString('base64')}`, serverSignature };
}
