import { describe, expect, it } from 'vitest';
import { expNeg, MEAN_WINDOW_MS, MIN_SAMPLE_WEIGHT, nextMean } from './ewma.js';

describe('ewma arithmetic without Math.exp on the hot path', () => {
  it('expNeg(x) is e^-x within 1e-13 relative, on both sides of the polynomial range', () => {
    const xs = [0, 1e-12, 1e-9, 1e-6, 1.7e-5, 1e-4, 5e-4, 9.999e-4, 1e-3, 1.0001e-3, 0.01, 0.5, 1, 10, 700];
    for (const x of xs) {
      const exact = Math.exp(-x);
      expect(Math.abs(expNeg(x) - exact) / exact).toBeLessThan(1e-13);
    }
  });

  it('nextMean weighs a sample max(1 - e^-(elapsed / window), 1/16), as the formula it replaces', () => {
    const reference = (mean: number, rtt: number, elapsed: number): number => {
      const weight = Math.max(elapsed > 0 ? 1 - Math.exp(-elapsed / MEAN_WINDOW_MS) : 0, MIN_SAMPLE_WEIGHT);
      return mean * (1 - weight) + rtt * weight;
    };
    for (const elapsed of [-5, 0, 0.2, 10, 64, 64.5, 64.6, 65, 100, 1_000, 60_000]) {
      expect(nextMean(10, 30, elapsed)).toBeCloseTo(reference(10, 30, elapsed), 12);
    }
  });
});
