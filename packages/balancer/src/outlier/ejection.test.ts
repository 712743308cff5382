import { describe, expect, it } from 'vitest';
import { ejectionDurationMs, enforced, mayEject } from './ejection.js';

describe('ejectionDurationMs', () => {
  const zero = () => 0;
  it.each([
    [1, 30_000, 300_000, 30_000],
    [2, 30_000, 300_000, 60_000],
    [5, 30_000, 300_000, 150_000],
    [10, 30_000, 300_000, 300_000],
    [50, 30_000, 300_000, 300_000],
    [0, 30_000, 300_000, 30_000],
  ])('ejection #%i with base %i, max %i is %i ms', (times, base, max, expected) => {
    expect(ejectionDurationMs(times, base, max, 0, zero)).toBe(expected);
  });

  it('adds jitter in [0, jitter) after the cap', () => {
    expect(ejectionDurationMs(20, 30_000, 300_000, 1_000, () => 0.999)).toBe(300_999);
    expect(ejectionDurationMs(1, 30_000, 300_000, 1_000, () => 0.5)).toBe(30_500);
  });
});

describe('mayEject', () => {
  it.each([
    [0, 1, 10, true], // at least one may always be ejected
    [0, 3, 0, true],
    [1, 3, 10, false],
    [1, 20, 10, true], // 5% < 10%
    [2, 20, 10, false], // 10% is not below 10%
    [1, 2, 100, true],
    [2, 2, 100, false],
    [0, 0, 100, false], // nothing to eject
  ])('%i of %i ejected with max %i%% -> %s', (ejected, total, max, expected) => {
    expect(mayEject(ejected, total, max)).toBe(expected);
  });
});

describe('enforced', () => {
  it('0% never enforces, 100% always does, 30% rolls against random', () => {
    expect(enforced(0, () => 0)).toBe(false);
    expect(enforced(100, () => 0.99)).toBe(true);
    expect(enforced(30, () => 0.29)).toBe(true);
    expect(enforced(30, () => 0.3)).toBe(false);
  });
});
