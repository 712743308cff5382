/**
 * Ring hash (Ketama-style consistent hashing, options like Envoy's `RING_HASH`), with optional
 * bounded load. O(log ring size) pick.
 *
 * Endpoint `id` owns the points `murmur3(`${id}_${i}`)` for i < its point count; a key goes to the
 * owner of the first point at or after `murmur3(key)`, wrapping. A pick without a hash key goes
 * to a uniformly random endpoint.
 *
 * Point counts. Each endpoint gets points in proportion to its weight, and its count depends on
 * its own weight only, not on how many other endpoints there are: weights are measured in units
 * of the power of two nearest their mean (so weights 1 and 100 behave alike) and a unit gets
 * `minRingSize / 2` points (512 by default). Adding or removing an endpoint therefore moves
 * exactly the keys it takes or gives up and no other; a weight change (slow start) moves keys to
 * or from that endpoint only. Envoy instead rescales every endpoint to keep the total near
 * `minRingSize`, which moves extra keys on each membership change (about 17% of the others' keys
 * going from 3 endpoints to 2). Exceptions, where all counts change:
 * - under two units of weight in all (one or two endpoints): scaled up to `minRingSize` points;
 * - over `RING_POINT_BUDGET` points (more than 2048 endpoints of equal weight by default): the
 *   points per unit are halved as often as needed to fit, so changes are rare;
 * - over `maxRingSize` points: scaled down to it;
 * - the mean weight crossing the midpoint between two powers of two.
 * Counts are rounded and at least 1, so the bounds hold to within a point per endpoint.
 *
 * Bounded load (`balanceFactorPercent`, "consistent hashing with bounded loads"): if the chosen
 * endpoint has more requests in flight than `ceil((totalInFlight + 1) * share * factor / 100)`,
 * where `share` is its weight over the total (1/n for equal weights), the pick walks clockwise to
 * the next distinct endpoint within its own bound. Some endpoint is always within bound when the
 * factor is >= 100; the original choice is kept if none were. The total is summed over the
 * endpoints only when the chosen one is not trivially within bound (O(n) then).
 */
import { Murmur3Prefix, murmur3 } from './hash.js';
import { checkOptionsObject, numberOption } from './options.js';
import { sortByKey } from './radix-sort.js';
import { pickUniform } from './random.js';
import type { Picker, PickContext, Strategy, StrategyBuildContext, StrategyEndpoint } from './strategy.js';

/** Options of `ringHash()`; every field optional, see each default. */
export interface RingHashOptions {
  /** Least number of points on the ring (integer, 1 to 2^26). Defaults to 1024. See the file comment. */
  readonly minRingSize?: number;
  /** Most points on the ring (integer, minRingSize to 2^26). Defaults to 8,388,608 (2^23). */
  readonly maxRingSize?: number;
  /**
   * Bounded load: how far above its fair share of the requests in flight an endpoint may go
   * before keys spill to the next endpoint, in percent (>= 100; 125 allows 25% above).
   * Defaults to none (no bound).
   */
  readonly balanceFactorPercent?: number;
}

/** Resolved `RingHashOptions`. */
export interface RingHashConfig {
  readonly minRingSize: number;
  readonly maxRingSize: number;
  readonly balanceFactorPercent: number | undefined;
}

/** Points per ring above which the count per unit of weight is reduced (2^20: 8 MB of ring). */
export const RING_POINT_BUDGET = 1_048_576;

/** Consistent hashing on a ring; see the file comment. */
export function ringHash(options?: RingHashOptions): Strategy {
  checkOptionsObject('ringHash', options, ['minRingSize', 'maxRingSize', 'balanceFactorPercent']);
  const minRingSize = numberOption('ringHash', 'minRingSize', options?.minRingSize, 1024, { min: 1, max: 2 ** 26, integer: true });
  const maxRingSize = numberOption('ringHash', 'maxRingSize', options?.maxRingSize, 8_388_608, {
    min: minRingSize,
    max: 2 ** 26,
    integer: true,
  });
  const balance = options?.balanceFactorPercent;
  const config: RingHashConfig = Object.freeze({
    minRingSize,
    maxRingSize,
    balanceFactorPercent:
      balance === undefined ? undefined : numberOption('ringHash', 'balanceFactorPercent', balance, 0, { min: 100 }),
  });
  return {
    name: 'ring-hash',
    build<E extends StrategyEndpoint>(endpoints: readonly E[], context: StrategyBuildContext): Picker<E> {
      return new RingPicker(endpoints, buildRing(endpoints, config), config, context.random);
    },
  };
}

