import { describe, expect, it } from 'vitest';
import { RetryBudget } from './budget.js';

describe('RetryBudget', () => {
  it('allows percent of requests plus the minimum rate, then refuses', () => {
    let now = 0;
    const budget = new RetryBudget({ percent: 20, minRetriesPerSecond: 0, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 100; i++) budget.deposit();
    let granted = 0;
    for (let i = 0; i < 100; i++) if (budget.tryWithdraw()) granted++;
    expect(granted).toBe(20);
    now = 5_000;
    expect(budget.tryWithdraw()).toBe(false);
  });

  it('the minimum rate lets low-traffic callers retry', () => {
    const budget = new RetryBudget({ percent: 20, minRetriesPerSecond: 1, windowMs: 10_000 }, () => 0);
    budget.deposit();
    let granted = 0;
    for (let i = 0; i < 50; i++) if (budget.tryWithdraw()) granted++;
    expect(granted).toBe(10); // 0.2 of 1 request + 1/s x 10 s, rounded down
  });

  it('old requests and retries slide out of the window', () => {
    let now = 0;
    const budget = new RetryBudget({ percent: 50, minRetriesPerSecond: 0, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 10; i++) budget.deposit();
    for (let i = 0; i < 5; i++) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    now = 10_500; // the first bucket slid out
    expect(budget.state()).toEqual({ requests: 0, retries: 0, allowed: 0 });
    budget.deposit();
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
  });

  it('survives long idle gaps (more than a window)', () => {
    let now = 0;
    const budget = new RetryBudget({ percent: 100, minRetriesPerSecond: 0, windowMs: 1_000 }, () => now);
    budget.deposit();
    now = 1_000_000;
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
  });
});
