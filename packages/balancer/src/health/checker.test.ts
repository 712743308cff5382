import { describe, expect, it } from 'vitest';
import { checkHarness, origin, origins } from './checker.test-helpers.js';
import { HealthCheckTimeout } from './failure.js';

const A = origin(0);
const B = origin(1);

describe('health checker schedule', () => {
  it('spreads the first checks of 20 instances uniformly over the first interval', async () => {
    const h = checkHarness({ intervalMs: 1_000 }, { service: { instances: origins(20) } });
    await h.runtime.advanceAsync(1_000);
    const first = new Map<string, number>();
    for (const c of h.script.calls) if (!first.has(c.id)) first.set(c.id, c.at);
    const times = [...first.values()];
    expect(first.size).toBe(20);
    expect(new Set(times).size).toBe(20);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThan(1_000);
    }
    const quarters = new Set(times.map((t) => Math.floor(t / 250)));
    expect([...quarters].sort()).toEqual([0, 1, 2, 3]);
    await h.balancer.close();
  });

  it('applies thresholds both ways and uses the unhealthy interval while unhealthy', async () => {
    const h = checkHarness(
      { intervalMs: 1_000, unhealthyIntervalMs: 300, jitterPercent: 0, unhealthyThreshold: 3, healthyThreshold: 2 },
      { random: 0 },
    );
    h.script.answer(A, { pass: false, error: 'status 500' });
    await h.runtime.advanceAsync(0); // t=0: first check (random 0 puts it at the start)
    await h.runtime.advanceAsync(1_000); // t=1000
    expect(h.results(A)).toEqual(['fail/1/status 500', 'fail/2/status 500']);
    expect(h.state(A)).toBe('healthy');
    await h.runtime.advanceAsync(1_000); // t=2000
    expect(h.state(A)).toBe('unhealthy');
    expect(h.changes.at(-1)).toMatchObject({ from: 'healthy', to: 'unhealthy', reason: 'health-check-failed' });

    h.script.answer(A, { pass: true });
    await h.runtime.advanceAsync(299);
    expect(h.script.calls).toHaveLength(3);
    await h.runtime.advanceAsync(1); // t=2300: unhealthy interval
    expect(h.results(A).at(-1)).toBe('pass/1');
    expect(h.state(A)).toBe('unhealthy');
    await h.runtime.advanceAsync(300); // t=2600
    expect(h.state(A)).toBe('healthy');
    expect(h.changes.at(-1)).toMatchObject({ from: 'unhealthy', to: 'healthy', reason: 'health-check-passed' });

    await h.runtime.advanceAsync(999); // healthy again: back to the healthy interval
    expect(h.script.calls).toHaveLength(5);
    await h.runtime.advanceAsync(1);
    expect(h.script.calls.map((c) => c.at)).toEqual([0, 1_000, 2_000, 2_300, 2_600, 3_600]);
    await h.balancer.close();
  });

  it('adds jitter of up to jitterPercent to each interval', async () => {
    const h = checkHarness({ intervalMs: 1_000, jitterPercent: 20 }, { seed: 7 });
    await h.runtime.advanceAsync(30_000);
    const at = h.script.calls.map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.length).toBeGreaterThan(20);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(1_000);
      expect(g).toBeLessThan(1_200);
    }
    expect(new Set(gaps).size).toBe(gaps.length);
    await h.balancer.close();
  });

  it('an initially unhealthy instance becomes healthy on its first pass; after a first failure the threshold applies', async () => {
    const h = checkHarness(
      { intervalMs: 1_000, jitterPercent: 0, healthyThreshold: 3, initialState: 'unhealthy' },
      { random: 0, service: { instances: origins(2) } },
    );
    expect([h.state(A), h.state(B)]).toEqual(['unhealthy', 'unhealthy']);
    h.script.answer(B, { pass: false });
    await h.runtime.advanceAsync(0);
    expect([h.state(A), h.state(B)]).toEqual(['healthy', 'unhealthy']);
    h.script.answer(B, { pass: true });
    await h.runtime.advanceAsync(2_000);
    expect(h.state(B)).toBe('unhealthy');
    await h.runtime.advanceAsync(1_000);
    expect(h.state(B)).toBe('healthy');
    expect(h.results(B)).toEqual(['fail/1/boom', 'pass/1', 'pass/2', 'pass/3']);
    await h.balancer.close();
  });
});

describe('health checker timeouts and concurrency', () => {
  it('times a check out through its signal, even a check that ignores the signal', async () => {
    const h = checkHarness({ intervalMs: 1_000, timeoutMs: 200, jitterPercent: 0, unhealthyThreshold: 2 }, { random: 0 });
    h.script.answer(A, { pass: true, afterMs: Infinity });
    await h.runtime.advanceAsync(199);
    expect(h.events).toHaveLength(0);
    await h.runtime.advanceAsync(1);
    expect(h.script.calls[0]!.signal.reason).toBeInstanceOf(HealthCheckTimeout);
    expect(h.events[0]).toMatchObject({ passed: false, detail: 'timeout', durationMs: 200, streak: 1 });

    h.script.answer(A, { pass: true, afterMs: Infinity, honourSignal: false });
    await h.runtime.advanceAsync(1_200); // t=1400: the second check started at 1200 and timed out
    expect(h.script.calls[1]!.ended).toBe(false);
    expect(h.events.map((e) => `${e.detail}@${e.durationMs}`)).toEqual(['timeout@200', 'timeout@200']);
    expect(h.state(A)).toBe('unhealthy');

    h.script.answer(A, { pass: true });
    await h.runtime.advanceAsync(1_000); // the schedule goes on
    expect(h.results(A).at(-1)).toBe('pass/1');
    await h.balancer.close();
  });

  it('a check that throws synchronously fails with its message', async () => {
    const h = checkHarness(
      { intervalMs: 1_000 },
      {
        random: 0,
        check: () => {
          throw new Error('not a promise');
        },
      },
    );
    await h.runtime.advanceAsync(0);
    expect(h.events[0]).toMatchObject({ service: 'orders', passed: false, detail: 'not a promise', streak: 1 });
    await h.balancer.close();
  });

  it('never runs two checks of one instance at once: the next is scheduled when one ends', async () => {
    const h = checkHarness({ intervalMs: 1_000, timeoutMs: 10_000, jitterPercent: 0 }, { random: 0 });
    h.script.answer(A, { pass: true, afterMs: 2_500 });
    await h.runtime.advanceAsync(20_000);
    expect(h.script.maxRunningPerInstance).toBe(1);
    expect(h.script.calls.map((c) => c.at)).toEqual([0, 3_500, 7_000, 10_500, 14_000, 17_500]);
    expect(h.events.every((e) => e.durationMs === 2_500)).toBe(true);
    await h.balancer.close();
  });

  it('keeps at most maxConcurrent checks in flight and serves queued instances in turn', async () => {
    const h = checkHarness({ intervalMs: 100, timeoutMs: 1_000, maxConcurrent: 3 }, { service: { instances: origins(10) } });
    for (const id of origins(10)) h.script.answer(id, { pass: true, afterMs: 50 });
    await h.runtime.advanceAsync(3_000);
    expect(h.script.maxRunning).toBe(3);
    expect(h.script.maxRunningPerInstance).toBe(1);
    const counts = origins(10).map((id) => h.script.calls.filter((c) => c.id === id).length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(Math.max(...counts) - 1);
    expect(Math.min(...counts)).toBeGreaterThan(10);
    await h.balancer.close();
  });
});
