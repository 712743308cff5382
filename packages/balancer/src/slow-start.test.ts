import { describe, expect, it } from 'vitest';
import { slowStartFactor } from './slow-start.js';

describe('slowStartFactor', () => {
  it.each([
    // elapsed, window, aggression, minWeight, expected
    [0, 10_000, 1, 0.1, 0.1],
    [500, 10_000, 1, 0.1, 0.1],
    [2_500, 10_000, 1, 0.1, 0.25],
    [5_000, 10_000, 1, 0.1, 0.5],
    [9_999, 10_000, 1, 0.1, 0.9999],
    [10_000, 10_000, 1, 0.1, 1],
    [20_000, 10_000, 1, 0.1, 1],
    [2_500, 10_000, 2, 0.1, 0.5], // sqrt: more aggressive early
    [2_500, 10_000, 0.5, 0.01, 0.0625], // squared: gentler early
    [123, 0, 1, 0.1, 1], // window 0 = off
  ])('elapsed %i of %i ms, aggression %f, min %f -> %f', (elapsed, window, aggression, min, expected) => {
    expect(slowStartFactor(elapsed, window, aggression, min)).toBeCloseTo(expected, 6);
  });
});
