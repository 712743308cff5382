/**
 * Interval statistics for success-rate and failure-percentage detection, kept pure.
 */

export interface IntervalCounts {
  readonly successes: number;
  readonly failures: number;
}

/**
 * Success-rate outliers (Envoy): among instances with at least `requestVolume` requests, and only
 * when there are at least `minimumHosts` of them, those whose success rate is below
 * mean - stdevFactor x stdev. Returns the indexes (into `counts`) of the outliers.
 */
export function successRateOutliers(
  counts: readonly IntervalCounts[],
  minimumHosts: number,
  requestVolume: number,
  stdevFactor: number,
): number[] {
  const rates: { index: number; rate: number }[] = [];
  counts.forEach((c, index) => {
    const total = c.successes + c.failures;
    if (total >= requestVolume) rates.push({ index, rate: (c.successes * 100) / total });
  });
  if (rates.length < minimumHosts || rates.length === 0) return [];
  const mean = rates.reduce((s, r) => s + r.rate, 0) / rates.length;
  const variance = rates.reduce((s, r) => s + (r.rate - mean) ** 2, 0) / rates.length;
  const threshold = mean - stdevFactor * Math.sqrt(variance);
  return rates.filter((r) => r.rate < threshold).map((r) => r.index);
}

/**
 * Failure-percentage outliers (Envoy): among instances with at least `requestVolume` requests, and
 * only when there are at least `minimumHosts` of them, those whose failure percentage is at or
 * above `thresholdPercent`.
 */
export function failurePercentageOutliers(
  counts: readonly IntervalCounts[],
  minimumHosts: number,
  requestVolume: number,
  thresholdPercent: number,
): number[] {
  const eligible = counts
    .map((c, index) => ({ index, total: c.successes + c.failures, failures: c.failures }))
    .filter((c) => c.total >= requestVolume);
  if (eligible.length < minimumHosts || eligible.length === 0) return [];
  return eligible.filter((c) => (c.failures * 100) / c.total >= thresholdPercent).map((c) => c.index);
}
