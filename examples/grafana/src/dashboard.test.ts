/**
 * The dashboard against what a real `@opentelemetry/exporter-prometheus` (0.223) serves: a
 * balancer driven through every instrument, scraped over HTTP on loopback. Every instrument's
 * Prometheus name in the table is what the exporter emits, every panel's query names a series
 * the scrape has (with labels the scrape has), and the committed JSON is the generated one.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBalancer, INSTRUMENTS, staticDiscovery } from '@datapunk/balancer';
import { createFakeRuntime } from '@datapunk/balancer/testing';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard, dashboardJson, PANELS } from './dashboard.js';
import { pickFrom } from '@datapunk/balancer/testing';
import type { Attempt } from '@datapunk/balancer/adapter';

interface Scrape {
  readonly types: ReadonlyMap<string, string>;
  /** Series name -> label names seen on it. */
  readonly series: ReadonlyMap<string, ReadonlySet<string>>;
}

function parse(text: string): Scrape {
  const types = new Map<string, string>();
  const series = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    const point = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!point) continue;
    const labels = series.get(point[1]!) ?? new Set<string>();
    for (const m of (point[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(m[1]!);
    series.set(point[1]!, labels);
  }
  return { types, series };
}

/** Drives a balancer so that every instrument of the table has a data point. */
async function driveEverything(exporter: PrometheusExporter) {
  const runtime = createFakeRuntime();
  const urls = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002', 'http://127.0.0.1:8003'];
  // Zoned instances, so that local and cross-zone attempts are counted too.
  const discovery = staticDiscovery(urls.map((url, i) => ({ url, zone: i === 1 ? 'b' : 'a' })));
  const balancer = createBalancer({
    meterProvider: new MeterProvider({ readers: [exporter] }),
    runtime,
    zone: 'a',
    services: {
      orders: {
        discovery,
        strategy: 'round-robin',
        outlierDetection: { consecutiveFailures: 1, maxEjectionPercent: 100 },
        healthCheck: { intervalMs: 1_000, check: async () => {} },
        retry: { maxRetries: 1, budget: { percent: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 } },
      },
      empty: { discovery: staticDiscovery([]) },
      // One hedge per window: the first call's hedge is sent (and wins), the second's is refused.
      hedged: { instances: ['http://127.0.0.1:8011', 'http://127.0.0.1:8012'], hedge: { delayMs: 10, budget: { percent: 0, minHedgesPerSecond: 0.1, windowMs: 10_000 } } },
      loaded: { instances: ['http://127.0.0.1:8021'], strategy: 'weighted-least-load' },
    },
  });
  const loaded = balancer.call({ method: 'GET', url: new URL('http://loaded/x') })!.next();
  if (!loaded.ok) throw loaded.error;
  loaded.end({ status: 200, headers: { 'endpoint-load-metrics': 'TEXT cpu_utilization=0.5, rps_fractional=10' } });
  for (let n = 0; n < 2; n++) {
    const hedges: Attempt[] = [];
    const hedgedCall = balancer.call({ method: 'GET', url: new URL('http://hedged/x') })!;
    hedgedCall.hedge((attempt) => hedges.push(attempt));
    const original = hedgedCall.next();
    if (!original.ok) throw original.error;
    await runtime.advanceAsync(10);
    (hedges[0] ?? original).end({ status: 200 });
    original.end({ error: new Error('aborted') });
  }
  const call = () => balancer.call({ method: 'GET', url: new URL('http://orders/x') })!;
  const first = call().next();
  if (!first.ok) throw first.error;
  if (!first.end({ status: 503 }).retry) throw new Error('expected a retry'); // retried; ejects (threshold 1)
  const refused = call().next();
  if (!refused.ok) throw refused.error;
  if (refused.end({ status: 503 }).retry) throw new Error('expected a budget refusal'); // ejects a second one: panic
  const ok = pickFrom(balancer, 'orders', { method: 'GET' });
  if (!ok.ok) throw ok.error;
  ok.done({ kind: 'response', status: 200, latencyMs: 12 });
  const inFlight = pickFrom(balancer, 'orders', { method: 'GET' }); // left in flight until the end
  if (!inFlight.ok) throw inFlight.error;
  if (pickFrom(balancer, 'empty').ok) throw new Error('expected no instance');
  discovery.fail(new Error('registry down'));
  await runtime.advanceAsync(1_100); // health checks
  return { balancer, end: () => inFlight.done({ kind: 'response', status: 200 }) };
}

let server: Server;
let scrape: Scrape;
let driven: Awaited<ReturnType<typeof driveEverything>> | undefined;

beforeAll(async () => {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  driven = await driveEverything(exporter);
  server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  scrape = parse(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
});

afterAll(async () => {
  driven?.end();
  await driven?.balancer.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const PROMETHEUS_TYPE = { Counter: 'counter', Histogram: 'histogram', ObservableGauge: 'gauge', ObservableUpDownCounter: 'gauge' } as const;

describe('Prometheus names (exporter-prometheus, scraped)', () => {
  it('every instrument is exported under the name the table gives, with its type', () => {
    for (const spec of Object.values(INSTRUMENTS)) {
      expect(scrape.types.get(spec.prometheus), spec.name).toBe(PROMETHEUS_TYPE[spec.kind]);
      const names = spec.kind === 'Histogram' ? ['_bucket', '_count', '_sum'].map((s) => spec.prometheus + s) : [spec.prometheus];
      for (const name of names) expect(scrape.series.has(name), name).toBe(true);
    }
  });

  it('attribute names become labels with dots as underscores; no unit suffix is added', () => {
    expect(scrape.series.get('datapunk_balancer_request_duration_count')).toEqual(
      new Set(['datapunk_balancer_service', 'server_address', 'server_port', 'url_scheme', 'http_request_method', 'http_response_status_code', 'error_type', 'otel_scope_name', 'otel_scope_version']),
    );
    expect([...scrape.types.keys()].filter((n) => n.endsWith('_seconds'))).toEqual([]);
  });
});

describe('the Grafana dashboard', () => {
  const exprs = PANELS.flatMap((p) => p.targets.map((t) => t.expr));

  it('every query names series the exporter serves, and labels those series carry', () => {
    for (const expr of exprs) {
      const metrics = [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((x) => x[1]!);
      expect(metrics.length, expr).toBeGreaterThan(0);
      const labels = new Set<string>();
      for (const name of metrics) {
        expect(scrape.series.has(name), `${name} in ${expr}`).toBe(true);
        for (const l of scrape.series.get(name) ?? []) labels.add(l);
      }
      const used = [
        ...[...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((x) => x[1]!.split(',').map((s) => s.trim())),
        ...[...expr.matchAll(/([a-z_]+)(?:=~|!=|=)"/g)].map((x) => x[1]!),
      ].filter((l) => l !== 'le');
      for (const l of used) expect(labels.has(l), `label ${l} in ${expr}`).toBe(true);
    }
  });

  it('covers every instrument of the table', () => {
    const text = exprs.join('\n');
    for (const spec of Object.values(INSTRUMENTS)) expect(text, spec.name).toContain(spec.prometheus);
  });

  it('the service variable reads a label the instance gauge carries', () => {
    const variable = (dashboard().templating as { list: { name: string; definition?: string }[] }).list.find((v) => v.name === 'service');
    expect(variable?.definition).toBe('label_values(datapunk_balancer_instance_count, datapunk_balancer_service)');
    expect(scrape.series.get('datapunk_balancer_instance_count')?.has('datapunk_balancer_service')).toBe(true);
  });

  it('the committed balancer-dashboard.json is the generated one (pnpm --filter @datapunk/example-grafana dashboard)', () => {
    expect(readFileSync(new URL('../balancer-dashboard.json', import.meta.url), 'utf8')).toBe(dashboardJson());
  });
});
