/**
 * Property tests over random sequences of picks, outcomes, membership updates
 * and the passage of time, for every built-in strategy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBalancer } from '../balancer.js';
import { staticDiscovery } from '../discovery/static.js';
import type { Outcome } from '../outcome.js';
import { STRATEGY_NAMES } from '../strategies/index.js';
import type { TestPick } from '../testing/pick.js';

type PickedInstance = TestPick & { readonly ok: true };
import { createFakeRuntime } from '../testing/fake-runtime.js';
import { pickFrom } from '../testing/pick.js';

const OUTCOMES: Outcome[] = [
  { kind: 'response', status: 200, latencyMs: 1 },
  { kind: 'response', status: 503, latencyMs: 2 },
  { kind: 'response', status: 404, latencyMs: 1 },
  { kind: 'failure', failure: 'connect', latencyMs: 1 },
  { kind: 'failure', failure: 'timeout', latencyMs: 50 },
  { kind: 'cancelled' },
];

type Op =
  | { op: 'pick'; key: number }
  | { op: 'done'; which: number; outcome: number }
  | { op: 'advance'; ms: number }
  | { op: 'members'; mask: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('pick' as const), key: fc.nat(50) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('done' as const), which: fc.nat(), outcome: fc.nat(OUTCOMES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('members' as const), mask: fc.integer({ min: 0, max: 63 }) }) },
);

const ORIGINS = Array.from({ length: 6 }, (_, i) => `http://127.0.0.1:${9001 + i}`);

describe.each(STRATEGY_NAMES)('service invariants with %s', (strategy) => {
  it('never picks an ejected, unhealthy or draining instance outside panic; in-flight never negative and returns to zero; state changes form one chain per instance', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150 }), fc.integer({ min: 1, max: 1_000 }), (ops, seed) => {
        const runtime = createFakeRuntime({ seed });
        const discovery = staticDiscovery(ORIGINS.slice(0, 4).map((url, i) => ({ url, weight: 1 + (i % 3) })));
        const balancer = createBalancer({
          services: {
            orders: {
              discovery,
              strategy,
              hashKey: { header: 'x-key' },
              outlierDetection: { consecutiveFailures: { threshold: 2 }, baseEjectionMs: 5_000, maxEjectionPercent: 50 },
              slowStart: { windowMs: 3_000 },
              drainTimeoutMs: 20_000,
            },
          },
          runtime,
        });
        // Every state change goes through the one transition function: per instance, the events
        // form one chain (new -> ... -> removed, and new again when it is re-added).
        const last = new Map<string, string>(balancer.snapshot().services.orders!.instances.map((i) => [i.id, i.state]));
        balancer.observe({
          stateChanged: ({ instance, from, to }) => {
            expect(from, `${instance.id}: ${from} -> ${to}`).toBe(last.get(instance.id) ?? 'new');
            expect(to).not.toBe(from);
            if (to === 'removed') last.delete(instance.id);
            else last.set(instance.id, to);
          },
        });
        const held: PickedInstance[] = [];
        const service = () => balancer.snapshot().services.orders!;
        for (const o of ops) {
          if (o.op === 'pick') {
            const p = pickFrom(balancer, 'orders', { hashKey: `k${o.key}` });
            if (p.ok) {
              const snap = service();
              const state = snap.instances.find((i) => i.id === p.instance.id)?.state;
              expect(state).toBeDefined();
              expect(state).not.toBe('draining');
              if (!snap.panic) expect(state).toBe('healthy');
              held.push(p);
            }
          } else if (o.op === 'done' && held.length > 0) {
            const [p] = held.splice(o.which % held.length, 1);
            p!.done(OUTCOMES[o.outcome]!);
          } else if (o.op === 'advance') runtime.advance(o.ms);
          else if (o.op === 'members') {
            discovery.set(ORIGINS.filter((_, i) => (o.mask >> i) & 1));
          }
          for (const i of service().instances) expect(i.inFlight).toBeGreaterThanOrEqual(0);
        }
        for (const i of service().instances) expect(i.state).toBe(last.get(i.id));
        expect(last.size).toBe(service().instances.length);
        for (const p of held) p.done(OUTCOMES[0]!);
        for (const i of service().instances) expect(i.inFlight).toBe(0);
        // Draining instances whose requests all ended are gone.
        expect(service().instances.some((i) => i.state === 'draining')).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(['round-robin', 'peak-ewma', 'maglev'] as const)('service invariants with %s and active health checks', (strategy) => {
  it('never picks an unhealthy instance outside panic while checks flip instances up and down', async () => {
    let runsWithUnhealthy = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('pick' as const), key: fc.nat(50) }),
            fc.record({ op: fc.constant('flip' as const), which: fc.nat(3) }),
            fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 1_000 }),
        async (ops, seed) => {
          const runtime = createFakeRuntime({ seed });
          const down = new Set<string>();
          const balancer = createBalancer({
            services: {
              orders: {
                instances: ORIGINS.slice(0, 4),
                strategy,
                healthCheck: {
                  intervalMs: 1_000,
                  unhealthyThreshold: 1,
                  healthyThreshold: 1,
                  check: (target) => (down.has(target.id) ? Promise.reject(new Error('down')) : Promise.resolve()),
                },
              },
            },
            runtime,
          });
          let unhealthySeen = 0;
          for (const o of ops) {
            if (o.op === 'flip') {
              const id = ORIGINS[o.which]!;
              if (down.has(id)) down.delete(id);
              else down.add(id);
            } else if (o.op === 'advance') await runtime.advanceAsync(o.ms);
            else {
              const p = pickFrom(balancer, 'orders', { hashKey: `k${o.key}` });
              const snap = balancer.snapshot().services.orders!;
              unhealthySeen += snap.instances.filter((i) => i.state === 'unhealthy').length;
              if (p.ok) {
                const state = snap.instances.find((i) => i.id === p.instance.id)!.state;
                if (!snap.panic) expect(state).toBe('healthy');
                p.done(OUTCOMES[0]!);
              }
            }
          }
          await balancer.close();
          expect(runtime.pendingTimers()).toBe(0);
          if (unhealthySeen > 0) runsWithUnhealthy++;
        },
      ),
      { numRuns: 25 },
    );
    // The property is only meaningful if checks really marked instances unhealthy in some runs.
    expect(runsWithUnhealthy).toBeGreaterThan(0);
  });
});
