/**
 * The Grafana dashboard, built from the instrument table: every query names its metric through
 * `INSTRUMENTS[id].prometheus` (the name exporter-prometheus gives it), so a renamed instrument
 * cannot leave a panel querying nothing; the test checks every name against a real scrape.
 */
import { INSTRUMENTS } from '@datapunk/balancer';

type InstrumentId = keyof typeof INSTRUMENTS;

/** A series of an instrument as Prometheus names it (`_bucket`, `_count`, `_sum` for histograms). */
function m(id: InstrumentId, suffix: '' | '_bucket' | '_count' | '_sum' = ''): string {
  const spec = INSTRUMENTS[id];
  if ((spec.kind === 'Histogram') !== (suffix !== '')) throw new Error(`${spec.name}: suffix "${suffix}" does not fit a ${spec.kind}`);
  return `${spec.prometheus}${suffix}`;
}

const SERVICE = 'datapunk_balancer_service';
const sel = `{${SERVICE}=~"$service"}`;
const RATE = '[$__rate_interval]';
const INSTANCE = 'server_address, server_port';

interface Panel {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly { readonly expr: string; readonly legend: string }[];
  readonly type?: 'timeseries' | 'stat';
  readonly stack?: boolean;
}

/** The panels, in reading order: traffic and errors, latency, instances, outlier detection, retries, health, discovery. */
export const PANELS: readonly Panel[] = [
  {
    title: 'Attempts per second by outcome',
    description: 'Every attempt (a retry counts again), by status or error type: the count of the duration histogram.',
    unit: 'reqps',
    stack: true,
    targets: [
      {
        expr: `sum by (${SERVICE}, http_response_status_code, error_type) (rate(${m('requestDuration', '_count')}${sel}${RATE}))`,
        legend: '{{datapunk_balancer_service}} {{http_response_status_code}}{{error_type}}',
      },
    ],
  },
  {
    title: 'Failed attempts (share)',
    description: 'Attempts carrying error.type (status >= 400 or a transport failure) over all attempts.',
    unit: 'percentunit',
    targets: [
      {
        expr:
          `sum by (${SERVICE}) (rate(${m('requestDuration', '_count')}{${SERVICE}=~"$service", error_type!=""}${RATE}))` +
          ` / sum by (${SERVICE}) (rate(${m('requestDuration', '_count')}${sel}${RATE}))`,
        legend: '{{datapunk_balancer_service}}',
      },
    ],
  },
  {
    title: 'Attempt latency p99 by instance',
    description: 'From pick to reported outcome, per instance (needs metrics.perInstance, the default).',
    unit: 's',
    targets: [
      {
        expr: `histogram_quantile(0.99, sum by (le, ${SERVICE}, ${INSTANCE}) (rate(${m('requestDuration', '_bucket')}${sel}${RATE})))`,
        legend: '{{server_address}}:{{server_port}}',
      },
    ],
  },
  {
    title: 'Attempt latency p50 by service',
    description: 'Median attempt duration over all instances of a service.',
    unit: 's',
    targets: [
      { expr: `histogram_quantile(0.5, sum by (le, ${SERVICE}) (rate(${m('requestDuration', '_bucket')}${sel}${RATE})))`, legend: '{{datapunk_balancer_service}}' },
    ],
  },
  {
    title: 'Share of attempts by instance',
    description: 'Where traffic goes: a failing or slow instance should fall towards 0.',
    unit: 'reqps',
    stack: true,
    targets: [{ expr: `sum by (${SERVICE}, ${INSTANCE}) (rate(${m('requestDuration', '_count')}${sel}${RATE}))`, legend: '{{server_address}}:{{server_port}}' }],
  },
  {
    title: 'Requests in flight by instance',
    description: 'Read from the instance table at each scrape.',
    unit: 'short',
    targets: [{ expr: `sum by (${SERVICE}, ${INSTANCE}) (${m('activeRequests')}${sel})`, legend: '{{server_address}}:{{server_port}}' }],
  },
  {
    title: 'Instances by state',
    description: 'healthy, unhealthy (health checks), ejected (outlier detection), draining (removed by discovery).',
    unit: 'short',
    stack: true,
    targets: [{ expr: `sum by (datapunk_balancer_state) (${m('instances')}${sel})`, legend: '{{datapunk_balancer_state}}' }],
  },
  {
    title: 'Panic',
    description: '1 while too few instances are healthy and the service balances over all of them (or fails fast).',
    unit: 'short',
    targets: [
      { expr: `max by (${SERVICE}) (${m('panic')}${sel})`, legend: 'in panic {{datapunk_balancer_service}}' },
      { expr: `sum by (${SERVICE}) (increase(${m('panics')}${sel}${RATE}))`, legend: 'entered {{datapunk_balancer_service}}' },
    ],
  },
  {
    title: 'Ejections',
    description: 'Outlier detections by reason and result: enforced, dry-run, or refused by maxEjectionPercent.',
    unit: 'short',
    targets: [
      {
        expr: `sum by (${INSTANCE}, datapunk_balancer_ejection_reason, datapunk_balancer_ejection_result) (increase(${m('ejections')}${sel}${RATE}))`,
        legend: '{{server_address}}:{{server_port}} {{datapunk_balancer_ejection_reason}} {{datapunk_balancer_ejection_result}}',
      },
    ],
  },
  {
    title: 'State changes',
    description: 'Instance transitions by new state and reason (joins and removals included).',
    unit: 'short',
    targets: [
      {
        expr: `sum by (datapunk_balancer_state, datapunk_balancer_transition_reason) (increase(${m('transitions')}${sel}${RATE}))`,
        legend: '{{datapunk_balancer_state}} ({{datapunk_balancer_transition_reason}})',
      },
    ],
  },
  {
    title: 'Retries and refused retries per second',
    description: 'Retries by the outcome that caused them; retryable failures not retried, by reason (budget: the retry budget is spent).',
    unit: 'reqps',
    targets: [
      { expr: `sum by (error_type) (rate(${m('retries')}${sel}${RATE}))`, legend: 'retry after {{error_type}}' },
      { expr: `sum by (datapunk_balancer_retry_refusal_reason) (rate(${m('retryRefusals')}${sel}${RATE}))`, legend: 'refused: {{datapunk_balancer_retry_refusal_reason}}' },
    ],
  },
  {
    title: 'Hedges per second',
    description: 'Hedged requests: extra attempts sent, hedges whose response won, hedges due but not sent, by reason (budget: the hedge budget is spent).',
    unit: 'reqps',
    targets: [
      { expr: `sum(rate(${m('hedges')}${sel}${RATE}))`, legend: 'sent' },
      { expr: `sum(rate(${m('hedgeWins')}${sel}${RATE}))`, legend: 'won' },
      { expr: `sum by (datapunk_balancer_hedge_refusal_reason) (rate(${m('hedgeRefusals')}${sel}${RATE}))`, legend: 'refused: {{datapunk_balancer_hedge_refusal_reason}}' },
    ],
  },
  {
    title: 'Circuit breakers: capacity left',
    description: 'Attempts each limit (maxRequests, maxPendingRequests, maxRetries) still admits; at 0, requests fail at once with ERR_CIRCUIT_OPEN.',
    unit: 'short',
    targets: [{ expr: `min by (${SERVICE}, datapunk_balancer_limit) (${m('limitsRemaining')}${sel})`, legend: '{{datapunk_balancer_service}} {{datapunk_balancer_limit}}' }],
  },
  {
    title: 'No available instance or circuit open, per second',
    description: 'Picks that failed with ERR_NO_AVAILABLE_INSTANCE or were refused with ERR_CIRCUIT_OPEN, by reason.',
    unit: 'reqps',
    targets: [{ expr: `sum by (datapunk_balancer_pick_failure_reason) (rate(${m('pickFailures')}${sel}${RATE}))`, legend: '{{datapunk_balancer_pick_failure_reason}}' }],
  },
  {
    title: 'Health checks',
    description: 'Active health checks per second by result, and their p99 duration.',
    unit: 'short',
    targets: [
      { expr: `sum by (datapunk_balancer_health_check_result) (rate(${m('healthChecks')}${sel}${RATE}))`, legend: '{{datapunk_balancer_health_check_result}} /s' },
      {
        expr: `histogram_quantile(0.99, sum by (le) (rate(${m('healthCheckDuration', '_bucket')}${sel}${RATE})))`,
        legend: 'p99 seconds',
      },
    ],
  },
  {
    title: 'Discovery',
    description: 'Failed refreshes (the last good list stays) and instances added, removed, updated or rejected.',
    unit: 'short',
    targets: [
      { expr: `sum by (datapunk_balancer_discovery_source) (increase(${m('discoveryFailures')}${sel}${RATE}))`, legend: 'failed {{datapunk_balancer_discovery_source}}' },
      { expr: `sum by (datapunk_balancer_membership_change) (increase(${m('membershipChanges')}${sel}${RATE}))`, legend: '{{datapunk_balancer_membership_change}}' },
    ],
  },
  {
    title: 'Load reports per second',
    description: 'ORCA endpoint-load-metrics headers read from responses (weighted-least-load only), by instance and result: accepted, invalid or unsupported (binary).',
    unit: 'reqps',
    targets: [
      {
        expr: `sum by (${INSTANCE}, datapunk_balancer_load_report_result) (rate(${m('loadReports')}${sel}${RATE}))`,
        legend: '{{server_address}}:{{server_port}} {{datapunk_balancer_load_report_result}}',
      },
    ],
  },
  {
    title: 'Local and cross-zone attempts',
    description: "Attempts to instances in the caller's zone or another (recorded when the balancer has a zone).",
    unit: 'reqps',
    stack: true,
    targets: [{ expr: `sum by (${SERVICE}, datapunk_balancer_zone_locality) (rate(${m('zoneRequests')}${sel}${RATE}))`, legend: '{{datapunk_balancer_zone_locality}}' }],
  },
];

