/**
 * Options: what users pass to `createBalancer`. Every field is optional unless stated; the
 * resolved, validated and frozen form is in `config.ts` (`...Config` types).
 * Defaults follow Envoy's unless a comment says why not. The sections of a service that have a
 * concept of their own are in files beside this one (`retry-options.ts`, `health-options.ts`,
 * `outlier-options.ts`, `hedge-options.ts`, `limits-options.ts`, `subset-options.ts`,
 * `zone-options.ts`); the balancer's, the instances', the hash key, panic and slow start are here.
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import type { Strategy, StrategyName } from '../strategies/strategy.js';
import type { DiscoverySource } from '../discovery/source.js';
import type { HealthCheckOptions } from './health-options.js';
import type { HedgeOptions } from './hedge-options.js';
import type { LimitsOptions } from './limits-options.js';
import type { OutlierDetectionOptions } from './outlier-options.js';
import type { RetryOptions } from './retry-options.js';
import type { SubsetOptions } from './subset-options.js';
import type { ZoneAwareOptions } from './zone-options.js';

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
