/**
 * A second retry layer around the balancer: undici's `interceptors.retry` (or `RetryAgent`)
 * composed outside `balancerInterceptor` hands each of its tries to the balancer as a new
 * request, so the two layers multiply attempts ((1 + its retries) x (1 + the balancer's)). It
 * works, and is said once in the log; the README recommends one layer (the balancer's).
 * Inside the balancer (listed before it in `compose`) undici's retry repeats each attempt on
 * the same instance; that cannot be seen from here.
 */
import type { Balancer } from '@datapunk/balancer';

const warned = new WeakSet<Balancer>();

/** True for undici's `RetryHandler` (duck-typed: undici 7 and 8 share the shape). */
export function isRetryHandler(handler: unknown): boolean {
  if (typeof handler !== 'object' || handler === null) return false;
  const h = handler as { retryOpts?: unknown; retry?: unknown };
  return typeof h.retryOpts === 'object' && h.retryOpts !== null && typeof h.retry === 'function';
}

/** Logs once per balancer that undici's retry wraps the balancer. */
export function warnOuterRetry(balancer: Balancer): void {
  if (warned.has(balancer)) return;
  warned.add(balancer);
  balancer.logger.warn(
    { event: 'stacked-retry', layer: 'undici interceptors.retry' },
    "undici's retry interceptor wraps the balancer, which retries too: attempts multiply. Keep one layer: drop interceptors.retry, or set the service's retry.maxRetries to 0",
  );
}
