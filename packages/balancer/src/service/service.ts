/**
 * A service: its instance table, the current picker, and the one transition function through
 * which every instance state change goes (update the table, emit, log, count, rebuild).
 */
import { DeadlineQueue } from '../attempt/deadline.js';
import type { ServiceConfig } from '../config/config.js';
import { NoAvailableInstanceError } from '../errors.js';
import type { ConfigIssue } from '../errors.js';
import { parseInstanceList, type InstanceSpec } from '../instance/entry.js';
import { InstanceRecord, type InstanceState } from '../instance/instance.js';
import { isInstanceFailure, isLatencyPenalised, type Outcome } from '../outcome.js';
import { OutlierDetector, resetConsecutive, type Detection } from '../outlier/detector.js';
import { ejectionDurationMs, mayEject } from '../outlier/ejection.js';
import type { Runtime, Timer } from '../runtime.js';
import { slowStartFactor } from '../slow-start.js';
import { chooseSubset } from '../subset/subset.js';
import { discoverySink, startDiscovery } from './discovery-sink.js';
import type { ServiceObserver } from './observer.js';
import { ServicePicker, type Tried } from './picker.js';
import { instanceSnapshot, type ServiceSnapshot } from './snapshot.js';


/** Something that follows the instance table (the health checker). */
export interface InstanceWatcher {
  added(record: InstanceRecord): void;
  removed(record: InstanceRecord): void;
  close(): Promise<void>;
}

/** Slow-start weights are recomputed this many times per window. */
const SLOW_START_STEPS = 10;

