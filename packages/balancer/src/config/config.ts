/**
 * Resolved configuration: validated once, defaults applied with `??`, frozen. Types here end in
 * `Config` (what the balancer uses); `options.ts` has the `Options` users pass.
 */
import type { Strategy } from '../strategies/strategy.js';
import type { DiscoverySource } from '../discovery/source.js';
import type { HealthCheckFunction } from '../health/check.js';
import type { InstanceSpec } from '../instance/entry.js';
import type { SubsetConfig } from '../subset/subset.js';
import type { ZoneAwareConfig } from '../zones/zone-routing.js';
import type { HashKeyRequest } from './options.js';

export interface BalancerConfig {
  readonly services: ReadonlyMap<string, ServiceConfig>;
  readonly metrics: { readonly perInstance: boolean };
  /** The caller's zone, when configured. */
  readonly zone: string | undefined;
}

export interface ServiceConfig {
  readonly name: string;
  /** Static instances, or undefined when a discovery source is used. */
  readonly instances: readonly InstanceSpec[] | undefined;
  readonly discovery: DiscoverySource | undefined;
  readonly strategy: Strategy;
  readonly hashKey: ((request: HashKeyRequest) => string | undefined) | undefined;
  readonly healthCheck: HealthCheckConfig | undefined;
  readonly outlierDetection: OutlierDetectionConfig | undefined;
  readonly panic: PanicConfig;
  readonly slowStart: SlowStartConfig;
  readonly retry: RetryConfig;
  readonly drainTimeoutMs: number;
  readonly hostHeader: 'instance' | 'service';
  readonly allowSchemeDowngrade: boolean;
  /** undefined when subsetting is off. */
  readonly subset: SubsetConfig | undefined;
  /** undefined when zone-aware routing is off. */
  readonly zoneAware: ZoneAwareConfig | undefined;
  /** Circuit breakers; undefined when `limits: false`. */
  readonly limits: LimitsConfig | undefined;
}

/** Circuit breakers of a service (`limits`); Infinity where a limit is off. */
export interface LimitsConfig {
  readonly maxRequests: number;
  readonly maxPendingRequests: number;
  readonly maxRetries: number;
  readonly maxRequestsPerInstance: number;
}

export interface PanicConfig {
  readonly thresholdPercent: number;
  readonly mode: 'balance-all' | 'fail-fast';
}

export interface SlowStartConfig {
  /** 0 when off. */
  readonly windowMs: number;
  readonly aggression: number;
  /** Floor of the ramp as a fraction (0.01-1). */
  readonly minWeight: number;
}

export interface DetectorConfig {
  readonly threshold: number;
  readonly enforcingPercent: number;
}

export interface OutlierDetectionConfig {
  readonly consecutiveFailures: DetectorConfig | undefined;
  readonly consecutiveGatewayFailures: DetectorConfig | undefined;
  readonly successRate:
    | { readonly minimumHosts: number; readonly requestVolume: number; readonly stdevFactor: number; readonly enforcingPercent: number }
    | undefined;
  readonly failurePercentage:
    | { readonly threshold: number; readonly minimumHosts: number; readonly requestVolume: number; readonly enforcingPercent: number }
    | undefined;
  readonly intervalMs: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly ejectionJitterMs: number;
  readonly maxEjectionPercent: number;
}

export interface RetryConfig {
  /** 0 when retries are off. */
  readonly maxRetries: number;
  readonly retryOnStatuses: ReadonlySet<number>;
  readonly retryNonIdempotent: boolean;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly retryAfterMaxMs: number;
  /** The configured per-attempt timeout, ms; undefined when learned or off. */
  readonly perAttemptTimeoutMs: number | undefined;
  /** The learned default deadline; undefined when `perAttemptTimeoutMs` is configured or off. */
  readonly learnedTimeout: LearnedTimeoutConfig | undefined;
  readonly bufferBodyBytes: number;
  readonly budget: RetryBudgetConfig | undefined;
}

/** The learned attempt deadline (`retry.learnedTimeout`, see `attempt/learned-timeout.ts`). */
export interface LearnedTimeoutConfig {
  /** Percentile of recent times to headers, (0, 100]. */
  readonly percentile: number;
  readonly factor: number;
  /** Floor and ceiling of the bound, ms. */
  readonly minMs: number;
  readonly maxMs: number;
  /** Bound until `minSamples` samples exist, ms. */
  readonly initialMs: number;
  readonly minSamples: number;
  /** Samples kept (the most recent). */
  readonly windowSize: number;
  /** How often the bound is recomputed, ms. */
  readonly refreshMs: number;
}

export interface RetryBudgetConfig {
  readonly percent: number;
  readonly minRetriesPerSecond: number;
  readonly windowMs: number;
}

export interface HealthCheckConfig {
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Inclusive status ranges that pass. */
  readonly expectedStatuses: readonly (readonly [number, number])[];
  readonly intervalMs: number;
  readonly unhealthyIntervalMs: number;
  readonly timeoutMs: number;
  readonly jitterPercent: number;
  readonly unhealthyThreshold: number;
  readonly healthyThreshold: number;
  readonly maxBodyBytes: number;
  readonly maxConcurrent: number;
  readonly unejectOnPass: boolean;
  readonly initialState: 'healthy' | 'unhealthy';
  readonly check: HealthCheckFunction | undefined;
}

/** Deeply freezes plain data (not functions, sets, maps or class instances). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null || Array.isArray(value)) {
      Object.freeze(value);
      for (const v of Object.values(value)) deepFreeze(v);
    }
  }
  return value;
}
