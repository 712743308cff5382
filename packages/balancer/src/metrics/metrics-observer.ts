/**
 * Metrics for one service: a `ServiceObserver` that turns the service's events into the
 * instruments of the table (`instruments.ts`), plus a collection callback that reads gauges
 * (instances by state, requests in flight, panic) from the instance table, so they cannot drift.
 *
 * `attemptEnded` runs once per attempt: it looks up a cached, frozen attribute object per
 * (instance, method, outcome) and records one value, allocating nothing once warm.
 *
 * Every event first asks the meter source for the current meter: when the application registers
 * its SDK after the balancer was created, the collection callback moves to the new meter and
 * recording starts there (`meter.ts`).
 */
import type { Attributes, BatchObservableResult, Observable } from '@opentelemetry/api';
import type { Instance, InstanceState } from '../instance/instance.js';
import { outcomeLabel, type Outcome } from '../outcome.js';
import type {
  AttemptEvent,
  DiscoveryErrorEvent,
  EjectionEvent,
  HealthCheckEvent,
  HedgeRefusedEvent,
  LoadReportEvent,
  MembershipEvent,
  PanicEvent,
  PickFailedEvent,
  RetryEvent,
  RetryRefusedEvent,
  ServiceObserver,
  StateChangeEvent,
} from '../service/observer.js';
import type { Service } from '../service/service.js';
import { AttributeCache, with1 } from './attribute-cache.js';
import type { AttributeKey } from './instruments.js';
import type { Instruments, MeterSource, MeterState } from './meter.js';

export interface MetricsObserverOptions {
  /** Adds `server.address`, `server.port` and `url.scheme` to per-instance metrics (`metrics.perInstance`). */
  readonly perInstance: boolean;
  /** The caller's zone (the balancer's `zone`): attempts are then counted as local or cross-zone. */
  readonly zone?: string | undefined;
}

export interface MetricsObserver extends ServiceObserver {
  /**
   * Unregisters the collection callback (instances, in-flight, panic), so the meter no longer
   * holds the service. Call it after the service closed; events arriving later are still counted.
   */
  dispose(): void;
}

/** Methods the OpenTelemetry HTTP conventions know (RFC 9110 and PATCH); others are `_OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
const STATES: readonly InstanceState[] = ['healthy', 'unhealthy', 'ejected', 'draining'];

const A = {
  service: 'datapunk.balancer.service',
  address: 'server.address',
  port: 'server.port',
  scheme: 'url.scheme',
  method: 'http.request.method',
  status: 'http.response.status_code',
  errorType: 'error.type',
  state: 'datapunk.balancer.state',
  transitionReason: 'datapunk.balancer.transition.reason',
  ejectionReason: 'datapunk.balancer.ejection.reason',
  ejectionResult: 'datapunk.balancer.ejection.result',
  healthResult: 'datapunk.balancer.health_check.result',
  refusalReason: 'datapunk.balancer.retry.refusal.reason',
  hedgeRefusalReason: 'datapunk.balancer.hedge.refusal.reason',
  pickFailureReason: 'datapunk.balancer.pick.failure.reason',
  source: 'datapunk.balancer.discovery.source',
  change: 'datapunk.balancer.membership.change',
  locality: 'datapunk.balancer.zone.locality',
  limit: 'datapunk.balancer.limit',
  loadResult: 'datapunk.balancer.load_report.result',
} as const satisfies Record<string, AttributeKey>;

/** Creates the metrics observer of `service`; its gauges are reported until `dispose()`. */
export function createMetricsObserver(service: Service, meters: MeterSource, options: MetricsObserverOptions): MetricsObserver {
  return new ServiceMetrics(service, meters, options.perInstance, options.zone);
}

/** `error.type` for an outcome label: the conventions reserve `_OTHER` for the unknown. */
function errorType(label: string): string {
  return label === 'other' ? '_OTHER' : label;
}

/** Attributes by outcome key: the status code, the failure kind, or `cancelled`. */
type ByOutcome = Map<number | string, Attributes>;

