/**
 * Peak EWMA: least expected latency times load, modelled on Finagle's `PeakEwma` and Linkerd.
 *
 * The cost of an endpoint is `latencyEstimate(now) * (inFlight + 1)`. The latency estimate is a
 * peak-sensitive EWMA kept in the endpoint's `slot`:
 * - a slower sample raises it at once (the peak); faster samples pull it down gradually;
 * - a failed sample counts as at least `failurePenaltyMs`, so an instance that fails fast
 *   (a 503 in 0.1 ms) looks slow instead of attractive;
 * - between samples it decays towards zero with time constant `decayMs`, and reading it does
 *   not change it. An instance that was penalised and then left alone thus becomes attractive
 *   again after a while and gets probed: that is how a recovered instance regains traffic.
 * A new endpoint starts at `defaultLatencyMs` when first seen. `reset` (on recovery from
 * ejection or failing health checks) restarts an endpoint at its peers' median estimate, so a
 * penalty earned while broken does not keep a fixed instance out.
 *
 * Choosing: with at most `fullScanUpTo` endpoints (16 by default) every one is compared, from a
 * random start so ties spread; with more, `choiceCount` distinct random endpoints (2: power of
 * two choices). Comparing all of a small set matters under faults: with two random choices a
 * slow instance wins every pair it forms with a failing one, and so keeps several percent of the
 * traffic, which sets the callers' p99 (bench, "quality under faults"). Envoy's least-request
 * offers the same full scan. Either way the pick is O(1) (the scan is bounded) and allocates
 * nothing: costs are compared in log space, `ln(value) + stamp / decayMs + ln(inFlight + 1)`,
 * where the common decay to `now` cancels out, so no `Math.exp` runs per pick.
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
  /** With at most this many endpoints, every one is compared (0: never). Defaults to 16. */
  readonly fullScanUpTo?: number;
  /** Random distinct endpoints compared when there are more than `fullScanUpTo` (>= 2). Defaults to 2. */
  readonly choiceCount?: number;
}

/** Resolved `PeakEwmaOptions`. */
export interface PeakEwmaConfig {
  readonly decayMs: number;
  readonly defaultLatencyMs: number;
  readonly failurePenaltyMs: number;
  readonly fullScanUpTo: number;
  readonly choiceCount: number;
}

/** Marks an endpoint whose estimate was forgotten on recovery, until the next build. */
const RESET = Symbol('peak-ewma reset');

/** ln(n + 1) for small in-flight counts, so the cost key needs no `Math.log` per pick. */
const LN1P = Float64Array.from({ length: 1_024 }, (_, n) => Math.log(n + 1));
const ln1p = (n: number): number => (n < LN1P.length ? LN1P[n]! : Math.log(n + 1));


/** Per-endpoint estimate, stored in `endpoint.slot`. */
class EwmaState {
  /** `costKey` without the in-flight term, kept in step with `value` and `stamp`. */
  key: number;
  constructor(
    /** Estimate in ms as of `stamp`. */
    public value: number,
    /** Time of the last sample (or first sight), in ms. */
    public stamp: number,
    decayMs: number,
  ) {
    this.key = logKey(value, stamp, decayMs);
  }
  set(value: number, stamp: number, decayMs: number): void {
    this.value = value;
    this.stamp = stamp;
    this.key = logKey(value, stamp, decayMs);
  }
}

function logKey(value: number, stamp: number, decayMs: number): number {
  return Math.log(Math.max(value, MIN_ESTIMATE_MS)) + stamp / decayMs;
}

/**
 * A key that orders endpoints as their costs do at any common time after their stamps:
 * ln(cost(now)) + now / decayMs = ln(value) + stamp / decayMs + ln(inFlight + 1). Pure.
 */
