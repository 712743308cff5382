/**
 * A scenario: a small typed description of a fleet, its callers, and what goes wrong when.
 * Scenarios are plain data (plus an optional function for per-client service options), written
 * as a TypeScript file that default-exports `defineScenario({...})`.
 */
import type { HealthCheckOptions, ServiceOptions } from '@datapunk/balancer';
import type { LatencySpec } from '@datapunk/testkit';

/** A service-time distribution, ms: testkit's latency specs, plus the exponential. */
export type ServiceTime = LatencySpec | { readonly kind: 'exponential'; readonly meanMs: number };

/** A group of identical instances. */
export interface InstanceGroup {
  readonly count: number;
  readonly zone?: string;
  /** Requests served at once. Default 16. */
  readonly workers?: number;
  /** Requests waiting for a worker; one more is answered 503 at once (load shedding). Default 128. */
  readonly queue?: number;
  /** Time a worker spends on a request. Default lognormal, median 10 ms, sigma 0.4. */
  readonly serviceMs?: ServiceTime;
  /** Weight announced to discovery. Default 1. */
  readonly weight?: number;
}

/** A group of identical callers, each with its own balancer. */
export interface ClientGroup {
  readonly count: number;
  readonly zone?: string;
  /** Open-loop arrivals per client per second (Poisson). */
  readonly ratePerS: number;
  /** The caller's own deadline, ms: past it the call is abandoned (not the instance's fault). Default 5,000. */
  readonly timeoutMs?: number;
}

/** Instances a fault applies to: indexes in fleet order, a range, a zone, or all. */
export type InstanceSelector =
  | number
  | readonly number[]
  | { readonly from: number; readonly to: number }
  | { readonly zone: string; readonly count?: number }
  /** `sample` slots drawn at random (seeded), e.g. 10% of the fleet. */
  | { readonly sample: number }
  | 'all';

interface FaultWindow {
  readonly instances: InstanceSelector;
  /** Start, seconds of simulated time. */
  readonly fromS: number;
  /** End (exclusive), seconds. */
  readonly toS: number;
}

/** A fault on some instances during a window. */
export type Fault =
  /** Service time x `factor`. */
  | (FaultWindow & { readonly kind: 'slow'; readonly factor: number })
  /**
   * A share of requests answered `status` (default 503) after `latencyMs` (default 1) of a worker.
   * `health: 'pass'` (default) keeps the health path answering, as when a shared dependency fails.
   */
  | (FaultWindow & { readonly kind: 'errors'; readonly rate: number; readonly status?: number; readonly latencyMs?: number; readonly health?: 'pass' | 'fail' })
  /** The process is down (connections refused; in-flight requests reset), restarted at `toS`, cold. */
  | (FaultWindow & { readonly kind: 'crash' })
  /** Requests and health probes are accepted and never answered. */
  | (FaultWindow & { readonly kind: 'hang' })
  /** Alternates `upS` up and `downS` crashed, starting up. */
  | (FaultWindow & { readonly kind: 'flap'; readonly upS: number; readonly downS: number });

/**
 * Fleet changes through discovery. `deploy` is a rolling restart: batches of `batch` instances,
 * one every `intervalS`; each old instance leaves discovery (clients drain it), its replacement
 * (a new address) joins `startupS` later and is cold for `warmupS` (service time x `coldFactor`,
 * easing to x1). With `replace: false` instances restart in place (same address: clients see
 * refused connections for `startupS`).
 */
export type FleetEvent =
  | {
      readonly kind: 'deploy';
      readonly atS: number;
      readonly batch: number;
      readonly intervalS: number;
      readonly startupS?: number;
      readonly warmupS?: number;
      readonly coldFactor?: number;
      readonly replace?: boolean;
    }
  | { readonly kind: 'remove'; readonly atS: number; readonly instances: InstanceSelector }
  | { readonly kind: 'add'; readonly atS: number; readonly group: InstanceGroup };

/** What a per-client options function sees. */
export interface ClientInfo {
  readonly index: number;
  readonly count: number;
  readonly zone: string | undefined;
}

/** Service options the scenario may set (instances, discovery and health checks are the simulator's). */
export type ScenarioServiceOptions = Omit<ServiceOptions, 'instances' | 'discovery' | 'healthCheck'>;

/** A scenario: the fleet, the clients, the arrivals and the script of faults to simulate. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Seed of every random stream. Default 1. */
  readonly seed?: number;
  readonly durationS: number;
  readonly clients: ClientGroup | readonly ClientGroup[];
  readonly fleet: InstanceGroup | readonly InstanceGroup[];
  /** Round trips, ms: within a zone (default 0.5), and the extra across zones (default 1.5). */
  readonly network?: { readonly rttMs?: number; readonly crossZoneRttMs?: number };
  /** Discovery updates reach each client after a random delay up to `delayMs` (default 1,000). */
  readonly discovery?: { readonly delayMs?: number };
  /** Active health checks (the simulator supplies `check`). Off unless given. */
  readonly healthCheck?: Omit<HealthCheckOptions, 'check'>;
  /** Service options of every client, or a function of the client. */
  readonly service?: ScenarioServiceOptions | ((client: ClientInfo) => ScenarioServiceOptions);
  /**
   * Subsetting: `deterministic` uses the core's `subset` option (clients indexed 0..n-1);
   * `random` gives each client a random slice through discovery (the SRE book's baseline).
   */
  readonly subset?: { readonly size: number; readonly mode?: 'deterministic' | 'random' };
  /** Zone-aware routing with the callers' real spread over zones. */
  readonly zoneAware?: boolean | { readonly minClusterSize?: number };
  readonly faults?: readonly Fault[];
  readonly events?: readonly FleetEvent[];
  /**
   * Times (s) at which every client's instance table is read (`balancer.snapshot()`): the result
   * then gives clients per instance and, from the second time on, how much of each client's
   * table changed since the previous time (subset churn).
   */
  readonly membershipAtS?: readonly number[];
  /** Instances drawn one by one in the report (default: the faulty ones, up to 8). */
  readonly highlight?: readonly number[];
}

/** Identity function that gives a scenario file its type. */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}

export const asList = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? (value as readonly T[]) : [value as T]);
