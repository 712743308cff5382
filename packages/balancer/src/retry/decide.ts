/**
 * The retry decision after an attempt: the pure verdict (`policy.ts`: retryable outcome, method,
 * body, retries left, Retry-After), then what depends on the moment: whether the client can send
 * the request again, another instance to try, the retry budget, and the backoff.
 */
import type { RetryConfig } from '../config/config.js';
import { outcomeLabel, type Outcome } from '../outcome.js';
import type { Runtime } from '../runtime.js';
import type { ServiceObserver } from '../service/observer.js';
import { fullJitterBackoffMs, parseRetryAfterMs } from './backoff.js';
import type { RetryBudget } from './budget.js';
import { retryVerdict, type RetryDecision } from './policy.js';

/** What happened to the attempt. */
export interface RetryFacts {
  readonly outcome: Outcome;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Whether the request is idempotent (its `idempotent` override, else its method's). Default: its method's. */
  readonly idempotent?: boolean;
  /** Retries made before this attempt (0 for the first attempt). */
  readonly retries: number;
  readonly bodyReplayable: boolean;
  readonly bodyConsumed: boolean;
  readonly responseStarted: boolean;
  /** The response's Retry-After header, if any. */
  readonly retryAfter: string | undefined;
  /** False when the client cannot send this request again. */
  readonly clientCanResend: boolean;
  /** The caller's own code asked for this retry (see `AttemptFacts.retryRequested`). */
  readonly retryRequested: boolean;
}

/** The state of the service the decision depends on. */
export interface RetryScope {
  readonly service: string;
  readonly config: RetryConfig;
  readonly runtime: Runtime;
  readonly budget: RetryBudget | undefined;
  readonly observer: ServiceObserver;
  /** Whether a retry avoiding the instances already tried would find one now. */
  hasOtherInstance(): boolean;
  /** Whether the circuit breakers admit a retry now (absent: no limits). */
  admitsRetry?(): boolean;
}

type Refused = 'budget' | 'max-retries' | 'no-other-instance' | 'retry-after-too-long' | 'circuit-open';

export function decideRetry(facts: RetryFacts, scope: RetryScope): RetryDecision {
  const { config, runtime } = scope;
  const verdict = retryVerdict(
    {
      outcome: facts.outcome,
      method: facts.method,
      idempotent: facts.idempotent,
      retries: facts.retries,
      bodyReplayable: facts.bodyReplayable,
      bodyConsumed: facts.bodyConsumed,
      responseStarted: facts.responseStarted,
      retryRequested: facts.retryRequested,
      // Read only when present: parsing an HTTP date needs the wall clock.
      retryAfterMs: facts.retryAfter === undefined ? undefined : parseRetryAfterMs(facts.retryAfter, runtime.wallNow()),
    },
    config,
  );
  const refuse = (reason: Refused): RetryDecision => {
    scope.observer.retryRefused?.({ service: scope.service, reason });
    return { retry: false, reason };
  };
  if (!verdict.retry) {
    if (verdict.reason === 'max-retries' || verdict.reason === 'retry-after-too-long') {
      return config.maxRetries > 0 ? refuse(verdict.reason) : verdict;
    }
    return verdict;
  }
  if (!facts.clientCanResend) return { retry: false, reason: 'client-cannot-retry' };
  if (!scope.hasOtherInstance()) return refuse('no-other-instance');
  if (scope.admitsRetry && !scope.admitsRetry()) return refuse('circuit-open');
  if (scope.budget && !scope.budget.tryWithdraw()) return refuse('budget');
  const backoff = fullJitterBackoffMs(facts.retries + 1, config.backoffBaseMs, config.backoffMaxMs, runtime.random);
  const delayMs = Math.max(verdict.minDelayMs, backoff);
  scope.observer.retried?.({ service: scope.service, retry: facts.retries + 1, delayMs, cause: outcomeLabel(facts.outcome) });
  return { retry: true, delayMs };
}
