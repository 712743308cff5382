/**
 * Load reports from health checks, on the fake runtime with a scripted check: what a check
 * reports reaches the strategy through the same path as a response's header (counted the same
 * way), only for strategies that take reports; and a fleet whose responses carry no header but
 * whose health checks do converges to gRFC A58's weights.
 */
import { describe, expect, it } from 'vitest';
import type { HealthCheckOptions } from '../config/health-options.js';
import type { LoadReport } from '../load/load-report.js';
import { weightedLeastLoad } from '../strategies/weighted-least-load.js';
import type { HealthCheckFunction } from './check.js';
import { checkHarness, origin, origins } from './checker.test-helpers.js';

const A = origin(0);
const every1s: Omit<HealthCheckOptions, 'check'> = { intervalMs: 1_000, jitterPercent: 0, unhealthyThreshold: 1, healthyThreshold: 1 };
const loaded = { strategy: weightedLeastLoad({ blackoutPeriodMs: 0 }), retry: false as const, outlierDetection: false as const };

describe('health checks report load', () => {
  it("a passing check's loadReport reaches the strategy, counted accepted (an object or a header value)", async () => {
    const h = checkHarness(every1s, { random: 0, service: { instances: origins(1), ...loaded } });
    h.script.answer(A, { pass: true, loadReport: { cpuUtilization: 0.4, rpsFractional: 50 } });
    await h.runtime.advanceAsync(0);
    expect(h.loads).toEqual([{ service: 'orders', instance: expect.objectContaining({ id: A }), result: 'accepted' }]);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.strategy).toMatchObject({ utilization: 0.4, rpsFractional: 50, loadReportAgeMs: 0 });
    h.script.answer(A, { pass: true, loadReport: 'TEXT cpu_utilization=0.6, rps_fractional=70' });
    await h.runtime.advanceAsync(1_000);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.strategy).toMatchObject({ utilization: 0.6, rpsFractional: 70 });
    await h.balancer.close();
  });

  it('a bad report is counted invalid, never reaches the strategy, and the check still passes', async () => {
    const h = checkHarness(every1s, { random: 0, service: { instances: origins(1), ...loaded } });
    h.script.answer(A, { pass: true, loadReport: { cpu: 0.4 } });
    await h.runtime.advanceAsync(0);
    h.script.answer(A, { pass: true, loadReport: 'TEXT cpu_utilization=-1' });
    await h.runtime.advanceAsync(1_000);
    expect(h.loads.map((e) => [e.result, e.detail])).toEqual([
      ['invalid', 'loadReport: an unknown field'],
      ['invalid', 'cpu_utilization: out of range [0, Infinity]'],
    ]);
    expect(h.results(A)).toEqual(['pass/1', 'pass/2']);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.strategy).not.toHaveProperty('utilization');
    await h.balancer.close();
  });

  it('a failing check reports through HealthCheckFailure, or any error with a loadReport (duplicate installs)', async () => {
    const reports: unknown[] = [new Error('x'), Object.assign(new Error('plain'), { loadReport: { cpuUtilization: 1, rpsFractional: 9 } })];
    let n = 0;
    const check: HealthCheckFunction = () => Promise.reject(reports[n++ % 2]);
    const h = checkHarness({ ...every1s, unhealthyThreshold: 5 }, { random: 0, check, service: { instances: origins(1), ...loaded } });
    await h.runtime.advanceAsync(1_000);
    expect(h.loads.map((e) => e.result)).toEqual(['accepted']);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.strategy).toMatchObject({ utilization: 1, rpsFractional: 9 });

    const s = checkHarness({ ...every1s, unhealthyThreshold: 5 }, { random: 0, service: { instances: origins(1), ...loaded } });
    s.script.answer(A, { pass: false, error: 'status 503', loadReport: 'TEXT cpu_utilization=0.95, rps_fractional=40' });
    await s.runtime.advanceAsync(0);
    expect(s.results(A)).toEqual(['fail/1/status 503']);
    expect(s.balancer.snapshot().services.orders!.instances[0]!.strategy).toMatchObject({ utilization: 0.95, rpsFractional: 40 });
    await Promise.all([h.balancer.close(), s.balancer.close()]);
  });

  it('for a strategy that takes no reports, a check result is never even asked for its loadReport', async () => {
    for (const strategy of ['peak-ewma', 'round-robin'] as const) {
      let asked = 0;
      const result = Object.defineProperty({}, 'loadReport', {
        get: () => (asked++, { cpuUtilization: 0.5, rpsFractional: 10 }),
      });
      const h = checkHarness(every1s, { random: 0, check: () => Promise.resolve(result), service: { instances: origins(1), strategy } });
      await h.runtime.advanceAsync(2_000);
      expect(h.results(A)).toEqual(['pass/1', 'pass/2', 'pass/3']);
      expect([asked, h.loads.length]).toEqual([0, 0]);
      await h.balancer.close();
    }
  });

  it("the report of the check that recovers an instance outlives the strategy's reset (verdict first, then load)", async () => {
    const h = checkHarness(every1s, { random: 0, service: { instances: origins(1), ...loaded } });
    h.script.answer(A, { pass: false });
    await h.runtime.advanceAsync(0);
    expect(h.state(A)).toBe('unhealthy');
    h.script.answer(A, { pass: true, loadReport: { cpuUtilization: 0.5, rpsFractional: 10 } });
    await h.runtime.advanceAsync(1_000);
    expect(h.state(A)).toBe('healthy');
    // Blackout 0: the weight is usable at once, unless the reset came after the report and dropped its run.
    expect(h.balancer.snapshot().services.orders!.instances[0]!.strategy).toMatchObject({ loadWeight: 20 });
    await h.balancer.close();
  });

  it('a check resolving with something else (a fetch Response, say) is a plain pass', async () => {
    const h = checkHarness(every1s, { random: 0, check: () => Promise.resolve(new Response('ok') as never), service: { instances: origins(1), ...loaded } });
    await h.runtime.advanceAsync(0);
    expect(h.results(A)).toEqual(['pass/1']);
    expect(h.loads).toEqual([]);
    await h.balancer.close();
  });
});

