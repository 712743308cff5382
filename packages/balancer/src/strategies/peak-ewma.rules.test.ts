/**
 * The rules of issue 12 in peak-ewma, one by one on the fake clock: ties decided by load, probes
 * of stale endpoints within a budget, recovery through a stale estimate's next sample, and a
 * property that every endpoint keeps being picked now and then.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { peakEwma } from './peak-ewma.js';
import { endpoints, sequence, simulate, toShares } from './strategies.test-helpers.js';

const CLASSIC = { tieTolerance: 0, probeShare: 0, staleAfterMs: Number.MAX_SAFE_INTEGER } as const;
/** Endpoints start at 1 ms, so a first sample above it sets the estimate at once (a peak). */
const START = { defaultLatencyMs: 1 } as const;

describe('peak-ewma ties', () => {
  it('estimates within the tie band are decided by requests in flight, and equal loads rotate', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1]);
    s.observe!(eps[0]!, { latencyMs: 10, failed: false, now: 0 });
    s.observe!(eps[1]!, { latencyMs: 15, failed: false, now: 0 }); // within 2x of a
    const picker = s.build(eps, { now: 0, random: seededRandom(1) });
    expect(new Set(sequence(picker, 2, undefined, 0))).toEqual(new Set(['a', 'b']));
    eps[0]!.inFlight = 2;
    eps[1]!.inFlight = 1; // 15 x 2 = 30 < 10 x 3, but the point is: fewer in flight wins a tie
    expect(new Set(sequence(picker, 20, undefined, 0))).toEqual(new Set(['b']));
    eps[0]!.inFlight = 1;
    eps[1]!.inFlight = 2;
    expect(new Set(sequence(picker, 20, undefined, 0))).toEqual(new Set(['a']));
  });

  it('without the band (tieTolerance 0) the lower estimate takes every idle pick', () => {
    const s = peakEwma({ ...CLASSIC, ...START });
    const eps = endpoints([1, 1]);
    s.observe!(eps[0]!, { latencyMs: 10, failed: false, now: 0 });
    s.observe!(eps[1]!, { latencyMs: 15, failed: false, now: 0 });
    expect(new Set(sequence(s.build(eps, { now: 0, random: seededRandom(1) }), 20, undefined, 0))).toEqual(new Set(['a']));
  });

  it('outside the band the cost is estimate x load, as before', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1]);
    s.observe!(eps[0]!, { latencyMs: 10, failed: false, now: 0 });
    s.observe!(eps[1]!, { latencyMs: 25, failed: false, now: 0 }); // 2.5x: not a tie
    const picker = s.build(eps, { now: 0, random: seededRandom(1) });
    eps[0]!.inFlight = 1; // 10 x 2 = 20 < 25
    expect(new Set(sequence(picker, 20, undefined, 0))).toEqual(new Set(['a']));
    eps[0]!.inFlight = 2; // 10 x 3 = 30 > 25
    expect(new Set(sequence(picker, 20, undefined, 0))).toEqual(new Set(['b']));
  });

  /** Feeds `latencies[i]` to endpoint i every 100 ms from t = 0 (`rounds` times); returns the time after the last. */
  function feed(s: ReturnType<typeof peakEwma>, eps: ReturnType<typeof endpoints>, latencies: (round: number) => number[], rounds: number): number {
    for (let r = 0; r < rounds; r++) latencies(r).forEach((ms, i) => s.observe!(eps[i]!, { latencyMs: ms, failed: false, now: r * 100 }));
    return rounds * 100;
  }

  it('ties are decided on the mean latency: one slow sample lifts the peak estimate for seconds, not the tie', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1]);
    // b answered once in 30 ms (a queue, a GC pause), then in 10 ms like a: its peak estimate is
    // still near 30 (3x a's), its mean is back near 10.
    const now = feed(s, eps, (r) => [10, r === 0 ? 30 : 10], 10);
    expect(s.describe!(eps[1]!, now).ewmaMs).toBeGreaterThan(25);
    const picks = sequence(s.build(eps, { now, random: seededRandom(1) }), 100, undefined, now);
    expect(picks.filter((p) => p === 'b')).toHaveLength(50); // a tie: idle picks rotate
  });

  it('an endpoint consistently slower is out of the band even when its peak is within 2x of a peer whose peak was lifted', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1]);
    // a: one 20 ms sample, then 10 ms (peak near 20, mean near 10); c: 30 ms every time.
    const now = feed(s, eps, (r) => [r === 0 ? 20 : 10, 30], 10);
    const peak = (i: number): number => Number(s.describe!(eps[i]!, now).ewmaMs);
    expect(peak(1) / peak(0)).toBeLessThan(2); // peaks alone would tie
    const picker = s.build(eps, { now, random: seededRandom(1) });
    expect(new Set(sequence(picker, 50, undefined, now))).toEqual(new Set(['a'])); // idle: the cheaper one, every time
    eps[0]!.inFlight = 1; // ~20 x 2 > 30: now the slower one costs less
    expect(new Set(sequence(picker, 20, undefined, now))).toEqual(new Set(['b']));
  });

  it('idle ties rotate over the tied endpoints alone: the one after an endpoint out of the band gets no extra share', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1, 1, 1]);
    const now = feed(s, eps, () => [10, 10, 100, 10], 10); // c is 10x slower: out of the band
    const picks = sequence(s.build(eps, { now, random: seededRandom(4) }), 300, undefined, now);
    expect(['a', 'b', 'c', 'd'].map((id) => picks.filter((p) => p === id).length)).toEqual([100, 100, 0, 100]);
  });

  it('spreads equal endpoints as evenly as round robin when idle', () => {
    const picker = peakEwma().build(endpoints([1, 1, 1, 1]), { now: 0, random: seededRandom(2) });
    const picks = sequence(picker, 400, undefined, 0);
    for (const id of ['a', 'b', 'c', 'd']) expect(picks.filter((p) => p === id)).toHaveLength(100);
  });
});

