/**
 * The balancer configuration the benchmarks use: the defaults, plus what a user would turn on
 * for a fleet that may hang or crash (active health checks at their default settings, and a
 * per-attempt timeout so that a hung instance costs one attempt, not the caller's deadline).
 * Both the overhead and the fault runs use it, so the overhead figure is the cost users pay.
 */
import { createBalancer, type Balancer, type ServiceOptions, type StrategyName } from '@datapunk/balancer';

/** The logical service name; requests go to `http://orders/...`. */
export const SERVICE = 'orders';
export const SERVICE_ORIGIN = `http://${SERVICE}`;

/** Header carrying the hash key, for ring-hash and maglev. */
export const HASH_HEADER = 'x-user-id';

/** Per-attempt timeout, ms: also HAProxy's `timeout server` and the others' `headersTimeout`. */
export const PER_ATTEMPT_TIMEOUT_MS = 250;

/** The service options, as a user would write them (shown in RESULTS.md). */
export function serviceOptions(urls: readonly string[], strategy: StrategyName, extra: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    instances: [...urls],
    strategy,
    healthCheck: { path: '/health' },
    retry: { perAttemptTimeoutMs: PER_ATTEMPT_TIMEOUT_MS },
    ...(strategy === 'ring-hash' || strategy === 'maglev' ? { hashKey: { header: HASH_HEADER } } : {}),
    ...extra,
  };
}

/** The same, as text for the report. */
export const CONFIG_TEXT =
  `{ strategy, healthCheck: { path: '/health' }, retry: { perAttemptTimeoutMs: ${PER_ATTEMPT_TIMEOUT_MS} } }` +
  ` (+ hashKey: { header: '${HASH_HEADER}' } for ring-hash and maglev); everything else default`;

export function userBalancer(urls: readonly string[], strategy: StrategyName = 'peak-ewma', extra: Partial<ServiceOptions> = {}): Balancer {
  return createBalancer({ services: { [SERVICE]: serviceOptions(urls, strategy, extra) } });
}

/**
 * A change to the defaults measured beside them (never instead of them): the fault run shows
 * what it would buy, so that the proposal comes with its figure.
 */
export interface ProposedDefaults {
  readonly label: string;
  readonly options: Partial<ServiceOptions>;
  /** How the options read in the report (a strategy object does not serialise). */
  readonly text: string;
}

/** Envoy's 10% lets a fleet of 8 eject one instance at a time; the panic threshold (50%) already bounds ejection. */
export const PROPOSED_MAX_EJECTION: ProposedDefaults = {
  label: 'maxEjectionPercent 50 (proposed default)',
  options: { outlierDetection: { maxEjectionPercent: 50 } },
  text: 'outlierDetection: { maxEjectionPercent: 50 }',
};
