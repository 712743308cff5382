/**
 * The ejector: outlier detection applied to a service's instances. It feeds each finished
 * attempt to the detector, runs the interval sweep (success rate, failure percentage, the decay
 * of repeat-ejection multipliers), ejects within `maxEjectionPercent`, and ends ejections on
 * expiry or when asked (a passing health check). It changes only the records' ejection facts;
 * the service's transition function turns them into state changes.
 */
import type { OutlierDetectionConfig } from '../config/config.js';
import type { InstanceRecord } from '../instance/instance.js';
import type { Outcome } from '../outcome.js';
import { OutlierDetector, resetConsecutive, type Detection } from '../outlier/detector.js';
import { ejectionDurationMs, mayEject } from '../outlier/ejection.js';
import type { Runtime, Timer } from '../runtime.js';
import type { ServiceObserver } from './observer.js';

/** What the ejector needs of its service. */
export interface EjectorHost {
  readonly name: string;
  /** The service's observer (it is set when the service starts). */
  observer(): ServiceObserver;
  records(): Iterable<InstanceRecord>;
  /** The service's transition function: re-derives `r`'s state after a fact changed. */
  transition(r: InstanceRecord, reason: string): void;
}

export class Ejector {
  private readonly detector: OutlierDetector;
  private sweepTimer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly config: OutlierDetectionConfig,
    private readonly runtime: Runtime,
    private readonly host: EjectorHost,
  ) {
    this.detector = new OutlierDetector(config, runtime.random);
  }

  /** Starts the interval sweep. */
  start(): void {
    this.scheduleSweep();
  }

  /** Learns from a finished attempt on a live, non-draining instance; may eject it. */
  record(r: InstanceRecord, outcome: Outcome, now: number): void {
    const detection = this.detector.record(r.outlier, outcome);
    if (detection) this.eject(r, detection, now);
  }

  /** Ends `r`'s ejection (expiry, or a passing health check). */
  uneject(r: InstanceRecord, reason: string): void {
    if (!r.live || !r.ejection) return;
    r.ejection.timer.cancel();
    r.ejection = undefined;
    resetConsecutive(r.outlier);
    this.host.transition(r, reason);
  }

  stop(): void {
    this.stopped = true;
    this.sweepTimer?.cancel();
  }

  private eject(r: InstanceRecord, detection: Detection, now: number): void {
    if (r.ejection || r.draining) return;
    const observer = this.host.observer();
    const base = { service: this.host.name, instance: r, reason: detection.reason, durationMs: 0, timesEjected: r.timesEjected };
    if (!detection.enforced) {
      observer.ejection?.({ ...base, enforced: false, skipped: 'dry-run' });
      return;
    }
    let ejected = 0;
    let total = 0;
    for (const x of this.host.records()) {
      if (x.draining) continue;
      total++;
      if (x.ejection) ejected++;
    }
    if (!mayEject(ejected, total, this.config.maxEjectionPercent)) {
      observer.ejection?.({ ...base, enforced: false, skipped: 'max-ejection-percent' });
      return;
    }
    r.timesEjected++;
    r.totals.ejections++;
    const { baseEjectionMs, maxEjectionMs, ejectionJitterMs } = this.config;
    const durationMs = ejectionDurationMs(r.timesEjected, baseEjectionMs, maxEjectionMs, ejectionJitterMs, this.runtime.random);
    r.ejection = {
      reason: detection.reason,
      until: now + durationMs,
      timer: this.runtime.setTimeout(() => this.uneject(r, 'ejection-expired'), durationMs),
    };
    observer.ejection?.({ ...base, enforced: true, durationMs, timesEjected: r.timesEjected });
    this.host.transition(r, detection.reason);
  }

  private scheduleSweep(): void {
    if (this.stopped) return;
    this.sweepTimer = this.runtime.setTimeout(() => {
      const now = this.runtime.now();
      const active = [...this.host.records()].filter((r) => !r.draining);
      for (const r of active) if (!r.ejection && r.timesEjected > 0) r.timesEjected--;
      for (const { index, detection } of this.detector.sweep(active.map((r) => r.outlier))) {
        this.eject(active[index]!, detection, now);
      }
      this.scheduleSweep();
    }, this.config.intervalMs);
  }
}
