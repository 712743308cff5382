/**
 * Options: what users pass to `createBalancer`. Every field is optional unless stated; the
 * resolved, validated and frozen form is in `config.ts` (`...Config` types).
 * Defaults follow Envoy's unless a comment says why not.
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import type { Strategy, StrategyName } from '../strategies/strategy.js';
import type { DiscoverySource } from '../discovery/source.js';
import type { HealthCheckFunction } from '../health/check.js';
import type { LearnedTimeoutOptions } from './deadline-options.js';
import type { LimitsOptions } from './limits-options.js';
import type { OutlierDetectionOptions } from './outlier-options.js';

export type { LearnedTimeoutOptions } from './deadline-options.js';
export type { LimitsOptions } from './limits-options.js';

export type { DetectorOptions, FailurePercentageOptions, OutlierDetectionOptions, SuccessRateOptions } from './outlier-options.js';

/** Options of `createBalancer`: the services and what is shared by all of them. */
export interface BalancerOptions {
  /** Target services by name. The name is the host used in logical URLs (`http://orders/...`). */
  readonly services: Readonly<Record<string, ServiceOptions>>;
  /** pino-compatible logger. Silent by default. */
  readonly logger?: Logger;
  /**
   * OpenTelemetry meter provider. Defaults to the global one from `@opentelemetry/api`, looked up
   * again at each event, so an SDK registered after the balancer was created is used from then on.
   */
  readonly meterProvider?: MeterProvider;
  /** Metric options. */
  readonly metrics?: MetricsOptions;
  /** Clock, timers and randomness. Defaults to the real ones; tests pass a fake. */
  readonly runtime?: Runtime;
  /**
   * The caller's zone (where this process runs), e.g. `'eu-west-1a'`. Used by `zoneAware`
   * routing and by the `datapunk.balancer.zone.requests` metric (local vs cross-zone). Default: none.
   */
  readonly zone?: string;
}

export interface MetricsOptions {
  /**
   * Adds the instance to per-instance metrics as the HTTP client conventions' `server.address`,
   * `server.port` and `url.scheme`. Turn off when a service has many instances, to bound cardinality. Default `true`.
   */
  readonly perInstance?: boolean;
}

/** An instance as given in `instances`: an origin string, or an object. */
export type InstanceEntry = string | InstanceOptions;

