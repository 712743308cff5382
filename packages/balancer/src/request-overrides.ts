/**
 * Per-request overrides: what a caller may change for one request without touching the service's
 * options. Each adapter carries them in its client's idiom (axios `config.balancer`, got
 * `context.balancer`, undici's `balancer` dispatch option, a `datapunk-balancer` header for fetch)
 * and hands them to the core as `CallRequest.overrides`; the core validates them here, once per
 * request. An invalid override fails that request before anything is sent, with a
 * `BalancerConfigError` naming the field, delivered as the client's own error.
 */
import { BalancerConfigError } from './errors.js';
import { Issues, readBoolean, readMs, readNumber, readObject, show } from './config/validate.js';

/** What one request may override. Every field is optional; absent means the service's option. */
export interface RequestOverrides {
  /**
   * `false`: no retry for this request (as `maxRetries: 0`). `true`: the service's retry options
   * (the same as leaving it out).
   */
  readonly retry?: boolean;
  /**
   * Retries for this request at most, 0-10, instead of the service's `retry.maxRetries`. The
   * service's retry budget and circuit breakers still apply; the other retry options (statuses,
   * backoff) stay the service's.
   */
  readonly maxRetries?: number;
  /**
   * `true`: treat this request as idempotent whatever its method (a POST with an idempotency
   * key), so it may be retried after it may have been processed, and hedged. `false`: treat it as
   * not idempotent (a GET with side effects): it is retried only when it never left (a refused
   * connection), and never hedged. Default: RFC 9110's idempotent methods.
   */
  readonly idempotent?: boolean;
  /**
   * Deadline of each attempt until the response headers, ms, instead of the service's
   * (`retry.perAttemptTimeoutMs`, else the learned bound). `0` or `false`: no attempt deadline
   * for this request (the caller's own deadline still holds).
   */
  readonly perAttemptTimeoutMs?: number | false;
  /**
   * The key for `ring-hash` and `maglev` (e.g. a user id), instead of what the service's
   * `hashKey` function returns. Ignored by the other strategies.
   */
  readonly hashKey?: string;
  /** `false`: never hedge this request, whatever the service's `hedge` option. `true`: the service's. */
  readonly hedge?: boolean;
}

/** The names `RequestOverrides` knows, in the order they are documented. */
export const OVERRIDE_KEYS: readonly (keyof RequestOverrides)[] = Object.freeze(['retry', 'maxRetries', 'idempotent', 'perAttemptTimeoutMs', 'hashKey', 'hedge']);

/** Longest accepted `hashKey`, characters. */
const MAX_HASH_KEY = 4_096;

/**
 * Validates `value` as `RequestOverrides` (`path` names it in errors, e.g. `balancer`). Returns
 * a frozen copy holding only the fields given, or the error listing every problem.
 */
export function resolveRequestOverrides(value: unknown, path: string): RequestOverrides | BalancerConfigError {
  const issues = new Issues();
  const o = readObject(value, path, issues, OVERRIDE_KEYS as string[]);
  if (o === undefined) return new BalancerConfigError(issues.list);
  const resolved: { -readonly [K in keyof RequestOverrides]: RequestOverrides[K] } = {};
  if (o.retry !== undefined) resolved.retry = readBoolean(o.retry, `${path}.retry`, issues, true);
  if (o.maxRetries !== undefined) {
    resolved.maxRetries = readNumber(o.maxRetries, `${path}.maxRetries`, issues, { min: 0, max: 10, integer: true }, 0);
    if (resolved.retry === false && resolved.maxRetries > 0) issues.add(`${path}.maxRetries`, 'conflicts with retry: false; give one of them');
  }
  if (o.idempotent !== undefined) resolved.idempotent = readBoolean(o.idempotent, `${path}.idempotent`, issues, false);
  if (o.perAttemptTimeoutMs !== undefined) {
    const t = o.perAttemptTimeoutMs;
    if (t === false) resolved.perAttemptTimeoutMs = false;
    else if (typeof t !== 'number') issues.add(`${path}.perAttemptTimeoutMs`, `expected a positive integer (ms), 0 or false, got ${show(t)}`);
    else resolved.perAttemptTimeoutMs = t === 0 ? false : readMs(t, `${path}.perAttemptTimeoutMs`, issues, 0, true);
  }
  if (o.hashKey !== undefined) {
    if (typeof o.hashKey !== 'string' || o.hashKey.length > MAX_HASH_KEY) {
      issues.add(`${path}.hashKey`, `expected a string of at most ${MAX_HASH_KEY} characters, got ${show(o.hashKey)}`);
    } else resolved.hashKey = o.hashKey;
  }
  if (o.hedge !== undefined) resolved.hedge = readBoolean(o.hedge, `${path}.hedge`, issues, true);
  return issues.empty ? Object.freeze(resolved) : new BalancerConfigError(issues.list);
}
