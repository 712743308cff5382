/**
 * Random hedged calls on the fake runtime: time passes, attempts answer, fail, time out, the
 * caller gives up, losers' transports report their abort late. After every step the instances'
 * in-flight counts equal the attempts still live; at the end they are all 0, and an instance's
 * failures are exactly the failures its own attempts reported: a cancelled (lost) attempt never
 * counts, whatever its transport says afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import type { Attempt } from '../attempt/attempt.js';
import type { AttemptFacts } from '../attempt/facts.js';
import { createFakeRuntime } from '../testing/fake-runtime.js';

const INSTANCES = Array.from({ length: 5 }, (_, i) => `http://127.0.0.1:${8001 + i}`);
const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

type Report = 'ok' | 'stream-ok' | 'stream-broken' | 'status-503' | 'status-404' | 'reset' | 'caller';
type Step = { readonly kind: 'advance'; readonly ms: number } | { readonly kind: 'report'; readonly pick: number; readonly report: Report };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 25 }) }),
  fc.record({
    kind: fc.constant('report' as const),
    pick: fc.nat(),
    report: fc.constantFrom<Report>('ok', 'stream-ok', 'stream-broken', 'status-503', 'status-404', 'reset', 'caller'),
  }),
);

/** Whether the report is one its instance is to blame for. */
const FAILS: Record<Report, boolean> = { ok: false, 'stream-ok': false, 'stream-broken': true, 'status-503': true, 'status-404': false, reset: true, caller: false };

interface Tracked {
  readonly attempt: Attempt;
  lost: boolean;
  timedOut: Error | undefined;
  /** Reported by the "adapter" (the test). */
  done: boolean;
}

function run(steps: readonly Step[], maxAttempts: number, timeoutMs: number | undefined, maxRetries: number): void {
  const runtime = createFakeRuntime({ seed: 11 });
  const balancer = createBalancer({
    services: {
      orders: {
        instances: INSTANCES,
        strategy: 'random',
        healthCheck: false,
        outlierDetection: false,
        hedge: { delayMs: 10, maxAttempts, budget: false },
        retry: { maxRetries, backoffBaseMs: 0, ...(timeoutMs === undefined ? {} : { perAttemptTimeoutMs: timeoutMs }) },
      },
    },
    runtime,
  });
  const snapshot = () => balancer.snapshot().services.orders!.instances;
  const call = balancer.call({ method: 'GET', url: 'http://orders/x' })!;
  const all: Tracked[] = [];
  const expectedFailures = new Map<string, number>();
  const track = (attempt: Attempt): void => {
    const t: Tracked = { attempt, lost: false, timedOut: undefined, done: false };
    attempt.onCancel(() => (t.lost = true));
    attempt.arm((error) => (t.timedOut = error));
    all.push(t);
  };
  if (!call.hedge(track)) throw new Error('a GET should be hedged');
  const next = (): void => {
    const a = call.next();
    if (a.ok) track(a);
  };
  next();

  const report = (t: Tracked, r: Report): void => {
    const wasLost = t.lost;
    t.done = true;
    let decision;
    let failed: boolean;
    if (t.timedOut !== undefined) {
      decision = t.attempt.end({ error: t.timedOut });
      failed = true;
    } else if (r === 'stream-ok' || r === 'stream-broken') {
      decision = t.attempt.headers({ status: 200 });
      failed = false;
      if (!decision.retry && decision.reason !== 'other-attempt') {
        decision = t.attempt.end(r === 'stream-ok' ? { status: 200 } : { error: reset(), bodyStarted: true } as AttemptFacts);
        failed = FAILS[r];
      }
    } else {
      const facts: AttemptFacts = r === 'ok' ? { status: 200 } : r === 'status-503' ? { status: 503 } : r === 'status-404' ? { status: 404 } : r === 'reset' ? { error: reset() } : { error: new Error('aborted'), cancelledBy: 'caller' };
      decision = t.attempt.end(facts);
      failed = FAILS[r];
    }
    if (!wasLost && failed) expectedFailures.set(t.attempt.target.origin, (expectedFailures.get(t.attempt.target.origin) ?? 0) + 1);
    if (wasLost) expect(decision).toEqual({ retry: false, reason: 'other-attempt' });
    if (decision.retry) next();
  };

  const checkInFlight = (): void => {
    const live = all.filter((t) => !t.done && !t.lost).length;
    expect(snapshot().reduce((s, i) => s + i.inFlight, 0)).toBe(live);
  };

  for (const s of steps) {
    if (s.kind === 'advance') runtime.advance(s.ms);
    else {
      const open = all.filter((t) => !t.done);
      if (open.length > 0) report(open[s.pick % open.length]!, s.report);
    }
    checkInFlight();
  }
  // Drain: every attempt still open ends (the losers' transports report their abort).
  for (let guard = 0; guard < 50; guard++) {
    const open = all.filter((t) => !t.done);
    if (open.length === 0) break;
    for (const t of open) report(t, t.lost ? 'reset' : 'ok');
  }
  checkInFlight();
  for (const i of snapshot()) {
    expect(i.inFlight, i.id).toBe(0);
    expect(i.totals.failures, `failures of ${i.id}`).toBe(expectedFailures.get(i.id) ?? 0);
  }
  // Lost attempts are counted as cancelled, never as failures; distinct instances within a call.
  const lost = all.filter((t) => t.lost).length;
  expect(snapshot().reduce((s, i) => s + i.totals.cancelled, 0)).toBeGreaterThanOrEqual(lost);
  expect(new Set(all.map((t) => t.attempt.target.origin)).size).toBe(all.length);
}

describe('hedged calls under random completions and cancellations', () => {
  it('every attempt gives its in-flight slot back; a cancelled hedge never counts as its instance failing', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 2, max: 4 }),
        fc.option(fc.integer({ min: 5, max: 40 }), { nil: undefined }),
        fc.integer({ min: 0, max: 1 }),
        (steps, maxAttempts, timeoutMs, maxRetries) => run(steps, maxAttempts, timeoutMs, maxRetries),
      ),
      { numRuns: 500 },
    );
  });
});
