import { MeterProvider, type Histogram } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBalancerWith } from '../balancer.js';
import { staticDiscovery } from '../discovery/static.js';
import { createHealthChecker } from '../health/checker.js';
import type { HealthCheckFunction } from '../health/check.js';
import { delay } from '../runtime.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { resolveMeter } from './meter.js';
import { createMetricsObserver } from './metrics-observer.js';
import { A, B, collect, TestReader } from './metrics.test-helpers.js';

describe('health-check metrics through the health checker', () => {
  it('counts each check by result with its duration, and the state it leads to', async () => {
    const reader = new TestReader();
    const meter = resolveMeter(new MeterProvider({ readers: [reader] }));
    const runtime = createFakeRuntime();
    runtime.setRandom(() => 0); // first checks at once, no jitter
    // A answers in 12 ms; B never answers, so its check times out after 500 ms.
    const check: HealthCheckFunction = (target, signal) =>
      target.id === A ? delay(runtime, 12, signal) : new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const balancer = createBalancerWith(
      {
        runtime,
        services: {
          inventory: { discovery: staticDiscovery([A, B]), healthCheck: { intervalMs: 1_000, timeoutMs: 500, unhealthyThreshold: 1, check } },
        },
      },
      {
        observers: [(s) => createMetricsObserver(s, meter, { perInstance: true })],
        watcher: (s, o) => createHealthChecker(s, o, runtime),
      },
    );
    await runtime.advanceAsync(600);

    const m = await collect(reader);
    const at = (instance: string, result: string) => ({
      'datapunk.balancer.service': 'inventory',
      'server.address': new URL(instance).hostname,
      'server.port': Number(new URL(instance).port),
      'url.scheme': 'http',
      'datapunk.balancer.health_check.result': result,
    });
    expect(m.points('datapunk.balancer.health_checks').map((p) => [p.attributes, p.value])).toEqual([
      [at(A, 'pass'), 1],
      [at(B, 'fail'), 1],
    ]);
    expect(m.value<Histogram>('datapunk.balancer.health_check.duration', at(A, 'pass'))).toMatchObject({ count: 1, sum: 0.012 });
    expect(m.value<Histogram>('datapunk.balancer.health_check.duration', at(B, 'fail'))).toMatchObject({ count: 1, sum: 0.5 });
    const state = (s: string) => ({ 'datapunk.balancer.service': 'inventory', 'datapunk.balancer.state': s });
    expect(m.value('datapunk.balancer.instance.count', state('healthy'))).toBe(1);
    expect(m.value('datapunk.balancer.instance.count', state('unhealthy'))).toBe(1);
    await balancer.close();
  });
});
