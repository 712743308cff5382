import { describe, expect, it } from 'vitest';
import { failurePercentageOutliers, successRateOutliers } from './success-rate.js';

const c = (successes: number, failures: number) => ({ successes, failures });

describe('successRateOutliers', () => {
  it('flags the instance below mean - 1.9 sd', () => {
    const counts = [c(100, 0), c(100, 0), c(99, 1), c(100, 0), c(100, 0), c(50, 50)];
    expect(successRateOutliers(counts, 5, 100, 1.9)).toEqual([5]);
  });
  it('needs minimumHosts instances with enough volume', () => {
    const counts = [c(100, 0), c(100, 0), c(100, 0), c(100, 0), c(50, 50), c(10, 80)];
    // Only 5 have >= 100 requests; with minimumHosts 6 nothing is evaluated.
    expect(successRateOutliers(counts, 6, 100, 1.9)).toEqual([]);
    expect(successRateOutliers(counts, 5, 100, 1.9)).toEqual([4]);
  });
  it('flags nothing when all are equal', () => {
    expect(successRateOutliers([c(90, 10), c(90, 10), c(90, 10), c(90, 10), c(90, 10)], 5, 100, 1.9)).toEqual([]);
  });
});

describe('failurePercentageOutliers', () => {
  it('flags instances at or above the threshold', () => {
    const counts = [c(50, 0), c(15, 85), c(10, 90), c(40, 10), c(50, 0)];
    expect(failurePercentageOutliers(counts, 5, 50, 85)).toEqual([1, 2]);
  });
  it('ignores instances under the request volume and needs minimumHosts', () => {
    const counts = [c(50, 0), c(0, 49), c(50, 0), c(50, 0), c(50, 0)];
    expect(failurePercentageOutliers(counts, 4, 50, 85)).toEqual([]);
    expect(failurePercentageOutliers(counts, 5, 49, 85)).toEqual([1]);
  });
});
