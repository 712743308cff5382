/**
 * Errors with stable codes, branded with `Symbol.for` so that `instanceof` and `isEtcdError`
 * work across duplicate installs of this package (as in `@datapunk/balancer`).
 */
import type { ConfigIssue } from '@datapunk/balancer';

const BRAND = Symbol.for('@datapunk/balancer-etcd/error');

export const EtcdErrorCodes = Object.freeze({
  /** Invalid options to `etcdDiscovery` or `register`. */
  CONFIG: 'ERR_ETCD_CONFIG',
  /** No endpoint answered: connection refused or reset, timeout, stream ended. */
  UNAVAILABLE: 'ERR_ETCD_UNAVAILABLE',
  /** etcd answered with an error (see `grpcCode`), or with something that is not a valid answer. */
  RESPONSE: 'ERR_ETCD_RESPONSE',
  /** Every entry under the prefix was invalid; the last good list stays in use. */
  INVALID_LIST: 'ERR_ETCD_INVALID_LIST',
} as const);

export type EtcdErrorCode = (typeof EtcdErrorCodes)[keyof typeof EtcdErrorCodes];

/** gRPC status codes etcd returns that this package acts on. */
export const GrpcCodes = Object.freeze({ NOT_FOUND: 5, OUT_OF_RANGE: 11, UNAVAILABLE: 14 } as const);

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

/** An error etcd answered with: `Unavailable` (14) counts as the endpoint's failure. */
export function answerError(message: string, grpcCode: number | undefined, endpoint?: string): EtcdError {
  const code = grpcCode === GrpcCodes.UNAVAILABLE ? EtcdErrorCodes.UNAVAILABLE : EtcdErrorCodes.RESPONSE;
  return new EtcdError(code, message, { grpcCode, endpoint });
}

/** True for any error thrown by this package (any installed copy). */
export function isEtcdError(value: unknown): value is EtcdError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
