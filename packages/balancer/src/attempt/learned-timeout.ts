/**
 * The default attempt deadline, learned from the service's own latency: a high percentile of
 * its recent times to response headers, times a factor, within a floor and a ceiling; a fixed
 * bound until enough samples exist. Used when `retry.perAttemptTimeoutMs` is not configured, so
 * that a hung instance costs one attempt, not the caller's deadline, without anyone choosing a
 * number.
 *
 * Attempts that the learned deadline cut short are samples too, at the bound they reached (their
 * real latency is at least that): when more than the percentile's tail of attempts hit the
 * bound (the whole service got slower, not one instance), the percentile reaches the bound and
 * the next refresh raises it by the factor, up to the ceiling. Without this, a service that
 * slowed down beyond the bound would time out every attempt for ever and teach the estimate
 * nothing.
 */
import type { LearnedTimeoutConfig } from '../config/config.js';

/** The bound for a sorted window of samples (pure; table-tested). */
export function learnedBoundMs(sorted: Float64Array, config: LearnedTimeoutConfig): number {
  if (sorted.length < config.minSamples) return config.initialMs;
  // Nearest rank: the smallest sample with at least `percentile`% of the samples at or below it.
  const rank = Math.max(1, Math.ceil((config.percentile / 100) * sorted.length));
  const bound = Math.ceil(sorted[rank - 1]! * config.factor);
  return Math.min(config.maxMs, Math.max(config.minMs, bound));
}

export class LearnedTimeout {
  /** The last `windowSize` samples, a ring. */
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;
  #boundMs: number;
  /** Samples taken since the bound was computed. */
  #fresh = 0;
  #refreshAt = -Infinity;

  constructor(readonly config: LearnedTimeoutConfig) {
    this.#samples = new Float64Array(config.windowSize);
    this.#boundMs = config.initialMs;
  }

  /** Records a time to response headers (or an attempt cut short by the learned bound, at that bound), ms. */
  record(latencyMs: number): void {
    this.#samples[this.#next] = latencyMs;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
    this.#fresh++;
  }

  /** The bound for an attempt starting `now`, ms; recomputed at most every `refreshMs`. */
  boundMs(now: number): number {
    if (this.#fresh > 0 && now >= this.#refreshAt) {
      this.#refreshAt = now + this.config.refreshMs;
      this.#fresh = 0;
      const window = this.#samples.slice(0, this.#count).sort();
      this.#boundMs = learnedBoundMs(window, this.config);
    }
    return this.#boundMs;
  }
}