/** The dashboard as Grafana imports it (Dashboards > New > Import), with a Prometheus data source picker. */
export function dashboard(): Record<string, unknown> {
  const width = 12;
  const height = 8;
  return {
    title: 'Datapunk Balancer',
    uid: 'datapunk-balancer',
    description: 'Client-side load balancing: attempts, latency, instances, ejections, retries, health checks, discovery.',
    tags: ['datapunk', 'load-balancing', 'opentelemetry'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
        {
          name: 'service',
          label: 'Service',
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          query: { query: `label_values(${m('instances')}, ${SERVICE})`, refId: 'service' },
          definition: `label_values(${m('instances')}, ${SERVICE})`,
          includeAll: true,
          multi: true,
          allValue: '.+',
          current: { text: 'All', value: '$__all' },
          refresh: 2,
        },
      ],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: p.type ?? 'timeseries',
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { x: (i % 2) * width, y: Math.floor(i / 2) * height, w: width, h: height },
      fieldConfig: {
        defaults: { unit: p.unit, ...(p.stack ? { custom: { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 40 } } : {}) },
        overrides: [],
      },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.targets.map((t, k) => ({
        refId: String.fromCharCode(65 + k),
        datasource: { type: 'prometheus', uid: '${datasource}' },
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
}

/** The file's text, as committed (`pnpm --filter @datapunk/example-grafana dashboard` rewrites it). */
export function dashboardJson(): string {
  return `${JSON.stringify(dashboard(), null, 2)}\n`;
}
