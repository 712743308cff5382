/**
 * Retry options (`services.<name>.retry`): how many, on what, with which backoff, the attempt
 * deadline and the retry budget. Resolved in `resolve-retry.ts` and `resolve-deadline.ts`.
 */
import type { LearnedTimeoutOptions } from './deadline-options.js';

/** Retries of a service's calls on another instance (`services.<name>.retry`). */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). Default 1. */
  readonly maxRetries?: number;
  /** Response statuses worth retrying (idempotent methods only). Default [502, 503, 504]. */
  readonly retryOnStatuses?: readonly number[];
  /**
   * Retry non-idempotent methods (POST, PATCH) on retryable statuses, resets and timeouts too.
   * Connection failures are always retried, whatever the method: the request never left.
   * Default false.
   */
  readonly retryNonIdempotent?: boolean;
  /** First backoff ceiling, ms; delay = random(0, min(max, base x 2^retry)). Default 25. */
  readonly backoffBaseMs?: number;
  /** Backoff cap, ms. Default 250. */
  readonly backoffMaxMs?: number;
  /**
   * A Retry-After longer than this (ms) stops retrying; shorter ones are waited for. Default 1,000.
   */
  readonly retryAfterMaxMs?: number;
  /**
   * Per-attempt timeout, ms: an attempt without response headers after this long is abandoned,
   * its instance blamed (a timeout), and it may be retried elsewhere. `0` or `false` turns the
   * attempt deadline off. Default: learned from the service's latency (`learnedTimeout`).
   */
  readonly perAttemptTimeoutMs?: number | false;
  /**
   * The default attempt deadline, used when `perAttemptTimeoutMs` is not configured:
   * clamp(p99 of recent times to headers x 3, 1 s, 10 s), 10 s until 100 samples exist.
   */
  readonly learnedTimeout?: LearnedTimeoutOptions;
  /**
   * A one-shot request body (a stream; `fetch` sends every body as one) up to this many bytes is
   * copied as it is sent, so a retry can replay it; larger bodies are not retried once sent.
   * 0 disables the copy. Default 65,536 (Envoy buffers requests for retries the same way).
   */
  readonly bufferBodyBytes?: number;
  /** Retry budget: retries may be at most this share of requests. Off when `false`. */
  readonly budget?: RetryBudgetOptions | false;
}

/** The retry budget (`retry.budget`): retries at most a share of requests over a sliding window. */
export interface RetryBudgetOptions {
  /** Retries allowed as a percentage of requests in the window. Default 20 (Finagle, Envoy). */
  readonly percent?: number;
  /** Retries per second always allowed, whatever the traffic. Default 10 (Finagle). */
  readonly minRetriesPerSecond?: number;
  /** Sliding window, ms. Default 10,000 (Finagle). */
  readonly windowMs?: number;
}
