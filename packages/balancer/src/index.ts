/**
 * @datapunk/balancer: client-side load balancing core for Node HTTP clients.
 *
 * The main entry is what applications need: create a balancer, configure services (the option
 * sections users build on their own are named; the others are `ServiceOptions['panic']` and
 * the like), pick strategies by name and discovery, read snapshots and events (`observe()`,
 * every event by method name in `BalancerEvents`), handle errors (`instanceof` works across
 * duplicate installs). What adapter and discovery-source authors need (the call and attempt
 * lifecycle, the injected `Runtime`, what a source reports to) is in `@datapunk/balancer/adapter`;
 * the strategy factories and what a strategy of your own implements (`Strategy`) are in
 * `@datapunk/balancer/strategies`; test helpers are in `@datapunk/balancer/testing`. Every export
 * is named here (no `export *`).
 */
export { createBalancer } from './balancer.js';
export type { Balancer, BalancerEvents, BalancerObserver } from './balancer.js';
export type { BalancerOptions, InstanceEntry, ServiceOptions } from './config/options.js';
export type { HealthCheckOptions } from './config/health-options.js';
export type { HedgeOptions } from './config/hedge-options.js';
export type { LimitsOptions } from './config/limits-options.js';
export type { OutlierDetectionOptions } from './config/outlier-options.js';
export type { RetryOptions } from './config/retry-options.js';
export type { SubsetOptions } from './config/subset-options.js';
export type { ZoneAwareOptions } from './config/zone-options.js';
export {
  AttemptTimeoutError,
  BalancerConfigError,
  BalancerError,
  CircuitOpenError,
  ErrorCodes,
  NoAvailableInstanceError,
  SchemeMismatchError,
} from './errors.js';
export type { CircuitReason, ErrorCode, UnavailableReason } from './errors.js';
export type { Disposable } from './events.js';
export type { DiscoverySource } from './discovery/source.js';
export { staticDiscovery } from './discovery/static.js';
export { dnsDiscovery, type DnsDiscoveryOptions } from './discovery/dns.js';
export type { HealthCheckFunction, HealthCheckResult, HealthCheckTarget } from './health/check.js';
export { HealthCheckFailure } from './health/failure.js';
export type { Instance, InstanceState } from './instance/instance.js';
export type { Logger } from './logger.js';
export { INSTRUMENTS } from './metrics/instruments.js';
export type { RequestOverrides } from './request-overrides.js';
export type { BalancerSnapshot, InstanceSnapshot } from './service/snapshot.js';
export type { StrategyName } from './strategies/strategy.js';