export function costKey(value: number, stamp: number, inFlight: number, decayMs: number): number {
  return logKey(value, stamp, decayMs) + ln1p(inFlight);
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
 * Stored estimates below this (a 0 ms sample, a 0 default) are raised to it when comparing, so
 * that in-flight counts still separate endpoints.
 */
const MIN_ESTIMATE_MS = 1e-9;

/** Least expected latency x load; see the file comment. */
export function peakEwma(options?: PeakEwmaOptions): Strategy {
  checkOptionsObject('peakEwma', options, ['decayMs', 'defaultLatencyMs', 'failurePenaltyMs', 'fullScanUpTo', 'choiceCount']);
  const config: PeakEwmaConfig = Object.freeze({
    decayMs: numberOption('peakEwma', 'decayMs', options?.decayMs, 10_000, { min: 0, exclusiveMin: true }),
    defaultLatencyMs: numberOption('peakEwma', 'defaultLatencyMs', options?.defaultLatencyMs, 30, { min: 0 }),
    failurePenaltyMs: numberOption('peakEwma', 'failurePenaltyMs', options?.failurePenaltyMs, 1_000, { min: 0 }),
    fullScanUpTo: numberOption('peakEwma', 'fullScanUpTo', options?.fullScanUpTo, 16, { min: 0, max: 64, integer: true }),
    choiceCount: numberOption('peakEwma', 'choiceCount', options?.choiceCount, 2, { min: 2, max: 16, integer: true }),
  });

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
        for (const e of endpoints) if (e.slot === RESET) e.slot = new EwmaState(start, context.now, config.decayMs);
      }
      return new PeakEwmaPicker(endpoints, context.random, stateOf, config);
    },
    reset(endpoint: StrategyEndpoint): void {
      if (endpoint.slot instanceof EwmaState) endpoint.slot = RESET;
    },
    observe(endpoint: StrategyEndpoint, sample: StrategySample): void {
      const s = stateOf(endpoint, sample.now);
      const rtt = sample.failed ? Math.max(sample.latencyMs, config.failurePenaltyMs) : sample.latencyMs;
      s.set(nextEstimate(s.value, s.stamp, rtt, sample.now, config.decayMs), Math.max(s.stamp, sample.now), config.decayMs);
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
  /** Creates the state of an endpoint seen for the first time (the rare path). */
  readonly #stateOf: (endpoint: StrategyEndpoint, now: number) => EwmaState;
  readonly #scan: boolean;
  readonly #choices: number;
  /** A permutation of endpoint indices; its first `#choices` entries are redrawn per pick. */
  readonly #order: Uint32Array;

  constructor(endpoints: readonly E[], random: () => number, stateOf: (endpoint: StrategyEndpoint, now: number) => EwmaState, config: PeakEwmaConfig) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
    this.#stateOf = stateOf;
    this.#scan = endpoints.length <= config.fullScanUpTo;
    this.#choices = Math.min(config.choiceCount, endpoints.length);
    this.#order = Uint32Array.from({ length: this.#scan || this.#choices === 2 ? 0 : endpoints.length }, (_, i) => i);
  }

  /** The endpoint's cost key at `now` (lower is cheaper). */
  #key(e: E, now: number): number {
    const slot = e.slot;
    const base = slot instanceof EwmaState ? slot.key : this.#stateOf(e, now).key;
    const n = e.inFlight;
    return base + (n < LN1P.length ? LN1P[n]! : Math.log(n + 1));
  }

  #draw(n: number): number {
    const i = Math.floor(this.#random() * n);
    return i >= n ? n - 1 : i;
  }

  pick(context: PickContext): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    if (n === 1) return endpoints[0]!;
    const now = context.now;
    if (this.#scan) {
      // Every endpoint, from a random start: ties (all new, all idle) spread at random.
      let i = this.#draw(n);
      let best = endpoints[i]!;
      let bestKey = this.#key(best, now);
      for (let step = 1; step < n; step++) {
        if (++i === n) i = 0;
        const e = endpoints[i]!;
        const key = this.#key(e, now);
        if (key < bestKey) {
          best = e;
          bestKey = key;
        }
      }
      return best;
    }
    if (this.#choices === 2) {
      // Two distinct uniform draws: the second from the n - 1 others. Ties: the first drawn.
      const i = this.#draw(n);
      let j = this.#draw(n - 1);
      if (j >= i) j++;
      const a = endpoints[i]!;
      const b = endpoints[j]!;
      return this.#key(b, now) < this.#key(a, now) ? b : a;
    }
    // `choiceCount` distinct uniform draws (partial Fisher-Yates); ties: the first drawn.
    const order = this.#order;
    let best: E | undefined;
    let bestKey = 0;
    for (let t = 0; t < this.#choices; t++) {
      const r = t + this.#draw(n - t);
      const drawn = order[r]!;
      order[r] = order[t]!;
      order[t] = drawn;
      const e = endpoints[drawn]!;
      const key = this.#key(e, now);
      if (best === undefined || key < bestKey) {
        best = e;
        bestKey = key;
      }
    }
    return best!;
  }
}
