/**
 * When the next health check of an instance runs: pure arithmetic, randomness passed in.
 *
 * The first check of each instance is spread uniformly over its first interval, so instances
 * added together (a static list, a discovery update, many client processes started by one
 * deploy) are not probed in lockstep. Later checks wait the interval plus a random jitter of up
 * to `jitterPercent` of it (Envoy's `interval_jitter_percent`).
 */
import type { HealthCheckConfig } from '../config/config.js';

/** The interval that applies to an instance in the given health: unhealthy ones may be probed at another pace. */
export function intervalFor(health: 'healthy' | 'unhealthy', config: Pick<HealthCheckConfig, 'intervalMs' | 'unhealthyIntervalMs'>): number {
  return health === 'healthy' ? config.intervalMs : config.unhealthyIntervalMs;
}

/** Delay before the first check, ms: uniform in [0, intervalMs). `random` returns [0, 1). */
export function firstCheckDelayMs(intervalMs: number, random: () => number): number {
  return random() * intervalMs;
}

/**
 * Delay from the end of one check to the start of the next, ms: the interval plus a uniform
 * jitter in [0, intervalMs x jitterPercent / 100). A jitter of 0 gives exactly the interval.
 */
export function nextCheckDelayMs(intervalMs: number, jitterPercent: number, random: () => number): number {
  if (jitterPercent <= 0) return intervalMs;
  return intervalMs + random() * intervalMs * (jitterPercent / 100);
}
