/** Load reports counted by result, per instance or not, through a real balancer and the SDK. */
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { collect, TestReader } from './metrics.test-helpers.js';

const SERVICE = 'datapunk.balancer.service';
const RESULT = 'datapunk.balancer.load_report.result';
const A = 'http://127.0.0.1:8001';
const B = 'http://127.0.0.1:8002';

async function run(perInstance: boolean) {
  const reader = new TestReader();
  const balancer = createBalancer({
    runtime: createFakeRuntime({ seed: 1 }),
    meterProvider: new MeterProvider({ readers: [reader] }),
    metrics: { perInstance },
    services: {
      orders: { instances: [A, B], strategy: 'round-robin', retry: false },
      loaded: { instances: [A, B], strategy: 'weighted-least-load', retry: false },
    },
  });
  const headers = ['TEXT cpu_utilization=0.5, rps_fractional=10', 'JSON {"eps":1}', 'TEXT cpu_utilization=2e', 'BIN AAAA', undefined];
  for (const service of ['orders', 'loaded']) {
    for (const value of [...headers, ...headers]) {
      const a = balancer.call({ method: 'GET', url: `http://${service}/x` })!.next();
      if (!a.ok) throw a.error;
      a.end({ status: 200, ...(value === undefined ? {} : { headers: { 'endpoint-load-metrics': value } }) });
    }
  }
  const m = await collect(reader);
  await balancer.close();
  return { m };
}

describe('datapunk.balancer.load_reports', () => {
  it('counts reports by instance and result, only for services whose strategy reads them', async () => {
    const { m } = await run(true);
    const points = m.points('datapunk.balancer.load_reports').map((p) => [p.attributes[SERVICE], p.attributes['server.port'], p.attributes[RESULT], p.value]);
    // Ten attempts of `loaded`, round robin until reports have a weight: each header once on each instance.
    expect(points.sort()).toEqual(
      [
        ['loaded', 8001, 'accepted', 2],
        ['loaded', 8001, 'invalid', 1],
        ['loaded', 8001, 'unsupported', 1],
        ['loaded', 8002, 'accepted', 2],
        ['loaded', 8002, 'invalid', 1],
        ['loaded', 8002, 'unsupported', 1],
      ].sort(),
    );
  });

  it('without per-instance attributes, counts per service and result', async () => {
    const { m } = await run(false);
    const value = (result: string) => m.value('datapunk.balancer.load_reports', { [SERVICE]: 'loaded', [RESULT]: result });
    expect([value('accepted'), value('invalid'), value('unsupported')]).toEqual([4, 2, 2]);
    expect(m.points('datapunk.balancer.load_reports')).toHaveLength(3);
  });
});
