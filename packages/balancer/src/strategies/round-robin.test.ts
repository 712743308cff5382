import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { roundRobin } from './round-robin.js';
import { constant, endpoints, sequence } from './strategies.test-helpers.js';

describe('roundRobin', () => {
  it('cycles through endpoints in order, ignoring weights', () => {
    const picker = roundRobin().build(endpoints([5, 1, 1]), { now: 0, random: constant(0) });
    expect(sequence(picker, 7)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('starts at an index drawn from the random source', () => {
    const eps = endpoints([1, 1, 1, 1]);
    expect(sequence(roundRobin().build(eps, { now: 0, random: constant(0.5) }), 5)).toEqual(['c', 'd', 'a', 'b', 'c']);
    expect(sequence(roundRobin().build(eps, { now: 0, random: constant(0.99) }), 2)).toEqual(['d', 'a']);
    const firsts = new Map<string, number>();
    for (let seed = 0; seed < 400; seed++) {
      const first = roundRobin().build(eps, { now: 0, random: seededRandom(seed) }).pick({ hashKey: undefined, now: 0 }).id;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // 400 clients building at once spread their first pick over all four endpoints (~100 each).
    expect([...firsts.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const count of firsts.values()) expect(count).toBeGreaterThan(60);
  });

  it('does not crash when the random source returns its upper bound', () => {
    const picker = roundRobin().build(endpoints([1, 1]), { now: 0, random: constant(1) });
    expect(sequence(picker, 3)).toEqual(['b', 'a', 'b']);
  });

  it('always returns a single endpoint', () => {
    const picker = roundRobin().build(endpoints([3]), { now: 0, random: seededRandom(1) });
    expect(sequence(picker, 3)).toEqual(['a', 'a', 'a']);
  });

  it('gives each endpoint exactly one pick per cycle', () => {
    const picker = roundRobin().build(endpoints([1, 2, 3, 4, 5]), { now: 0, random: seededRandom(9) });
    const counts = new Map<string, number>();
    for (const id of sequence(picker, 500)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()]).toEqual([100, 100, 100, 100, 100]);
  });
});
