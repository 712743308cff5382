/**
 * Errors with stable codes. Every error carries a `code` and a brand registered with
 * `Symbol.for`, so `instanceof` works even when two copies of this package are installed side by
 * side (the brand is shared through the global symbol registry).
 */

const BRAND = Symbol.for('@datapunk/balancer/error');

/** Stable error codes. */
export const ErrorCodes = Object.freeze({
  CONFIG: 'ERR_BALANCER_CONFIG',
  NO_AVAILABLE_INSTANCE: 'ERR_NO_AVAILABLE_INSTANCE',
  ATTEMPT_TIMEOUT: 'ERR_BALANCER_ATTEMPT_TIMEOUT',
  CLOSED: 'ERR_BALANCER_CLOSED',
  SCHEME_MISMATCH: 'ERR_SCHEME_MISMATCH',
  CIRCUIT_OPEN: 'ERR_CIRCUIT_OPEN',
} as const);

/** One of the stable `code` strings of `ErrorCodes`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

function hasBrand(value: unknown): value is { code: string } {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Base class of every error this package throws. */
export class BalancerError extends Error {
  /** The stable code of this kind of error. Subclasses override it. */
  static readonly code: ErrorCode | undefined = undefined;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** Brand check: works across duplicate installs of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!hasBrand(value)) return false;
    const code = (this as { code?: string }).code;
    return code === undefined || value.code === code;
  }
}

/** One problem found while validating options. */
export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `services.orders.healthCheck.intervalMs`. */
  readonly path: string;
  /** What was wrong, e.g. `expected a positive integer, got -5`. */
  readonly message: string;
}

/**
 * Thrown by `createBalancer` when options are invalid; lists every problem with its path. Also
 * thrown when an object the options passed in fails as the balancer is built (a discovery
 * source's `start()` throws, a `meterProvider` returns no meter): then `cause` is that error.
 */
export class BalancerConfigError extends BalancerError {
  static override readonly code = ErrorCodes.CONFIG;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    super(
      ErrorCodes.CONFIG,
      `invalid balancer options (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      options,
    );
    this.issues = Object.freeze([...issues]);
  }
}

/** Why no instance could be picked. */
export type UnavailableReason =
  | 'none-discovered'
  | 'all-ejected'
  | 'all-unhealthy'
  | 'all-draining'
  | 'panic-fail-fast'
  | 'all-tried'
  | 'closed';

const REASON_TEXT: Record<UnavailableReason, string> = {
  'none-discovered': 'no instances discovered yet',
  'all-ejected': 'every instance is ejected by outlier detection',
  'all-unhealthy': 'every instance is failing health checks',
  'all-draining': 'every instance is draining',
  'panic-fail-fast': 'too few healthy instances (panic) and panic mode is fail-fast',
  'all-tried': 'every available instance was already tried by this request',
  closed: 'the balancer is closed',
};

/** No instance of a service could take the request. */
export class NoAvailableInstanceError extends BalancerError {
  static override readonly code = ErrorCodes.NO_AVAILABLE_INSTANCE;
  readonly service: string;
  readonly reason: UnavailableReason;

  constructor(service: string, reason: UnavailableReason, detail?: string) {
    super(
      ErrorCodes.NO_AVAILABLE_INSTANCE,
      `no available instance for service "${service}": ${REASON_TEXT[reason]}${detail ? ` (${detail})` : ''}`,
    );
    this.service = service;
    this.reason = reason;
  }
}

/** An attempt exceeded the per-attempt timeout; the instance is blamed, the request may retry. */
export class AttemptTimeoutError extends BalancerError {
  static override readonly code = ErrorCodes.ATTEMPT_TIMEOUT;
  readonly service: string;
  readonly instance: string;
  readonly timeoutMs: number;

  constructor(service: string, instance: string, timeoutMs: number) {
    super(
      ErrorCodes.ATTEMPT_TIMEOUT,
      `attempt to ${instance} (service "${service}") exceeded the per-attempt timeout of ${timeoutMs} ms`,
    );
    this.service = service;
    this.instance = instance;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A logical `https://` URL was about to be sent as plain HTTP to an `http://` instance; nothing
 * was sent (see the service option `allowSchemeDowngrade`).
 */
export class SchemeMismatchError extends BalancerError {
  static override readonly code = ErrorCodes.SCHEME_MISMATCH;
  readonly service: string;
  readonly instance: string;

  constructor(service: string, instance: string) {
    super(
      ErrorCodes.SCHEME_MISMATCH,
      `refusing to send an https:// request for service "${service}" as plain HTTP to ${instance}; set allowSchemeDowngrade to allow it`,
    );
    this.service = service;
    this.instance = instance;
  }
}

/** Which circuit breaker (`services.<name>.limits`) refused a request. */
export type CircuitReason = 'max-requests' | 'max-pending-requests' | 'max-requests-per-instance';

const CIRCUIT_TEXT: Record<CircuitReason, string> = {
  'max-requests': 'requests in flight',
  'max-pending-requests': 'requests waiting for response headers',
  'max-requests-per-instance': 'requests in flight on every available instance',
};

/**
 * A circuit breaker of the service is at its limit (`limits`): the request failed at once and
 * nothing was sent, so that a slow service does not pile requests up in this process.
 */
export class CircuitOpenError extends BalancerError {
  static override readonly code = ErrorCodes.CIRCUIT_OPEN;
  readonly service: string;
  readonly reason: CircuitReason;
  /** The limit that was reached. */
  readonly limit: number;

  constructor(service: string, reason: CircuitReason, limit: number) {
    super(ErrorCodes.CIRCUIT_OPEN, `circuit open for service "${service}": ${reason} (${limit} ${CIRCUIT_TEXT[reason]})`);
    this.service = service;
    this.reason = reason;
    this.limit = limit;
  }
}




