/**
 * A bench-side prototype of a proposed change to the core's `peak-ewma` strategy, measured beside
 * it in the fault run: the same peak-sensitive EWMA and cost (`estimate x (inFlight + 1)`, decay
 * 10 s, default 30 ms, failures count as at least 1 s), but the pick compares *every* candidate
 * when there are at most `FULL_SCAN_MAX` of them, and keeps the best of two random ones beyond.
 *
 * Why: with two random choices, an instance wins every pair it forms with a worse one. When
 * several instances misbehave at once, a 10x slower instance is paired with a failing one often
 * enough to take several percent of the traffic, which sets the callers' p99. Within one client
 * the in-flight counts are exact, so comparing all of a small candidate set costs a few
 * nanoseconds more and picks the truly cheapest. This file copies what it needs of
 * `packages/balancer/src/strategies/peak-ewma.ts` (the estimate, the cost comparison, and the
 * reset to the peers' mean on recovery); delete it once the core has the change.
 */
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint, StrategySample } from '@datapunk/balancer';

export const FULL_SCAN_MAX = 16;
const DECAY_MS = 10_000;
const DEFAULT_LATENCY_MS = 30;
const FAILURE_PENALTY_MS = 1_000;
const MIN_ESTIMATE_MS = 1e-9;

class Estimate {
  constructor(
    public value: number,
    public stamp: number,
  ) {}
}

/** As in the core: a slower sample replaces the decayed value, a faster one is averaged in. */
function nextEstimate(value: number, stamp: number, rttMs: number, now: number): number {
  const elapsed = now - stamp;
  const w = elapsed > 0 ? Math.exp(-elapsed / DECAY_MS) : 1;
  const decayed = value * w;
  return rttMs > decayed ? rttMs : decayed + rttMs * (1 - w);
}

/** As in the core: whether b costs less than a, both decayed to the later stamp. */
function costsLess(b: Estimate, nb: number, a: Estimate, na: number): boolean {
  const ca = Math.max(a.value, MIN_ESTIMATE_MS) * (na + 1);
  const cb = Math.max(b.value, MIN_ESTIMATE_MS) * (nb + 1);
  const gap = b.stamp - a.stamp;
  if (gap > 0) return cb < ca * Math.exp(-gap / DECAY_MS);
  if (gap < 0) return cb * Math.exp(gap / DECAY_MS) < ca;
  return cb < ca;
}

/** Marks an endpoint whose estimate was forgotten on recovery, until the next build. */
const RESET = Symbol('reset');

function estimateOf(endpoint: StrategyEndpoint, now: number): Estimate {
  if (endpoint.slot instanceof Estimate) return endpoint.slot;
  const e = new Estimate(DEFAULT_LATENCY_MS, now);
  endpoint.slot = e;
  return e;
}

class LeastCostPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #random: () => number;

  constructor(endpoints: readonly E[], random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
  }

  pick(context: PickContext): E {
    const list = this.#endpoints;
    const n = list.length;
    if (n === 1) return list[0]!;
    if (n > FULL_SCAN_MAX) {
      const i = Math.min(n - 1, Math.floor(this.#random() * n));
      let j = Math.min(n - 2, Math.floor(this.#random() * (n - 1)));
      if (j >= i) j++;
      const a = list[i]!;
      const b = list[j]!;
      return costsLess(estimateOf(b, context.now), b.inFlight, estimateOf(a, context.now), a.inFlight) ? b : a;
    }
    // Start at a random index so that ties do not always favour the first endpoint.
    const start = Math.min(n - 1, Math.floor(this.#random() * n));
    let best = list[start]!;
    for (let k = 1; k < n; k++) {
      const e = list[(start + k) % n]!;
      if (costsLess(estimateOf(e, context.now), e.inFlight, estimateOf(best, context.now), best.inFlight)) best = e;
    }
    return best;
  }
}

/** The prototype strategy; see the file comment. */
export function leastCostEwma(): Strategy {
  return {
    name: 'peak-ewma-full-scan',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      // As in the core: an endpoint back from ejection or failed checks restarts at its peers' mean.
      if (endpoints.some((e) => e.slot === RESET)) {
        let sum = 0;
        let known = 0;
        for (const e of endpoints) {
          if (e.slot instanceof Estimate) {
            const elapsed = context.now - e.slot.stamp;
            sum += elapsed > 0 ? e.slot.value * Math.exp(-elapsed / DECAY_MS) : e.slot.value;
            known++;
          }
        }
        const start = known > 0 ? sum / known : DEFAULT_LATENCY_MS;
        for (const e of endpoints) if (e.slot === RESET) e.slot = new Estimate(start, context.now);
      }
      return new LeastCostPicker(endpoints, context.random);
    },
    observe(endpoint: StrategyEndpoint, sample: StrategySample): void {
      const s = estimateOf(endpoint, sample.now);
      const rtt = sample.failed ? Math.max(sample.latencyMs, FAILURE_PENALTY_MS) : sample.latencyMs;
      s.value = nextEstimate(s.value, s.stamp, rtt, sample.now);
      s.stamp = Math.max(s.stamp, sample.now);
    },
    reset(endpoint: StrategyEndpoint): void {
      if (endpoint.slot instanceof Estimate) endpoint.slot = RESET;
    },
  };
}
