/**
 * The metrics table: every instrument the balancer records, with its name, kind, unit and
 * attributes (Envoy's stat macro lists). The code creates instruments from this table only, the
 * README's metrics section is rendered from it (`metricsTableMarkdown`), and the tests check
 * that what is exported matches it.
 *
 * Naming follows the OpenTelemetry conventions: lowercase dot-separated namespaces under
 * `datapunk.balancer.`, UCUM units (never in names), no `_total`, counters of countable things
 * pluralised, UpDownCounters not (`.count`, `.active`). Attributes copy the HTTP client semantic
 * conventions where one exists (`http.request.method`, `http.response.status_code`,
 * `error.type`, and the instance as `server.address`, `server.port`, `url.scheme`); their names
 * are copied here, not imported, because the semantic-conventions package is not a dependency.
 * Enumerated values are spelled as in events and logs (`consecutive-failures`, `dry-run`).
 *
 * Instrument names stay in our namespace even where a convention exists: the attempt histogram
 * carries `http.client.request.duration`'s attributes and buckets, but an application that also
 * installs OpenTelemetry's HTTP or undici instrumentation already records that name for the same
 * requests, and a dashboard summing `http_client_request_duration_count` would count them twice.
 */
import { deepFreeze } from '../config/config.js';

/** Attribute keys, with what each holds. */
export const ATTRIBUTES = deepFreeze({
  'datapunk.balancer.service': 'Service name, as configured (`orders`).',
  'server.address':
    'Instance host (`10.0.0.5`; IPv6 without brackets), as in the HTTP client conventions. With `server.port` and `url.scheme` it names the instance; all three are omitted when `metrics.perInstance` is false.',
  'server.port': 'Instance port (`8080`; 80 or 443 when the origin has none).',
  'url.scheme': 'Instance scheme: `http` or `https`.',
  'http.request.method':
    'HTTP method of the attempt; `_OTHER` for methods outside RFC 9110 and PATCH, or when the caller did not say.',
  'http.response.status_code': 'Response status, when a response arrived.',
  'error.type':
    'Why the attempt did not succeed: the status as a string for status >= 400 (as in the HTTP conventions; ' +
    'only 5xx counts against the instance), else the failure kind (`connect`, `reset`, `timeout`), `invalid-request` or ' +
    '`cancelled`, with `_OTHER` for failures of no known kind (as the conventions reserve it). Absent on success. ' +
    'On retries: the outcome that caused the retry.',
  'datapunk.balancer.state': 'Instance state: `healthy`, `unhealthy`, `ejected`, `draining` (and `removed` on transitions).',
  'datapunk.balancer.transition.reason':
    'Why the state changed: `consecutive-failures`, `ejection-expired`, `health-check-failed`, `static-added`, `dns-removed`, `drained`...',
  'datapunk.balancer.ejection.reason':
    '`consecutive-failures`, `consecutive-gateway-failures`, `success-rate` or `failure-percentage`.',
  'datapunk.balancer.ejection.result':
    '`enforced`; `dry-run` (enforcing percentage); `max-ejection-percent` (too many instances already ejected).',
  'datapunk.balancer.health_check.result': '`pass` or `fail`.',
  'datapunk.balancer.retry.refusal.reason': '`budget`, `max-retries`, `no-other-instance`, `retry-after-too-long` or `circuit-open` (the `limits`).',
  'datapunk.balancer.hedge.refusal.reason': '`budget` (the hedge budget is spent), `no-other-instance` or `circuit-open` (the `limits`).',
  'datapunk.balancer.pick.failure.reason':
    '`none-discovered`, `all-ejected`, `all-unhealthy`, `all-draining`, `panic-fail-fast`, `all-tried` or `closed`; for a circuit breaker (`ERR_CIRCUIT_OPEN`) `max-requests`, `max-pending-requests` or `max-requests-per-instance`.',
  'datapunk.balancer.limit': 'A circuit breaker of the service (`limits`): `max-requests`, `max-pending-requests` or `max-retries`.',
  'datapunk.balancer.discovery.source': 'Discovery source kind: `static`, `dns`, `etcd`...',
  'datapunk.balancer.membership.change': '`added`, `removed`, `updated` or `rejected` (invalid entries skipped).',
  'datapunk.balancer.zone.locality': "`local` (the instance is in the caller's zone) or `cross-zone`.",
  'datapunk.balancer.load_report.result':
    '`accepted` (a TEXT or JSON report, handed to the strategy), `invalid` (garbage, cut short, out of range, over 4 KiB: ignored) or `unsupported` (binary: `BIN ` or `endpoint-load-metrics-bin`, ignored).',
} as const);

/** The name of a metric attribute the balancer records. */
export type AttributeKey = keyof typeof ATTRIBUTES;

