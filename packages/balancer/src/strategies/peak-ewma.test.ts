import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { costKey, decayedEstimate, nextEstimate, peakEwma } from './peak-ewma.js';
import { endpoints, sequence, simulate, toShares } from './strategies.test-helpers.js';

const e1 = Math.exp(-1);

describe('peak EWMA arithmetic', () => {
  it.each([
    // value, stamp, now, decayMs, expected
    [100, 0, 0, 10_000, 100],
    [100, 0, 10_000, 10_000, 100 * e1],
    [100, 5_000, 25_000, 10_000, 100 * Math.exp(-2)],
    [100, 1_000, 500, 10_000, 100], // clock before stamp: no growth
  ])('decayedEstimate(%d, %d, %d, %d)', (value, stamp, now, decayMs, expected) => {
    expect(decayedEstimate(value, stamp, now, decayMs)).toBeCloseTo(expected, 9);
  });

  it.each([
    // value, stamp, rtt, now, expected
    [10, 0, 50, 0, 50], // peak: jumps up at once
    [100, 0, 10, 0, 100], // same instant: a lower sample has no weight
    [100, 0, 10, 10_000, 100 * e1 + 10 * (1 - e1)],
    [100, 0, 60, 10_000, 60], // above the decayed 36.8: peak again
  ])('nextEstimate(%d, %d, %d, %d)', (value, stamp, rtt, now, expected) => {
    expect(nextEstimate(value, stamp, rtt, now, 10_000)).toBeCloseTo(expected, 9);
  });
});

