/**
 * The active health checker of one service: a per-instance schedule of probes (HTTP by default,
 * or the configured `check` function), thresholds in both directions, a concurrency cap, and
 * un-ejection on a passing check. It follows the instance table as an `InstanceWatcher`.
 *
 * Guarantees:
 * - never two checks of one instance at once: the next check is scheduled when one ends;
 * - at most `maxConcurrent` checks in flight per service; due checks wait in a FIFO queue, in
 *   which an instance appears at most once;
 * - every check ends by its timeout: the check's signal aborts and the check counts as failed
 *   (`timeout`) even if the function ignores the signal, so a misbehaving check can neither
 *   wedge the schedule nor hold `close()`;
 * - all timers are unref'd: health checking never keeps a process alive;
 * - a result arriving for a removed instance (or after `close()`) is ignored;
 * - a draining instance is not probed (it takes no new requests); its schedule goes on, so a
 *   re-added instance is checked again;
 * - for a service whose strategy takes load reports (`Strategy.observeLoad`), the load a check
 *   reports (the HTTP probe's `endpoint-load-metrics` header, a custom check's `loadReport`) goes
 *   to the same place as a response's (`LoadReports`), after the check's verdict so that a
 *   recovery's reset of the strategy does not discard it; for any other, it is never read.
 *
 * Per-instance state (streaks, timer, running check) lives in a Map here, not on the record.
 */
import type { HealthCheckConfig } from '../config/config.js';
import type { InstanceRecord } from '../instance/instance.js';
import type { Runtime, Timer } from '../runtime.js';
import type { ServiceObserver } from '../service/observer.js';
import type { InstanceWatcher, Service } from '../service/service.js';
import type { HealthCheckFunction, HealthCheckTarget } from './check.js';
import { readLoadReportValue } from '../load/report-value.js';
import { describeFailure, HealthCheckTimeout } from './failure.js';
import { httpCheck } from './http-check.js';
import { firstCheckDelayMs, intervalFor, nextCheckDelayMs } from './schedule.js';
import { applyResult, NO_STREAK, type Streak } from './thresholds.js';

/** One instance's schedule and results. */
interface Probe {
  readonly record: InstanceRecord;
  readonly target: HealthCheckTarget;
  streak: Streak;
  /** The timer of the next check, while waiting for it. */
  timer: Timer | undefined;
  /** True while waiting in the queue for a concurrency slot. */
  queued: boolean;
  /** The running check's controller, while one runs. */
  running: AbortController | undefined;
}

/** How a check ended: passed with what it resolved with, or failed with why. */
type Result = { readonly passed: true; readonly value: unknown } | { readonly passed: false; readonly error: unknown };

/** Why a check was aborted other than by its timeout; its result is dropped. */
class CheckCancelled extends Error {
  override readonly name = 'AbortError';
}

/**
 * Creates the health checker of `service`, or returns undefined when the service has no
 * `healthCheck` configured. Events go to `observer.healthChecked`; health and ejection changes go
 * through one call, `service.healthChecked`.
 */
export function createHealthChecker(service: Service, observer: ServiceObserver, runtime: Runtime): InstanceWatcher | undefined {
  const config = service.config.healthCheck;
  return config && new HealthChecker(service, config, observer, runtime);
}

class HealthChecker implements InstanceWatcher {
  private readonly probes = new Map<InstanceRecord, Probe>();
  /** Probes waiting for a slot, oldest first (a Set keeps insertion order and deletes in O(1)). */
  private readonly queue = new Set<Probe>();
  /** Checks in flight; each promise settles when its check has ended and been accounted. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly check: HealthCheckFunction;
  private readonly random: () => number;
  private closed = false;

  constructor(
    private readonly service: Service,
    private readonly config: HealthCheckConfig,
    private readonly observer: ServiceObserver,
    private readonly runtime: Runtime,
  ) {
    this.check = config.check ?? httpCheck(config, service.loadReports !== undefined);
    this.random = () => runtime.random();
  }

  added(record: InstanceRecord): void {
    if (this.closed || !record.live || this.probes.has(record)) return;
    const probe: Probe = {
      record,
      target: { id: record.id, url: record.url, host: record.host, port: record.port, service: this.service.name },
      streak: NO_STREAK,
      timer: undefined,
      queued: false,
      running: undefined,
    };
    this.probes.set(record, probe);
    this.schedule(probe, firstCheckDelayMs(intervalFor(record.health, this.config), this.random));
  }

  removed(record: InstanceRecord): void {
    const probe = this.probes.get(record);
    if (!probe) return;
    this.probes.delete(record);
    this.stop(probe, 'instance removed');
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const probe of this.probes.values()) this.stop(probe, 'health checker closed');
      this.probes.clear();
    }
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Cancels a probe's timer, takes it out of the queue and aborts its running check. */
  private stop(probe: Probe, why: string): void {
    probe.timer?.cancel();
    probe.timer = undefined;
    if (probe.queued) this.queue.delete(probe);
    probe.queued = false;
    probe.running?.abort(new CheckCancelled(why));
  }