class ServiceMetrics implements MetricsObserver {
  private state: MeterState;
  private readonly attrs: AttributeCache;
  private readonly base: Attributes;
  /** Per instance (or `base` when not per instance): method -> outcome -> attributes. */
  private readonly attempts = new WeakMap<object, Map<string, ByOutcome>>();
  private readonly stateAttributes: Readonly<Record<InstanceState, Attributes>>;
  private readonly limitAttributes: { readonly requests: Attributes; readonly pending: Attributes; readonly retries: Attributes };
  private observables: Observable[];
  private inPanic: boolean;
  private disposed = false;
  /** `{ service, locality: local }` and `cross-zone`, when the caller's zone is known. */
  private readonly locality: { readonly local: Attributes; readonly cross: Attributes } | undefined;

  constructor(
    private readonly service: Service,
    private readonly meters: MeterSource,
    private readonly perInstance: boolean,
    private readonly zone: string | undefined,
  ) {
    this.state = meters.current();
    this.attrs = new AttributeCache(service.name, perInstance);
    this.base = this.attrs.base;
    this.locality = zone === undefined ? undefined : { local: with1(this.base, A.locality, 'local'), cross: with1(this.base, A.locality, 'cross-zone') };
    const byState: Partial<Record<InstanceState, Attributes>> = {};
    for (const state of STATES) byState[state] = with1(this.base, A.state, state);
    this.stateAttributes = byState as Record<InstanceState, Attributes>;
    const limit = (name: string) => with1(this.base, A.limit, name);
    this.limitAttributes = { requests: limit('max-requests'), pending: limit('max-pending-requests'), retries: limit('max-retries') };
    this.inPanic = service.snapshot().panic;
    this.observables = this.observe(this.state);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.state.meter.removeBatchObservableCallback(this.collect, this.observables);
  }

  /** The instruments of the current meter; moves the collection callback when the meter changed. */
  private get i(): Instruments {
    const state = this.meters.current();
    if (state !== this.state) {
      if (!this.disposed) {
        this.state.meter.removeBatchObservableCallback(this.collect, this.observables);
        this.observables = this.observe(state);
      }
      this.state = state;
    }
    return state.instruments;
  }

  private observe(state: MeterState): Observable[] {
    const { instruments } = state;
    const observables = [instruments.instances, instruments.activeRequests, instruments.panic, instruments.limitsRemaining];
    state.meter.addBatchObservableCallback(this.collect, observables);
    return observables;
  }

  // --- per attempt: the hot path ------------------------------------------------------------

  attemptEnded(e: AttemptEvent): void {
    const instruments = this.i;
    // No SDK registered (yet): the no-op instruments would drop it, so no attributes are looked up.
    if (!this.state.records) return;
    const attributes = this.attemptAttributes(e.instance, e.method, e.outcome);
    instruments.requestDuration.record(Math.max(0, e.latencyMs) / 1000, attributes);
    if (this.locality && e.instance.zone !== undefined) {
      instruments.zoneRequests.add(1, e.instance.zone === this.zone ? this.locality.local : this.locality.cross);
    }
  }

  private attemptAttributes(instance: Instance, rawMethod: string | undefined, outcome: Outcome): Attributes {
    const owner = this.perInstance ? instance : this.base;
    let byMethod = this.attempts.get(owner);
    if (!byMethod) this.attempts.set(owner, (byMethod = new Map()));
    const method = rawMethod !== undefined && KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
    let byOutcome = byMethod.get(method);
    if (!byOutcome) byMethod.set(method, (byOutcome = new Map()));
    const key = outcome.kind === 'response' ? outcome.status : outcomeLabel(outcome);
    let attributes = byOutcome.get(key);
    if (!attributes) {
      const a: Attributes = { ...this.instanceAttributes(instance), [A.method]: method };
      if (outcome.kind === 'response') a[A.status] = outcome.status;
      if (outcome.kind !== 'response' || outcome.status >= 400) a[A.errorType] = errorType(outcomeLabel(outcome));
      attributes = Object.freeze(a);
      byOutcome.set(key, attributes);
    }
    return attributes;
  }

