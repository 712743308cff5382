import { describe, expect, it } from 'vitest';
import { NoAvailableInstanceError } from '../errors.js';
import { createBalancer } from '../balancer.js';
import type { DiscoverySink } from '../discovery/source.js';
import { staticDiscovery } from '../discovery/static.js';
import type { Outcome } from '../outcome.js';
import { maglev } from '../strategies/maglev.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { harness, ok, refused, s503, urls } from './service.test-helpers.js';
import { pickFrom } from '../testing/pick.js';

const [A, B, C] = urls(3) as [string, string, string];

describe('panic', () => {
  const od = { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 100, baseEjectionMs: 5_000 };

  it('enters below the threshold, balances over all instances, and leaves when they recover', () => {
    const h = harness({ instances: urls(3), strategy: 'round-robin', outlierDetection: od });
    const panics: boolean[] = [];
    h.balancer.observe({ panicChanged: (e) => void panics.push(e.panic) });
    h.fail(A, s503, 1);
    expect(h.balancer.snapshot().services.orders!.panic).toBe(false); // 2 of 3 healthy = 66%
    h.fail(B, s503, 1);
    expect(h.balancer.snapshot().services.orders!.panic).toBe(true); // 1 of 3 = 33% < 50%
    const seen = new Set(Array.from({ length: 30 }, () => h.hit(ok)));
    expect(seen).toEqual(new Set([A, B, C]));
    h.runtime.advance(5_000);
    expect(h.balancer.snapshot().services.orders!.panic).toBe(false);
    expect(panics).toEqual([true, false]);
  });

  it('fail-fast mode refuses with ERR_NO_AVAILABLE_INSTANCE', () => {
    const h = harness({ instances: urls(2), strategy: 'round-robin', outlierDetection: od, panic: { mode: 'fail-fast' } });
    h.fail(A, s503, 1); // 1 of 2 healthy = 50%, not below
    expect(pickFrom(h.balancer, 'orders').ok).toBe(true);
    h.fail(B, s503, 1);
    const p = pickFrom(h.balancer, 'orders');
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.error instanceof NoAvailableInstanceError).toBe(true);
      expect(p.error.reason).toBe('panic-fail-fast');
      expect(p.error.message).toMatch(/service "orders".*panic/);
    }
  });

  it('threshold 0 disables panic: all ejected gives all-ejected', () => {
    const h = harness({ instances: urls(2), strategy: 'round-robin', outlierDetection: od, panic: { thresholdPercent: 0 } });
    h.fail(A, s503, 1);
    h.fail(B, s503, 1);
    const p = pickFrom(h.balancer, 'orders');
    expect(!p.ok && p.error.reason).toBe('all-ejected');
    expect(!p.ok && p.error.message).toContain('2 ejected');
  });
});

