/**
 * Peak EWMA: least expected latency times load, modelled on Finagle's `PeakEwma` and Linkerd,
 * with three rules that keep it from starving instances (issue 12).
 *
 * The cost of an endpoint is `latencyEstimate(now) * (inFlight + 1)`. The latency estimate is a
 * peak-sensitive EWMA kept in the endpoint's `slot`:
 * - a slower sample raises it at once (the peak); faster samples pull it down gradually;
 * - a failed sample counts as at least `failurePenaltyMs`, so an instance that fails fast
 *   (a 503 in 0.1 ms) looks slow instead of attractive;
 * - between samples it decays towards zero with time constant `decayMs`.
 * A new endpoint starts at `defaultLatencyMs` when first seen. `reset` (on recovery from
 * ejection or failing health checks) restarts an endpoint at its peers' median estimate, as a
 * guess that counts as stale until its first sample replaces it.
 *
 * The rules that keep it even on alike instances and let a recovered one back in:
 * - **Ties.** Endpoints whose mean latency is within a factor `1 + tieTolerance` of the lowest
 *   count as the cheapest estimate: among alike instances the cost is then their load alone
 *   (requests in flight), so traffic spreads as least-request spreads it, and equal loads rotate
 *   over the tied endpoints (each scan starts after the endpoint last chosen).
 *   An instance clearly slower (outside the band) still costs its estimate times its load, as
 *   before. The tie is decided on a plain EWMA of the latency over about the last second
 *   (`EwmaState.mean`), not on the peak estimate: one slow sample lifts a peak for seconds,
 *   which would throw an alike instance out of the band, while a consistently slower instance
 *   can have a peak within 2x of a peer whose own peak was lifted, and share its ties (it drew
 *   3% of the traffic of a fleet where it is 3x slower, and the callers' p99 paid: 39 ms instead
 *   of 29 in `pnpm simulate heterogeneous`).
 * - **Probes.** An endpoint that has had no sample for `staleAfterMs` is stale; a stale endpoint
 *   is picked once as a probe (the least recently sampled or probed first) when the service's probe allowance permits,
 *   at most `probeShare` of its picks, and then not again for `staleAfterMs`.
 * - **Stale estimates.** The first sample after `staleAfterMs` without one replaces the estimate
 *   (a recovered instance's first fast answer counts in full); until then a stale estimate
 *   counts as no better than the best fresh one, so a long-idle endpoint never draws a burst of
 *   traffic because its estimate decayed below its measured peers'.
 *
 * Choosing: with at most `fullScanUpTo` endpoints (16 by default) every one is compared; with
 * more, `choiceCount` distinct random endpoints (2: power of two choices, which keeps many
 * clients from herding onto one instance). Comparing all of a small set matters under faults:
 * with two random choices a slow instance wins every pair it forms with a failing one. The pick
 * is O(1) (the scan is bounded) and allocates nothing (`peak-ewma-picker.ts`).
 */
import { EwmaState, decayedEstimate, nextEstimate, nextMean } from './ewma.js';
import { checkOptionsObject, numberOption } from './options.js';
import { PeakEwmaPicker, ProbeBudget } from './peak-ewma-picker.js';
import type { Picker, Strategy, StrategyBuildContext, StrategyEndpoint, StrategySample } from './strategy.js';

export { costKey, decayedEstimate, nextEstimate } from './ewma.js';

/** Options of `peakEwma()`; every field optional, see each default. */
export interface PeakEwmaOptions {
  /** Time constant of the decay, in ms (> 0): a sample's weight falls by 1/e per `decayMs`. Defaults to 10 s. */
  readonly decayMs?: number;
  /** Latency assumed for an endpoint with no samples yet, in ms (>= 0). Defaults to 30 ms. */
  readonly defaultLatencyMs?: number;
  /** Least latency a failed attempt counts as, in ms (>= 0). Defaults to 1 s. */
  readonly failurePenaltyMs?: number;
  /** With at most this many endpoints, every one is compared (0: never). Defaults to 16. */
  readonly fullScanUpTo?: number;
  /** Random distinct endpoints compared when there are more than `fullScanUpTo` (>= 2). Defaults to 2. */
  readonly choiceCount?: number;
  /**
   * Endpoints whose mean latency (over about the last second) is within a factor
   * `1 + tieTolerance` of the lowest are ties, decided by requests in flight (>= 0; 0: only equal
   * means tie). Defaults to 1 (within 2x).
   */
  readonly tieTolerance?: number;
  /** An endpoint with no sample for this long, in ms (> 0), is stale: probed, and its next sample replaces its estimate. Defaults to 1 s. */
  readonly staleAfterMs?: number;
  /** Most picks that may be probes of stale endpoints, as a share of all picks (0..0.1; 0: no probes). Defaults to 0.005. */
  readonly probeShare?: number;
}

