import type { LimitsConfig } from './config.js';
import type { Issues } from './validate.js';
import { readNumber, readObject } from './validate.js';

/** Envoy's circuit breaker defaults (max_requests, max_pending_requests 1,024; max_retries 3). */
export const LIMITS_DEFAULTS: LimitsConfig = Object.freeze({
  maxRequests: 1_024,
  maxPendingRequests: 1_024,
  maxRetries: 3,
  maxRequestsPerInstance: Infinity,
});

const COUNT = { min: 1, max: 1e9, integer: true };

export function resolveLimits(value: unknown, path: string, issues: Issues): LimitsConfig | undefined {
  if (value === false) return undefined;
  const d = LIMITS_DEFAULTS;
  if (value === undefined) return d;
  const o = readObject(value, path, issues, ['maxRequests', 'maxPendingRequests', 'maxRetries', 'maxRequestsPerInstance']) ?? {};
  return Object.freeze({
    maxRequests: readNumber(o.maxRequests, `${path}.maxRequests`, issues, COUNT, d.maxRequests),
    maxPendingRequests: readNumber(o.maxPendingRequests, `${path}.maxPendingRequests`, issues, COUNT, d.maxPendingRequests),
    maxRetries: readNumber(o.maxRetries, `${path}.maxRetries`, issues, { ...COUNT, min: 0 }, d.maxRetries),
    maxRequestsPerInstance: readNumber(o.maxRequestsPerInstance, `${path}.maxRequestsPerInstance`, issues, COUNT, d.maxRequestsPerInstance),
  });
}
