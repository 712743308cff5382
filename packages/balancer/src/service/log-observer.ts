/**
 * Structured logs: one line per state change, ejection, panic change, skipped entry and
 * discovery failure streak, through a pino-compatible child logger per service.
 */
import { errorFields, type Logger } from '../logger.js';
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

export class LogObserver implements ServiceObserver {
  /** Discovery failures since the last good update; only the first of a streak is logged. */
  private discoveryFailures = 0;
  /** Last reason a pick failed for, logged once until a different one (or none) occurs. */
  private lastPickFailure: string | undefined;

  constructor(private readonly log: Logger) {}

  stateChanged(e: StateChangeEvent): void {
    const fields = { event: 'state-change', instance: e.instance.id, from: e.from, to: e.to, reason: e.reason };
    const msg = `instance ${e.instance.id} ${e.from} -> ${e.to} (${e.reason})`;
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
      { event: 'discovery-failed', source: e.source, kept: e.kept, err: errorFields(e.error) },
      `discovery from ${e.source} failed; keeping the last good list of ${e.kept} instances`,
    );
  }

  pickFailed(e: PickFailedEvent): void {
    if (this.lastPickFailure === e.reason) return;
    this.lastPickFailure = e.reason;
    this.log.warn({ event: 'no-available-instance', reason: e.reason }, `no available instance (${e.reason})`);
  }

  retryRefused(e: RetryRefusedEvent): void {
    this.log.debug({ event: 'retry-refused', reason: e.reason }, `retry refused (${e.reason})`);
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
      { event: 'strategy-failed', strategy: e.strategy, err: errorFields(e.error) },
      `strategy ${e.strategy} failed to build (${errorFields(e.error).message}); picking at random until the next change`,
    );
  }
}
