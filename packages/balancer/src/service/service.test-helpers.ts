/** Shared helpers for service-level tests: a balancer on a fake runtime and outcome shortcuts. */
import { createBalancer, type Balancer } from '../balancer.js';
import type { ServiceOptions } from '../config/options.js';
import type { Outcome } from '../outcome.js';
import type { TestPick } from '../testing/pick.js';

type PickedInstance = TestPick & { readonly ok: true };
import type { StateChangeEvent } from './observer.js';
import { createFakeRuntime, type FakeRuntime } from '../testing/fake-runtime.js';
import { pickFrom } from '../testing/pick.js';

export const ok: Outcome = { kind: 'response', status: 200, latencyMs: 1 };
export const s503: Outcome = { kind: 'response', status: 503, latencyMs: 1 };
export const s404: Outcome = { kind: 'response', status: 404, latencyMs: 1 };
export const refused: Outcome = { kind: 'failure', failure: 'connect', latencyMs: 1 };
export const cancelled: Outcome = { kind: 'cancelled' };

export const urls = (n: number): string[] => Array.from({ length: n }, (_, i) => `http://127.0.0.1:${8001 + i}`);

export interface Harness {
  balancer: Balancer;
  runtime: FakeRuntime;
  changes: StateChangeEvent[];
  /** Picks once from `orders`; throws when unavailable. */
  pick(): PickedInstance;
  /** Picks and immediately reports `outcome`; returns the instance id. */
  hit(outcome: Outcome): string;
  /** Sends `outcome` to the given instance until it is picked `times` times (others get 200). */
  fail(id: string, outcome: Outcome, times: number): void;
  state(id: string): string | undefined;
}

export function harness(service: ServiceOptions, seed = 1): Harness {
  const runtime = createFakeRuntime({ seed });
  const balancer = createBalancer({ services: { orders: service }, runtime });
  const changes: StateChangeEvent[] = [];
  balancer.observe({ stateChanged: (e) => changes.push(e) });
  const pick = (): PickedInstance => {
    const p = pickFrom(balancer, 'orders');
    if (!p.ok) throw p.error;
    return p;
  };
  const h: Harness = {
    balancer,
    runtime,
    changes,
    pick,
    hit(outcome) {
      const p = pick();
      p.done(outcome);
      return p.instance.id;
    },
    fail(id, outcome, times) {
      let n = 0;
      for (let guard = 0; n < times && guard < times * 1000; guard++) {
        const p = pick();
        if (p.instance.id === id) {
          n++;
          p.done(outcome);
        } else p.done(ok);
      }
      if (n < times) throw new Error(`instance ${id} was picked only ${n} of ${times} times`);
    },
    state: (id) => balancer.snapshot().services.orders?.instances.find((i) => i.id === id)?.state,
  };
  return h;
}