describe('a fleet that reports load through its health checks only', () => {
  /** One instance at 90% and three at 30%, the same qps: A58 weights 1/0.9 : 1/0.3, shares 10% / 30%. */
  const REPORTS: readonly LoadReport[] = [0.9, 0.3, 0.3, 0.3].map((cpuUtilization) => ({ cpuUtilization, rpsFractional: 100 }));

  it("converges to gRFC A58's weights once the blackout (default 10 s) has passed, with no header on any response", async () => {
    const ids = origins(4);
    const h = checkHarness(
      { intervalMs: 1_000 },
      { seed: 5, service: { instances: ids, strategy: 'weighted-least-load', retry: false, outlierDetection: false } },
    );
    ids.forEach((id, i) => h.script.answer(id, { pass: true, loadReport: REPORTS[i] }));
    /** Shares of `n` calls whose responses carry no load header at all. */
    const shares = (n: number): number[] => {
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const a = h.balancer.call({ method: 'GET', url: 'http://orders/x' })!.next();
        if (!a.ok) throw a.error;
        counts.set(a.target.origin, (counts.get(a.target.origin) ?? 0) + 1);
        a.end({ status: 200, headers: { 'content-type': 'text/plain' } });
      }
      return ids.map((id) => (counts.get(id) ?? 0) / n);
    };
    await h.runtime.advanceAsync(5_000);
    // In blackout: the default strategy's picks, which know nothing of the reports.
    expect(shares(400)[0]).toBeGreaterThan(0.2);
    await h.runtime.advanceAsync(7_000); // t = 12 s: every instance has reported for more than 10 s
    const converged = shares(2_000);
    expect(converged[0]).toBeGreaterThan(0.09);
    expect(converged[0]).toBeLessThan(0.11);
    for (const share of converged.slice(1)) {
      expect(share).toBeGreaterThan(0.27);
      expect(share).toBeLessThan(0.33);
    }
    expect(h.loads.length).toBeGreaterThanOrEqual(4 * 11);
    expect(h.loads.every((e) => e.result === 'accepted')).toBe(true);
    await h.balancer.close();
  });
});
