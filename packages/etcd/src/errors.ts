/**
 * Errors with stable codes, branded with `Symbol.for` so that `instanceof` and `isEtcdError`
 * work across duplicate installs of this package (as in `@datapunk/balancer`).
 */
import type { ConfigIssue } from '@datapunk/balancer/adapter';

const BRAND = Symbol.for('@datapunk/balancer-etcd/error');

/** Stable error codes of the etcd package. */
export const EtcdErrorCodes = Object.freeze({
  /** Invalid options to `etcdDiscovery` or `register`. */
  CONFIG: 'ERR_ETCD_CONFIG',
  /** No endpoint answered: connection refused or reset, timeout, stream ended. */
  UNAVAILABLE: 'ERR_ETCD_UNAVAILABLE',
  /** etcd answered with an error (see `grpcCode`), or with something that is not a valid answer. */
  RESPONSE: 'ERR_ETCD_RESPONSE',
  /** Every entry under the prefix was invalid; the last good list stays in use. */
  INVALID_LIST: 'ERR_ETCD_INVALID_LIST',
  /**
   * etcd refused the credentials (wrong user or password), requires credentials that were not
   * given, rejected a token even after a fresh authentication, or denied the permission (see
   * `grpcCode`: 3, 16 or 7).
   */
  AUTH: 'ERR_ETCD_AUTH',
  /**
   * The TLS handshake with an `https:` endpoint failed: its certificate is not trusted by `tls.ca`,
   * does not name the host (or `tls.servername`), or the server refused the client certificate.
   */
  TLS: 'ERR_ETCD_TLS',
} as const);

/** One of the stable `code` strings of `EtcdErrorCodes`. */
export type EtcdErrorCode = (typeof EtcdErrorCodes)[keyof typeof EtcdErrorCodes];

/** gRPC status codes etcd returns that this package acts on. */
export const GrpcCodes = Object.freeze({
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const);

/**
 * etcd's answer when auth is enabled and a request carries no token (gRPC code 3); the same code
 * with another text is an ordinary invalid argument.
 */
const USER_EMPTY = 'user name is empty';

/** An error of the etcd package, with a stable `code` from `EtcdErrorCodes`. */
export class EtcdError extends Error {
  /** The code every instance of this class has, or undefined when it varies. Subclasses set it. */
  static readonly code: EtcdErrorCode | undefined = undefined;
  readonly code: EtcdErrorCode;
  /** The gRPC status code etcd answered with, for `ERR_ETCD_RESPONSE`. */
  readonly grpcCode: number | undefined;
  /** The endpoint that failed, when one did. */
  readonly endpoint: string | undefined;

  constructor(
    code: EtcdErrorCode,
    message: string,
    details: { grpcCode?: number | undefined; endpoint?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.grpcCode = details.grpcCode;
    this.endpoint = details.endpoint;
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** Brand check: works across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const code = (this as { code?: EtcdErrorCode }).code;
    return isEtcdError(value) && (code === undefined || value.code === code);
  }
}

/** Thrown by `etcdDiscovery` and `register` for invalid options; lists every problem with its path. */
export class EtcdConfigError extends EtcdError {
  static override readonly code = EtcdErrorCodes.CONFIG;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    super(EtcdErrorCodes.CONFIG, `invalid etcd options (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = Object.freeze([...issues]);
  }
}

/**
 * An error etcd answered with: `Unavailable` (14) counts as the endpoint's failure;
 * `Unauthenticated` (16), `PermissionDenied` (7) and a missing token are auth errors.
 */
export function answerError(message: string, grpcCode: number | undefined, endpoint?: string): EtcdError {
  let code: EtcdErrorCode = EtcdErrorCodes.RESPONSE;
  if (grpcCode === GrpcCodes.UNAVAILABLE) code = EtcdErrorCodes.UNAVAILABLE;
  else if (grpcCode === GrpcCodes.UNAUTHENTICATED || grpcCode === GrpcCodes.PERMISSION_DENIED) code = EtcdErrorCodes.AUTH;
  else if (grpcCode === GrpcCodes.INVALID_ARGUMENT && message.includes(USER_EMPTY)) {
    code = EtcdErrorCodes.AUTH;
    message = `${message} (etcd requires authentication: set the auth option)`;
  }
  return new EtcdError(code, message, { grpcCode, endpoint });
}

/** True for any error thrown by this package (any installed copy). */
export function isEtcdError(value: unknown): value is EtcdError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
