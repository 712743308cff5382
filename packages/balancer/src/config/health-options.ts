import type { HealthCheckFunction } from '../health/check.js';

/** Active health checks of a service's instances (`services.<name>.healthCheck`). */
export interface HealthCheckOptions {
  /** Path probed with HTTP. Default '/health'. Ignored when `check` is given. */
  readonly path?: string;
  /** HTTP method. Default 'GET'. */
  readonly method?: string;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses that pass, as numbers or [from, to] ranges. Default [[200, 299]]. */
  readonly expectedStatuses?: readonly (number | readonly [number, number])[];
  /** Interval between checks of a healthy instance, ms. Default 5,000. */
  readonly intervalMs?: number;
  /** Interval between checks of an unhealthy instance, ms. Default: `intervalMs`. */
  readonly unhealthyIntervalMs?: number;
  /** Per-check timeout, ms (aborts the probe). Default 1,000. */
  readonly timeoutMs?: number;
  /** Random jitter added to each interval, as a percentage of it (0-100). Default 10. */
  readonly jitterPercent?: number;
  /** Failed checks in a row that mark an instance unhealthy. Default 3 (HAProxy's fall). */
  readonly unhealthyThreshold?: number;
  /** Passed checks in a row that mark it healthy again. Default 2 (HAProxy's rise). */
  readonly healthyThreshold?: number;
  /** Response body bytes read before it is discarded. Default 65,536. */
  readonly maxBodyBytes?: number;
  /** Checks in flight at once per service. Default 16. */
  readonly maxConcurrent?: number;
  /** A passing check ends an outlier ejection. Default true. */
  readonly unejectOnPass?: boolean;
  /** State of a newly discovered instance until its first check. Default 'healthy'. */
  readonly initialState?: 'healthy' | 'unhealthy';
  /**
   * A custom check instead of HTTP: resolve to pass, reject to fail; honour `signal`. Resolve with
   * `{ loadReport }` to report the instance's load too (`HealthCheckResult`), for a service whose
   * strategy takes load reports. The default HTTP check reads the probe response's ORCA
   * `endpoint-load-metrics` header for such a service.
   */
  readonly check?: HealthCheckFunction;
}
