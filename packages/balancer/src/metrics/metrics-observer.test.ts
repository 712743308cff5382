import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InstrumentType, type Histogram } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS_S, INSTANCE_ATTRIBUTES, INSTRUMENTS, type InstrumentKind } from './instruments.js';
import { METER_NAME } from './meter.js';
import { A, B, C, collect, D1, D2, runScenario, type Collected } from './metrics.test-helpers.js';
import { VERSION } from './version.js';

const SDK_TYPE: Record<InstrumentKind, InstrumentType> = {
  Counter: InstrumentType.COUNTER,
  Histogram: InstrumentType.HISTOGRAM,
  ObservableGauge: InstrumentType.OBSERVABLE_GAUGE,
  ObservableUpDownCounter: InstrumentType.OBSERVABLE_UP_DOWN_COUNTER,
};

const SERVICE = 'datapunk.balancer.service';
const METHOD = 'http.request.method';
const STATUS = 'http.response.status_code';
const ERROR = 'error.type';

/** The HTTP client conventions' server attributes of an instance origin. */
const server = (origin: string): Attributes => {
  const url = new URL(origin);
  return { 'server.address': url.hostname, 'server.port': Number(url.port), 'url.scheme': url.protocol.slice(0, -1) };
};

/** Attributes of a data point with the instance's server attributes, or without them when `perInstance` is off. */
const at = (perInstance: boolean, service: string, instance: string | undefined, rest: Attributes = {}): Attributes =>
  perInstance && instance !== undefined ? { [SERVICE]: service, ...server(instance), ...rest } : { [SERVICE]: service, ...rest };

/** The origin a per-instance data point names. */
const originOf = (a: Attributes): string => `${String(a['url.scheme'])}://${String(a['server.address'])}:${String(a['server.port'])}`;

/** Checks the figures of the scenario that do not depend on `perInstance`. */
function expectServiceFigures(m: Collected): void {
  const svc = (service: string, rest: Attributes = {}) => ({ [SERVICE]: service, ...rest });
  const byState = (service: string) =>
    ['healthy', 'unhealthy', 'ejected', 'draining'].map((state) =>
      m.value('datapunk.balancer.instance.count', svc(service, { 'datapunk.balancer.state': state })),
    );
  expect(byState('orders')).toEqual([1, 1, 1, 0]);
  expect(byState('billing')).toEqual([0, 0, 1, 1]);
  expect(m.points('datapunk.balancer.instance.count')).toHaveLength(8);
  expect(m.value('datapunk.balancer.panic', svc('orders'))).toBe(0);
  expect(m.value('datapunk.balancer.panic', svc('billing'))).toBe(1);
  expect(m.points('datapunk.balancer.panics').map((p) => [p.attributes, p.value])).toEqual([[svc('billing'), 1]]);
  // Only D1 has a zone (b, the caller is in a): its one attempt went cross-zone.
  expect(m.points('datapunk.balancer.zone.requests').map((p) => [p.attributes, p.value])).toEqual([
    [svc('billing', { 'datapunk.balancer.zone.locality': 'cross-zone' }), 1],
  ]);
  expect(m.points('datapunk.balancer.retries').map((p) => [p.attributes, p.value])).toEqual([[svc('orders', { [ERROR]: '502' }), 1]]);
  expect(m.points('datapunk.balancer.hedges').map((p) => [p.attributes, p.value])).toEqual([[svc('orders'), 2]]);
  expect(m.points('datapunk.balancer.hedge.wins').map((p) => [p.attributes, p.value])).toEqual([[svc('orders'), 1]]);
  expect(m.points('datapunk.balancer.hedge.refusals').map((p) => [p.attributes, p.value])).toEqual([[svc('orders', { 'datapunk.balancer.hedge.refusal.reason': 'budget' }), 1]]);
  expect(m.points('datapunk.balancer.retry.refusals').map((p) => [p.attributes, p.value])).toEqual([
    [svc('orders', { 'datapunk.balancer.retry.refusal.reason': 'budget' }), 1],
  ]);
  expect(m.points('datapunk.balancer.pick.failures').map((p) => [p.attributes, p.value])).toEqual([
    [svc('billing', { 'datapunk.balancer.pick.failure.reason': 'none-discovered' }), 1],
  ]);
  expect(m.points('datapunk.balancer.discovery.failures').map((p) => [p.attributes, p.value])).toEqual([
    [svc('billing', { 'datapunk.balancer.discovery.source': 'static' }), 1],
  ]);
  const change = (service: string, c: string) =>
    svc(service, { 'datapunk.balancer.discovery.source': 'static', 'datapunk.balancer.membership.change': c });
  expect(m.value('datapunk.balancer.membership.changes', change('orders', 'added'))).toBe(3);
  expect(m.value('datapunk.balancer.membership.changes', change('billing', 'added'))).toBe(2);
  expect(m.value('datapunk.balancer.membership.changes', change('billing', 'rejected'))).toBe(1);
  expect(m.value('datapunk.balancer.membership.changes', change('billing', 'removed'))).toBe(1);
  expect(m.points('datapunk.balancer.membership.changes')).toHaveLength(4);
}

