/** The circuit breakers' gauges: remaining capacity per limit, and refusals counted by reason. */
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { collect, TestReader } from './metrics.test-helpers.js';

const SERVICE = 'datapunk.balancer.service';
const LIMIT = 'datapunk.balancer.limit';

describe('limits metrics', () => {
  it('datapunk.balancer.limits.remaining follows what is in flight; refusals count as pick failures by reason', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const balancer = createBalancer({
      runtime: createFakeRuntime(),
      meterProvider,
      services: {
        orders: { instances: ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'], limits: { maxRequests: 3, maxPendingRequests: 2, maxRetries: 1 } },
        billing: { instances: ['http://127.0.0.1:8003'], limits: false },
      },
    });
    const start = () => balancer.call({ method: 'GET', url: 'http://orders/x' })!.next();
    const a = start();
    const b = start();
    if (!a.ok || !b.ok) throw new Error('expected attempts');
    a.headers({ status: 200 });
    const c = start(); // a answered, b pending: one more may wait for headers
    if (!c.ok) throw c.error;
    const over = start();
    expect(over.ok).toBe(false);
    const m = await collect(reader);
    const remaining = (limit: string) => m.value('datapunk.balancer.limits.remaining', { [SERVICE]: 'orders', [LIMIT]: limit });
    expect([remaining('max-requests'), remaining('max-pending-requests'), remaining('max-retries')]).toEqual([0, 0, 1]);
    expect(m.points('datapunk.balancer.limits.remaining').every((p) => p.attributes[SERVICE] === 'orders')).toBe(true); // billing: limits off
    expect(m.value('datapunk.balancer.pick.failures', { [SERVICE]: 'orders', 'datapunk.balancer.pick.failure.reason': 'max-requests' })).toBe(1);
    a.end({});
    b.end({ status: 200 });
    c.end({ status: 200 });
    const after = await collect(reader);
    expect(after.value('datapunk.balancer.limits.remaining', { [SERVICE]: 'orders', [LIMIT]: 'max-requests' })).toBe(3);
    expect(after.value('datapunk.balancer.limits.remaining', { [SERVICE]: 'orders', [LIMIT]: 'max-pending-requests' })).toBe(2);
    await balancer.close();
  });
});
