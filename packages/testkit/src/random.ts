/** A source of uniform random numbers in [0, 1), with the contract of `Math.random`. */
export type RandomSource = () => number;

/**
 * Returns a small deterministic pseudo-random generator (mulberry32) seeded with `seed`
 * (any number; it is truncated to an unsigned 32-bit integer). The same seed always gives
 * the same sequence, so fault injection in tests can be reproduced exactly.
 * Not for cryptography.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isFinite(seed)) throw new RangeError(`seededRandom: expected a finite seed, got ${String(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
