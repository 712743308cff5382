/**
 * A service: its instance table, the eligible set built from it, and the one transition function
 * through which every public state change of an instance goes ('new', then healthy, unhealthy,
 * ejected or draining, then 'removed'): it updates the record's state, resets the strategy and
 * starts slow start on a recovery, emits the change and rebuilds the eligible set.
 * Beside it: membership.ts (a list becomes joins, updates and drains), ejector.ts (outlier
 * detection), slow-start-ramp.ts (weights of joining and recovered instances), eligible-set.ts
 * (panic, zones, the strategy's picker) and instance-table.ts (the records).
 */
import { AttemptDeadlines } from '../attempt/attempt-deadlines.js';
import { plainSettingsOf, type PlainSettings } from '../call-settings.js';
import type { ServiceConfig } from '../config/config.js';
import { CircuitOpenError, NoAvailableInstanceError, type ConfigIssue } from '../errors.js';
import { parseInstanceList, type InstanceSpec } from '../instance/entry.js';
import { InstanceRecord, type InstanceState } from '../instance/instance.js';
import { isInstanceFailure, isLatencyPenalised, type Outcome } from '../outcome.js';
import type { Runtime } from '../runtime.js';
import { chooseSubset } from '../subset/subset.js';
import { discoverySink, startDiscovery } from './discovery-sink.js';
import { Ejector } from './ejector.js';
import { EligibleSet, type Tried } from './eligible-set.js';
import { planMembership } from './membership.js';
import type { ServiceObserver } from './observer.js';
import { InstanceTable } from './instance-table.js';
import { LoadReports } from './load-reports.js';
import type { HealthReport, InstanceWatcher } from './watcher.js';
import { ServiceLimits } from './limits.js';
import { SlowStartRamp } from './slow-start-ramp.js';
import { serviceSnapshot, type ServiceSnapshot } from './snapshot.js';

export type { HealthReport, InstanceWatcher } from './watcher.js';

/** How a transition changes membership: none (re-derive the state), a join or a removal. */
type Change = 'derive' | 'join' | 'remove';

export class Service {
  readonly name: string;
  private readonly records = new InstanceTable();
  private eligible: EligibleSet;
  private readonly ejector: Ejector | undefined;
  private readonly ramp: SlowStartRamp;
  private watcher: InstanceWatcher | undefined;
  /** True once the first instance list was applied: later joins get slow start. */
  private initialized = false;
  private batching = false;
  private closed = false;

  private observer: ServiceObserver = {};
  /** Attempt deadlines of this service's calls (configured, learned, or off), and its circuit breakers unless off. */
  readonly deadlines: AttemptDeadlines;
  readonly limits: ServiceLimits | undefined;
  /** Reads responses' load reports for the strategy; undefined unless the strategy takes them. */
  readonly loadReports: LoadReports | undefined;
  /** The settings shared by calls without overrides (see `call-settings.ts`). */
  readonly plainSettings: PlainSettings;

  constructor(
    readonly config: ServiceConfig,
    private readonly runtime: Runtime,
  ) {
    this.name = config.name;
    this.deadlines = new AttemptDeadlines(config.retry, runtime);
    this.plainSettings = plainSettingsOf(config);
    this.limits = config.limits && new ServiceLimits(config.limits);
    this.loadReports = LoadReports.for(this.name, config.strategy, runtime, () => this.observer);
    const records = (): IterableIterator<InstanceRecord> => this.records.values();
    this.ramp = new SlowStartRamp(config.slowStart, runtime, records, () => this.rebuild());
    const od = config.outlierDetection;
    const host = { name: this.name, observer: () => this.observer, records, transition: (r: InstanceRecord, why: string) => this.transition(r, why) };
    this.ejector = od && new Ejector(od, runtime, host);
    this.eligible = this.buildEligible();
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
    this.ejector?.start();
    const discovery = this.config.discovery;
    if (!discovery) return;
    const source = discovery.kind ?? 'discovery';
    startDiscovery(discovery, this.name, discoverySink(source, {
      isClosed: () => this.closed,
      update: (entries, skipped) => this.setInstances(entries, source, skipped),
      failed: (error) => this.observer.discoveryFailed?.({ service: this.name, source, error, kept: this.records.size }),
    }));
  }

  /**
   * Picks an instance, avoiding `exclude` (instances the request already tried) and instances at
   * `limits.maxRequestsPerInstance`. Synchronous; the result is data, never an exception. A
   * picked instance is in flight until `release`.
   */
  pick(hashKey: string | undefined, exclude: Tried, now: number): InstanceRecord | NoAvailableInstanceError | CircuitOpenError {
    const perInstance = this.config.limits?.maxRequestsPerInstance;
    const picked = this.closed ? 'closed' : this.eligible.pick(hashKey, now, exclude, perInstance);
    if (typeof picked !== 'string') {
      picked.inFlight++;
      return picked;
    }
    this.observer.pickFailed?.({ service: this.name, reason: picked });
    return picked === 'max-requests-per-instance' ? new CircuitOpenError(this.name, picked, perInstance!) : new NoAvailableInstanceError(this.name, picked, this.eligible.detail);
  }

  /** Whether a retry avoiding `exclude` would find an instance now. */
  hasInstanceOtherThan(exclude: Tried): boolean {
    return !this.closed && this.eligible.hasOtherThan(exclude, this.config.limits?.maxRequestsPerInstance);
  }

