/**
 * The slow-start ramp: an instance that joins after the first list, or returns to healthy, starts
 * at a fraction of its weight that grows over `slowStart.windowMs` (Envoy's slow start). The ramp
 * recomputes weights a fixed number of times per window and asks for a rebuild each time; it keeps
 * one timer per service, only while some instance is ramping.
 */
import type { SlowStartConfig } from '../config/config.js';
import type { InstanceRecord } from '../instance/instance.js';
import type { Runtime, Timer } from '../runtime.js';
import { slowStartFactor } from '../slow-start.js';

/** Weights are recomputed this many times per window. */
const STEPS = 10;

export class SlowStartRamp {
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly config: SlowStartConfig,
    private readonly runtime: Runtime,
    private readonly records: () => Iterable<InstanceRecord>,
    /** Rebuilds the eligible set (which calls `refresh`). */
    private readonly rebuild: () => void,
  ) {}

  /** Starts ramping `r` from now. A zero window means no slow start. */
  begin(r: InstanceRecord, now: number): void {
    if (this.config.windowMs <= 0 || this.stopped) return;
    r.slowStartSince = now;
    if (!this.timer) this.schedule();
  }

  /** Sets every record's effective weight; instances past their window return to full weight. */
  refresh(now: number): void {
    const { windowMs, aggression, minWeight } = this.config;
    for (const r of this.records()) {
      if (r.slowStartSince === undefined) {
        r.weight = r.spec.weight;
        continue;
      }
      const factor = slowStartFactor(now - r.slowStartSince, windowMs, aggression, minWeight);
      r.weight = r.spec.weight * factor;
      if (factor >= 1) r.slowStartSince = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    const step = Math.max(1, Math.floor(this.config.windowMs / STEPS));
    this.timer = this.runtime.setTimeout(() => {
      this.timer = undefined;
      this.rebuild();
      if (this.stopped) return;
      for (const r of this.records()) {
        if (r.slowStartSince !== undefined) {
          this.schedule();
          return;
        }
      }
    }, step);
  }
}
