/**
 * Structured logs: one line per state change, ejection, panic change, skipped entry and
 * discovery failure streak, through a pino-compatible logger per service whose fields sit under
 * one key (`namespacedLogger`). Bursts are summarised: a spent retry budget is one warning per
 * interval, and closing is one line per service, not one per instance.
 */
import { errorForLog, type Logger } from '../logger.js';
import type {
  DiscoveryErrorEvent,
  EjectionEvent,
  HealthCheckEvent,
  MembershipEvent,
  PanicEvent,
  PickFailedEvent,
  RetryRefusedEvent,
  ServiceObserver,
  StateChangeEvent,
  StrategyErrorEvent,
} from './observer.js';

export interface LogObserverOptions {
  /** Milliseconds, monotonic (the runtime's `now`). */
  readonly now: () => number;
  /** At most one retry-budget warning per this many ms (the budget's window). Default 10,000. */
  readonly budgetWarningIntervalMs?: number;
}

/** Why an instance leaves when the balancer closes (`Service.close`). */
const CLOSED = 'balancer-closed';

export class LogObserver implements ServiceObserver {
  /** Discovery failures since the last good update; only the first of a streak is logged. */
  private discoveryFailures = 0;
  /** Last reason a pick failed for, logged once until a different one (or none) occurs. */
  private lastPickFailure: string | undefined;
  /** Budget refusals not yet reported, and when the next warning may be written. */
  private budgetRefusals = 0;
  private nextBudgetWarning = Number.NEGATIVE_INFINITY;
  private readonly budgetIntervalMs: number;
  /** Instances known (joined, not yet removed), and those closed so far once closing began. */
  private live = 0;
  private closing: { instances: number; drainTimeouts: number } | undefined;

  constructor(
    private readonly log: Logger,
    private readonly options: LogObserverOptions,
  ) {
    this.budgetIntervalMs = options.budgetWarningIntervalMs ?? 10_000;
  }

  stateChanged(e: StateChangeEvent): void {
    if (e.from === 'new') this.live++;
    if (e.to === 'removed') this.live--;
    const fields = { event: 'state-change', instance: e.instance.id, from: e.from, to: e.to, reason: e.reason };
    const msg = `instance ${e.instance.id} ${e.from} -> ${e.to} (${e.reason})`;
    if (e.reason === CLOSED || this.closing) {
      this.closed(e, fields, msg);
      return;
    }
    if (e.to === 'ejected' || e.to === 'unhealthy') this.log.warn(fields, msg);
    else if (e.from === 'new') this.log.debug(fields, msg); // joins are summarised by the membership line
    else this.log.info(fields, msg);
    if (e.to === 'healthy') this.lastPickFailure = undefined;
  }

  ejection(e: EjectionEvent): void {
    const fields = {
      event: 'ejection',
      instance: e.instance.id,
      reason: e.reason,
      enforced: e.enforced,
      durationMs: e.durationMs,
      timesEjected: e.timesEjected,
      ...(e.skipped ? { skipped: e.skipped } : {}),
    };
    if (e.enforced) this.log.warn(fields, `instance ${e.instance.id} ejected for ${e.durationMs} ms (${e.reason})`);
    else if (e.skipped === 'dry-run') this.log.info(fields, `instance ${e.instance.id} would be ejected (${e.reason}, dry run)`);
    else this.log.warn(fields, `instance ${e.instance.id} not ejected: max ejection percent reached (${e.reason})`);
  }

  panicChanged(e: PanicEvent): void {
    const fields = { event: 'panic', panic: e.panic, healthy: e.healthy, total: e.total };
    if (e.panic) this.log.warn(fields, `panic entered: ${e.healthy} of ${e.total} instances healthy`);
    else this.log.info(fields, `panic left: ${e.healthy} of ${e.total} instances healthy`);
  }

