/**
 * The blame table: how an attempt ended, from its raw facts, as one outcome that outlier
 * detection, the strategy, metrics and retries all agree on. Adapters never decide this.
 *
 *   facts (first match wins)                                     outcome
 *   the client refused the request (`cancelledBy: 'client'`,     cancelled, invalid request: never blamed
 *     or an error about the request itself)
 *   the balancer's own attempt deadline fired                    failure `timeout`: blamed
 *   `cancelledBy: 'caller'`                                      cancelled by the caller: never blamed
 *   `cancelledBy: 'client-timeout'`                              failure `timeout`: blamed
 *   an abort nobody claimed (`AbortError`, `ERR_CANCELED`)       cancelled by the caller
 *   a premature close after the headers (the reader stopped)     cancelled by the caller
 *   an unnamed error after the headers (a body cut midway)       failure `reset`: blamed
 *   any other error                                              failure of its kind (connect, reset, timeout, other)
 *   a status                                                     response (5xx blamed, 4xx and 3xx not)
 *   nothing                                                      failure `other`
 *
 * A redirect ends its attempt with the 3xx status: the hop after it is a request of its own, so
 * a hop that fails is never the redirecting instance's failure.
 */
import { classifyError, responseOutcome, type FailureKind, type Outcome } from '../outcome.js';
import type { AttemptFacts } from './facts.js';

const PREMATURE_CLOSE = 'ERR_STREAM_PREMATURE_CLOSE';

export function blame(facts: AttemptFacts, deadlineFired: boolean, status: number | undefined): Outcome {
  const latencyMs = facts.latencyMs;
  const { error } = facts;
  const kind = error === undefined ? undefined : classifyError(error);
  if (facts.cancelledBy === 'client' || kind === 'invalid-request') return withLatency(INVALID_REQUEST, latencyMs);
  if (deadlineFired || facts.cancelledBy === 'client-timeout') return withLatency(FAILURES.timeout, latencyMs);
  if (facts.cancelledBy === 'caller' || kind === 'cancelled') return withLatency(CANCELLED, latencyMs);
  if (kind !== undefined) {
    if (status !== undefined && codeOf(error) === PREMATURE_CLOSE) return withLatency(CANCELLED, latencyMs);
    const failure = status !== undefined && kind === 'other' ? 'reset' : kind;
    return withLatency(FAILURES[failure], latencyMs);
  }
  if (status !== undefined) return withLatency(responseOutcome(status), latencyMs);
  return withLatency(FAILURES.other, latencyMs);
}

// Shared, frozen: an outcome is data that nobody changes.
const INVALID_REQUEST: Outcome = Object.freeze({ kind: 'cancelled', by: 'invalid-request' });
const CANCELLED: Outcome = Object.freeze({ kind: 'cancelled' });
const FAILURES: Readonly<Record<FailureKind, Outcome>> = {
  connect: Object.freeze({ kind: 'failure', failure: 'connect' }),
  reset: Object.freeze({ kind: 'failure', failure: 'reset' }),
  timeout: Object.freeze({ kind: 'failure', failure: 'timeout' }),
  other: Object.freeze({ kind: 'failure', failure: 'other' }),
};

function withLatency(outcome: Outcome, latencyMs: number | undefined): Outcome {
  return latencyMs === undefined ? outcome : { ...outcome, latencyMs };
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
