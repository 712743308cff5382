/**
 * DNS discovery through a balancer, on a fake runtime with a scripted resolver: SRV instances
 * applied, bad records skipped, the last good list kept through failures and bad lists, a
 * confirmed NODATA draining the service.
 */
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import type { DnsAddressRecord, DnsDiscoveryOptions } from './dns.js';
import { dnsDiscovery } from './dns.js';
import { captureLogger, FakeResolver } from './dns.test-helpers.js';

const a = (...addresses: [string, number][]): DnsAddressRecord[] => addresses.map(([address, ttl]) => ({ address, ttl }));

describe('through a balancer', () => {
  const SRV = '_http._tcp.orders.internal';
  const snapshot = (balancer: ReturnType<typeof createBalancer>) =>
    balancer.snapshot().services.orders!.instances.map((i) => `${i.id} w${i.weight} ${i.state}`);

  function balancerWith(resolver: FakeResolver, options: Partial<DnsDiscoveryOptions> = {}) {
    const runtime = createFakeRuntime();
    const logger = captureLogger();
    const discovery = dnsDiscovery({ name: SRV, type: 'SRV', targetType: 'A', resolver, runtime, ...options });
    const balancer = createBalancer({ services: { orders: { discovery } }, runtime, logger });
    return { runtime, logger, discovery, balancer };
  }

  it('applies SRV instances, skips bad records with a warning, keeps the list through failures, and closes cleanly', async () => {
    const resolver = new FakeResolver()
      .set('SRV', SRV, [
        { name: 'a.internal', port: 8081, priority: 1, weight: 30 },
        { name: 'b.internal', port: 0, priority: 1, weight: 10 },
        { name: 'gone.internal', port: 8083, priority: 1, weight: 10 },
        { name: '127.0.0.1', port: 8084, priority: 1, weight: 0 },
        { name: 'backup.internal', port: 9000, priority: 2, weight: 10 },
      ])
      .set('A', 'a.internal', a(['10.0.0.1', 5]));
    const { runtime, logger, discovery, balancer } = balancerWith(resolver);
    await runtime.settle();
    expect(snapshot(balancer)).toEqual(['http://10.0.0.1:8081 w30 healthy', 'http://127.0.0.1:8084 w1 healthy']);
    const skipped = logger.lines.filter((l) => l.fields.event === 'invalid-entry');
    expect(skipped.map((l) => [l.level, l.fields.service, l.fields.source, l.fields.path])).toEqual([
      ['warn', 'orders', 'dns', 'dns _http._tcp.orders.internal'],
      ['warn', 'orders', 'dns', 'dns _http._tcp.orders.internal'],
    ]);
    expect(skipped[0]!.fields.problem).toContain('DNS record skipped (port 0)');
    expect(skipped[1]!.fields.problem).toContain('DNS record skipped (target does not resolve: NXDOMAIN)');

    resolver.set('SRV', SRV, 'ETIMEOUT');
    for (let i = 0; i < 3; i++) {
      runtime.advance(discovery.stats().nextRefreshMs!);
      await runtime.settle();
    }
    expect(snapshot(balancer)).toEqual(['http://10.0.0.1:8081 w30 healthy', 'http://127.0.0.1:8084 w1 healthy']);
    const failed = logger.lines.filter((l) => l.fields.event === 'discovery-failed');
    expect(failed).toHaveLength(1); // the first of the streak; all three are counted by the metrics
    expect(failed[0]).toMatchObject({ level: 'warn', fields: { source: 'dns', kept: 2, err: { code: 'ETIMEOUT' } } });

    await balancer.close();
    expect(runtime.pendingTimers()).toBe(0);
  });

  it('a list of only bad records is not applied: the last good list stays', async () => {
    const resolver = new FakeResolver().set('SRV', SRV, [{ name: '127.0.0.1', port: 8081, priority: 0, weight: 1 }]);
    const { runtime, logger, discovery, balancer } = balancerWith(resolver);
    await runtime.settle();
    resolver.set('SRV', SRV, [{ name: '127.0.0.1', port: 0, priority: 0, weight: 1 }]);
    runtime.advance(discovery.stats().nextRefreshMs!);
    await runtime.settle();
    expect(snapshot(balancer)).toEqual(['http://127.0.0.1:8081 w1 healthy']);
    expect(logger.lines.find((l) => l.fields.event === 'discovery-failed')?.fields.err).toMatchObject({
      message: 'every one of 1 entries was invalid; keeping the last good list',
    });
    expect(discovery.stats()).toMatchObject({ failures: 1, consecutiveFailures: 1 });
    await balancer.close();
  });

  it('a confirmed NODATA drains every instance', async () => {
    const resolver = new FakeResolver().set('SRV', SRV, [{ name: '127.0.0.1', port: 8081, priority: 0, weight: 1 }]);
    const { runtime, discovery, balancer } = balancerWith(resolver, { minRefreshMs: 100 });
    await runtime.settle();
    resolver.set('SRV', SRV, 'ENODATA');
    runtime.advance(discovery.stats().nextRefreshMs!);
    await runtime.settle();
    expect(snapshot(balancer)).toHaveLength(1);
    runtime.advance(100);
    await runtime.settle();
    expect(snapshot(balancer)).toEqual([]);
    await balancer.close();
  });
});
