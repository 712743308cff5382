/**
 * The peak-sensitive latency estimate peak-ewma keeps per endpoint, and its pure arithmetic.
 * Estimates are compared in log space, `ln(value) + stamp / decayMs`, where the common decay to
 * `now` cancels out, so no `Math.exp` runs per pick.
 */

/**
 * Stored estimates below this (a 0 ms sample, a 0 default) are raised to it when comparing, so
 * that in-flight counts still separate endpoints.
 */
export const MIN_ESTIMATE_MS = 1e-9;

/** ln(n + 1) for small in-flight counts, so the cost key needs no `Math.log` per pick. */
const LN1P = Float64Array.from({ length: 1_024 }, (_, n) => Math.log(n + 1));
export const ln1p = (n: number): number => (n < LN1P.length ? LN1P[n]! : Math.log(n + 1));

/** Per-endpoint estimate, stored in `endpoint.slot`. */
export class EwmaState {
  /** `costKey` without the in-flight term, kept in step with `value` and `stamp`. */
  key: number;
  /** When the endpoint was last picked as a probe, ms (-Infinity: never). */
  probedAt = -Infinity;
  /** True after a reset until the next sample: the estimate is a guess, treated as stale. */
  guessed = false;
  /**
   * The recent mean latency, ms: a plain (not peak-sensitive) EWMA over about the last
   * `MEAN_WINDOW_MS` of samples. Ties are decided on it: one slow sample lifts the peak estimate
   * for seconds, but not the mean, so an alike instance stays a tie, and a slower one stays out.
   */
  mean: number;
  /** False until the first sample (the mean then starts at it). */
  sampled = false;
  constructor(
    /** Estimate in ms as of `stamp`. */
    public value: number,
    /** Time of the last sample (or first sight), in ms. */
    public stamp: number,
    decayMs: number,
  ) {
    this.key = logKey(value, stamp, decayMs);
    this.mean = value;
  }
  set(value: number, stamp: number, decayMs: number): void {
    this.value = value;
    this.stamp = stamp;
    this.key = logKey(value, stamp, decayMs);
  }
}

/** Time constant of the mean latency (`EwmaState.mean`), ms. */
export const MEAN_WINDOW_MS = 1_000;

/**
 * Least weight of one sample in the mean: samples that arrive together (a burst of refused
 * connections in one event-loop turn) still move it, about 1/16 each.
 */
export const MIN_SAMPLE_WEIGHT = 1 / 16;

/** Below this `elapsed / MEAN_WINDOW_MS`, 1 - e^-x is under `MIN_SAMPLE_WEIGHT`: no `Math.exp` needed. */
const MIN_WEIGHT_X = -Math.log1p(-MIN_SAMPLE_WEIGHT);

/** The mean after a sample of `rttMs`, `elapsed` ms after the previous one. Pure. */
export function nextMean(mean: number, rttMs: number, elapsed: number): number {
  const x = elapsed / MEAN_WINDOW_MS;
  // Samples closer together than ~65 ms (all of them, on a busy service) take the least weight.
  const weight = x < MIN_WEIGHT_X ? MIN_SAMPLE_WEIGHT : 1 - Math.exp(-x);
  return mean * (1 - weight) + rttMs * weight;
}

/**
 * e^-x for x >= 0. Samples of a busy endpoint are far closer together than the decay time, and
 * for x < 1e-3 the cubic Taylor polynomial is within 5e-14 of it (relative): no `Math.exp` then.
 */
export function expNeg(x: number): number {
  return x < 1e-3 ? 1 - x * (1 - x * (0.5 - x / 6)) : Math.exp(-x);
}

export function logKey(value: number, stamp: number, decayMs: number): number {
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
 * (peak); a lower one is averaged in with the weight the elapsed time gives it; after `staleMs`
 * or more without a sample the sample replaces the estimate whatever it is (what the endpoint
 * did long ago says little about it now: a recovered instance's first answer counts in full).
 * Pure.
 */
export function nextEstimate(value: number, stamp: number, rttMs: number, now: number, decayMs: number, staleMs = Infinity): number {
  const elapsed = now - stamp;
  if (elapsed >= staleMs) return rttMs;
  const w = elapsed > 0 ? expNeg(elapsed / decayMs) : 1;
  const decayed = value * w;
  return rttMs > decayed ? rttMs : decayed + rttMs * (1 - w);
}
