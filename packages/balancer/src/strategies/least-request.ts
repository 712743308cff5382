/**
 * Least request with power-of-N choices (Envoy's `LEAST_REQUEST` semantics for the choice).
 *
 * Each pick draws `choiceCount` distinct endpoints uniformly at random and keeps the best:
 * - all weights equal: the one with the fewest requests in flight (ties: the first drawn);
 * - weights differ: the one with the highest `weight / (inFlight + 1) ** activeRequestBias`.
 * With `choiceCount >= n` every endpoint is a candidate, still in random order so that ties do
 * not always go to the same one. O(choiceCount) per pick, no allocation: the candidates come
 * from a partial Fisher-Yates shuffle of an index array owned by the picker.
 *
 * Unlike Envoy, the weighted case also uses the N random choices (Envoy switches to an EDF
 * schedule there). Picks then follow the weights only under load, when in-flight counts settle
 * near proportion to the weights; when idle, the heavier of the drawn endpoints always wins.
 */
import { checkOptionsObject, numberOption } from './options.js';
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Options of `leastRequest()`; every field optional, see each default. */
export interface LeastRequestOptions {
  /** Endpoints drawn at random per pick (an integer >= 2). Defaults to 2. */
  readonly choiceCount?: number;
  /**
   * How strongly requests in flight count against an endpoint when weights differ (>= 0):
   * score = `weight / (inFlight + 1) ** activeRequestBias`. 0 ignores load; 1 (the default)
   * divides by it. Ignored when all weights are equal.
   */
  readonly activeRequestBias?: number;
}

/** Resolved `LeastRequestOptions`. */
export interface LeastRequestConfig {
  readonly choiceCount: number;
  readonly activeRequestBias: number;
}

/** Power-of-N-choices least request; see the file comment for the weighted variant. */
export function leastRequest(options?: LeastRequestOptions): Strategy {
  checkOptionsObject('leastRequest', options, ['choiceCount', 'activeRequestBias']);
  const config: LeastRequestConfig = Object.freeze({
    choiceCount: numberOption('leastRequest', 'choiceCount', options?.choiceCount, 2, { min: 2, integer: true }),
    activeRequestBias: numberOption('leastRequest', 'activeRequestBias', options?.activeRequestBias, 1, { min: 0 }),
  });
  return {
    name: 'least-request',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      return new LeastRequestPicker(endpoints, config, context.random);
    },
  };
}

class LeastRequestPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #random: () => number;
  readonly #choices: number;
  readonly #weighted: boolean;
  readonly #bias: number;
  /** A permutation of endpoint indices; its first `#choices` entries are reshuffled per pick. */
  readonly #order: Uint32Array;

  constructor(endpoints: readonly E[], config: LeastRequestConfig, random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
    this.#choices = Math.min(config.choiceCount, endpoints.length);
    this.#weighted = endpoints.some((e) => e.weight !== endpoints[0]!.weight);
    this.#bias = config.activeRequestBias;
    this.#order = new Uint32Array(endpoints.length);
    for (let i = 0; i < endpoints.length; i++) this.#order[i] = i;
  }

  pick(_context: PickContext): E {
    const endpoints = this.#endpoints;
    const n = endpoints.length;
    if (n === 1) return endpoints[0]!;
    const order = this.#order;
    let best: E | undefined;
    let bestScore = 0;
    for (let t = 0; t < this.#choices; t++) {
      // Partial Fisher-Yates: order[t] becomes a uniform draw among the not-yet-drawn.
      let r = t + Math.floor(this.#random() * (n - t));
      if (r >= n) r = n - 1;
      const drawn = order[r]!;
      order[r] = order[t]!;
      order[t] = drawn;
      const e = endpoints[drawn]!;
      const score = this.#weighted ? this.#weightedScore(e) : -e.inFlight;
      if (best === undefined || score > bestScore) {
        best = e;
        bestScore = score;
      }
    }
    return best!;
  }

  #weightedScore(e: E): number {
    const bias = this.#bias;
    const load = e.inFlight + 1;
    return e.weight / (bias === 1 ? load : bias === 0 ? 1 : Math.pow(load, bias));
  }
}
