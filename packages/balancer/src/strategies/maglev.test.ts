import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededRandom } from '../testing/random.js';
import { murmur3 } from './hash.js';
import { maglev, maglevTable } from './maglev.js';
import { endpoints, sequence, shares } from './strategies.test-helpers.js';

const slotCounts = (table: Uint32Array, n: number): number[] => {
  const out = new Array<number>(n).fill(0);
  for (const i of table) out[i]! += 1;
  return out;
};

/**
 * Of the default table's 65,537 slots not owned by endpoint `removed` of `ids` (weights 1), the
 * share that keeps its owner once `removed` is gone.
 */
function keptSlotShare(ids: readonly string[], removed: number): number {
  const eps = endpoints(ids.map(() => 1), ids);
  const rest = eps.filter((_, i) => i !== removed);
  const before = maglevTable(eps, 65_537);
  const after = maglevTable(rest, 65_537);
  let kept = 0;
  let others = 0;
  for (let s = 0; s < before.length; s++) {
    if (before[s] === removed) continue;
    others++;
    if (eps[before[s]!]!.id === rest[after[s]!]!.id) kept++;
  }
  return kept / others;
}

describe('maglevTable', () => {
  it('fills every slot, equal shares for equal weights', () => {
    expect(slotCounts(maglevTable(endpoints([1, 1, 1]), 65_537), 3)).toEqual([21_846, 21_846, 21_845]);
    expect(slotCounts(maglevTable(endpoints([1, 1, 1]), 7), 3)).toEqual([3, 2, 2]);
  });

  it('gives slots in proportion to weights', () => {
    const counts = slotCounts(maglevTable(endpoints([1, 2, 3, 4]), 65_537), 4);
    counts.forEach((c, i) => expect(Math.abs(c - (65_537 * (i + 1)) / 10)).toBeLessThanOrEqual(1));
  });

  it('follows each endpoint preference list: its first slot is murmur3(id, 0) % size', () => {
    const eps = endpoints([1, 1], ['x', 'y']);
    const table = maglevTable(eps, 65_537);
    // the first turn goes to the first id in order and is always free
    expect(table[murmur3('x', 0) % 65_537]).toBe(0);
  });

  it('does not depend on the order of the endpoints', () => {
    const ids = ['http://10.0.0.1:80', 'http://10.0.0.2:80', 'http://10.0.0.3:80', 'http://10.0.0.4:80'];
    const forward = maglev().build(endpoints([1, 2, 1, 1], ids), { now: 0, random: seededRandom(1) });
    const backward = maglev().build(endpoints([1, 1, 2, 1], [...ids].reverse()), { now: 0, random: seededRandom(2) });
    for (let i = 0; i < 1000; i++) {
      const key = `user-${i}`;
      expect(backward.pick({ hashKey: key, now: 0 }).id).toBe(forward.pick({ hashKey: key, now: 0 }).id);
    }
  });

  it('throws a TypeError at build unless tableSize exceeds the endpoint count', () => {
    const strategy = maglev({ tableSize: 5 });
    expect(() => strategy.build(endpoints([1, 1, 1, 1, 1]), { now: 0, random: seededRandom(1) })).toThrow(TypeError);
    expect(() => strategy.build(endpoints([1, 1, 1, 1, 1]), { now: 0, random: seededRandom(1) })).toThrow(
      /tableSize \(5\) must be larger than the number of endpoints \(5\)/,
    );
    expect(strategy.build(endpoints([1, 1, 1, 1]), { now: 0, random: seededRandom(1) }).pick({ hashKey: 'k', now: 0 })).toBeDefined();
  });
});

