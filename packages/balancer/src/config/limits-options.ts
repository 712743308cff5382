/**
 * Circuit breakers of a service (`services.<name>.limits`), Envoy's per-cluster thresholds: how
 * many attempts may be in flight at once. Over a service limit a new request fails at once with
 * `ERR_CIRCUIT_OPEN` (nothing is sent); an instance at `maxRequestsPerInstance` is skipped by the
 * picker. The defaults are Envoy's and never bite a normal workload: they bound the pile-up when
 * a service slows down.
 */
export interface LimitsOptions {
  /** Attempts in flight at once (from the pick until the response body ends). Default 1,024. */
  readonly maxRequests?: number;
  /** Attempts waiting for their response headers at once. Default 1,024. */
  readonly maxPendingRequests?: number;
  /**
   * Retries in flight at once; a retry decided while this many are in flight is not made (the
   * caller gets the last response or error). 0 allows none. Default 3 (Envoy).
   */
  readonly maxRetries?: number;
  /** Attempts in flight at once on one instance; one at its limit is skipped. Default: no limit. */
  readonly maxRequestsPerInstance?: number;
}
