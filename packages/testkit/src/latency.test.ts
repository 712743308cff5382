import { describe, expect, it } from 'vitest';
import { latencyProblems, sampleLatency, type LatencySpec } from './latency.js';
import { seededRandom } from './random.js';

function samples(spec: LatencySpec, n = 20_000): number[] {
  const random = seededRandom(1);
  return Array.from({ length: n }, () => sampleLatency(spec, random)).sort((a, b) => a - b);
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (sorted: number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;

describe('sampleLatency', () => {
  it('returns a fixed number as is, without drawing', () => {
    const random = (): number => {
      throw new Error('must not draw');
    };
    expect(sampleLatency(25, random)).toBe(25);
  });

  it('uniform stays within [minMs, maxMs] with the mean in the middle', () => {
    const xs = samples({ kind: 'uniform', minMs: 10, maxMs: 30 });
    expect(xs[0]).toBeGreaterThanOrEqual(10);
    expect(xs.at(-1)).toBeLessThanOrEqual(30);
    expect(mean(xs)).toBeCloseTo(20, 0);
  });

  it('normal has the given mean and standard deviation', () => {
    const xs = samples({ kind: 'normal', meanMs: 100, sdMs: 10 });
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    expect(m).toBeCloseTo(100, 0);
    expect(sd).toBeGreaterThan(9.5);
    expect(sd).toBeLessThan(10.5);
  });

  it('normal never goes below 0', () => {
    expect(samples({ kind: 'normal', meanMs: 1, sdMs: 10 })[0]).toBe(0);
  });

  it('lognormal has the given median and a long right tail', () => {
    const xs = samples({ kind: 'lognormal', medianMs: 50, sigma: 0.5 });
    expect(quantile(xs, 0.5)).toBeGreaterThan(48);
    expect(quantile(xs, 0.5)).toBeLessThan(52);
    // p99 of a lognormal is median * exp(2.326 * sigma) ~= 3.2 x median
    expect(quantile(xs, 0.99) / 50).toBeGreaterThan(2.9);
    expect(quantile(xs, 0.99) / 50).toBeLessThan(3.5);
  });
});

describe('latencyProblems', () => {
  it.each([
    [-1, 'latencyMs: expected milliseconds >= 0, got -1'],
    [{ kind: 'uniform', minMs: 5, maxMs: 1 }, 'latencyMs: minMs (5) must not exceed maxMs (1)'],
    [{ kind: 'normal', meanMs: 5 }, 'latencyMs.sdMs: expected a number >= 0, got undefined'],
    [{ kind: 'gamma' }, "latencyMs.kind: expected 'uniform', 'normal' or 'lognormal', got 'gamma'"],
    ['5', "latencyMs: expected a number or a distribution object, got '5'"],
  ])('names the problem in %j', (spec, problem) => {
    expect(latencyProblems(spec, 'latencyMs')).toEqual([problem]);
  });

  it('accepts valid specs', () => {
    expect(latencyProblems(0, 'x')).toEqual([]);
    expect(latencyProblems({ kind: 'lognormal', medianMs: 10, sigma: 0.3 }, 'x')).toEqual([]);
  });
});
