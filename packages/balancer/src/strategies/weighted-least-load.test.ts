/**
 * weighted-least-load on the fake clock (times are the `now` the core would pass): blackout,
 * expiry, the error penalty, the fallback to peak-ewma, and EDF shares.
 */
import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../load/load-report.js';
import { seededRandom } from '../testing/random.js';
import { peakEwma } from './peak-ewma.js';
import type { Picker, Strategy } from './strategy.js';
import { endpoints, sequence, simulate, type TestEndpoint } from './strategies.test-helpers.js';
import { weightedLeastLoad } from './weighted-least-load.js';

/** One instance at 90% and three at 30%, the same qps: A58 weights 1/0.9 : 1/0.3, shares 10% / 30%. */
const HOT_AND_COLD: readonly LoadReport[] = [0.9, 0.3, 0.3, 0.3].map((cpuUtilization) => ({ cpuUtilization, rpsFractional: 100 }));

/** Every endpoint reports `reports[i]` every second from `fromMs` to `toMs` inclusive. */
function reportEverySecond(s: Strategy, eps: readonly TestEndpoint[], reports: readonly (LoadReport | undefined)[], fromMs: number, toMs: number): void {
  for (let t = fromMs; t <= toMs; t += 1_000) {
    eps.forEach((e, i) => reports[i] && s.observeLoad!(e, reports[i], t));
  }
}

/** Shares of `count` picks at time `now`, by id. */
function sharesAt(picker: Picker<TestEndpoint>, count: number, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of sequence(picker, count, undefined, now)) out[id] = (out[id] ?? 0) + 1 / count;
  return out;
}

const build = (s: Strategy, eps: TestEndpoint[], seed = 1, now = 0) => s.build(eps, { now, random: seededRandom(seed) });

describe('weighted-least-load: EDF shares', () => {
  it('one instance at 90% and three at 30% (same qps) get 10% and 30% of the picks, to the pick', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0 });
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, HOT_AND_COLD, 0, 0);
    const counts = Object.fromEntries(Object.entries(sharesAt(build(s, eps), 1_000, 0)).map(([id, x]) => [id, Math.round(x * 1_000)]));
    // Random first phases: each endpoint within one turn of its exact share.
    expect(Math.abs(counts.a! - 100)).toBeLessThanOrEqual(1);
    for (const id of ['b', 'c', 'd']) expect(Math.abs(counts[id]! - 300)).toBeLessThanOrEqual(1);
  });

  it('application utilization, when reported, takes the place of cpu', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0 });
    const eps = endpoints([1, 1]);
    reportEverySecond(s, eps, [{ cpuUtilization: 0.9, applicationUtilization: 0.2, rpsFractional: 100 }, { cpuUtilization: 0.2, rpsFractional: 100 }], 0, 0);
    const shares = sharesAt(build(s, eps), 1_000, 0);
    expect(shares.a).toBeCloseTo(0.5, 2);
  });

  it('an instance without a usable weight gets the mean of the others', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0 });
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, [...HOT_AND_COLD.slice(0, 3), undefined], 0, 0);
    const mean = (1 / 0.9 + 2 / 0.3) / 3;
    const shares = sharesAt(build(s, eps), 3_000, 0);
    expect(shares.d).toBeCloseTo(mean / (1 / 0.9 + 2 / 0.3 + mean), 2);
  });

  it('the instance weight (configured x slow start) multiplies the reported one', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0 });
    const eps = endpoints([3, 1]);
    reportEverySecond(s, eps, [{ cpuUtilization: 0.5, rpsFractional: 100 }, { cpuUtilization: 0.5, rpsFractional: 100 }], 0, 0);
    expect(sharesAt(build(s, eps), 1_000, 0).a).toBeCloseTo(0.75, 2);
  });

  it('pickers with other random sources start their sequences elsewhere (no lockstep), with the same shares', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0 });
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, HOT_AND_COLD, 0, 0);
    const starts = new Set([1, 2, 3, 4, 5, 6].map((seed) => sequence(build(s, eps, seed), 8, undefined, 0).join('')));
    expect(starts.size).toBeGreaterThan(1);
    for (const seed of [1, 2, 3]) expect(sharesAt(build(s, eps, seed), 2_000, 0).a).toBeCloseTo(0.1, 2);
  });

  it('weights are recomputed at most every weightUpdatePeriodMs, at the first pick after it', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0, weightUpdatePeriodMs: 500 });
    const eps = endpoints([1, 1]);
    reportEverySecond(s, eps, [{ cpuUtilization: 0.5, rpsFractional: 100 }, { cpuUtilization: 0.5, rpsFractional: 100 }], 0, 0);
    const picker = build(s, eps);
    expect(sharesAt(picker, 1_000, 0).a).toBeCloseTo(0.5, 2);
    s.observeLoad!(eps[0]!, { cpuUtilization: 0.1, rpsFractional: 100 }, 100); // a now 5x lighter
    expect(sharesAt(picker, 1_000, 499).a).toBeCloseTo(0.5, 2); // same period: the old weights
    expect(sharesAt(picker, 1_200, 500).a).toBeCloseTo(5 / 6, 2);
  });
});