  private schedule(probe: Probe, delayMs: number): void {
    probe.timer = this.runtime.setTimeout(() => {
      probe.timer = undefined;
      this.enqueue(probe);
    }, delayMs);
  }

  private enqueue(probe: Probe): void {
    if (this.closed || probe.queued || probe.running || this.probes.get(probe.record) !== probe) return;
    if (probe.record.draining) {
      // It takes no new requests: do not probe it, but keep the schedule in case discovery re-adds it.
      this.schedule(probe, nextCheckDelayMs(intervalFor(probe.record.health, this.config), this.config.jitterPercent, this.random));
      return;
    }
    probe.queued = true;
    this.queue.add(probe);
    this.pump();
  }

  /** Starts queued checks while slots are free. */
  private pump(): void {
    while (!this.closed && this.inFlight.size < this.config.maxConcurrent) {
      const next = this.queue.values().next();
      if (next.done) return;
      const probe = next.value;
      this.queue.delete(probe);
      probe.queued = false;
      this.start(probe);
    }
  }

  private start(probe: Probe): void {
    const controller = new AbortController();
    probe.running = controller;
    const startedAt = this.runtime.now();
    const timeout = this.runtime.setTimeout(() => controller.abort(new HealthCheckTimeout(this.config.timeoutMs)), this.config.timeoutMs);
    const run = runCheck(this.check, probe.target, controller.signal).then((result) => {
      timeout.cancel();
      probe.running = undefined;
      this.inFlight.delete(run);
      try {
        this.finish(probe, result, this.runtime.now() - startedAt);
      } finally {
        this.pump();
      }
    });
    this.inFlight.add(run);
  }

  /** Accounts one result: next check, event, thresholds, un-ejection. */
  private finish(probe: Probe, result: Result, durationMs: number): void {
    const { record } = probe;
    if (this.closed || this.probes.get(record) !== probe || !record.live) return;
    if (!result.passed && result.error instanceof CheckCancelled) return;
    const verdict = applyResult(probe.streak, result.passed, record.health, this.config);
    probe.streak = verdict.streak;
    // Scheduled first, at the pace of the new health, so a throwing observer cannot stop the
    // schedule; removal or close() during the calls below cancels it.
    this.schedule(probe, nextCheckDelayMs(intervalFor(verdict.health, this.config), this.config.jitterPercent, this.random));
    this.observer.healthChecked?.({
      service: this.service.name,
      instance: record,
      passed: result.passed,
      durationMs,
      detail: result.passed ? undefined : describeFailure(result.error),
      streak: verdict.length,
    });
    this.service.healthChecked(record, { passed: result.passed, health: verdict.health, unejectOnPass: this.config.unejectOnPass });
    const reports = this.service.loadReports;
    if (reports !== undefined) reports.reported(record, readLoadReportValue(loadReportOf(result)));
  }
}

/**
 * The `loadReport` a check ended with: a passing check's resolved value's, a failing check's
 * error's (duck-typed, as `describeFailure` reads `detail`, so it survives duplicate installs).
 * Never throws: a getter in user code that throws is as good as no report.
 */
function loadReportOf(result: Result): unknown {
  const carrier = result.passed ? result.value : result.error;
  if (typeof carrier !== 'object' || carrier === null) return undefined;
  try {
    return (carrier as { loadReport?: unknown }).loadReport;
  } catch {
    return undefined;
  }
}

/**
 * Runs one check and settles with its result when it settles or when `signal` aborts, whichever
 * comes first. Never rejects; a synchronous throw counts as a failure.
 */
function runCheck(check: HealthCheckFunction, target: HealthCheckTarget, signal: AbortSignal): Promise<Result> {
  return new Promise<Result>((resolve) => {
    const onAbort = (): void => resolve({ passed: false, error: signal.reason });
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (result: Result): void => {
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    let pending: ReturnType<HealthCheckFunction>;
    try {
      pending = check(target, signal);
    } catch (error) {
      settle({ passed: false, error });
      return;
    }
    Promise.resolve(pending).then(
      (value: unknown) => settle({ passed: true, value }),
      (error: unknown) => settle({ passed: false, error }),
    );
  });
}
