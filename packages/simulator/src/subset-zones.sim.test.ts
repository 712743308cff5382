/**
 * Subsetting and zone-aware routing, shown on the simulated fleet with the shipped scenarios:
 * the core's own options, many clients, real membership changes through discovery.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from './run.js';
import type { SimResult } from './result.js';
import { subsetting, subsettingRandom } from './scenarios/subsetting.js';
import { zoneLosesHalf, zones } from './scenarios/zones.js';

/** Each scenario runs once (a few seconds each); the tests read its result. */
const RUN_TIMEOUT_MS = 60_000;

describe('subsetting, 300 clients x 300 instances, subsets of 30 (simulated)', () => {
  let det: SimResult;
  let rnd: SimResult;
  beforeAll(async () => {
    // Membership is what is measured here: one request per client per second is traffic enough.
    det = await runScenario({ ...subsetting, clients: { count: 300, ratePerS: 1 } });
    rnd = await runScenario({ ...subsettingRandom, clients: { count: 300, ratePerS: 1 } });
  }, RUN_TIMEOUT_MS);

  it('deterministic: every instance has 30 clients +-1; random subsetting beside it spreads far wider', () => {
    const before = det.membership[0]!;
    expect(before.perClient).toEqual({ min: 30, max: 30 });
    expect(before.clientsPerInstance.mean).toBe(30);
    expect(before.clientsPerInstance.min).toBeGreaterThanOrEqual(29);
    expect(before.clientsPerInstance.max).toBeLessThanOrEqual(31);
    const random = rnd.membership[0]!.clientsPerInstance;
    console.log(`clients per instance, deterministic: ${before.clientsPerInstance.min}-${before.clientsPerInstance.max}; random: ${random.min}-${random.max}`);
    // The SRE book measured 63% to 121% of the mean for random subsets; ours spread as widely.
    expect(random.max - random.min).toBeGreaterThan(15);
    // No client ever sent a request outside its subset (30 before the removal, 30 after).
    expect(det.connections.max).toBeLessThanOrEqual(36);
  });

  it('after 10% of the instances leave: still +-1, and about 10% of each subset changes, little beyond the removed', () => {
    const after = det.membership[1]!;
    console.log(`after removing 30 of 300: ${JSON.stringify(after)}`);
    expect(after.instances).toBe(270);
    const mean = (300 * 30) / 270;
    expect(after.clientsPerInstance.min).toBeGreaterThanOrEqual(Math.floor(mean));
    expect(after.clientsPerInstance.max).toBeLessThanOrEqual(Math.ceil(mean));
    // 10% of every subset is forced out on average (the removed instances it held).
    expect(after.changedPercent!.mean).toBeLessThanOrEqual(13);
    // Churn not forced by a removal (a subset sliding along the ring) is about 1.6%.
    expect(after.unforcedPercent!.mean).toBeLessThanOrEqual(3);
    expect(after.unforcedPercent!.max).toBeLessThanOrEqual(20);
  });
});

/** Attempts from callers in `zone` to each instance zone, summed over seconds [from, to). */
function window(r: SimResult, zone: string, from: number, to: number): Record<string, number> {
  const z = r.zones[zone]!;
  return Object.fromEntries(Object.entries(z.to).map(([target, perS]) => [target, perS.slice(from, to).reduce((a, b) => a + b, 0)]));
}
const share = (w: Record<string, number>, target: string): number => (100 * (w[target] ?? 0)) / Object.values(w).reduce((a, b) => a + b, 0);

describe("zone-aware routing, 3 unequal zones (simulated): Envoy's rule within 2 points", () => {
  let even: SimResult;
  let halved: SimResult;
  beforeAll(async () => {
    even = await runScenario(zones);
    halved = await runScenario(zoneLosesHalf);
  }, RUN_TIMEOUT_MS);

  it('callers 50/33/17%, instances 12/6/3: a stays local, b and c keep 86% and spill to a', () => {
    const r = even;
    // Envoy: local share = min(1, upstream[z] / callers[z]); spill by residual capacity (a only).
    const upstream = { a: 12 / 21, b: 6 / 21, c: 3 / 21 };
    const callers = { a: 30 / 60, b: 20 / 60, c: 10 / 60 };
    for (const z of ['a', 'b', 'c'] as const) {
      const expected = 100 * Math.min(1, upstream[z] / callers[z]);
      const w = window(r, z, 2, 40);
      console.log(`zone ${z}: ${share(w, z).toFixed(2)}% local, rule ${expected.toFixed(2)}%`);
      expect(Math.abs(share(w, z) - expected)).toBeLessThanOrEqual(2);
      if (z !== 'a') expect(share(w, 'a') + share(w, z)).toBeCloseTo(100, 5);
    }
  });

  it('zone a loses half its instances: it keeps 80% local and spills two thirds to b, one third to c', () => {
    const r = halved;
    const before = window(r, 'a', 2, 20);
    expect(share(before, 'a')).toBe(100);
    // After the removal (and the discovery delay): a is 6 of 15 instances, 40% against 50% of
    // callers: 40 / 50 = 80% stays; residuals b = 40 - 33.3 = 6.7, c = 20 - 16.7 = 3.3 points.
    const after = window(r, 'a', 22, 40);
    console.log(`zone a after losing half: ${JSON.stringify(after)}`);
    expect(Math.abs(share(after, 'a') - 80)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(after, 'b') - (20 * 2) / 3)).toBeLessThanOrEqual(2);
    expect(Math.abs(share(after, 'c') - 20 / 3)).toBeLessThanOrEqual(2);
    for (const z of ['b', 'c']) expect(share(window(r, z, 22, 40), z)).toBe(100);
  });
});
