/**
 * Per-request overrides for axios: a `balancer` field in the request config, typed by augmenting
 * axios's `AxiosRequestConfig`:
 *
 *   await client.post('http://orders/orders', body, { balancer: { idempotent: true, maxRetries: 2 } });
 *
 * axios merges the field like any other config field (instance defaults, then the request's), and
 * the adapter hands it to the core as is; the core validates it (an unknown key or a wrong type
 * fails the request with an `AxiosError` whose code is `ERR_BALANCER_CONFIG`).
 */
import type { RequestOverrides } from '@datapunk/balancer';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Per-request overrides of the balanced service's options (see `RequestOverrides`). */
    balancer?: RequestOverrides;
  }
}

/** What the overrides are called in errors. */
export const OVERRIDES_FIELD = 'config.balancer';
