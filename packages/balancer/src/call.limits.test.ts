/** Circuit breakers (`limits`) through the call API, on a fake clock. */
import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt/attempt.js';
import { createBalancer } from './balancer.js';
import type { ServiceOptions } from './config/options.js';
import { CircuitOpenError, NoAvailableInstanceError } from './errors.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

const urls = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

function setup(service: Partial<ServiceOptions> = {}) {
  const runtime = createFakeRuntime({ seed: 9 });
  const balancer = createBalancer({ services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: false, ...service } }, runtime });
  const call = (method = 'GET') => balancer.call({ method, url: 'http://orders/x' })!;
  const start = (method = 'GET'): Attempt => {
    const a = call(method).next();
    if (!a.ok) throw a.error;
    return a;
  };
  const refusal = (): CircuitOpenError => {
    const a = call().next();
    if (a.ok) throw new Error(`expected a refusal, got an attempt on ${a.instance.url}`);
    expect(a.error instanceof CircuitOpenError).toBe(true);
    return a.error as CircuitOpenError;
  };
  const inFlight = () => balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.inFlight, 0);
  return { runtime, balancer, call, start, refusal, inFlight };
}

describe('limits.maxRequests', () => {
  it('over the limit a request fails at once with ERR_CIRCUIT_OPEN naming the reason; nothing is picked', () => {
    const { start, refusal, inFlight } = setup({ limits: { maxRequests: 2 } });
    const a = start();
    const b = start();
    const e = refusal();
    expect([e.code, e.reason, e.limit, e.service]).toEqual(['ERR_CIRCUIT_OPEN', 'max-requests', 2, 'orders']);
    expect(e.message).toBe('circuit open for service "orders": max-requests (2 requests in flight)');
    expect(inFlight()).toBe(2);
    a.headers({ status: 200 }); // answered, but its body is still in flight: still counts
    expect(refusal().reason).toBe('max-requests');
    a.end({});
    start().end({ status: 200 });
    b.end({ status: 200 });
    expect(inFlight()).toBe(0);
  });

  it('the default, 1,024, never bites a normal workload: 1,024 in flight pass, the next is refused', () => {
    const { start, refusal } = setup();
    const open = Array.from({ length: 1_024 }, () => start());
    expect(refusal()).toMatchObject({ reason: 'max-requests', limit: 1_024 });
    for (const a of open) a.end({ status: 200 });
    start().end({ status: 200 });
  });

  it('limits: false turns them off', () => {
    const { start } = setup({ limits: false });
    const open = Array.from({ length: 2_000 }, () => start());
    for (const a of open) a.end({ status: 200 });
  });
});

describe('limits.maxPendingRequests', () => {
  it('counts attempts waiting for their headers only', () => {
    const { start, refusal } = setup({ limits: { maxPendingRequests: 2 } });
    const a = start();
    start();
    expect(refusal()).toMatchObject({ reason: 'max-pending-requests', limit: 2 });
    a.headers({ status: 200 });
    start(); // a's body still streams, but it is no longer pending
    expect(refusal().reason).toBe('max-pending-requests');
  });

  it('an attempt cut short by its deadline, or cancelled, stops being pending', () => {
    const { runtime, start, refusal } = setup({ limits: { maxPendingRequests: 1 }, retry: { perAttemptTimeoutMs: 100 } });
    const a = start();
    let timedOut: Error | undefined;
    a.arm((e) => (timedOut = e));
    refusal();
    runtime.advance(100);
    a.end({ error: timedOut });
    const b = start();
    b.end({ cancelledBy: 'caller' });
    start().end({ status: 200 });
  });
});

describe('limits.maxRetries', () => {
  it('a retry decided while maxRetries retries are in flight is not made: the caller gets the last response', () => {
    const { call } = setup({ limits: { maxRetries: 1 } });
    const first = call();
    const a1 = first.next();
    if (!a1.ok) throw a1.error;
    expect(a1.end({ status: 503 }).retry).toBe(true);
    const r1 = first.next(); // the one retry in flight
    if (!r1.ok) throw r1.error;
    const second = call().next();
    if (!second.ok) throw second.error;
    expect(second.end({ status: 503 })).toEqual({ retry: false, reason: 'circuit-open' });
    r1.end({ status: 200 });
    const third = call().next();
    if (!third.ok) throw third.error;
    expect(third.end({ status: 503 }).retry).toBe(true);
  });

  it('maxRetries: 0 allows none (zero means zero)', () => {
    const { call } = setup({ limits: { maxRetries: 0 } });
    const a = call().next();
    if (!a.ok) throw a.error;
    expect(a.end({ status: 503 })).toEqual({ retry: false, reason: 'circuit-open' });
  });
});

describe('limits.maxRequestsPerInstance', () => {
  it('an instance at its limit is skipped; when every one is, the request fails with ERR_CIRCUIT_OPEN', () => {
    const { start, refusal } = setup({ limits: { maxRequestsPerInstance: 1 } });
    const open = [start(), start(), start()];
    expect(new Set(open.map((a) => a.instance.url)).size).toBe(3);
    expect(refusal()).toMatchObject({ reason: 'max-requests-per-instance', limit: 1 });
    open[1]!.end({ status: 200 });
    const next = start();
    expect(next.instance.url).toBe(open[1]!.instance.url);
  });

  it('a retry skips instances at the limit too, and an unavailable service is still ERR_NO_AVAILABLE_INSTANCE', () => {
    const { call, start } = setup({ limits: { maxRequestsPerInstance: 1 }, instances: [urls[0]!, urls[1]!] });
    const busy = start();
    const c = call();
    const a = c.next();
    if (!a.ok) throw a.error;
    expect(a.instance.url).not.toBe(busy.instance.url);
    expect(a.end({ status: 503 })).toMatchObject({ retry: false, reason: 'no-other-instance' });
    const e = setup({ instances: [] as string[], limits: { maxRequestsPerInstance: 1 } }).call().next();
    expect(!e.ok && e.error instanceof NoAvailableInstanceError).toBe(true);
  });
});

describe('limits and hedged requests', () => {
  it('a hedge counts as a retry: at maxRetries retries in flight none is sent (refused as circuit-open), and it holds a retry place itself', () => {
    const refused: string[] = [];
    const runtime = createFakeRuntime({ seed: 9 });
    const balancer = createBalancer({
      services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: false, limits: { maxRetries: 1 }, hedge: { delayMs: 10, budget: false } } },
      runtime,
    });
    balancer.observe({ hedgeRefused: (e) => refused.push(e.reason) });
    const hedged = (): { first: Attempt; hedges: Attempt[] } => {
      const c = balancer.call({ method: 'GET', url: 'http://orders/x' })!;
      const hedges: Attempt[] = [];
      expect(c.hedge((a) => hedges.push(a))).toBe(true);
      const first = c.next();
      if (!first.ok) throw first.error;
      return { first, hedges };
    };
    const one = hedged();
    runtime.advance(10);
    expect(one.hedges).toHaveLength(1); // the one retry place: taken by this hedge
    const two = hedged();
    runtime.advance(10);
    expect(two.hedges).toHaveLength(0);
    expect(refused).toEqual(['circuit-open']);
    // The hedge holds the place: a retry decided now is not made either.
    const plain = balancer.call({ method: 'GET', url: 'http://orders/x' })!.next();
    if (!plain.ok) throw plain.error;
    expect(plain.end({ status: 503 })).toEqual({ retry: false, reason: 'circuit-open' });
    one.hedges[0]!.end({ status: 200 });
    one.first.end({ status: 200 });
    two.first.end({ status: 200 });
  });
});
