/**
 * Test support for metrics: an SDK meter provider with a pull reader, lookups of collected data
 * points, and one scripted scenario whose every figure is known in advance.
 */
import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { createBalancerWith } from '../balancer.js';
import { staticDiscovery } from '../discovery/static.js';
import type { InstanceRecord } from '../instance/instance.js';
import type { Outcome } from '../outcome.js';
import type { Service } from '../service/service.js';
import type { Strategy } from '../strategies/strategy.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { resolveMeter } from './meter.js';
import { createMetricsObserver, type MetricsObserver } from './metrics-observer.js';
import { pickFrom } from '../testing/pick.js';

/** A reader that exports nothing: tests pull with `collect()`. */
export class TestReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Collected {
  readonly scope: { readonly name: string; readonly version?: string | undefined };
  readonly metrics: ReadonlyMap<string, MetricData>;
  /** Data points of an instrument (empty when it reported nothing). */
  points(name: string): readonly DataPoint<unknown>[];
  /** The one point whose attributes equal `attributes` exactly; throws when there is none. */
  value<T = number>(name: string, attributes: Attributes): T;
}

export async function collect(reader: MetricReader): Promise<Collected> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
  const scopes = resourceMetrics.scopeMetrics;
  if (scopes.length !== 1) throw new Error(`expected one instrumentation scope, got ${scopes.length}`);
  const scope = scopes[0]!;
  const metrics = new Map(scope.metrics.map((m) => [m.descriptor.name, m]));
  const points = (name: string): readonly DataPoint<unknown>[] => metrics.get(name)?.dataPoints ?? [];
  return {
    scope: scope.scope,
    metrics,
    points,
    value<T>(name: string, attributes: Attributes): T {
      const match = points(name).filter((p) => sameAttributes(p.attributes, attributes));
      if (match.length !== 1) {
        const seen = points(name).map((p) => JSON.stringify(p.attributes));
        throw new Error(`${name}: ${match.length} points with ${JSON.stringify(attributes)}; have ${seen.join(' ')}`);
      }
      return match[0]!.value as T;
    },
  };
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Picks the endpoint whose id is `target.id` (else the first): tests choose every instance. Takes load reports (and ignores them). */
function targetedStrategy(target: { id: string }): Strategy {
  return {
    name: 'targeted',
    build: (endpoints) => ({ pick: () => endpoints.find((e) => e.id === target.id) ?? endpoints[0]! }),
    observeLoad: () => {},
  };
}

export const A = 'http://10.0.0.1:8081';
export const B = 'http://10.0.0.2:8082';
export const C = 'http://10.0.0.3:8083';
export const D1 = 'http://10.0.1.1:9001';
export const D2 = 'http://10.0.1.2:9002';

const ms = (latencyMs: number) => ({ latencyMs });
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/**
 * Two services on the fake runtime, driven through a known script (figures in the comments).
 *
 * orders (A, B, C from static discovery; panic off; 3 consecutive failures eject; 2 gateway failures: dry run; a retry
 * budget of exactly one retry per window):
 *   A: 7 x GET 200 (10 ms), 3 x GET 503 (30 ms): dry run at the 2nd, ejected at the 3rd.
 *   B: 2 x POST cancelled (5 ms); a GET call: 502 (40 ms) on B, retried on C: 200 (20 ms) with a load report.
 *   C: a GET call: connection refused (1 ms), retry refused by the budget.
 *   B: 2 x GET 500 (50 ms): ejection refused by the max ejection share; then unhealthy by hand.
 *   C: one GET left in flight. Health checks: A passed in 12 ms, B failed in 1.5 s.
 *   Hedges: 2 sent, 1 won, 1 refused by the hedge budget (events reported directly).
 * billing (static discovery, empty at first; panic below 60%; 1 failure ejects):
 *   a pick fails (none-discovered); a refresh fails; a list of D1, D2 and one bad entry;
 *   D1 (zone b; the caller is in zone a): GET connection refused (2 ms) -> ejected -> panic; D2: one GET left in flight, then
 *   removed by the next list, so it drains.
 */
