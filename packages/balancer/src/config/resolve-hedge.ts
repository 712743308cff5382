/**
 * `hedge`: hedged requests (opt-in). Resolved once: a fixed `delayMs`, or the latency percentile
 * `maxExtraLoad` implies (Finagle's BackupRequestFilter); at most `maxAttempts` at once; a budget.
 */
import type { HedgeConfig } from './config.js';
import type { Issues } from './validate.js';
import { readMs, readNumber, readObject, readPercent } from './validate.js';

export const HEDGE_DEFAULTS = {
  /** p98: a tail of 1% slow requests lies well beyond it (at p99 the delay could settle on the tail itself). */
  maxExtraLoad: 0.02,
  maxAttempts: 2,
  windowMs: 30_000,
  refreshMs: 3_000,
  minDelayMs: 1,
  /** Fixed-delay mode; the percentile mode's default is 1.5 x maxExtraLoad (3% for 0.02). */
  budgetPercent: 3,
  minHedgesPerSecond: 1,
  budgetWindowMs: 10_000,
} as const;

const KEYS = ['delayMs', 'maxExtraLoad', 'maxAttempts', 'minDelayMs', 'windowMs', 'refreshMs', 'budget'];

export function resolveHedge(value: unknown, path: string, issues: Issues): HedgeConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const d = HEDGE_DEFAULTS;
  const o = value === true ? {} : (readObject(value, path, issues, KEYS) ?? {});
  if (o.delayMs !== undefined && o.maxExtraLoad !== undefined) {
    issues.add(path, 'expected either delayMs (a fixed delay) or maxExtraLoad (a latency percentile), not both');
  }
  const delayMs = o.delayMs === undefined ? undefined : readMs(o.delayMs, `${path}.delayMs`, issues, 1, true);
  const maxExtraLoad = delayMs !== undefined ? undefined : readNumber(o.maxExtraLoad, `${path}.maxExtraLoad`, issues, { min: 0, max: 0.5, exclusiveMin: true }, d.maxExtraLoad);
  const windowMs = readNumber(o.windowMs, `${path}.windowMs`, issues, { min: 1_000, max: 600_000, integer: true }, d.windowMs);
  const refreshMs = readNumber(o.refreshMs, `${path}.refreshMs`, issues, { min: 100, max: 600_000, integer: true }, d.refreshMs);
  if (refreshMs > windowMs) issues.add(`${path}.refreshMs`, `expected at most windowMs (${windowMs}), got ${refreshMs}`);

  let budget: HedgeConfig['budget'];
  const defaultPercent = maxExtraLoad === undefined ? d.budgetPercent : Math.min(100, maxExtraLoad * 150);
  if (o.budget === false) budget = undefined;
  else if (o.budget === undefined) budget = { percent: defaultPercent, minRetriesPerSecond: d.minHedgesPerSecond, windowMs: d.budgetWindowMs };
  else {
    const p = `${path}.budget`;
    const b = readObject(o.budget, p, issues, ['percent', 'minHedgesPerSecond', 'windowMs']) ?? {};
    budget = {
      percent: readPercent(b.percent, `${p}.percent`, issues, defaultPercent),
      minRetriesPerSecond: readNumber(b.minHedgesPerSecond, `${p}.minHedgesPerSecond`, issues, { min: 0, max: 1e6 }, d.minHedgesPerSecond),
      windowMs: readNumber(b.windowMs, `${p}.windowMs`, issues, { min: 1_000, max: 600_000, integer: true }, d.budgetWindowMs),
    };
  }
  return {
    delayMs,
    maxExtraLoad,
    maxAttempts: readNumber(o.maxAttempts, `${path}.maxAttempts`, issues, { min: 2, max: 5, integer: true }, d.maxAttempts),
    minDelayMs: readMs(o.minDelayMs, `${path}.minDelayMs`, issues, d.minDelayMs),
    windowMs,
    refreshMs,
    budget,
  };
}
