/**
 * Small statistics helpers shared by the benchmarks. Percentiles are exact (nearest rank over
 * every sample), not estimated: the runs are short enough to keep every latency.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile `q` (0..1) of ascending `sorted`; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank]!;
}

/** Latency percentiles, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Summarises latencies in ms (the array is sorted in place). */
export function summarize(latencies: Float64Array): LatencySummary {
  latencies.sort();
  return {
    count: latencies.length,
    p50: round(quantile(latencies, 0.5)),
    p99: round(quantile(latencies, 0.99)),
    p999: round(quantile(latencies, 0.999)),
    max: round(latencies.length ? latencies[latencies.length - 1]! : NaN),
  };
}

/** Rounds to `digits` decimals (2 by default); keeps NaN and infinities as they are. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A growable Float64 buffer: latencies are pushed at request rate without boxing. */
export class Samples {
  #data = new Float64Array(1024);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#length++] = value;
  }
  get length(): number {
    return this.#length;
  }
  /** A copy of the values pushed so far. */
  values(): Float64Array {
    return this.#data.slice(0, this.#length);
  }
}