describe('peak-ewma probes', () => {
  /** a, b, c answer in 10 ms at `now`; d's last sample (100 ms) is from t = 0. */
  function fleet(options?: Parameters<typeof peakEwma>[0]) {
    const s = peakEwma({ ...START, ...options });
    const eps = endpoints([1, 1, 1, 1]);
    s.observe!(eps[3]!, { latencyMs: 100, failed: false, now: 0 });
    const picker = s.build(eps, { now: 0, random: seededRandom(3) });
    const picksOfD = (now: number, count: number): number => {
      for (const e of eps.slice(0, 3)) s.observe!(e, { latencyMs: 10, failed: false, now });
      return sequence(picker, count, undefined, now).filter((id) => id === 'd').length;
    };
    return { s, eps, picksOfD };
  }

  it('a stale endpoint gets one probe once the budget (1 in 200 picks) allows, then none for staleAfterMs', () => {
    const { picksOfD } = fleet();
    expect(picksOfD(500, 1_000)).toBe(0); // not stale yet
    expect(picksOfD(1_000, 1)).toBe(1); // stale, and the budget is there: the probe
    expect(picksOfD(1_000, 999)).toBe(0);
    expect(picksOfD(1_500, 1_000)).toBe(0); // probed 0.5 s ago
    expect(picksOfD(2_000, 1_000)).toBe(1); // stale again: the next probe
  });

  it('the first probe waits for 1 / probeShare picks', () => {
    const { picksOfD } = fleet();
    expect(picksOfD(1_000, 199)).toBe(0);
    expect(picksOfD(1_000, 1)).toBe(1);
  });

  it('no probes with probeShare 0', () => {
    const { picksOfD } = fleet({ probeShare: 0 });
    expect(picksOfD(5_000, 5_000)).toBe(0);
  });

  it('probes are at most probeShare of the picks, however many endpoints are stale', () => {
    const s = peakEwma({ ...START, probeShare: 0.01 });
    const eps = endpoints(Array.from({ length: 12 }, () => 1));
    for (const e of eps.slice(1)) s.observe!(e, { latencyMs: 500, failed: false, now: 0 });
    const picker = s.build(eps, { now: 0, random: seededRandom(4) });
    let probes = 0;
    for (let t = 0; t < 1_000; t++) {
      s.observe!(eps[0]!, { latencyMs: 10, failed: false, now: 10_000 + t });
      const picks = sequence(picker, 10, undefined, 10_000 + t);
      probes += picks.filter((id) => id !== 'a').length;
    }
    // 10,000 picks over 1 s: the budget allows 100 probes, staleness one per stale endpoint (11).
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThanOrEqual(11);
  });

  it('with two random choices, a stale endpoint drawn is probed within the same budget', () => {
    const { picksOfD } = fleet({ fullScanUpTo: 0 });
    expect(picksOfD(1_000, 400)).toBe(1);
  });
});

