/**
 * Peak EWMA: power of two choices on expected latency times load, modelled on Finagle's
 * `PeakEwma`.
 *
 * Each pick draws two distinct endpoints at random and keeps the one with the lower cost,
 * `latencyEstimate(now) * (inFlight + 1)` (ties: the first drawn). The latency estimate is a
 * peak-sensitive EWMA kept in the endpoint's `slot`:
 * - a slower sample raises it at once (the peak); faster samples pull it down gradually;
 * - a failed sample counts as at least `failurePenaltyMs`, so an instance that fails fast
 *   (a 503 in 0.1 ms) looks slow instead of attractive;
 * - between samples it decays towards zero with time constant `decayMs`, and reading it does
 *   not change it. An instance that was penalised and then left alone thus becomes attractive
 *   again after a while and gets probed: that is how a recovered instance regains traffic.
 * A new endpoint starts at `defaultLatencyMs` when first seen. O(1) pick, no allocation.
 */
import { checkOptionsObject, numberOption } from './options.js';
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint, StrategySample } from './strategy.js';

export interface PeakEwmaOptions {
  /** Time constant of the decay, in ms (> 0): a sample's weight falls by 1/e per `decayMs`. Defaults to 10 s. */
  readonly decayMs?: number;
  /** Latency assumed for an endpoint with no samples yet, in ms (>= 0). Defaults to 30 ms. */
  readonly defaultLatencyMs?: number;
  /** Least latency a failed attempt counts as, in ms (>= 0). Defaults to 1 s. */
  readonly failurePenaltyMs?: number;
}

/** Resolved `PeakEwmaOptions`. */
export interface PeakEwmaConfig {
  readonly decayMs: number;
  readonly defaultLatencyMs: number;
  readonly failurePenaltyMs: number;
}

/** Per-endpoint estimate, stored in `endpoint.slot`. */
class EwmaState {
  constructor(
    /** Estimate in ms as of `stamp`. */
    public value: number,
    /** Time of the last sample (or first sight), in ms. */
    public stamp: number,
  ) {}
}

/** The estimate at `now`: `value` decayed by the time since `stamp`. Pure. */
export function decayedEstimate(value: number, stamp: number, now: number, decayMs: number): number {
  const elapsed = now - stamp;
  return elapsed > 0 ? value * Math.exp(-elapsed / decayMs) : value;
}

/**
 * The estimate after a sample of `rttMs` at `now`: a higher sample replaces the decayed value
 * (peak); a lower one is averaged in with the weight the elapsed time gives it. Pure.
 */
export function nextEstimate(value: number, stamp: number, rttMs: number, now: number, decayMs: number): number {
  const elapsed = now - stamp;
  const w = elapsed > 0 ? Math.exp(-elapsed / decayMs) : 1;
  const decayed = value * w;
  return rttMs > decayed ? rttMs : decayed + rttMs * (1 - w);
}

/**
 * Costs below this (after hours without samples the estimate underflows to 0) are raised to it,
 * so that in-flight counts still separate endpoints.
 */
const MIN_ESTIMATE_MS = 1e-9;

/** Latency-aware power of two choices; see the file comment. */
export function peakEwma(options?: PeakEwmaOptions): Strategy {
  checkOptionsObject('peakEwma', options, ['decayMs', 'defaultLatencyMs', 'failurePenaltyMs']);
  const config: PeakEwmaConfig = Object.freeze({
    decayMs: numberOption('peakEwma', 'decayMs', options?.decayMs, 10_000, { min: 0, exclusiveMin: true }),
    defaultLatencyMs: numberOption('peakEwma', 'defaultLatencyMs', options?.defaultLatencyMs, 30, { min: 0 }),
    failurePenaltyMs: numberOption('peakEwma', 'failurePenaltyMs', options?.failurePenaltyMs, 1_000, { min: 0 }),
  });

  const stateOf = (endpoint: StrategyEndpoint, now: number): EwmaState => {
    const slot = endpoint.slot;
    if (slot instanceof EwmaState) return slot;
    const state = new EwmaState(config.defaultLatencyMs, now);
    endpoint.slot = state;
    return state;
  };

  const cost = (endpoint: StrategyEndpoint, now: number): number => {
    const s = stateOf(endpoint, now);
    const estimate = decayedEstimate(s.value, s.stamp, now, config.decayMs);
    return Math.max(estimate, MIN_ESTIMATE_MS) * (endpoint.inFlight + 1);
  };

  return {
    name: 'peak-ewma',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      return new PeakEwmaPicker(endpoints, context.random, cost);
    },
    observe(endpoint: StrategyEndpoint, sample: StrategySample): void {
      const s = stateOf(endpoint, sample.now);
      const rtt = sample.failed ? Math.max(sample.latencyMs, config.failurePenaltyMs) : sample.latencyMs;
      s.value = nextEstimate(s.value, s.stamp, rtt, sample.now, config.decayMs);
      s.stamp = Math.max(s.stamp, sample.now);
    },
    describe(endpoint: StrategyEndpoint, now: number): Record<string, number> {
      const slot = endpoint.slot;
      const ms = slot instanceof EwmaState ? decayedEstimate(slot.value, slot.stamp, now, config.decayMs) : config.defaultLatencyMs;
      return { ewmaMs: Math.round(ms * 100) / 100 };
    },
  };
}

class PeakEwmaPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #random: () => number;
  readonly #cost: (endpoint: StrategyEndpoint, now: number) => number;

  constructor(endpoints: readonly E[], random: () => number, cost: (endpoint: StrategyEndpoint, now: number) => number) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
    this.#cost = cost;
  }

  pick(context: PickContext): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    if (n === 1) return endpoints[0]!;
    // Two distinct uniform draws: the second from the n - 1 others.
    let i = Math.floor(this.#random() * n);
    if (i >= n) i = n - 1;
    let j = Math.floor(this.#random() * (n - 1));
    if (j >= n - 1) j = n - 2;
    if (j >= i) j++;
    const a = endpoints[i]!;
    const b = endpoints[j]!;
    return this.#cost(b, context.now) < this.#cost(a, context.now) ? b : a;
  }
}
