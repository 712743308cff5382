/** Outlier detection as a service applies it: ejection, its growing time, the max share, dry runs, the detectors. */
import { describe, expect, it } from 'vitest';
import { cancelled, harness, ok, refused, s404, s503, urls } from './service.test-helpers.js';

const [A] = urls(1) as [string];

describe('outlier detection in a service', () => {
  it('ejects after the configured consecutive failures and returns after the ejection time', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: { threshold: 3 }, baseEjectionMs: 10_000, maxEjectionPercent: 50 },
    });
    h.fail(A, s503, 2);
    expect(h.state(A)).toBe('healthy');
    h.fail(A, s503, 1);
    expect(h.state(A)).toBe('ejected');
    const seen = new Set(Array.from({ length: 30 }, () => h.hit(ok)));
    expect(seen.has(A)).toBe(false);
    h.runtime.advance(9_999);
    expect(h.state(A)).toBe('ejected');
    h.runtime.advance(1);
    expect(h.state(A)).toBe('healthy');
    expect(h.changes.filter((c) => c.instance.id === A).map((c) => `${c.from}->${c.to}:${c.reason}`)).toEqual([
      'healthy->ejected:consecutive-failures',
      'ejected->healthy:ejection-expired',
    ]);
  });

  it('a success in between resets the count; 4xx and cancellations are not failures', () => {
    const h = harness({ instances: urls(3), strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 3 } } });
    h.fail(A, s503, 2);
    h.fail(A, ok, 1);
    h.fail(A, s503, 2);
    h.fail(A, s404, 20);
    h.fail(A, cancelled, 20);
    expect(h.state(A)).toBe('healthy');
  });

  it('connection failures count, and gateway detection works alone', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: false, consecutiveGatewayFailures: { threshold: 2, enforcingPercent: 100 } },
    });
    h.fail(A, refused, 2);
    expect(h.state(A)).toBe('ejected');
    expect(h.balancer.snapshot().services.orders!.instances[0]!.ejection?.reason).toBe('consecutive-gateway-failures');
  });

  it('ejection time grows with each ejection in a row, capped', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 1_000, maxEjectionMs: 2_500, maxEjectionPercent: 50, intervalMs: 600_000 },
    });
    const durations: number[] = [];
    h.balancer.observe({ ejection: (e) => void (durations.push(e.durationMs)) });
    for (let i = 0; i < 4; i++) {
      h.fail(A, s503, 1);
      const remaining = h.balancer.snapshot().services.orders!.instances[0]!.ejection!.remainingMs;
      h.runtime.advance(remaining);
      expect(h.state(A)).toBe('healthy');
    }
    expect(durations).toEqual([1_000, 2_000, 2_500, 2_500]);
  });

  it('the multiplier decays while the instance behaves (one step per interval)', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 1_000, intervalMs: 5_000, maxEjectionPercent: 50 },
    });
    const durations: number[] = [];
    h.balancer.observe({ ejection: (e) => void (durations.push(e.durationMs)) });
    h.fail(A, s503, 1);
    h.runtime.advance(1_000);
    h.fail(A, s503, 1); // second in a row: 2 s
    h.runtime.advance(2_000);
    h.runtime.advance(10_000); // two sweeps: multiplier 2 -> 0
    h.fail(A, s503, 1);
    expect(durations).toEqual([1_000, 2_000, 1_000]);
  });

  it('respects the max ejection share, but one may always be ejected', () => {
    const h = harness({
      instances: urls(10),
      strategy: 'round-robin',
      outlierDetection: { consecutiveFailures: { threshold: 2 }, maxEjectionPercent: 20 },
    });
    const skipped: string[] = [];
    h.balancer.observe({ ejection: (e) => void (!e.enforced && skipped.push(`${e.instance.id}:${e.skipped}`)) });
    const all = urls(10);
    for (const id of all.slice(0, 4)) h.fail(id, s503, 2);
    const states = h.balancer.snapshot().services.orders!.instances.map((i) => i.state);
    expect(states.filter((s) => s === 'ejected')).toHaveLength(2);
    expect(skipped).toEqual([`${all[2]}:max-ejection-percent`, `${all[3]}:max-ejection-percent`]);

    const two = harness({ instances: urls(2), strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 2 }, maxEjectionPercent: 1 } });
    two.fail(A, s503, 2);
    expect(two.state(A)).toBe('ejected');
  });

  it('enforcing 0% is a dry run: reported, not ejected', () => {
    const h = harness({ instances: urls(3), strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 2, enforcingPercent: 0 } } });
    const events: string[] = [];
    h.balancer.observe({ ejection: (e) => void (events.push(`${e.enforced}:${e.skipped}`)) });
    h.fail(A, s503, 4);
    expect(h.state(A)).toBe('healthy');
    expect(events).toEqual(['false:dry-run', 'false:dry-run']);
  });

  it('success-rate detection ejects the outlier at the interval', () => {
    const h = harness({
      instances: urls(6),
      strategy: 'round-robin',
      outlierDetection: {
        consecutiveFailures: false,
        successRate: { minimumHosts: 5, requestVolume: 20, stdevFactor: 1.9 },
        intervalMs: 10_000,
        maxEjectionPercent: 50,
      },
    });
    const bad = urls(6)[5]!;
    for (let i = 0; i < 600; i++) {
      const p = h.pick();
      p.done(p.instance.id === bad && i % 2 === 0 ? s503 : ok);
    }
    expect(h.state(bad)).toBe('healthy');
    h.runtime.advance(10_000);
    expect(h.state(bad)).toBe('ejected');
    expect(h.balancer.snapshot().services.orders!.instances[5]!.ejection?.reason).toBe('success-rate');
  });

  it('failure-percentage detection ejects when enforced', () => {
    const h = harness({
      instances: urls(5),
      strategy: 'round-robin',
      outlierDetection: {
        consecutiveFailures: false,
        successRate: false,
        failurePercentage: { threshold: 50, minimumHosts: 5, requestVolume: 10, enforcingPercent: 100 },
        maxEjectionPercent: 50,
      },
    });
    const bad = urls(5)[2]!;
    for (let i = 0; i < 100; i++) {
      const p = h.pick();
      p.done(p.instance.id === bad && i % 5 !== 0 ? s503 : ok);
    }
    h.runtime.advance(10_000);
    expect(h.state(bad)).toBe('ejected');
  });
});