describe('metrics observer: the scenario, per instance', () => {
  it('exports every instrument of the table with its documented name, kind, unit and attribute keys', async () => {
    const { reader } = runScenario(true);
    const m = await collect(reader);
    expect(m.scope).toMatchObject({ name: METER_NAME, version: VERSION });
    expect([...m.metrics.keys()].sort()).toEqual(Object.values(INSTRUMENTS).map((s) => s.name).sort());
    for (const spec of Object.values(INSTRUMENTS)) {
      const data = m.metrics.get(spec.name)!;
      const { name, unit, description } = spec;
      expect(data.descriptor, name).toMatchObject({ name, unit, description, type: SDK_TYPE[spec.kind] });
      const keys = new Set(data.dataPoints.flatMap((p) => Object.keys(p.attributes)));
      expect([...keys].sort(), spec.name).toEqual([...spec.attributes].sort());
      if (spec.kind === 'Histogram') {
        expect(data.dataPointType).toBe(DataPointType.HISTOGRAM);
        for (const p of data.dataPoints) expect((p.value as Histogram).buckets.boundaries).toEqual(DURATION_BUCKETS_S);
      }
      if (spec.kind === 'ObservableUpDownCounter') expect(data).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: false });
      if (spec.kind === 'Counter') {
        expect(data).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true, aggregationTemporality: AggregationTemporality.CUMULATIVE });
      }
      if (spec.kind === 'ObservableGauge') expect(data.dataPointType).toBe(DataPointType.GAUGE);
    }
  });

  it('counts attempts (the duration histogram\'s count) and their durations by instance, method and outcome, exactly', async () => {
    const { reader } = runScenario(true);
    const m = await collect(reader);
    const attempt = (service: string, instance: string, method: string, rest: Attributes) =>
      at(true, service, instance, { [METHOD]: method, ...rest });
    const expected: [Attributes, number, number][] = [
      [attempt('orders', A, 'GET', { [STATUS]: 200 }), 7, 0.07],
      [attempt('orders', A, 'GET', { [STATUS]: 503, [ERROR]: '503' }), 3, 0.09],
      [attempt('orders', B, 'POST', { [ERROR]: 'cancelled' }), 2, 0.01],
      [attempt('orders', B, 'GET', { [STATUS]: 502, [ERROR]: '502' }), 1, 0.04],
      [attempt('orders', B, 'GET', { [STATUS]: 500, [ERROR]: '500' }), 2, 0.1],
      [attempt('orders', C, 'GET', { [STATUS]: 200 }), 1, 0.02],
      [attempt('orders', C, 'GET', { [ERROR]: 'connect' }), 1, 0.001],
      [attempt('billing', D1, 'GET', { [ERROR]: 'connect' }), 1, 0.002],
    ];
    expect(m.metrics.has('datapunk.balancer.requests')).toBe(false); // the histogram's count says it
    expect(m.points('datapunk.balancer.request.duration')).toHaveLength(expected.length);
    for (const [attributes, count, sum] of expected) {
      const h = m.value<Histogram>('datapunk.balancer.request.duration', attributes);
      expect(h.count).toBe(count);
      expect(h.sum).toBeCloseTo(sum, 9);
    }
    const ok = m.value<Histogram>('datapunk.balancer.request.duration', attempt('orders', A, 'GET', { [STATUS]: 200 }));
    expect(ok.buckets.counts[1]).toBe(7); // 10 ms falls in (0.005, 0.01]
  });

  it('reports in-flight requests, ejections, transitions and health checks per instance', async () => {
    const { reader } = runScenario(true);
    const m = await collect(reader);
    expectServiceFigures(m);
    const active = m.points('datapunk.balancer.request.active').map((p) => [originOf(p.attributes), p.value]);
    expect(active.sort()).toEqual([[A, 0], [B, 0], [C, 1], [D1, 0], [D2, 1]]);
    const ejection = (instance: string, reason: string, result: string) =>
      at(true, 'orders', instance, { 'datapunk.balancer.ejection.reason': reason, 'datapunk.balancer.ejection.result': result });
    expect(m.value('datapunk.balancer.ejections', ejection(A, 'consecutive-gateway-failures', 'dry-run'))).toBe(1);
    expect(m.value('datapunk.balancer.ejections', ejection(A, 'consecutive-failures', 'enforced'))).toBe(1);
    expect(m.value('datapunk.balancer.ejections', ejection(B, 'consecutive-failures', 'max-ejection-percent'))).toBe(1);
    expect(m.points('datapunk.balancer.ejections')).toHaveLength(4); // and D1's in billing
    const moved = (service: string, instance: string, state: string, reason: string) =>
      at(true, service, instance, { 'datapunk.balancer.state': state, 'datapunk.balancer.transition.reason': reason });
    const transitions = [
      moved('orders', A, 'healthy', 'static-added'),
      moved('orders', B, 'healthy', 'static-added'),
      moved('orders', C, 'healthy', 'static-added'),
      moved('orders', A, 'ejected', 'consecutive-failures'),
      moved('orders', B, 'unhealthy', 'health-check-failed'),
      moved('billing', D1, 'healthy', 'static-added'),
      moved('billing', D2, 'healthy', 'static-added'),
      moved('billing', D1, 'ejected', 'consecutive-failures'),
      moved('billing', D2, 'draining', 'static-removed'),
    ];
    for (const t of transitions) expect(m.value('datapunk.balancer.instance.transitions', t)).toBe(1);
    expect(m.points('datapunk.balancer.instance.transitions')).toHaveLength(transitions.length);
    const check = (instance: string, result: string) => at(true, 'orders', instance, { 'datapunk.balancer.health_check.result': result });
    expect(m.value('datapunk.balancer.health_checks', check(A, 'pass'))).toBe(1);
    expect(m.value('datapunk.balancer.health_checks', check(B, 'fail'))).toBe(1);
    expect(m.value<Histogram>('datapunk.balancer.health_check.duration', check(A, 'pass'))).toMatchObject({ count: 1, sum: 0.012 });
    expect(m.value<Histogram>('datapunk.balancer.health_check.duration', check(B, 'fail'))).toMatchObject({ count: 1, sum: 1.5 });
  });
});

