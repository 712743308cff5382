import { describe, expect, it } from 'vitest';
import { BalancerConfigError } from '../errors.js';
import { resolveBalancerConfig } from './resolve.js';

const svc = (hedge: unknown) => ({ services: { orders: { instances: ['http://127.0.0.1:8081'], hedge } } });
const hedgeOf = (hedge: unknown) => resolveBalancerConfig(svc(hedge)).services.get('orders')!.hedge;

const BAD: [string, unknown, string, string][] = [
  ['not an object', 5, 'services.orders.hedge', 'expected an object'],
  ['both modes', { delayMs: 10, maxExtraLoad: 0.01 }, 'services.orders.hedge', 'not both'],
  ['delayMs 0', { delayMs: 0 }, 'services.orders.hedge.delayMs', 'got 0'],
  ['maxExtraLoad 0', { maxExtraLoad: 0 }, 'services.orders.hedge.maxExtraLoad', 'got 0'],
  ['maxExtraLoad over 0.5', { maxExtraLoad: 0.6 }, 'services.orders.hedge.maxExtraLoad', 'got 0.6'],
  ['maxAttempts 1', { maxAttempts: 1 }, 'services.orders.hedge.maxAttempts', 'got 1'],
  ['maxAttempts 6', { maxAttempts: 6 }, 'services.orders.hedge.maxAttempts', 'got 6'],
  ['refresh beyond the window', { windowMs: 10_000, refreshMs: 20_000 }, 'services.orders.hedge.refreshMs', 'at most windowMs'],
  ['unknown key', { delay: 10 }, 'services.orders.hedge.delay', 'unknown option'],
  ['budget unknown key', { budget: { minRetriesPerSecond: 1 } }, 'services.orders.hedge.budget.minRetriesPerSecond', 'unknown option'],
  ['budget percent over 100', { budget: { percent: 101 } }, 'services.orders.hedge.budget.percent', 'got 101'],
];

describe('hedge options reject bad values, naming the field', () => {
  it.each(BAD)('%s', (_name, hedge, path, text) => {
    let error: unknown;
    try {
      resolveBalancerConfig(svc(hedge));
    } catch (e) {
      error = e;
    }
    expect(error instanceof BalancerConfigError).toBe(true);
    const issue = (error as BalancerConfigError).issues.find((i) => i.path === path);
    expect(issue, `issues were: ${JSON.stringify((error as BalancerConfigError).issues)}`).toBeDefined();
    expect(issue!.message).toContain(text);
  });
});

describe('hedge options resolve', () => {
  it('are off by default and with false', () => {
    expect(hedgeOf(undefined)).toBeUndefined();
    expect(hedgeOf(false)).toBeUndefined();
  });

  it('true is the percentile mode: p98, two attempts, a 3% budget with 1 hedge/s', () => {
    expect(hedgeOf(true)).toEqual({
      delayMs: undefined,
      maxExtraLoad: 0.02,
      maxAttempts: 2,
      minDelayMs: 1,
      windowMs: 30_000,
      refreshMs: 3_000,
      budget: { percent: 3, minRetriesPerSecond: 1, windowMs: 10_000 },
    });
  });

  it('the budget follows maxExtraLoad (1.5x) unless given; false turns it off; zero means zero', () => {
    expect(hedgeOf({ maxExtraLoad: 0.1 })!.budget!.percent).toBeCloseTo(15);
    expect(hedgeOf({ delayMs: 20 })).toMatchObject({ delayMs: 20, maxExtraLoad: undefined, budget: { percent: 3 } });
    expect(hedgeOf({ budget: false })!.budget).toBeUndefined();
    expect(hedgeOf({ budget: { percent: 0, minHedgesPerSecond: 0 } })!.budget).toEqual({ percent: 0, minRetriesPerSecond: 0, windowMs: 10_000 });
  });
});
