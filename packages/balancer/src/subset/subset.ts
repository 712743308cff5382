/**
 * Deterministic subsetting: each client balances over a stable slice of a large fleet, so that
 * N clients x M instances do not make N x M connections (SRE book, ch. 20; Finagle's
 * deterministic aperture).
 *
 * The algorithm is Finagle's ring, with instances placed by hash rather than by address:
 * - the instances are put in ring order: sorted by `murmur3(id)` (ties by id), so that the order
 *   does not depend on how addresses were allocated (a whole rack of adjacent IPs leaving is
 *   spread over the ring like any other removal);
 * - a client has a position in [0, 1); its subset is the `size` instances that follow rank
 *   `floor(position x n)` on the ring (wrapping around);
 * - with positions `index / count` for clients numbered 0..count-1, the starts are spread evenly
 *   over the ranks, so every instance is in the subsets of the same number of clients, +-1
 *   (ceil or floor of count x size / n): the SRE book's property, without its rounds;
 * - the subset is a pure function of the current membership and the position: no history, so
 *   every client computes the same assignment. When instances leave, a client's subset loses
 *   those of them it had and slides by the number of removed instances ranked before its start
 *   minus the expected share; churn is the removed members plus that small drift (measured:
 *   300 x 300, subset 30, 10% removed at random: 12% of a subset changes on average, where
 *   10% is forced). The SRE book's shuffled rounds change most subsets on any removal.
 * A client identified only by a string gets `position = murmur3(id) / 2^32`: stable, no
 * coordination, but balanced only statistically (like random subsetting).
 */
import { murmur3 } from '../strategies/hash.js';

/** The resolved subset settings of a service. */
export interface SubsetConfig {
  /** Instances per client (the whole list when there are fewer). */
  readonly size: number;
  /** The client's position on the ring, in [0, 1). */
  readonly position: number;
  /** The client's identity as configured or defaulted (for snapshots and logs). */
  readonly clientId: string;
  /** True when the position comes from `clientId / clientCount` (balanced +-1). */
  readonly deterministic: boolean;
}

/**
 * The ring position of a client: `index / count` when the client knows its index among `count`
 * clients, else the hash of its id scaled to [0, 1). Pure.
 */
export function subsetPosition(clientId: string | number, clientCount?: number): number {
  if (clientCount !== undefined && typeof clientId === 'number') return clientId / clientCount;
  return murmur3(String(clientId)) / 4_294_967_296;
}

/**
 * The members of `all` in this client's subset, in their original order. Returns `all` itself
 * when there is no subset config or the fleet is not larger than the subset. Pure; O(n log n).
 */
export function chooseSubset<T extends { readonly id: string }>(all: readonly T[], config: SubsetConfig | undefined): readonly T[] {
  const n = all.length;
  if (config === undefined || n <= config.size) return all;
  const hashes = all.map((m) => murmur3(m.id));
  const ring = all.map((_, i) => i);
  ring.sort((a, b) => hashes[a]! - hashes[b]! || (all[a]!.id < all[b]!.id ? -1 : all[a]!.id > all[b]!.id ? 1 : 0));
  // The epsilon keeps index / count x n exact where it is an integer (100 / 300 x 300 is 99.999...).
  const start = Math.min(n - 1, Math.floor(config.position * n + 1e-9));
  const chosen = new Uint8Array(n);
  for (let k = 0; k < config.size; k++) chosen[ring[(start + k) % n]!] = 1;
  return all.filter((_, i) => chosen[i] === 1);
}
