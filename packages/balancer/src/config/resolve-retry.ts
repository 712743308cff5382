import type { RetryConfig } from './config.js';
import { resolveAttemptDeadline } from './resolve-deadline.js';
import type { Issues } from './validate.js';
import { readBoolean, readMs, readNumber, readObject, readPercent, show } from './validate.js';
import { StatusSet } from './status-set.js';

export const RETRY_DEFAULTS = {
  maxRetries: 1,
  retryOnStatuses: [502, 503, 504],
  retryNonIdempotent: false,
  backoffBaseMs: 25,
  backoffMaxMs: 250,
  retryAfterMaxMs: 1_000,
  bufferBodyBytes: 65_536,
  budget: { percent: 20, minRetriesPerSecond: 10, windowMs: 10_000 },
} as const;

const OFF: Omit<RetryConfig, 'maxRetries'> = {
  retryOnStatuses: new StatusSet(),
  retryNonIdempotent: false,
  backoffBaseMs: 0,
  backoffMaxMs: 0,
  retryAfterMaxMs: 0,
  perAttemptTimeoutMs: undefined,
  learnedTimeout: undefined,
  bufferBodyBytes: 0,
  budget: undefined,
};

export function resolveRetry(value: unknown, path: string, issues: Issues): RetryConfig {
  if (value === false) return { ...OFF, maxRetries: 0 };
  const d = RETRY_DEFAULTS;
  const o =
    value === undefined
      ? {}
      : readObject(value, path, issues, [
          'maxRetries',
          'retryOnStatuses',
          'retryNonIdempotent',
          'backoffBaseMs',
          'backoffMaxMs',
          'retryAfterMaxMs',
          'perAttemptTimeoutMs',
          'learnedTimeout',
          'bufferBodyBytes',
          'budget',
        ]) ?? {};

  let statuses: number[] = [...d.retryOnStatuses];
  if (o.retryOnStatuses !== undefined) {
    if (!Array.isArray(o.retryOnStatuses)) {
      issues.add(`${path}.retryOnStatuses`, `expected an array of HTTP statuses, got ${show(o.retryOnStatuses)}`);
    } else {
      statuses = [];
      o.retryOnStatuses.forEach((s: unknown, i) => {
        if (typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 599) statuses.push(s);
        else issues.add(`${path}.retryOnStatuses[${i}]`, `expected an HTTP status from 100 to 599, got ${show(s)}`);
      });
    }
  }

  const backoffBaseMs = readMs(o.backoffBaseMs, `${path}.backoffBaseMs`, issues, d.backoffBaseMs);
  const backoffMaxMs = readMs(o.backoffMaxMs, `${path}.backoffMaxMs`, issues, Math.max(d.backoffMaxMs, backoffBaseMs));
  if (backoffMaxMs < backoffBaseMs) {
    issues.add(`${path}.backoffMaxMs`, `expected at least backoffBaseMs (${backoffBaseMs}), got ${backoffMaxMs}`);
  }

  let budget: RetryConfig['budget'] = d.budget;
  if (o.budget === false) budget = undefined;
  else if (o.budget !== undefined) {
    const p = `${path}.budget`;
    const b = readObject(o.budget, p, issues, ['percent', 'minRetriesPerSecond', 'windowMs']) ?? {};
    budget = {
      percent: readPercent(b.percent, `${p}.percent`, issues, d.budget.percent),
      minRetriesPerSecond: readNumber(b.minRetriesPerSecond, `${p}.minRetriesPerSecond`, issues, { min: 0, max: 1e6 }, d.budget.minRetriesPerSecond),
      windowMs: readNumber(b.windowMs, `${p}.windowMs`, issues, { min: 1_000, max: 600_000, integer: true }, d.budget.windowMs),
    };
  }

  return {
    maxRetries: readNumber(o.maxRetries, `${path}.maxRetries`, issues, { min: 0, max: 10, integer: true }, d.maxRetries),
    retryOnStatuses: new StatusSet(statuses),
    retryNonIdempotent: readBoolean(o.retryNonIdempotent, `${path}.retryNonIdempotent`, issues, d.retryNonIdempotent),
    backoffBaseMs,
    backoffMaxMs,
    retryAfterMaxMs: readMs(o.retryAfterMaxMs, `${path}.retryAfterMaxMs`, issues, d.retryAfterMaxMs),
    ...resolveAttemptDeadline(o.perAttemptTimeoutMs, o.learnedTimeout, path, issues),
    bufferBodyBytes: readNumber(o.bufferBodyBytes, `${path}.bufferBodyBytes`, issues, { min: 0, max: 64 * 1024 * 1024, integer: true }, d.bufferBodyBytes),
    budget,
  };
}