describe('peakEwma', () => {
  it('starts an endpoint at defaultLatencyMs when first seen, and reading does not change it', () => {
    const s = peakEwma({ defaultLatencyMs: 20 });
    const eps = endpoints([1, 1]);
    const a = eps[0];
    expect(s.describe!(a!, 0)).toEqual({ ewmaMs: 20 });
    expect(a!.slot).toBeUndefined();
    s.build(eps, { now: 0, random: seededRandom(1) }).pick({ hashKey: undefined, now: 1_000 });
    // stamped at first sight (t = 1 s), then decays without samples
    expect(s.describe!(a!, 1_000)).toEqual({ ewmaMs: 20 });
    expect(s.describe!(a!, 11_000)).toEqual({ ewmaMs: 7.36 });
    expect(s.describe!(a!, 11_000)).toEqual({ ewmaMs: 7.36 });
  });

  it('prefers lower latency times load', () => {
    const s = peakEwma();
    const eps = endpoints([1, 1]);
    s.observe!(eps[0]!, { latencyMs: 100, failed: false, now: 0 });
    s.observe!(eps[1]!, { latencyMs: 10, failed: false, now: 0 });
    const picker = s.build(eps, { now: 0, random: seededRandom(2) });
    expect(new Set(sequence(picker, 50))).toEqual(new Set(['b']));
    eps[1]!.inFlight = 10; // 10 * 11 = 110 > 100 * 1
    expect(new Set(sequence(picker, 50))).toEqual(new Set(['a']));
  });

  it('counts a failure as at least failurePenaltyMs', () => {
    const s = peakEwma({ failurePenaltyMs: 500 });
    const [a] = endpoints([1]);
    s.observe!(a!, { latencyMs: 0.1, failed: true, now: 0 });
    expect(s.describe!(a!, 0)).toEqual({ ewmaMs: 500 });
    s.observe!(a!, { latencyMs: 2_000, failed: true, now: 0 });
    expect(s.describe!(a!, 0)).toEqual({ ewmaMs: 2_000 });
  });

  it('ignores a slot written by another strategy', () => {
    const s = peakEwma();
    const [a] = endpoints([1]);
    a!.slot = { value: 1 };
    s.observe!(a!, { latencyMs: 45, failed: false, now: 0 });
    expect(s.describe!(a!, 0)).toEqual({ ewmaMs: 45 });
  });

  it('sends little traffic to an instance ten times slower (simulated)', () => {
    // 4 endpoints, d takes 100 ms, the others 10 ms; a request every 1 ms for 20 s.
    const { picks } = simulate({
      strategy: peakEwma(),
      endpoints: endpoints([1, 1, 1, 1]),
      random: seededRandom(3),
      latencyMs: (e) => (e.id === 'd' ? 100 : 10),
      intervalMs: 1,
      requests: 20_000,
    });
    // measured: d gets 0.006 of the picks (vs 0.25 for an even split; seeds 3, 4, 8 alike)
    expect(toShares(picks).get('d')!).toBeLessThan(0.03);
  });

  it('sends little traffic to an instance that fails fast (simulated)', () => {
    // d answers every request with a failure in 0.1 ms; the others succeed in 10 ms.
    const { picks } = simulate({
      strategy: peakEwma(),
      endpoints: endpoints([1, 1, 1, 1]),
      random: seededRandom(4),
      latencyMs: (e) => (e.id === 'd' ? 0.1 : 10),
      failed: (e) => e.id === 'd',
      intervalMs: 1,
      requests: 60_000,
    });
    // d gets a probe about once a second (it is stale after 1 s without a sample; each probe
    // fails and renews the penalty): about 60 of the 60,000 picks.
    expect(picks.get('d')!).toBeGreaterThan(30);
    expect(toShares(picks).get('d')!).toBeLessThanOrEqual(0.0011);
  });

  it('without probes, lets a penalised endpoint regain traffic once its estimate has decayed, never more than its peers', () => {
    // d failed once at t = 0 (estimate 1000 ms) and then gets no samples; the others keep
    // answering in 10 ms. d's estimate is 1000 * e^(-t / 10 s): 49.8 ms at 30 s, 6.7 ms at 50 s.
    // Two random choices (no full scan), so the share is that of the pairs d wins.
    const s = peakEwma({ fullScanUpTo: 0, probeShare: 0 });
    const eps = endpoints([1, 1, 1, 1]);
    s.observe!(eps[3]!, { latencyMs: 0.1, failed: true, now: 0 });
    const picker = s.build(eps, { now: 0, random: seededRandom(5) });
    const shareOfD = (now: number): number => {
      for (const e of eps.slice(0, 3)) s.observe!(e, { latencyMs: 10, failed: false, now });
      return sequence(picker, 1_000, undefined, now).filter((id) => id === 'd').length / 1_000;
    };
    expect(shareOfD(1_000)).toBe(0);
    expect(shareOfD(30_000)).toBe(0);
    expect(s.describe!(eps[3]!, 30_000)).toEqual({ ewmaMs: 49.79 });
    // At 50 s d's decayed estimate is below the others', but a stale estimate counts as no better
    // than a fresh one: a tie, which goes to the first drawn (d in a quarter of the pairs).
    expect(shareOfD(50_000)).toBeCloseTo(0.25, 1);
  });

  it('returns the only endpoint', () => {
    const picker = peakEwma().build(endpoints([1]), { now: 0, random: seededRandom(6) });
    expect(sequence(picker, 3)).toEqual(['a', 'a', 'a']);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => peakEwma({ decayMs: 0 })).toThrow(TypeError);
    expect(() => peakEwma({ decayMs: 0 })).toThrow(/decayMs/);
    expect(() => peakEwma({ decayMs: Infinity })).toThrow(/decayMs/);
    expect(() => peakEwma({ defaultLatencyMs: -1 })).toThrow(/defaultLatencyMs/);
    expect(() => peakEwma({ failurePenaltyMs: Number.NaN })).toThrow(/failurePenaltyMs/);
    expect(() => peakEwma({ decay: 5 } as never)).toThrow(/unknown option "decay"/);
  });
});

