import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/random.js';
import { chooseSubset, subsetPosition, type SubsetConfig } from './subset.js';

const fleet = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ id: `http://10.0.${(from + i) >> 8}.${(from + i) & 255}:8080` }));
const config = (size: number, clientId: number, clientCount: number): SubsetConfig => ({
  size,
  position: subsetPosition(clientId, clientCount),
  clientId: String(clientId),
  deterministic: true,
});
const idsOf = (list: readonly { id: string }[]) => list.map((m) => m.id);

/** Clients per instance when `clients` clients each take their subset of `members`. */
function load(members: readonly { id: string }[], clients: number, size: number): number[] {
  const counts = new Map(members.map((m) => [m.id, 0]));
  for (let c = 0; c < clients; c++) for (const m of chooseSubset(members, config(size, c, clients))) counts.set(m.id, counts.get(m.id)! + 1);
  return [...counts.values()];
}

describe('chooseSubset', () => {
  it('returns the whole list when there is no config or the fleet fits in the subset', () => {
    const all = fleet(5);
    expect(chooseSubset(all, undefined)).toBe(all);
    expect(chooseSubset(all, config(5, 0, 10))).toBe(all);
    expect(chooseSubset(all, config(8, 3, 10))).toBe(all);
  });

  it('takes exactly `size` distinct members, in their original order', () => {
    const all = fleet(50);
    for (let c = 0; c < 20; c++) {
      const subset = chooseSubset(all, config(7, c, 20));
      expect(new Set(idsOf(subset)).size).toBe(7);
      const positions = subset.map((m) => all.indexOf(m));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  it('does not depend on the order of the list it is given', () => {
    const all = fleet(40);
    const shuffled = [...all].reverse();
    for (let c = 0; c < 10; c++) {
      expect(new Set(idsOf(chooseSubset(shuffled, config(6, c, 10))))).toEqual(new Set(idsOf(chooseSubset(all, config(6, c, 10)))));
    }
  });

  // [clients, instances, size]: every instance gets floor or ceil of clients x size / instances.
  const BALANCE: [number, number, number][] = [
    [300, 300, 30],
    [300, 270, 30],
    [1_000, 1_000, 20],
    [100, 1_000, 30],
    [1_000, 100, 10],
    [7, 50, 6],
  ];
  it.each(BALANCE)('%i clients x %i instances, subset %i: clients per instance within +-1 of the mean', (clients, instances, size) => {
    const counts = load(fleet(instances), clients, size);
    const mean = (clients * size) / instances;
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(Math.floor(mean));
    expect(Math.max(...counts)).toBeLessThanOrEqual(Math.ceil(mean));
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('clients identified by a string hash to a stable place, balanced only statistically', () => {
    const all = fleet(300);
    const byName = (name: string): SubsetConfig => ({ size: 30, position: subsetPosition(name), clientId: name, deterministic: false });
    expect(idsOf(chooseSubset(all, byName('host-a:123')))).toEqual(idsOf(chooseSubset(all, byName('host-a:123'))));
    expect(idsOf(chooseSubset(all, byName('host-a:123')))).not.toEqual(idsOf(chooseSubset(all, byName('host-b:123'))));
    const counts = new Map(all.map((m) => [m.id, 0]));
    for (let c = 0; c < 300; c++) for (const m of chooseSubset(all, byName(`host-${c}:1`))) counts.set(m.id, counts.get(m.id)! + 1);
    const values = [...counts.values()];
    expect(values.reduce((a, b) => a + b, 0)).toBe(300 * 30);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(2); // not the +-1 of indexed clients
  });

  it('removing 10% of 300 instances changes little more of each subset than the removed members it held', () => {
    const all = fleet(300);
    const random = seededRandom(7);
    const churn: number[] = [];
    const forced: number[] = [];
    for (let round = 0; round < 5; round++) {
      const removed = new Set<string>();
      while (removed.size < 30) removed.add(all[Math.floor(random() * all.length)]!.id);
      const kept = all.filter((m) => !removed.has(m.id));
      for (let c = 0; c < 300; c++) {
        const before = idsOf(chooseSubset(all, config(30, c, 300)));
        const after = new Set(idsOf(chooseSubset(kept, config(30, c, 300))));
        churn.push(before.filter((id) => !after.has(id)).length);
        forced.push(before.filter((id) => removed.has(id)).length);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // 10% of a subset is forced out on average (3 of 30); the ring's drift adds about one more.
    expect(mean(forced)).toBeCloseTo(3, 0);
    expect(mean(churn) / 30).toBeLessThan(0.15);
    expect(Math.max(...churn.map((c, i) => c - forced[i]!))).toBeLessThanOrEqual(6);
  });

  it('adding instances keeps most of each subset', () => {
    const all = fleet(270);
    const grown = [...all, ...fleet(30, 270)];
    const changed: number[] = [];
    for (let c = 0; c < 300; c++) {
      const before = idsOf(chooseSubset(all, config(30, c, 300)));
      const after = new Set(idsOf(chooseSubset(grown, config(30, c, 300))));
      changed.push(before.filter((id) => !after.has(id)).length);
    }
    expect(changed.reduce((a, b) => a + b, 0) / changed.length / 30).toBeLessThan(0.15);
  });
});

describe('subsetPosition', () => {
  it('is index / count for indexed clients and a hash in [0, 1) otherwise', () => {
    expect(subsetPosition(0, 4)).toBe(0);
    expect(subsetPosition(3, 4)).toBe(0.75);
    const p = subsetPosition('host:1');
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1);
    expect(subsetPosition('host:1')).toBe(p);
    expect(subsetPosition(7)).toBe(subsetPosition('7'));
  });
});