export interface InstanceOptions {
  /** Origin of the instance: `http(s)://host:port`, no path, query or fragment. */
  readonly url: string;
  /** Relative weight, an integer from 1 to 10,000. Default 1. */
  readonly weight?: number;
  /** Locality label: shown in snapshots and logs, used by `zoneAware` routing. */
  readonly zone?: string;
  /** Free-form string labels, informational. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Where a request's hash key (for ring-hash and maglev) comes from. */
export type HashKeyOption =
  | { readonly header: string }
  | ((request: HashKeyRequest) => string | undefined);

/** What a hash key function sees of a request. */
export interface HashKeyRequest {
  readonly method: string;
  readonly url: URL;
  /** Reads a request header by (case-insensitive) name. */
  header(name: string): string | undefined;
}

/** One service's options (`services.<name>`): where its instances come from and how calls to it are balanced. */
export interface ServiceOptions {
  /** Static instance list. Either this or `discovery` is required. */
  readonly instances?: readonly InstanceEntry[];
  /** A discovery source delivering instance lists over time (DNS, etcd, custom). */
  readonly discovery?: DiscoverySource;
  /**
   * How an instance is chosen: a built-in name or a `Strategy` object. Default `'peak-ewma'`:
   * Finagle's and Linkerd's default, because it steers away from slow and failing instances
   * before outlier detection has enough evidence to eject them (Envoy's round robin does not).
   */
  readonly strategy?: StrategyName | Strategy;
  /** Per-request hash key for ring-hash and maglev. Without it those strategies pick at random. */
  readonly hashKey?: HashKeyOption;
  /** Active health checking. Off unless given. */
  readonly healthCheck?: HealthCheckOptions | false;
  /** Passive outlier detection. On by default; `false` turns it off. */
  readonly outlierDetection?: OutlierDetectionOptions | false;
  /** Panic threshold behaviour. */
  readonly panic?: PanicOptions;
  /** Slow start for instances that join or recover. Off unless `windowMs` > 0. */
  readonly slowStart?: SlowStartOptions;
  /** Retry policy. On by default (one retry on another instance); `false` turns it off. */
  readonly retry?: RetryOptions | false;
  /**
   * Hedged requests: for idempotent requests whose body can be sent again, an extra attempt goes
   * to another instance when the first has not answered (response headers) after a delay; the
   * first response wins and the others are cancelled, never blamed. Off by default; `true` is
   * `{}` (the p98 of recent latency, two attempts, a 3% budget).
   */
  readonly hedge?: HedgeOptions | boolean;
  /** How long a removed instance may keep in-flight requests before it is forgotten, ms. Default 30,000. */
  readonly drainTimeoutMs?: number;
  /**
   * Host header (and TLS servername) sent to the instance: `'instance'` sends the instance's own
   * host:port, as a direct call would; `'service'` keeps the service name (for virtual-hosted
   * backends). Default `'instance'`.
   */
  readonly hostHeader?: 'instance' | 'service';
  /**
   * Lets a logical `https://` URL go to an `http://` instance (plain text). Off by default: such
   * a request fails with `ERR_SCHEME_MISMATCH` and nothing is sent, because the caller asked for
   * TLS. Turn it on where TLS ends before the instances (a sidecar, a private network).
   * Default false.
   */
  readonly allowSchemeDowngrade?: boolean;
  /**
   * Deterministic subsetting: balance over a stable slice of `size` instances of a large fleet
   * instead of all of them, so N clients x M instances do not make N x M connections. Off unless
   * given.
   */
  readonly subset?: SubsetOptions | false;
  /**
   * Zone-aware routing (Envoy's rule): keep requests in the balancer's `zone` while its healthy
   * instances can carry its callers, spill the rest to zones with spare capacity. Off unless given;
   * needs the balancer's `zone`.
   */
  readonly zoneAware?: ZoneAwareOptions | false;
  /**
   * Circuit breakers: attempts in flight, waiting for headers and retrying at once, per service
   * and per instance. On by default with Envoy's limits (1,024 / 1,024 / 3, none per instance);
   * `false` turns them off.
   */
  readonly limits?: LimitsOptions | false;
}

/** Deterministic subsetting (`services.<name>.subset`): this client balances over a stable slice of the instances. */
export interface SubsetOptions {
  /** Instances per client, an integer from 1 to 10,000. Required. */
  readonly size: number;
  /**
   * This client's identity. With `clientCount`, its index: an integer in [0, clientCount), which
   * spreads clients evenly (every instance gets the same number of clients, +-1). Without it, any
   * string or integer, hashed to a place on the ring (stable, balanced only statistically).
   * Default: `hostname:pid`, stable for the life of the process.
   */
  readonly clientId?: string | number;
  /** How many clients share the fleet (e.g. the replicas of this deployment). Default: unknown. */
  readonly clientCount?: number;
}

/** Zone-aware routing (`services.<name>.zoneAware`): keep traffic in the caller's zone while it has capacity. */
export interface ZoneAwareOptions {
  /**
   * How the callers of this service are spread over zones: a count (or any weight) per zone,
   * e.g. `{ a: 40, b: 40, c: 20 }` (Envoy's "local cluster"). Must include the balancer's own
   * zone. Required.
   */
  readonly callers: Readonly<Record<string, number>>;
  /** Healthy instances needed before routing by zone; below it every zone is used. Default 6 (Envoy). */
  readonly minClusterSize?: number;
}

export interface PanicOptions {
  /**
   * When the healthy share of non-draining instances falls below this percentage, the service
   * is in panic. 0 disables panic. Default 50 (Envoy).
   */
  readonly thresholdPercent?: number;
  /**
   * In panic: `'balance-all'` balances over every non-draining instance, healthy or not (Envoy);
   * `'fail-fast'` refuses with `ERR_NO_AVAILABLE_INSTANCE`. Default `'balance-all'`.
   */
  readonly mode?: 'balance-all' | 'fail-fast';
}

export interface SlowStartOptions {
  /** Ramp-up window, ms. 0 turns slow start off. Default 0 (Envoy: off unless configured). */
  readonly windowMs?: number;
  /** Curve: weight x max(minWeight, (t / window) ^ (1 / aggression)). Default 1.0 (linear). */
  readonly aggression?: number;
  /** Floor of the ramp as a percentage of the full weight, 1 to 100. Default 10. */
  readonly minWeightPercent?: number;
}

/** Retries of a service's calls on another instance (`services.<name>.retry`). */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). Default 1. */
  readonly maxRetries?: number;
  /** Response statuses worth retrying (idempotent methods only). Default [502, 503, 504]. */
  readonly retryOnStatuses?: readonly number[];
  /**
   * Retry non-idempotent methods (POST, PATCH) on retryable statuses, resets and timeouts too.
   * Connection failures are always retried, whatever the method: the request never left.
   * Default false.
   */
  readonly retryNonIdempotent?: boolean;
  /** First backoff ceiling, ms; delay = random(0, min(max, base x 2^retry)). Default 25. */
  readonly backoffBaseMs?: number;
  /** Backoff cap, ms. Default 250. */
  readonly backoffMaxMs?: number;
  /**
   * A Retry-After longer than this (ms) stops retrying; shorter ones are waited for. Default 1,000.
   */
  readonly retryAfterMaxMs?: number;
  /**
   * Per-attempt timeout, ms: an attempt without response headers after this long is abandoned,
   * its instance blamed (a timeout), and it may be retried elsewhere. `0` or `false` turns the
   * attempt deadline off. Default: learned from the service's latency (`learnedTimeout`).
   */
  readonly perAttemptTimeoutMs?: number | false;
  /**
   * The default attempt deadline, used when `perAttemptTimeoutMs` is not configured:
   * clamp(p99 of recent times to headers x 3, 1 s, 10 s), 10 s until 100 samples exist.
   */
  readonly learnedTimeout?: LearnedTimeoutOptions;
  /**
   * A one-shot request body (a stream; `fetch` sends every body as one) up to this many bytes is
   * copied as it is sent, so a retry can replay it; larger bodies are not retried once sent.
   * 0 disables the copy. Default 65,536 (Envoy buffers requests for retries the same way).
   */
  readonly bufferBodyBytes?: number;
  /** Retry budget: retries may be at most this share of requests. Off when `false`. */
  readonly budget?: RetryBudgetOptions | false;
}