describe('membership and draining', () => {
  it('a removed instance drains: no new picks, forgotten when its in-flight requests end', () => {
    const d = staticDiscovery(urls(3));
    const h = harness({ discovery: d, strategy: 'round-robin' });
    const held = Array.from({ length: 6 }, () => h.pick()).filter((p) => p.instance.id === A);
    expect(held).toHaveLength(2);
    d.set([B, C]);
    expect(h.state(A)).toBe('draining');
    for (let i = 0; i < 20; i++) expect(h.hit(ok)).not.toBe(A);
    held[0]!.done(ok);
    expect(h.state(A)).toBe('draining');
    held[1]!.done(ok);
    expect(h.state(A)).toBeUndefined();
    expect(h.changes.filter((c) => c.instance.id === A).map((c) => c.to)).toEqual(['draining', 'removed']);
  });

  it('the drain timeout forgets an instance whose requests never end; late outcomes are ignored', () => {
    const d = staticDiscovery(urls(2));
    const h = harness({ discovery: d, strategy: 'round-robin', drainTimeoutMs: 1_000 });
    const held = [h.pick(), h.pick()].find((p) => p.instance.id === A)!;
    d.set([B]);
    h.runtime.advance(999);
    expect(h.state(A)).toBe('draining');
    h.runtime.advance(1);
    expect(h.state(A)).toBeUndefined();
    expect(() => held.done(s503)).not.toThrow();
    expect(h.balancer.snapshot().services.orders!.instances.map((i) => i.id)).toEqual([B]);
  });

  it('an instance re-added while draining keeps its state and takes traffic again', () => {
    const d = staticDiscovery(urls(2));
    const h = harness({ discovery: d, strategy: 'round-robin' });
    const held = [h.pick(), h.pick()].find((p) => p.instance.id === A)!;
    d.set([B]);
    d.set([A, B]);
    expect(h.state(A)).toBe('healthy');
    expect(h.balancer.snapshot().services.orders!.instances.find((i) => i.id === A)!.inFlight).toBe(1);
    held.done(ok);
    expect(new Set(Array.from({ length: 4 }, () => h.hit(ok)))).toEqual(new Set([A, B]));
  });

  it('kept instances keep their state across updates; bad entries are skipped, not fatal', () => {
    const d = staticDiscovery(urls(3));
    const h = harness({ discovery: d, strategy: 'round-robin', outlierDetection: { consecutiveFailures: { threshold: 1 }, maxEjectionPercent: 50 } });
    h.fail(A, s503, 1);
    d.set([A, B, C, 'not a url', { url: 'http://127.0.0.1:9', weight: -1 }]);
    expect(h.state(A)).toBe('ejected');
    expect(h.balancer.snapshot().services.orders!.instances).toHaveLength(3);
  });

  it('a list whose every entry is bad is not applied (the last good list stays)', () => {
    const d = staticDiscovery(urls(2));
    const h = harness({ discovery: d, strategy: 'round-robin' });
    d.set(['nope', 42]);
    expect(h.balancer.snapshot().services.orders!.instances).toHaveLength(2);
    d.fail(new Error('registry down'));
    expect(h.balancer.snapshot().services.orders!.instances).toHaveLength(2);
  });

  it('reasons when nothing is available: none discovered, all draining', () => {
    const d = staticDiscovery([]);
    const h = harness({ discovery: d });
    const p = pickFrom(h.balancer, 'orders');
    expect(!p.ok && p.error.reason).toBe('none-discovered');
    d.set([A]);
    const held = h.pick();
    d.set([]);
    const q = pickFrom(h.balancer, 'orders');
    expect(!q.ok && q.error.reason).toBe('all-draining');
    held.done(ok);
  });
});

describe('slow start', () => {
  it('ramps a joining instance from the minimum weight to its full weight over the window', () => {
    const d = staticDiscovery([{ url: A, weight: 10 }]);
    const h = harness({ discovery: d, strategy: 'weighted-round-robin', slowStart: { windowMs: 10_000, minWeightPercent: 10 } });
    const weight = () => h.balancer.snapshot().services.orders!.instances.find((i) => i.id === B)?.effectiveWeight;
    expect(h.balancer.snapshot().services.orders!.instances[0]!.effectiveWeight).toBe(10); // initial list: no ramp
    d.set([{ url: A, weight: 10 }, { url: B, weight: 10 }]);
    expect(weight()).toBe(1);
    h.runtime.advance(5_000);
    expect(weight()).toBe(5);
    h.runtime.advance(2_000);
    expect(weight()).toBe(7);
    h.runtime.advance(3_000);
    expect(weight()).toBe(10);
    expect(h.runtime.pendingTimers()).toBe(1); // only the outlier sweep is left
  });

  it('ramps an instance recovering from ejection', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'round-robin',
      slowStart: { windowMs: 1_000, aggression: 1 },
      outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 1_000, maxEjectionPercent: 50 },
    });
    h.fail(A, s503, 1);
    h.runtime.advance(1_000);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.effectiveWeight).toBe(0.1);
    h.runtime.advance(500);
    expect(h.balancer.snapshot().services.orders!.instances[0]!.effectiveWeight).toBe(0.5);
  });
});

describe('close', () => {
  it('waits for in-flight requests, then leaves no timer behind; picks fail afterwards', async () => {
    const h = harness({ instances: urls(2), healthCheck: undefined, slowStart: { windowMs: 1_000 } });
    const p = h.pick();
    let closed = false;
    const closing = h.balancer.close().then(() => (closed = true));
    await h.runtime.settle();
    expect(closed).toBe(false);
    const q = pickFrom(h.balancer, 'orders');
    expect(!q.ok && q.error.reason).toBe('closed');
    p.done(ok);
    await closing;
    expect(closed).toBe(true);
    expect(h.runtime.pendingTimers()).toBe(0);
    expect(h.balancer.snapshot().services.orders!.instances).toHaveLength(0);
  });
});

