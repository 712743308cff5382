/**
 * Load reports of a service's instances: the one place that reads a response's
 * `endpoint-load-metrics` header (once per attempt, from the facts the adapter reported) and takes
 * the reports of health checks (the HTTP probe's header, a custom check's `loadReport`), counts
 * what it found and hands valid reports to the strategy. A service has one only when its
 * strategy takes load reports (`Strategy.observeLoad`): for every other strategy no header is
 * read at all.
 */
import type { HeaderSource } from '../attempt/facts.js';
import type { InstanceRecord } from '../instance/instance.js';
import { readLoadReport } from '../load/orca-header.js';
import type { LoadReport, LoadReportReading } from '../load/load-report.js';
import type { Runtime } from '../runtime.js';
import type { Strategy, StrategyEndpoint } from '../strategies/strategy.js';
import type { ServiceObserver } from './observer.js';

type ObserveLoad = (endpoint: StrategyEndpoint, report: LoadReport, now: number) => void;

export class LoadReports {
  private constructor(
    private readonly service: string,
    private readonly strategy: Strategy,
    private readonly observeLoad: ObserveLoad,
    private readonly runtime: Runtime,
    private readonly observer: () => ServiceObserver,
  ) {}

  /** The service's load reports, or undefined when its strategy does not take them. */
  static for(service: string, strategy: Strategy, runtime: Runtime, observer: () => ServiceObserver): LoadReports | undefined {
    const observeLoad = strategy.observeLoad;
    return typeof observeLoad === 'function' ? new LoadReports(service, strategy, observeLoad, runtime, observer) : undefined;
  }

  /** A response from `r` arrived with `headers`. */
  received(r: InstanceRecord, headers: HeaderSource): void {
    if (r.live) this.reported(r, readLoadReport(headers));
  }

  /** `r` reported its load by other means (a health check): `reading`, or nothing. */
  reported(r: InstanceRecord, reading: LoadReportReading | undefined): void {
    if (!r.live || reading === undefined) return;
    const event = reading.result === 'accepted' ? { service: this.service, instance: r, result: reading.result } : { service: this.service, instance: r, result: reading.result, detail: reading.detail };
    this.observer().loadReported?.(event);
    if (reading.result === 'accepted') this.observeLoad.call(this.strategy, r, reading.report, this.runtime.now());
  }
}
