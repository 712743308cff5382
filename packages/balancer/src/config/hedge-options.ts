/** Hedged requests of a service (`services.<name>.hedge`); every field optional, see each default. */
export interface HedgeOptions {
  /**
   * Fixed delay before an extra attempt, ms. Give this or `maxExtraLoad`, not both. Default:
   * none (the percentile mode).
   */
  readonly delayMs?: number;
  /**
   * The extra load hedging may add, as a fraction (0 < x <= 0.5): an extra attempt is sent once
   * the first has waited longer than the (1 - maxExtraLoad) quantile of the service's recent
   * response-header latency (0.01 is the p99), measured over `windowMs` and recomputed every
   * `refreshMs` (Finagle's BackupRequestFilter). No hedge is sent until the window holds
   * 10 / maxExtraLoad samples. Default 0.02 (p98).
   */
  readonly maxExtraLoad?: number;
  /** Attempts of one request in flight at once, the first included (2-5); each further one waits another delay. Default 2. */
  readonly maxAttempts?: number;
  /** Floor of the percentile delay, ms. Default 1. */
  readonly minDelayMs?: number;
  /** Latency window of the percentile mode, ms. Default 30,000 (Finagle). */
  readonly windowMs?: number;
  /** How often the percentile is recomputed, ms. Default 3,000 (Finagle). */
  readonly refreshMs?: number;
  /** Hedge budget: hedges may be at most this share of requests, so they stop under overload. `false` turns it off. */
  readonly budget?: HedgeBudgetOptions | false;
}

/** The hedge budget (`hedge.budget`): hedges at most a share of requests over a sliding window. */
export interface HedgeBudgetOptions {
  /** Hedges allowed as a percentage of requests in the window. Default 1.5 x maxExtraLoad (3% at 0.02), or 3 with `delayMs`. */
  readonly percent?: number;
  /** Hedges per second always allowed, whatever the traffic. Default 1. */
  readonly minHedgesPerSecond?: number;
  /** Sliding window, ms. Default 10,000. */
  readonly windowMs?: number;
}
