/**
 * axios-retry around the balancer: it re-sends a failed request through the instance again, and
 * each of its tries is a new request for the balancer, which retries too, so the two layers
 * multiply attempts ((1 + its retries) x (1 + the balancer's)). It works, and is said once in
 * the log; the README recommends one layer (the balancer's). axios-retry keeps its state on the
 * request config under `'axios-retry'`, which is how it is recognised.
 */
import type { Balancer } from '@datapunk/balancer';
import type { InternalAxiosRequestConfig } from 'axios';

const warned = new WeakSet<Balancer>();

/** Logs once per balancer when `config` comes through axios-retry. */
export function noticeOuterRetry(config: InternalAxiosRequestConfig, balancer: Balancer): void {
  if (warned.has(balancer) || !('axios-retry' in config)) return;
  warned.add(balancer);
  balancer.logger.warn(
    { event: 'stacked-retry', layer: 'axios-retry' },
    'axios-retry wraps the balancer, which retries too: attempts multiply. Keep one layer: remove axios-retry, or set the service\'s retry.maxRetries to 0',
  );
}