/** Number of points for each weight; see "Point counts" in the file comment. */
export function pointCounts(weights: readonly number[], config: Pick<RingHashConfig, 'minRingSize' | 'maxRingSize'>): number[] {
  let total = 0;
  for (const w of weights) total += w;
  const unit = 2 ** Math.round(Math.log2(total / weights.length));
  const units = total / unit;
  let perUnit = Math.ceil(config.minRingSize / 2);
  if (units * perUnit > RING_POINT_BUDGET) perUnit = 2 ** Math.floor(Math.log2(RING_POINT_BUDGET / units));
  perUnit = Math.min(Math.max(perUnit, config.minRingSize / units), config.maxRingSize / units);
  return weights.map((w) => Math.max(1, Math.round((w / unit) * perUnit)));
}

/** The ring: point hashes in ascending order and, beside each, the index of its endpoint. */
export function buildRing(
  endpoints: readonly StrategyEndpoint[],
  config: Pick<RingHashConfig, 'minRingSize' | 'maxRingSize'>,
): { hashes: Uint32Array; owners: Uint32Array } {
  const counts = pointCounts(
    endpoints.map((e) => e.weight),
    config,
  );
  let size = 0;
  for (const c of counts) size += c;
  const hashes = new Uint32Array(size);
  const owners = new Uint32Array(size);
  let k = 0;
  endpoints.forEach((e, owner) => {
    const point = new Murmur3Prefix(`${e.id}_`);
    for (let i = 0; i < counts[owner]!; i++) {
      hashes[k] = point.hash(i);
      owners[k++] = owner;
    }
  });
  // Stable: points with equal hashes stay in endpoint order.
  sortByKey(hashes, owners);
  return { hashes, owners };
}

class RingPicker<E extends StrategyEndpoint> implements Picker<E> {
  readonly #endpoints: readonly E[];
  readonly #hashes: Uint32Array;
  readonly #owners: Uint32Array;
  readonly #random: () => number;
  /** Per endpoint: weight share times factor / 100; undefined without bounded load. */
  readonly #allowance: Float64Array | undefined;
  /** Endpoints already tried by the current walk: `visited[i] === epoch`. */
  readonly #visited: Uint32Array;
  #epoch = 0;

  constructor(endpoints: readonly E[], ring: { hashes: Uint32Array; owners: Uint32Array }, config: RingHashConfig, random: () => number) {
    this.#endpoints = endpoints.slice();
    this.#hashes = ring.hashes;
    this.#owners = ring.owners;
    this.#random = random;
    const factor = config.balanceFactorPercent;
    if (factor === undefined || endpoints.length === 1) {
      this.#allowance = undefined;
      this.#visited = new Uint32Array(0);
    } else {
      let total = 0;
      for (const e of endpoints) total += e.weight;
      this.#allowance = Float64Array.from(endpoints, (e) => ((e.weight / total) * factor) / 100);
      this.#visited = new Uint32Array(endpoints.length);
    }
  }

  pick(context: PickContext): E {
    const key = context.hashKey;
    if (key === undefined) return pickUniform(this.#endpoints, this.#random);
    const point = this.#firstPointAtOrAfter(murmur3(key));
    const chosen = this.#endpoints[this.#owners[point]!]!;
    return this.#allowance === undefined ? chosen : this.#bounded(point, chosen);
  }

  /** Index of the first point with hash >= `hash`, wrapping to 0. */
  #firstPointAtOrAfter(hash: number): number {
    const hashes = this.#hashes;
    let lo = 0;
    let hi = hashes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === hashes.length ? 0 : lo;
  }

  #bounded(point: number, chosen: E): E {
    const allowance = this.#allowance!;
    const owners = this.#owners;
    const endpoints = this.#endpoints;
    const first = owners[point]!;
    // The total is at least the chosen endpoint's own load: if that already fits, skip the sum.
    if (chosen.inFlight <= Math.ceil((chosen.inFlight + 1) * allowance[first]!)) return chosen;
    let total = 0;
    for (const e of endpoints) total += e.inFlight;
    const scale = total + 1;
    if (chosen.inFlight <= Math.ceil(scale * allowance[first]!)) return chosen;
    const visited = this.#visited;
    if (++this.#epoch === 0xffffffff) {
      visited.fill(0);
      this.#epoch = 1;
    }
    const epoch = this.#epoch;
    visited[first] = epoch;
    let seen = 1;
    for (let p = point + 1; seen < endpoints.length; p++) {
      if (p === owners.length) p = 0;
      const owner = owners[p]!;
      if (visited[owner] === epoch) continue;
      visited[owner] = epoch;
      seen++;
      const e = endpoints[owner]!;
      if (e.inFlight <= Math.ceil(scale * allowance[owner]!)) return e;
    }
    return chosen;
  }
}
