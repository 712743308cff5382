import { describe, expect, it } from 'vitest';
import { LoadWeight, MAX_RATIO, MIN_RATIO, recordReport, reportWeight, schedulerWeights, usableWeight } from './load-weight.js';

const RULES = { blackoutPeriodMs: 10_000, weightExpirationPeriodMs: 180_000, errorUtilizationPenalty: 1 };

describe('reportWeight (gRFC A58: qps / (utilization + eps / qps x penalty))', () => {
  it.each([
    ['cpu only', { cpuUtilization: 0.5, rpsFractional: 100 }, 1, 200],
    ['application utilization takes the place of cpu', { cpuUtilization: 0.9, applicationUtilization: 0.3, rpsFractional: 90 }, 1, 300],
    ['application utilization 0 falls back to cpu', { cpuUtilization: 0.9, applicationUtilization: 0, rpsFractional: 90 }, 1, 100],
    ['errors add eps / qps x penalty', { cpuUtilization: 0.5, rpsFractional: 100, eps: 50 }, 1, 100],
    ['a penalty of 2 doubles that', { cpuUtilization: 0.5, rpsFractional: 100, eps: 50 }, 2, 200 / 3],
    ['a penalty of 0 ignores errors', { cpuUtilization: 0.5, rpsFractional: 100, eps: 50 }, 0, 200],
    ['no qps gives none', { cpuUtilization: 0.5 }, 1, 0],
    ['qps 0 gives none', { cpuUtilization: 0.5, rpsFractional: 0 }, 1, 0],
    ['no utilization gives none', { rpsFractional: 100 }, 1, 0],
    ['memory alone gives none', { memUtilization: 0.5, rpsFractional: 100 }, 1, 0],
  ])('%s', (_name, report, penalty, expected) => {
    expect(reportWeight(report, penalty)).toBeCloseTo(expected, 9);
  });
});

describe('blackout and expiry', () => {
  it('a weight is usable from blackoutPeriodMs after the first report until weightExpirationPeriodMs after the last', () => {
    const s = new LoadWeight();
    expect(usableWeight(s, 0, RULES)).toBe(0);
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 1_000, RULES);
    expect(usableWeight(s, 10_999, RULES)).toBe(0);
    expect(usableWeight(s, 11_000, RULES)).toBe(200);
    recordReport(s, { cpuUtilization: 0.25, rpsFractional: 100 }, 20_000, RULES);
    expect(usableWeight(s, 20_000, RULES)).toBe(400); // the run continues: no new blackout
    expect(usableWeight(s, 199_999, RULES)).toBe(400);
    expect(usableWeight(s, 200_000, RULES)).toBe(0);
  });

  it('after an expired gap the next report starts a new blackout', () => {
    const s = new LoadWeight();
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 0, RULES);
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 180_000, RULES);
    expect(usableWeight(s, 180_000, RULES)).toBe(0);
    expect(usableWeight(s, 190_000, RULES)).toBe(200);
  });

  it('a report without a weight neither starts a run nor refreshes one', () => {
    const s = new LoadWeight();
    recordReport(s, { cpuUtilization: 0.5 }, 0, RULES);
    expect(Number.isNaN(s.since)).toBe(true);
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 0, RULES);
    recordReport(s, { cpuUtilization: 0, rpsFractional: 100 }, 170_000, RULES);
    expect(usableWeight(s, 180_000, RULES)).toBe(0); // expired: the empty report did not count
  });

  it('restart() makes the blackout apply again from the next report', () => {
    const s = new LoadWeight();
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 0, RULES);
    expect(usableWeight(s, 10_000, RULES)).toBe(200);
    s.restart();
    expect(usableWeight(s, 10_000, RULES)).toBe(0);
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 11_000, RULES);
    expect(usableWeight(s, 20_999, RULES)).toBe(0);
    expect(usableWeight(s, 21_000, RULES)).toBe(200);
  });

  it('blackoutPeriodMs 0 uses the first report at once', () => {
    const s = new LoadWeight();
    recordReport(s, { cpuUtilization: 0.5, rpsFractional: 100 }, 5, { ...RULES, blackoutPeriodMs: 0 });
    expect(usableWeight(s, 5, { ...RULES, blackoutPeriodMs: 0 })).toBe(200);
  });
});

describe('schedulerWeights', () => {
  it('unknown weights get the mean of the known ones; returns how many were known', () => {
    const w = Float64Array.from([1, 0, 3, 0]);
    expect(schedulerWeights(w)).toBe(2);
    expect([...w]).toEqual([1, 2, 3, 2]);
  });

  it('clamps known weights to [1%, 10x] of their mean', () => {
    // A max above 10x the mean needs more than 10 weights.
    const w = Float64Array.from([...Array.from({ length: 10 }, () => 10_000), 1, 1e6]);
    const mean = (100_000 + 1 + 1e6) / 12;
    schedulerWeights(w);
    expect([...w]).toEqual([...Array.from({ length: 10 }, () => 10_000), mean * MIN_RATIO, mean * MAX_RATIO]);
  });

  it('with none known, leaves them and returns 0', () => {
    const w = new Float64Array(3);
    expect(schedulerWeights(w)).toBe(0);
    expect([...w]).toEqual([0, 0, 0]);
  });
});