/** The OpenTelemetry instrument kinds the balancer uses. */
export type InstrumentKind = 'Counter' | 'Histogram' | 'ObservableGauge' | 'ObservableUpDownCounter';

/** One instrument: name, kind, unit, description and attributes. */
export interface InstrumentSpec {
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit: `s`, `1`, or a curly-braced annotation such as `{request}`. */
  readonly unit: string;
  readonly description: string;
  /** Every attribute key a data point may carry (conditional ones included). */
  readonly attributes: readonly AttributeKey[];
  /** Histogram bucket advice, seconds. */
  readonly buckets?: readonly number[];
  /**
   * The metric's name as `@opentelemetry/exporter-prometheus` (0.223) exports it: dots become
   * underscores, monotonic counters get `_total`, no unit suffix; a histogram's series add
   * `_bucket`, `_sum` and `_count`. A test checks it against the real exporter.
   */
  readonly prometheus: string;
  /** The OpenTelemetry convention the instrument follows, when one does (README table). */
  readonly convention?: string;
}

/** The HTTP duration bucket advice from the OpenTelemetry HTTP conventions, seconds. */
export const DURATION_BUCKETS_S = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

const SERVICE = 'datapunk.balancer.service';
/** The instance, as the HTTP client conventions name the server (only with `metrics.perInstance`). */
export const INSTANCE_ATTRIBUTES = Object.freeze(['server.address', 'server.port', 'url.scheme'] as const satisfies readonly AttributeKey[]);
const INSTANCE = INSTANCE_ATTRIBUTES;
const ATTEMPT: readonly AttributeKey[] = [SERVICE, ...INSTANCE, 'http.request.method', 'http.response.status_code', 'error.type'];