  membershipChanged(e: MembershipEvent): void {
    for (const r of e.rejected) {
      this.log.warn({ event: 'invalid-entry', source: e.source, path: r.path, problem: r.message }, `skipped invalid instance entry ${r.path}: ${r.message}`);
    }
    if (e.rejected.length > 0 && e.added + e.removed + e.updated === 0) return;
    if (this.discoveryFailures > 0) {
      this.log.info({ event: 'discovery-recovered', source: e.source, failures: this.discoveryFailures }, `discovery recovered after ${this.discoveryFailures} failures`);
      this.discoveryFailures = 0;
    }
    if (e.added + e.removed + e.updated > 0) {
      this.log.info(
        { event: 'membership', source: e.source, added: e.added, removed: e.removed, updated: e.updated },
        `instances updated from ${e.source}: +${e.added} -${e.removed} ~${e.updated}`,
      );
    }
  }

  discoveryFailed(e: DiscoveryErrorEvent): void {
    this.discoveryFailures++;
    if (this.discoveryFailures > 1) return;
    this.log.warn(
      { event: 'discovery-failed', source: e.source, kept: e.kept, err: errorForLog(e.error) },
      `discovery from ${e.source} failed; keeping the last good list of ${e.kept} instances`,
    );
  }

  pickFailed(e: PickFailedEvent): void {
    if (this.lastPickFailure === e.reason) return;
    this.lastPickFailure = e.reason;
    if (e.reason.startsWith('max-')) this.log.warn({ event: 'circuit-open', reason: e.reason }, `circuit open (${e.reason}): requests fail at once`);
    else this.log.warn({ event: 'no-available-instance', reason: e.reason }, `no available instance (${e.reason})`);
  }

  retryRefused(e: RetryRefusedEvent): void {
    if (e.reason !== 'budget') {
      this.log.debug({ event: 'retry-refused', reason: e.reason }, `retry refused (${e.reason})`);
      return;
    }
    // A spent budget means the service is failing more than retries may cover: worth a warning,
    // but it comes in bursts (every failed request while it lasts), so one line per interval.
    this.budgetRefusals++;
    const now = this.options.now();
    if (now < this.nextBudgetWarning) return;
    const refused = this.budgetRefusals;
    this.budgetRefusals = 0;
    this.nextBudgetWarning = now + this.budgetIntervalMs;
    this.log.warn(
      { event: 'retry-budget-exhausted', refused, intervalMs: this.budgetIntervalMs },
      `retry budget exhausted: ${refused} retries refused since the last warning (at most one warning per ${this.budgetIntervalMs} ms)`,
    );
  }

  healthChecked(e: HealthCheckEvent): void {
    if (!e.passed && e.streak === 1) {
      this.log.info(
        { event: 'health-check-failed', instance: e.instance.id, detail: e.detail, durationMs: Math.round(e.durationMs) },
        `health check of ${e.instance.id} failed: ${e.detail ?? 'unknown'}`,
      );
    } else if (e.passed && e.streak === 1) {
      this.log.debug({ event: 'health-check-passed', instance: e.instance.id }, `health check of ${e.instance.id} passed`);
    }
  }

  strategyFailed(e: StrategyErrorEvent): void {
    this.log.error(
      { event: 'strategy-failed', strategy: e.strategy, err: errorForLog(e.error) },
      `strategy ${e.strategy} failed to build (${errorForLog(e.error).message}); picking at random until the next change`,
    );
  }

  /**
   * Closing: per-instance lines at debug, one info line when the last instance is gone (how many,
   * and how many were cut off by the drain timeout), a warning per drain timeout.
   */
  private closed(e: StateChangeEvent, fields: object, msg: string): void {
    if (!this.closing) this.closing = { instances: this.live + (e.to === 'removed' ? 1 : 0), drainTimeouts: 0 };
    if (e.reason === 'drain-timeout') {
      this.closing.drainTimeouts++;
      this.log.warn(fields, `${msg}: in-flight requests still running when the drain timeout passed`);
    } else {
      this.log.debug(fields, msg);
    }
    if (this.live > 0) return;
    const { instances, drainTimeouts } = this.closing;
    this.log.info(
      { event: 'closed', instances, drainTimeouts },
      `closed: ${instances} instances drained${drainTimeouts > 0 ? ` (${drainTimeouts} by the drain timeout)` : ''}`,
    );
  }
}
