/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016), weighted like Envoy's `MaglevTable`.
 * O(1) pick: one hash of the key and one table lookup.
 *
 * Build: endpoint `id` has a preference list over the `tableSize` slots, the permutation
 * `(offset + j * skip) % tableSize` with `offset = murmur3(id, 0) % tableSize` and
 * `skip = murmur3(id, 1) % (tableSize - 1) + 1` (a prime table size makes every such list a full
 * permutation). Endpoints take turns claiming their next still-free preferred slot until the
 * table is full; turns follow the weights in earliest-deadline-first order (see `edf.ts`), so
 * each endpoint ends up with a share of slots in proportion to its weight (equal weights: plain
 * turns, as in the paper). Pick: `table[murmur3(hashKey) % tableSize]`; without a hash key, a
 * uniformly random endpoint.
 *
 * Maglev balances almost perfectly but promises only minimal disruption, not none: when an
 * endpoint leaves, its slots are refilled and a few other slots change hands too.
 */
import { EdfTurns } from './edf.js';
import { murmur3 } from './hash.js';
import { checkOptionsObject, numberOption } from './options.js';
import { pickUniform } from './random.js';
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Options of `maglev()`; every field optional, see each default. */
export interface MaglevOptions {
  /**
   * Slots in the lookup table: a prime, larger than the number of endpoints (ideally 100 times
   * larger, for even shares), at most 5,000,011. Defaults to 65,537.
   */
  readonly tableSize?: number;
}

/** Resolved `MaglevOptions`. */
export interface MaglevConfig {
  readonly tableSize: number;
}

/** Largest table size accepted (Envoy's limit). */
export const MAX_TABLE_SIZE = 5_000_011;

/** Maglev consistent hashing; see the file comment. */
export function maglev(options?: MaglevOptions): Strategy {
  checkOptionsObject('maglev', options, ['tableSize']);
  const tableSize = numberOption('maglev', 'tableSize', options?.tableSize, 65_537, { min: 2, max: MAX_TABLE_SIZE, integer: true });
  if (!isPrime(tableSize)) throw new TypeError(`maglev: tableSize must be a prime number, got ${tableSize}`);
  const config: MaglevConfig = Object.freeze({ tableSize });
  return {
    name: 'maglev',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      return new MaglevPicker(endpoints, maglevTable(endpoints, config.tableSize), context.random);
    },
  };
}

/**
 * The lookup table: endpoint index per slot. Throws a `TypeError` unless `tableSize` exceeds the
 * number of endpoints.
 */
export function maglevTable(endpoints: readonly StrategyEndpoint[], tableSize: number): Uint32Array {
  const n = endpoints.length;
  if (n >= tableSize) {
    throw new TypeError(
      `maglev: tableSize (${tableSize}) must be larger than the number of endpoints (${n}); choose a prime about 100 times larger`,
    );
  }
  // Turns go in id order, so that clients listing the same endpoints in another order (DNS
  // answers rotate) still build the same table.
  const order = endpoints.map((_, i) => i).sort((a, b) => compareIds(endpoints[a]!.id, endpoints[b]!.id));
  const next = new Float64Array(n); // per turn-order position: the next slot it would like
  const skip = new Float64Array(n);
  order.forEach((i, k) => {
    const id = endpoints[i]!.id;
    next[k] = murmur3(id, 0) % tableSize;
    skip[k] = (murmur3(id, 1) % (tableSize - 1)) + 1;
  });
  const EMPTY = 0xffffffff;
  const table = new Uint32Array(tableSize).fill(EMPTY);
  const turns = new EdfTurns(order.map((i) => endpoints[i]!.weight));
  for (let filled = 0; filled < tableSize; filled++) {
    const k = turns.next();
    let slot = next[k]!;
    const step = skip[k]!;
    while (table[slot] !== EMPTY) {
      slot += step;
      if (slot >= tableSize) slot -= tableSize;
    }
    table[slot] = order[k]!;
    slot += step;
    next[k] = slot >= tableSize ? slot - tableSize : slot;
  }
  return table;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

class MaglevPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #table: Uint32Array;
  readonly #random: () => number;

  constructor(endpoints: readonly E[], table: Uint32Array, random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#table = table;
    this.#random = random;
  }

  pick(context: PickContext): E {
    const key = context.hashKey;
    if (key === undefined) return pickUniform(this.#endpoints, this.#random);
    return this.#endpoints[this.#table[murmur3(key) % this.#table.length]!]!;
  }
}
