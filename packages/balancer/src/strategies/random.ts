/**
 * Random: each pick independent, in proportion to the weights. O(1) pick, one random number.
 *
 * Equal weights pick uniformly. Otherwise an alias table (Vose's method) is built once per
 * picker: slot `i` holds a threshold and an alias, and a pick draws `u` in [0, n), takes slot
 * `floor(u)` and returns it or its alias depending on the fractional part of `u`.
 */
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Weighted random choice; uniform when weights are equal. */
export function randomStrategy(): Strategy {
  return {
    name: 'random',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      const weights = endpoints.map((e) => e.weight);
      if (weights.every((w) => w === weights[0])) return new UniformPicker(endpoints, context.random);
      const { threshold, alias } = aliasTable(weights);
      return new AliasPicker(endpoints, threshold, alias, context.random);
    },
  };
}

/** A uniformly random endpoint per pick. Also the keyless fallback of ring-hash and maglev. */
export class UniformPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #random: () => number;

  constructor(endpoints: readonly E[], random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#random = random;
  }

  pick(_context: PickContext): E {
    return pickUniform(this.#endpoints, this.#random);
  }
}

/** A uniformly random element of the non-empty `items`. */
export function pickUniform<T>(items: readonly T[], random: () => number): T {
  const n = items.length;
  const i = Math.floor(random() * n);
  return items[i < n ? i : n - 1]!;
}

/**
 * Vose's alias table for `weights` (positive, finite): slot `i` is chosen with probability
 * 1/n, then `i` itself if the fractional draw is below `threshold[i]`, else `alias[i]`.
 */
export function aliasTable(weights: readonly number[]): { threshold: Float64Array; alias: Uint32Array } {
  const n = weights.length;
  let total = 0;
  for (const w of weights) total += w;
  const threshold = new Float64Array(n);
  const alias = new Uint32Array(n);
  const scaled = new Float64Array(n);
  // Work lists of slots below (`small`) and at or above (`large`) the average, as stacks.
  const small = new Uint32Array(n);
  const large = new Uint32Array(n);
  let smallCount = 0;
  let largeCount = 0;
  for (let i = 0; i < n; i++) {
    const s = (weights[i]! * n) / total;
    scaled[i] = s;
    if (s < 1) small[smallCount++] = i;
    else large[largeCount++] = i;
  }
  while (smallCount > 0 && largeCount > 0) {
    const l = small[--smallCount]!;
    const g = large[--largeCount]!;
    threshold[l] = scaled[l]!;
    alias[l] = g;
    const rest = scaled[g]! + scaled[l]! - 1;
    scaled[g] = rest;
    if (rest < 1) small[smallCount++] = g;
    else large[largeCount++] = g;
  }
  // Whatever is left is 1 up to rounding: always itself.
  while (largeCount > 0) {
    const g = large[--largeCount]!;
    threshold[g] = 1;
    alias[g] = g;
  }
  while (smallCount > 0) {
    const l = small[--smallCount]!;
    threshold[l] = 1;
    alias[l] = l;
  }
  return { threshold, alias };
}

class AliasPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #threshold: Float64Array;
  readonly #alias: Uint32Array;
  readonly #random: () => number;

  constructor(endpoints: readonly E[], threshold: Float64Array, alias: Uint32Array, random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#threshold = threshold;
    this.#alias = alias;
    this.#random = random;
  }

  pick(_context: PickContext): E {
    const n = this.#endpoints.length;
    const u = this.#random() * n;
    let slot = Math.floor(u);
    if (slot >= n) slot = n - 1;
    const i = u - slot < this.#threshold[slot]! ? slot : this.#alias[slot]!;
    return this.#endpoints[i]!;
  }
}
