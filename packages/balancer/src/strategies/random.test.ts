import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { aliasTable, randomStrategy } from './random.js';
import { constant, endpoints, sequence, shares } from './strategies.test-helpers.js';

/** Exact probability of each endpoint under an alias table. */
function aliasProbabilities(weights: number[]): number[] {
  const { threshold, alias } = aliasTable(weights);
  const p = new Array<number>(weights.length).fill(0);
  for (let i = 0; i < weights.length; i++) {
    p[i]! += threshold[i]! / weights.length;
    p[alias[i]!]! += (1 - threshold[i]!) / weights.length;
  }
  return p;
}

describe('randomStrategy', () => {
  it('is named random', () => {
    expect(randomStrategy().name).toBe('random');
  });

  it('builds an alias table whose probabilities equal the normalised weights', () => {
    for (const weights of [[1, 2, 3, 4], [0.1, 10, 0.1], [5, 1, 1, 1, 1, 1, 1], [1e-6, 1]]) {
      const total = weights.reduce((a, b) => a + b, 0);
      aliasProbabilities(weights).forEach((p, i) => expect(p).toBeCloseTo(weights[i]! / total, 12));
    }
  });

  it('matches weights within 2 percentage points over 100k picks (seeded)', () => {
    const picker = randomStrategy().build(endpoints([1, 2, 3, 4]), { now: 0, random: seededRandom(7) });
    const s = shares(picker, 100_000);
    // measured: a 0.101, b 0.200, c 0.299, d 0.400
    ['a', 'b', 'c', 'd'].forEach((id, i) => expect(Math.abs(s.get(id)! - (i + 1) / 10)).toBeLessThan(0.02));
  });

  it('is uniform when weights are equal', () => {
    const picker = randomStrategy().build(endpoints([3, 3, 3, 3, 3]), { now: 0, random: seededRandom(11) });
    const s = shares(picker, 100_000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(Math.abs(s.get(id)! - 0.2)).toBeLessThan(0.02);
  });

  it('follows the random source', () => {
    const eps = endpoints([1, 1, 2]);
    // u = 0 -> slot 0 (a); u close to 1 -> the last slot; heavy c is an alias of a light slot
    expect(sequence(randomStrategy().build(eps, { now: 0, random: constant(0) }), 1)).toEqual(['a']);
    expect(sequence(randomStrategy().build(eps, { now: 0, random: constant(0.999) }), 1)).toEqual(['c']);
    expect(sequence(randomStrategy().build(endpoints([1, 1]), { now: 0, random: constant(1) }), 1)).toEqual(['b']);
  });

  it('handles a single endpoint', () => {
    const picker = randomStrategy().build(endpoints([2]), { now: 0, random: seededRandom(1) });
    expect(sequence(picker, 3)).toEqual(['a', 'a', 'a']);
  });
});
