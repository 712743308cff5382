/**
 * What a service reports as it works. Public events, logs and metrics each implement this
 * interface; the service calls one fan-out, so it never knows who is listening.
 */
import type { CircuitReason, UnavailableReason } from '../errors.js';
import type { EjectionReason, Instance, InstanceState } from '../instance/instance.js';
import type { LoadReportResult } from '../load/load-report.js';
import type { Outcome } from '../outcome.js';

/** An instance's public state changed (`from: 'new'` when it joins, `to: 'removed'` when it leaves). */
export interface StateChangeEvent {
  readonly service: string;
  readonly instance: Instance;
  readonly from: InstanceState | 'new';
  /** `'removed'` when a drained instance is forgotten. */
  readonly to: InstanceState | 'removed';
  /** Why, e.g. `consecutive-failures`, `ejection-expired`, `health-check-failed`, `discovery-removed`. */
  readonly reason: string;
}

/** Outlier detection ejected an instance, or would have (`enforced: false` with the reason it did not). */
export interface EjectionEvent {
  readonly service: string;
  readonly instance: Instance;
  readonly reason: EjectionReason;
  /** False for a dry run (enforcing percentage) or when the max ejection share refused it. */
  readonly enforced: boolean;
  /** Why it was not enforced: `dry-run` or `max-ejection-percent`. */
  readonly skipped?: 'dry-run' | 'max-ejection-percent';
  /** Ejection time, ms (0 when not enforced). */
  readonly durationMs: number;
  /** Ejections in a row, including this one. */
  readonly timesEjected: number;
}

/** A service entered or left panic (too few healthy instances: it balances over all of them). */
export interface PanicEvent {
  readonly service: string;
  /** True when panic starts, false when it ends. */
  readonly panic: boolean;
  readonly healthy: number;
  /** Instances not draining. */
  readonly total: number;
}

/** An attempt ended: its instance, outcome and latency. */
export interface AttemptEvent {
  readonly service: string;
  readonly instance: Instance;
  readonly outcome: Outcome;
  readonly latencyMs: number;
  /** HTTP method, when the caller said. */
  readonly method: string | undefined;
}

/** No instance could be picked for a call, and why. */
export interface PickFailedEvent {
  readonly service: string;
  /** No instance available, or a circuit breaker (`limits`) refused the request. */
  readonly reason: UnavailableReason | CircuitReason;
}

/** A discovery or static list was applied: how many instances joined, left, changed or were rejected. */
export interface MembershipEvent {
  readonly service: string;
  readonly added: number;
  readonly removed: number;
  readonly updated: number;
  /** Entries skipped as invalid, with their problems. */
  readonly rejected: readonly { readonly path: string; readonly message: string }[];
  readonly source: string;
}

/** A discovery source failed to refresh; the last good list is kept. */
export interface DiscoveryErrorEvent {
  readonly service: string;
  readonly source: string;
  readonly error: unknown;
  /** Instances still in use from the last good list. */
  readonly kept: number;
}

/** A call is retried on another instance. */
export interface RetryEvent {
  readonly service: string;
  /** Retry number, 1 for the first retry. */
  readonly retry: number;
  readonly delayMs: number;
  /** The outcome that caused it (status or failure kind). */
  readonly cause: string;
}

/** A retryable attempt was not retried, and why (budget, max retries, no other instance, body). */
export interface RetryRefusedEvent {
  readonly service: string;
  readonly reason: 'budget' | 'max-retries' | 'no-other-instance' | 'retry-after-too-long' | 'circuit-open';
}

/** A hedge (an extra attempt racing the first) was sent or won. */
export interface HedgeEvent {
  readonly service: string;
  /** The attempt's index in its call (1 for the first hedge). */
  readonly attempt: number;
}

/** A hedge was not sent. */
export interface HedgeRefusedEvent {
  readonly service: string;
  /**
   * `budget`: the hedge budget is spent; `no-other-instance`: every instance was tried;
   * `circuit-open`: the circuit breakers (`limits`) admit no extra attempt now.
   */
  readonly reason: 'budget' | 'no-other-instance' | 'circuit-open';
}

/** A health check finished: passed or why not, and how long it took. */
export interface HealthCheckEvent {
  readonly service: string;
  readonly instance: Instance;
  readonly passed: boolean;
  readonly durationMs: number;
  /** Why it failed: `status 500`, `timeout`, `ECONNREFUSED`... */
  readonly detail: string | undefined;
  /** Passes or failures in a row, including this one. */
  readonly streak: number;
}

