/**
 * Load reports from the default HTTP health check, end to end: real runtime, a real fleet of
 * @datapunk/testkit servers that send `endpoint-load-metrics` on their health responses only
 * (`loadReportOn: 'health'`), real requests whose responses carry no report. Waits are bounded
 * and event-driven, never fixed sleeps.
 */
import { startFleet, type Fleet } from '@datapunk/testkit';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createBalancer, type Balancer } from '../balancer.js';
import { collect, TestReader } from '../metrics/metrics.test-helpers.js';
import { weightedLeastLoad } from '../strategies/weighted-least-load.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

/** One instance at 90% and three at 30%, the same qps: A58 weights 1/0.9 : 1/0.3, shares 10% / 30%. */
const UTILIZATION = [0.9, 0.3, 0.3, 0.3];

async function fleet(): Promise<Fleet> {
  const f = await startFleet({ count: 4, loadReportOn: 'health' });
  f.servers.forEach((s, i) => s.setLoadReport({ cpuUtilization: UTILIZATION[i]!, rpsFractional: 100 }));
  open.push(f);
  return f;
}

/** Resolves once every instance of `orders` has a usable reported weight; rejects after 5 s. */
function whenWeighted(balancer: Balancer): Promise<void> {
  const weighted = (): boolean => balancer.snapshot().services.orders!.instances.every((i) => Number(i.strategy?.loadWeight ?? 0) > 0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error(`no weights after 5 s: ${JSON.stringify(balancer.snapshot().services.orders)}`))), 5_000);
    const sub = balancer.observe({
      loadReported: () => {
        if (!weighted()) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      },
    });
  });
}

/** `n` real GETs through the core, one after another: the servers' ids by share, and whether any response carried a report. */
async function send(balancer: Balancer, n: number): Promise<{ shares: Map<string, number>; withHeader: number }> {
  const counts = new Map<string, number>();
  let withHeader = 0;
  for (let i = 0; i < n; i++) {
    const a = balancer.call({ method: 'GET', url: 'http://orders/x' })!.next();
    if (!a.ok) throw a.error;
    const res = await fetch(`${a.target.origin}/x`);
    await res.arrayBuffer();
    if (res.headers.has('endpoint-load-metrics')) withHeader++;
    a.end({ status: res.status, headers: (name) => res.headers.get(name) ?? undefined });
    const id = res.headers.get('x-testkit-server')!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return { shares: new Map([...counts].map(([id, c]) => [id, c / n])), withHeader };
}

describe('the HTTP health check reads load reports', () => {
  it("a fleet that reports on its health responses only gets gRFC A58's shares, its reports counted in load_reports", async () => {
    const f = await fleet();
    const reader = new TestReader();
    const balancer = createBalancer({
      meterProvider: new MeterProvider({ readers: [reader] }),
      services: {
        orders: {
          instances: f.urls,
          strategy: weightedLeastLoad({ blackoutPeriodMs: 200, weightUpdatePeriodMs: 100 }),
          healthCheck: { intervalMs: 50, timeoutMs: 500 },
          retry: false,
          outlierDetection: false,
        },
      },
    });
    open.push(balancer);
    await whenWeighted(balancer);
    const { shares, withHeader } = await send(balancer, 800);
    const figures = f.servers.map((s) => `${s.id} ${(100 * (shares.get(s.id) ?? 0)).toFixed(1)}%`).join(', ');
    console.info(`health-check reports only, 800 requests: ${figures} (A58: 10% / 30% / 30% / 30%)`);
    expect(withHeader).toBe(0);
    const [hot, ...cold] = f.servers.map((s) => shares.get(s.id) ?? 0);
    expect(hot).toBeGreaterThan(0.08);
    expect(hot).toBeLessThan(0.12);
    for (const share of cold) {
      expect(share).toBeGreaterThan(0.27);
      expect(share).toBeLessThan(0.33);
    }
    const m = await collect(reader);
    const points = m.points('datapunk.balancer.load_reports');
    expect(points.every((p) => p.attributes['datapunk.balancer.load_report.result'] === 'accepted')).toBe(true);
    const accepted = f.urls.map((url) => Number(points.find((p) => p.attributes['server.port'] === Number(new URL(url).port))?.value ?? 0));
    // Every one from a health check (no response carried one): one per probe answered, bar those still in flight.
    const probes = f.servers.reduce((sum, s) => sum + s.stats.health, 0);
    const total = accepted.reduce((sum, n) => sum + n, 0);
    expect(Math.min(...accepted)).toBeGreaterThanOrEqual(3);
    expect(total).toBeLessThanOrEqual(probes);
    expect(total).toBeGreaterThanOrEqual(probes - 4);
  });
});
