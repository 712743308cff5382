/**
 * A service's circuit breakers (`limits`): counts of its attempts in flight, waiting for their
 * headers, and retrying, checked before an attempt starts. Envoy's cluster circuit breakers,
 * counted per balancer: over a limit a new request fails at once (`ERR_CIRCUIT_OPEN`) instead of
 * piling up in this process behind a slow service.
 */
import type { LimitsConfig } from '../config/config.js';
import type { CircuitReason } from '../errors.js';

export class ServiceLimits {
  /** Attempts picked and not yet ended. */
  requests = 0;
  /** Attempts picked that have no response headers yet. */
  pending = 0;
  /** Attempts in flight that are retries. */
  retries = 0;

  constructor(readonly config: LimitsConfig) {}

  /** Which limit a new attempt would break now, with its value; undefined when it may start. */
  refusal(): { reason: CircuitReason; limit: number } | undefined {
    const c = this.config;
    if (this.requests >= c.maxRequests) return { reason: 'max-requests', limit: c.maxRequests };
    if (this.pending >= c.maxPendingRequests) return { reason: 'max-pending-requests', limit: c.maxPendingRequests };
    return undefined;
  }

  /** Whether a retry may be made now (checked when it is decided, before the backoff). */
  admitsRetry(): boolean {
    return this.retries < this.config.maxRetries && this.refusal() === undefined;
  }

  started(retry: boolean): void {
    this.requests++;
    this.pending++;
    if (retry) this.retries++;
  }

  /** The attempt's response headers arrived. */
  answered(): void {
    this.pending--;
  }

  ended(retry: boolean, answered: boolean): void {
    this.requests--;
    if (!answered) this.pending--;
    if (retry) this.retries--;
  }
}
