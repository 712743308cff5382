/**
 * etcd v3 user authentication: `POST /v3/auth/authenticate {name, password}` answers a token,
 * sent as the `Authorization` header of every later call. etcd forgets a token after
 * `--auth-token-ttl` seconds without use (simple tokens, default 300 s), when the user's password
 * changes, or when auth is disabled; a JWT token expires at a fixed time. The call then fails with
 * `Unauthenticated` (16, "invalid auth token").
 *
 * `AuthSession` keeps one token per gateway, fetched on first use. A call whose token is rejected
 * discards it, authenticates again and is retried once. Authentication is single-flight: calls
 * that need a token while one is being fetched wait for it, and a call that saw an old token
 * rejected only discards that old token, so many calls seeing expiry together authenticate once.
 * When etcd answers that auth is not enabled, calls go without a token (as etcd's own client
 * does) until etcd asks for one.
 *
 * The password lives in a private field of `Credentials`; the token in a private field of the
 * session: neither is in any error, log line or `util.inspect`/`JSON.stringify` output.
 */
import { EtcdError, GrpcCodes } from './errors.js';
import type { Issues } from './options.js';

/** etcd user credentials (`etcdctl user add <name>`), for etcd started with auth enabled. */
export interface EtcdAuthOptions {
  /** The etcd user name. */
  readonly username: string;
  /** Its password. Never logged, never in errors. */
  readonly password: string;
}

/** Resolved credentials; the password stays private. */
export class Credentials {
  readonly username: string;
  readonly #password: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.#password = password;
  }

  /** The body of an authenticate request. */
  authenticateBody(): string {
    return JSON.stringify({ name: this.username, password: this.#password });
  }

  toJSON(): object {
    return { username: this.username };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Credentials { username: ${JSON.stringify(this.username)} }`;
  }
}

/** Validates the `auth` option; undefined when absent or invalid (the issues say why). */
export function resolveAuth(value: unknown, issues: Issues): Credentials | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add('auth', 'expected an object { username, password }');
    return undefined;
  }
  const auth = value as Record<string, unknown>;
  for (const key of Object.keys(auth)) if (key !== 'username' && key !== 'password') issues.add(`auth.${key}`, 'unknown option (known: username, password)');
  const { username, password } = auth;
  let ok = true;
  if (typeof username !== 'string' || username === '') {
    issues.add('auth.username', `expected a non-empty string, got ${typeof username === 'string' ? 'an empty string' : typeof username}`);
    ok = false;
  }
  // Never echo the password, not even its length.
  if (typeof password !== 'string' || password === '') {
    issues.add('auth.password', `expected a non-empty string, got ${typeof password === 'string' ? 'an empty string' : typeof password}`);
    ok = false;
  }
  return ok ? new Credentials(username as string, password as string) : undefined;
}

/** Fetches a token; resolves undefined when etcd says auth is not enabled. */
export type Authenticate = () => Promise<string | undefined>;

/** Why the session authenticated: its first call, or a token etcd rejected. */
export type AuthReason = 'first-call' | 'token-rejected';

/** etcd's texts (gRPC code 3) that mean "this request's token is missing or stale". */
const STALE_TEXTS = ['user name is empty', 'revision of auth store is old'];

/** Whether etcd refused `error`'s call for its token (invalid, expired, missing or stale). */
export function isTokenRejected(error: unknown): boolean {
  if (!(error instanceof EtcdError)) return false;
  if (error.grpcCode === GrpcCodes.UNAUTHENTICATED) return true;
  return error.grpcCode === GrpcCodes.INVALID_ARGUMENT && STALE_TEXTS.some((text) => error.message.includes(text));
}

export class AuthSession {
  /** The current token (undefined inside: auth is off), or undefined before the first one. */
  #state: { readonly token: string | undefined } | undefined;
  #pending: Promise<{ readonly token: string | undefined }> | undefined;
  #reason: AuthReason = 'first-call';

  /**
   * @param authenticate fetches a token
   * @param onAuthenticated told after each authentication, with why and whether etcd has auth on
   */
  constructor(
    private readonly authenticate: Authenticate,
    private readonly onAuthenticated: (reason: AuthReason, enabled: boolean) => void = () => {},
  ) {}

  /** The token to send (undefined: send none), authenticating when there is none yet. */
  async token(): Promise<string | undefined> {
    if (this.#state) return this.#state.token;
    this.#pending ??= this.#fetch();
    return (await this.#pending).token;
  }

  /** Forgets `token` because etcd rejected it, unless it was already replaced. */
  discard(token: string | undefined): void {
    if (this.#state && this.#state.token === token) {
      this.#state = undefined;
      this.#reason = 'token-rejected';
    }
  }

  /**
   * Runs `call` with the current token; when etcd rejects the token, authenticates again and
   * runs it once more with the new one. Other failures, and a second rejection, are thrown.
   */
  async run<T>(call: (token: string | undefined) => Promise<T>): Promise<T> {
    const token = await this.token();
    try {
      return await call(token);
    } catch (error) {
      if (!isTokenRejected(error)) throw error;
      this.discard(token);
      return call(await this.token());
    }
  }

  async #fetch(): Promise<{ readonly token: string | undefined }> {
    try {
      const state = { token: await this.authenticate() };
      this.#state = state;
      this.onAuthenticated(this.#reason, state.token !== undefined);
      return state;
    } finally {
      this.#pending = undefined;
    }
  }

  toJSON(): object {
    return { authenticated: this.#state !== undefined };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AuthSession { authenticated: ${this.#state !== undefined} }`;
  }
}
