/**
 * Subsetting and zone-aware routing inside a real balancer (fake runtime): the subset is what the
 * service holds and probes, and zone routing follows health and panic.
 */
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { staticDiscovery } from '../discovery/static.js';
import { collect, TestReader } from '../metrics/metrics.test-helpers.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { pickFrom } from '../testing/pick.js';

const fleet = (perZone: Record<string, number>) =>
  Object.entries(perZone).flatMap(([zone, n], z) => Array.from({ length: n }, (_, i) => ({ url: `http://10.${z}.0.${i + 1}:8080`, zone })));

describe('subset in a service', () => {
  it('holds and health-checks only its slice, and keeps the state of instances that stay', async () => {
    const runtime = createFakeRuntime();
    const checked = new Set<string>();
    const discovery = staticDiscovery(fleet({ a: 40 }));
    const balancer = createBalancer({
      runtime,
      services: {
        orders: {
          discovery,
          subset: { size: 8, clientId: 2, clientCount: 5 },
          outlierDetection: { consecutiveFailures: { threshold: 1 } },
          healthCheck: { intervalMs: 1_000, check: async (t) => void checked.add(t.id) },
        },
      },
    });
    const before = balancer.snapshot().services.orders!.instances.map((i) => i.id);
    expect(before).toHaveLength(8);
    await runtime.advanceAsync(3_000);
    expect([...checked].sort()).toEqual([...before].sort());
    // Eject one member, then remove one instance outside the subset: the member stays ejected.
    const p = pickFrom(balancer, 'orders');
    if (!p.ok) throw p.error;
    p.done({ kind: 'response', status: 503 });
    const state = (id: string) => balancer.snapshot().services.orders!.instances.find((i) => i.id === id)?.state;
    expect(state(p.instance.id)).toBe('ejected');
    const outside = fleet({ a: 40 }).find((e) => !before.includes(e.url))!;
    discovery.set(fleet({ a: 40 }).filter((e) => e.url !== outside.url));
    const after = balancer.snapshot().services.orders!.instances.map((i) => i.id);
    expect(after).toHaveLength(8);
    expect(after.filter((id) => before.includes(id)).length).toBeGreaterThanOrEqual(7);
    expect(after).toContain(p.instance.id);
    expect(state(p.instance.id)).toBe('ejected');
    await balancer.close();
  });
});

describe('zone-aware routing in a service', () => {
  const reader = () => {
    const r = new TestReader();
    return { reader: r, meterProvider: new MeterProvider({ readers: [r] }) };
  };

  it('keeps the share Envoy says local, counts local and cross-zone requests, and turns off in panic', async () => {
    const { reader: metricReader, meterProvider } = reader();
    const runtime = createFakeRuntime({ seed: 4 });
    const failing = new Set<string>();
    // Callers: half in a. Upstream: a has 4 of 16 (25%): 50% stays local, the rest spills to b
    // (residual 50% - 25%), none to c (25% - 25%).
    const balancer = createBalancer({
      runtime,
      zone: 'a',
      meterProvider,
      services: {
        orders: {
          instances: fleet({ a: 4, b: 8, c: 4 }),
          strategy: 'round-robin',
          zoneAware: { callers: { a: 2, b: 1, c: 1 } },
          healthCheck: { intervalMs: 1_000, unhealthyThreshold: 1, check: (t) => (failing.has(t.id) ? Promise.reject(new Error('down')) : Promise.resolve()) },
        },
      },
    });
    const zoneOf = new Map(fleet({ a: 4, b: 8, c: 4 }).map((e) => [e.url, e.zone]));
    const share = (n: number) => {
      const byZone: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const p = pickFrom(balancer, 'orders');
        if (!p.ok) throw p.error;
        const z = zoneOf.get(p.instance.id)!;
        byZone[z] = (byZone[z] ?? 0) + 1;
        p.done({ kind: 'response', status: 200, latencyMs: 1 });
      }
      return Object.fromEntries(Object.entries(byZone).map(([z, v]) => [z, v / n]));
    };
    const first = share(4_000);
    expect(first.a).toBeCloseTo(0.5, 1);
    expect(first.b).toBeCloseTo(0.5, 1);
    expect(first.c).toBeUndefined();
    const m = await collect(metricReader);
    const local = m.value('datapunk.balancer.zone.requests', { 'datapunk.balancer.service': 'orders', 'datapunk.balancer.zone.locality': 'local' });
    const cross = m.value('datapunk.balancer.zone.requests', { 'datapunk.balancer.service': 'orders', 'datapunk.balancer.zone.locality': 'cross-zone' });
    expect(local + cross).toBe(4_000);
    expect(local).toBe(Math.round(first.a! * 4_000));

    // 9 of 16 fail their health checks (b's eight and one of c): panic, so every zone shares again.
    for (const e of fleet({ a: 4, b: 8, c: 4 }).filter((e) => e.zone === 'b')) failing.add(e.url);
    failing.add(fleet({ a: 4, b: 8, c: 4 }).find((e) => e.zone === 'c')!.url);
    await runtime.advanceAsync(2_500);
    expect(balancer.snapshot().services.orders!.panic).toBe(true);
    const inPanic = share(4_000);
    expect(inPanic.a).toBeCloseTo(4 / 16, 1);
    expect(inPanic.b).toBeCloseTo(8 / 16, 1);
    await balancer.close();
    await meterProvider.shutdown();
  });

  it('does not count localities when the balancer has no zone', async () => {
    const { reader: metricReader, meterProvider } = reader();
    const balancer = createBalancer({ runtime: createFakeRuntime(), meterProvider, services: { orders: { instances: fleet({ a: 2, b: 2 }) } } });
    const p = pickFrom(balancer, 'orders');
    if (p.ok) p.done({ kind: 'response', status: 200, latencyMs: 1 });
    expect((await collect(metricReader)).points('datapunk.balancer.zone.requests')).toHaveLength(0);
    await balancer.close();
    await meterProvider.shutdown();
  });
});
