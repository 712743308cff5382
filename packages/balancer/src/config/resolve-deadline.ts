/**
 * The attempt deadline of a service's calls (`retry.perAttemptTimeoutMs`, `retry.learnedTimeout`):
 * a configured number wins; `0` or `false` turns it off; absent, it is learned from the service's
 * latency (`attempt/learned-timeout.ts`) with these defaults.
 */
import type { LearnedTimeoutConfig } from './config.js';
import type { Issues } from './validate.js';
import { readMs, readNumber, readObject, show } from './validate.js';

export const LEARNED_TIMEOUT_DEFAULTS: LearnedTimeoutConfig = Object.freeze({
  percentile: 99,
  factor: 3,
  minMs: 1_000,
  maxMs: 10_000,
  initialMs: 10_000,
  minSamples: 100,
  windowSize: 1_000,
  refreshMs: 1_000,
});

const LEARNED_KEYS = ['percentile', 'factor', 'minMs', 'maxMs', 'initialMs', 'minSamples'];

/** Resolves `retry.perAttemptTimeoutMs` and `retry.learnedTimeout` (`path` is the retry section's). */
export function resolveAttemptDeadline(
  fixed: unknown,
  learned: unknown,
  path: string,
  issues: Issues,
): { perAttemptTimeoutMs: number | undefined; learnedTimeout: LearnedTimeoutConfig | undefined } {
  if (fixed !== undefined) {
    if (learned !== undefined) {
      issues.add(`${path}.learnedTimeout`, 'applies only when perAttemptTimeoutMs is not configured; remove one of them');
    }
    if (fixed === false || fixed === 0) return { perAttemptTimeoutMs: undefined, learnedTimeout: undefined };
    if (typeof fixed !== 'number') {
      issues.add(`${path}.perAttemptTimeoutMs`, `expected a positive integer (ms), 0 or false, got ${show(fixed)}`);
      return { perAttemptTimeoutMs: undefined, learnedTimeout: undefined };
    }
    return { perAttemptTimeoutMs: readMs(fixed, `${path}.perAttemptTimeoutMs`, issues, 1, true), learnedTimeout: undefined };
  }
  return { perAttemptTimeoutMs: undefined, learnedTimeout: resolveLearnedTimeout(learned, `${path}.learnedTimeout`, issues) };
}

function resolveLearnedTimeout(value: unknown, path: string, issues: Issues): LearnedTimeoutConfig {
  const d = LEARNED_TIMEOUT_DEFAULTS;
  if (value === undefined) return d;
  const o = readObject(value, path, issues, LEARNED_KEYS) ?? {};
  const minMs = readMs(o.minMs, `${path}.minMs`, issues, d.minMs, true);
  const maxMs = readMs(o.maxMs, `${path}.maxMs`, issues, Math.max(d.maxMs, minMs), true);
  if (maxMs < minMs) issues.add(`${path}.maxMs`, `expected at least minMs (${minMs}), got ${maxMs}`);
  return Object.freeze({
    percentile: readNumber(o.percentile, `${path}.percentile`, issues, { min: 50, max: 100 }, d.percentile),
    factor: readNumber(o.factor, `${path}.factor`, issues, { min: 1, max: 100 }, d.factor),
    minMs,
    maxMs,
    initialMs: readMs(o.initialMs, `${path}.initialMs`, issues, Math.min(maxMs, Math.max(minMs, d.initialMs)), true),
    minSamples: readNumber(o.minSamples, `${path}.minSamples`, issues, { min: 1, max: d.windowSize, integer: true }, d.minSamples),
    windowSize: d.windowSize,
    refreshMs: d.refreshMs,
  });
}
