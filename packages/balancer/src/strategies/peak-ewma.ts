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
 * A new endpoint starts at `defaultLatencyMs` when first seen. `reset` (on recovery from
 * ejection or failing health checks) restarts an endpoint at its peers' mean estimate, so a
 * penalty earned while broken does not keep a fixed instance out. O(1) pick, no allocation.
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

/** Marks an endpoint whose estimate was forgotten on recovery, until the next build. */
const RESET = Symbol('peak-ewma reset');

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
 * Whether endpoint b (estimate `vb` stamped `tb`, `nb` in flight) costs less than endpoint a at
 * any common time after both stamps, where cost = decayed estimate x (inFlight + 1). Both
 * estimates decay by the same factor from that time back to the later stamp, so only the gap
 * between the stamps matters: one `Math.exp` instead of two (none when the stamps are equal),
 * and no overflow however long ago the stamps are. Pure.
 */
export function costsLess(vb: number, tb: number, nb: number, va: number, ta: number, na: number, decayMs: number): boolean {
  const ca = Math.max(va, MIN_ESTIMATE_MS) * (na + 1);
  const cb = Math.max(vb, MIN_ESTIMATE_MS) * (nb + 1);
  const gap = tb - ta;
  if (gap > 0) return cb < ca * Math.exp(-gap / decayMs);
  if (gap < 0) return cb * Math.exp(gap / decayMs) < ca;
  return cb < ca;
}

/**
 * Stored estimates below this (a 0 ms sample, a 0 default) are raised to it when comparing, so
 * that in-flight counts still separate endpoints.
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

  const cheaper = (b: StrategyEndpoint, a: StrategyEndpoint, now: number): boolean => {
    const sa = stateOf(a, now);
    const sb = stateOf(b, now);
    return costsLess(sb.value, sb.stamp, b.inFlight, sa.value, sa.stamp, a.inFlight, config.decayMs);
  };

  return {
    name: 'peak-ewma',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      // Endpoints reset on recovery restart at their peers' mean estimate, so a fixed instance
      // gets its fair share at once instead of waiting for its penalty to decay (with no peer
      // known, at `defaultLatencyMs`). New endpoints start at `defaultLatencyMs` when first seen.
      if (endpoints.some((e) => e.slot === RESET)) {
        let sum = 0;
        let known = 0;
        for (const e of endpoints) {
          if (e.slot instanceof EwmaState) {
            sum += decayedEstimate(e.slot.value, e.slot.stamp, context.now, config.decayMs);
            known++;
          }
        }
        const start = known > 0 ? sum / known : config.defaultLatencyMs;
        for (const e of endpoints) if (e.slot === RESET) e.slot = new EwmaState(start, context.now);
      }
      return new PeakEwmaPicker(endpoints, context.random, cheaper);
    },
    reset(endpoint: StrategyEndpoint): void {
      if (endpoint.slot instanceof EwmaState) endpoint.slot = RESET;
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
  readonly #cheaper: (b: StrategyEndpoint, a: StrategyEndpoint, now: number) => boolean;

  constructor(endpoints: readonly E[], random: () => number, cheaper: (b: StrategyEndpoint, a: StrategyEndpoint, now: number) => boolean) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
    this.#cheaper = cheaper;
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
    return this.#cheaper(b, a, context.now) ? b : a;
  }
}