describe('metrics observer: perInstance false', () => {
  it('drops the instance attribute everywhere and aggregates over instances', async () => {
    const { reader } = runScenario(false);
    const m = await collect(reader);
    for (const spec of Object.values(INSTRUMENTS)) {
      const keys = new Set(m.points(spec.name).flatMap((p) => Object.keys(p.attributes)));
      for (const key of INSTANCE_ATTRIBUTES) expect(keys.has(key), `${spec.name} ${key}`).toBe(false);
      expect([...keys].sort(), spec.name).toEqual(spec.attributes.filter((k) => !(INSTANCE_ATTRIBUTES as readonly string[]).includes(k)).sort());
    }
    expectServiceFigures(m);
    const attempt = (service: string, method: string, rest: Attributes) => at(false, service, undefined, { [METHOD]: method, ...rest });
    const count = (a: Attributes) => m.value<Histogram>('datapunk.balancer.request.duration', a).count;
    expect(count(attempt('orders', 'GET', { [ERROR]: 'connect' }))).toBe(1);
    expect(count(attempt('billing', 'GET', { [ERROR]: 'connect' }))).toBe(1);
    const h = m.value<Histogram>('datapunk.balancer.request.duration', attempt('orders', 'GET', { [STATUS]: 200 }));
    expect([h.count, h.sum]).toEqual([8, expect.closeTo(0.09, 9)]);
    expect(m.points('datapunk.balancer.request.duration')).toHaveLength(7);
    expect(m.value('datapunk.balancer.request.active', { [SERVICE]: 'orders' })).toBe(1);
    expect(m.value('datapunk.balancer.request.active', { [SERVICE]: 'billing' })).toBe(1);
    expect(m.points('datapunk.balancer.request.active')).toHaveLength(2);
    const added = { [SERVICE]: 'orders', 'datapunk.balancer.state': 'healthy', 'datapunk.balancer.transition.reason': 'static-added' };
    expect(m.value('datapunk.balancer.instance.transitions', added)).toBe(3);
  });
});