export class Service {
  readonly name: string;
  private readonly records = new Map<string, InstanceRecord>();
  private picker: ServicePicker;
  private readonly detector: OutlierDetector | undefined;
  private sweepTimer: Timer | undefined;
  private slowStartTimer: Timer | undefined;
  private watcher: InstanceWatcher | undefined;
  /** True once the first instance list was applied: later joins get slow start. */
  private initialized = false;
  private batching = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];

  private observer: ServiceObserver = {};
  /** Attempt deadlines of this service's calls (`retry.perAttemptTimeoutMs`). */
  readonly deadlines: DeadlineQueue | undefined;

  constructor(
    readonly config: ServiceConfig,
    private readonly runtime: Runtime,
  ) {
    this.name = config.name;
    const timeoutMs = config.retry.perAttemptTimeoutMs;
    this.deadlines = timeoutMs === undefined ? undefined : new DeadlineQueue(runtime, timeoutMs);
    this.detector = config.outlierDetection && new OutlierDetector(config.outlierDetection, runtime.random);
    this.picker = this.buildPicker();
  }

  /**
   * Starts the service: applies the static instances, then starts background work (the outlier
   * sweep, discovery, and the watcher, i.e. health checks). `observer` receives every event.
   */
  start(observer: ServiceObserver, watcher?: InstanceWatcher): void {
    this.observer = observer;
    if (this.config.instances) this.applyInstances(this.config.instances, [], 'static');
    this.watcher = watcher;
    for (const r of this.records.values()) watcher?.added(r);
    this.scheduleSweep();
    const discovery = this.config.discovery;
    if (!discovery) return;
    const source = discovery.kind ?? 'discovery';
    const failed = (error: unknown): void => {
      this.observer.discoveryFailed?.({ service: this.name, source, error, kept: this.records.size });
    };
    startDiscovery(discovery, this.name, discoverySink(source, {
      isClosed: () => this.closed,
      update: (entries, skipped) => this.setInstances(entries, source, skipped),
      failed,
    }));
  }

  /**
   * Picks an instance, avoiding `exclude` (instances the request already tried). Synchronous; the
   * result is data, never an exception. A picked instance is in flight until `release`.
   */
  pick(hashKey: string | undefined, exclude: Tried, now: number): InstanceRecord | NoAvailableInstanceError {
    const picked = this.closed ? 'closed' : this.picker.pick(hashKey, now, exclude);
    if (typeof picked === 'string') {
      this.observer.pickFailed?.({ service: this.name, reason: picked });
      return new NoAvailableInstanceError(this.name, picked, this.picker.detail);
    }
    picked.inFlight++;
    return picked;
  }

  /** Whether a retry avoiding `exclude` would find an instance now. */
  hasInstanceOtherThan(exclude: Tried): boolean {
    return !this.closed && this.picker.hasOtherThan(exclude);
  }

  /** Ends a pick: the attempt on `r` picked at `startedAt` ended with `outcome`. Once per pick. */
  release(r: InstanceRecord, startedAt: number, outcome: Outcome, method: string | undefined): void {
    const now = this.runtime.now();
    const latencyMs = outcome.latencyMs ?? now - startedAt;
    if (r.inFlight > 0) r.inFlight--;
    this.observer.attemptEnded?.({ service: this.name, instance: r, outcome, latencyMs, method });
    if (!r.live) return;
    if (outcome.kind === 'cancelled') r.totals.cancelled++;
    else {
      r.lastAttemptRefused = outcome.kind === 'failure' && outcome.failure === 'connect';
      r.totals.requests++;
      if (isInstanceFailure(outcome)) r.totals.failures++;
      this.config.strategy.observe?.(r, { latencyMs, failed: isLatencyPenalised(outcome), now });
      const detection = r.draining ? undefined : this.detector?.record(r.outlier, outcome);
      if (detection) this.tryEject(r, detection, now);
    }
    if (r.draining && r.inFlight === 0) this.forget(r, 'drained');
  }

  /**
   * Applies a complete instance list: entries are diffed by origin; kept instances keep their
   * state, new ones join (with slow start after the first list), missing ones drain. Invalid
   * entries are skipped and reported; a list whose every entry is invalid is not applied.
   */
  setInstances(entries: readonly unknown[], source: string, skipped: readonly ConfigIssue[] = []): void {
    const { specs, rejected } = parseInstanceList(entries, source);
    this.applyInstances(specs, [...skipped, ...rejected], source);
  }

  private applyInstances(specs: readonly InstanceSpec[], rejected: readonly ConfigIssue[], source: string): void {
    if (specs.length === 0 && rejected.length > 0) {
      this.observer.membershipChanged?.({ service: this.name, added: 0, removed: 0, updated: 0, rejected, source });
      this.observer.discoveryFailed?.({
        service: this.name,
        source,
        error: new Error(`every one of ${rejected.length} entries was invalid; keeping the last good list`),
        kept: this.records.size,
      });
      return;
    }
    specs = chooseSubset(specs, this.config.subset); // subsetting: this client's slice of the fleet only
    const now = this.runtime.now();
    let added = 0;
    let removed = 0;
    let updated = 0;
    this.batch(() => {
      const seen = new Set<string>();
      for (const spec of specs) {
        seen.add(spec.id);
        const existing = this.records.get(spec.id);
        if (existing) {
          if (existing.spec.weight !== spec.weight || existing.spec.zone !== spec.zone) updated++;
          existing.spec = spec;
          if (existing.draining) {
            existing.draining.timer.cancel();
            existing.draining = undefined;
            this.transition(existing, 'discovery-readded');
          }
          continue;
        }
        const r = new InstanceRecord(spec, this.config.healthCheck?.initialState ?? 'healthy');
        this.records.set(spec.id, r);
        added++;
        if (this.initialized) this.beginSlowStart(r, now);
        this.observer.stateChanged?.({ service: this.name, instance: r, from: 'new', to: r.state, reason: `${source}-added` });
        this.watcher?.added(r);
      }
      for (const r of [...this.records.values()]) {
        if (!seen.has(r.id) && !r.draining) {
          this.drain(r, `${source}-removed`, now);
          removed++;
        }
      }
    });
    this.initialized = true;
    if (added + removed + updated + rejected.length > 0 || source !== 'static') {
      this.observer.membershipChanged?.({ service: this.name, added, removed, updated, rejected, source });
    }
  }

  /** Marks an instance healthy or unhealthy (active health checks). */
  setHealth(r: InstanceRecord, health: 'healthy' | 'unhealthy', reason: string): void {
    if (!r.live || r.health === health) return;
    r.health = health;
    this.transition(r, reason);
  }

  /**
   * A health check passed. When the instance's last attempt could not connect, it was down and
   * is back: what the strategy learnt while it was down (a latency penalty) is forgotten, as on a
   * recovery, even if it was never ejected or marked unhealthy. An instance answering its health
   * path while failing requests keeps its penalty.
   */
  healthCheckPassed(r: InstanceRecord): void {
    if (!r.live || !r.lastAttemptRefused) return;
    r.lastAttemptRefused = false;
    if (r.state !== 'healthy' || !this.config.strategy.reset) return; // a transition to healthy resets it
    this.config.strategy.reset(r);
    this.rebuild();
  }

  /** Ends an ejection early (a passing health check) or on expiry. */
  uneject(r: InstanceRecord, reason: string): void {
    if (!r.live || !r.ejection) return;
    r.ejection.timer.cancel();
    r.ejection = undefined;
    resetConsecutive(r.outlier);
    this.transition(r, reason);
  }

  /** Instance records, for the health checker and tests. */
  instances(): IterableIterator<InstanceRecord> {
    return this.records.values();
  }

  snapshot(): ServiceSnapshot {
    const now = this.runtime.now();
    return {
      name: this.name,
      strategy: this.config.strategy.name,
      panic: this.picker.panic,
      healthy: this.picker.healthy,
      total: this.picker.total,
      instances: [...this.records.values()].map((r) => instanceSnapshot(r, now, this.config.strategy)),
    };
  }

  /** Stops background work, drains every instance, resolves when none is left. */
  async close(): Promise<void> {
    if (this.closed) return this.waitDrained();
    this.closed = true;
    this.sweepTimer?.cancel();
    this.slowStartTimer?.cancel();
    const now = this.runtime.now();
    this.batch(() => {
      for (const r of [...this.records.values()]) if (!r.draining) this.drain(r, 'balancer-closed', now);
    });
    await Promise.all([this.config.discovery?.close(), this.watcher?.close()]);
    return this.waitDrained();
  }

  // --- the transition function and what feeds it -------------------------------------------

  /** The one place an instance's public state changes. Returns true when it changed. */
  private transition(r: InstanceRecord, reason: string): boolean {
    const from = r.state;
    const to = r.derivedState();
    if (from === to) return false;
    r.state = to;
    if (to === 'healthy' && (from === 'ejected' || from === 'unhealthy')) {
      this.config.strategy.reset?.(r);

      this.beginSlowStart(r, this.runtime.now());
    }
    this.observer.stateChanged?.({ service: this.name, instance: r, from, to, reason });
    this.rebuild();
    return true;
  }

  private tryEject(r: InstanceRecord, detection: Detection, now: number): void {
    if (r.ejection || r.draining) return;
    const base = { service: this.name, instance: r, reason: detection.reason, durationMs: 0, timesEjected: r.timesEjected };
    if (!detection.enforced) {
      this.observer.ejection?.({ ...base, enforced: false, skipped: 'dry-run' });
      return;
    }
    const od = this.config.outlierDetection!;
    let ejected = 0;
    let total = 0;
    for (const x of this.records.values()) {
      if (x.draining) continue;
      total++;
      if (x.ejection) ejected++;
    }
    if (!mayEject(ejected, total, od.maxEjectionPercent)) {
      this.observer.ejection?.({ ...base, enforced: false, skipped: 'max-ejection-percent' });
      return;
    }
    r.timesEjected++;
    r.totals.ejections++;
    const durationMs = ejectionDurationMs(r.timesEjected, od.baseEjectionMs, od.maxEjectionMs, od.ejectionJitterMs, this.runtime.random);
    r.ejection = {
      reason: detection.reason,
      until: now + durationMs,
      timer: this.runtime.setTimeout(() => this.uneject(r, 'ejection-expired'), durationMs),
    };
    this.observer.ejection?.({ ...base, enforced: true, durationMs, timesEjected: r.timesEjected });
    this.transition(r, detection.reason);
  }

  /** Interval sweep: success rate and failure percentage; ejection multipliers decay. */
  private scheduleSweep(): void {
    const od = this.config.outlierDetection;
    if (!od || !this.detector || this.closed) return;
    this.sweepTimer = this.runtime.setTimeout(() => {
      const now = this.runtime.now();
      const active = [...this.records.values()].filter((r) => !r.draining);
      for (const r of active) if (!r.ejection && r.timesEjected > 0) r.timesEjected--;
      for (const { index, detection } of this.detector!.sweep(active.map((r) => r.outlier))) {
        this.tryEject(active[index]!, detection, now);
      }
      this.scheduleSweep();
    }, od.intervalMs);
  }

  private drain(r: InstanceRecord, reason: string, now: number): void {
    if (r.inFlight === 0 || this.config.drainTimeoutMs === 0) {
      this.forget(r, reason);
      return;
    }
    r.draining = { since: now, timer: this.runtime.setTimeout(() => this.forget(r, 'drain-timeout'), this.config.drainTimeoutMs) };
    this.transition(r, reason);
  }

  private forget(r: InstanceRecord, reason: string): void {
    if (!r.live) return;
    const from: InstanceState = r.state;
    r.live = false;
    r.ejection?.timer.cancel();
    r.draining?.timer.cancel();
    this.records.delete(r.id);
    this.watcher?.removed(r);
    this.observer.stateChanged?.({ service: this.name, instance: r, from, to: 'removed', reason });
    if (from !== 'draining') this.rebuild();
    if (this.records.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private waitDrained(): Promise<void> {
    if (this.records.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  // --- picker and weights ---------------------------------------------------------------------

  private batch(fn: () => void): void {
    const outer = this.batching;
    this.batching = true;
    try {
      fn();
    } finally {
      this.batching = outer;
    }
    if (!outer) this.rebuild();
  }

  private rebuild(): void {
    if (this.batching) return;
    const previous = this.picker;
    this.refreshWeights(this.runtime.now());
    this.picker = this.buildPicker();
    if (previous.panic !== this.picker.panic) {
      this.observer.panicChanged?.({ service: this.name, panic: this.picker.panic, healthy: this.picker.healthy, total: this.picker.total });
    }
  }

  private buildPicker(): ServicePicker {
    return ServicePicker.build(
      this.records.values(),
      this.config.strategy,
      this.config.panic,
      this.runtime.random,
      this.runtime.now(),
      (error) => this.observer.strategyFailed?.({ service: this.name, strategy: this.config.strategy.name, error }),
      this.config.zoneAware,
    );
  }

  private beginSlowStart(r: InstanceRecord, now: number): void {
    const { windowMs } = this.config.slowStart;
    if (windowMs <= 0) return;
    r.slowStartSince = now;
    if (!this.slowStartTimer) this.scheduleSlowStart();
  }

  private scheduleSlowStart(): void {
    const step = Math.max(1, Math.floor(this.config.slowStart.windowMs / SLOW_START_STEPS));
    this.slowStartTimer = this.runtime.setTimeout(() => {
      this.slowStartTimer = undefined;
      this.rebuild();
      if (!this.closed && [...this.records.values()].some((r) => r.slowStartSince !== undefined)) this.scheduleSlowStart();
    }, step);
  }

  /** Recomputes slow-start weights; instances past their window return to full weight. */
  private refreshWeights(now: number): void {
    const { windowMs, aggression, minWeight } = this.config.slowStart;
    for (const r of this.records.values()) {
      if (r.slowStartSince === undefined) {
        r.weight = r.spec.weight;
        continue;
      }
      const factor = slowStartFactor(now - r.slowStartSince, windowMs, aggression, minWeight);
      r.weight = r.spec.weight * factor;
      if (factor >= 1) r.slowStartSince = undefined;
    }
  }
}
