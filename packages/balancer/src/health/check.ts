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
 * A custom health check: resolve to pass, reject (or throw) to fail. The failure's short reason
 * in events and logs is the error's string `detail` if it has one, else its `code`, else its
 * message (`throw new Error('NOT_SERVING')` reads `NOT_SERVING`). It must stop promptly when
 * `signal` aborts (the check timed out or the balancer is closing).
 */
export type HealthCheckFunction = (target: HealthCheckTarget, signal: AbortSignal) => Promise<void>;
