/**
 * A sliding-window latency quantile (Finagle's WindowedPercentileHistogram): response-header
 * latencies land in log-spaced buckets (5% apart, 0.05 ms to 10 min) of the current slice;
 * `windowMs / refreshMs` slices make the window. The quantile is recomputed at most once per
 * `refreshMs`, when asked, from every slice: no timer, and the hot path is one `Math.log` and an
 * increment.
 */
const MIN_MS = 0.05;
const RATIO = 1.05;
const LOG_RATIO = Math.log(RATIO);
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / LOG_RATIO) + 1;

/** The bucket of a latency: 0 holds everything up to `MIN_MS`; bucket i up to MIN_MS x RATIO^i. */
export function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_RATIO));
}

/** The upper bound of bucket `i`, ms: what a quantile falling in it is reported as. */
export function bucketUpperMs(i: number): number {
  return MIN_MS * RATIO ** i;
}

export class LatencyWindow {
  readonly #slices: Uint32Array[];
  readonly #counts: Float64Array;
  readonly #refreshMs: number;
  /** Index (time / refreshMs) of the newest slice written. */
  #head = -Infinity;
  /** The quantile computed at `#computedAt`, ms; undefined while the window holds too few samples. */
  #cached: number | undefined;
  #computedAt = -Infinity;

  constructor(
    windowMs: number,
    refreshMs: number,
    /** The quantile, 0 < q < 1 (0.98 for the p98). */
    private readonly quantile: number,
    /** Fewer samples than this in the window: no quantile. */
    private readonly minSamples: number,
  ) {
    const n = Math.max(1, Math.round(windowMs / refreshMs));
    this.#refreshMs = refreshMs;
    this.#slices = Array.from({ length: n }, () => new Uint32Array(BUCKETS));
    this.#counts = new Float64Array(n);
  }

  /** Records one latency, ms, at runtime time `now`. */
  record(ms: number, now: number): void {
    const slot = this.#advance(now);
    this.#slices[slot]![bucketOf(ms)]!++;
    this.#counts[slot]!++;
  }

  /** The quantile over the window, ms (as of the last refresh); undefined until `minSamples`. */
  value(now: number): number | undefined {
    if (now - this.#computedAt < this.#refreshMs) return this.#cached;
    this.#advance(now);
    this.#computedAt = now;
    let total = 0;
    for (const c of this.#counts) total += c;
    if (total < this.minSamples || total === 0) return (this.#cached = undefined);
    // The smallest latency with at least `quantile` of the samples at or below it.
    const rank = Math.ceil(this.quantile * total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      for (const slice of this.#slices) seen += slice[i]!;
      if (seen >= rank) return (this.#cached = bucketUpperMs(i));
    }
    return (this.#cached = bucketUpperMs(BUCKETS - 1));
  }

  /** Clears slices that slid out of the window; returns the current slice's index. */
  #advance(now: number): number {
    const n = this.#slices.length;
    const index = Math.floor(now / this.#refreshMs);
    if (index > this.#head) {
      const stale = Math.min(n, index - this.#head);
      for (let k = 0; k < stale; k++) {
        const slot = (((index - k) % n) + n) % n;
        this.#slices[slot]!.fill(0);
        this.#counts[slot] = 0;
      }
      this.#head = index;
    }
    return ((this.#head % n) + n) % n;
  }
}
