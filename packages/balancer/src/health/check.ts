import type { LoadReport } from '../load/load-report.js';

/** What a custom health check sees of the instance it probes. */
export interface HealthCheckTarget {
  /** Instance id (its normalised origin). */
  readonly id: string;
  /** Instance origin, e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  /** Parsed `url`. */
  readonly host: string;
  readonly port: number;
  readonly service: string;
}

/**
 * What a passing custom check may resolve with. Any other value (undefined, a fetch `Response`)
 * is a plain pass.
 */
export interface HealthCheckResult {
  /**
   * The load the instance reported with this check, for a service whose strategy takes load
   * reports (`weighted-least-load`; ignored, never read, for any other): a `LoadReport` object
   * (ORCA's fields in camelCase; `cpuUtilization` and `applicationUtilization` are fractions >= 0,
   * `rpsFractional` and `eps` per second), or an `endpoint-load-metrics` header value as the
   * instance sent it (`TEXT cpu_utilization=0.3, rps_fractional=120`, `JSON {...}`). Read as a
   * response's header is and counted in `datapunk.balancer.load_reports`: a bad one (out of
   * range, an unknown field, garbage) is counted `invalid` and ignored, never a failed check.
   */
  readonly loadReport?: LoadReport | string;
}

/**
 * A custom health check: resolve to pass, reject (or throw) to fail. The failure's short reason
 * in events and logs is the error's string `detail` if it has one, else its `code`, else its
 * message (`throw new Error('NOT_SERVING')` reads `NOT_SERVING`). It must stop promptly when
 * `signal` aborts (the check timed out or the balancer is closing). To report the instance's load
 * too, resolve with `{ loadReport }` (`HealthCheckResult`), or fail with
 * `new HealthCheckFailure(detail, { loadReport })`.
 */
export type HealthCheckFunction = (target: HealthCheckTarget, signal: AbortSignal) => Promise<void | HealthCheckResult>;
