import { describe, expect, it } from 'vitest';
import { firstCheckDelayMs, intervalFor, nextCheckDelayMs } from './schedule.js';

const fixed = (x: number) => () => x;

describe('health check schedule', () => {
  it.each([
    ['start of the interval', 1_000, 0, 0],
    ['middle', 1_000, 0.5, 500],
    ['just before the end', 1_000, 0.999, 999],
  ])('first check at %s', (_name, interval, r, expected) => {
    expect(firstCheckDelayMs(interval, fixed(r))).toBeCloseTo(expected, 9);
  });

  it.each([
    ['no jitter', 1_000, 0, 0.9, 1_000],
    ['10% jitter, lowest draw', 1_000, 10, 0, 1_000],
    ['10% jitter, half draw', 1_000, 10, 0.5, 1_050],
    ['10% jitter, top draw', 1_000, 10, 0.999, 1_099.9],
    ['100% jitter, half draw', 200, 100, 0.5, 300],
  ])('next check with %s', (_name, interval, jitter, r, expected) => {
    expect(nextCheckDelayMs(interval, jitter, fixed(r))).toBeCloseTo(expected, 9);
  });

  it('zero jitter does not draw randomness', () => {
    let draws = 0;
    nextCheckDelayMs(1_000, 0, () => (draws++, 0.5));
    expect(draws).toBe(0);
  });

  it('healthy and unhealthy instances use their own interval', () => {
    const config = { intervalMs: 5_000, unhealthyIntervalMs: 1_000 };
    expect(intervalFor('healthy', config)).toBe(5_000);
    expect(intervalFor('unhealthy', config)).toBe(1_000);
  });
});
