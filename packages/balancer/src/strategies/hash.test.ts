import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Murmur3Prefix, murmur3 } from './hash.js';

/** Reference: the same algorithm over the bytes of `TextEncoder`, written the textbook way. */
function reference(key: string, seed: number): number {
  const data = new TextEncoder().encode(key);
  let h = seed >>> 0;
  const blocks = data.length >>> 2;
  for (let b = 0; b < blocks; b++) {
    const o = b * 4;
    let k = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest === 3) k ^= data[tail + 2]! << 16;
  if (rest >= 2) k ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    k ^= data[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

describe('murmur3', () => {
  it('matches published MurmurHash3_x86_32 vectors', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3('a', 0)).toBe(0x3c2569b2);
    expect(murmur3('abcd', 0x9747b28c)).toBe(0xf0478627);
    expect(murmur3('Hello, world!', 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('hashes UTF-8 bytes, lone surrogates as U+FFFD, like the byte-wise reference', () => {
    for (const s of ['é', '€uro', '日本語のキー', '😀 emoji', 'a\ud800b', '\udc00', 'x\ud83d']) {
      expect(murmur3(s, 7)).toBe(reference(s, 7));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        expect(murmur3(s, seed)).toBe(reference(s, seed));
      }),
    );
  });

  it('spreads similar keys evenly over the 32-bit space', () => {
    const buckets = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) buckets[murmur3(`user-${i}`) >>> 28]! += 1;
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(130); // ~4 sigma
  });

  it('gives different streams for different seeds', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (murmur3(`k${i}`, 0) === murmur3(`k${i}`, 1)) same++;
    expect(same).toBe(0);
  });

  it('hashes a prefix plus a decimal counter like the whole string (Murmur3Prefix)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.nat(), fc.nat({ max: 99 }), (prefix, counter, seed) => {
        expect(new Murmur3Prefix(prefix, seed).hash(counter)).toBe(murmur3(`${prefix}${counter}`, seed));
      }),
    );
    const p = new Murmur3Prefix('http://10.0.0.1:8080_');
    for (const i of [0, 9, 10, 99, 100, 1023, 1_000_000, 2 ** 40]) expect(p.hash(i)).toBe(murmur3(`http://10.0.0.1:8080_${i}`));
  });
});
