import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

describe('backoffMs', () => {
  it.each([
    // failures, random, expected: ceiling = min(max, base * 2^(failures-1)); ceiling/2 + random*ceiling/2
    [1, 0, 50],
    [1, 0.999_999, 99.999_95],
    [2, 0, 100],
    [3, 0.5, 300],
    [6, 0, 500], // capped at maxMs = 1000
    [60, 1, 1000], // exponent clamped, no overflow
  ])('failures=%d random=%d -> %d ms (base 100, max 1000)', (failures, random, expected) => {
    expect(backoffMs(failures, 100, 1_000, () => random)).toBeCloseTo(expected, 3);
  });

  it('zero base means no delay', () => {
    expect(backoffMs(5, 0, 1_000, () => 0.7)).toBe(0);
  });

  it('spreads clients: the same failure count gives delays across half the ceiling to the ceiling', () => {
    const delays = Array.from({ length: 11 }, (_, i) => backoffMs(3, 100, 10_000, () => i / 10));
    expect(Math.min(...delays)).toBe(200);
    expect(Math.max(...delays)).toBe(400);
  });
});