describe('maglev', () => {
  it('picks table[murmur3(key) % tableSize]', () => {
    const eps = endpoints([1, 1, 1]);
    const table = maglevTable(eps, 101);
    const picker = maglev({ tableSize: 101 }).build(eps, { now: 0, random: seededRandom(1) });
    for (let i = 0; i < 200; i++) expect(picker.pick({ hashKey: `k${i}`, now: 0 })).toBe(eps[table[murmur3(`k${i}`) % 101]!]);
  });

  it('gives keys to endpoints in proportion to their weights (100k keys, within 2 points)', () => {
    const picker = maglev().build(endpoints([1, 2, 3, 4]), { now: 0, random: seededRandom(2) });
    const s = shares(picker, 100_000, (i) => `session-${i}`);
    // measured: a 0.098, b 0.200, c 0.300, d 0.401
    ['a', 'b', 'c', 'd'].forEach((id, i) => expect(Math.abs(s.get(id)! - (i + 1) / 10)).toBeLessThan(0.02));
  });

  it('picks at random without a hash key', () => {
    const s = shares(maglev().build(endpoints([1, 1, 1, 1]), { now: 0, random: seededRandom(3) }), 40_000);
    for (const id of ['a', 'b', 'c', 'd']) expect(Math.abs(s.get(id)! - 0.25)).toBeLessThan(0.02);
  });

  it('keeps almost every key of the other endpoints when one is removed (property)', () => {
    // Maglev promises minimal, not zero, disruption, and the worst case is a property of the
    // permutations, not of the fleet's size alone: fast-check found a set of 3 endpoints that
    // keeps only 93.1% of the slots (two of them have skips summing to the table size, so one
    // walks the other's permutation backwards; see the typical figures in the next test).
    // Bounds per set: 90% of slots, and 85% of a few hundred arbitrary keys (sampling noise).
    fc.assert(
      fc.property(
        // Endpoint ids are normalised origins. (Arbitrary short strings such as ' ' and '?' can
        // hash to nearly identical permutations: one such set of 5 kept only 88% of the slots.)
        fc.uniqueArray(
          fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65_535 })).map(([a, b, port]) => `http://10.0.${a}.${b}:${port}`),
          { minLength: 3, maxLength: 50 },
        ),
        fc.uniqueArray(fc.string(), { minLength: 200, maxLength: 400 }),
        fc.nat(),
        (ids, keys, r) => {
          const removed = r % ids.length;
          expect(keptSlotShare(ids, removed)).toBeGreaterThanOrEqual(0.9);
          const eps = endpoints(ids.map(() => 1), ids);
          const rest = eps.filter((_, i) => i !== removed);
          const b = maglev().build(eps, { now: 0, random: seededRandom(1) });
          const a = maglev().build(rest, { now: 0, random: seededRandom(1) });
          let kept = 0;
          let others = 0;
          for (const key of keys) {
            const owner = b.pick({ hashKey: key, now: 0 }).id;
            if (owner === ids[removed]) continue;
            others++;
            if (a.pick({ hashKey: key, now: 0 }).id === owner) kept++;
          }
          expect(kept).toBeGreaterThanOrEqual(0.85 * others);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('typically keeps 99.5% of the other slots when one endpoint is removed, 98% in nearly every set', () => {
    // 200 seeded random sets of 3..50 endpoints, the default 65,537 slots (measured: mean 99.7%,
    // 1 set in 300 of 3 endpoints below 98%); and the set fast-check found, above its floor.
    const random = seededRandom(42);
    const draw = (n: number): number => Math.floor(random() * n);
    const shares: number[] = [];
    for (let t = 0; t < 200; t++) {
      const n = 3 + draw(48);
      const ids = [...new Set(Array.from({ length: n }, () => `http://10.0.${draw(256)}.${draw(256)}:${1 + draw(65_535)}`))];
      shares.push(keptSlotShare(ids, draw(ids.length)));
    }
    expect(shares.reduce((a, b) => a + b, 0) / shares.length).toBeGreaterThanOrEqual(0.995);
    expect(shares.filter((x) => x < 0.98).length).toBeLessThanOrEqual(2);
    expect(keptSlotShare(['http://10.0.6.153:63338', 'http://10.0.0.0:1', 'http://10.0.62.137:26470'], 2)).toBeGreaterThan(0.93);
  });

  it('handles a single endpoint', () => {
    const picker = maglev().build(endpoints([1]), { now: 0, random: seededRandom(4) });
    expect([...sequence(picker, 2, 'x'), ...sequence(picker, 2)]).toEqual(['a', 'a', 'a', 'a']);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => maglev({ tableSize: 65_536 })).toThrow(TypeError);
    expect(() => maglev({ tableSize: 65_536 })).toThrow(/tableSize must be a prime/);
    expect(() => maglev({ tableSize: 1 })).toThrow(/tableSize/);
    expect(() => maglev({ tableSize: 101.5 })).toThrow(/tableSize/);
    expect(() => maglev({ tableSize: 5_000_101 })).toThrow(/tableSize/); // prime, above the limit
    expect(maglev({ tableSize: 5_000_011 }).name).toBe('maglev');
    expect(() => maglev({ size: 7 } as never)).toThrow(/unknown option "size"/);
  });
});
