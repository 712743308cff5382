/**
 * The default attempt deadline through the call API, on a fake clock: learned from the
 * service's times to headers when `retry.perAttemptTimeoutMs` is absent, configured when given,
 * off for 0 and false.
 */
import { describe, expect, it } from 'vitest';
import type { Attempt } from './attempt/attempt.js';
import { createBalancer } from './balancer.js';
import type { ServiceOptions } from './config/options.js';
import { AttemptTimeoutError } from './errors.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

const urls = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];

function setup(retry?: ServiceOptions['retry']) {
  const runtime = createFakeRuntime({ seed: 5 });
  const balancer = createBalancer({
    services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: false, ...(retry === undefined ? {} : { retry }) } },
    runtime,
  });
  const start = (method = 'GET') => {
    const call = balancer.call({ method, url: 'http://orders/x' })!;
    const a = call.next();
    if (!a.ok) throw a.error;
    let timedOut: AttemptTimeoutError | undefined;
    a.arm((e) => (timedOut = e));
    return { call, a, timedOut: () => timedOut };
  };
  /** `n` calls whose headers come after `ms`, one after another. */
  const answer = (n: number, ms: number, how: 'headers' | 'end' = 'headers') => {
    for (let i = 0; i < n; i++) {
      const { a } = start();
      runtime.advance(ms);
      if (how === 'headers') a.headers({ status: 200 });
      a.end({ status: 200 });
    }
  };
  const failures = () => balancer.snapshot().services.orders!.instances.reduce((sum, i) => sum + i.totals.failures, 0);
  return { runtime, balancer, start, answer, failures };
}

/** Moves the clock to where `a`'s deadline has fired (its time plus the queue's 0 ms turn for I/O). */
const passDeadline = (runtime: ReturnType<typeof createFakeRuntime>, a: Attempt) => runtime.advance(a.timeoutMs!);

describe('default attempt deadline (no retry.perAttemptTimeoutMs)', () => {
  it('before enough samples: the initial bound, 10 s; a hung GET is abandoned there, blamed as a timeout, and retried elsewhere', () => {
    const { runtime, start, failures } = setup();
    const { a, timedOut } = start();
    expect(a.timeoutMs).toBe(10_000);
    runtime.advance(9_999);
    expect(timedOut()).toBeUndefined();
    runtime.advance(1);
    expect(timedOut() instanceof AttemptTimeoutError).toBe(true);
    expect(timedOut()!.timeoutMs).toBe(10_000);
    const decision = a.end({ error: timedOut() });
    expect(decision.retry).toBe(true);
    expect(failures()).toBe(1);
  });

  it('learns from the times to headers: a fast service gets the 1 s floor at the next refresh', () => {
    const { runtime, start, answer } = setup();
    answer(100, 5);
    runtime.advance(1_000);
    const { a, timedOut } = start();
    expect(a.timeoutMs).toBe(1_000);
    passDeadline(runtime, a);
    expect(timedOut()).toBeDefined();
    a.end({ error: timedOut() });
  });

  it('learns from clients that report once (end with a status), as from headers', () => {
    const { runtime, start, answer } = setup();
    answer(100, 600, 'end');
    runtime.advance(1_000);
    const { a } = start();
    expect(a.timeoutMs).toBe(1_800); // p99 600 ms x 3
    a.end({ status: 200 });
  });

  it('a POST cut short by it is blamed but not retried: it may have been processed', () => {
    const { runtime, start, failures } = setup();
    const { a, timedOut } = start('POST');
    passDeadline(runtime, a);
    expect(a.end({ error: timedOut() })).toEqual({ retry: false, reason: 'non-idempotent' });
    expect(failures()).toBe(1);
  });

  it('headers in time disarm it: nothing fires, no timer is left', () => {
    const { runtime, start } = setup();
    const { a, timedOut } = start();
    runtime.advance(500);
    a.headers({ status: 200 });
    runtime.advance(20_000);
    expect(timedOut()).toBeUndefined();
    a.end({});
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
  });

  it('a service that slows down as a whole raises the bound instead of timing out for ever', () => {
    const { runtime, start, answer } = setup();
    answer(1_000, 10);
    runtime.advance(1_000);
    // Everything now answers after 2.5 s: attempts are cut short at the bound and count there.
    const bounds: number[] = [];
    let succeeded = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 20; i++) {
        const { a, timedOut } = start();
        bounds.push(a.timeoutMs!);
        runtime.advance(Math.min(a.timeoutMs!, 2_500));
        if (timedOut()) a.end({ error: timedOut() });
        else {
          a.headers({ status: 200 });
          a.end({});
          succeeded++;
        }
      }
    }
    expect(bounds[0]).toBe(1_000);
    expect(Math.max(...bounds)).toBeGreaterThan(2_500);
    expect(succeeded).toBeGreaterThan(0);
  });
});

describe('configured attempt deadline', () => {
  it('perAttemptTimeoutMs wins over what was learned', () => {
    const { runtime, start, answer } = setup({ perAttemptTimeoutMs: 250 });
    answer(200, 5);
    runtime.advance(1_000);
    const { a, timedOut } = start();
    expect(a.timeoutMs).toBe(250);
    runtime.advance(250);
    expect(timedOut()!.timeoutMs).toBe(250);
    a.end({ error: timedOut() });
  });

  it.each([0, false] as const)('perAttemptTimeoutMs %s turns it off: nothing is armed', (off) => {
    const { runtime, start } = setup({ perAttemptTimeoutMs: off });
    const { a, timedOut } = start();
    expect(a.timeoutMs).toBeUndefined();
    expect(runtime.pendingTimers({ includeUnref: false })).toBe(0);
    runtime.advance(60_000);
    expect(timedOut()).toBeUndefined();
    a.end({ status: 200 });
  });

  it('retry: false turns it off too', () => {
    const { start } = setup(false);
    const { a } = start();
    expect(a.timeoutMs).toBeUndefined();
    a.end({ status: 200 });
  });
});
