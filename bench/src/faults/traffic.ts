/**
 * Which instance each attempt went to, and when: recorded by the client below the balancer (one
 * entry per attempt, retries included) or read from HAProxy's counters. From it: each instance's
 * share of the attempts in a window, and how long after a fault began it stopped getting traffic.
 */
import { Samples } from '../stats.js';

export class TrafficLog {
  readonly #at = new Samples();
  readonly #who = new Samples();
  readonly #count = new Samples();
  readonly #index: ReadonlyMap<string, number>;
  #origin = 0;

  /** `origins`: the instances' origins in index order (as the attempts name them). */
  constructor(origins: readonly string[]) {
    this.#index = new Map(origins.map((o, i) => [o, i]));
  }

  /** Offsets are measured from this `performance.now()` value. */
  setOrigin(at: number): void {
    this.#origin = at;
  }

  /** One attempt to `origin` now; origins of no instance are ignored. */
  attempt(origin: string | URL | null | undefined): void {
    if (origin === null || origin === undefined) return;
    const i = this.#index.get(typeof origin === 'string' ? origin : origin.origin);
    if (i !== undefined) this.add(i, 1);
  }

  /** `count` attempts to instance `index` now, or at offset `atMs` (counter deltas, tests). */
  add(index: number, count: number, atMs = performance.now() - this.#origin): void {
    if (count <= 0) return;
    this.#at.push(atMs);
    this.#who.push(index);
    this.#count.push(count);
  }

  /** Attempts per instance (index order) per `binMs` bin of [fromMs, toMs). */
  bins(fromMs: number, toMs: number, binMs: number): Float64Array[] {
    const bins = Math.max(1, Math.ceil((toMs - fromMs) / binMs));
    const out = Array.from({ length: this.#index.size }, () => new Float64Array(bins));
    const at = this.#at.values();
    const who = this.#who.values();
    const count = this.#count.values();
    for (let k = 0; k < at.length; k++) {
      const t = at[k]!;
      if (t < fromMs || t >= toMs) continue;
      out[who[k]!]![Math.floor((t - fromMs) / binMs)]! += count[k]!;
    }
    return out;
  }

  /**
   * Instance `index`'s traffic in [fromMs, toMs): its share of all attempts, and how long after
   * `fromMs` it stopped receiving traffic: the earliest `binMs` boundary from which on it got at
   * most `maxShare` of the attempts (occasional probes allowed), over a stretch of at least
   * `minTailMs`. Null when it never stopped.
   */
  analyse(index: number, fromMs: number, toMs: number, options: { binMs?: number; maxShare?: number; minTailMs?: number } = {}): { share: number; attempts: number; stoppedAfterMs: number | null } {
    const { binMs = 100, maxShare = 0.01 } = options;
    const minTailMs = options.minTailMs ?? Math.min(1000, (toMs - fromMs) / 5);
    const bins = Math.max(1, Math.ceil((toMs - fromMs) / binMs));
    const mine = new Float64Array(bins);
    const all = new Float64Array(bins);
    const at = this.#at.values();
    const who = this.#who.values();
    const count = this.#count.values();
    for (let k = 0; k < at.length; k++) {
      const t = at[k]!;
      if (t < fromMs || t >= toMs) continue;
      const b = Math.floor((t - fromMs) / binMs);
      all[b]! += count[k]!;
      if (who[k] === index) mine[b]! += count[k]!;
    }
    // Suffix sums: traffic from bin b to the end of the window.
    const tailMine = new Float64Array(bins + 1);
    const tailAll = new Float64Array(bins + 1);
    for (let b = bins - 1; b >= 0; b--) {
      tailMine[b] = tailMine[b + 1]! + mine[b]!;
      tailAll[b] = tailAll[b + 1]! + all[b]!;
    }
    const quiet = (b: number): boolean => tailMine[b]! <= maxShare * tailAll[b]!;
    // The earliest bin from which every later tail (at least minTailMs long) is quiet.
    let stoppedBin: number | null = null;
    for (let b = bins - Math.max(1, Math.ceil(minTailMs / binMs)); b >= 0 && quiet(b); b--) stoppedBin = b;
    const sumMine = tailMine[0]!;
    const sumAll = tailAll[0]!;
    return {
      share: sumAll > 0 ? sumMine / sumAll : 0,
      attempts: sumMine,
      stoppedAfterMs: stoppedBin === null ? null : stoppedBin * binMs,
    };
  }
}
