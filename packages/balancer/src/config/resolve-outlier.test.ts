/** Number shorthands where a detector object is expected: the number is its threshold. */
import { describe, expect, it } from 'vitest';
import { BalancerConfigError } from '../errors.js';
import { mayEject } from '../outlier/ejection.js';
import { resolveBalancerConfig } from './resolve.js';

const outlier = (outlierDetection: unknown) =>
  resolveBalancerConfig({ services: { orders: { instances: ['http://127.0.0.1:8081'], outlierDetection } } }).services.get('orders')!
    .outlierDetection!;

describe('outlier detection shorthands', () => {
  it('consecutiveFailures: 3 is { threshold: 3 } with the default enforcing percentage', () => {
    expect(outlier({ consecutiveFailures: 3 }).consecutiveFailures).toEqual({ threshold: 3, enforcingPercent: 100 });
  });

  it('consecutiveGatewayFailures and failurePercentage take a number too, their other fields keeping their defaults', () => {
    const od = outlier({ consecutiveGatewayFailures: 2, failurePercentage: 90 });
    expect(od.consecutiveGatewayFailures).toEqual({ threshold: 2, enforcingPercent: 0 });
    expect(od.failurePercentage).toEqual({ threshold: 90, minimumHosts: 5, requestVolume: 50, enforcingPercent: 0 });
  });

  it('a bad shorthand is reported at the field the user wrote, with every other problem', () => {
    let error: unknown;
    try {
      outlier({ consecutiveFailures: 0, consecutiveGatewayFailures: 2.5, failurePercentage: 101 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BalancerConfigError);
    const message = (error as Error).message;
    expect(message).toContain('services.orders.outlierDetection.consecutiveFailures: expected');
    expect(message).toContain('got 0');
    expect(message).toContain('services.orders.outlierDetection.consecutiveGatewayFailures: expected');
    expect(message).toContain('got 2.5');
    expect(message).toContain('services.orders.outlierDetection.failurePercentage: expected');
    expect(message).toContain('got 101');
    expect(message).not.toContain('.threshold');
  });

  it('successRate has no threshold: a number there is still an error', () => {
    expect(() => outlier({ successRate: 5 })).toThrow(/services\.orders\.outlierDetection\.successRate: expected an object, got 5/);
  });
});

describe('the default maxEjectionPercent', () => {
  /** Instances outlier detection may eject at once in a fleet of n (mayEject, one at a time). */
  const allowed = (n: number, percent: number) => {
    let ejected = 0;
    while (ejected < n && mayEject(ejected, n, percent)) ejected++;
    return ejected;
  };
  const defaults = resolveBalancerConfig({ services: { orders: { instances: ['http://127.0.0.1:8081'] } } }).services.get('orders')!;

  it('never ejects a service into panic at the default panic threshold, for any fleet of 2 to 500', () => {
    const { maxEjectionPercent } = defaults.outlierDetection!;
    const threshold = defaults.panic.thresholdPercent;
    for (let n = 2; n <= 500; n++) {
      const healthyPercent = ((n - allowed(n, maxEjectionPercent)) * 100) / n;
      expect(healthyPercent, `fleet of ${n}`).toBeGreaterThanOrEqual(threshold);
    }
    // and it is the largest such cap: one more lets a fleet of 3 eject two, into panic
    expect(allowed(3, maxEjectionPercent + 1)).toBe(2);
  });

  it('lets small fleets eject more than one bad instance (Envoy\'s 10% allows one up to 10 instances)', () => {
    const { maxEjectionPercent } = defaults.outlierDetection!;
    expect([3, 4, 5, 8, 10, 20].map((n) => allowed(n, maxEjectionPercent))).toEqual([1, 2, 2, 3, 4, 7]);
    expect([3, 4, 5, 8, 10, 20].map((n) => allowed(n, 10))).toEqual([1, 1, 1, 1, 1, 2]);
  });
});