  // --- other events -------------------------------------------------------------------------

  stateChanged(e: StateChangeEvent): void {
    const a = { ...this.instanceAttributes(e.instance), [A.state]: e.to, [A.transitionReason]: e.reason };
    this.i.transitions.add(1, a);
  }

  ejection(e: EjectionEvent): void {
    const result = e.enforced ? 'enforced' : (e.skipped ?? 'dry-run');
    this.i.ejections.add(1, { ...this.instanceAttributes(e.instance), [A.ejectionReason]: e.reason, [A.ejectionResult]: result });
  }

  panicChanged(e: PanicEvent): void {
    this.inPanic = e.panic;
    if (e.panic) this.i.panics.add(1, this.base);
  }

  pickFailed(e: PickFailedEvent): void {
    this.i.pickFailures.add(1, this.attrs.cached(A.pickFailureReason, e.reason));
  }

  retried(e: RetryEvent): void {
    this.i.retries.add(1, this.attrs.cached(A.errorType, errorType(e.cause)));
  }

  retryRefused(e: RetryRefusedEvent): void {
    this.i.retryRefusals.add(1, this.attrs.cached(A.refusalReason, e.reason));
  }

  hedged(): void {
    this.i.hedges.add(1, this.base);
  }

  hedgeWon(): void {
    this.i.hedgeWins.add(1, this.base);
  }

  hedgeRefused(e: HedgeRefusedEvent): void {
    this.i.hedgeRefusals.add(1, this.attrs.cached(A.hedgeRefusalReason, e.reason));
  }

  healthChecked(e: HealthCheckEvent): void {
    const a = this.attrs.cached(A.healthResult, e.passed ? 'pass' : 'fail', this.attrs.instance(e.instance));
    this.i.healthChecks.add(1, a);
    this.i.healthCheckDuration.record(Math.max(0, e.durationMs) / 1000, a);
  }

  discoveryFailed(e: DiscoveryErrorEvent): void {
    this.i.discoveryFailures.add(1, this.attrs.cached(A.source, e.source));
  }

  membershipChanged(e: MembershipEvent): void {
    const changes = { added: e.added, removed: e.removed, updated: e.updated, rejected: e.rejected.length };
    const source = this.attrs.cached(A.source, e.source);
    for (const [change, n] of Object.entries(changes)) {
      if (n > 0) this.i.membershipChanges.add(n, this.attrs.cached(A.change, change, source));
    }
  }

  loadReported(e: LoadReportEvent): void {
    this.i.loadReports.add(1, this.attrs.cached(A.loadResult, e.result, this.attrs.instance(e.instance)));
  }

  // --- collection ---------------------------------------------------------------------------

  /** Reads the instance table: counts by state, in-flight requests, panic. */
  private readonly collect = (result: BatchObservableResult): void => {
    const i = this.state.instruments;
    const counts: Record<InstanceState, number> = { healthy: 0, unhealthy: 0, ejected: 0, draining: 0 };
    let inFlight = 0;
    for (const r of this.service.instances()) {
      counts[r.state]++;
      if (this.perInstance) result.observe(i.activeRequests, r.inFlight, this.instanceAttributes(r));
      else inFlight += r.inFlight;
    }
    if (!this.perInstance) result.observe(i.activeRequests, inFlight, this.base);
    for (const state of STATES) result.observe(i.instances, counts[state], this.stateAttributes[state]);
    result.observe(i.panic, this.inPanic ? 1 : 0, this.base);
    const limits = this.service.limits;
    if (limits) {
      const c = limits.config;
      const a = this.limitAttributes;
      result.observe(i.limitsRemaining, c.maxRequests - limits.requests, a.requests);
      result.observe(i.limitsRemaining, c.maxPendingRequests - limits.pending, a.pending);
      result.observe(i.limitsRemaining, c.maxRetries - limits.retries, a.retries);
    }
  };

  private instanceAttributes(instance: Instance): Attributes {
    return this.attrs.instance(instance);
  }
}
