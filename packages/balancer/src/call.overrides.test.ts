/** Per-request overrides (`CallRequest.overrides`) through the call API, on a fake clock. */
import { describe, expect, it } from 'vitest';
import type { AttemptFacts } from './attempt/facts.js';
import { createBalancer } from './balancer.js';
import type { ServiceOptions } from './config/options.js';
import { BalancerConfigError } from './errors.js';
import type { RequestOverrides } from './request-overrides.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

const urls = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003', 'http://127.0.0.1:8004'];
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const NO_BACKOFF = { backoffBaseMs: 0, backoffMaxMs: 0 };

function setup(service: Partial<ServiceOptions> = {}) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({
    services: { orders: { instances: urls, strategy: 'round-robin', outlierDetection: false, retry: { maxRetries: 1, ...NO_BACKOFF }, ...service } },
    runtime,
  });
  const inFlight = () => balancer.snapshot().services.orders!.instances.reduce((n, i) => n + i.inFlight, 0);
  /** Sends one call whose every attempt ends with `result`; returns the attempts made and the last decision. */
  const drive = (overrides: RequestOverrides | undefined, result: AttemptFacts, method = 'GET', extra: { header?: (n: string) => string | undefined } = {}) => {
    const call = balancer.call({ method, url: 'http://orders/x', ...(overrides === undefined ? {} : { overrides }), ...extra })!;
    const used: string[] = [];
    for (let i = 0; i < 12; i++) {
      const a = call.next();
      if (!a.ok) return { used, refusal: a.error };
      used.push(a.target.origin);
      const d = a.end(result);
      if (!d.retry) return { used, decision: d };
    }
    throw new Error('more attempts than the test allows');
  };
  return { runtime, balancer, inFlight, drive };
}

describe('per-request overrides: validation', () => {
  it.each<[string, unknown, string]>([
    ['an unknown key', { retries: 2 }, 'balancer.retries: unknown option (known: retry, maxRetries, idempotent, perAttemptTimeoutMs, hashKey, hedge)'],
    ['not an object', 'retry=false', 'balancer: expected an object, got "retry=false"'],
    ['retry not a boolean', { retry: 'no' }, 'balancer.retry: expected true or false, got "no"'],
    ['maxRetries above 10', { maxRetries: 11 }, 'balancer.maxRetries: expected an integer >= 0 and <= 10, got 11'],
    ['retry: false with maxRetries', { retry: false, maxRetries: 2 }, 'balancer.maxRetries: conflicts with retry: false; give one of them'],
    ['a negative timeout', { perAttemptTimeoutMs: -1 }, 'balancer.perAttemptTimeoutMs: '],
    ['a timeout as text', { perAttemptTimeoutMs: '50' }, 'balancer.perAttemptTimeoutMs: expected a positive integer (ms), 0 or false, got "50"'],
    ['a hash key not a string', { hashKey: 42 }, 'balancer.hashKey: expected a string of at most 4096 characters, got 42'],
    ['hedge not a boolean', { hedge: 0 }, 'balancer.hedge: expected true or false, got 0'],
  ])('%s: the request is refused before anything is picked, with ERR_BALANCER_CONFIG naming the field', (_name, overrides, message) => {
    const { drive, inFlight } = setup();
    const r = drive(overrides as RequestOverrides, { status: 200 });
    expect(r.used).toEqual([]);
    expect(r.refusal).toBeInstanceOf(BalancerConfigError);
    expect(r.refusal!.code).toBe('ERR_BALANCER_CONFIG');
    expect(r.refusal!.message).toContain(message);
    expect(inFlight()).toBe(0);
  });

  it('names the overrides as the adapter calls them (overridesFrom)', () => {
    const { balancer } = setup();
    const a = balancer.call({ method: 'GET', url: 'http://orders/x', overrides: { retry: 1 } as never, overridesFrom: 'config.balancer' })!.next();
    expect(a.ok).toBe(false);
    expect(!a.ok && a.error.message).toContain('config.balancer.retry: expected true or false, got 1');
  });

  it('lists every problem at once', () => {
    const { drive } = setup();
    const r = drive({ retry: 'x', hedge: 'y', extra: 1 } as never, { status: 200 });
    expect((r.refusal as BalancerConfigError).issues.map((i) => i.path)).toEqual(['balancer.extra', 'balancer.retry', 'balancer.hedge']);
  });
});

