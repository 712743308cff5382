/**
 * A direct pick, without a call: for tests and benchmarks of strategies and outlier detection.
 * Production code goes through `balancer.call()`.
 */
import { INTERNALS, type Balancer, type BalancerInternals } from '../balancer.js';
import type { CircuitOpenError, NoAvailableInstanceError } from '../errors.js';
import { InstanceRecord, type Instance } from '../instance/instance.js';
import type { Outcome } from '../outcome.js';

/** A picked instance held until `done(outcome)` (once; later calls are ignored). */
export type TestPick =
  | { readonly ok: true; readonly instance: Instance; done(outcome: Outcome): void }
  | { readonly ok: false; readonly error: NoAvailableInstanceError | CircuitOpenError };

/** Picks an instance of `service` on `balancer`; throws `TypeError` for an unknown service. */
export function pickFrom(balancer: Balancer, service: string, options: { hashKey?: string; method?: string } = {}): TestPick {
  const internals = (balancer as Balancer & { readonly [INTERNALS]?: BalancerInternals })[INTERNALS];
  const target = internals?.services.get(service);
  if (!target) throw new TypeError(`unknown service "${service}"`);
  const startedAt = balancer.runtime.now();
  const picked = target.pick(options.hashKey, undefined, startedAt);
  if (!(picked instanceof InstanceRecord)) return { ok: false, error: picked };
  let done = false;
  return {
    ok: true,
    instance: picked,
    done(outcome) {
      if (done) return;
      done = true;
      target.release(picked, startedAt, outcome, options.method);
    },
  };
}
