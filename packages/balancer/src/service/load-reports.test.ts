/**
 * The core reads load reports itself: from the facts an attempt reports (`headers()` or `end()`),
 * once per attempt, only when the service's strategy takes them, counting what it found.
 */
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../attempt/attempt.js';
import type { ResponseFacts } from '../attempt/facts.js';
import { createBalancer } from '../balancer.js';
import type { ServiceOptions } from '../config/options.js';
import { peakEwma } from '../strategies/peak-ewma.js';
import type { Strategy } from '../strategies/strategy.js';
import { weightedLeastLoad } from '../strategies/weighted-least-load.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import type { LoadReportEvent } from './observer.js';

const URLS = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'];

function setup(strategy: ServiceOptions['strategy']) {
  const runtime = createFakeRuntime({ seed: 3 });
  const balancer = createBalancer({ services: { orders: { instances: URLS, strategy, outlierDetection: false, retry: false } }, runtime });
  const events: LoadReportEvent[] = [];
  balancer.observe({ loadReported: (e) => events.push(e) });
  const attempt = (): Attempt => {
    const a = balancer.call({ method: 'GET', url: new URL('http://orders/x') })!.next();
    if (!a.ok) throw a.error;
    return a;
  };
  const instance = (origin: string) => balancer.snapshot().services.orders!.instances.find((i) => i.id === origin)!;
  return { runtime, balancer, events, attempt, instance };
}

const metrics = (value: string) => ({ 'endpoint-load-metrics': value });

describe('load reports through the core', () => {
  it('a valid report in a buffered response (end with status and headers) reaches the strategy, counted as accepted', () => {
    const { attempt, events, instance } = setup(weightedLeastLoad());
    const a = attempt();
    a.end({ status: 200, headers: metrics('TEXT cpu_utilization=0.4, rps_fractional=50') });
    expect(events).toEqual([{ service: 'orders', instance: expect.objectContaining({ id: a.target.origin }), result: 'accepted' }]);
    expect(instance(a.target.origin).strategy).toMatchObject({ utilization: 0.4, rpsFractional: 50 });
  });

  it('a streamed response is read once: at headers(), not again at end()', () => {
    const { attempt, events } = setup(weightedLeastLoad());
    const a = attempt();
    const facts: ResponseFacts = { status: 200, headers: metrics('JSON {"cpu_utilization":0.4}') };
    a.headers(facts);
    a.end({ status: 200, headers: facts.headers! });
    expect(events.map((e) => e.result)).toEqual(['accepted']);
  });

  it('a failed response still carries its report (a 503 from a full queue says how busy it is)', () => {
    const { attempt, instance } = setup(weightedLeastLoad());
    const a = attempt();
    a.end({ status: 503, headers: metrics('TEXT cpu_utilization=1, rps_fractional=80') });
    expect(instance(a.target.origin).strategy).toMatchObject({ utilization: 1, rpsFractional: 80 });
  });

  it('invalid and binary reports are counted and never reach the strategy; no report, no event', () => {
    const { attempt, events, instance } = setup(weightedLeastLoad());
    const a = attempt();
    a.end({ status: 200, headers: metrics('TEXT cpu_utilization=-3') });
    const b = attempt();
    b.end({ status: 200, headers: { 'endpoint-load-metrics-bin': 'CAEQAg==' } });
    attempt().end({ status: 200, headers: { 'content-type': 'text/plain' } });
    attempt().end({ error: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });
    expect(events.map((e) => [e.result, e.detail])).toEqual([
      ['invalid', 'cpu_utilization: out of range [0, Infinity]'],
      ['unsupported', 'BIN (binary) reports are not decoded'],
    ]);
    for (const origin of URLS) expect(instance(origin).strategy).not.toHaveProperty('utilization');
  });

  it('for a strategy that takes no reports, the header is never even read', () => {
    for (const strategy of [peakEwma(), 'round-robin' as const]) {
      const { attempt, events } = setup(strategy);
      const asked: string[] = [];
      const a = attempt();
      a.headers({ status: 200, headers: (name) => (asked.push(name), name === 'endpoint-load-metrics' ? 'TEXT cpu_utilization=0.5' : undefined) });
      a.end({});
      expect(asked).not.toContain('endpoint-load-metrics');
      expect(events).toEqual([]);
    }
  });

  it('a custom strategy with observeLoad gets the parsed report with the runtime time', () => {
    const seen: unknown[] = [];
    const custom: Strategy = {
      name: 'mine',
      build: (eps) => ({ pick: () => eps[0]! }),
      observeLoad: (endpoint, report, now) => seen.push([endpoint.id, report, now]),
    };
    const { attempt, runtime } = setup(custom);
    runtime.advance(1_234);
    const start = runtime.now();
    attempt().end({ status: 200, headers: metrics('TEXT eps=2, named_metrics.q=7') });
    expect(seen).toEqual([[URLS[0], { eps: 2, namedMetrics: { q: 7 } }, start]]);
  });

  it('weights from the reports steer picks once the blackout has passed', () => {
    const { attempt, runtime } = setup(weightedLeastLoad());
    const report = { [URLS[0]!]: 'TEXT cpu_utilization=0.9, rps_fractional=100', [URLS[1]!]: 'TEXT cpu_utilization=0.3, rps_fractional=100' };
    const picks = (n: number) => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const a = attempt();
        counts[a.target.origin] = (counts[a.target.origin] ?? 0) + 1;
        a.end({ status: 200, headers: metrics(report[a.target.origin]!) });
      }
      return counts;
    };
    for (let s = 0; s < 10; s++) {
      picks(10);
      runtime.advance(1_000);
    }
    const counts = picks(400); // within one update period: an EDF sequence over 1/0.9 : 1/0.3
    expect(Math.abs(counts[URLS[0]!]! - 100)).toBeLessThanOrEqual(1);
    expect(counts[URLS[0]!]! + counts[URLS[1]!]!).toBe(400);
  });
});
