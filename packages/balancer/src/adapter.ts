/**
 * @datapunk/balancer/adapter: what an adapter (a client integration) needs. An adapter starts a
 * call with `balancer.call(request)`, sends each attempt to `attempt.target`, reports the raw
 * facts its client saw (`attempt.headers()`, `attempt.end()`) and obeys the decisions. It never
 * decides who is to blame, whether to retry or how long to wait: the core does, the same way for
 * every client.
 */
export type { Attempt } from './attempt/attempt.js';
export { isOtherAttempt } from './attempt/attempt.js';
export type { AttemptFacts, CancelledBy, HeaderReader, HeaderSource, RawHeaders, RequestBodyFacts, ResponseFacts } from './attempt/facts.js';
export type { AttemptTarget } from './attempt/target.js';
export type { Call, CallRequest, Refusal } from './call.js';
export type { NoRetryReason, RetryDecision } from './retry/policy.js';
export { isReplayableBody } from './attempt/request-body.js';

// For discovery sources (etcd, your own): what they report to, entries parsed as the core does,
// problems with their own options (`ConfigIssue`, as `BalancerConfigError.issues` lists them),
// the injected clock and timers (`Runtime`, which `balancer.runtime` is) and the core's defaults.
export type { DiscoveryIssue, DiscoverySink } from './discovery/source.js';
export { parseInstanceEntry } from './instance/entry.js';
export type { InstanceSpec } from './instance/entry.js';
export type { ConfigIssue } from './errors.js';
export { realRuntime } from './runtime.js';
export type { Runtime, Timer, TimerOptions } from './runtime.js';
export { errorFields, errorForLog, LOG_NAMESPACE, namespacedLogger, silentLogger } from './logger.js';
export { redactText, redactUrl } from './redact.js';
