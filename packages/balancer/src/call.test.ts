import { describe, expect, it } from 'vitest';
import { createBalancer } from './balancer.js';
import type { Attempt } from './attempt/attempt.js';
import type { AttemptFacts } from './attempt/facts.js';
import { isReplayableBody } from './attempt/request-body.js';
import type { ServiceOptions } from './config/options.js';
import { createFakeRuntime } from './testing/fake-runtime.js';

const urls = (n: number) => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${8001 + i}`);
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
/** A one-shot body (an async iterable): not replayable unless the adapter copies it. */
const oneShot = { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true as const, value: undefined }) }) };
const headersOf = (h: Record<string, string>) => (name: string) => h[name];

function setup(service: Partial<ServiceOptions> = {}, seed = 7) {
  const runtime = createFakeRuntime({ seed });
  const balancer = createBalancer({
    services: { orders: { instances: urls(3), strategy: 'round-robin', ...service } },
    runtime,
  });
  const retried: string[] = [];
  return { runtime, balancer, retried };
}

/** Drives one call: `results` says how each attempt ends; returns the instances used and the last decision. */
function drive(b: ReturnType<typeof setup>['balancer'], method: string, results: AttemptFacts[], extra: { body?: unknown; headers?: Record<string, string> } = {}) {
  const call = b.call({
    method,
    url: new URL('http://orders/api/v1/orders/42?x=1'),
    header: (n) => extra.headers?.[n],
    ...(extra.body === undefined ? {} : { body: extra.body }),
  })!;
  const used: string[] = [];
  const attempts: Attempt[] = [];
  for (const result of results) {
    const a = call.next();
    if (!a.ok) return { used, decision: { retry: false as const, reason: 'reason' in a.error ? a.error.reason : a.error.code }, attempts };
    used.push(a.target.origin);
    attempts.push(a);
    const decision = a.end(result);
    if (!decision.retry) return { used, decision, attempts };
  }
  return { used, decision: undefined, attempts };
}

describe('Call', () => {
  it('passes through hosts that are not services', () => {
    const { balancer } = setup();
    expect(balancer.call({ method: 'GET', url: new URL('http://example.com/x') })).toBeUndefined();
    expect(balancer.call({ method: 'GET', url: new URL('http://ORDERS:8080/x') })).toBeDefined();
  });

  it('rewrites only the origin: path and query intact', () => {
    const { balancer } = setup();
    const a = balancer.call({ method: 'GET', url: new URL('http://orders/api/v1/orders/42?x=1&y=%20') })!.next();
    if (!a.ok) throw a.error;
    expect(a.target.url.href).toBe(`${a.target.origin}/api/v1/orders/42?x=1&y=%20`);
    expect(a.target.href).toBe(a.target.url.href);
    expect(a.target.hostHeader).toBeUndefined();
    a.end({ status: 200 });
  });

  it.each([
    ['a URL', new URL('http://orders/a%20b/c?q=%C3%A9#frag')],
    ['text', 'http://orders/a b/c?q=é'],
    ['credentials', new URL('http://us%20er:p%40ss@orders/x')],
    ['a root path', new URL('http://orders')],
  ])('target.href is target.url.href, logical URL as %s', (_name, url) => {
    const { balancer } = setup();
    const a = balancer.call({ method: 'GET', url })!.next();
    if (!a.ok) throw a.error;
    expect(a.target.href).toBe(a.target.url.href);
    a.end({ status: 200 });
  });

  it('hostHeader "service" keeps the logical host for Host and TLS servername', () => {
    const { balancer } = setup({ hostHeader: 'service' });
    const a = balancer.call({ method: 'GET', url: new URL('http://orders:8080/x') })!.next();
    if (!a.ok) throw a.error;
    expect(a.target.hostHeader).toBe('orders:8080');
    expect(a.target.servername).toBe('orders');
    a.end({ status: 200 });
  });

  it('retries a GET 503 on a different instance, with backoff within [0, base]', () => {
    const { balancer } = setup({ retry: { maxRetries: 2, backoffBaseMs: 25 } });
    const { used, decision } = drive(balancer, 'GET', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    expect(new Set(used).size).toBe(3);
    expect(decision).toEqual({ retry: false, reason: 'not-retryable' });
    const d = drive(balancer, 'GET', [{ status: 503 }]);
    expect(d.decision).toBeUndefined(); // it asked to retry
  });

  it('POST is not retried on 503, but is on connection refused', () => {
    const { balancer } = setup();
    expect(drive(balancer, 'POST', [{ status: 503 }]).decision).toEqual({ retry: false, reason: 'non-idempotent' });
    const r = drive(balancer, 'POST', [{ error: refused }, { status: 201 }]);
    expect(r.used).toHaveLength(2);
    expect(r.used[0]).not.toBe(r.used[1]);
  });

  it('a stream body is not retried after a reset, but is after a refused connection', () => {
    const { balancer } = setup();
    expect(drive(balancer, 'PUT', [{ error: reset }], { body: oneShot }).decision).toEqual({ retry: false, reason: 'body-not-replayable' });
    expect(drive(balancer, 'PUT', [{ error: refused }, { status: 200 }], { body: oneShot }).used).toHaveLength(2);
  });

  it('a cancelled attempt is not retried and not blamed', () => {
    const { balancer } = setup({ outlierDetection: { consecutiveFailures: { threshold: 1 } } });
    expect(drive(balancer, 'GET', [{ cancelledBy: 'caller', error: reset }]).decision).toEqual({ retry: false, reason: 'cancelled' });
    expect(balancer.snapshot().services.orders!.instances.every((i) => i.state === 'healthy' && i.inFlight === 0)).toBe(true);
  });

  it('stops when every instance was tried', () => {
    const { balancer } = setup({ instances: urls(2), retry: { maxRetries: 5 } });
    const r = drive(balancer, 'GET', [{ status: 503 }, { status: 503 }, { status: 200 }]);
    expect(r.used).toHaveLength(2);
    expect(r.decision).toEqual({ retry: false, reason: 'no-other-instance' });
  });

  it('honours Retry-After up to the cap', () => {
    const { balancer } = setup({ retry: { retryAfterMaxMs: 2_000 } });
    const call = balancer.call({ method: 'GET', url: new URL('http://orders/') })!;
    const a = call.next();
    if (!a.ok) throw a.error;
    const d = a.end({ status: 503, headers: headersOf({ 'retry-after': '2' }) });
    expect(d).toEqual({ retry: true, delayMs: 2_000 });
    const b = drive(balancer, 'GET', [{ status: 503, headers: headersOf({ 'retry-after': '3' }) }]);
    expect(b.decision).toEqual({ retry: false, reason: 'retry-after-too-long' });
  });

  it('the retry budget caps retries when every instance fails (no retry storm)', () => {
    const { balancer } = setup({ retry: { maxRetries: 2, budget: { percent: 20, minRetriesPerSecond: 1, windowMs: 10_000 } }, outlierDetection: false });
    let attempts = 0;
    let refusedByBudget = 0;
    for (let i = 0; i < 500; i++) {
      const r = drive(balancer, 'GET', [{ status: 503 }, { status: 503 }, { status: 503 }]);
      attempts += r.used.length;
      if (r.decision && !r.decision.retry && r.decision.reason === 'budget') refusedByBudget++;
    }
    const retries = attempts - 500;
    // 20% of 500 requests + 1/s over a 10 s window = 110 retries at most.
    expect(retries).toBe(110);
    expect(refusedByBudget).toBeGreaterThan(300);
  });

  it('delay() waits on the runtime clock', async () => {
    const { balancer, runtime } = setup();
    const call = balancer.call({ method: 'GET', url: new URL('http://orders/') })!;
    let done = false;
    const waiting = call.delay(100).then(() => (done = true));
    runtime.advance(99);
    await runtime.settle();
    expect(done).toBe(false);
    runtime.advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('per-attempt timeout fires through the runtime and blames the instance as a timeout', () => {
    const { balancer, runtime } = setup({ retry: { perAttemptTimeoutMs: 500 }, outlierDetection: { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 50 } });
    const call = balancer.call({ method: 'GET', url: new URL('http://orders/') })!;
    const a = call.next();
    if (!a.ok) throw a.error;
    let fired: Error | undefined;
    a.arm((e) => (fired = e));
    runtime.advance(500);
    expect(fired?.message).toMatch(/per-attempt timeout of 500 ms/);
    const d = a.end({ error: fired });
    expect(d.retry).toBe(true);
    expect(balancer.snapshot().services.orders!.instances.find((i) => i.id === a.target.origin)!.state).toBe('ejected');
  });

  it('hash key comes from the configured header', () => {
    const { balancer } = setup({ strategy: 'ring-hash', hashKey: { header: 'X-User' } });
    const origins = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = drive(balancer, 'GET', [{ status: 200 }], { headers: { 'x-user': 'alice' } });
      origins.add(r.used[0]!);
    }
    expect(origins.size).toBe(1);
  });
});

describe('Attempt.headers (streaming clients)', () => {
  it('retry at headers ends the attempt; otherwise the instance stays in flight until end()', () => {
    const { balancer } = setup({ outlierDetection: { consecutiveFailures: { threshold: 2 }, maxEjectionPercent: 50 } });
    const inFlight = () => balancer.snapshot().services.orders!.instances.reduce((s, i) => s + i.inFlight, 0);
    const call = balancer.call({ method: 'GET', url: new URL('http://orders/') })!;
    const a = call.next();
    if (!a.ok) throw a.error;
    expect(a.headers({ status: 503 })).toMatchObject({ retry: true });
    expect(inFlight()).toBe(0);
    const b = call.next();
    if (!b.ok) throw b.error;
    expect(b.headers({ status: 200 })).toEqual({ retry: false, reason: 'not-retryable' });
    expect(inFlight()).toBe(1);
    // The body breaks midway: the instance is blamed, and nothing is retried.
    expect(b.end({ error: reset })).toEqual({ retry: false, reason: 'response-started' });
    expect(inFlight()).toBe(0);
    const snap = balancer.snapshot().services.orders!.instances.find((i) => i.id === b.target.origin)!;
    expect(snap.totals).toMatchObject({ requests: 1, failures: 1 });
  });

  it('a caller abort during the body frees the slot without blame', () => {
    const { balancer } = setup();
    const a = balancer.call({ method: 'GET', url: new URL('http://orders/') })!.next();
    if (!a.ok) throw a.error;
    a.headers({ status: 200 });
    a.end({ cancelledBy: 'caller' });
    const snap = balancer.snapshot().services.orders!.instances.find((i) => i.id === a.target.origin)!;
    expect(snap).toMatchObject({ inFlight: 0, totals: { requests: 0, failures: 0, cancelled: 1 } });
  });
});

describe('isReplayableBody', () => {
  it.each([
    [undefined, true],
    ['text', true],
    [Buffer.from('x'), true],
    [new Uint8Array(2), true],
    [new FormData(), true],
    [new URLSearchParams('a=1'), true],
    [new Blob(['x']), true],
    [{ [Symbol.asyncIterator]: () => undefined }, false],
    [new ReadableStream(), false],
  ])('%s -> %s', (body, expected) => {
    expect(isReplayableBody(body)).toBe(expected);
  });
});

describe('one-shot bodies and invalid requests', () => {
  it('a one-shot body copied by the adapter (bodyCopied) is retried after a 503', () => {
    const { balancer } = setup();
    const call = balancer.call({ method: 'PUT', url: new URL('http://orders/x'), body: oneShot })!;
    expect(call.bodyBufferLimit).toBe(65_536);
    const a = call.next();
    if (!a.ok) throw a.error;
    expect(a.end({ status: 503, bodyCopied: true }).retry).toBe(true);
    const b = balancer.call({ method: 'PUT', url: new URL('http://orders/x'), body: oneShot })!.next();
    if (!b.ok) throw b.error;
    expect(b.end({ status: 503 })).toEqual({ retry: false, reason: 'body-not-replayable' });
  });

  it('a stream already read before the connection failed is not retried (bodyConsumed)', () => {
    const { balancer } = setup();
    const a = balancer.call({ method: 'PUT', url: new URL('http://orders/x'), body: oneShot })!.next();
    if (!a.ok) throw a.error;
    expect(a.end({ error: refused, bodyConsumed: true })).toEqual({ retry: false, reason: 'body-not-replayable' });
  });

  it('an invalid request (a bad header) is neither blamed on the instance nor retried', () => {
    const { balancer } = setup({ outlierDetection: { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 50 } });
    const invalid = Object.assign(new TypeError('invalid header'), { code: 'UND_ERR_INVALID_ARG' });
    const a = balancer.call({ method: 'GET', url: new URL('http://orders/x') })!.next();
    if (!a.ok) throw a.error;
    expect(a.end({ error: invalid })).toEqual({ retry: false, reason: 'cancelled' });
    const snap = balancer.snapshot().services.orders!.instances.find((i) => i.id === a.target.origin)!;
    expect(snap).toMatchObject({ state: 'healthy', totals: { failures: 0, cancelled: 1 } });
  });

  it('cancelledBy: "client" marks a client-side failure (a body stream that errored) as nobody\'s fault', () => {
    const { balancer } = setup({ outlierDetection: { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 50 } });
    const a = balancer.call({ method: 'PUT', url: new URL('http://orders/x') })!.next();
    if (!a.ok) throw a.error;
    const enoent = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect(a.end({ error: enoent, cancelledBy: 'client' })).toEqual({ retry: false, reason: 'cancelled' });
    expect(balancer.snapshot().services.orders!.instances.find((i) => i.id === a.target.origin)!.state).toBe('healthy');
  });

  it('retries off means no body copy', () => {
    const { balancer } = setup({ retry: false });
    expect(balancer.call({ method: 'PUT', url: new URL('http://orders/x') })!.bodyBufferLimit).toBe(0);
  });
});

describe('requests the client cannot resend', () => {
  it('clientCanResend: false refuses a retry the rules would allow, without spending budget', () => {
    const { balancer } = setup({ retry: { budget: { percent: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 } } });
    const a = balancer.call({ method: 'GET', url: new URL('http://orders/x'), clientCanResend: false })!.next();
    if (!a.ok) throw a.error;
    expect(a.end({ error: refused })).toEqual({ retry: false, reason: 'client-cannot-retry' });
    // The single retry the budget allows (0.1/s x 10 s) is still there.
    expect(drive(balancer, 'GET', [{ error: refused }, { status: 200 }]).used).toHaveLength(2);
  });
});
