/**
 * The instance record: one endpoint of a service with everything the balancer tracks about it.
 *
 * Records are owned by their service. Their public state is derived from three independent
 * facts (health from active checks, an outlier ejection, draining after removal) and is only
 * changed through the service's transition function, which emits, logs and counts the change.
 */
import type { Timer } from '../runtime.js';
import type { StrategyEndpoint } from '../strategies/strategy.js';
import type { InstanceSpec } from './entry.js';

/** Public state of an instance, in order of precedence: draining > ejected > unhealthy > healthy. */
export type InstanceState = 'healthy' | 'unhealthy' | 'ejected' | 'draining';

/** Why outlier detection ejected an instance. */
export type EjectionReason = 'consecutive-failures' | 'consecutive-gateway-failures' | 'success-rate' | 'failure-percentage';

/** What users see of an instance (in pick results, events and custom strategies). */
export interface Instance {
  /** Normalised origin, the instance's identity. */
  readonly id: string;
  /** Origin requests are sent to, e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http:' | 'https:';
  /** Configured weight. */
  readonly configuredWeight: number;
  readonly zone: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly state: InstanceState;
  /** Requests in flight right now. */
  readonly inFlight: number;
}

/** Counters outlier detection keeps per instance. */
export interface OutlierCounters {
  consecutiveFailures: number;
  consecutiveGatewayFailures: number;
  /** Successes and failures in the current interval (success rate, failure percentage). */
  intervalSuccesses: number;
  intervalFailures: number;
}

export interface Ejection {
  readonly reason: EjectionReason;
  /** Runtime time (ms) when the ejection ends. */
  readonly until: number;
  readonly timer: Timer;
}

export class InstanceRecord implements Instance, StrategyEndpoint {
  spec: InstanceSpec;
  /** Effective weight seen by strategies: configured weight scaled by slow start. */
  weight: number;
  inFlight = 0;
  slot: unknown = undefined;
  /** Result of active health checks; always 'healthy' when checks are off. */
  health: 'healthy' | 'unhealthy';
  ejection: Ejection | undefined = undefined;
  /** How many times in a row it was ejected (decays while it behaves). */
  timesEjected = 0;
  /** Set while draining: when it started and the drain timeout. */
  draining: { readonly since: number; readonly timer: Timer } | undefined = undefined;
  /** Start of the slow-start ramp (runtime ms), or undefined when not ramping. */
  slowStartSince: number | undefined = undefined;
  /** Cached public state; updated only by the service's transition function. */
  state: InstanceState;
  /** False once the record was forgotten (removed and drained); late outcomes are ignored. */
  live = true;
  /**
   * True when its latest finished attempt could not connect: the process was down. A passing
   * health check then means it is back (restarted), not merely that its health path answers.
   */
  lastAttemptRefused = false;
  readonly outlier: OutlierCounters = {
    consecutiveFailures: 0,
    consecutiveGatewayFailures: 0,
    intervalSuccesses: 0,
    intervalFailures: 0,
  };
  /** Lifetime counters, for snapshots. */
  readonly totals = { requests: 0, failures: 0, cancelled: 0, ejections: 0 };

  constructor(spec: InstanceSpec, health: 'healthy' | 'unhealthy') {
    this.spec = spec;
    this.weight = spec.weight;
    this.health = health;
    this.state = health;
  }

  get id(): string {
    return this.spec.id;
  }
  get url(): string {
    return this.spec.url;
  }
  get host(): string {
    return this.spec.host;
  }
  get port(): number {
    return this.spec.port;
  }
  get protocol(): 'http:' | 'https:' {
    return this.spec.protocol;
  }
  get configuredWeight(): number {
    return this.spec.weight;
  }
  get zone(): string | undefined {
    return this.spec.zone;
  }
  get metadata(): Readonly<Record<string, string>> {
    return this.spec.metadata;
  }

  /** The state its facts imply (the transition function compares it with `state`). */
  derivedState(): InstanceState {
    if (this.draining) return 'draining';
    if (this.ejection) return 'ejected';
    return this.health;
  }
}