describe('weighted-least-load: blackout', () => {
  it('a reported weight is used only once the instance has reported for blackoutPeriodMs (default 10 s)', () => {
    const s = weightedLeastLoad();
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, HOT_AND_COLD, 0, 9_000);
    expect(sharesAt(build(s, eps, 1, 9_999), 1_000, 9_999).a).toBeCloseTo(0.25, 2); // peak-ewma: even
    reportEverySecond(s, eps, HOT_AND_COLD, 10_000, 10_000);
    expect(sharesAt(build(s, eps, 1, 10_000), 1_000, 10_000).a).toBeCloseTo(0.1, 2);
  });

  it('applies again after a recovery (reset): the instance gets the mean until it has reported for the blackout again', () => {
    const s = weightedLeastLoad();
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, HOT_AND_COLD, 0, 10_000);
    expect(sharesAt(build(s, eps, 1, 10_000), 1_000, 10_000).a).toBeCloseTo(0.1, 2);
    s.reset!(eps[0]!);
    reportEverySecond(s, eps, HOT_AND_COLD, 11_000, 20_000);
    expect(sharesAt(build(s, eps, 1, 20_000), 1_000, 20_000).a).toBeCloseTo(0.25, 2); // the mean of three 30% instances
    reportEverySecond(s, eps, HOT_AND_COLD, 21_000, 21_000);
    expect(sharesAt(build(s, eps, 1, 21_000), 1_000, 21_000).a).toBeCloseTo(0.1, 2);
  });
});

describe('weighted-least-load: expiry', () => {
  it('weights without a report for weightExpirationPeriodMs (default 3 min) are dropped; new reports start a new blackout', () => {
    const s = weightedLeastLoad();
    const eps = endpoints([1, 1, 1, 1]);
    reportEverySecond(s, eps, HOT_AND_COLD, 0, 10_000);
    // One picker throughout: it recomputes at the first pick a weightUpdatePeriodMs (1 s) after the last.
    const picker = build(s, eps, 1, 10_000);
    expect(sharesAt(picker, 1_000, 189_000).a).toBeCloseTo(0.1, 2);
    expect(sharesAt(picker, 1_000, 190_000).a).toBeCloseTo(0.25, 2); // 180 s after the last report: peak-ewma again
    reportEverySecond(s, eps, HOT_AND_COLD, 191_000, 200_000);
    expect(sharesAt(picker, 1_000, 200_999).a).toBeCloseTo(0.25, 2); // 9.999 s of reports: blackout
    expect(sharesAt(picker, 1_000, 202_000).a).toBeCloseTo(0.1, 2);
  });
});

describe('weighted-least-load: error penalty', () => {
  const reports: LoadReport[] = [{ cpuUtilization: 0.5, rpsFractional: 100 }, { cpuUtilization: 0.5, rpsFractional: 100, eps: 50 }];
  it.each([
    [undefined, 2 / 3], // default 1: b at 0.5 + 0.5 x 1 = 1.0, weight 100 against a's 200
    [0, 1 / 2],
    [2, 3 / 4], // b at 0.5 + 0.5 x 2 = 1.5
  ])('errorUtilizationPenalty %s: the erring instance gets %d of the picks', (penalty, aShare) => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0, ...(penalty === undefined ? {} : { errorUtilizationPenalty: penalty }) });
    const eps = endpoints([1, 1]);
    reportEverySecond(s, eps, reports, 0, 0);
    expect(sharesAt(build(s, eps), 1_200, 0).a).toBeCloseTo(aShare, 2);
  });
});

