/**
 * Login: the authentication conversation of one connection, between its StartupMessage and
 * AuthenticationOk. Chooses the method for the role and the client address (as pg_hba.conf would
 * with one line), sends the challenges and checks the answers (PasswordMessage / SASL frames).
 *
 *   Start --trust--------------------------------------------------------------> Done
 *     |--md5: AuthenticationMD5Password --PasswordMessage (checked)------------> Done | FATAL 28P01
 *     |--scram: AuthenticationSASL --SASLInitialResponse--> SASLContinue
 *                                  --SASLResponse (proof checked)--> SASLFinal -> Done | FATAL 28P01
 *
 * A failed login reads the same for an unknown role, a role without a password and a wrong
 * password: `password authentication failed for user "x"`. For a role that cannot succeed, a
 * mock SCRAM exchange with a salt that is stable per user name runs to its end, so the exchange
 * itself does not reveal which roles exist.
 */
import { randomBytes } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import { SqlError } from '../../runtime/sql/errors.js';
import { SqlState } from '../../runtime/sql/sqlstate.js';
import type { Role } from '../../runtime/catalog/users-store.js';
import { AuthMethod, checkMd5Response, isMd5Secret, parseScramSecret, SCRAM_MECHANISM, ScramExchange, ScramProtocolError } from './auth.js';
import { BackendType, type BackendWriter } from './backend.js';
import { BodyReader } from './frontend.js';
import { protocolViolation } from './framing.js';

/** The roles as authentication sees them (implemented by runtime/catalog/users-store.ts). */
export interface RoleDirectory {
  get(name: string): Role | undefined;
  /** Seeds mock SCRAM salts for roles that cannot log in with a password. */
  readonly mockSeed: Buffer;
}

export interface LoginPolicy {
  method: AuthMethod;
  roles: RoleDirectory;
}

/** What a connection enforces before a session starts: TLS, session slots, authentication. */
export interface ConnectionSecurity {
  login: LoginPolicy;
  tls?: { context: SecureContext; required: boolean };
  /** Takes one of max_connections' session slots; false when all are taken. */
  acquireSessionSlot(): boolean;
  releaseSessionSlot(): void;
}

/** Authentication request codes (the Int32 after 'R'). */
const AuthCode = { Ok: 0, Md5Password: 5, Sasl: 10, SaslContinue: 11, SaslFinal: 12 } as const;

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.InvalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function authProtocolError(message: string): SqlError {
  return protocolViolation(message);
}

export class Login {
  private state: 'Start' | 'Md5' | 'SaslInitial' | 'SaslResponse' | 'Done' = 'Start';
  private md5Salt: Buffer | null = null;
  private scram: ScramExchange | null = null;
  /** The role logging in; undefined for a name that is no role (accepted only under trust). */
  readonly role: Role | undefined;

  constructor(
    private readonly policy: LoginPolicy,
    private readonly user: string,
    private readonly remoteAddress: string | undefined,
  ) {
    this.role = policy.roles.get(user);
  }

  /** The method for this client: auto trusts loopback addresses and asks everyone else for SCRAM. */
  private method(): AuthMethod {
    const m = this.policy.method;
    if (m !== AuthMethod.Auto) return m;
    return isLoopback(this.remoteAddress) ? AuthMethod.Trust : AuthMethod.ScramSha256;
  }

  /** Sends the first challenge; true when the client is already authenticated (trust). */
  begin(out: BackendWriter): boolean {
    const method = this.method();
    const secret = this.role?.secret ?? null;
    if (method === AuthMethod.Trust) {
      this.state = 'Done';
      return true;
    }
    if (method === AuthMethod.Md5 && secret !== null && isMd5Secret(secret)) {
      this.md5Salt = randomBytes(4);
      const at = out.begin(BackendType.Authentication);
      out.i32(AuthCode.Md5Password).bytes(this.md5Salt);
      out.end(at);
      this.state = 'Md5';
      return false;
    }
    const parsed = secret === null ? null : parseScramSecret(secret);
    this.scram = parsed !== null ? new ScramExchange(parsed, true) : ScramExchange.mock(this.policy.roles.mockSeed, this.user);
    const at = out.begin(BackendType.Authentication);
    out.i32(AuthCode.Sasl).cstring(SCRAM_MECHANISM).u8(0);
    out.end(at);
    this.state = 'SaslInitial';
    return false;
  }

  /** Handles one 'p' message body; true once authenticated. Throws FATAL on failure. */
  step(body: Buffer, out: BackendWriter): boolean {
    const r = new BodyReader(body);
    try {
      switch (this.state) {
        case 'Md5': {
          const response = r.cstring();
          r.end();
          this.state = 'Done';
          if (!checkMd5Response(this.role?.secret ?? null, this.md5Salt!, response)) throw passwordFailed(this.user);
          return true;
        }
        case 'SaslInitial': {
          const mechanism = r.cstring();
          if (mechanism !== SCRAM_MECHANISM) throw authProtocolError('client selected an invalid SASL authentication mechanism');
          const len = r.i32();
          if (len < 0 || len !== r.remaining) throw authProtocolError('malformed SASL message');
          const serverFirst = this.scram!.clientFirst(r.bytes(len).toString('utf8'));
          const at = out.begin(BackendType.Authentication);
          out.i32(AuthCode.SaslContinue).bytes(Buffer.from(serverFirst, 'utf8'));
          out.end(at);
          this.state = 'SaslResponse';
          return false;
        }
        case 'SaslResponse': {
          const serverFinal = this.scram!.clientFinal(r.bytes(r.remaining).toString('utf8'));
          this.state = 'Done';
          if (serverFinal === null) throw passwordFailed(this.user);
          const at = out.begin(BackendType.Authentication);
          out.i32(AuthCode.SaslFinal).bytes(Buffer.from(serverFinal, 'utf8'));
          out.end(at);
          return true;
        }
        case 'Start':
        case 'Done':
          throw authProtocolError('unexpected authentication message');
      }
    } catch (e) {
      if (e instanceof ScramProtocolError) throw authProtocolError(e.message);
      throw e;
    }
  }
}
