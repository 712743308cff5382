import { describe, expect, it } from 'vitest';
import { faultShares } from './fault-shares.js';
import type { FaultPeriod } from './fleet-script.js';
import type { InstanceInfo, Sample } from './recorder.js';

const instances: InstanceInfo[] = ['a', 'b'].map((name) => ({ service: 's', name, url: `http://${name}` }));
const other: InstanceInfo = { service: 't', name: 'x', url: 'http://x' };

/** One tick every 200 ms: `a` and `b` attempts per tick (and 100 on another service's `x`). */
function samples(rows: readonly (readonly [number, number])[]): Sample[] {
  return rows.map(([a, b], i) => ({
    tMs: (i + 1) * 200,
    instances: Object.fromEntries(
      [['a', a] as const, ['b', b] as const, ['x', 100] as const].map(([n, attempts]) => [n, { state: 'healthy' as const, attempts, failures: 0, inFlight: 0, buckets: undefined }]),
    ),
    calls: 0,
    callFailures: 0,
    callP50Ms: undefined,
    callP99Ms: undefined,
  }));
}

const fault: FaultPeriod = { service: 's', instance: 'a', kind: 'slow', from: 0, to: 0, label: 'slow', startMs: 200, endMs: 600 };

describe('faultShares', () => {
  it("is the instance's share of its own service in the ticks that ended while the fault ran", () => {
    // Ticks end at 200 (before), 400 and 600 (during), 800... (after).
    const r = faultShares(fault, [...instances, other], samples([[5, 5], [1, 9], [1, 9], [5, 5]]));
    expect(r.during).toBeCloseTo(0.1);
    expect(r.fair).toBe(0.5);
  });

  it('is back at half its fair share at the first tick whose last second (after the end) reaches it', () => {
    const r = faultShares(fault, instances, samples([[5, 5], [0, 9], [0, 9], [0, 9], [1, 9], [4, 6], [3, 7]]));
    // After 600: 0/9 at 800, 1/19 at 1000, 5/29 at 1200, 8/39 at 1400 (21%): never at 25%.
    expect(r.backAfterS).toBeUndefined();
    const s = faultShares(fault, instances, samples([[5, 5], [0, 9], [0, 9], [0, 9], [2, 8], [8, 2]]));
    // 0/9, 2/19, 10/29 = 34% at 1200: 0.6 s after the end.
    expect(s.backAfterS).toBe(0.6);
  });

  it('needs at least 5 attempts in the window before a share counts', () => {
    const r = faultShares(fault, instances, samples([[5, 5], [0, 9], [0, 9], [1, 1], [1, 1], [1, 1]]));
    // 2 attempts at 800, 4 at 1000, 6 at 1200: 3/6.
    expect(r.backAfterS).toBe(0.6);
  });
});