describe('weighted-least-load: fallback to peak-ewma', () => {
  const run = (strategy: Strategy, reports?: readonly (LoadReport | undefined)[]) => {
    const eps = endpoints([1, 1, 1, 1]);
    if (reports) reportEverySecond(strategy, eps, reports, 0, 0);
    const latency: Record<string, number> = { a: 30, b: 10, c: 12, d: 11 };
    return simulate({ strategy, endpoints: eps, random: seededRandom(7), latencyMs: (e) => latency[e.id]!, intervalMs: 4, requests: 2_000, startMs: 20_000 }).picks;
  };

  it('without reports it picks exactly as peak-ewma does', () => {
    expect(run(weightedLeastLoad())).toEqual(run(peakEwma()));
  });

  it('with a single instance reporting (A58: fewer than two weights), still as peak-ewma does', () => {
    expect(run(weightedLeastLoad({ blackoutPeriodMs: 0 }), [HOT_AND_COLD[1]])).toEqual(run(peakEwma()));
  });

  it('with two reporting, it follows the reports instead (the silent two at the mean weight), whatever the latencies', () => {
    const picks = run(weightedLeastLoad({ blackoutPeriodMs: 0 }), HOT_AND_COLD.slice(0, 2));
    const [a, b] = [1 / 0.9, 1 / 0.3];
    const mean = (a + b) / 2;
    expect(picks.get('a')! / 2_000).toBeCloseTo(a / (a + b + 2 * mean), 2); // a is the slowest: peak-ewma would give it less
    expect(picks.get('b')! / 2_000).toBeCloseTo(b / (a + b + 2 * mean), 2);
  });
});

describe('weighted-least-load: options and snapshots', () => {
  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => weightedLeastLoad({ blackoutPeriodMs: -1 })).toThrow('weightedLeastLoad: blackoutPeriodMs: expected a non-negative number, got -1');
    expect(() => weightedLeastLoad({ weightExpirationPeriodMs: 0 })).toThrow(/weightedLeastLoad: weightExpirationPeriodMs: expected a positive number, got 0/);
    expect(() => weightedLeastLoad({ errorUtilizationPenalty: Number.NaN })).toThrow(/errorUtilizationPenalty/);
    expect(() => weightedLeastLoad({ weightUpdatePeriodMs: 50 })).toThrow(/weightUpdatePeriodMs: expected a number >= 100, got 50/);
    expect(() => weightedLeastLoad({ blackoutMs: 1 } as never)).toThrow(/unknown option "blackoutMs"/);
  });

  it('zero means zero: blackoutPeriodMs 0 and errorUtilizationPenalty 0 are kept', () => {
    const s = weightedLeastLoad({ blackoutPeriodMs: 0, errorUtilizationPenalty: 0 });
    const eps = endpoints([1, 1]);
    reportEverySecond(s, eps, [{ cpuUtilization: 0.5, rpsFractional: 100, eps: 100 }, { cpuUtilization: 0.5, rpsFractional: 100 }], 0, 0);
    expect(sharesAt(build(s, eps), 1_000, 0).a).toBeCloseTo(0.5, 2);
  });

  it('describes the load weight beside the fallback estimate', () => {
    const s = weightedLeastLoad();
    const [a, b] = endpoints([1, 1]);
    expect(s.describe!(a!, 0)).toEqual({ ewmaMs: 30 });
    s.observeLoad!(a!, { cpuUtilization: 0.5, rpsFractional: 100, eps: 1 }, 0);
    expect(s.describe!(a!, 5_000)).toEqual({ ewmaMs: 30, loadWeight: 0, utilization: 0.5, rpsFractional: 100, eps: 1, loadReportAgeMs: 5_000 });
    expect(s.describe!(a!, 10_000)).toMatchObject({ loadWeight: 196.078 }); // 100 / (0.5 + 1/100)
    expect(s.describe!(b!, 10_000)).toEqual({ ewmaMs: 30 });
  });
});
