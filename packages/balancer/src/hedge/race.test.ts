/**
 * Hedged calls through the core on the fake runtime: the adapter side is played by `launch`
 * (which collects the hedges) and by the test reporting each attempt's end.
 */
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import type { Attempt } from '../attempt/attempt.js';
import { isOtherAttempt } from '../attempt/attempt.js';
import type { CallRequest } from '../call.js';
import type { ServiceOptions } from '../config/options.js';
import type { HedgeEvent, HedgeRefusedEvent } from '../service/observer.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';

const urls = (n: number) => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${8001 + i}`);
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

function setup(service: Partial<ServiceOptions> = {}, instances = 3) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({
    services: { orders: { instances: urls(instances), strategy: 'round-robin', healthCheck: false, hedge: { delayMs: 10 }, ...service } },
    runtime,
  });
  const events = { hedged: [] as HedgeEvent[], won: [] as HedgeEvent[], refused: [] as HedgeRefusedEvent[] };
  balancer.observe({
    hedged: (e) => events.hedged.push(e),
    hedgeWon: (e) => events.won.push(e),
    hedgeRefused: (e) => events.refused.push(e),
  });
  const instancesOf = () => balancer.snapshot().services.orders!.instances;
  const inFlight = () => instancesOf().reduce((s, i) => s + i.inFlight, 0);
  const failures = () => instancesOf().reduce((s, i) => s + i.totals.failures, 0);
  return { runtime, balancer, events, instancesOf, inFlight, failures };
}

interface Launched {
  readonly attempt: Attempt;
  cancelled: Error | undefined;
}

/** Starts a hedged call: returns its first attempt and the list every attempt (first included) lands in. */
function start(s: ReturnType<typeof setup>, request: Partial<CallRequest> = {}) {
  const call = s.balancer.call({ method: 'GET', url: 'http://orders/x', ...request })!;
  const attempts: Launched[] = [];
  const track = (attempt: Attempt): Launched => {
    const l: Launched = { attempt, cancelled: undefined };
    attempt.onCancel((reason) => (l.cancelled = reason));
    attempts.push(l);
    return l;
  };
  const hedging = call.hedge(track);
  const first = call.next();
  if (!first.ok) throw first.error;
  track(first);
  return { call, attempts, hedging };
}

describe('hedged calls', () => {
  it('sends a hedge to another instance after delayMs; the first response wins, the loser is cancelled and not blamed', () => {
    const s = setup();
    const { attempts, hedging } = start(s);
    expect(hedging).toBe(true);
    s.runtime.advance(9);
    expect(attempts).toHaveLength(1);
    s.runtime.advance(1);
    expect(attempts).toHaveLength(2);
    const [first, hedge] = attempts as [Launched, Launched];
    expect(hedge.attempt.target.origin).not.toBe(first.attempt.target.origin);
    expect(s.inFlight()).toBe(2);

    expect(hedge.attempt.headers({ status: 200 })).toEqual({ retry: false, reason: 'not-retryable' });
    expect(first.cancelled).toMatchObject({ code: 'ERR_BALANCER_HEDGE_LOST' });
    expect(hedge.cancelled).toBeUndefined();
    expect(s.inFlight()).toBe(1); // the loser's slot is back at once; the winner streams its body
    // Whatever the loser's transport says now (the abort) is dropped.
    expect(isOtherAttempt(first.attempt.end({ error: reset }))).toBe(true);
    hedge.attempt.end({ status: 200 });
    expect(s.inFlight()).toBe(0);
    expect(s.failures()).toBe(0);
    const loser = s.instancesOf().find((i) => i.id === first.attempt.target.origin)!;
    expect(loser.totals).toMatchObject({ failures: 0, cancelled: 1 });
    expect(s.events.hedged).toEqual([{ service: 'orders', attempt: 1 }]);
    expect(s.events.won).toEqual([{ service: 'orders', attempt: 1 }]);
  });

  it('the first attempt can still win: the hedge loses, no win is counted', () => {
    const s = setup();
    const { attempts } = start(s);
    s.runtime.advance(10);
    const [first, hedge] = attempts as [Launched, Launched];
    first.attempt.end({ status: 200 });
    expect(hedge.cancelled).toMatchObject({ code: 'ERR_BALANCER_HEDGE_LOST' });
    expect(s.events.won).toEqual([]);
    expect(s.inFlight()).toBe(0);
    s.runtime.advance(1_000);
    expect(attempts).toHaveLength(2); // the race is over: no further hedge
  });

  it('no hedge when the answer comes before the delay', () => {
    const s = setup();
    const timers = s.runtime.pendingTimers({ includeUnref: true });
    const { attempts } = start(s);
    expect(s.runtime.pendingTimers({ includeUnref: true })).toBe(timers + 1);
    s.runtime.advance(9);
    attempts[0]!.attempt.end({ status: 200 });
    expect(s.runtime.pendingTimers({ includeUnref: true })).toBe(timers); // the hedge timer is gone
    s.runtime.advance(1_000);
    expect(attempts).toHaveLength(1);
  });

  it('at most maxAttempts at once, each on an instance not yet tried', () => {
    const s = setup({ hedge: { delayMs: 10, maxAttempts: 3 } }, 5);
    const { attempts } = start(s);
    s.runtime.advance(10);
    expect(attempts).toHaveLength(2);
    s.runtime.advance(10);
    expect(attempts).toHaveLength(3);
    s.runtime.advance(1_000);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.attempt.target.origin)).size).toBe(3);
    expect(s.inFlight()).toBe(3);
    attempts[2]!.attempt.end({ status: 204 });
    expect(attempts.slice(0, 2).every((a) => a.cancelled !== undefined)).toBe(true);
    expect(s.inFlight()).toBe(0);
  });

  it('never more attempts than instances: the hedge is refused with no-other-instance', () => {
    const s = setup({}, 1);
    const { attempts } = start(s);
    s.runtime.advance(100);
    expect(attempts).toHaveLength(1);
    expect(s.events.refused).toEqual([{ service: 'orders', reason: 'no-other-instance' }]);
    attempts[0]!.attempt.end({ status: 200 });
  });

  it('an attempt that fails while another is pending is dropped; the other answers for the call', () => {
    const s = setup();
    const { attempts } = start(s);
    s.runtime.advance(10);
    const [first, hedge] = attempts as [Launched, Launched];
    expect(isOtherAttempt(first.attempt.end({ error: reset }))).toBe(true);
    expect(hedge.cancelled).toBeUndefined();
    expect(hedge.attempt.headers({ status: 200 })).toEqual({ retry: false, reason: 'not-retryable' });
    hedge.attempt.end({ status: 200 });
    // The first instance's own failure is its own: a reset is blamed, the hedge is not.
    expect(s.instancesOf().find((i) => i.id === first.attempt.target.origin)!.totals.failures).toBe(1);
    expect(s.inFlight()).toBe(0);
  });

  it('when the last pending attempt fails, the call retries as usual (hedges are not retries)', () => {
    const s = setup({ retry: { maxRetries: 1 } }, 4);
    const { call, attempts } = start(s);
    s.runtime.advance(10);
    const [first, hedge] = attempts as [Launched, Launched];
    expect(isOtherAttempt(first.attempt.end({ status: 503 }))).toBe(true);
    const decision = hedge.attempt.end({ status: 503 });
    expect(decision.retry).toBe(true);
    const retry = call.next();
    if (!retry.ok) throw retry.error;
    expect([first, hedge].map((a) => a.attempt.target.origin)).not.toContain(retry.target.origin);
    expect(retry.end({ status: 200 })).toEqual({ retry: false, reason: 'not-retryable' });
    expect(s.inFlight()).toBe(0);
  });

  it('the caller giving up on one attempt cancels the others, blaming nobody', () => {
    const s = setup();
    const { attempts } = start(s);
    s.runtime.advance(10);
    const [first, hedge] = attempts as [Launched, Launched];
    const decision = first.attempt.end({ error: new Error('aborted'), cancelledBy: 'caller' });
    expect(decision.retry).toBe(false);
    expect(hedge.cancelled).toBeDefined();
    expect(s.inFlight()).toBe(0);
    expect(s.failures()).toBe(0);
  });

  it.each<[string, Partial<CallRequest>, Partial<ServiceOptions>]>([
    ['POST (not idempotent)', { method: 'POST', body: 'x' }, {}],
    ['a one-shot body', { method: 'PUT', body: { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true as const, value: undefined }) }) } }, {}],
    ['a client that cannot resend', { clientCanResend: false }, {}],
    ['hedge: false on the request', { overrides: { hedge: false } }, {}],
    ['idempotent: false on a GET', { overrides: { idempotent: false } }, {}],
    ['a service without hedge', {}, { hedge: false }],
  ])('no hedge for %s', (_name, request, service) => {
    const s = setup(service);
    const timers = s.runtime.pendingTimers({ includeUnref: true });
    const { attempts, hedging } = start(s, request);
    expect(s.runtime.pendingTimers({ includeUnref: true })).toBe(timers); // no hedge timer armed
    expect(hedging).toBe(false);
    s.runtime.advance(1_000);
    expect(attempts).toHaveLength(1);
    expect(s.events.hedged).toHaveLength(0);
    attempts[0]!.attempt.end({ status: 200 });
  });

  it('the hedge budget bounds hedges to its share of requests, then refuses them', () => {
    const s = setup({ hedge: { delayMs: 10, budget: { percent: 10, minHedgesPerSecond: 0 } } });
    let hedges = 0;
    for (let n = 0; n < 200; n++) {
      const { attempts } = start(s);
      s.runtime.advance(10);
      hedges += attempts.length - 1;
      attempts.at(-1)!.attempt.end({ status: 200 });
      for (const a of attempts) a.attempt.end({ error: reset });
    }
    expect(hedges).toBe(20);
    expect(s.events.refused).toHaveLength(180);
    expect(s.events.refused.every((e) => e.reason === 'budget')).toBe(true);
    expect(s.inFlight()).toBe(0);
    expect(s.failures()).toBe(0);
  });

  it('percentile mode: no hedge until the window holds 10 / maxExtraLoad samples, then after the quantile', () => {
    const s = setup({ hedge: { maxExtraLoad: 0.1, refreshMs: 100, budget: false } });
    const answerAfter = (ms: number): number => {
      const { attempts } = start(s);
      s.runtime.advance(ms);
      const n = attempts.length;
      attempts.at(-1)!.attempt.end({ status: 200 });
      for (const a of attempts) a.attempt.end({ error: reset });
      return n;
    };
    // 99 answers of 1..99 ms: one fewer than the 100 samples needed, so none is hedged.
    for (let ms = 1; ms <= 99; ms++) expect(answerAfter(ms)).toBe(1);
    expect(answerAfter(100)).toBe(1);
    s.runtime.advance(100); // the next refresh sees 100 samples: the p90 is about 90 ms
    expect(answerAfter(80)).toBe(1);
    expect(answerAfter(120)).toBe(2);
  });
});
