import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { MIN_TABLE_CAP, weightedRoundRobin, weightedSchedule } from './weighted-round-robin.js';
import { constant, endpoints, sequence, shares } from './strategies.test-helpers.js';

const counts = (table: Uint32Array, n: number): number[] => {
  const out = new Array<number>(n).fill(0);
  for (const i of table) out[i]! += 1;
  return out;
};

describe('weightedRoundRobin', () => {
  it('interleaves heavy and light endpoints (golden sequences)', () => {
    const wrr = weightedRoundRobin();
    expect(sequence(wrr.build(endpoints([5, 1, 1]), { now: 0, random: constant(0) }), 14).join(' ')).toBe(
      'a a a b c a a a a a b c a a',
    );
    expect(sequence(wrr.build(endpoints([3, 2]), { now: 0, random: constant(0) }), 10).join(' ')).toBe(
      'a b a b a a b a b a',
    );
    expect(sequence(wrr.build(endpoints([4, 2, 1]), { now: 0, random: constant(0) }), 7).join(' ')).toBe(
      'a b a c a b a',
    );
    // gcd 10: the period is 7, not 70
    expect(sequence(wrr.build(endpoints([50, 10, 10]), { now: 0, random: constant(0) }), 7).join(' ')).toBe(
      'a a a b c a a',
    );
  });

  it('starts at an offset drawn from the random source', () => {
    const eps = endpoints([5, 1, 1]);
    // table a a a b c a a; 0.5 * 7 = 3.5 -> offset 3
    expect(sequence(weightedRoundRobin().build(eps, { now: 0, random: constant(0.5) }), 7).join(' ')).toBe(
      'b c a a a a a',
    );
    const starts = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      starts.add(sequence(weightedRoundRobin().build(eps, { now: 0, random: seededRandom(seed) }), 7).join(''));
    }
    expect(starts.size).toBe(7); // every rotation of the table appears
  });

  it('degrades to plain round robin when weights are equal', () => {
    const picker = weightedRoundRobin().build(endpoints([2, 2, 2]), { now: 0, random: constant(0) });
    expect(sequence(picker, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('handles a single endpoint', () => {
    const picker = weightedRoundRobin().build(endpoints([0.3]), { now: 0, random: seededRandom(3) });
    expect(sequence(picker, 3)).toEqual(['a', 'a', 'a']);
  });

  it('uses the exact period for small integer weights', () => {
    expect(counts(weightedSchedule([5, 1, 1]), 3)).toEqual([5, 1, 1]);
    expect(counts(weightedSchedule([3000, 2000, 1]), 3)).toEqual([3000, 2000, 1]);
  });

  it('caps the table and keeps each endpoint within one slot of its share otherwise', () => {
    const weights = [1, 0.1, 2.5, 7.3, 1]; // fractional, as slow start produces
    const table = weightedSchedule(weights);
    expect(table.length).toBe(MIN_TABLE_CAP);
    const total = weights.reduce((a, b) => a + b, 0);
    counts(table, weights.length).forEach((c, i) => {
      expect(Math.abs(c - (MIN_TABLE_CAP * weights[i]!) / total)).toBeLessThanOrEqual(1);
    });
    // An endpoint far below one slot's worth still gets a slot.
    expect(counts(weightedSchedule([1e-9, 1, 1]), 3)[0]).toBeGreaterThanOrEqual(1);
  });

  it('matches weights within 2 percentage points over 100k picks (seeded)', () => {
    const picker = weightedRoundRobin().build(endpoints([1, 2, 3, 4.5]), { now: 0, random: seededRandom(42) });
    const s = shares(picker, 100_000);
    // measured: a 0.095, b 0.190, c 0.286, d 0.429 (the exact shares: a capped table of 8192)
    const expected = [1 / 10.5, 2 / 10.5, 3 / 10.5, 4.5 / 10.5];
    ['a', 'b', 'c', 'd'].forEach((id, i) => expect(Math.abs(s.get(id)! - expected[i]!)).toBeLessThan(0.02));
  });

  it('builds for 10,000 endpoints with distinct weights and reaches every one (build cost: pnpm bench)', () => {
    const eps = endpoints(
      Array.from({ length: 10_000 }, (_, i) => 1 + (i % 97) / 10),
      Array.from({ length: 10_000 }, (_, i) => `http://10.0.${i >> 8}.${i & 255}:80`),
    );
    const picker = weightedRoundRobin().build(eps, { now: 0, random: seededRandom(1) });
    const seen = new Set(sequence(picker, 160_000));
    expect(seen.size).toBe(10_000);
  });
});