describe('per-request overrides: what they change', () => {
  it('retry: false turns retries off for this request only; the next request retries again', () => {
    const { drive } = setup();
    expect(drive({ retry: false }, { status: 503 }).used).toHaveLength(1);
    expect(drive(undefined, { status: 503 }).used).toHaveLength(2);
    expect(drive({ retry: true }, { status: 503 }).used).toHaveLength(2);
  });

  it('maxRetries raises or lowers the service retries, each attempt on an instance not yet tried', () => {
    const { drive } = setup();
    const more = drive({ maxRetries: 3 }, { error: reset });
    expect(more.used).toHaveLength(4);
    expect(new Set(more.used).size).toBe(4);
    expect(more.decision).toEqual({ retry: false, reason: 'max-retries' });
    expect(drive({ maxRetries: 0 }, { error: reset }).used).toHaveLength(1);
  });

  it('retry: false also stops the body copy (bodyBufferLimit 0)', () => {
    const { balancer } = setup();
    expect(balancer.call({ method: 'PUT', url: 'http://orders/x' })!.bodyBufferLimit).toBe(65_536);
    expect(balancer.call({ method: 'PUT', url: 'http://orders/x', overrides: { retry: false } })!.bodyBufferLimit).toBe(0);
  });

  it('idempotent: true lets a POST that may have been processed be retried', () => {
    const { drive } = setup();
    expect(drive(undefined, { error: reset }, 'POST').decision).toEqual({ retry: false, reason: 'non-idempotent' });
    expect(drive({ idempotent: true }, { error: reset }, 'POST').used).toHaveLength(2);
  });

  it('idempotent: false keeps a GET from being sent again once it may have been processed, but a refused connection is still retried', () => {
    const { drive } = setup();
    expect(drive({ idempotent: false }, { error: reset }).decision).toEqual({ retry: false, reason: 'non-idempotent' });
    expect(drive({ idempotent: false }, { error: refused }).used).toHaveLength(2);
  });

  it('perAttemptTimeoutMs sets this request its own attempt deadline, over the service one', () => {
    const { balancer, runtime } = setup({ retry: { maxRetries: 1, perAttemptTimeoutMs: 5_000, ...NO_BACKOFF } });
    const a = balancer.call({ method: 'GET', url: 'http://orders/x', overrides: { perAttemptTimeoutMs: 50 } })!.next();
    if (!a.ok) throw a.error;
    expect(a.timeoutMs).toBe(50);
    let fired: Error | undefined;
    a.arm((e) => (fired = e));
    runtime.advance(49);
    expect(fired).toBeUndefined();
    runtime.advance(1);
    expect(fired?.message).toMatch(/per-attempt timeout of 50 ms/);
    expect(a.end({ error: fired! })).toMatchObject({ retry: true });
  });

  it.each([false, 0] as const)('perAttemptTimeoutMs: %s leaves this request without an attempt deadline, learned or configured', (off) => {
    const { balancer, runtime } = setup({ retry: { maxRetries: 1, perAttemptTimeoutMs: 100, ...NO_BACKOFF } });
    const a = balancer.call({ method: 'GET', url: 'http://orders/x', overrides: { perAttemptTimeoutMs: off } })!.next();
    if (!a.ok) throw a.error;
    expect(a.timeoutMs).toBeUndefined();
    let fired = false;
    a.arm(() => (fired = true));
    runtime.advance(60_000);
    expect(fired).toBe(false);
    a.end({ status: 200 });
    // The service default still holds for the others.
    const b = balancer.call({ method: 'GET', url: 'http://orders/x' })!.next();
    expect(b.ok && b.timeoutMs).toBe(100);
  });

  it('hashKey picks the instance for ring-hash over what the service hashKey function returns', () => {
    const { drive } = setup({ strategy: 'ring-hash', hashKey: { header: 'x-user' } });
    const alice = (n: string) => (n === 'x-user' ? 'alice' : undefined);
    const byKey = new Map<string, Set<string>>();
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8']) {
      for (let i = 0; i < 5; i++) {
        const used = drive({ hashKey: key }, { status: 200 }, 'GET', { header: alice }).used[0]!;
        byKey.set(key, (byKey.get(key) ?? new Set()).add(used));
      }
    }
    for (const origins of byKey.values()) expect(origins.size).toBe(1); // each key sticks to one instance
    // The keys spread: the header (one user) alone would send all of them to one instance.
    expect(new Set([...byKey.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);
  });
});
