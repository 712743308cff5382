import { describe, expect, it } from 'vitest';
import { fullJitterBackoffMs, parseRetryAfterMs } from './backoff.js';

describe('fullJitterBackoffMs', () => {
  it.each([
    [1, 25, 250, 0.999999, 25],
    [2, 25, 250, 0.999999, 50],
    [3, 25, 250, 0.999999, 100],
    [4, 25, 250, 0.999999, 200],
    [5, 25, 250, 0.999999, 250],
    [9, 25, 250, 0.999999, 250],
    [3, 25, 250, 0, 0],
    [3, 25, 250, 0.5, 50],
    [1, 0, 0, 0.9, 0],
  ])('retry %i, base %i, max %i, random %f -> %i ms', (retry, base, max, r, expected) => {
    expect(fullJitterBackoffMs(retry, base, max, () => r)).toBe(expected);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['120', 120_000],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['', undefined],
  ])('%j -> %s', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
  it('absent header -> undefined', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });
});
