/**
 * DNS discovery on a fake runtime with a scripted resolver: when it refreshes, what it delivers,
 * how it fails and backs off, how empty answers are handled, and that close() leaves nothing.
 * Through a balancer: `dns.balancer.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import type { DnsAddressRecord, DnsDiscoveryOptions } from './dns.js';
import { dnsDiscovery } from './dns.js';
import { FakeResolver, recordingSink } from './dns.test-helpers.js';

const NAME = 'orders.internal';
const a = (...addresses: [string, number][]): DnsAddressRecord[] => addresses.map(([address, ttl]) => ({ address, ttl }));

function setup(options: Partial<DnsDiscoveryOptions> = {}, resolver = new FakeResolver()) {
  const runtime = createFakeRuntime();
  const source = dnsDiscovery({ name: NAME, type: 'A', port: 8080, resolver, runtime, ...options });
  const sink = recordingSink();
  return {
    runtime,
    source,
    sink,
    resolver,
    async start() {
      source.start(sink);
      await runtime.settle();
    },
    /** Moves the clock to the scheduled refresh and lets it finish. */
    async next() {
      const delay = source.stats().nextRefreshMs;
      if (delay === undefined) throw new Error('no refresh scheduled');
      runtime.advance(delay);
      await runtime.settle();
      return delay;
    },
  };
}

describe('refresh timing', () => {
  it.each([
    ['a 5 s TTL', [['10.0.0.1', 5]], 5_000],
    ['the smallest TTL of the answer', [['10.0.0.1', 30], ['10.0.0.2', 7]], 7_000],
    ['a 0 s TTL (the floor)', [['10.0.0.1', 0]], 1_000],
    ['a 1 h TTL (the ceiling)', [['10.0.0.1', 3_600]], 30_000],
    ['a TTL past 2^31-1 s (RFC 2181: 0, so the floor)', [['10.0.0.1', 2 ** 32 - 1]], 1_000],
  ] as [string, [string, number][], number][])('%s schedules the next refresh after %#', async (_name, records, delay) => {
    const t = setup({ minRefreshMs: 1_000, maxRefreshMs: 30_000 }, new FakeResolver().set('A', NAME, a(...records)));
    await t.start();
    expect(t.resolver.calls).toHaveLength(1);
    expect(t.source.stats().nextRefreshMs).toBe(delay);
    t.runtime.advance(delay - 1);
    expect(t.resolver.calls).toHaveLength(1);
    t.runtime.advance(1);
    expect(t.resolver.calls).toHaveLength(2);
    expect(t.runtime.pendingTimers()).toBe(1); // the query deadline only
  });

  it('delivers the list on start and each refreshed list after, picking up changes', async () => {
    const t = setup({}, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5], ['10.0.0.2', 5])));
    await t.start();
    expect(t.sink.updates).toEqual([['http://10.0.0.1:8080', 'http://10.0.0.2:8080']]);
    t.resolver.set('A', NAME, a(['10.0.0.2', 5], ['10.0.0.3', 5]));
    expect(await t.next()).toBe(5_000);
    expect(t.sink.updates.at(-1)).toEqual(['http://10.0.0.2:8080', 'http://10.0.0.3:8080']);
    expect(t.source.stats()).toMatchObject({ refreshes: 2, failures: 0, nextRefreshMs: 5_000 });
  });

  it('a sink started later gets the last list at once, without a new query', async () => {
    const t = setup({}, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    const late = recordingSink();
    t.source.start(late);
    expect(late.updates).toEqual([['http://10.0.0.1:8080']]);
    expect(t.resolver.calls).toHaveLength(1);
  });
});

describe('failures', () => {
  it('reports a failure to the sink, delivers nothing (the last good list stays) and retries', async () => {
    const t = setup({ failureBackoff: { baseMs: 1_000, maxMs: 8_000 } }, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    t.resolver.set('A', NAME, 'ESERVFAIL');
    await t.next();
    expect(t.sink.updates).toHaveLength(1);
    expect(t.sink.errors).toHaveLength(1);
    expect(t.sink.errors[0]).toMatchObject({ code: 'ESERVFAIL' });
    expect(t.source.stats()).toMatchObject({ failures: 1, consecutiveFailures: 1, lastError: t.sink.errors[0] });
    expect(t.source.stats().nextRefreshMs).toBeLessThanOrEqual(1_000);
  });

  it('backs off exponentially with full jitter from the runtime, capped, and recovers', async () => {
    const t = setup({ failureBackoff: { baseMs: 1_000, maxMs: 8_000 } }, new FakeResolver().set('A', NAME, 'ECONNREFUSED'));
    t.runtime.setRandom(() => 0.999_999);
    await t.start();
    const top: number[] = [t.source.stats().nextRefreshMs!];
    for (let i = 0; i < 4; i++) top.push((await t.next(), t.source.stats().nextRefreshMs!));
    expect(top).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);

    t.runtime.setRandom(() => 0.5);
    const half: number[] = [];
    for (let i = 0; i < 2; i++) half.push((await t.next(), t.source.stats().nextRefreshMs!));
    expect(half).toEqual([4_000, 4_000]); // uniform in [0, 8000]: the middle

    t.resolver.set('A', NAME, a(['10.0.0.1', 5]));
    await t.next();
    expect(t.source.stats()).toMatchObject({ failures: 7, consecutiveFailures: 0, nextRefreshMs: 5_000 });
    t.resolver.set('A', NAME, 'ECONNREFUSED');
    await t.next();
    expect(t.source.stats().nextRefreshMs).toBe(500); // the streak starts again at baseMs (x 0.5)
  });

  it('jitter spreads the retries of the seeded runtime over [0, ceiling]', async () => {
    const t = setup({ failureBackoff: { baseMs: 1_000, maxMs: 1_000 } }, new FakeResolver().set('A', NAME, 'ECONNREFUSED'));
    await t.start();
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) delays.push(await t.next());
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(800);
    expect(new Set(delays).size).toBeGreaterThan(40);
  });

  it('a query past timeoutMs fails the refresh with ETIMEOUT and cancels the queries in flight', async () => {
    const t = setup({ timeoutMs: 2_000 }, new FakeResolver().set('A', NAME, 'hang'));
    await t.start();
    t.runtime.advance(1_999);
    await t.runtime.settle();
    expect(t.sink.errors).toHaveLength(0);
    t.runtime.advance(1);
    await t.runtime.settle();
    expect(t.sink.errors[0]).toMatchObject({ code: 'ETIMEOUT', message: `DNS query A ${NAME} timed out after 2000 ms` });
    expect(t.resolver.cancels).toBe(1);
    expect(t.resolver.hangingQueries).toBe(0);
  });

  it('a resolver that throws synchronously is a failure, not a crash', async () => {
    const resolver = new FakeResolver();
    resolver.resolve4 = () => {
      throw new Error('boom');
    };
    const t = setup({}, resolver);
    await t.start();
    expect(t.sink.errors).toEqual([new Error('boom')]);
    expect(t.source.stats().nextRefreshMs).toBeDefined();
  });
});

