/**
 * The health checker end to end: real runtime, real loopback servers (@datapunk/testkit), the
 * default HTTP check. Short intervals; waits are bounded and event-driven, never fixed sleeps.
 */
import { startServer, type BehaviorOptions, type TestServer } from '@datapunk/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createBalancerWith, type Balancer } from '../balancer.js';
import type { HealthCheckOptions } from '../config/health-options.js';
import { realRuntime } from '../runtime.js';
import type { HealthCheckEvent } from '../service/observer.js';
import { createHealthChecker } from './checker.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  // Balancers first (they hold the probe connections), then servers.
  for (const c of open.splice(0).reverse()) await c.close();
});

async function server(health: BehaviorOptions['health'] = {}): Promise<TestServer> {
  const s = await startServer({ behavior: { health } });
  open.push(s);
  return s;
}

const fast: HealthCheckOptions = { intervalMs: 50, timeoutMs: 200, unhealthyThreshold: 1, healthyThreshold: 1 };

function balancerFor(url: string, healthCheck: HealthCheckOptions): { balancer: Balancer; events: HealthCheckEvent[] } {
  const events: HealthCheckEvent[] = [];
  const balancer = createBalancerWith(
    { services: { orders: { instances: [url], healthCheck } } },
    {
      observers: [() => ({ healthChecked: (e) => events.push(e) })],
      watcher: (s, o) => createHealthChecker(s, o, realRuntime),
    },
  );
  open.push(balancer);
  return { balancer, events };
}

const stateOf = (balancer: Balancer, id: string): string | undefined =>
  balancer.snapshot().services.orders?.instances.find((i) => i.id === id)?.state;

/** Resolves when instance `id` reaches `state` (now or by a state-change event); rejects after `timeoutMs`. */
function waitForState(balancer: Balancer, id: string, state: string, timeoutMs = 5_000): Promise<void> {
  if (stateOf(balancer, id) === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`${id} did not become ${state} within ${timeoutMs} ms (it is ${stateOf(balancer, id)})`));
    }, timeoutMs);
    const sub = balancer.observe({
      stateChanged: (e) => {
        if (e.instance.id !== id || e.to !== state) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      },
    });
  });
}

describe('health checks against real servers', () => {
  it.each<[string, BehaviorOptions['health'], string]>([
    ['returns 500', { status: 500 }, 'status 500'],
    ['hangs', { hang: true }, 'timeout'],
    ['resets the connection', { resetConnection: true }, 'ECONNRESET'],
  ])('an instance whose health endpoint %s turns unhealthy', async (_name, health, detail) => {
    const s = await server(health);
    const { balancer, events } = balancerFor(s.url, fast);
    const t0 = performance.now();
    await waitForState(balancer, s.url, 'unhealthy');
    const took = performance.now() - t0;
    expect(events.at(-1)).toMatchObject({ passed: false, detail, streak: 1 });
    console.info(`${detail}: unhealthy after ${took.toFixed(0)} ms, check took ${events.at(-1)!.durationMs.toFixed(1)} ms`);
  });

  it('an instance that refuses connections turns unhealthy with ECONNREFUSED', async () => {
    const s = await server();
    await s.close();
    const { balancer, events } = balancerFor(s.url, fast);
    await waitForState(balancer, s.url, 'unhealthy');
    expect(events.at(-1)).toMatchObject({ passed: false, detail: 'ECONNREFUSED' });
  });

  it('a redirect is not followed: the instance turns unhealthy and the target receives nothing', async () => {
    const elsewhere = await server();
    const s = await server({ redirectTo: `${elsewhere.url}/health` });
    const { balancer, events } = balancerFor(s.url, fast);
    await waitForState(balancer, s.url, 'unhealthy');
    expect(events.at(-1)).toMatchObject({ passed: false, detail: 'redirect 302' });
    while (events.length < 4) await new Promise((r) => setTimeout(r, 20));
    expect(s.stats.health).toBeGreaterThanOrEqual(4);
    expect(elsewhere.stats.total).toBe(0);
  });

  it('a healthy instance turns healthy from an unhealthy start and stays so', async () => {
    const s = await server();
    const { balancer, events } = balancerFor(s.url, { ...fast, initialState: 'unhealthy' });
    await waitForState(balancer, s.url, 'healthy');
    while (events.length < 5) await new Promise((r) => setTimeout(r, 20));
    expect(events.every((e) => e.passed)).toBe(true);
    expect(stateOf(balancer, s.url)).toBe('healthy');
  });

  it('a 50 MB health body is read only up to maxBodyBytes: memory stays flat and the check completes', async () => {
    const s = await server({ bodyBytes: 50 * 1024 * 1024 });
    const before = process.memoryUsage();
    const { balancer, events } = balancerFor(s.url, { ...fast, timeoutMs: 2_000, initialState: 'unhealthy' });
    await waitForState(balancer, s.url, 'healthy');
    while (events.length < 5) await new Promise((r) => setTimeout(r, 20));
    const after = process.memoryUsage();
    const mb = (n: number): number => n / 1024 / 1024;
    const grew = { rss: mb(after.rss - before.rss), arrayBuffers: mb(after.arrayBuffers - before.arrayBuffers) };
    const slowest = Math.max(...events.map((e) => e.durationMs));
    console.info(`50 MB body x${events.length} checks: rss +${grew.rss.toFixed(1)} MB, arrayBuffers +${grew.arrayBuffers.toFixed(1)} MB, slowest check ${slowest.toFixed(1)} ms`);
    expect(events.every((e) => e.passed)).toBe(true);
    expect(grew.arrayBuffers).toBeLessThan(5);
    expect(grew.rss).toBeLessThan(20);
    expect(slowest).toBeLessThan(1_000);
  });
});