describe('strategy build failures', () => {
  it('a strategy that cannot build (maglev larger than its table) falls back to random picks, with an error log', () => {
    const runtime = createFakeRuntime();
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      child: () => logger,
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (fields: Record<string, unknown>) => lines.push({ level: 'error', fields }),
    };
    const balancer = createBalancer({ services: { orders: { instances: urls(7), strategy: maglev({ tableSize: 5 }) } }, runtime, logger });
    const seen = new Set(Array.from({ length: 200 }, () => {
      const p = pickFrom(balancer, 'orders', { hashKey: 'k' });
      if (!p.ok) throw p.error;
      p.done(ok);
      return p.instance.id;
    }));
    expect(seen.size).toBe(7);
    expect(lines[0]?.fields).toMatchObject({ balancer: { service: 'orders', event: 'strategy-failed', strategy: 'maglev' } });
  });
});

describe('records a discovery source skipped itself', () => {
  it('are reported with the service\'s own rejects, and the good entries applied', () => {
    const runtime = createFakeRuntime();
    const lines: Record<string, unknown>[] = [];
    const logger = { child: () => logger, debug: () => {}, info: () => {}, error: () => {}, warn: (f: Record<string, unknown>) => lines.push(f) };
    let sink: DiscoverySink | undefined;
    const balancer = createBalancer({
      services: { orders: { discovery: { kind: 'etcd', start: (s) => (sink = s), close: () => {} } } },
      runtime,
      logger,
    });
    sink!.update([A, 'nope'], { rejected: [{ path: '/datapunk/services/orders/b', message: 'invalid JSON' }] });
    expect(balancer.snapshot().services.orders!.instances.map((i) => i.id)).toEqual([A]);
    expect(lines.map((l) => l.balancer as Record<string, unknown>).filter((l) => l.event === 'invalid-entry').map((l) => l.path)).toEqual(['/datapunk/services/orders/b', 'etcd[1]']);
  });
});

describe('recovery under peak-ewma', () => {
  it('an instance back from ejection gets traffic at once, its failure penalty forgotten', () => {
    const h = harness({
      instances: urls(3),
      strategy: 'peak-ewma',
      outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 1_000, maxEjectionPercent: 50 },
    });
    for (let i = 0; i < 30; i++) h.hit({ kind: 'response', status: 200, latencyMs: 5 });
    h.fail(A, s503, 1);
    expect(h.state(A)).toBe('ejected');
    h.runtime.advance(1_000);
    expect(h.state(A)).toBe('healthy');
    const share = Array.from({ length: 300 }, () => h.hit({ kind: 'response', status: 200, latencyMs: 5 })).filter((id) => id === A).length / 300;
    // Without the reset its 1 s penalty would keep it out for tens of seconds.
    expect(share).toBeGreaterThan(0.2);
  });
});

describe('an instance restarted before it was ejected', () => {
  it('regains peak-ewma traffic at its first passing health check after refused connections', async () => {
    const runtime = createFakeRuntime({ seed: 4 });
    const balancer = createBalancer({
      services: {
        orders: {
          instances: urls(3),
          strategy: 'peak-ewma',
          outlierDetection: { consecutiveFailures: { threshold: 50 } },
          healthCheck: { intervalMs: 1_000, jitterPercent: 0, check: () => Promise.resolve() },
        },
      },
      runtime,
    });
    const hit = (outcome: Outcome) => {
      const p = pickFrom(balancer, 'orders');
      if (!p.ok) throw p.error;
      p.done(outcome);
      return p.instance.id;
    };
    for (let i = 0; i < 30; i++) hit({ kind: 'response', status: 200, latencyMs: 5 });
    // A is down: its next attempts are refused (1 s penalty each), then it stops getting traffic.
    for (let i = 0; i < 30; i++) {
      const p = pickFrom(balancer, 'orders');
      if (!p.ok) throw p.error;
      p.done(p.instance.id === A ? refused : { kind: 'response', status: 200, latencyMs: 5 });
    }
    const shareOfA = () => Array.from({ length: 300 }, () => hit({ kind: 'response', status: 200, latencyMs: 5 })).filter((id) => id === A).length / 300;
    expect(shareOfA()).toBe(0);
    expect(balancer.snapshot().services.orders!.instances[0]!.state).toBe('healthy'); // never ejected
    await runtime.advanceAsync(1_000); // a health check passes: A is back
    expect(shareOfA()).toBeGreaterThan(0.2);
    await balancer.close();
  });
});