/** Resolved `PeakEwmaOptions`. */
export interface PeakEwmaConfig {
  readonly decayMs: number;
  readonly defaultLatencyMs: number;
  readonly failurePenaltyMs: number;
  readonly fullScanUpTo: number;
  readonly choiceCount: number;
  readonly tieTolerance: number;
  readonly staleAfterMs: number;
  readonly probeShare: number;
}

/** Marks an endpoint whose estimate was forgotten on recovery, until the next build. */
const RESET = Symbol('peak-ewma reset');

const KEYS = ['decayMs', 'defaultLatencyMs', 'failurePenaltyMs', 'fullScanUpTo', 'choiceCount', 'tieTolerance', 'staleAfterMs', 'probeShare'];

/** Least expected latency x load, with ties, probes and stale estimates; see the file comment. */
export function peakEwma(options?: PeakEwmaOptions): Strategy {
  checkOptionsObject('peakEwma', options, KEYS);
  const num = (key: keyof PeakEwmaOptions, fallback: number, rule: Parameters<typeof numberOption>[4]): number => numberOption('peakEwma', key, options?.[key], fallback, rule);
  const config: PeakEwmaConfig = Object.freeze({
    decayMs: num('decayMs', 10_000, { min: 0, exclusiveMin: true }),
    defaultLatencyMs: num('defaultLatencyMs', 30, { min: 0 }),
    failurePenaltyMs: num('failurePenaltyMs', 1_000, { min: 0 }),
    fullScanUpTo: num('fullScanUpTo', 16, { min: 0, max: 64, integer: true }),
    choiceCount: num('choiceCount', 2, { min: 2, max: 16, integer: true }),
    tieTolerance: num('tieTolerance', 1, { min: 0, max: 100 }),
    staleAfterMs: num('staleAfterMs', 1_000, { min: 0, exclusiveMin: true }),
    probeShare: num('probeShare', 0.005, { min: 0, max: 0.1 }),
  });
  const pickerConfig = Object.freeze({ ...config, tieFactor: 1 + config.tieTolerance });
  const budget = new ProbeBudget(config.probeShare > 0 ? Math.ceil(1 / config.probeShare) : Infinity);

  const stateOf = (endpoint: StrategyEndpoint, now: number): EwmaState => {
    const slot = endpoint.slot;
    if (slot instanceof EwmaState) return slot;
    const state = new EwmaState(config.defaultLatencyMs, now, config.decayMs);
    endpoint.slot = state;
    return state;
  };

  return {
    name: 'peak-ewma',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      // Endpoints reset on recovery restart at their peers' median estimate, so a fixed instance
      // gets its fair share at once instead of waiting for its penalty to decay (with no peer
      // known, at `defaultLatencyMs`).
      if (endpoints.some((e) => e.slot === RESET)) {
        const known: number[] = [];
        for (const e of endpoints) {
          if (e.slot instanceof EwmaState) known.push(decayedEstimate(e.slot.value, e.slot.stamp, context.now, config.decayMs));
        }
        known.sort((a, b) => a - b);
        // The median, not the mean: one slow or failing peer must not price the fixed one out.
        const start = known.length > 0 ? known[Math.floor((known.length - 1) / 2)]! : config.defaultLatencyMs;
        // A guess until its first sample, which then replaces it: meanwhile it counts as stale
        // (no better than the best fresh peer, so within the tie band: its share at once).
        for (const e of endpoints) {
          if (e.slot !== RESET) continue;
          const state = new EwmaState(start, context.now, config.decayMs);
          state.guessed = true;
          e.slot = state;
        }
      }
      return new PeakEwmaPicker(endpoints, context.random, stateOf, pickerConfig, budget);
    },
    reset(endpoint: StrategyEndpoint): void {
      if (endpoint.slot instanceof EwmaState) endpoint.slot = RESET;
    },
    observe(endpoint: StrategyEndpoint, sample: StrategySample): void {
      const s = stateOf(endpoint, sample.now);
      const rtt = sample.failed ? Math.max(sample.latencyMs, config.failurePenaltyMs) : sample.latencyMs;
      const value = s.guessed ? rtt : nextEstimate(s.value, s.stamp, rtt, sample.now, config.decayMs, config.staleAfterMs);
      s.mean = s.guessed || !s.sampled ? rtt : nextMean(s.mean, rtt, sample.now - s.stamp);
      s.guessed = false;
      s.sampled = true;
      s.set(value, Math.max(s.stamp, sample.now), config.decayMs);
    },
    describe(endpoint: StrategyEndpoint, now: number): Record<string, number> {
      const slot = endpoint.slot;
      const ms = slot instanceof EwmaState ? decayedEstimate(slot.value, slot.stamp, now, config.decayMs) : config.defaultLatencyMs;
      return { ewmaMs: Math.round(ms * 100) / 100 };
    },
  };
}