/** Every instrument. Keys are the names the code uses; `name` is what exporters see. */
export const INSTRUMENTS = deepFreeze({
  requestDuration: {
    name: 'datapunk.balancer.request.duration',
    kind: 'Histogram',
    unit: 's',
    description:
      'Duration of requests sent to instances, from pick to reported outcome: one per attempt (a retry counts again), so its count is the number of attempts by outcome.',
    attributes: ATTEMPT,
    buckets: DURATION_BUCKETS_S,
    prometheus: 'datapunk_balancer_request_duration',
    convention: 'attributes and buckets of `http.client.request.duration`',
  },
  activeRequests: {
    name: 'datapunk.balancer.request.active',
    kind: 'ObservableUpDownCounter',
    unit: '{request}',
    description: 'Requests in flight to instances, read from the instance table at collection.',
    attributes: [SERVICE, ...INSTANCE],
    prometheus: 'datapunk_balancer_request_active',
    convention: 'server attributes of `http.client.active_requests`',
  },
  instances: {
    name: 'datapunk.balancer.instance.count',
    kind: 'ObservableUpDownCounter',
    unit: '{instance}',
    description: 'Instances by state; every state is reported, 0 included.',
    prometheus: 'datapunk_balancer_instance_count',
    attributes: [SERVICE, 'datapunk.balancer.state'],
  },
  transitions: {
    name: 'datapunk.balancer.instance.transitions',
    kind: 'Counter',
    unit: '{transition}',
    description: 'Instance state changes, by new state and reason (joins and removals included).',
    prometheus: 'datapunk_balancer_instance_transitions_total',
    attributes: [SERVICE, ...INSTANCE, 'datapunk.balancer.state', 'datapunk.balancer.transition.reason'],
  },
  ejections: {
    name: 'datapunk.balancer.ejections',
    kind: 'Counter',
    unit: '{ejection}',
    description: 'Outlier detections, by reason and whether the ejection was enforced.',
    prometheus: 'datapunk_balancer_ejections_total',
    attributes: [SERVICE, ...INSTANCE, 'datapunk.balancer.ejection.reason', 'datapunk.balancer.ejection.result'],
  },
  healthChecks: {
    name: 'datapunk.balancer.health_checks',
    kind: 'Counter',
    unit: '{check}',
    description: 'Active health checks, by result.',
    prometheus: 'datapunk_balancer_health_checks_total',
    attributes: [SERVICE, ...INSTANCE, 'datapunk.balancer.health_check.result'],
  },
  healthCheckDuration: {
    name: 'datapunk.balancer.health_check.duration',
    kind: 'Histogram',
    unit: 's',
    description: 'Duration of active health checks.',
    prometheus: 'datapunk_balancer_health_check_duration',
    attributes: [SERVICE, ...INSTANCE, 'datapunk.balancer.health_check.result'],
    buckets: DURATION_BUCKETS_S,
  },
  retries: {
    name: 'datapunk.balancer.retries',
    kind: 'Counter',
    unit: '{retry}',
    description: 'Retries decided, by the outcome that caused them.',
    prometheus: 'datapunk_balancer_retries_total',
    attributes: [SERVICE, 'error.type'],
  },
  retryRefusals: {
    name: 'datapunk.balancer.retry.refusals',
    kind: 'Counter',
    unit: '{refusal}',
    description: 'Retryable failures not retried, by reason (`budget`: the retry budget is spent).',
    prometheus: 'datapunk_balancer_retry_refusals_total',
    attributes: [SERVICE, 'datapunk.balancer.retry.refusal.reason'],
  },
  hedges: {
    name: 'datapunk.balancer.hedges',
    kind: 'Counter',
    unit: '{hedge}',
    description: 'Hedges sent: extra attempts of a call whose earlier attempts had not answered after the hedge delay.',
    prometheus: 'datapunk_balancer_hedges_total',
    attributes: [SERVICE],
  },
  hedgeWins: {
    name: 'datapunk.balancer.hedge.wins',
    kind: 'Counter',
    unit: '{hedge}',
    description: "Hedges whose response won the race (the caller got it; the call's other attempts were cancelled).",
    prometheus: 'datapunk_balancer_hedge_wins_total',
    attributes: [SERVICE],
  },
  hedgeRefusals: {
    name: 'datapunk.balancer.hedge.refusals',
    kind: 'Counter',
    unit: '{refusal}',
    description: 'Hedges due but not sent, by reason (`budget`: the hedge budget is spent, as under overload).',
    prometheus: 'datapunk_balancer_hedge_refusals_total',
    attributes: [SERVICE, 'datapunk.balancer.hedge.refusal.reason'],
  },
  panic: {
    name: 'datapunk.balancer.panic',
    kind: 'ObservableGauge',
    unit: '1',
    description: '1 while the service is in panic (too few healthy instances), else 0.',
    prometheus: 'datapunk_balancer_panic',
    attributes: [SERVICE],
  },
  panics: {
    name: 'datapunk.balancer.panics',
    kind: 'Counter',
    unit: '{panic}',
    description: 'Times the service entered panic.',
    prometheus: 'datapunk_balancer_panics_total',
    attributes: [SERVICE],
  },
  limitsRemaining: {
    name: 'datapunk.balancer.limits.remaining',
    kind: 'ObservableGauge',
    unit: '{request}',
    description: 'Attempts a circuit breaker (`limits`) still admits: the limit minus what is in flight, by limit. Not reported when `limits: false`.',
    prometheus: 'datapunk_balancer_limits_remaining',
    attributes: [SERVICE, 'datapunk.balancer.limit'],
  },
  pickFailures: {
    name: 'datapunk.balancer.pick.failures',
    kind: 'Counter',
    unit: '{pick}',
    description: 'Picks that found no available instance (`ERR_NO_AVAILABLE_INSTANCE`) or were refused by a circuit breaker (`ERR_CIRCUIT_OPEN`), by reason.',
    prometheus: 'datapunk_balancer_pick_failures_total',
    attributes: [SERVICE, 'datapunk.balancer.pick.failure.reason'],
  },
  discoveryFailures: {
    name: 'datapunk.balancer.discovery.failures',
    kind: 'Counter',
    unit: '{failure}',
    description: 'Discovery refreshes that failed (the last good list stays in use), by source.',
    prometheus: 'datapunk_balancer_discovery_failures_total',
    attributes: [SERVICE, 'datapunk.balancer.discovery.source'],
  },
  membershipChanges: {
    name: 'datapunk.balancer.membership.changes',
    kind: 'Counter',
    unit: '{instance}',
    description: 'Instances added, removed, updated or rejected by instance-list updates, by source.',
    prometheus: 'datapunk_balancer_membership_changes_total',
    attributes: [SERVICE, 'datapunk.balancer.discovery.source', 'datapunk.balancer.membership.change'],
  },
  zoneRequests: {
    name: 'datapunk.balancer.zone.requests',
    kind: 'Counter',
    unit: '{request}',
    description:
      "Requests sent to instances that have a zone, by whether the instance is in the caller's zone (one per attempt). Recorded only when the balancer's `zone` is set.",
    prometheus: 'datapunk_balancer_zone_requests_total',
    attributes: [SERVICE, 'datapunk.balancer.zone.locality'],
  },
  loadReports: {
    name: 'datapunk.balancer.load_reports',
    kind: 'Counter',
    unit: '{report}',
    description:
      "Load reports (ORCA `endpoint-load-metrics` response headers) read from instances' responses and health checks (the probe's header, a custom check's `loadReport`), by result. Read only for services whose strategy takes them (`weighted-least-load`).",
    prometheus: 'datapunk_balancer_load_reports_total',
    attributes: [SERVICE, ...INSTANCE, 'datapunk.balancer.load_report.result'],
  },
} as const satisfies Record<string, InstrumentSpec>);

export type InstrumentId = keyof typeof INSTRUMENTS;
