import { describe, expect, it } from 'vitest';
import { bucketOf, bucketUpperMs, LatencyWindow } from './latency-window.js';

describe('bucketOf', () => {
  it.each([0, 0.01, 0.05, 0.2, 1, 7.3, 250, 1_000, 59_000])('%s ms lies within its bucket, at most 5% below its upper bound', (ms) => {
    const i = bucketOf(ms);
    expect(bucketUpperMs(i)).toBeGreaterThanOrEqual(ms);
    if (i > 0) expect(bucketUpperMs(i - 1)).toBeLessThan(ms);
    if (ms > 0.05) expect(bucketUpperMs(i) / ms).toBeLessThanOrEqual(1.05 + 1e-9);
  });

  it('clamps the negative, NaN and the huge to the ends', () => {
    expect(bucketOf(-1)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(bucketOf(1e13));
  });
});

describe('LatencyWindow', () => {
  /** 100 latencies 1..100 ms recorded at `now`. */
  const fill = (w: LatencyWindow, now: number, scale = 1): void => {
    for (let ms = 1; ms <= 100; ms++) w.record(ms * scale, now);
  };

  it.each([
    [0.5, 50],
    [0.9, 90],
    [0.98, 98],
    [0.99, 99],
  ])('the %s quantile of 1..100 ms is %s ms, within a bucket (5%)', (q, expected) => {
    const w = new LatencyWindow(30_000, 3_000, q, 10);
    fill(w, 0);
    const v = w.value(0)!;
    expect(v).toBeGreaterThanOrEqual(expected);
    expect(v).toBeLessThanOrEqual(expected * 1.05);
  });

  it('says nothing until the window holds minSamples', () => {
    const w = new LatencyWindow(30_000, 3_000, 0.98, 500);
    fill(w, 0);
    expect(w.value(0)).toBeUndefined();
    for (let k = 0; k < 4; k++) fill(w, 0);
    expect(w.value(0)).toBeUndefined(); // cached until the next refresh
    expect(w.value(3_000)).toBeGreaterThanOrEqual(98);
  });

  it('recomputes at most once per refreshMs', () => {
    const w = new LatencyWindow(30_000, 3_000, 0.5, 10);
    fill(w, 0);
    const first = w.value(0)!;
    fill(w, 1_000, 10); // 10..1000 ms: the median moves up
    expect(w.value(2_999)).toBe(first);
    expect(w.value(3_000)!).toBeGreaterThan(first);
  });

  it('forgets samples that slid out of the window', () => {
    const w = new LatencyWindow(30_000, 3_000, 0.75, 10);
    fill(w, 0, 100); // 100..10,000 ms
    fill(w, 28_000); // 1..100 ms
    expect(w.value(28_000)!).toBeGreaterThan(4_000);
    // At 30 s the slice of t=0 is gone: only 1..100 ms remain.
    const recent = w.value(31_000)!;
    expect(recent).toBeGreaterThanOrEqual(75);
    expect(recent).toBeLessThanOrEqual(75 * 1.05);
    // Long after, nothing is left.
    expect(w.value(120_000)).toBeUndefined();
  });
});
