/**
 * Ejection arithmetic, kept pure for table tests.
 */

/**
 * Ejection time for the `timesEjected`-th ejection in a row (1 for the first):
 * min(base x timesEjected, max) + random jitter in [0, jitterMs).
 */
export function ejectionDurationMs(
  timesEjected: number,
  baseMs: number,
  maxMs: number,
  jitterMs: number,
  random: () => number,
): number {
  const base = Math.min(baseMs * Math.max(1, timesEjected), maxMs);
  return base + Math.floor(random() * jitterMs);
}

/**
 * Whether one more instance may be ejected: always when none is ejected (at least one may always
 * be), otherwise only while the ejected share is below `maxPercent` (Envoy's rule).
 */
export function mayEject(ejected: number, total: number, maxPercent: number): boolean {
  if (ejected === 0) return total > 0;
  return (ejected * 100) / total < maxPercent;
}

/** Rolls the enforcing percentage: true means act on the detection, false means dry run. */
export function enforced(enforcingPercent: number, random: () => number): boolean {
  if (enforcingPercent >= 100) return true;
  if (enforcingPercent <= 0) return false;
  return random() * 100 < enforcingPercent;
}