  /**
   * Ends a pick: the attempt on `r` picked at `startedAt` ended with `outcome`. Once per pick.
   * `now`: the runtime's time, when the caller already read it.
   */
  release(r: InstanceRecord, startedAt: number, outcome: Outcome, method: string | undefined, now = this.runtime.now()): void {
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
      if (!r.draining) this.ejector?.record(r, outcome, now);
    }
    if (r.draining && r.inFlight === 0) this.transition(r, 'drained', 'remove');
  }

  /**
   * Applies a complete instance list (see membership.ts). Invalid entries are skipped and
   * reported; a list whose every entry is invalid is not applied.
   */
  setInstances(entries: readonly unknown[], source: string, skipped: readonly ConfigIssue[] = []): void {
    const { specs, rejected } = parseInstanceList(entries, source);
    this.applyInstances(specs, [...skipped, ...rejected], source);
  }

  /**
   * What a finished health check means for `r`: its health (a transition when it changed); a
   * pass after its last attempt could not connect means it was down and is back, so what the
   * strategy learnt while it was down is forgotten even if it was never ejected or marked
   * unhealthy (an instance answering its health path while failing requests keeps its penalty);
   * a pass may end an ejection early.
   */
  healthChecked(r: InstanceRecord, report: HealthReport): void {
    if (!r.live) return;
    if (r.health !== report.health) {
      r.health = report.health;
      this.transition(r, report.passed ? 'health-check-passed' : 'health-check-failed');
    }
    if (!report.passed) return;
    if (r.lastAttemptRefused) {
      r.lastAttemptRefused = false;
      if (r.state === 'healthy' && this.config.strategy.reset) {
        this.config.strategy.reset(r);
        this.rebuild();
      }
    }
    if (r.ejection && report.unejectOnPass) this.ejector?.uneject(r, 'health-check-passed');
  }

  /** Instance records, for the health checker and tests. */
  instances(): IterableIterator<InstanceRecord> {
    return this.records.values();
  }

  snapshot(): ServiceSnapshot {
    return serviceSnapshot(this.name, this.config.strategy, this.eligible, this.records.values(), this.runtime.now());
  }

  /** Stops background work, drains every instance, resolves when none is left. */
  async close(): Promise<void> {
    if (this.closed) return this.records.whenEmpty();
    this.closed = true;
    this.ejector?.stop();
    this.ramp.stop();
    const now = this.runtime.now();
    this.batch(() => {
      for (const r of [...this.records.values()]) if (!r.draining) this.drain(r, 'balancer-closed', now);
    });
    await Promise.all([this.config.discovery?.close(), this.watcher?.close()]);
    return this.records.whenEmpty();
  }

  // --- the transition function ---------------------------------------------------------------

  /**
   * The one place an instance's public state changes: after one of its facts changed ('derive'),
   * when it joins the table ('join', from 'new') and when it leaves it ('remove', to 'removed').
   */
  private transition(r: InstanceRecord, reason: string, change: Change = 'derive'): void {
    const from: InstanceState | 'new' = change === 'join' ? 'new' : r.state;
    if (change === 'remove') {
      if (!r.live) return;
      this.records.remove(r);
      this.watcher?.removed(r);
      this.observer.stateChanged?.({ service: this.name, instance: r, from: r.state, to: 'removed', reason });
      if (from !== 'draining') this.rebuild(); // a draining instance already left the eligible set
      return;
    }
    const to = r.derivedState();
    if (from === to) return;
    r.state = to;
    if (to === 'healthy' && (from === 'ejected' || from === 'unhealthy')) {
      this.config.strategy.reset?.(r);
      this.ramp.begin(r, this.runtime.now());
    }
    this.observer.stateChanged?.({ service: this.name, instance: r, from, to, reason });
    this.rebuild();
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
    const plan = planMembership(this.records.map, chooseSubset(specs, this.config.subset)); // subsetting: this client's slice only
    const now = this.runtime.now();
    this.batch(() => {
      for (const [r, spec] of plan.kept) {
        r.spec = spec;
        if (!r.draining) continue;
        r.draining.timer.cancel();
        r.draining = undefined;
        this.transition(r, 'discovery-readded');
      }
      for (const spec of plan.joining) {
        const r = new InstanceRecord(spec, this.config.healthCheck?.initialState ?? 'healthy');
        this.records.add(r);
        if (this.initialized) this.ramp.begin(r, now);
        this.transition(r, `${source}-added`, 'join');
        this.watcher?.added(r);
      }
      for (const r of plan.leaving) this.drain(r, `${source}-removed`, now);
    });
    this.initialized = true;
    const added = plan.joining.length;
    const removed = plan.leaving.length;
    if (added + removed + plan.updated + rejected.length > 0 || source !== 'static') {
      this.observer.membershipChanged?.({ service: this.name, added, removed, updated: plan.updated, rejected, source });
    }
  }

  /** Starts draining `r` (no new picks; removed once idle or after `drainTimeoutMs`). */
  private drain(r: InstanceRecord, reason: string, now: number): void {
    if (r.inFlight === 0 || this.config.drainTimeoutMs === 0) {
      this.transition(r, reason, 'remove');
      return;
    }
    r.draining = { since: now, timer: this.runtime.setTimeout(() => this.transition(r, 'drain-timeout', 'remove'), this.config.drainTimeoutMs) };
    this.transition(r, reason);
  }

  // --- the eligible set ----------------------------------------------------------------------

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
    const previous = this.eligible;
    this.ramp.refresh(this.runtime.now());
    this.eligible = this.buildEligible();
    if (previous.panic !== this.eligible.panic) {
      this.observer.panicChanged?.({ service: this.name, panic: this.eligible.panic, healthy: this.eligible.healthy, total: this.eligible.total });
    }
  }

  private buildEligible(): EligibleSet {
    return EligibleSet.build(
      this.records.values(),
      this.config.strategy,
      this.config.panic,
      this.runtime.random,
      this.runtime.now(),
      (error) => this.observer.strategyFailed?.({ service: this.name, strategy: this.config.strategy.name, error }),
      this.config.zoneAware,
    );
  }
}
