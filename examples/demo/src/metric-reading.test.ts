import { describe, expect, it } from 'vitest';
import { bucketQuantile, bucketsDelta, bucketsSum } from './metric-reading.js';

describe('bucketQuantile (histogram_quantile semantics)', () => {
  const b = { boundaries: [0.01, 0.02, 0.05], counts: [10, 10, 0, 0] };
  it.each([
    [0.25, 0.005],
    [0.5, 0.01],
    [0.75, 0.015],
    [1, 0.02],
  ])('q=%s -> %s', (q, expected) => expect(bucketQuantile(b, q)).toBeCloseTo(expected, 9));

  it('is undefined for an empty histogram and caps at the last boundary', () => {
    expect(bucketQuantile({ boundaries: [1], counts: [0, 0] }, 0.5)).toBeUndefined();
    expect(bucketQuantile({ boundaries: [1, 2], counts: [0, 0, 5] }, 0.99)).toBe(2);
  });
});

it('bucketsDelta and bucketsSum work bucket by bucket', () => {
  const later = { boundaries: [1, 2], counts: [5, 7, 1] };
  const earlier = { boundaries: [1, 2], counts: [2, 7, 0] };
  expect(bucketsDelta(later, earlier).counts).toEqual([3, 0, 1]);
  expect(bucketsDelta(later, undefined)).toBe(later);
  expect(bucketsSum([later, earlier])?.counts).toEqual([7, 14, 1]);
  expect(bucketsSum([])).toBeUndefined();
});
