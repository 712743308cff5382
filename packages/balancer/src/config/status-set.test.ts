import { describe, expect, it } from 'vitest';
import { StatusSet } from './status-set.js';

describe('StatusSet', () => {
  it('answers has() like the Set of its statuses, for every status and for values that are not statuses', () => {
    const statuses = [429, 502, 503, 504];
    const set = new StatusSet(statuses);
    const plain = new Set(statuses);
    for (let s = -1; s <= 700; s++) expect(set.has(s)).toBe(plain.has(s));
    for (const odd of [502.5, NaN, Infinity, -Infinity, 1e9]) expect(set.has(odd)).toBe(false);
    expect([...set]).toEqual(statuses);
    expect(set.size).toBe(4);
  });

  it('cannot be changed once built (its lookup table would no longer match)', () => {
    const set = new StatusSet([503]);
    expect(() => set.add(500)).toThrow(TypeError);
    expect(() => set.delete(503)).toThrow(TypeError);
    expect(() => set.clear()).toThrow(TypeError);
    expect(set.has(503)).toBe(true);
  });
});
