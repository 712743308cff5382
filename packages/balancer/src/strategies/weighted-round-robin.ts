/**
 * Smooth weighted round robin with an O(1) pick from a table computed at build time.
 *
 * The table is the earliest-deadline-first turn sequence over the weights (see `edf.ts`), so
 * heavy endpoints are interleaved with light ones (weights 5, 1, 1 give `a a a b c a a`) rather
 * than served in bursts. A picker walks the table cyclically from a random offset.
 *
 * Table length:
 * - all weights equal: no table, plain round robin over the n endpoints;
 * - integer weights whose exact period `sum(w) / gcd(w)` is at most the cap: the exact period,
 *   so every cycle of the table gives each endpoint exactly its share;
 * - otherwise (fractional weights, as slow start produces, or a long period) the cap,
 *   `max(8192, 16 * n)` slots, filled in proportion to the weights. Each endpoint then gets
 *   within about one slot of its exact share: an absolute error below 1/8192 (0.013 percentage
 *   points), and a relative error below 1/16 for an endpoint of average weight among many. An
 *   endpoint whose share would round to no slot at all is given at least one.
 */
import { edfSchedule } from './edf.js';
import { RoundRobinPicker } from './round-robin.js';
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Smallest table cap, in slots. */
export const MIN_TABLE_CAP = 8192;
/** Slots per endpoint allowed before the cap applies (for large endpoint counts). */
export const TABLE_SLOTS_PER_ENDPOINT = 16;

/** Smooth weighted round robin; equal weights degrade to plain round robin. */
export function weightedRoundRobin(): Strategy {
  return {
    name: 'weighted-round-robin',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      const weights = endpoints.map((e) => e.weight);
      if (weights.every((w) => w === weights[0])) return new RoundRobinPicker(endpoints, context.random);
      const table = weightedSchedule(weights);
      return new TablePicker(endpoints, table, context.random);
    },
  };
}

/**
 * The schedule table for `weights` (not all equal): endpoint indices in pick order, with the
 * length rules described at the top of this file.
 */
export function weightedSchedule(weights: readonly number[]): Uint32Array {
  const cap = Math.max(MIN_TABLE_CAP, TABLE_SLOTS_PER_ENDPOINT * weights.length);
  const period = exactPeriod(weights, cap);
  if (period !== undefined) return edfSchedule(weights, period);
  let total = 0;
  for (const w of weights) total += w;
  // One slot's worth of weight: lighter endpoints are raised to it so none is left out.
  const floor = total / cap;
  return edfSchedule(
    weights.map((w) => Math.max(w, floor)),
    cap,
  );
}

/** `sum(w) / gcd(w)` when every weight is a positive integer and that is <= `cap`. */
function exactPeriod(weights: readonly number[], cap: number): number | undefined {
  let g = 0;
  let sum = 0;
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w <= 0) return undefined;
    g = gcd(g, w);
    sum += w;
  }
  const period = sum / g;
  return period <= cap ? period : undefined;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Walks a precomputed schedule of endpoint indices from a random offset. */
class TablePicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #table: Uint32Array;
  #next: number;

  constructor(endpoints: readonly E[], table: Uint32Array, random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#table = table;
    this.#next = Math.min(Math.floor(random() * table.length), table.length - 1);
  }

  pick(_context: PickContext): E {
    const i = this.#next;
    this.#next = i + 1 === this.#table.length ? 0 : i + 1;
    return this.#endpoints[this.#table[i]!]!;
  }
}
