/**
 * Retry decisions that depend only on what happened to an attempt, kept pure. What depends on
 * the moment (budget, other instances available) is checked by the call afterwards.
 */
import type { RetryConfig } from '../config/config.js';
import type { Outcome } from '../outcome.js';

/** RFC 9110 idempotent methods. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** True for the RFC 9110 idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE); `method` upper-case. */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET': case 'HEAD': case 'PUT': case 'DELETE': case 'OPTIONS': case 'TRACE': return true;
    case 'POST': case 'PATCH': return false;
    default: return IDEMPOTENT.has(method.toUpperCase());
  }
}

/** Why a request is not retried. */
export type NoRetryReason =
  /** The attempt succeeded, or failed in a way retrying cannot fix (a 4xx, a 500). */
  | 'not-retryable'
  /** The caller cancelled. */
  | 'cancelled'
  /** A retryable failure, but the method is not idempotent and the request may have been processed. */
  | 'non-idempotent'
  /** The request body was a stream already (partly) sent: it cannot be sent again. */
  | 'body-not-replayable'
  /** The response body already reached the caller. */
  | 'response-started'
  | 'max-retries'
  /** The instance asked for a longer wait than `retryAfterMaxMs`. */
  | 'retry-after-too-long'
  /** The retry budget is spent. */
  | 'budget'
  /** Every available instance was already tried. */
  | 'no-other-instance'
  /** The client cannot send this request again (`CallRequest.retryable: false`). */
  | 'client-cannot-retry'
  /**
   * A hedged call's attempt whose result is not the call's: another attempt is still pending
   * (this one failed) or won (this one lost). Drop it and tell the caller nothing.
   */
  | 'other-attempt'
  /** The service's circuit breakers (`limits`) allow no retry now: `maxRetries` retries in flight, or a service limit reached. */
  | 'circuit-open';

/** Whether a finished attempt is retried, after how long, or why not. */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly reason: NoRetryReason };

export interface AttemptFacts {
  readonly outcome: Outcome;
  readonly method: string;
  /** Whether the request is idempotent; default: whether `method` is (RFC 9110). */
  readonly idempotent?: boolean;
  /** Retries already made (0 after the first attempt). */
  readonly retries: number;
  /** False when the body is a one-shot stream. */
  readonly bodyReplayable: boolean;
  /**
   * True when some of a one-shot body was already read by the client, even if the connection
   * then failed (some clients start reading the body before connecting).
   */
  readonly bodyConsumed?: boolean;
  /** True when the response body was handed to the caller. */
  readonly responseStarted: boolean;
  /** Parsed Retry-After, ms, if the response had one. */
  readonly retryAfterMs: number | undefined;
  /** The caller's code asked for this retry: any outcome and method may be retried. */
  readonly retryRequested?: boolean;
}

/**
 * Decides from the attempt alone: retryable outcome, method and body allow it, retries left,
 * Retry-After acceptable. Returns the earliest delay a retry may start after (Retry-After or 0);
 * the caller adds backoff.
 */
export function retryVerdict(facts: AttemptFacts, config: RetryConfig): { retry: true; minDelayMs: number } | { retry: false; reason: NoRetryReason } {
  const { outcome } = facts;
  if (outcome.kind === 'cancelled') return { retry: false, reason: 'cancelled' };
  const neverLeft = outcome.kind === 'failure' && outcome.failure === 'connect';
  const asked = facts.retryRequested === true;
  const retryable = asked || neverLeft || outcome.kind === 'failure' || config.retryOnStatuses.has(outcome.status);
  if (!retryable) return { retry: false, reason: 'not-retryable' };
  if (facts.responseStarted) return { retry: false, reason: 'response-started' };
  if (!facts.bodyReplayable && (!neverLeft || facts.bodyConsumed)) return { retry: false, reason: 'body-not-replayable' };
  if (!asked && !neverLeft && !config.retryNonIdempotent && !(facts.idempotent ?? isIdempotent(facts.method))) return { retry: false, reason: 'non-idempotent' };
  if (facts.retries >= config.maxRetries) return { retry: false, reason: 'max-retries' };
  if (facts.retryAfterMs !== undefined && facts.retryAfterMs > config.retryAfterMaxMs) {
    return { retry: false, reason: 'retry-after-too-long' };
  }
  return { retry: true, minDelayMs: facts.retryAfterMs ?? 0 };
}
