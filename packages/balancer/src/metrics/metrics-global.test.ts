/**
 * With the real OpenTelemetry SDK registered globally: a balancer created before the application
 * registers its SDK still exports once it is registered (the meter is resolved lazily), with the
 * HTTP client conventions' attribute names.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, type Histogram } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { resolveMeter } from './meter.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { collect, TestReader } from './metrics.test-helpers.js';
import { pickFrom } from '../testing/pick.js';

afterEach(() => metrics.disable());

const urls = ['http://127.0.0.1:8001', 'http://[::1]:8002'];

function drive(balancer: ReturnType<typeof createBalancer>, status: number): void {
  const p = pickFrom(balancer, 'orders', { method: 'GET' });
  if (!p.ok) throw p.error;
  p.done({ kind: 'response', status, latencyMs: 25 });
}

describe('global meter provider registered after the balancer', () => {
  it("the API's no-op meter is known as one (attempts then skip their attributes), an SDK's meter is not", () => {
    metrics.disable();
    const source = resolveMeter();
    expect(source.current().records).toBe(false);
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new TestReader()] }));
    expect(source.current().records).toBe(true);
    expect(resolveMeter(new MeterProvider()).current().records).toBe(true);
  });

  it('exports from the first event after registration, with server.address, server.port and url.scheme', async () => {
    metrics.disable(); // no SDK: the API hands out its no-op provider
    const balancer = createBalancer({
      services: { orders: { instances: ['http://[::1]:8002'] } },
      runtime: createFakeRuntime(),
    });
    drive(balancer, 200); // recorded nowhere: nothing is registered yet

    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    drive(balancer, 200);
    drive(balancer, 503);

    const m = await collect(reader);
    const points = m.points('datapunk.balancer.request.duration').map((p) => [p.attributes, (p.value as Histogram).count]);
    expect(points).toEqual([
      [
        {
          'datapunk.balancer.service': 'orders',
          'server.address': '::1',
          'server.port': 8002,
          'url.scheme': 'http',
          'http.request.method': 'GET',
          'http.response.status_code': 200,
        },
        1,
      ],
      [
        {
          'datapunk.balancer.service': 'orders',
          'server.address': '::1',
          'server.port': 8002,
          'url.scheme': 'http',
          'http.request.method': 'GET',
          'http.response.status_code': 503,
          'error.type': '503',
        },
        1,
      ],
    ]);
    // The gauges moved with it: instances by state are read from the new meter's collection.
    expect(m.value('datapunk.balancer.instance.count', { 'datapunk.balancer.service': 'orders', 'datapunk.balancer.state': 'healthy' })).toBe(1);
    for (const p of m.points('datapunk.balancer.request.active')) expect(Object.keys(p.attributes)).not.toContain('datapunk.balancer.instance');
    await balancer.close();
  });

  it('a provider passed as meterProvider is used as it is, whatever the global one', async () => {
    const given = new TestReader();
    const global = new TestReader();
    const balancer = createBalancer({
      services: { orders: { instances: urls, strategy: 'round-robin' } },
      runtime: createFakeRuntime(),
      meterProvider: new MeterProvider({ readers: [given] }),
    });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [global] }));
    drive(balancer, 200);
    expect((await collect(given)).points('datapunk.balancer.request.duration')).toHaveLength(1);
    const { resourceMetrics } = await global.collect();
    expect(resourceMetrics.scopeMetrics).toEqual([]);
    await balancer.close();
  });
});