describe('costKey', () => {
  it('orders two endpoints exactly as comparing their decayed costs at `now` does', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 5_000, noNaN: true }),
        fc.double({ min: 0.001, max: 5_000, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.nat(2_000),
        fc.nat(2_000),
        fc.integer({ min: 0, max: 60_000 }),
        (va, vb, ta, tb, na, nb, after) => {
          const now = Math.max(ta, tb) + after;
          const costA = decayedEstimate(va, ta, now, 10_000) * (na + 1);
          const costB = decayedEstimate(vb, tb, now, 10_000) * (nb + 1);
          // Skip near-ties, where float rounding may legitimately differ.
          fc.pre(Math.abs(costA - costB) > 1e-9 * Math.max(costA, costB));
          expect(costKey(vb, tb, nb, 10_000) < costKey(va, ta, na, 10_000)).toBe(costB < costA);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('peakEwma choosing', () => {
  it('with a small set compares every endpoint: a slow one next to a failing one gets nothing', () => {
    const eps = endpoints([1, 1, 1, 1]);
    const scan = peakEwma();
    const p2c = peakEwma({ fullScanUpTo: 0 });
    const share = (s: ReturnType<typeof peakEwma>) => {
      for (const e of eps) e.slot = undefined;
      s.observe!(eps[0]!, { latencyMs: 10, failed: false, now: 0 });
      s.observe!(eps[1]!, { latencyMs: 10, failed: false, now: 0 });
      s.observe!(eps[2]!, { latencyMs: 100, failed: false, now: 0 }); // 10x slower
      s.observe!(eps[3]!, { latencyMs: 1, failed: true, now: 0 }); // failing: 1 s penalty
      return sequence(s.build(eps, { now: 0, random: seededRandom(8) }), 6_000, undefined, 0).filter((id) => id === 'c').length / 6_000;
    };
    expect(share(scan)).toBe(0);
    // Two random choices: c wins every pair with d, 1/6 of pairs.
    expect(share(p2c)).toBeCloseTo(1 / 6, 1);
  });

  it('ties in a full scan rotate from a random start, not onto the first endpoint', () => {
    const eps = endpoints([1, 1, 1, 1]);
    const picker = peakEwma().build(eps, { now: 0, random: seededRandom(9) });
    const picks = sequence(picker, 4_000, undefined, 0);
    for (const id of ['a', 'b', 'c', 'd']) expect(picks.filter((p) => p === id).length / 4_000).toBeGreaterThan(0.2);
  });

  it('above fullScanUpTo, compares choiceCount random endpoints', () => {
    const eps = endpoints(Array.from({ length: 40 }, () => 1));
    const s = peakEwma({ fullScanUpTo: 16, choiceCount: 3 });
    for (const e of eps) s.observe!(e, { latencyMs: e === eps[0] ? 40 : 400, failed: false, now: 0 }); // peaks: set at once
    const shareOfA = sequence(s.build(eps, { now: 0, random: seededRandom(2) }), 20_000, undefined, 0).filter((id) => id === eps[0]!.id).length / 20_000;
    // a wins whenever drawn among 3 of 40: 3/40.
    expect(shareOfA).toBeCloseTo(3 / 40, 2);
  });
});

describe('peakEwma reset', () => {
  it('a penalised endpoint reset on recovery restarts at its peers\' median and gets its share at once', () => {
    const s = peakEwma({ probeShare: 0 });
    const eps = endpoints([1, 1, 1, 1]);
    for (const e of eps.slice(0, 3)) s.observe!(e, { latencyMs: 10, failed: false, now: 0 });
    s.observe!(eps[3]!, { latencyMs: 0.1, failed: true, now: 0 });
    expect(sequence(s.build(eps, { now: 1_000, random: seededRandom(5) }), 1_000, undefined, 1_000).filter((id) => id === 'd')).toHaveLength(0);
    s.reset!(eps[3]!);
    const picker = s.build(eps, { now: 1_000, random: seededRandom(5) });
    expect(s.describe!(eps[3]!, 1_000)).toEqual(s.describe!(eps[0]!, 1_000));
    const share = sequence(picker, 4_000, undefined, 1_000).filter((id) => id === 'd').length / 4_000;
    expect(share).toBeGreaterThan(0.15);
  });

  it('one slow or failing peer does not price the recovered endpoint out (median, not mean)', () => {
    const s = peakEwma();
    const eps = endpoints([1, 1, 1, 1, 1]);
    for (const e of eps.slice(0, 3)) s.observe!(e, { latencyMs: 40, failed: false, now: 0 });
    s.observe!(eps[3]!, { latencyMs: 1, failed: true, now: 0 }); // failing: 1 s
    s.observe!(eps[4]!, { latencyMs: 1, failed: true, now: 0 }); // recovering
    s.reset!(eps[4]!);
    s.build(eps, { now: 0, random: seededRandom(5) });
    expect(s.describe!(eps[4]!, 0)).toEqual({ ewmaMs: 40 });
  });
});
