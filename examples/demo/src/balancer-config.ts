/**
 * The one balancer every client shares. Timings scale with the run so that a short CI run still
 * shows ejections and recoveries; at the default 30 s: health checks every second, ejections of
 * 2.5 s (x times ejected), 300 ms per attempt, reported weights used after 2 s of reports.
 */
import type { BalancerOptions, Logger, ServiceOptions, StrategyName } from '@datapunk/balancer';
import { weightedLeastLoad } from '@datapunk/balancer/strategies';
import type { MeterProvider } from '@opentelemetry/api';

export interface DemoTimings {
  readonly healthIntervalMs: number;
  readonly healthTimeoutMs: number;
  readonly baseEjectionMs: number;
  readonly perAttemptTimeoutMs: number;
  /** The caller's own deadline per request, retries included. */
  readonly callerDeadlineMs: number;
  /**
   * weighted-least-load's blackout: how long an instance must have reported before its weight
   * is used. gRFC A58's 10 s would be a third of the run; the demo's instances report from the
   * first request on, so a short one shows the same thing.
   */
  readonly loadBlackoutMs: number;
  /** How often weighted-least-load recomputes its weights (A58: 1 s). */
  readonly weightUpdateMs: number;
}

/**
 * `orders` keeps the default, peak-EWMA: it steers away from slow and failing instances at once,
 * often before outlier detection has the evidence to eject. `billing` uses least-request, which
 * knows nothing of latency or errors (a fast-failing instance even attracts traffic): there,
 * outlier detection and health checks do the work, and the ejections show. `inventory` uses
 * weighted-least-load: its instances say how busy they are (ORCA load reports, read from every
 * response and every health check), and traffic follows gRFC A58's weights.
 */
export const STRATEGIES: Readonly<Record<string, StrategyName>> = { orders: 'peak-ewma', billing: 'least-request', inventory: 'weighted-least-load' };

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

/** Timings for a run of `durationMs`: 1 s checks and 2.5 s ejections at 30 s, shorter below. */
export function demoTimings(durationMs: number): DemoTimings {
  const healthIntervalMs = clamp(durationMs / 30, 250, 1_000);
  return {
    healthIntervalMs,
    // Generous against a busy machine's late timers; a hung /health still fails fast enough.
    healthTimeoutMs: clamp(healthIntervalMs / 2, 250, 500),
    baseEjectionMs: clamp(durationMs / 12, 600, 2_500),
    perAttemptTimeoutMs: 300,
    callerDeadlineMs: 2_000,
    loadBlackoutMs: clamp(durationMs / 15, 500, 2_000),
    weightUpdateMs: clamp(durationMs / 30, 100, 1_000),
  };
}

export function demoBalancerOptions(
  instances: ReadonlyMap<string, readonly string[]>,
  timings: DemoTimings,
  logger: Logger,
  meterProvider: MeterProvider,
): BalancerOptions {
  const service = (name: string, urls: readonly string[]): ServiceOptions => ({
    instances: urls,
    strategy:
      STRATEGIES[name] === 'weighted-least-load'
        ? weightedLeastLoad({ blackoutPeriodMs: timings.loadBlackoutMs, weightUpdatePeriodMs: timings.weightUpdateMs })
        : (STRATEGIES[name] ?? 'peak-ewma'),
    healthCheck: {
      path: '/health',
      intervalMs: timings.healthIntervalMs,
      timeoutMs: timings.healthTimeoutMs,
      unhealthyThreshold: 2,
      healthyThreshold: 2,
      // A passing /health does not end an ejection early: billing-2's health endpoint keeps
      // saying 200 while its API answers 503, and only real traffic can tell.
      unejectOnPass: false,
    },
    outlierDetection: {
      consecutiveFailures: { threshold: 5 },
      baseEjectionMs: timings.baseEjectionMs,
      maxEjectionMs: timings.baseEjectionMs * 2,
      intervalMs: timings.baseEjectionMs,
      maxEjectionPercent: 50,
    },
    retry: {
      maxRetries: 2,
      perAttemptTimeoutMs: timings.perAttemptTimeoutMs,
      // budget: the default (20% of requests plus 10 per second)
    },
  });
  return {
    services: Object.fromEntries([...instances].map(([name, urls]) => [name, service(name, urls)])),
    logger,
    meterProvider,
  };
}