/** A strategy threw while building its picker; uniform random picks stand in until the next rebuild. */
export interface StrategyErrorEvent {
  readonly service: string;
  readonly strategy: string;
  /** What `build` threw; a uniform random picker is used until the next rebuild. */
  readonly error: unknown;
}

/**
 * A response or a health check carried a load report (`endpoint-load-metrics`, a custom check's
 * `loadReport`), read because the service's strategy takes them (`weighted-least-load`). Only
 * `accepted` ones reach the strategy.
 */
export interface LoadReportEvent {
  readonly service: string;
  readonly instance: Instance;
  readonly result: LoadReportResult;
  /** Why it was ignored (`invalid`, `unsupported`); never the header's own text. */
  readonly detail?: string;
}

/** Every method is optional so partial observers are easy to write. */
export interface ServiceObserver {
  stateChanged?(event: StateChangeEvent): void;
  ejection?(event: EjectionEvent): void;
  panicChanged?(event: PanicEvent): void;
  attemptEnded?(event: AttemptEvent): void;
  pickFailed?(event: PickFailedEvent): void;
  membershipChanged?(event: MembershipEvent): void;
  discoveryFailed?(event: DiscoveryErrorEvent): void;
  retried?(event: RetryEvent): void;
  retryRefused?(event: RetryRefusedEvent): void;
  /** A hedge (an extra attempt of a call whose first has not answered) was sent. */
  hedged?(event: HedgeEvent): void;
  /** A hedge's response won its race (the caller gets it). */
  hedgeWon?(event: HedgeEvent): void;
  /** A hedge was due but not sent. */
  hedgeRefused?(event: HedgeRefusedEvent): void;
  healthChecked?(event: HealthCheckEvent): void;
  strategyFailed?(event: StrategyErrorEvent): void;
  /** A response's load report was read (and, when accepted, handed to the strategy). */
  loadReported?(event: LoadReportEvent): void;
}

type Method = keyof ServiceObserver;
const METHODS: readonly Method[] = [
  'stateChanged',
  'ejection',
  'panicChanged',
  'attemptEnded',
  'pickFailed',
  'membershipChanged',
  'discoveryFailed',
  'retried',
  'retryRefused',
  'hedged',
  'hedgeWon',
  'hedgeRefused',
  'healthChecked',
  'strategyFailed',
  'loadReported',
];

/**
 * Combines observers into one whose methods call each observer that implements them. Methods no
 * observer implements are left undefined, so callers skip building the event (`obs.x?.(...)`).
 */
export function fanOut(observers: readonly ServiceObserver[]): ServiceObserver {
  const out: Record<string, (event: never) => void> = {};
  for (const method of METHODS) {
    const fns = observers.flatMap((o) => {
      const fn = o[method] as ((event: never) => void) | undefined;
      return fn ? [fn.bind(o)] : [];
    });
    if (fns.length === 1) out[method] = fns[0]!;
    else if (fns.length > 1) {
      out[method] = (event: never) => {
        for (const fn of fns) fn(event);
      };
    }
  }
  return out as ServiceObserver;
}

/**
 * A fan-out that can change: the object stays the same (the service, its calls and its health
 * checker hold it), its methods are replaced by `set`, so observers added later (`observe()`)
 * reach every holder, and a method nobody implements stays undefined (costs nothing).
 */
export class ObserverHub {
  readonly observer: ServiceObserver = {};

  constructor(parts: readonly ServiceObserver[]) {
    this.set(parts);
  }

  set(parts: readonly ServiceObserver[]): void {
    const next = fanOut(parts) as Record<string, unknown>;
    const target = this.observer as Record<string, unknown>;
    for (const method of METHODS) {
      if (next[method] === undefined) delete target[method];
      else target[method] = next[method];
    }
  }
}

/** `observer` with every method guarded: a throwing user observer must not break balancing. */
export function guarded(observer: ServiceObserver): ServiceObserver {
  const out: Record<string, (event: never) => void> = {};
  for (const method of METHODS) {
    const fn = observer[method] as ((event: never) => void) | undefined;
    if (!fn) continue;
    out[method] = (event: never) => {
      try {
        fn.call(observer, event);
      } catch {
        // An observer's bug must not break load balancing.
      }
    };
  }
  return out as ServiceObserver;
}
