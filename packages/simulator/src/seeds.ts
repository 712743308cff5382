/**
 * Seeds for the simulation's random streams: each part (a client, an instance, the arrivals of a
 * client) draws from its own stream derived from the scenario's seed and a label, so changing one
 * part of a scenario does not reshuffle the randomness of the others.
 */

/** A 32-bit seed for the stream named `label` (and `index`) under `seed`. Pure. */
export function deriveSeed(seed: number, label: string, index = 0): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  const text = `${label}#${index}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finaliser, so nearby labels give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
