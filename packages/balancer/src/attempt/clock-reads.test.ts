import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import type { ServiceOptions } from '../config/options.js';
import type { Runtime } from '../runtime.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';

/** A balancer on a fake runtime whose clock reads are counted. */
function counted(service: Partial<ServiceOptions>) {
  const fake = createFakeRuntime({ seed: 1 });
  let reads = 0;
  const runtime: Runtime = {
    now: () => (reads++, fake.now()),
    setTimeout: (fn, ms, options) => fake.setTimeout(fn, ms, options),
    random: () => fake.random(),
    wallNow: () => fake.wallNow(),
  };
  const balancer = createBalancer({ services: { orders: { instances: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'], healthCheck: false, ...service } }, runtime });
  return { balancer, reads: () => reads };
}

/**
 * The clock reads of a streamed attempt (headers, then the end of the body), the second of a
 * service: the first also sets the deadline timer, which the next ones reuse.
 */
function streamedAttempt(service: Partial<ServiceOptions>): number {
  const { balancer, reads } = counted(service);
  let before = 0;
  for (let i = 0; i < 2; i++) {
    const call = balancer.call({ method: 'GET', url: 'http://orders/x', origin: 'http://orders' })!;
    before = reads();
    const attempt = call.next();
    if (!attempt.ok) throw attempt.error;
    attempt.arm(() => {});
    attempt.headers({ status: 200 });
    attempt.end();
  }
  return reads() - before;
}

describe('clock reads per attempt', () => {
  it('a streamed attempt reads the clock at its pick and at its end, not at its headers', () => {
    expect(streamedAttempt({ retry: { perAttemptTimeoutMs: 1_000 } })).toBe(2);
  });

  it('a learned attempt deadline takes the time to headers: one read more', () => {
    expect(streamedAttempt({})).toBe(3);
  });

  it('a buffered attempt (one end() with the status) reads it twice too', () => {
    const { balancer, reads } = counted({ retry: { perAttemptTimeoutMs: 1_000 } });
    const call = balancer.call({ method: 'GET', url: 'http://orders/x', origin: 'http://orders' })!;
    const before = reads();
    const attempt = call.next();
    if (!attempt.ok) throw attempt.error;
    attempt.end({ status: 200 });
    expect(reads() - before).toBe(2);
  });
});
