/**
 * The peak-ewma picker: how one endpoint is chosen from the estimates (see `peak-ewma.ts` for the
 * rules and why). Allocation-free and O(1) per pick: a bounded full scan (two passes over at most
 * `fullScanUpTo` endpoints) or `choiceCount` random draws.
 */
import { EwmaState, ln1p } from './ewma.js';
import type { Picker, PickContext, StrategyEndpoint } from './strategy.js';

/** What the picker needs of the resolved options. */
export interface PickerConfig {
  readonly fullScanUpTo: number;
  readonly choiceCount: number;
  /** 1 + tieTolerance: mean latencies within this factor of each other are ties. */
  readonly tieFactor: number;
  readonly staleAfterMs: number;
  readonly probeShare: number;
}

/**
 * The service's probe allowance, shared by its successive pickers: a probe needs
 * `ceil(1 / probeShare)` picks since the last one, so probes are at most `probeShare` of the picks.
 */
export class ProbeBudget {
  /** Picks since the last probe, counted up to `every`. */
  picks = 0;
  constructor(readonly every: number) {}
}

export class PeakEwmaPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #random: () => number;
  /** The endpoint's state, created at first sight (the rare path). */
  readonly #stateOf: (endpoint: StrategyEndpoint, now: number) => EwmaState;
  readonly #config: PickerConfig;
  readonly #budget: ProbeBudget;
  readonly #scan: boolean;
  readonly #choices: number;
  /** A permutation of endpoint indices; its first `#choices` entries are redrawn per pick. */
  readonly #order: Uint32Array;
  /**
   * Each endpoint's state, as first read from its slot: the state of an endpoint stays the same
   * object for the life of a picker (a reset replaces it, and the service then builds a new picker).
   */
  readonly #states: (EwmaState | undefined)[];
  /** Where the next scan starts (after the last chosen): ties go to the first from here, so they rotate. */
  #cursor: number;

  constructor(endpoints: readonly E[], random: () => number, stateOf: (endpoint: StrategyEndpoint, now: number) => EwmaState, config: PickerConfig, budget: ProbeBudget) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
    this.#stateOf = stateOf;
    this.#config = config;
    this.#budget = budget;
    this.#scan = endpoints.length <= config.fullScanUpTo;
    this.#choices = Math.min(config.choiceCount, endpoints.length);
    this.#order = Uint32Array.from({ length: this.#scan || this.#choices === 2 ? 0 : endpoints.length }, (_, i) => i);
    this.#states = Array.from({ length: endpoints.length }, () => undefined);
    this.#cursor = this.#draw(endpoints.length);
  }

  #state(e: E, now: number): EwmaState {
    const slot = e.slot;
    return slot instanceof EwmaState ? slot : this.#stateOf(e, now);
  }

  /** The state of endpoint `i`, cached. */
  #stateAt(i: number, now: number): EwmaState {
    return (this.#states[i] ??= this.#state(this.#endpoints[i]!, now));
  }

  #draw(n: number): number {
    const i = Math.floor(this.#random() * n);
    return i >= n ? n - 1 : i;
  }

  /** True when `s` has had no sample, nor a probe, for `staleAfterMs`, or is a guess since a reset. */
  #stale(s: EwmaState, now: number): boolean {
    const after = this.#config.staleAfterMs;
    return s.guessed || (now - s.stamp >= after && now - s.probedAt >= after);
  }

  /** Spends a probe on `s` if the budget allows. */
  #probe(s: EwmaState, now: number): boolean {
    if (this.#budget.picks < this.#budget.every) return false;
    this.#budget.picks = 0;
    s.probedAt = now;
    return true;
  }

  pick(context: PickContext): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    if (n === 1) return endpoints[0]!;
    const budget = this.#budget;
    if (budget.picks < budget.every) budget.picks++;
    return this.#scan ? this.#pickScan(context.now) : this.#pickDrawn(context.now);
  }

  /**
   * Every endpoint. Pass 1: estimates, the best fresh one, the stale endpoint least recently sampled
   * or probed (a probe, if the budget allows). Pass 2: a stale estimate counts as no better than the best fresh one;
   * estimates within the tie band of the best count as the best; cost = estimate x (in flight + 1);
   * the first cheapest from a rotating start wins.
   */
  #pickScan(now: number): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    const after = this.#config.staleAfterMs;
    let bestFresh = Infinity;
    let bestAny = Infinity;
    let meanFresh = Infinity;
    let meanAny = Infinity;
    let stalest = -1;
    let stalestStamp = Infinity;
    for (let i = 0; i < n; i++) {
      const s = this.#stateAt(i, now);
      // Last sampled or probed; stale (see `#stale`) once that is `staleAfterMs` ago, or while a guess.
      const seen = s.stamp > s.probedAt ? s.stamp : s.probedAt;
      const stale = s.guessed || now - seen >= after;
      if (!s.guessed) {
        // A guess (reset, no sample yet) counts as the best fresh estimate, whatever it says.
        if (s.key < bestAny) bestAny = s.key;
        if (s.mean < meanAny) meanAny = s.mean;
        if (!stale) {
          if (s.key < bestFresh) bestFresh = s.key;
          if (s.mean < meanFresh) meanFresh = s.mean;
        }
      }
      if (stale && seen < stalestStamp) {
        // The one least recently sampled or probed: probes rotate over the stale endpoints, so a
        // slow one whose probe is still out does not take them all from a fast-failing one.
        stalest = i;
        stalestStamp = seen;
      }
    }
    if (stalest >= 0 && this.#probe(this.#stateAt(stalest, now), now)) return endpoints[stalest]!;
    const floor = bestFresh !== Infinity ? bestFresh : bestAny !== Infinity ? bestAny : 0;
    // Ties: a mean latency within the band above the lowest fresh one (any, if none is fresh).
    const band = (meanFresh !== Infinity ? meanFresh : meanAny !== Infinity ? meanAny : 0) * this.#config.tieFactor;
    let i = this.#cursor;
    let bestIndex = i;
    let bestKey = Infinity;
    for (let step = 0; step < n; step++, i = i + 1 === n ? 0 : i + 1) {
      const s = this.#stateAt(i, now);
      // Only stale endpoints can be below the best fresh one; a guess and a tie count as the best.
      let k = s.guessed || s.key < floor || s.mean <= band ? floor : s.key;
      k += ln1p(endpoints[i]!.inFlight);
      if (k < bestKey) {
        bestIndex = i;
        bestKey = k;
      }
    }
    // The next scan starts after the one chosen, not after this scan's start: ties then rotate
    // over the tied endpoints alone (a start on an endpoint out of the band would otherwise hand
    // its turn to the next one, which then took twice its share).
    this.#cursor = bestIndex + 1 === n ? 0 : bestIndex + 1;
    return endpoints[bestIndex]!;
  }

  /** `choiceCount` distinct random endpoints, the same rules among them. */
  #pickDrawn(now: number): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    const order = this.#order;
    let best: E | undefined;
    let bestState: EwmaState | undefined;
    let first = 0;
    for (let t = 0; t < this.#choices; t++) {
      let drawn: number;
      if (this.#choices === 2) {
        // Two distinct uniform draws: the second from the n - 1 others.
        drawn = this.#draw(t === 0 ? n : n - 1);
        if (t === 1 && drawn >= first) drawn++;
        if (t === 0) first = drawn;
      } else {
        // Partial Fisher-Yates.
        const r = t + this.#draw(n - t);
        drawn = order[r]!;
        order[r] = order[t]!;
        order[t] = drawn;
      }
      const e = endpoints[drawn]!;
      const s = this.#state(e, now);
      if (this.#stale(s, now) && this.#probe(s, now)) return e;
      if (best === undefined || this.#cheaper(e, s, best, bestState!, now)) {
        best = e;
        bestState = s;
      }
    }
    return best!;
  }

  /** True when `a` beats `b` (ties: `b`, the one drawn first). */
  #cheaper(a: E, sa: EwmaState, b: E, sb: EwmaState, now: number): boolean {
    let ka = sa.key;
    let kb = sb.key;
    // A stale estimate counts as no better than a fresh one beside it; a guess as equal to it.
    if (sa.guessed || (this.#stale(sa, now) && !this.#stale(sb, now) && ka < kb)) ka = kb;
    else if (sb.guessed || (this.#stale(sb, now) && !this.#stale(sa, now) && kb < ka)) kb = ka;
    const tied = sa.guessed || sb.guessed || Math.max(sa.mean, sb.mean) <= Math.min(sa.mean, sb.mean) * this.#config.tieFactor;
    if (tied) return a.inFlight < b.inFlight;
    return ka + ln1p(a.inFlight) < kb + ln1p(b.inFlight);
  }
}
