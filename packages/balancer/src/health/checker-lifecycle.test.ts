import { describe, expect, it } from 'vitest';
import type { Balancer } from '../balancer.js';
import type { Outcome } from '../outcome.js';
import { checkHarness, origin, origins } from './checker.test-helpers.js';
import { pickFrom } from '../testing/pick.js';

const A = origin(0);
const B = origin(1);
const s503: Outcome = { kind: 'response', status: 503, latencyMs: 1 };
const ok: Outcome = { kind: 'response', status: 200, latencyMs: 1 };

/** Picks until `id` comes up and reports `outcome` for it (others get 200). */
function failOnce(balancer: Balancer, id: string, outcome: Outcome): void {
  for (let i = 0; i < 1_000; i++) {
    const p = pickFrom(balancer, 'orders');
    if (!p.ok) throw p.error;
    const mine = p.instance.id === id;
    p.done(mine ? outcome : ok);
    if (mine) return;
  }
  throw new Error(`${id} was never picked`);
}

const ejecting = {
  instances: origins(3),
  strategy: 'round-robin' as const,
  outlierDetection: { consecutiveFailures: { threshold: 1 }, baseEjectionMs: 30_000, maxEjectionPercent: 100 },
};

describe('health checker and outlier ejection', () => {
  it('a passing check un-ejects an ejected instance long before its ejection ends', async () => {
    const h = checkHarness({ intervalMs: 1_000 }, { service: ejecting });
    failOnce(h.balancer, A, s503);
    expect(h.state(A)).toBe('ejected');
    await h.runtime.advanceAsync(1_100);
    expect(h.state(A)).toBe('healthy');
    const back = h.changes.find((c) => c.instance.id === A && c.from === 'ejected');
    expect(back).toMatchObject({ to: 'healthy', reason: 'health-check-passed' });
    expect(h.runtime.now()).toBeLessThan(30_000);
    await h.balancer.close();
  });

  it('with unejectOnPass false a passing check leaves the ejection alone', async () => {
    const h = checkHarness({ intervalMs: 1_000, unejectOnPass: false }, { service: ejecting });
    failOnce(h.balancer, A, s503);
    await h.runtime.advanceAsync(5_000);
    expect(h.results(A).length).toBeGreaterThanOrEqual(4);
    expect(h.results(A).every((r) => r.startsWith('pass'))).toBe(true);
    expect(h.state(A)).toBe('ejected');
    await h.runtime.advanceAsync(25_000);
    expect(h.state(A)).toBe('healthy'); // the ejection expired on its own
    await h.balancer.close();
  });
});

describe('health checker lifecycle', () => {
  it('a removed instance stops being checked and a late result for it is ignored', async () => {
    const h = checkHarness({ intervalMs: 1_000, maxConcurrent: 1, unhealthyThreshold: 1 }, { random: 0, service: { instances: origins(2) } });
    h.script.answer(A, { pass: false, afterMs: Infinity, honourSignal: false });
    await h.runtime.advanceAsync(0);
    expect(h.script.calls.map((c) => c.id)).toEqual([A]); // B waits for the only slot

    h.service.setInstances([B], 'test');
    const late = h.script.calls[0]!;
    expect(late.signal.aborted).toBe(true);
    await h.runtime.settle();
    expect(h.script.calls.map((c) => c.id)).toEqual([A, B]); // the slot was freed at once
    late.settle(false); // the result arrives after the removal
    await h.runtime.advanceAsync(10_000);
    expect(h.results(A)).toEqual([]);
    expect(h.script.calls.filter((c) => c.id === A)).toHaveLength(1);
    expect(h.results(B).length).toBeGreaterThanOrEqual(10);

    h.script.answer(A, { pass: false });
    h.service.setInstances([A, B], 'test'); // a new record for the same origin starts afresh
    await h.runtime.advanceAsync(999);
    expect(h.results(A)).toEqual(['fail/1/boom']);
    expect(h.state(A)).toBe('unhealthy');
    await h.balancer.close();
  });

  it('a draining instance is not probed until discovery re-adds it', async () => {
    const h = checkHarness({ intervalMs: 1_000 }, { service: { instances: origins(2), strategy: 'round-robin' } });
    let held = pickFrom(h.balancer, 'orders');
    while (held.ok && held.instance.id !== A) {
      held.done(ok);
      held = pickFrom(h.balancer, 'orders');
    }
    h.service.setInstances([B], 'test');
    expect(h.state(A)).toBe('draining');
    await h.runtime.advanceAsync(5_000);
    expect(h.script.calls.filter((c) => c.id === A)).toHaveLength(0);
    expect(h.script.calls.filter((c) => c.id === B).length).toBeGreaterThanOrEqual(4);
    h.service.setInstances([A, B], 'test');
    await h.runtime.advanceAsync(1_100);
    expect(h.script.calls.filter((c) => c.id === A)).toHaveLength(1);
    if (held.ok) held.done(ok);
    await h.balancer.close();
  });

  it('close() aborts running checks, cancels every timer and resolves when no check is left', async () => {
    const h = checkHarness({ intervalMs: 1_000, timeoutMs: 5_000 }, { service: { instances: origins(4) } });
    h.script.answer(origin(0), { pass: true, afterMs: Infinity });
    h.script.answer(origin(1), { pass: true, afterMs: Infinity });
    h.script.answer(origin(2), { pass: true, afterMs: Infinity, honourSignal: false });
    await h.runtime.advanceAsync(1_000);
    expect(h.script.calls.filter((c) => !c.ended)).toHaveLength(3);
    expect(h.runtime.pendingTimers()).toBeGreaterThan(0);

    await h.balancer.close();
    expect(h.runtime.pendingTimers()).toBe(0);
    expect(h.script.calls.every((c) => c.signal.aborted || c.ended)).toBe(true);
    const hung = h.script.calls.filter((c) => c.id !== origin(3));
    expect(hung.map((c) => c.signal.aborted)).toEqual([true, true, true]);
    const seen = { calls: h.script.calls.length, events: h.events.length };
    await h.runtime.advanceAsync(60_000);
    expect({ calls: h.script.calls.length, events: h.events.length }).toEqual(seen);
  });
});
