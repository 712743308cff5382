import { describe, expect, it } from 'vitest';
import { resolveRetry } from '../config/resolve-retry.js';
import { Issues } from '../config/validate.js';
import type { Outcome } from '../outcome.js';
import { retryVerdict, type AttemptFacts } from './policy.js';

const config = resolveRetry({ maxRetries: 2 }, 'retry', new Issues());
const facts = (outcome: Outcome, more: Partial<AttemptFacts> = {}): AttemptFacts => ({
  outcome,
  method: 'GET',
  retries: 0,
  bodyReplayable: true,
  responseStarted: false,
  retryAfterMs: undefined,
  ...more,
});
const s = (status: number): Outcome => ({ kind: 'response', status });
const f = (failure: 'connect' | 'reset' | 'timeout' | 'other'): Outcome => ({ kind: 'failure', failure });

describe('retryVerdict', () => {
  it.each<[string, AttemptFacts, string]>([
    ['GET 200', facts(s(200)), 'not-retryable'],
    ['GET 404', facts(s(404)), 'not-retryable'],
    ['GET 500 (not in retryOnStatuses)', facts(s(500)), 'not-retryable'],
    ['GET 503', facts(s(503)), 'retry'],
    ['GET 502', facts(s(502)), 'retry'],
    ['GET 504', facts(s(504)), 'retry'],
    ['POST 503', facts(s(503), { method: 'POST' }), 'non-idempotent'],
    ['PUT 503', facts(s(503), { method: 'put' }), 'retry'],
    ['DELETE reset', facts(f('reset'), { method: 'DELETE' }), 'retry'],
    ['POST connect refused', facts(f('connect'), { method: 'POST' }), 'retry'],
    ['POST reset', facts(f('reset'), { method: 'POST' }), 'non-idempotent'],
    ['POST timeout', facts(f('timeout'), { method: 'POST' }), 'non-idempotent'],
    ['GET timeout', facts(f('timeout')), 'retry'],
    ['cancelled', facts({ kind: 'cancelled' }), 'cancelled'],
    ['stream body, reset', facts(f('reset'), { bodyReplayable: false }), 'body-not-replayable'],
    ['stream body, connect refused', facts(f('connect'), { bodyReplayable: false }), 'retry'],
    ['stream body already read, connect refused', facts(f('connect'), { bodyReplayable: false, bodyConsumed: true }), 'body-not-replayable'],
    ['buffered body read, connect refused', facts(f('connect'), { bodyConsumed: true }), 'retry'],
    ['response body reached caller', facts(f('reset'), { responseStarted: true }), 'response-started'],
    ['retries exhausted', facts(s(503), { retries: 2 }), 'max-retries'],
    ['Retry-After within cap', facts(s(503), { retryAfterMs: 1_000 }), 'retry'],
    ['Retry-After beyond cap', facts(s(503), { retryAfterMs: 1_001 }), 'retry-after-too-long'],
  ])('%s -> %s', (_name, input, expected) => {
    const v = retryVerdict(input, config);
    expect(v.retry ? 'retry' : v.reason).toBe(expected);
  });

  it('Retry-After becomes the minimum delay', () => {
    expect(retryVerdict(facts(s(503), { retryAfterMs: 800 }), config)).toEqual({ retry: true, minDelayMs: 800 });
  });

  it('retryNonIdempotent lets POST retry on 503', () => {
    const c = resolveRetry({ retryNonIdempotent: true }, 'retry', new Issues());
    expect(retryVerdict(facts(s(503), { method: 'POST' }), c).retry).toBe(true);
  });

  it('maxRetries 0 means no retry at all, even for connection failures', () => {
    const c = resolveRetry({ maxRetries: 0 }, 'retry', new Issues());
    expect(retryVerdict(facts(f('connect')), c)).toEqual({ retry: false, reason: 'max-retries' });
  });
});
