/**
 * Health thresholds: how check results in a row move an instance between healthy and unhealthy
 * (HAProxy's `rise`/`fall`, Envoy's `healthy_threshold`/`unhealthy_threshold`). Pure.
 */
import type { HealthCheckConfig } from '../config/config.js';

/** Results in a row for one instance. Exactly one of `passes` and `failures` is non-zero after a check. */
export interface Streak {
  readonly passes: number;
  readonly failures: number;
  /** Checks completed so far (0 before the first). */
  readonly checks: number;
}

export const NO_STREAK: Streak = Object.freeze({ passes: 0, failures: 0, checks: 0 });

export interface Verdict {
  readonly streak: Streak;
  /** The instance's health after this result (may be unchanged). */
  readonly health: 'healthy' | 'unhealthy';
  /** Passes or failures in a row, including this one (what the event reports). */
  readonly length: number;
}

/**
 * Applies one check result. A healthy instance turns unhealthy after `unhealthyThreshold`
 * failures in a row; an unhealthy one turns healthy after `healthyThreshold` passes in a row,
 * except that the very first check of an instance that starts unhealthy needs one pass (Envoy's
 * behaviour for new hosts: no reason to keep a fresh instance out of rotation for a whole
 * threshold once it answers).
 */
export function applyResult(
  streak: Streak,
  passed: boolean,
  health: 'healthy' | 'unhealthy',
  thresholds: Pick<HealthCheckConfig, 'healthyThreshold' | 'unhealthyThreshold'>,
): Verdict {
  const checks = streak.checks + 1;
  if (passed) {
    const passes = streak.passes + 1;
    const rise = health === 'unhealthy' && (passes >= thresholds.healthyThreshold || streak.checks === 0);
    return { streak: { passes, failures: 0, checks }, health: rise ? 'healthy' : health, length: passes };
  }
  const failures = streak.failures + 1;
  const fall = health === 'healthy' && failures >= thresholds.unhealthyThreshold;
  return { streak: { passes: 0, failures, checks }, health: fall ? 'unhealthy' : health, length: failures };
}
