/**
 * Round robin: endpoints in turn, ignoring weights. O(1) pick.
 *
 * Each picker starts at an index drawn from the build context's random source, so a fleet of
 * clients that (re)build at the same moment does not send its first requests to the same
 * endpoint.
 */
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Round robin over `endpoints`, ignoring weights. */
export function roundRobin(): Strategy {
  return {
    name: 'round-robin',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      return new RoundRobinPicker(endpoints, context.random);
    },
  };
}

/** Cycles through `endpoints` from a random start. Also used by weighted round robin. */
export class RoundRobinPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  #next: number;

  constructor(endpoints: readonly E[], random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#next = Math.min(Math.floor(random() * endpoints.length), endpoints.length - 1);
  }

  pick(_context: PickContext): E {
    const i = this.#next;
    this.#next = i + 1 === this.#endpoints.length ? 0 : i + 1;
    return this.#endpoints[i]!;
  }
}