export function runScenario(perInstance: boolean) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = resolveMeter(provider);
  const runtime = createFakeRuntime({ seed: 3 });
  const target = { id: A };
  // Static discovery rather than `instances`, so the scenario also drives list updates.
  const ordersList = staticDiscovery([A, B, C]);
  const discovery = staticDiscovery([]);
  const observers = new Map<string, MetricsObserver>();
  const services = new Map<string, Service>();
  const balancer = createBalancerWith(
    {
      runtime,
      services: {
        orders: {
          discovery: ordersList,
          strategy: targetedStrategy(target),
          panic: { thresholdPercent: 0 },
          outlierDetection: { consecutiveFailures: { threshold: 3 }, consecutiveGatewayFailures: { threshold: 2, enforcingPercent: 0 } },
          retry: { maxRetries: 1, budget: { percent: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 } },
        },
        billing: {
          discovery,
          strategy: targetedStrategy(target),
          panic: { thresholdPercent: 60 },
          outlierDetection: { consecutiveFailures: { threshold: 1 } },
        },
      },
    },
    {
      observers: [
        (service) => {
          const observer = createMetricsObserver(service, meter, { perInstance, zone: 'a' });
          observers.set(service.name, observer);
          services.set(service.name, service);
          return observer;
        },
      ],
    },
  );
  const record = (service: string, id: string): InstanceRecord => [...services.get(service)!.instances()].find((r) => r.id === id)!;
  const pick = (service: string, id: string, method: string) => {
    target.id = id;
    const picked = pickFrom(balancer, service, { method });
    if (!picked.ok) throw picked.error;
    if (picked.instance.id !== id) throw new Error(`picked ${picked.instance.id}, wanted ${id}`);
    return picked;
  };
  const send = (service: string, id: string, method: string, outcome: Outcome, times = 1) => {
    for (let k = 0; k < times; k++) pick(service, id, method).done(outcome);
  };
  const call = () => balancer.call({ method: 'GET', url: new URL('http://orders/api/orders/42') })!;

  // orders
  send('orders', A, 'GET', { kind: 'response', status: 200, ...ms(10) }, 7);
  send('orders', A, 'GET', { kind: 'response', status: 503, ...ms(30) }, 3);
  send('orders', B, 'POST', { kind: 'cancelled', ...ms(5) }, 2);
  const retried = call();
  target.id = B;
  const first = retried.next();
  if (!first.ok || first.target.origin !== B) throw new Error('expected B');
  if (!first.end({ status: 502, ...ms(40) }).retry) throw new Error('expected a retry');
  target.id = C;
  const second = retried.next();
  if (!second.ok || second.target.origin !== C) throw new Error('expected C');
  second.end({ status: 200, headers: { 'endpoint-load-metrics': 'TEXT cpu_utilization=0.5, rps_fractional=10' }, ...ms(20) });
  const refusedCall = call();
  const attempt = refusedCall.next();
  if (!attempt.ok || attempt.target.origin !== C) throw new Error('expected C');
  const decision = attempt.end({ error: refused, ...ms(1) });
  if (decision.retry || decision.reason !== 'budget') throw new Error(`expected a budget refusal, got ${JSON.stringify(decision)}`);
  send('orders', B, 'GET', { kind: 'response', status: 500, ...ms(50) }, 2);
  services.get('orders')!.healthChecked(record('orders', B), { passed: false, health: 'unhealthy', unejectOnPass: false });
  pick('orders', C, 'GET'); // left in flight
  const orders = observers.get('orders')!;
  const check = { service: 'orders', detail: undefined, streak: 1 };
  orders.healthChecked?.({ ...check, instance: record('orders', A), passed: true, durationMs: 12 });
  orders.healthChecked?.({ ...check, instance: record('orders', B), passed: false, durationMs: 1_500, detail: 'timeout' });
  // Hedges (their race is tested in hedge/): two sent, one won, one refused by the budget.
  orders.hedged?.({ service: 'orders', attempt: 1 });
  orders.hedged?.({ service: 'orders', attempt: 1 });
  orders.hedgeWon?.({ service: 'orders', attempt: 1 });
  orders.hedgeRefused?.({ service: 'orders', reason: 'budget' });

  // billing
  const unavailable = pickFrom(balancer, 'billing', { method: 'GET' });
  if (unavailable.ok || unavailable.error.reason !== 'none-discovered') throw new Error('expected none-discovered');
  discovery.fail(new Error('registry unreachable'));
  discovery.set([{ url: D1, zone: 'b' }, D2, 'not a url']);
  send('billing', D1, 'GET', { kind: 'failure', failure: 'connect', ...ms(2) });
  pick('billing', D2, 'GET'); // left in flight
  discovery.set([{ url: D1, zone: 'b' }]);

  return { reader, provider, balancer, observers, services, runtime };
}
