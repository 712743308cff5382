/**
 * Outlier detection, passive: counts each outcome per instance and says when an instance should
 * be ejected. It decides only *whether*; the service applies the ejection (max ejection share,
 * duration, timers, events), so this file stays free of state changes.
 *
 * Failures are 5xx and transport failures; 4xx is a success (the caller's mistake) and a
 * caller's cancellation is not counted at all.
 */
import type { OutlierDetectionConfig } from '../config/config.js';
import type { EjectionReason, OutlierCounters } from '../instance/instance.js';
import { isGatewayFailure, isInstanceFailure, type Outcome } from '../outcome.js';
import { enforced } from './ejection.js';
import { failurePercentageOutliers, successRateOutliers } from './success-rate.js';

/** A detector fired. `enforced: false` is a dry run: logged and counted, not ejected. */
export interface Detection {
  readonly reason: EjectionReason;
  readonly enforced: boolean;
}

export class OutlierDetector {
  constructor(
    readonly config: OutlierDetectionConfig,
    private readonly random: () => number,
  ) {}

  /** Feeds one outcome; returns a detection when a consecutive-failure detector trips. */
  record(c: OutlierCounters, outcome: Outcome): Detection | undefined {
    if (outcome.kind === 'cancelled') return undefined;
    const failed = isInstanceFailure(outcome);
    if (failed) c.intervalFailures++;
    else c.intervalSuccesses++;
    c.consecutiveFailures = failed ? c.consecutiveFailures + 1 : 0;
    c.consecutiveGatewayFailures = isGatewayFailure(outcome) ? c.consecutiveGatewayFailures + 1 : 0;

    const { consecutiveFailures: cf, consecutiveGatewayFailures: gf } = this.config;
    if (cf && c.consecutiveFailures >= cf.threshold) {
      c.consecutiveFailures = 0;
      c.consecutiveGatewayFailures = 0;
      return { reason: 'consecutive-failures', enforced: enforced(cf.enforcingPercent, this.random) };
    }
    if (gf && c.consecutiveGatewayFailures >= gf.threshold) {
      c.consecutiveGatewayFailures = 0;
      return { reason: 'consecutive-gateway-failures', enforced: enforced(gf.enforcingPercent, this.random) };
    }
    return undefined;
  }

  /**
   * The interval sweep: success rate, then failure percentage, over the interval's counts of
   * `counters` (instances not draining or ejected). Resets the interval counts of every entry.
   * Returns detections by index into `counters`; an instance is reported at most once.
   */
  sweep(counters: readonly OutlierCounters[]): { index: number; detection: Detection }[] {
    const counts = counters.map((c) => ({ successes: c.intervalSuccesses, failures: c.intervalFailures }));
    for (const c of counters) {
      c.intervalSuccesses = 0;
      c.intervalFailures = 0;
    }
    const found = new Map<number, Detection>();
    const sr = this.config.successRate;
    if (sr) {
      for (const index of successRateOutliers(counts, sr.minimumHosts, sr.requestVolume, sr.stdevFactor)) {
        found.set(index, { reason: 'success-rate', enforced: enforced(sr.enforcingPercent, this.random) });
      }
    }
    const fp = this.config.failurePercentage;
    if (fp) {
      for (const index of failurePercentageOutliers(counts, fp.minimumHosts, fp.requestVolume, fp.threshold)) {
        const previous = found.get(index);
        if (!previous?.enforced) {
          found.set(index, { reason: 'failure-percentage', enforced: enforced(fp.enforcingPercent, this.random) });
        }
      }
    }
    return [...found].map(([index, detection]) => ({ index, detection }));
  }
}

/** Resets the consecutive counters (after an ejection ends, so the instance starts afresh). */
export function resetConsecutive(c: OutlierCounters): void {
  c.consecutiveFailures = 0;
  c.consecutiveGatewayFailures = 0;
}