describe('peak-ewma recovery', () => {
  /** d 10x slower until t = 5 s, then as fast as the others; d's share in each second after. */
  function sharesAfterRecovery(options?: Parameters<typeof peakEwma>[0]): number[] {
    const strategy = peakEwma(options);
    const eps = endpoints([1, 1, 1, 1]);
    const random = seededRandom(7);
    // 250 requests a second, about 2.5 in flight in all.
    simulate({ strategy, endpoints: eps, random, latencyMs: (e) => (e.id === 'd' ? 100 : 10), intervalMs: 4, requests: 1_250 });
    return [5_000, 6_000, 7_000, 8_000].map((startMs) => {
      const { picks } = simulate({ strategy, endpoints: eps, random, latencyMs: () => 10, intervalMs: 4, requests: 250, startMs });
      return toShares(picks).get('d') ?? 0;
    });
  }

  it('a recovered endpoint is back at half its fair share within 3 s (its first probe\'s answer replaces the estimate)', () => {
    const shares = sharesAfterRecovery();
    // Fair share is 0.25; half of it by the third second at the latest (measured: the second).
    expect(shares.slice(0, 3).some((s) => s >= 0.125)).toBe(true);
  });

  it('without the rules it stays out for longer than the run (the "before")', () => {
    expect(Math.max(...sharesAfterRecovery(CLASSIC))).toBeLessThan(0.01);
  });
});

describe('peak-ewma keeps every endpoint in use', () => {
  it('every endpoint, however slow or failing, is picked at least once in every 5 s', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ latencyMs: fc.double({ min: 0.1, max: 2_000, noNaN: true }), failed: fc.boolean() }), { minLength: 2, maxLength: 12 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.constantFrom(0, 16),
        (fleet, seed, fullScanUpTo) => {
          const strategy = peakEwma({ fullScanUpTo });
          const eps = endpoints(fleet.map(() => 1));
          const random = seededRandom(seed);
          for (let window = 0; window < 4; window++) {
            const { picks } = simulate({
              strategy,
              endpoints: eps,
              random,
              latencyMs: (e) => fleet[eps.indexOf(e)]!.latencyMs,
              failed: (e) => fleet[eps.indexOf(e)]!.failed,
              intervalMs: 2,
              requests: 2_500,
              startMs: window * 5_000,
            });
            for (const e of eps) expect(picks.get(e.id), `window ${window}, endpoint ${e.id}`).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 25, examples: [[[{ latencyMs: 0.1, failed: true }, { latencyMs: 1200, failed: false }, { latencyMs: 1200, failed: false }, { latencyMs: 23.2, failed: false }, { latencyMs: 1398, failed: true }, { latencyMs: 0.1, failed: true }, { latencyMs: 2000, failed: false }, { latencyMs: 0.1, failed: false }, { latencyMs: 2000, failed: true }], 841, 16]] },
    );
  });
});

describe('peak-ewma reset as a guess', () => {
  it('a reset endpoint shares as a tie with the best peer until its first sample, which replaces the guess', () => {
    const s = peakEwma(START);
    const eps = endpoints([1, 1, 1]);
    for (const e of eps.slice(0, 2)) s.observe!(e, { latencyMs: 40, failed: false, now: 0 });
    s.observe!(eps[2]!, { latencyMs: 1, failed: true, now: 0 }); // penalised: 1 s
    s.reset!(eps[2]!);
    const picker = s.build(eps, { now: 0, random: seededRandom(11) });
    // The peers then answer in 2 ms: the guess (their old median, 40 ms) would price c out.
    for (const e of eps.slice(0, 2)) s.observe!(e, { latencyMs: 2, failed: false, now: 2_000 });
    expect(sequence(picker, 300, undefined, 2_000).filter((id) => id === 'c')).toHaveLength(100);
    s.observe!(eps[2]!, { latencyMs: 3, failed: false, now: 2_000 });
    expect(s.describe!(eps[2]!, 2_000)).toEqual({ ewmaMs: 3 });
  });
});
