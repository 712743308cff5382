/**
 * @datapunk/balancer: client-side load balancing core for Node HTTP clients.
 * Explicit public surface: every export is named here.
 */
export { createBalancer } from './balancer.js';
export type { Balancer } from './balancer.js';
export { Attempt, Call, isReplayableBody } from './call.js';
export type { AttemptResult, CallRequest, NextAttempt } from './call.js';
export type {
  BalancerOptions,
  DetectorOptions,
  FailurePercentageOptions,
  HashKeyOption,
  HashKeyRequest,
  HealthCheckOptions,
  InstanceEntry,
  InstanceOptions,
  MetricsOptions,
  OutlierDetectionOptions,
  PanicOptions,
  RetryBudgetOptions,
  RetryOptions,
  ServiceOptions,
  SlowStartOptions,
  SubsetOptions,
  SuccessRateOptions,
  ZoneAwareOptions,
} from './config/options.js';
export type { BalancerConfig, ServiceConfig, RetryConfig, HealthCheckConfig, OutlierDetectionConfig } from './config/config.js';
export {
  AttemptTimeoutError,
  BalancerConfigError,
  BalancerError,
  ErrorCodes,
  NoAvailableInstanceError,
  isAttemptTimeoutError,
  isBalancerConfigError,
  isBalancerError,
  isNoAvailableInstanceError,
} from './errors.js';
export type { ConfigIssue, ErrorCode, UnavailableReason } from './errors.js';
export type { Disposable, Event } from './events.js';
export type { DiscoveryIssue, DiscoverySink, DiscoverySource } from './discovery/source.js';
export { staticDiscovery } from './discovery/static.js';
export type { StaticDiscovery } from './discovery/static.js';
export { dnsDiscovery, type DnsAddressRecord, type DnsAddressType, type DnsDiscovery, type DnsDiscoveryConfig, type DnsDiscoveryOptions, type DnsDiscoveryStats, type DnsRecordType, type DnsResolver, type DnsSrvRecord } from './discovery/dns.js';
export type { HealthCheckFunction, HealthCheckTarget } from './health/check.js';
export { HealthCheckFailure } from './health/failure.js';
export { httpCheck } from './health/http-check.js';
export type { HttpCheckConfig } from './health/http-check.js';
export type { EjectionReason, Instance, InstanceState } from './instance/instance.js';
export { parseInstanceEntry } from './instance/entry.js';
export type { InstanceSpec } from './instance/entry.js';
export { errorFields, silentLogger } from './logger.js';
export { ATTRIBUTES, DURATION_BUCKETS_S, INSTRUMENTS } from './metrics/instruments.js';
export type { AttributeKey, InstrumentKind, InstrumentSpec } from './metrics/instruments.js';
export { metricsTableMarkdown } from './metrics/markdown.js';
export type { Logger } from './logger.js';
export { classifyError, isGatewayFailure, isInstanceFailure, outcomeFromError } from './outcome.js';
export type { FailureKind, Outcome } from './outcome.js';
export { fullJitterBackoffMs, parseRetryAfterMs } from './retry/backoff.js';
export { isIdempotent } from './retry/policy.js';
export type { NoRetryReason, RetryDecision } from './retry/policy.js';
export { delay, realRuntime } from './runtime.js';
export type { Runtime, Timer, TimerOptions } from './runtime.js';
export type { NoInstance, PickedInstance, PickResult } from './service/lease.js';
export type {
  AttemptEvent,
  DiscoveryErrorEvent,
  EjectionEvent,
  HealthCheckEvent,
  MembershipEvent,
  PanicEvent,
  PickFailedEvent,
  RetryEvent,
  RetryRefusedEvent,
  StateChangeEvent,
} from './service/observer.js';
export type { BalancerSnapshot, InstanceSnapshot, ServiceSnapshot } from './service/snapshot.js';
export {
  createStrategy,
  isStrategy,
  leastRequest,
  maglev,
  peakEwma,
  randomStrategy,
  ringHash,
  roundRobin,
  STRATEGY_NAMES,
  weightedRoundRobin,
} from './strategies/index.js';
export type { PickContext, Picker, Strategy, StrategyBuildContext, StrategyEndpoint, StrategyName, StrategySample } from './strategies/strategy.js';
