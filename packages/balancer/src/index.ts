/**
 * @datapunk/balancer: client-side load balancing core for Node HTTP clients.
 *
 * The main entry is what applications need: create a balancer, configure services, pick
 * strategies by name and discovery, read snapshots and events, handle errors (`instanceof` works
 * across duplicate installs). What adapter and discovery-source authors need (the call and
 * attempt lifecycle) is in `@datapunk/balancer/adapter`; the strategy factories and what a
 * strategy of your own implements are in `@datapunk/balancer/strategies`; test helpers are in
 * `@datapunk/balancer/testing`. Every export is named here (no `export *`).
 */
export { createBalancer } from './balancer.js';
export type { Balancer, BalancerObserver } from './balancer.js';
export type {
  BalancerOptions,
  HashKeyRequest,
  HealthCheckOptions,
  HedgeBudgetOptions,
  HedgeOptions,
  InstanceEntry,
  LearnedTimeoutOptions,
  LimitsOptions,
  OutlierDetectionOptions,
  RetryOptions,
  ServiceOptions,
  SubsetOptions,
  ZoneAwareOptions,
} from './config/options.js';
export {
  AttemptTimeoutError,
  BalancerConfigError,
  BalancerError,
  CircuitOpenError,
  ErrorCodes,
  NoAvailableInstanceError,
  SchemeMismatchError,
  isBalancerError,
} from './errors.js';
export type { CircuitReason, ConfigIssue, ErrorCode, UnavailableReason } from './errors.js';
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
export type { Runtime } from './runtime.js';
export type { EjectionEvent, PanicEvent, StateChangeEvent } from './service/observer.js';
export type { BalancerSnapshot, InstanceSnapshot } from './service/snapshot.js';
export type { Strategy, StrategyName } from './strategies/strategy.js';
