/**
 * `BalancerEvents`: the public name of every event `observe()` delivers, by observer method. A
 * handler written apart from the `observe()` call is typed with it, and gets what the method gets.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BalancerEvents, BalancerObserver } from './balancer.js';
import type { EjectionEvent, HedgeEvent, StateChangeEvent } from './service/observer.js';
import { harness, s503, urls } from './service/service.test-helpers.js';

describe('BalancerEvents', () => {
  it('names each observer method’s event exactly (not optional, not widened)', () => {
    expectTypeOf<BalancerEvents['ejection']>().toEqualTypeOf<EjectionEvent>();
    expectTypeOf<BalancerEvents['stateChanged']>().toEqualTypeOf<StateChangeEvent>();
    expectTypeOf<BalancerEvents['hedgeWon']>().toEqualTypeOf<HedgeEvent>();
    expectTypeOf<keyof BalancerEvents>().toEqualTypeOf<keyof BalancerObserver>();
  });

  it('types handlers written apart from observe(), which then receive the events', () => {
    const h = harness({ instances: urls(3), strategy: 'round-robin', outlierDetection: { consecutiveFailures: 2 } });
    const seen: string[] = [];
    const onEjection = (e: BalancerEvents['ejection']): void => void seen.push(`ejection ${e.instance.id} ${e.reason} ${e.enforced}`);
    const onState = (e: BalancerEvents['stateChanged']): void => void seen.push(`state ${e.instance.id} ${e.from}->${e.to}`);
    const subscription = h.balancer.observe({ ejection: onEjection, stateChanged: onState });
    const [a] = urls(1);
    h.fail(a!, s503, 2);
    expect(seen).toEqual([`ejection ${a} consecutive-failures true`, `state ${a} healthy->ejected`]);
    subscription.dispose();
  });
});
