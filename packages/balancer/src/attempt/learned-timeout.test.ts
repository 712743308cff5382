import { describe, expect, it } from 'vitest';
import { LEARNED_TIMEOUT_DEFAULTS } from '../config/resolve-deadline.js';
import { LearnedTimeout, learnedBoundMs } from './learned-timeout.js';

const D = LEARNED_TIMEOUT_DEFAULTS;
const sorted = (values: number[]) => Float64Array.from(values).sort();
const repeat = (n: number, ms: number) => Array.from({ length: n }, () => ms);

describe('learnedBoundMs', () => {
  it.each([
    ['fewer samples than minSamples: the initial bound', repeat(99, 5), D.initialMs],
    ['fast service: the floor', repeat(100, 20), D.minMs],
    ['p99 400 ms x 3', [...repeat(98, 10), 400, 400], 1_200],
    ['p99 is the nearest rank: one slow sample of 100 is the 100th', [...repeat(99, 10), 900], D.minMs],
    ['two slow samples of 100 reach p99', [...repeat(98, 10), 900, 900], 2_700],
    ['slow service: the ceiling', repeat(200, 5_000), D.maxMs],
  ])('%s', (_name, samples, expected) => {
    expect(learnedBoundMs(sorted(samples), D)).toBe(expected);
  });

  it('follows percentile, factor, floor and ceiling as configured', () => {
    const samples = sorted([...repeat(90, 10), ...repeat(10, 100)]);
    expect(learnedBoundMs(samples, { ...D, percentile: 90, factor: 2, minMs: 1 })).toBe(20);
    expect(learnedBoundMs(samples, { ...D, percentile: 91, factor: 2, minMs: 1 })).toBe(200);
    expect(learnedBoundMs(samples, { ...D, percentile: 91, factor: 2, minMs: 1, maxMs: 150 })).toBe(150);
  });
});

describe('LearnedTimeout', () => {
  it('keeps the initial bound until minSamples, then learns at the next refresh', () => {
    const t = new LearnedTimeout(D);
    expect(t.boundMs(0)).toBe(D.initialMs);
    for (let i = 0; i < D.minSamples - 1; i++) t.record(15);
    expect(t.boundMs(0)).toBe(D.initialMs); // refreshed with 99 samples
    t.record(15);
    expect(t.boundMs(D.refreshMs - 1)).toBe(D.initialMs); // 100 now, but not refreshed yet
    expect(t.boundMs(D.refreshMs)).toBe(D.minMs);
  });

  it('recomputes at most every refreshMs', () => {
    const t = new LearnedTimeout(D);
    t.record(15);
    expect(t.boundMs(0)).toBe(D.initialMs); // refreshed with 1 sample: initial
    for (let i = 0; i < 150; i++) t.record(15);
    expect(t.boundMs(999)).toBe(D.initialMs);
    expect(t.boundMs(1_000)).toBe(D.minMs);
  });

  it('forgets samples older than the window', () => {
    const t = new LearnedTimeout({ ...D, minMs: 1 });
    for (let i = 0; i < D.windowSize; i++) t.record(2_000);
    expect(t.boundMs(0)).toBe(6_000);
    for (let i = 0; i < D.windowSize; i++) t.record(10);
    expect(t.boundMs(1_000)).toBe(30);
  });

  it('a whole service slower than the bound raises it: attempts cut short count at the bound', () => {
    const t = new LearnedTimeout(D);
    for (let i = 0; i < D.windowSize; i++) t.record(20);
    let now = 0;
    expect(t.boundMs(now)).toBe(1_000);
    // Every attempt now takes 2.5 s; each is cut short at the current bound and recorded there.
    const bounds: number[] = [];
    for (let step = 0; step < 4; step++) {
      now += 1_000;
      const bound = t.boundMs(now);
      bounds.push(bound);
      for (let i = 0; i < 50; i++) t.record(Math.min(bound, 2_500));
    }
    expect(bounds).toEqual([1_000, 3_000, 7_500, 7_500]);
  });
});
