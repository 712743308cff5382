import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sortByKey } from './radix-sort.js';

describe('sortByKey', () => {
  it('sorts keys like a stable comparison sort, carrying values along (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat({ max: 5 }), fc.nat({ max: 0xffffffff }), fc.constant(0x10000))), (raw) => {
        const keys = Uint32Array.from(raw);
        const values = Uint32Array.from(raw, (_, i) => i);
        const expected = raw.map((key, i) => ({ key, i })).sort((a, b) => a.key - b.key || a.i - b.i);
        sortByKey(keys, values);
        expect([...keys]).toEqual(expected.map((p) => p.key));
        expect([...values]).toEqual(expected.map((p) => p.i));
      }),
    );
  });
});
