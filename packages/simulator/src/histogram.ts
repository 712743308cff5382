/**
 * A latency histogram with logarithmic buckets (5% wide, from 10 us to about 10 minutes):
 * constant memory per caller and per second, exact counts, quantiles within 2.5%.
 */
const MIN_MS = 0.01;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 380;

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  record(ms: number): void {
    const b = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[b]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** Nearest-rank quantile (0..1), as the geometric middle of its bucket; undefined when empty. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return b === 0 ? MIN_MS : Math.min(this.max, MIN_MS * GROWTH ** (b - 0.5));
    }
    return this.max;
  }

  add(other: Histogram): void {
    for (let b = 0; b < BUCKETS; b++) this.counts[b]! += other.counts[b]!;
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }
}