/** Hedged requests of a service (`services.<name>.hedge`); every field optional, see each default. */
export interface HedgeOptions {
  /**
   * Fixed delay before an extra attempt, ms. Give this or `maxExtraLoad`, not both. Default:
   * none (the percentile mode).
   */
  readonly delayMs?: number;
  /**
   * The extra load hedging may add, as a fraction (0 < x <= 0.5): an extra attempt is sent once
   * the first has waited longer than the (1 - maxExtraLoad) quantile of the service's recent
   * response-header latency (0.01 is the p99), measured over `windowMs` and recomputed every
   * `refreshMs` (Finagle's BackupRequestFilter). No hedge is sent until the window holds
   * 10 / maxExtraLoad samples. Default 0.02 (p98).
   */
  readonly maxExtraLoad?: number;
  /** Attempts of one request in flight at once, the first included (2-5); each further one waits another delay. Default 2. */
  readonly maxAttempts?: number;
  /** Floor of the percentile delay, ms. Default 1. */
  readonly minDelayMs?: number;
  /** Latency window of the percentile mode, ms. Default 30,000 (Finagle). */
  readonly windowMs?: number;
  /** How often the percentile is recomputed, ms. Default 3,000 (Finagle). */
  readonly refreshMs?: number;
  /** Hedge budget: hedges may be at most this share of requests, so they stop under overload. `false` turns it off. */
  readonly budget?: HedgeBudgetOptions | false;
}

/** The hedge budget (`hedge.budget`): hedges at most a share of requests over a sliding window. */
export interface HedgeBudgetOptions {
  /** Hedges allowed as a percentage of requests in the window. Default 1.5 x maxExtraLoad (3% at 0.02), or 3 with `delayMs`. */
  readonly percent?: number;
  /** Hedges per second always allowed, whatever the traffic. Default 1. */
  readonly minHedgesPerSecond?: number;
  /** Sliding window, ms. Default 10,000. */
  readonly windowMs?: number;
}

export interface RetryBudgetOptions {
  /** Retries allowed as a percentage of requests in the window. Default 20 (Finagle, Envoy). */
  readonly percent?: number;
  /** Retries per second always allowed, whatever the traffic. Default 10 (Finagle). */
  readonly minRetriesPerSecond?: number;
  /** Sliding window, ms. Default 10,000 (Finagle). */
  readonly windowMs?: number;
}

/** Active health checks of a service's instances (`services.<name>.healthCheck`). */
export interface HealthCheckOptions {
  /** Path probed with HTTP. Default '/health'. Ignored when `check` is given. */
  readonly path?: string;
  /** HTTP method. Default 'GET'. */
  readonly method?: string;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses that pass, as numbers or [from, to] ranges. Default [[200, 299]]. */
  readonly expectedStatuses?: readonly (number | readonly [number, number])[];
  /** Interval between checks of a healthy instance, ms. Default 5,000. */
  readonly intervalMs?: number;
  /** Interval between checks of an unhealthy instance, ms. Default: `intervalMs`. */
  readonly unhealthyIntervalMs?: number;
  /** Per-check timeout, ms (aborts the probe). Default 1,000. */
  readonly timeoutMs?: number;
  /** Random jitter added to each interval, as a percentage of it (0-100). Default 10. */
  readonly jitterPercent?: number;
  /** Failed checks in a row that mark an instance unhealthy. Default 3 (HAProxy's fall). */
  readonly unhealthyThreshold?: number;
  /** Passed checks in a row that mark it healthy again. Default 2 (HAProxy's rise). */
  readonly healthyThreshold?: number;
  /** Response body bytes read before it is discarded. Default 65,536. */
  readonly maxBodyBytes?: number;
  /** Checks in flight at once per service. Default 16. */
  readonly maxConcurrent?: number;
  /** A passing check ends an outlier ejection. Default true. */
  readonly unejectOnPass?: boolean;
  /** State of a newly discovered instance until its first check. Default 'healthy'. */
  readonly initialState?: 'healthy' | 'unhealthy';
  /**
   * A custom check instead of HTTP: resolve to pass, reject to fail; honour `signal`. Resolve with
   * `{ loadReport }` to report the instance's load too (`HealthCheckResult`), for a service whose
   * strategy takes load reports. The default HTTP check reads the probe response's ORCA
   * `endpoint-load-metrics` header for such a service.
   */
  readonly check?: HealthCheckFunction;
}
