/**
 * @datapunk/balancer/testing: test helpers for code built on `@datapunk/balancer` (a
 * deterministic runtime, seeded randomness, a direct pick) and the internals the project's own
 * cross-package tests and benchmarks reach for. Not for production code.
 */
export { createFakeRuntime } from './fake-runtime.js';
export type { FakeRuntime, FakeRuntimeOptions } from './fake-runtime.js';
export { seededRandom } from './random.js';
export { pickFrom } from './pick.js';
export type { TestPick } from './pick.js';
export { realRuntime, delay } from '../runtime.js';
export type { Runtime, Timer, TimerOptions } from '../runtime.js';
export { TimerHeap } from '../timer-heap.js';
export type { TimerHeapEntry } from '../timer-heap.js';
export { classifyError, isGatewayFailure, isInstanceFailure, outcomeFromError } from '../outcome.js';
export type { FailureKind, Outcome } from '../outcome.js';
export { isReplayableBody } from '../attempt/request-body.js';
export { fullJitterBackoffMs, parseRetryAfterMs } from '../retry/backoff.js';
export { isIdempotent } from '../retry/policy.js';
export { parseInstanceEntry } from '../instance/entry.js';
export type { InstanceSpec } from '../instance/entry.js';
export { errorFields, silentLogger } from '../logger.js';
export { ATTRIBUTES, DURATION_BUCKETS_S } from '../metrics/instruments.js';
export type { AttributeKey, InstrumentKind, InstrumentSpec } from '../metrics/instruments.js';
export { metricsTableMarkdown } from '../metrics/markdown.js';
export { createStrategy, isStrategy, STRATEGY_NAMES } from '../strategies/index.js';
export type { StrategyBuildContext } from '../strategies/strategy.js';
export type { ServiceSnapshot } from '../service/snapshot.js';
export type { DnsResolver } from '../discovery/dns.js';