describe('empty answers (NODATA, NXDOMAIN)', () => {
  it('NXDOMAIN is a failure by default: the last list stays, retries back off, nothing empty is delivered', async () => {
    const t = setup({}, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    t.resolver.set('A', NAME, 'ENOTFOUND');
    for (let i = 0; i < 5; i++) await t.next();
    expect(t.sink.updates).toEqual([['http://10.0.0.1:8080']]);
    expect(t.sink.errors).toHaveLength(5);
    expect(t.sink.errors[0]).toMatchObject({ code: 'ENOTFOUND', message: `A lookup of ${NAME}: the name does not exist (NXDOMAIN)` });
    expect(t.source.stats()).toMatchObject({ consecutiveFailures: 5, consecutiveEmpty: 0 });
  });

  it('NODATA is applied as an empty list once confirmed by consecutive answers, re-checked at the floor', async () => {
    const t = setup({ minRefreshMs: 500 }, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    t.resolver.set('A', NAME, 'ENODATA');
    await t.next();
    expect(t.sink.updates).toHaveLength(1);
    expect(t.sink.errors).toHaveLength(0);
    expect(t.source.stats()).toMatchObject({ consecutiveEmpty: 1, nextRefreshMs: 500 });
    await t.next();
    expect(t.sink.updates.at(-1)).toEqual([]);
    expect(t.source.stats()).toMatchObject({ consecutiveEmpty: 2, nextRefreshMs: 500, failures: 0 });
  });

  it('an answer with records between two NODATA answers resets the confirmation count', async () => {
    const t = setup({ emptyConfirmations: 2 }, new FakeResolver().set('A', NAME, 'ENODATA'));
    await t.start();
    t.resolver.set('A', NAME, a(['10.0.0.1', 1]));
    await t.next();
    t.resolver.set('A', NAME, 'ENODATA');
    await t.next();
    expect(t.sink.updates).toEqual([['http://10.0.0.1:8080']]);
    await t.next();
    expect(t.sink.updates.at(-1)).toEqual([]);
  });

  it("with nxdomain: 'empty' NXDOMAIN is handled like NODATA (Kubernetes headless services at zero endpoints)", async () => {
    const t = setup({ nxdomain: 'empty', emptyConfirmations: 3 }, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    t.resolver.set('A', NAME, 'ENOTFOUND');
    await t.next();
    await t.next();
    expect(t.sink.updates).toHaveLength(1);
    await t.next();
    expect(t.sink.updates.at(-1)).toEqual([]);
    expect(t.sink.errors).toHaveLength(0);
  });
});

describe('close()', () => {
  it('cancels the scheduled refresh', async () => {
    const t = setup({}, new FakeResolver().set('A', NAME, a(['10.0.0.1', 5])));
    await t.start();
    expect(t.runtime.pendingTimers()).toBe(1);
    await t.source.close();
    expect(t.runtime.pendingTimers()).toBe(0);
    expect(t.source.stats().nextRefreshMs).toBeUndefined();
    t.runtime.advance(60_000);
    expect(t.resolver.calls).toHaveLength(1);
  });

  it('cancels the queries in flight and their deadlines; late answers are ignored', async () => {
    let answer: (records: DnsAddressRecord[]) => void = () => {};
    const resolver = new FakeResolver().set('AAAA', NAME, 'hang');
    resolver.resolve4 = () => new Promise((resolve) => (answer = resolve));
    const t = setup({ type: 'A+AAAA' }, resolver);
    await t.start();
    expect(t.runtime.pendingTimers()).toBe(2); // one deadline per query
    await t.source.close();
    expect(t.runtime.pendingTimers()).toBe(0);
    expect(resolver.cancels).toBe(1);
    answer(a(['10.0.0.1', 5]));
    await t.runtime.settle();
    expect(t.sink.updates).toEqual([]);
    expect(t.sink.errors).toEqual([]);
    t.source.start(recordingSink());
    expect(t.runtime.pendingTimers()).toBe(0);
  });
});
