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
import { classifyError, type Outcome } from '../outcome.js';
import type { AttemptFacts } from './facts.js';

const PREMATURE_CLOSE = 'ERR_STREAM_PREMATURE_CLOSE';

export function blame(facts: AttemptFacts, deadlineFired: boolean, status: number | undefined): Outcome {
  const latencyMs = facts.latencyMs;
  const { error } = facts;
  const kind = error === undefined ? undefined : classifyError(error);
  if (facts.cancelledBy === 'client' || kind === 'invalid-request') return withLatency({ kind: 'cancelled', by: 'invalid-request' }, latencyMs);
  if (deadlineFired || facts.cancelledBy === 'client-timeout') return withLatency({ kind: 'failure', failure: 'timeout' }, latencyMs);
  if (facts.cancelledBy === 'caller' || kind === 'cancelled') return withLatency({ kind: 'cancelled' }, latencyMs);
  if (kind !== undefined) {
    if (status !== undefined && codeOf(error) === PREMATURE_CLOSE) return withLatency({ kind: 'cancelled' }, latencyMs);
    const failure = status !== undefined && kind === 'other' ? 'reset' : kind;
    return withLatency({ kind: 'failure', failure }, latencyMs);
  }
  if (status !== undefined) return withLatency({ kind: 'response', status }, latencyMs);
  return withLatency({ kind: 'failure', failure: 'other' }, latencyMs);
}

function withLatency(outcome: Outcome, latencyMs: number | undefined): Outcome {
  return latencyMs === undefined ? outcome : { ...outcome, latencyMs };
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
