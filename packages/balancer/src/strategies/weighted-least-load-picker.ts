/**
 * The weighted-least-load picker (see `weighted-least-load.ts` for the rules): an EDF sequence
 * over the endpoints' reported weights, recomputed at the first pick after each update period,
 * or the fallback strategy's picker while fewer than two endpoints have a usable weight.
 * O(log n) per pick; O(n) once per update period.
 */
import { EdfTurns } from './edf.js';
import { LoadWeight, schedulerWeights, usableWeight, type LoadWeightRules } from './load-weight.js';
import type { Picker, PickContext, StrategyEndpoint } from './strategy.js';

/**
 * The fallback strategy's view of an endpoint: the same id, weight and in-flight count (read
 * live), with a slot of its own, so the fallback keeps its state beside ours.
 */
export class FallbackView implements StrategyEndpoint {
  slot: unknown = undefined;
  constructor(readonly endpoint: StrategyEndpoint) {}
  get id(): string {
    return this.endpoint.id;
  }
  get weight(): number {
    return this.endpoint.weight;
  }
  get inFlight(): number {
    return this.endpoint.inFlight;
  }
}

/** What the strategy keeps in an endpoint's slot: its load weight and the fallback's view. */
export class LoadSlot {
  readonly load = new LoadWeight();
  readonly view: FallbackView;
  constructor(endpoint: StrategyEndpoint) {
    this.view = new FallbackView(endpoint);
  }
}

export interface LoadPickerConfig extends LoadWeightRules {
  readonly weightUpdatePeriodMs: number;
}

export class WeightedLeastLoadPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #slots: readonly LoadSlot[];
  readonly #fallback: Picker<FallbackView>;
  readonly #random: () => number;
  readonly #config: LoadPickerConfig;
  readonly #weights: Float64Array;
  readonly #phases: Float64Array;
  /** The EDF sequence over the current weights; undefined while the fallback picks. */
  #turns: EdfTurns | undefined;
  /** Runtime time at or after which the weights are recomputed. */
  #updateAt = -Infinity;

  constructor(endpoints: readonly E[], slots: readonly LoadSlot[], fallback: Picker<FallbackView>, random: () => number, config: LoadPickerConfig) {
    this.#endpoints = endpoints.slice();
    this.#slots = slots.slice();
    this.#fallback = fallback;
    this.#random = random;
    this.#config = config;
    this.#weights = new Float64Array(endpoints.length);
    this.#phases = new Float64Array(endpoints.length);
  }

  /** True while picks follow the reported weights (for tests and snapshots). */
  get weighted(): boolean {
    return this.#turns !== undefined;
  }

  pick(context: PickContext): E {
    const endpoints = this.#endpoints;
    if (endpoints.length === 1) return endpoints[0]!;
    if (!(context.now < this.#updateAt)) this.#update(context.now);
    const turns = this.#turns;
    if (turns !== undefined) return endpoints[turns.next()]!;
    return this.#fallback.pick(context).endpoint as E;
  }

  #update(now: number): void {
    this.#updateAt = now + this.#config.weightUpdatePeriodMs;
    const weights = this.#weights;
    for (let i = 0; i < weights.length; i++) weights[i] = usableWeight(this.#slots[i]!.load, now, this.#config);
    if (schedulerWeights(weights) < 2) {
      this.#turns = undefined;
      return;
    }
    const phases = this.#phases;
    for (let i = 0; i < weights.length; i++) {
      weights[i]! *= this.#endpoints[i]!.weight;
      phases[i] = this.#random();
    }
    this.#turns = new EdfTurns(weights, phases);
  }
}
