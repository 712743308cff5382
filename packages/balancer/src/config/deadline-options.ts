/** Options of the learned attempt deadline (`services.<name>.retry.learnedTimeout`). */
export interface LearnedTimeoutOptions {
  /**
   * Percentile of the service's recent times to response headers (the last 1,000 attempts,
   * recomputed every second), from 50 to 100. Default 99.
   */
  readonly percentile?: number;
  /** The bound is the percentile times this, from 1 to 100. Default 3. */
  readonly factor?: number;
  /** Floor of the bound, ms. Default 1,000: a deadline shorter than that would cut healthy tails. */
  readonly minMs?: number;
  /** Ceiling of the bound, ms: the most a hung instance costs an attempt. Default 10,000. */
  readonly maxMs?: number;
  /** The bound until `minSamples` attempts got their headers, ms. Default 10,000 (the ceiling): nothing is known yet. */
  readonly initialMs?: number;
  /** Samples needed before the bound is learned, from 1 to 1,000. Default 100. */
  readonly minSamples?: number;
}
